package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.cluster.config.BackendConfig;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.cluster.lease.LeaseAttrs;
import dev.berth.cluster.lease.StaticLeaseStore;
import dev.berth.cluster.lease.SubnetAllocator;
import dev.berth.cluster.lease.SubnetKey;
import dev.berth.model.BerthException;
import dev.berth.model.net.Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flannel's config, keys, lease values and subnet.env, and the static file's checks. */
class ConfigTest {
    private static final String SRC = "/coreos.com/network/config";

    @Test
    void flannelDefaults() {
        NetworkConfig c = NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\"}", SRC);
        assertEquals(24, c.subnetLen());
        assertEquals(
                "10.5.1.0/24", c.subnetMin().toString(), "the first subnet (the network's own address) is skipped");
        assertEquals("10.5.255.0/24", c.subnetMax().toString());
        assertEquals(255, c.capacity());
        assertEquals(new BackendConfig.Vxlan(1, 8472), c.backend());
        assertEquals(
                26,
                NetworkConfig.parse("{\"Network\":\"10.5.0.0/24\"}", SRC).subnetLen(),
                "small networks: network + 2");
        NetworkConfig u = NetworkConfig.parse(
                "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":20,\"SubnetMin\":\"10.5.16.0\","
                        + "\"SubnetMax\":\"10.5.64.0\",\"Backend\":{\"Type\":\"udp\",\"Port\":9000,\"Queues\":2}}",
                SRC);
        assertEquals(4, u.capacity());
        assertEquals(new BackendConfig.Udp(9000, 2), u.backend());
        assertEquals(
                new BackendConfig.HostGw(),
                NetworkConfig.parse("{\"Network\":\"10.0.0.0/8\",\"Backend\":{\"Type\":\"host-gw\"}}", SRC)
                        .backend());
    }

    @Test
    void badConfigsNameTheKeyAndTheFix() {
        var e = assertThrows(
                BerthException.InvalidRequest.class,
                () -> NetworkConfig.parse("{\"Network\":\"10.5.0.0/24\",\"SubnetLen\":16}", SRC));
        assertEquals(SRC + ": SubnetLen", e.field());
        assertTrue(e.getMessage().contains("Network 10.5.0.0/24 is not larger than SubnetLen /16"), e.getMessage());
        assertEquals(
                SRC + ": Network",
                assertThrows(BerthException.InvalidRequest.class, () -> NetworkConfig.parse("{}", SRC))
                        .field());
        assertEquals(
                SRC + ": Network",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> NetworkConfig.parse("{\"Network\":\"10.5.0.1/16\"}", SRC))
                        .field());
        assertTrue(assertThrows(
                        BerthException.InvalidRequest.class,
                        () -> NetworkConfig.parse(
                                "{\"Network\":\"10.5.0.0/16\"," + "\"Backend\":{\"Type\":\"ipip\"}}", SRC))
                .getMessage()
                .contains("use host-gw, vxlan or udp"));
        assertEquals(
                SRC + ": Backend.VNI",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> NetworkConfig.parse(
                                        "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":16777216}}",
                                        SRC))
                        .field());
        assertEquals(
                SRC + ": SubnetMin",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> NetworkConfig.parse(
                                        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.6.0.0\"}", SRC))
                        .field());
        assertEquals(
                SRC + ": SubnetMin",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> NetworkConfig.parse(
                                        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.0.128\"}", SRC))
                        .field(),
                "not aligned to /24");
        assertTrue(assertThrows(BerthException.InvalidRequest.class, () -> NetworkConfig.parse("not json", SRC))
                .getMessage()
                .contains("not valid JSON"));
        assertEquals(
                SRC + ": Netwrok",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> NetworkConfig.parse("{\"Netwrok\":\"10.5.0.0/16\"}", SRC))
                        .field(),
                "a misspelt key is named");
    }

    @Test
    void leaseKeysAndValuesAreFlannels() throws Exception {
        Cidr s = Cidr.parse("10.5.52.0/24", "s");
        assertEquals("10.5.52.0-24", SubnetKey.of(s));
        assertEquals(s, SubnetKey.parse("10.5.52.0-24"));
        assertNull(SubnetKey.parse("10.5.52.0-24&fc00::-64"));
        assertNull(SubnetKey.parse("config"));
        LeaseAttrs a = LeaseAttrs.parse(
                "{\"PublicIP\":\"192.168.64.3\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                        + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"c6:d2:32:6f:8f:44\"}}",
                "k");
        assertEquals("192.168.64.3", a.publicIp().getHostAddress());
        assertEquals("c6:d2:32:6f:8f:44", a.backendData().path("VtepMAC").asText());
        assertEquals(a, LeaseAttrs.parse(a.toJson(), "k"));
        assertEquals(
                "udp",
                LeaseAttrs.parse("{\"PublicIP\":\"192.168.64.3\"}", "k").backendType(),
                "flannel's udp leases have no type");
        assertEquals(
                "{\"PublicIP\":\"192.168.64.3\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}",
                new LeaseAttrs(a.publicIp(), "host-gw", null).toJson());
    }

    @Test
    void subnetEnvIsFlannels() {
        assertEquals(
                "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.72.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n",
                SubnetEnv.text(Cidr.parse("10.5.0.0/16", "n"), Cidr.parse("10.5.72.0/24", "s"), 1450));
    }

    @Test
    void allocatorNeverPicksATakenSubnetAndSaysWhenNoneIsLeft() {
        NetworkConfig c = NetworkConfig.parse("{\"Network\":\"10.5.0.0/22\"}", SRC); // /24s: min .1, max .3
        List<Cidr> taken = new ArrayList<>();
        Set<Cidr> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Cidr p = SubnetAllocator.pick(c, taken);
            assertTrue(c.fits(p) && seen.add(p), String.valueOf(p));
            taken.add(p);
        }
        assertNull(SubnetAllocator.pick(c, taken));
    }

    @Test
    void staticFileChecksOverlapsAndNetwork(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cluster.json");
        Files.writeString(
                f,
                "{\"Network\":\"10.0.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"},\"Hosts\":["
                        + "{\"PublicIP\":\"192.168.91.128\",\"Subnet\":\"10.0.128.0/24\"},"
                        + "{\"PublicIP\":\"192.168.91.129\",\"Subnet\":\"10.0.128.128/25\"}]}");
        var e = assertThrows(BerthException.InvalidRequest.class, () -> new StaticLeaseStore(f));
        assertEquals(f + ": Hosts[1].Subnet", e.field());
        assertTrue(
                e.getMessage().contains("10.0.128.128/25 overlaps 10.0.128.0/24 of Hosts[0] (192.168.91.128)"),
                e.getMessage());

        Files.writeString(
                f,
                "{\"Network\":\"10.0.0.0/16\",\"Hosts\":[{\"PublicIP\":\"192.168.91.128\",\"Subnet\":\"10.1.0.0/24\"}]}");
        assertTrue(assertThrows(BerthException.InvalidRequest.class, () -> new StaticLeaseStore(f))
                .getMessage()
                .contains("10.1.0.0/24 is not a subnet inside Network 10.0.0.0/16"));
        Files.writeString(
                f,
                "{\"Network\":\"10.0.0.0/24\",\"Hosts\":[{\"PublicIP\":\"192.168.91.128\",\"Subnet\":\"10.0.0.0/16\"}]}");
        assertThrows(
                BerthException.InvalidRequest.class,
                () -> new StaticLeaseStore(f),
                "Network smaller than a host's subnet");
        Files.writeString(f, "{\"Network\":\"10.0.0.0/16\"}");
        assertEquals(
                f + ": Hosts",
                assertThrows(BerthException.InvalidRequest.class, () -> new StaticLeaseStore(f))
                        .field());
    }

    @Test
    void storeOptionsAreChecked() {
        assertEquals(
                2,
                ClusterOptions.etcd("etcd://10.0.0.1:2379,10.0.0.2:2379").etcd().size());
        assertEquals(
                "cluster-store",
                assertThrows(BerthException.InvalidRequest.class, () -> ClusterOptions.etcd("http://x:1"))
                        .field());
        assertEquals(
                "cluster-store",
                assertThrows(BerthException.InvalidRequest.class, () -> ClusterOptions.etcd("etcd://nohost"))
                        .field());
        assertEquals(
                "cluster-prefix",
                assertThrows(
                                BerthException.InvalidRequest.class,
                                () -> ClusterOptions.etcd("etcd://10.0.0.1:2379")
                                        .withPrefix("coreos"))
                        .field());
    }
}
