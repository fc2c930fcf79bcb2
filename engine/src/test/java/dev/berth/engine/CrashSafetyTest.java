package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.tx.Faults;
import dev.berth.engine.tx.SimulatedCrash;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kill -9 at every step of every operation, then restart: the kernel and the state end up exactly as
 * before the operation (or, for removals, exactly as after it), with no leaked veth, namespace,
 * address, rule or allocation, and no duplicate address afterwards.
 */
@ExtendWith(LabExtension.class)
class CrashSafetyTest {

    /** Records the crash points an operation passes, or crashes at one of them. */
    private static final class Injector implements Faults {
        final String prefix;
        final String crashAt;
        final List<String> seen = new ArrayList<>();

        Injector(String prefix, String crashAt) {
            this.prefix = prefix;
            this.crashAt = crashAt;
        }

        @Override
        public void reach(String point) {
            if (!point.startsWith(prefix)) return;
            seen.add(point);
            if (point.equals(crashAt)) throw new SimulatedCrash(point);
        }
    }

    private static List<String> pointsOf(
            EngineLab l, String prefix, Consumer<Engine> setup, Consumer<Engine> op, Consumer<Engine> undo) {
        Injector rec = new Injector(prefix, null);
        Engine e = l.start(l.config().withFaults(rec));
        setup.accept(e);
        rec.seen.clear();
        op.accept(e);
        List<String> points = List.copyOf(new ArrayList<>(new LinkedHashSet<>(rec.seen)));
        undo.accept(e);
        l.restart();
        return points;
    }

    private static void crashEverywhere(
            EngineLab l,
            String prefix,
            Consumer<Engine> setup,
            Consumer<Engine> op,
            Consumer<Engine> undo,
            boolean removal) {
        crashEverywhere(l, EngineLab::kernelSnapshot, prefix, setup, op, undo, removal);
    }

    /** As above, comparing the kernel as {@code snapshot} reports it (e.g. with the links inside sandboxes). */
    private static void crashEverywhere(
            EngineLab l,
            Function<EngineLab, String> snapshot,
            String prefix,
            Consumer<Engine> setup,
            Consumer<Engine> op,
            Consumer<Engine> undo,
            boolean removal) {
        List<String> points = pointsOf(l, prefix, setup, op, undo);
        assertTrue(points.size() >= 3, "an operation has several steps: " + points);
        for (String point : points) {
            Engine e = l.restart();
            setup.accept(e);
            String before = snapshot.apply(l);
            op.accept(e);
            String after = snapshot.apply(l);
            undo.accept(e);

            e = l.restart();
            setup.accept(e);
            assertEquals(before, snapshot.apply(l));
            Engine crashing = l.start(l.config().withFaults(new Injector(prefix, point)));
            assertThrows(SimulatedCrash.class, () -> op.accept(crashing), point);
            Engine revived = l.restart();
            String now = snapshot.apply(l);
            if (removal)
                assertTrue(
                        now.equals(before) || now.equals(after),
                        "after a crash at " + point + " the kernel is neither before nor after:\n" + now);
            else assertEquals(before, now, "after a crash at " + point);
            assertNoDuplicateAddresses(revived);
            // the operation works again afterwards, and its undo restores the start
            if (!removal || now.equals(before)) op.accept(revived);
            undo.accept(revived);
            l.restart();
        }
    }

    private static void assertNoDuplicateAddresses(Engine e) {
        Set<InetAddress> seen = new HashSet<>();
        for (var s : e.sandboxes())
            for (Endpoint ep : e.endpointsOf(s))
                assertTrue(ep.ipv4() == null || seen.add(ep.ipv4()), "duplicate " + ep.ipv4());
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (BerthException.NotFound | BerthException.Conflict ignored) {
            // already undone
        }
    }

    @Test
    void createSandboxWithAPublishedPort(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            crashEverywhere(
                    l,
                    "create-sandbox",
                    e -> quietly(() -> e.sandbox("keep")),
                    e -> e.createSandbox(SandboxRequest.on("cs", "bridge").publishing("8080:80")),
                    e -> quietly(() -> e.removeSandbox("cs")),
                    false);
        }
    }

    @Test
    void createNetworkAndConnect(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            crashEverywhere(
                    l,
                    "create-network",
                    e -> {},
                    e -> e.createNetwork(NetworkRequest.bridge("cn", "10.50.0.0/24")),
                    e -> quietly(() -> e.removeNetwork("cn")),
                    false);
            crashEverywhere(
                    l,
                    "connect",
                    e -> {
                        if (e.networks().stream().noneMatch(n -> n.name().equals("side")))
                            e.createNetwork(NetworkRequest.bridge("side", "10.51.0.0/24"));
                        if (e.sandboxes().isEmpty()) e.createSandbox(SandboxRequest.on("base", "side"));
                    },
                    e -> e.connect("base", "bridge", EndpointRequest.DEFAULT),
                    e -> quietly(() -> e.disconnect("base", "bridge", false)),
                    false);
        }
    }

    @Test
    void removals(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            crashEverywhere(
                    l,
                    "remove-sandbox",
                    e -> {
                        if (e.sandboxes().isEmpty())
                            e.createSandbox(SandboxRequest.on("rm", "bridge").publishing("8081:80"));
                    },
                    e -> e.removeSandbox("rm"),
                    e -> {},
                    true);
            crashEverywhere(
                    l,
                    "remove-network",
                    e -> {
                        if (e.networks().stream().noneMatch(n -> n.name().equals("gone")))
                            e.createNetwork(NetworkRequest.bridge("gone", "10.52.0.0/24"));
                    },
                    e -> e.removeNetwork("gone"),
                    e -> {},
                    true);
            crashEverywhere(
                    l,
                    "disconnect",
                    e -> {
                        if (e.sandboxes().isEmpty())
                            e.createSandbox(SandboxRequest.on("two", "bridge").publishing("8082:80"));
                        if (e.endpointsOf(e.sandbox("two")).size() < 2) {
                            if (e.networks().stream().noneMatch(n -> n.name().equals("second")))
                                e.createNetwork(NetworkRequest.bridge("second", "10.53.0.0/24"));
                            e.connect("two", "second", EndpointRequest.DEFAULT);
                        }
                    },
                    e -> e.disconnect("two", "second", false),
                    e -> {},
                    true);
        }
    }

    // ---- macvlan and ipvlan (their endpoints live inside the sandboxes, so those are compared too) ----

    private static void ensureLanNetwork(Engine e, String name, String subnet, String parent) {
        if (e.networks().stream().noneMatch(n -> n.name().equals(name)))
            e.createNetwork(MacvlanNetworkTest.lanNetwork(name, "macvlan", subnet, null, "parent", parent));
    }

    @Test
    void macvlanSandboxConnectAndDisconnect(Lab lab) {
        try (LanLab lan = new LanLab(lab)) {
            EngineLab l = lan.engine;
            crashEverywhere(
                    l,
                    EngineLab::kernelSnapshotWithSandboxes,
                    "create-sandbox",
                    e -> ensureLanNetwork(e, "subway", LanLab.SUBNET, "lan0"),
                    e -> e.createSandbox(SandboxRequest.on("mv", "subway").withIp("192.168.241.10")),
                    e -> quietly(() -> e.removeSandbox("mv")),
                    false);
            crashEverywhere(
                    l,
                    EngineLab::kernelSnapshotWithSandboxes,
                    "connect",
                    e -> {
                        ensureLanNetwork(e, "subway", LanLab.SUBNET, "lan0");
                        if (e.sandboxes().stream().noneMatch(s -> s.name().equals("base")))
                            e.createSandbox(SandboxRequest.on("base", "bridge"));
                    },
                    e -> e.connect("base", "subway", EndpointRequest.ip("192.168.241.20")),
                    e -> quietly(() -> e.disconnect("base", "subway", false)),
                    false);
            crashEverywhere(
                    l,
                    EngineLab::kernelSnapshotWithSandboxes,
                    "disconnect",
                    e -> {
                        ensureLanNetwork(e, "subway", LanLab.SUBNET, "lan0");
                        if (e.sandboxes().stream().noneMatch(s -> s.name().equals("two")))
                            e.createSandbox(SandboxRequest.on("two", "bridge"));
                        if (e.endpointsOf(e.sandbox("two")).size() < 2)
                            e.connect("two", "subway", EndpointRequest.DEFAULT);
                    },
                    e -> e.disconnect("two", "subway", false),
                    e -> {},
                    true);
        }
    }

    /** Berth's own 802.1q parent: made with the first network on it, gone with the last, never leaked. Needs 8021q: runs in the VM. */
    @Test
    @Tag("vm")
    void vlanParentCreateAndRemove(Lab lab) {
        try (LanLab lan = new LanLab(lab)) {
            EngineLab l = lan.engine;
            crashEverywhere(
                    l,
                    "create-network",
                    e -> {},
                    e -> ensureLanNetwork(e, "v20", "192.168.20.0/24", "lan0.20"),
                    e -> quietly(() -> e.removeNetwork("v20")),
                    false);
            crashEverywhere(
                    l,
                    "remove-network",
                    e -> ensureLanNetwork(e, "v30", "192.168.30.0/24", "lan0.30"),
                    e -> e.removeNetwork("v30"),
                    e -> {},
                    true);
        }
    }
}
