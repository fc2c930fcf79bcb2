package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Berth's CNI plugin driven as a runtime drives it (variables, configuration on stdin, result on stdout)
 * against a real berthd in a lab: pods are lab namespaces the "runtime" made; traffic, docker network
 * inspect, explain, restarts, DEL, CHECK, STATUS, GC and the spec's errors are checked.
 */
@ExtendWith(LabExtension.class)
class CniPluginTest {
    private static final String PORTS =
            "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
                    + "\"dns\":{\"servers\":[\"192.0.2.2\"],\"searches\":[\"lab\"]}}";

    @Test
    void addCheckDelAndTrafficThroughBerthsNetwork(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.89.0.0/24", "pods");
            CniPlugin cni = new CniPlugin(d.host, d.socket);
            LabHost pod1 = lab.host("pod1"), pod2 = lab.host("pod2");
            String conf = cni.config(
                    "1.1.0", "berthnet", "pods", "\"capabilities\":{\"portMappings\":true,\"dns\":true}," + PORTS);

            JsonNode r = CniPlugin.ok(cni.call("ADD", "ctr1", pod1, "eth0", conf));
            assertEquals("1.1.0", r.get("cniVersion").asText());
            JsonNode ctr = r.get("interfaces").get(1);
            assertEquals("eth0", ctr.get("name").asText());
            assertEquals(pod1.netnsPath().toString(), ctr.get("sandbox").asText());
            assertEquals(
                    pod1.ip("-j", "link", "show", "eth0")
                            .stdout()
                            .contains(ctr.get("mac").asText()),
                    true,
                    r.toString());
            JsonNode ip = r.get("ips").get(0);
            assertEquals("10.89.0.2/24", ip.get("address").asText());
            assertEquals("10.89.0.1", ip.get("gateway").asText());
            assertEquals(1, ip.get("interface").asInt());
            assertFalse(ip.has("version"), "1.0.0 and later results have no version per ip");
            assertEquals("0.0.0.0/0", r.get("routes").get(0).get("dst").asText());
            assertEquals("192.0.2.2", r.get("dns").get("nameservers").get(0).asText());
            assertTrue(pod1.ip("-br", "addr", "show", "eth0").stdout().contains("10.89.0.2/24"));

            JsonNode r2 =
                    CniPlugin.ok(cni.call("ADD", "ctr2", pod2, "eth0", cni.config("0.4.0", "berthnet", "pods", "")));
            assertEquals("4", r2.get("ips").get(0).get("version").asText(), "0.4.0 results name the ip version");
            assertTrue(pod1.ping("10.89.0.3"), "pods on one Berth network reach each other");
            assertTrue(pod2.ping("192.0.2.2"), "pods reach the outside host");
            pod1.serveTcp(80, "pod1");
            assertTrue(d.ext.tcp("192.0.2.1", 8080).startsWith("pod1"), "the published port answers from outside");

            JsonNode inspect = d.inspect("network", "inspect", "pods").get("Containers");
            assertEquals(2, inspect.size(), inspect.toString());
            assertTrue(inspect.toString().contains("\"Name\":\"cni-ctr1\""), inspect.toString());
            String explain = berth(d, "/berth/explain?container=cni-ctr1");
            assertTrue(explain.contains("belongs to another runtime") && explain.contains("8080"), explain);
            assertTrue(berth(d, "/berth/topology").contains("cni-ctr1"));

            String check = conf.replace("}}", "}},\"prevResult\":" + r);
            CniPlugin.ok(cni.call("CHECK", "ctr1", pod1, "eth0", check));
            assertEquals(200, status(cni, "1.1.0"));

            d.stop();
            assertTrue(pod1.ping("10.89.0.3"), "with berthd stopped, traffic keeps flowing");
            assertTrue(d.ext.tcp("192.0.2.1", 8080).startsWith("pod1"));
            JsonNode down = CniPlugin.json(cni.call("STATUS", null, null, null, conf));
            assertEquals(50, down.get("code").asInt(), "STATUS fails while berthd is down: " + down);
            assertEquals(
                    11,
                    CniPlugin.json(cni.call("ADD", "ctr3", lab.host("pod3"), "eth0", conf))
                            .get("code")
                            .asInt());
            d.start();
            CniPlugin.ok(cni.call("CHECK", "ctr1", pod1, "eth0", check));
            assertEquals(
                    2,
                    d.inspect("network", "inspect", "pods").get("Containers").size(),
                    "attachments survive a restart");
            assertEquals(
                    r,
                    CniPlugin.ok(cni.call("ADD", "ctr1", pod1, "eth0", conf)),
                    "the same ADD again gives the same result");

            pod1.ip("link", "set", "eth0", "down");
            pod1.ip("addr", "flush", "dev", "eth0");
            JsonNode broken = CniPlugin.json(cni.call("CHECK", "ctr1", pod1, "eth0", check));
            assertEquals(103, broken.get("code").asInt(), broken.toString());
            assertTrue(broken.get("msg").asText().contains("10.89.0.2"), broken.toString());

            CniPlugin.ok(cni.call("DEL", "ctr1", pod1, "eth0", check));
            assertNullOrEmpty(cni.call("DEL", "ctr1", pod1, "eth0", check));
            assertNullOrEmpty(cni.call("DEL", "ctr1", null, "eth0", conf));
            assertFalse(pod1.exec("ip", "link", "show", "eth0").ok(), "the pod's interface is gone");
            assertTrue(
                    d.host.run("nft", "list", "ruleset").stdout().lines().noneMatch(x -> x.contains("8080")),
                    "the port is unpublished");
            assertEquals(
                    1, d.inspect("network", "inspect", "pods").get("Containers").size());
        }
    }

    @Test
    void gcRemovesWhatTheRuntimeNoLongerListsAndAKilledAddIsUndoneByDel(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            CniPlugin cni = new CniPlugin(d.host, d.socket);
            String conf = cni.config("1.1.0", "gcnet", "bridge", "");
            String bridgeVeths = veths(d);
            LabHost a = lab.host("a"), b = lab.host("b"), c = lab.host("c");
            CniPlugin.ok(cni.call("ADD", "ca", a, "eth0", conf));
            CniPlugin.ok(cni.call("ADD", "cb", b, "eth0", conf));
            CniPlugin.ok(cni.call("ADD", "cc", c, "net1", cni.config("1.1.0", "othernet", "bridge", "")));
            String gc =
                    conf.replace("}", ",\"cni.dev/valid-attachments\":[{\"containerID\":\"ca\",\"ifname\":\"eth0\"}]}");
            assertNullOrEmpty(cni.call("GC", null, null, null, gc));
            assertTrue(a.exec("ip", "link", "show", "eth0").ok(), "a listed attachment stays");
            assertFalse(b.exec("ip", "link", "show", "eth0").ok(), "an unlisted one goes");
            assertTrue(
                    c.exec("ip", "link", "show", "net1").ok(), "another CNI network's attachments are not this GC's");
            CniPlugin.ok(cni.call("DEL", "ca", a, "eth0", conf));
            CniPlugin.ok(cni.call("DEL", "cc", c, "net1", cni.config("1.1.0", "othernet", "bridge", "")));
            assertEquals(bridgeVeths, veths(d));

            // A runtime killed in the middle of ADD: whatever berthd did, the DEL that follows removes it.
            LabHost k = lab.host("k");
            for (int delayMs : List.of(1, 3, 6, 10, 20)) {
                List<String> cmd = List.of(
                        "sh",
                        "-c",
                        "printf '%s' '" + conf + "' | CNI_COMMAND=ADD CNI_CONTAINERID=killed CNI_NETNS=" + k.netnsPath()
                                + " CNI_IFNAME=eth0 " + CniPlugin.BINARY + " & p=$!; sleep " + delayMs / 1000.0
                                + "; kill -9 $p; wait $p; true");
                Commands.run(cmd, Duration.ofSeconds(30), null);
                CniPlugin.ok(cni.call("DEL", "killed", k, "eth0", conf));
                assertFalse(k.exec("ip", "link", "show", "eth0").ok(), "after DEL, delay " + delayMs);
                assertEquals(bridgeVeths, veths(d), "no veth left on the bridge, delay " + delayMs);
                assertEquals(
                        0,
                        d.inspect("network", "inspect", "bridge")
                                .get("Containers")
                                .size());
            }
        }
    }

    /** A dual-stack Berth network: ADD lists both addresses and both default routes, pods ping6 each other, CHECK and DEL cover both. */
    @Test
    void dualStackPodsGetBothFamiliesAndReachEachOverIpv6(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--ipv6", "--subnet", "10.87.0.0/24", "--subnet", "fd00:87::/64", "dual");
            CniPlugin cni = new CniPlugin(d.host, d.socket);
            String conf = cni.config("1.1.0", "dualnet", "dual", "");
            LabHost pod1 = lab.host("pod1"), pod2 = lab.host("pod2");
            JsonNode r1 = CniPlugin.ok(cni.call("ADD", "six1", pod1, "eth0", conf));
            JsonNode r2 =
                    CniPlugin.ok(cni.call("ADD", "six2", pod2, "eth0", cni.config("0.4.0", "dualnet", "dual", "")));
            JsonNode ips = r1.get("ips");
            assertEquals(2, ips.size(), r1.toString());
            assertEquals("10.87.0.2/24", ips.get(0).get("address").asText());
            assertEquals("fd00:87::2/64", ips.get(1).get("address").asText(), r1.toString());
            assertEquals("fd00:87::1", ips.get(1).get("gateway").asText());
            assertEquals(1, ips.get(1).get("interface").asInt());
            assertEquals(
                    "[0.0.0.0/0, ::/0]",
                    r1.get("routes").findValuesAsText("dst").toString(),
                    "both default routes are this attachment's");
            assertEquals("6", r2.get("ips").get(1).get("version").asText(), "0.4.0 results name the version");
            String six2 = r2.get("ips").get(1).get("address").asText().replace("/64", "");
            assertTrue(pod1.ip("-6", "addr", "show", "eth0").stdout().contains("fd00:87::2/64"));

            assertTrue(pod1.exec("ping", "-6", "-c", "1", "-W", "3", six2).ok(), "pods reach each other over IPv6");
            assertTrue(
                    pod2.exec("ping", "-6", "-c", "1", "-W", "3", "fd00:87::1").ok(), "and the gateway");
            assertTrue(pod1.ping("10.87.0.3"), "and over IPv4");
            CniPlugin.ok(cni.call(
                    "CHECK",
                    "six1",
                    pod1,
                    "eth0",
                    conf.replace("\"network\":\"dual\"", "\"network\":\"dual\",\"prevResult\":" + r1)));
            String withoutV6 = r1.toString().replace("fd00:87::2/64", "fd00:87::99/64");
            JsonNode broken = CniPlugin.json(cni.call(
                    "CHECK",
                    "six1",
                    pod1,
                    "eth0",
                    conf.replace("\"network\":\"dual\"", "\"network\":\"dual\",\"prevResult\":" + withoutV6)));
            assertEquals(103, broken.get("code").asInt(), "CHECK compares the IPv6 address too: " + broken);

            CniPlugin.ok(cni.call("DEL", "six1", pod1, "eth0", conf));
            CniPlugin.ok(cni.call("DEL", "six2", pod2, "eth0", conf));
            assertFalse(pod1.exec("ip", "link", "show", "eth0").ok());
            assertTrue(d.inspect("network", "inspect", "dual").get("Containers").isEmpty());
        }
    }

    /**
     * DEL while berthd is down succeeds (the spec's DEL must not fail for a daemon's absence: the runtime would
     * retry it forever): the plugin deletes the pod's interface itself and records the DEL, which berthd applies
     * when it starts, or before its next CNI call when it was already running: no veth, address, port or record left.
     */
    @Test
    void delWhileBerthdIsDownSucceedsAndBerthdFinishesIt(Lab lab) throws Exception {
        try (DaemonLab d = new DaemonLab(lab)) {
            d.dockerOk("network", "create", "--subnet", "10.88.0.0/24", "pods");
            CniPlugin cni = new CniPlugin(d.host, d.socket);
            String conf = cni.config(
                    "1.1.0",
                    "downnet",
                    "pods",
                    "\"capabilities\":{\"portMappings\":true},"
                            + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8081,\"containerPort\":80,\"protocol\":\"tcp\"}]}");
            String baseline = veths(d);
            Path pending = d.dir.resolve("cni-pending");
            LabHost pod = lab.host("pod");
            JsonNode r = CniPlugin.ok(cni.call("ADD", "gone1", pod, "eth0", conf));
            assertEquals("10.88.0.2/24", r.get("ips").get(0).get("address").asText());

            d.stop();
            ExecResult del = cni.call("DEL", "gone1", pod, "eth0", conf);
            assertTrue(
                    del.ok() && del.stdout().isBlank(),
                    "DEL succeeds while berthd is down: " + del.stdout() + del.stderr());
            assertFalse(pod.exec("ip", "link", "show", "eth0").ok(), "the plugin deleted the pod's interface itself");
            assertEquals(baseline, veths(d), "and with it the host's veth");
            try (Stream<Path> files = Files.list(pending)) {
                assertEquals(1, files.count(), "the DEL is recorded for berthd");
            }
            assertTrue(d.host.run("nft", "list", "ruleset").stdout().contains("8081"), "the port waits for berthd");
            d.start();
            assertTrue(
                    d.inspect("network", "inspect", "pods").get("Containers").isEmpty(),
                    "berthd applied the DEL at start:\n" + d.log());
            assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8081"), "the port is unpublished");
            assertEquals(baseline, veths(d), "no veth (reconcile's repair of the vanished one is undone)");
            assertFalse(pod.exec("ip", "link", "show", "eth0").ok());
            try (Stream<Path> files = Files.list(pending)) {
                assertEquals(0, files.filter(f -> f.toString().endsWith(".del")).count());
            }
            assertEquals(
                    "10.88.0.2/24",
                    CniPlugin.ok(cni.call("ADD", "gone2", pod, "eth0", conf))
                            .get("ips")
                            .get(0)
                            .get("address")
                            .asText(),
                    "the address went back (next-fit restarts after the restart)");

            // A DEL recorded while berthd runs (it was down when the plugin tried): applied before the next call.
            String elsewhere = conf.replace(
                    d.socket.toString(), d.dir.resolve("absent.sock").toString());
            CniPlugin.ok(cni.call("DEL", "gone2", pod, "eth0", elsewhere));
            assertEquals(
                    1, d.inspect("network", "inspect", "pods").get("Containers").size(), "berthd has not seen it yet");
            assertEquals(200, status(cni, "1.1.0"));
            assertTrue(
                    d.inspect("network", "inspect", "pods").get("Containers").isEmpty(),
                    "the next CNI call applied it");
            assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8081"));

            Files.writeString(pending.resolve("0-garbage.del"), "not a request");
            assertEquals(200, status(cni, "1.1.0"), "a record berthd cannot read is dropped, not fatal");
            try (Stream<Path> files = Files.list(pending)) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void refusalsUseTheSpecsCodesAndNameTheField(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab)) {
            CniPlugin cni = new CniPlugin(d.host, d.socket);
            LabHost pod = lab.host("pod");
            String conf = cni.config("1.0.0", "n", "bridge", "");
            assertError(cni.call("ADD", "x", null, "eth0", conf), 4, "CNI_NETNS");
            assertError(cni.call("ADD", null, pod, "eth0", conf), 4, "CNI_CONTAINERID");
            assertError(cni.call("ADD", "-bad", pod, "eth0", conf), 4, "CNI_CONTAINERID");
            assertError(cni.call("ADD", "x", pod, "a/b", conf), 4, "CNI_IFNAME");
            assertError(cni.call("ADD", "x", pod, "eth0", cni.config("1.0.0", "n", "nosuch", "")), 7, "network");
            assertError(cni.call("ADD", "x", pod, "eth0", cni.config("0.3.1", "n", "bridge", "")), 1, "0.3.1");
            assertError(
                    cni.call(
                            "ADD",
                            "x",
                            pod,
                            "eth0",
                            cni.config("1.0.0", "n", "bridge", "\"ipam\":{\"type\":\"host-local\"}")),
                    2,
                    "ipam");
            assertError(
                    cni.call("ADD", "x", pod, "eth0", cni.config("1.0.0", "n", "bridge", "\"bogus\":1")), 2, "bogus");
            assertError(
                    cni.call("ADD", "x", pod, "eth0", "{\"socket\":\"" + d.socket + "\",\"cniVersion\":"), 6, "JSON");
            assertError(
                    cni.call(
                            "ADD",
                            "x",
                            pod,
                            "eth0",
                            cni.config(
                                    "1.0.0",
                                    "n",
                                    "bridge",
                                    "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80}]}")),
                    7,
                    "portMappings[0].hostPort");
            d.dockerOk("network", "create", "--subnet", "10.90.0.0/24", "fixed");
            assertError(
                    cni.call(
                            "ADD",
                            "x",
                            pod,
                            "eth0",
                            cni.config("1.0.0", "n", "fixed", "\"runtimeConfig\":{\"ips\":[\"10.1.2.3/24\"]}")),
                    7,
                    "runtimeConfig.ips");
            assertError(
                    cni.call(
                            "ADD",
                            "x",
                            pod,
                            "eth0",
                            cni.config("1.0.0", "n", "fixed", "\"runtimeConfig\":{\"mac\":\"zz\"}")),
                    7,
                    "runtimeConfig.mac");
            assertError(
                    cni.call(
                            Map.of(
                                    "CNI_COMMAND",
                                    "ADD",
                                    "CNI_CONTAINERID",
                                    "x",
                                    "CNI_NETNS",
                                    pod.netnsPath().toString(),
                                    "CNI_IFNAME",
                                    "eth0",
                                    "CNI_ARGS",
                                    "FOO=1"),
                            conf),
                    4,
                    "CNI_ARGS");
            assertError(cni.call("STATUS", null, null, null, conf), 1, "1.1.0");
            assertError(cni.call("BOGUS", null, null, null, conf), 4, "CNI_COMMAND");
            assertTrue(
                    d.inspect("network", "inspect", "bridge").get("Containers").isEmpty(), "refusals change nothing");
            assertTrue(
                    d.inspect("network", "inspect", "fixed").get("Containers").isEmpty());
            assertFalse(pod.exec("ip", "link", "show", "eth0").ok());

            JsonNode v = CniPlugin.ok(cni.call("VERSION", null, null, null, "{\"cniVersion\":\"1.0.0\"}"));
            assertEquals("1.0.0", v.get("cniVersion").asText());
            assertEquals(
                    "[\"0.4.0\",\"1.0.0\",\"1.1.0\"]",
                    v.get("supportedVersions").toString());

            JsonNode fixed = CniPlugin.ok(cni.call(
                    Map.of(
                            "CNI_COMMAND",
                            "ADD",
                            "CNI_CONTAINERID",
                            "x",
                            "CNI_NETNS",
                            pod.netnsPath().toString(),
                            "CNI_IFNAME",
                            "eth0",
                            "CNI_ARGS",
                            "IgnoreUnknown=1;FOO=1;K8S_POD_NAME=web"),
                    cni.config(
                            "1.0.0",
                            "n",
                            "fixed",
                            "\"runtimeConfig\":{\"ips\":[\"10.90.0.77/24\"],\"mac\":\"02:42:ac:11:00:4d\"}")));
            assertEquals("10.90.0.77/24", fixed.get("ips").get(0).get("address").asText(), "capability ips");
            assertEquals(
                    "02:42:ac:11:00:4d",
                    fixed.get("interfaces").get(1).get("mac").asText(),
                    "capability mac");
            CniPlugin.ok(cni.call("DEL", "x", pod, "eth0", conf));
        }
    }

    private static int status(CniPlugin cni, String version) {
        ExecResult r = cni.call("STATUS", null, null, null, cni.config(version, "berthnet", "pods", ""));
        return r.ok() ? 200 : CniPlugin.json(r).get("code").asInt();
    }

    private static void assertError(ExecResult r, int code, String mentions) {
        assertFalse(r.ok(), "should fail: " + r.stdout());
        JsonNode e = CniPlugin.json(r);
        assertEquals(code, e.get("code").asInt(), e.toString());
        assertTrue(
                (e.get("msg").asText() + " " + e.path("details").asText()).contains(mentions),
                e + " should mention " + mentions);
        assertNotNull(e.get("cniVersion"));
    }

    private static void assertNullOrEmpty(ExecResult r) {
        assertTrue(r.ok() && r.stdout().isBlank(), r.exitCode() + ": " + r.stdout() + r.stderr());
    }

    private static String veths(DaemonLab d) {
        return d.host.ip("-br", "link", "show", "type", "veth").stdout();
    }

    private static String berth(DaemonLab d, String path) {
        return Commands.run(List.of("curl", "-sS", "--unix-socket", d.socket.toString(), "http://berth" + path))
                .check()
                .stdout();
    }
}
