package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.BerthException;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sandboxes in a namespace another runtime owns (what the CNI plugin and Docker's remote driver ask
 * for): Berth adds its endpoint and ports, takes out only those, and never deletes the namespace.
 */
@ExtendWith(LabExtension.class)
class ExternalNetnsTest {

    private static SandboxRequest inPod(String name, LabHost pod, String ifName) {
        return SandboxRequest.on(name, "pods")
                .inNetns(pod.netnsPath().toString())
                .withEndpoint(new EndpointRequest(null, null, null, List.of(), ifName));
    }

    @Test
    void attachesIntoAnotherRuntimesNamespaceAndTakesOutOnlyItsOwn(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("pods", "10.88.0.0/24"));
            LabHost pod = lab.host("pod"); // made by "the runtime", with a link of its own
            pod.ip("link", "add", "keep0", "type", "veth", "peer", "name", "keep1");

            Sandbox a = e.createSandbox(inPod("cni-a", pod, "net1").publishing("8080:80"));
            assertInstanceOf(NetnsMode.External.class, a.netns());
            assertEquals("net1", e.endpointsOf(a).getFirst().ifName());
            assertTrue(pod.ping("10.88.0.1"), "the endpoint reaches its gateway");
            assertTrue(pod.ip("route", "show", "default").stdout().contains("via 10.88.0.1 dev net1"));
            pod.serveTcp(80, "pod");
            assertNotNull(l.ext.tcp("192.0.2.1", 8080), "the published port answers from outside");
            assertTrue(e.sandboxes().isEmpty(), "other runtimes' sandboxes are not Berth's containers");
            assertEquals(List.of(a), e.attachments());

            String before = l.kernelSnapshot();
            Engine again = l.restart();
            assertEquals(before, l.kernelSnapshot(), "a restart changes nothing");
            assertEquals(a.id(), again.sandbox("cni-a").id());

            again.removeSandbox("cni-a");
            assertTrue(Files.exists(pod.netnsPath()), "the runtime's namespace stays");
            assertTrue(pod.exec("ip", "link", "show", "keep0").ok(), "the runtime's links stay");
            assertFalse(pod.exec("ip", "link", "show", "net1").ok(), "Berth's endpoint is gone");
            assertTrue(pod.ip("route", "show", "default").stdout().isBlank());
            assertTrue(
                    l.host.run("nft", "list", "ruleset").stdout().lines().noneMatch(x -> x.contains("8080")),
                    "the port is unpublished");
        }
    }

    @Test
    void secondNetworkAddsNoDefaultRouteAndAVanishedNamespaceIsForgottenAtStart(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("pods", "10.88.0.0/24"));
            LabHost pod = lab.host("pod");
            e.createSandbox(SandboxRequest.on("cni-b0", "bridge")
                    .inNetns(pod.netnsPath().toString()));
            Sandbox b = e.createSandbox(inPod("cni-b1", pod, "eth1"));
            assertEquals("eth0", e.endpointsOf(e.sandbox("cni-b0")).getFirst().ifName());
            String routes = pod.ip("route", "show").stdout();
            assertTrue(routes.contains("default via 172.17.0.1 dev eth0"), routes);
            assertFalse(routes.contains("default via 10.88.0.1"), "one default route: the first network's");
            assertEquals(
                    "10.88.0.2", IpPrefix.format(e.endpointsOf(b).getFirst().ipv4()));

            lab.host("other"); // the deletion below must take only pod
            Commands.run(List.of("ip", "netns", "del", pod.name())).check(); // the runtime deleted it without a DEL
            Engine again = l.restart();
            assertTrue(again.attachments().isEmpty());
            assertThrows(BerthException.NotFound.class, () -> again.sandbox("cni-b1"));
            LabHost pod2 = lab.host("pod2");
            Sandbox c = again.createSandbox(inPod("cni-c", pod2, "eth0"));
            assertEquals(
                    "10.88.0.2",
                    IpPrefix.format(again.endpointsOf(c).getFirst().ipv4()),
                    "the vanished one's address is free");
        }
    }

    @Test
    void badNamespacesAreRefusedNamingTheField(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            String snapshot = l.kernelSnapshot();
            for (String path : List.of(
                    "/run/netns/" + lab.prefix("nothing"),
                    "relative/ns",
                    "/etc/hostname",
                    l.host.netnsPath().toString())) {
                var x = assertThrows(
                        BerthException.InvalidRequest.class,
                        () -> e.createSandbox(SandboxRequest.on("bad", "bridge").inNetns(path)),
                        path);
                assertTrue(x.getMessage().startsWith("netns: "), x.getMessage());
            }
            LabHost pod = lab.host("pod");
            var none = assertThrows(
                    BerthException.InvalidRequest.class,
                    () -> e.createSandbox(SandboxRequest.on("bad", "none")
                            .inNetns(pod.netnsPath().toString())));
            assertTrue(none.getMessage().startsWith("network: "), none.getMessage());
            var ifName = assertThrows(
                    BerthException.InvalidRequest.class,
                    () -> e.createSandbox(SandboxRequest.on("bad", "bridge")
                            .inNetns(pod.netnsPath().toString())
                            .withEndpoint(new EndpointRequest(null, null, null, List.of(), "a/b"))));
            assertTrue(ifName.getMessage().startsWith("ifName: "), ifName.getMessage());
            pod.ip("link", "add", "eth0", "type", "veth", "peer", "name", "x0"); // the name is taken inside
            assertThrows(
                    BerthException.class,
                    () -> e.createSandbox(SandboxRequest.on("taken", "bridge")
                            .inNetns(pod.netnsPath().toString())));
            assertEquals(snapshot, l.kernelSnapshot(), "refusals change nothing");
            assertTrue(e.attachments().isEmpty());
            assertTrue(pod.exec("ip", "link", "show", "x0").ok());
        }
    }
}
