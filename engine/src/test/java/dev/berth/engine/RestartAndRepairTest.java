package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabProcess;
import dev.berth.model.BerthException;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.NetlinkSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Restarts keep running sandboxes connected; start-up repairs what vanished and removes what is not Berth's state. */
@ExtendWith(LabExtension.class)
class RestartAndRepairTest {

    @Test
    void aRestartKeepsConnectivityAndNeverReusesAnAddress(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            Sandbox a = e.createSandbox(SandboxRequest.on("a", "bridge").publishing("8080:80"));
            Sandbox b = e.createSandbox(SandboxRequest.on("b", "bridge"));
            LabProcess server = l.in(a).serveTcp(80, "a");
            String before = l.kernelSnapshot();

            Engine again = l.restart();
            assertEquals(before, l.kernelSnapshot(), "a restart changes nothing in the kernel");
            assertTrue(
                    l.in(b).ping(IpPrefix.format(again.endpointsOf(a).getFirst().ipv4())));
            assertNotNull(l.ext.tcp("192.0.2.1", 8080), "the published port still answers");
            assertTrue(server.isAlive());
            Sandbox c = again.createSandbox(SandboxRequest.on("c", "bridge"));
            assertEquals(
                    "172.17.0.4",
                    IpPrefix.format(again.endpointsOf(c).getFirst().ipv4()),
                    "no address handed out twice");
            assertThrows(
                    BerthException.Conflict.class,
                    () -> again.createSandbox(SandboxRequest.on("d", "bridge").publishing("8080:80")),
                    "published ports are remembered");
            var nameTaken = assertThrows(
                    BerthException.Conflict.class,
                    () -> again.createSandbox(SandboxRequest.on("a", "bridge")),
                    "names are remembered");
            assertTrue(nameTaken.getMessage().contains("already in use"), nameTaken.getMessage());
            assertEquals(a.id(), again.sandbox("a").id());
        }
    }

    @Test
    void flushedRulesDeletedBridgeAndLostVethAreRebuiltAtStart(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("greatwall", "10.10.0.0/24"));
            Sandbox beijing =
                    e.createSandbox(SandboxRequest.on("beijing", "greatwall").publishing("8080:80"));
            Sandbox shenzhen = e.createSandbox(SandboxRequest.on("shenzhen", "greatwall"));
            l.in(beijing).serveTcp(80, "beijing");
            String healthy = l.kernelSnapshot();
            String device = e.network("greatwall").device();

            l.host.run("nft", "flush", "ruleset"); // someone wipes the firewall
            l.host.ip("link", "del", e.endpointsOf(shenzhen).getFirst().hostIfName());
            l.host.ip("link", "del", device);
            l.restart();
            assertEquals(
                    healthy.replaceAll("\\d+: ", ""),
                    l.kernelSnapshot().replaceAll("\\d+: ", ""),
                    "everything is back, apart from interface numbers");
            assertTrue(l.in(shenzhen).ping("10.10.0.1"));
            assertNotNull(l.ext.tcp("192.0.2.1", 8080));
        }
    }

    @Test
    void leftoversWithBerthsMarksAreRemovedAndOthersAreLeftAlone(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            String berth0 = e.network("bridge").device();
            String clean = l.kernelSnapshot();
            // things Berth's state does not know, made to look like Berth's
            l.host.ip("link", "add", "vethdead001", "master", berth0, "type", "veth", "peer", "name", "peer0");
            l.host.ip("link", "add", "br-0123456789ab", "type", "bridge");
            l.host.ip("link", "set", "br-0123456789ab", "alias", "berth:network:0123456789ab");
            Commands.run(List.of("ip", "netns", "add", lab.prefix("sb-") + "ghost"))
                    .check();
            // and things that are not Berth's
            l.host.ip("link", "add", "docker0", "type", "bridge");
            l.host.ip("link", "add", "vethother", "type", "veth", "peer", "name", "vethother1");
            l.restart();
            String after = l.kernelSnapshot();
            String links =
                    l.host.ip("-o", "link").stdout(); // the snapshot masks veth and bridge names: read the real ones
            assertFalse(links.contains("vethdead001") || links.contains("peer0"), links);
            assertFalse(links.contains("br-0123456789ab"), links);
            assertFalse(after.contains("ghost"));
            assertTrue(after.contains("docker0") && after.contains("vethother"), "others' links are untouched");
            l.host.ip("link", "del", "docker0");
            l.host.ip("link", "del", "vethother");
            assertEquals(clean, l.kernelSnapshot());
        }
    }

    @Test
    void anInterruptedLinkDumpRemovesNothingButStillRepairs(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("greatwall", "10.10.0.0/24"));
            Sandbox shenzhen = e.createSandbox(SandboxRequest.on("shenzhen", "greatwall"));
            l.host.ip(
                    "link",
                    "add",
                    "vethdead001",
                    "master",
                    e.network("bridge").device(),
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "peer0");
            l.host.ip("link", "add", "br-0123456789ab", "type", "bridge");
            l.host.ip("link", "set", "br-0123456789ab", "alias", "berth:network:0123456789ab");
            l.host.ip("link", "del", e.endpointsOf(shenzhen).getFirst().hostIfName());
            l.host.ip("link", "del", e.network("greatwall").device());

            NetlinkSocket.simulateInterruptedDumps("list links"::equals); // the link table changes under every dump
            try {
                l.restart();
            } finally {
                NetlinkSocket.simulateInterruptedDumps(null);
            }
            String after = l.kernelSnapshot();
            assertTrue(
                    after.contains("peer0") && after.contains("alias=berth:network:0123456789ab"),
                    "nothing is removed from a partial view: " + after);
            assertTrue(l.in(shenzhen).ping("10.10.0.1"), "what was missing is still rebuilt");

            l.restart();
            after = l.kernelSnapshot();
            assertFalse(
                    after.contains("peer0") || after.contains("alias=berth:network:0123456789ab"),
                    "the next start with a whole view removes them");
        }
    }
}
