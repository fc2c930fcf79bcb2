package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code berth cluster status|leases} from berthd's {@code /berth/cluster} answer. */
class ClusterCommandTest {
    private static final String CLUSTER = """
            {"Enabled":true,"Store":"etcd://192.0.2.10:2379","StoreHealthy":true,"Network":"10.70.0.0/16",
             "Backend":"vxlan","MTU":1450,
             "Self":{"Subnet":"10.70.5.0/24","PublicIP":"192.0.2.11","Backend":"vxlan","Expires":"2026-11-22T10:00:00.000000000Z","State":"self"},
             "Peers":[{"Subnet":"10.70.9.0/24","PublicIP":"192.0.2.12","Backend":"vxlan","Expires":null,"State":"routed"},
                      {"Subnet":"10.70.7.0/24","PublicIP":"198.51.100.3","Backend":"host-gw","Expires":null,"State":"refused: not on this L2 segment"}],
             "LastError":null}""";
    private FakeDaemon d;

    @BeforeEach
    void start() throws IOException {
        d = new FakeDaemon();
    }

    @AfterEach
    void stop() throws IOException {
        d.close();
    }

    @Test
    void statusAndLeases() {
        d.on("GET", "/berth/cluster", (req, in, out) -> FakeDaemon.respond(out, 200, "application/json", CLUSTER));
        var status = CliRunner.run(d, "cluster");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("Store:      etcd://192.0.2.10:2379 (healthy)"), status.out());
        assertTrue(status.out().contains("This host:  10.70.5.0/24 at 192.0.2.11"), status.out());
        assertTrue(status.out().contains("Peers:      1 routed, 1 not routed"), status.out());
        var leases = CliRunner.run(d, "cluster", "leases");
        assertEquals(0, leases.code(), leases.err());
        assertTrue(leases.out().startsWith("SUBNET"), leases.out());
        assertEquals(4, leases.out().strip().lines().count(), leases.out());
        assertTrue(leases.out().contains("refused: not on this L2 segment"), leases.out());
        assertEquals(125, CliRunner.run(d, "cluster", "bogus").code());
    }

    @Test
    void aSingleHostSaysSo() {
        d.on(
                "GET",
                "/berth/cluster",
                (req, in, out) -> FakeDaemon.respond(out, 200, "application/json", "{\"Enabled\":false}"));
        assertTrue(CliRunner.run(d, "cluster", "status").out().contains("not in a cluster"));
    }
}
