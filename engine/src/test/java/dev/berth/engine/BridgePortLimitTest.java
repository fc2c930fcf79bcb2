package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.driver.BridgePorts;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.BerthException;
import dev.berth.model.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bridge network takes as many endpoints as a Linux bridge takes ports, 1023, and refuses the next one
 * with a message naming the network and the limit, changing nothing. The kernel's own limit is checked
 * first (so the constant is the kernel's, not a guess); the endpoints are handed-over ones (a veth pair
 * in the host namespace, no namespace each), which keeps a full bridge cheap to build.
 */
@ExtendWith(LabExtension.class)
class BridgePortLimitTest {

    @Test
    void theKernelTakes1023PortsPerBridgeAndRefusesTheNextWithExfull(Lab lab) {
        LabHost h = lab.host("kern");
        h.ip("link", "add", "brt", "type", "bridge");
        fill(h, "brt", "p", BridgePorts.MAX);
        assertEquals(BridgePorts.MAX, ports(h, "brt"));
        ExecResult next =
                h.exec("ip", "link", "add", "pnext", "master", "brt", "type", "veth", "peer", "name", "qnext");
        assertFalse(next.ok(), "the kernel took a port past " + BridgePorts.MAX);
        assertTrue(next.stderr().contains("Exchange full"), next.stderr());
        assertFalse(h.exec("ip", "link", "show", "pnext").ok(), "the refused veth is not left behind");
    }

    @Test
    void theEndpointPastTheLimitIsRefusedNamingTheNetworkAndNothingChanges(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Network n = e.createNetwork(NetworkRequest.bridge("many", "10.78.0.0/16"));
            e.createSandbox(SandboxRequest.on("c", "bridge"));

            // the kernel's refusal: the bridge holds a port Berth did not make (a bridge given to berthd may)
            l.host.ip("link", "add", "foreign0", "master", n.device(), "type", "veth", "peer", "name", "foreign1");
            for (int i = 0; i < BridgePorts.MAX - 1; i++) e.createHandedOverSandbox(handedOver(i));
            assertEquals(BridgePorts.MAX, ports(l.host, n.device()));
            String before = l.kernelSnapshot(), files = stateFiles(l);
            BerthException.Conflict kernelFull = assertThrows(
                    BerthException.Conflict.class, () -> e.createSandbox(SandboxRequest.on("late", "many")));
            assertFullMessage(n, kernelFull);
            BerthException.Conflict kernelFullConnect =
                    assertThrows(BerthException.Conflict.class, () -> e.connect("c", "many", EndpointRequest.DEFAULT));
            assertFullMessage(n, kernelFullConnect);
            assertEquals(before, l.kernelSnapshot(), "a refused endpoint changes nothing in the kernel");
            assertEquals(files, stateFiles(l), "nor in the state directory");
            assertThrows(BerthException.NotFound.class, () -> e.sandbox("late"));
            assertEquals(BridgePorts.MAX - 1, e.endpointsOf(n).size());
            assertEquals(1, e.endpointsOf(e.sandbox("c")).size());

            // the engine's refusal: 1023 endpoints of its own, the next refused before anything is allocated
            l.host.ip("link", "del", "foreign0");
            Sandbox last = e.createHandedOverSandbox(handedOver(BridgePorts.MAX - 1));
            assertEquals(BridgePorts.MAX, e.endpointsOf(n).size());
            before = l.kernelSnapshot();
            files = stateFiles(l);
            assertFullMessage(
                    n,
                    assertThrows(
                            BerthException.Conflict.class,
                            () -> e.createHandedOverSandbox(handedOver(BridgePorts.MAX))));
            assertFullMessage(
                    n,
                    assertThrows(
                            BerthException.Conflict.class, () -> e.createSandbox(SandboxRequest.on("late", "many"))));
            assertFullMessage(
                    n,
                    assertThrows(BerthException.Conflict.class, () -> e.connect("c", "many", EndpointRequest.DEFAULT)));
            assertEquals(before, l.kernelSnapshot(), "a refused endpoint changes nothing in the kernel");
            assertEquals(files, stateFiles(l), "nor in the state directory");
            assertEquals(BridgePorts.MAX, e.endpointsOf(n).size());

            // room again once one goes
            e.removeSandbox(last.id());
            e.connect("c", "many", EndpointRequest.DEFAULT);
            assertEquals(2, e.endpointsOf(e.sandbox("c")).size());
            assertEquals(BridgePorts.MAX, ports(l.host, n.device()));
        }
    }

    private static void assertFullMessage(Network n, BerthException.Conflict e) {
        assertTrue(
                e.getMessage().contains("network many is full")
                        && e.getMessage().contains("1023 ports")
                        && e.getMessage().contains(n.device()),
                e.getMessage());
    }

    /** A handed-over sandbox (Docker's remote driver): one veth pair in the host, its namespace to come. */
    private static SandboxRequest handedOver(int i) {
        return new SandboxRequest(
                null,
                "h" + i,
                null,
                "many",
                new EndpointRequest(null, null, null, List.of(), "bd" + i),
                List.of(),
                false,
                List.of(),
                "/run/berth-test-absent/h" + i);
    }

    /** {@code count} veth pairs {@code PREFIXi}/{@code PREFIXi-peer} as ports of {@code bridge}, in one ip -batch. */
    private static void fill(LabHost h, String bridge, String prefix, int count) {
        h.sh("i=0; while [ $i -lt " + count + " ]; do echo \"link add " + prefix + "$i master " + bridge
                + " type veth peer name " + prefix + "$i-peer\"; i=$((i+1)); done | ip -batch -");
    }

    /** The state store's records (sandboxes, endpoints, networks), sorted. */
    private static String stateFiles(EngineLab l) {
        return l.records();
    }

    private static int ports(LabHost h, String bridge) {
        return (int)
                h.ip("-o", "link", "show", "master", bridge).stdout().lines().count();
    }
}
