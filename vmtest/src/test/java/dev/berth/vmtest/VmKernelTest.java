package dev.berth.vmtest;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ipvlan, 802.1q VLANs and dummy links on a kernel that has them: boots Debian's stock kernel once in
 * QEMU ({@code scripts/vm/run-in-vm.sh}, host root shared read-only) and runs {@link GuestSuite} there
 * with this build's class path, then checks its exit status and its summary. Skips only when no VM
 * can start on this machine at all (no qemu, no kernel image, no static busybox).
 */
class VmKernelTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path RUNNER = MODULE.getParent().resolve("scripts/vm/run-in-vm.sh");
    private static final Pattern SUMMARY = Pattern.compile(Pattern.quote(GuestSuite.SUMMARY)
            + " tests=(\\d+) passed=(\\d+) failed=(\\d+) aborted=(\\d+) skipped=(\\d+)");

    /** The guest suite's classes, each of which must have run and passed in the guest. */
    private static final Map<String, Integer> AT_LEAST = Map.of(
            "dev.berth.engine.IpvlanNetworkTest", 4,
            "dev.berth.engine.LanParentsTest", 3,
            "dev.berth.engine.CrashSafetyTest", 1,
            "dev.berth.netlink.IprouteBytesTest", 17);

    private record Run(int exit, List<String> lines) {
        String tail() {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        }
    }

    @Test
    void ipvlanVlanAndDummyWorkOnAStockKernel() throws Exception {
        Run check = run(List.of(RUNNER.toString(), "--check"), 120);
        // No skipping: a machine where no VM can start fails the suite, saying why (scripts/setup.sh installs qemu).
        assertEquals(
                0,
                check.exit,
                () -> "no VM can run here, so ipvlan, 802.1q and dummy go untested (install what"
                        + " scripts/packages.d/vm.list lists with scripts/setup.sh):\n" + check.tail());

        String classPath = MODULE.resolve("target/test-classes") + ":"
                + Files.readString(MODULE.resolve("target/guest-classpath.txt")).strip();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                RUNNER.toString(),
                "--modules",
                String.join(" ", GuestSuite.MODULES),
                "--timeout",
                "1080",
                "--",
                java,
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                GuestSuite.class.getName()));
        long start = System.nanoTime();
        Run vm = run(cmd, 1140); // minutes in CI; a loaded host (other builds) slows the guest many times over
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        Files.write(MODULE.resolve("target/vm-guest.log"), vm.lines);
        System.out.println("VM run: " + seconds + " s, exit " + vm.exit + "; guest output in target/vm-guest.log");

        String kernel = vm.lines.stream()
                .filter(l -> l.startsWith(GuestSuite.KERNEL))
                .findFirst()
                .orElse("");
        for (String m : List.of("ipvlan", "8021q", "dummy"))
            assertTrue(
                    kernel.contains(m),
                    "the guest kernel must have " + m + " loaded, else the tests prove nothing: '" + kernel + "'\n"
                            + vm.tail());
        Matcher s = vm.lines.stream()
                .map(SUMMARY::matcher)
                .filter(Matcher::find)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no summary from the guest (exit " + vm.exit + "):\n" + vm.tail()));
        assertEquals("0", s.group(3), "failed tests in the guest:\n" + vm.tail());
        assertEquals("0", s.group(4), "aborted tests in the guest:\n" + vm.tail());
        assertEquals("0", s.group(5), "skipped tests in the guest:\n" + vm.tail());
        assertEquals(0, vm.exit, vm.tail());

        Map<String, Integer> passed = new HashMap<>();
        Pattern ok = Pattern.compile(
                Pattern.quote(GuestSuite.TEST) + " SUCCESSFUL \\[engine:junit-jupiter]/\\[class:([\\w.]+)]");
        for (String l : vm.lines) {
            Matcher m = ok.matcher(l);
            if (m.find()) passed.merge(m.group(1), 1, Integer::sum);
        }
        for (var e : AT_LEAST.entrySet())
            assertTrue(
                    passed.getOrDefault(e.getKey(), 0) >= e.getValue(),
                    e.getKey() + " passed " + passed.getOrDefault(e.getKey(), 0)
                            + " tests in the guest, expected at least " + e.getValue() + ":\n" + vm.tail());
    }

    /** Runs a command, collecting its merged output (echoed to this test's output as it comes). */
    private static Run run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        List<String> lines = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                    System.out.println("[vm] " + l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd.subList(0, 2)) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(5000);
        synchronized (lines) {
            return new Run(p.exitValue(), List.copyOf(lines));
        }
    }
}
