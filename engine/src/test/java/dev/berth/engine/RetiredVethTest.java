package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.driver.BridgeDriver;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.tx.SimulatedCrash;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A disconnect answers once the endpoint is unusable and invisible, and the veth pair is deleted afterwards
 * ({@code VethReaper}): the container's interface and address are gone at the answer, a reconnect right after
 * gets the same name and works, and a crash before the deletion is finished at the next start.
 */
@ExtendWith(LabExtension.class)
class RetiredVethTest {

    @Test
    void reconnectRightAfterADisconnectGetsTheNameBackAndWorks(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("side", "10.61.0.0/24"));
            Sandbox peer = e.createSandbox(SandboxRequest.on("peer", "side"));
            Sandbox s = e.createSandbox(SandboxRequest.on("mover", "bridge"));
            String peerIp = IpPrefix.format(e.endpointsOf(peer).getFirst().ipv4());
            LabHost in = l.in(s);
            long veths = vethCount(l);
            for (int round = 0; round < 5; round++) {
                Endpoint ep = e.connect("mover", "side", EndpointRequest.DEFAULT);
                assertEquals("eth1", ep.ifName());
                assertTrue(in.ping(peerIp), "round " + round + ": the reconnected endpoint works");
                e.disconnect("mover", "side", false);
                // at the answer, whether or not the reaper got to it yet
                String links = in.run("ip", "-o", "link").stdout();
                assertFalse(links.contains("eth1"), links);
                String addrs = in.run("ip", "-o", "addr").stdout();
                assertFalse(addrs.contains(IpPrefix.format(ep.ipv4()) + "/"), addrs);
                assertFalse(in.ping(peerIp), "nothing reaches the network any more");
            }
            e.settle();
            assertFalse(in.run("ip", "-o", "link").stdout().contains("gone"), "the retired ends are deleted");
            assertEquals(veths, vethCount(l), "no veth left on the host");
        }
    }

    private static long vethCount(EngineLab l) {
        return l.host.run("ip", "-o", "link", "show", "type", "veth")
                .stdout()
                .lines()
                .count();
    }

    @Test
    void aCrashBeforeTheDeletionIsFinishedAtTheNextStart(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("side", "10.62.0.0/24"));
            e.createSandbox(SandboxRequest.on("mover", "bridge"));
            e.connect("mover", "side", EndpointRequest.DEFAULT);
            e.disconnect("mover", "side", false);
            String after = l.kernelSnapshot();
            e.connect("mover", "side", EndpointRequest.DEFAULT);

            // kill -9 after the answer's steps, before the reaper had the job: the retired pair and its record stay
            Engine crashing = l.start(l.config().withFaults(point -> {
                if (point.equals("disconnect:reap")) throw new SimulatedCrash(point);
            }));
            Endpoint retired = crashing.endpointsOf(crashing.sandbox("mover")).get(1);
            assertThrows(SimulatedCrash.class, () -> crashing.disconnect("mover", "side", false));
            assertTrue(
                    l.host.run("ip", "-o", "link", "show", retired.hostIfName())
                            .stdout()
                            .contains("state DOWN"),
                    "the host end is down, still there");
            LabHost in = l.in("mover");
            assertTrue(in.run("ip", "-o", "link").stdout().contains(BridgeDriver.retiredName(retired)));
            assertTrue(l.recorded("endpoints", retired.id()), "its REMOVING record journals the deletion");

            Engine revived = l.restart();
            assertEquals(after, l.kernelSnapshot(), "the restart deleted the retired pair");
            assertFalse(in.run("ip", "-o", "link").stdout().contains("gone"));
            assertFalse(l.recorded("endpoints", retired.id()));
            Endpoint again = revived.connect("mover", "side", EndpointRequest.DEFAULT);
            assertEquals("eth1", again.ifName());
            assertNotEquals(
                    revived.endpointsOf(revived.sandbox("mover")).getFirst().ipv4(), again.ipv4());
        }
    }
}
