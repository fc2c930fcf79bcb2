package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A removal goes on past a step that fails: everything else is removed, one error says which step failed
 * and why (no Java class name), and the next start finishes what was left.
 */
@ExtendWith(LabExtension.class)
class BestEffortTeardownTest {

    @Test
    void aSandboxIsRemovedWhenItsAntiSpoofingElementsCannotBe(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            String clean = l.kernelSnapshot();
            Sandbox a = e.createSandbox(SandboxRequest.on("a", "bridge").publishing("8080:80"));
            Endpoint ep = e.endpointsOf(a).getFirst();
            String netns = Path.of(e.netnsPath(a).toString()).getFileName().toString();

            l.host.run(
                    "nft", "delete", "table", "bridge",
                    "berth"); // someone deletes the guards' table: unguard must fail
            var failed = assertThrows(BerthException.Failed.class, () -> e.removeSandbox("a"));
            String m = failed.getMessage();
            assertTrue(m.startsWith("remove sandbox a: unguard: "), m);
            assertTrue(m.contains("berthd finishes this at its next start"), m);
            assertFalse(m.contains("Exception") || m.contains("dev.berth"), "no Java names: " + m);

            assertFalse(l.host.exec("ip", "link", "show", ep.hostIfName()).ok(), "the veth went all the same");
            assertFalse(Commands.run(List.of("ip", "netns", "list")).stdout().contains(netns), "and the namespace");
            assertFalse(l.host.run("nft", "list", "ruleset").stdout().contains("8080"), "and the published port");
            assertThrows(BerthException.NotFound.class, () -> e.sandbox("a"));
            assertTrue(
                    l.recorded("endpoints", ep.id()),
                    "the endpoint whose step failed keeps its REMOVING record for reconcile");

            Engine again = l.restart();
            assertEquals(
                    clean,
                    l.kernelSnapshot(),
                    "the next start finished the removal (the guards' table is back, empty)");
            assertFalse(l.recorded("endpoints", ep.id()), "and forgot the endpoint");
            assertFalse(l.recorded("sandboxes", a.id()), "and the sandbox");
            again.createSandbox(
                    SandboxRequest.on("a", "bridge").publishing("8080:80")); // the name and the port are free
        }
    }

    @Test
    void aNetworkIsRemovedWhenItsFirewallRulesCannotBe(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            String clean = l.kernelSnapshot();
            String device = e.createNetwork(NetworkRequest.bridge("greatwall", "10.10.0.0/24"))
                    .device();
            String id = e.network("greatwall").id();

            l.host.run(
                    "nft", "delete", "table", "inet",
                    "berth"); // the network's elements have nowhere to be removed from
            var failed = assertThrows(BerthException.Failed.class, () -> e.removeNetwork("greatwall"));
            String m = failed.getMessage();
            assertTrue(m.startsWith("remove network greatwall: firewall: "), m);
            assertFalse(m.contains("Exception") || m.contains("dev.berth"), "no Java names: " + m);
            assertFalse(l.host.exec("ip", "link", "show", device).ok(), "the bridge went all the same");
            assertThrows(BerthException.NotFound.class, () -> e.network("greatwall"));
            assertTrue(l.recorded("networks", id), "the record stays REMOVING for reconcile");

            l.restart();
            assertEquals(clean, l.kernelSnapshot(), "the next start finished the removal and rebuilt the firewall");
            assertFalse(l.recorded("networks", id));
        }
    }
}
