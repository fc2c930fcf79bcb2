package dev.berth.engine.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.IpPrefix;
import dev.berth.model.Sandbox;
import dev.berth.model.topology.Topology;
import dev.berth.model.topology.TopologyDot;
import dev.berth.model.topology.TopologySvg;
import dev.berth.model.topology.TopologyText;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The topology of an engine-built lab, checked against {@code ip -j} in each namespace. */
@ExtendWith(LabExtension.class)
class TopologyScannerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void namespacesVethPairsBridgesAddressesAndRoutes(Lab lab) throws Exception {
        LabHost host = lab.host("host"), ext = lab.host("ext");
        lab.connect(host, "eth0", "192.0.2.1/24", ext, "eth0", "192.0.2.2/24");
        Path state = Files.createTempDirectory("berth-topology-");
        try (NetnsHandle hostNs = Netns.open(host.name());
                Engine e = Engine.start(
                        EngineConfig.of(state, hostNs, NftablesFirewall::new).withNetnsPrefix(lab.prefix("sb-")))) {
            e.createNetwork(NetworkRequest.bridge("greatwall", "10.77.0.0/24"));
            Sandbox milk = e.createSandbox(SandboxRequest.on("milk", "bridge"));
            Sandbox beijing =
                    e.createSandbox(SandboxRequest.on("beijing", "greatwall").withIp("10.77.0.10"));
            e.connect("beijing", "bridge", EndpointRequest.DEFAULT);
            e.createSandbox(SandboxRequest.on("coffee", "container:milk"));

            Topology t = TopologyScanner.scan(e, hostNs);
            assertEquals(
                    List.of("host", lab.prefix("sb-beijing"), lab.prefix("sb-milk")),
                    t.namespaces().stream().map(Topology.Namespace::name).toList(),
                    "host, then sandboxes with their own namespace");
            Topology.Namespace h = t.namespaces().getFirst();
            assertNull(h.sandbox());
            assertEquals("bridge", h.link("berth0").kind());
            assertEquals(List.of("172.17.0.1/16"), h.link("berth0").addresses());
            // the lab's wire leads to a namespace that is not shown
            assertNotNull(h.link("eth0").peer());
            assertNull(h.link("eth0").peer().namespace());

            for (Sandbox s : List.of(milk, beijing)) {
                String ns = lab.prefix("sb-" + s.name());
                Topology.Namespace sn = t.namespaces().stream()
                        .filter(n -> n.name().equals(ns))
                        .findFirst()
                        .orElseThrow();
                assertEquals(s.name(), sn.sandbox());
                for (Endpoint ep : e.endpointsOf(s)) {
                    JsonNode inside = JSON.readTree(
                                    Commands.run(List.of("ip", "-n", ns, "-j", "link", "show", ep.ifName()))
                                            .check()
                                            .stdout())
                            .get(0);
                    JsonNode outside = JSON.readTree(host.run("ip", "-j", "link", "show", ep.hostIfName())
                                    .stdout())
                            .get(0);
                    Topology.Iface in = sn.link(ep.ifName()), out = h.link(ep.hostIfName());
                    // the @ifN numbers are the ones ip shows, and each end names the other
                    assertEquals(inside.path("link_index").asInt(), in.peer().index());
                    assertEquals(outside.path("link_index").asInt(), out.peer().index());
                    assertEquals(outside.path("ifindex").asInt(), in.peer().index());
                    assertEquals(
                            new Topology.Peer(outside.path("ifindex").asInt(), "host", ep.hostIfName()), in.peer());
                    assertEquals(new Topology.Peer(inside.path("ifindex").asInt(), ns, ep.ifName()), out.peer());
                    assertEquals(outside.path("master").asText(), out.master());
                    assertEquals(ep.mac().toString(), in.mac());
                    assertTrue(in.addresses().stream().anyMatch(a -> a.startsWith(IpPrefix.format(ep.ipv4()) + "/")));
                    assertTrue(in.up());
                }
                assertEquals("default", sn.routes().getFirst().destination().replace(" (IPv6)", ""));
            }
            Topology.Namespace bj = t.namespaces().get(1);
            // the connect moved the default route: Docker's order puts "bridge" before "greatwall" (GatewayOrder)
            assertTrue(
                    bj.routes().contains(new Topology.RouteEntry("default", "172.17.0.1", "eth1", null)),
                    bj.routes().toString());

            // Jackson round trip: what berthd sends is what berth reads
            Topology back = JSON.readValue(JSON.writeValueAsString(t), Topology.class);
            assertEquals(t, back);

            String text = TopologyText.render(t);
            Topology.Iface milkEth0 = t.namespaces().get(2).link("eth0");
            assertTrue(text.contains("eth0@if" + milkEth0.peer().index() + " (veth) UP"), text);
            assertTrue(text.contains("<-> host:" + milkEth0.peer().name()), text);
            assertTrue(text.contains("berth0 (bridge) UP 172.17.0.1/16"), text);
            String dot = TopologyDot.render(t);
            assertTrue(dot.contains("\"host/" + milkEth0.peer().name() + "\" -> \"host/berth0\""), dot);
            if (Files.isExecutable(Path.of("/usr/bin/dot")))
                assertTrue(TopologySvg.render(dot).contains("<svg"));
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A sandbox removed while the scan looks: its namespace file unmounted but not yet unlinked, so it opens
     * as an empty file and setns refuses it (EINVAL). The soak's concurrent workers hit it in GET
     * /berth/topology (a 500); it is skipped as a vanished namespace is.
     */
    @Test
    void aNamespaceUnmountedWhileScannedIsSkipped(Lab lab) throws Exception {
        LabHost host = lab.host("host");
        Path unmounted = Files.createTempFile("berth-unmounted-netns-", "");
        try (NetnsHandle hostNs = Netns.open(host.name())) {
            Topology t =
                    TopologyScanner.scan(hostNs, List.of(new TopologyScanner.Target("sb-going", "going", unmounted)));
            assertEquals(
                    List.of("host"),
                    t.namespaces().stream().map(Topology.Namespace::name).toList());
        } finally {
            Files.deleteIfExists(unmounted);
        }
    }
}
