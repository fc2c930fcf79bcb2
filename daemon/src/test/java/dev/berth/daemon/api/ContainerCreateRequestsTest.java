package dev.berth.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.ContainerRequest;
import dev.berth.model.BerthException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bodies the docker CLI 28.2 sends for {@code docker run}, read as Docker reads them. */
class ContainerCreateRequestsTest {
    /** {@code docker run -itd --rm --name milk busybox}, as sent. */
    static final String MILK =
            "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":true,\"OpenStdin\":true,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":true,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";
    /** {@code docker run -d -v /a:/b:ro -v vol:/c --mount type=tmpfs,dst=/t --tmpfs /u:size=1m --read-only --cap-add NET_ADMIN ...}, without --init. */
    static final String MANY =
            "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"1000:1000\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"sh\"],\"Image\":\"busybox\",\"Volumes\":{},\"WorkingDir\":\"/tmp\",\"Entrypoint\":[\"\"],\"OnBuild\":null,\"Labels\":{\"a\":\"b\"},\"StopSignal\":\"SIGINT\",\"StopTimeout\":3,\"HostConfig\":{\"Binds\":[\"/a:/b:ro\",\"vol:/c\"],\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{\"max-size\":\"1m\"}},\"NetworkMode\":\"default\",\"PortBindings\":{},\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":[\"CAP_NET_ADMIN\"],\"CapDrop\":[\"CAP_CHOWN\"],\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[\"ndots:2\"],\"DnsSearch\":[\"x.y\"],\"ExtraHosts\":[\"a:host-gateway\"],\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"seccomp=unconfined\"],\"Tmpfs\":{\"/u\":\"size=1m\"},\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":67108864,\"NanoCpus\":500000000,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":10,\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":200,\"Soft\":100}],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\"}],\"MaskedPaths\":null,\"ReadonlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}}}";

    private static final String ID = "0123456789ab".repeat(5) + "cdef";

    static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSeedsRunIsAccepted() {
        ContainerRequest req = ContainerCreateRequests.read(ID, "milk", json(MILK));
        ContainerRecord r = req.draft();
        assertTrue(r.config().tty());
        assertTrue(r.config().openStdin());
        assertTrue(r.autoRemove());
        assertEquals("bridge", r.networkMode());
        assertEquals("busybox", r.image());
        assertNull(req.cmd(), "no Cmd: the image's applies");
        assertNull(req.entrypoint());
    }

    @Test
    void everyImplementedFieldIsRead() {
        ContainerRequest req = ContainerCreateRequests.read(ID, "xx", json(MANY));
        ContainerRecord r = req.draft();
        ContainerRecord.HostSettings h = r.host();
        assertEquals(
                List.of(""),
                req.entrypoint(),
                "--entrypoint \"\" reaches the merge as Docker sends it (ImageDefaults empties it)");
        assertEquals(List.of("sh"), req.cmd());
        assertEquals("1000:1000", r.config().user());
        assertEquals("/tmp", r.workingDir());
        assertEquals("SIGINT", r.config().stopSignal());
        assertEquals(3, r.config().stopTimeout());
        assertEquals(Map.of("a", "b"), r.labels());
        assertEquals(List.of("/a:/b:ro", "vol:/c"), h.binds());
        assertEquals(4, h.resolved().size());
        ContainerRecord.Mount bind = h.resolved().get(0);
        assertEquals("bind", bind.type());
        assertTrue(bind.readOnly());
        assertEquals("vol", h.resolved().get(1).name());
        assertEquals("tmpfs", h.resolved().get(2).type());
        assertEquals("/u", h.resolved().get(3).destination());
        assertEquals(List.of("size=1m"), h.resolved().get(3).options());
        assertTrue(h.readonlyRootfs());
        assertEquals(List.of("CAP_NET_ADMIN"), h.capAdd());
        assertEquals(List.of("CAP_CHOWN"), h.capDrop());
        assertTrue(h.seccompUnconfined());
        assertEquals(64L << 20, h.memory());
        assertEquals(500_000_000L, h.nanoCpus());
        assertEquals(10, h.pidsLimit());
        assertEquals(List.of(new ContainerRecord.Ulimit("nofile", 100, 200)), h.ulimits());
        assertEquals(new ContainerRecord.RestartPolicy("on-failure", 3), h.restartPolicy());
        assertEquals(List.of("a:host-gateway"), h.extraHosts());
        assertEquals(List.of("x.y"), h.dnsSearch());
        assertEquals(List.of("ndots:2"), h.dnsOptions());
        assertEquals(Map.of("max-size", "1m"), h.logConfig().config());
    }

    @Test
    void unsupportedValuesAreRefusedByName() {
        assertField("HostConfig.Init", with(MILK, "HostConfig", "Init", true));
        assertField("HostConfig.PidMode", with(MILK, "HostConfig", "PidMode", "host"));
        assertField("HostConfig.OomKillDisable", with(MILK, "HostConfig", "OomKillDisable", true));
        assertField(
                "HostConfig.Devices",
                json(MILK.replace("\"Devices\":[]", "\"Devices\":[{\"PathOnHost\":\"/dev/kvm\"}]")));
        assertField("HostConfig.SecurityOpt", with(MILK, "HostConfig", "SecurityOpt", List.of("apparmor=x")));
        assertField(
                "HostConfig.LogConfig.Type",
                json(MILK.replace("\"LogConfig\":{\"Type\":\"\"", "\"LogConfig\":{\"Type\":\"syslog\"")));
        assertField("HostConfig.RestartPolicy.Name", json(MILK.replace("\"Name\":\"no\"", "\"Name\":\"sometimes\"")));
        assertField("HostConfig.AutoRemove", json(MILK.replace("\"Name\":\"no\"", "\"Name\":\"always\"")));
        assertField("HostConfig.Memory", with(MILK, "HostConfig", "Memory", 1024));
        assertField("HostConfig.ExtraHosts", with(MILK, "HostConfig", "ExtraHosts", List.of("a:not-an-ip")));
    }

    @Test
    void namesFollowDockersRule() {
        assertField("name", json(MILK), "-bad");
        assertField("name", json(MILK), "a");
        assertField("name", json(MILK), "x".repeat(300));
        ContainerCreateRequests.read(ID, "a.b_c-d", json(MILK));
    }

    @Test
    void zeroValuesCountAsUnset() {
        assertTrue(ContainerCreateRequests.isZero(json("{\"Type\":\"\",\"Config\":{}}")));
        assertFalse(ContainerCreateRequests.isZero(json("{\"Type\":\"x\"}")));
    }

    private static void assertField(String field, JsonNode body) {
        assertField(field, body, "xx");
    }

    private static void assertField(String field, JsonNode body, String name) {
        BerthException.InvalidRequest e =
                assertThrows(BerthException.InvalidRequest.class, () -> ContainerCreateRequests.read(ID, name, body));
        assertEquals(field, e.field(), e.getMessage());
    }

    private static JsonNode with(String base, String object, String field, Object value) {
        ObjectNode root = (ObjectNode) json(base);
        ObjectNode target = object == null ? root : (ObjectNode) root.get(object);
        target.set(field, Json.MAPPER.valueToTree(value));
        return root;
    }
}
