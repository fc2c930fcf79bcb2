package dev.berth.vmtest;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;
import static org.junit.platform.launcher.TagFilter.includeTags;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs inside the VM (see {@link VmKernelTest}): the engine's tests tagged "vm" (ipvlan, 802.1q and
 * dummy parents) and the netlink tests of those link types, which on this kernel take their "the
 * kernel has it" path. Prints a line per test and a summary line that the host parses; exits 1 when
 * anything failed.
 */
public final class GuestSuite {
    static final String KERNEL = "berth-vm-kernel:", TEST = "berth-vm-test:", SUMMARY = "berth-vm-summary:";
    static final List<String> MODULES = List.of("ipvlan", "8021q", "dummy", "macvlan");

    private GuestSuite() {}

    public static void main(String[] args) {
        List<String> loaded = new ArrayList<>();
        for (String m : MODULES) if (Files.isDirectory(Path.of("/sys/module", m))) loaded.add(m);
        System.out.println(KERNEL + " " + System.getProperty("os.version") + " modules=" + String.join(",", loaded));

        LauncherDiscoveryRequest engine = request()
                .selectors(selectPackage("dev.berth.engine"))
                .filters(includeTags("vm"))
                .build();
        LauncherDiscoveryRequest netlink = request()
                .selectors(selectClass("dev.berth.netlink.IprouteBytesTest"))
                .filters(methodsNamed("(ipvlan|vlan|dummy)\\w*"))
                .build();
        Counts counts = new Counts();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(engine, counts);
        launcher.execute(netlink, counts);
        System.out.printf(
                "%s tests=%d passed=%d failed=%d aborted=%d skipped=%d%n",
                SUMMARY,
                counts.total(),
                counts.passed.get(),
                counts.failed.get(),
                counts.aborted.get(),
                counts.skipped.get());
        System.out.flush();
        System.exit(counts.failed.get() + counts.aborted.get() == 0 ? 0 : 1);
    }

    /** Keeps the test methods whose name matches {@code regex} (and every container). */
    private static PostDiscoveryFilter methodsNamed(String regex) {
        return d -> d.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .map(n -> n.matches(regex)
                        ? FilterResult.included("a link type test")
                        : FilterResult.excluded("not " + regex))
                .orElse(FilterResult.included("a container"));
    }

    /** Counts and prints each test's outcome; failures with their stack trace. */
    private static final class Counts implements TestExecutionListener {
        final AtomicInteger passed = new AtomicInteger(),
                failed = new AtomicInteger(),
                aborted = new AtomicInteger(),
                skipped = new AtomicInteger();

        final Map<String, Long> started = new ConcurrentHashMap<>();

        @Override
        public void executionStarted(TestIdentifier t) {
            started.put(t.getUniqueId(), System.nanoTime());
        }

        int total() {
            return passed.get() + failed.get() + aborted.get() + skipped.get();
        }

        @Override
        public void executionSkipped(TestIdentifier t, String reason) {
            if (!t.isTest()) return;
            skipped.incrementAndGet();
            System.out.println(TEST + " SKIPPED " + t.getUniqueId() + " (" + reason + ")");
        }

        @Override
        public void executionFinished(TestIdentifier t, TestExecutionResult r) {
            if (!t.isTest()) {
                if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) { // a class that could not even start
                    failed.incrementAndGet();
                    System.out.println(TEST + " FAILED " + t.getUniqueId());
                    r.getThrowable().ifPresent(e -> e.printStackTrace(System.out));
                }
                return;
            }
            switch (r.getStatus()) {
                case SUCCESSFUL -> passed.incrementAndGet();
                case ABORTED -> aborted.incrementAndGet();
                case FAILED -> failed.incrementAndGet();
            }
            long ms = (System.nanoTime() - started.getOrDefault(t.getUniqueId(), System.nanoTime())) / 1_000_000;
            System.out.println(TEST + " " + r.getStatus() + " " + t.getUniqueId() + " " + ms + " ms");
            if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL)
                r.getThrowable().ifPresent(e -> e.printStackTrace(System.out));
        }
    }
}
