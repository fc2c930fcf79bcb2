package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.Status;
import dev.berth.model.Endpoint;
import dev.berth.model.Ids;
import dev.berth.model.NetnsMode;
import dev.berth.model.PortMapping;
import dev.berth.model.Protocol;
import dev.berth.model.Sandbox;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @Test
    void modelRecordsRoundTripAndHalfWrittenFilesAreIgnored(@TempDir Path dir) throws Exception {
        StateStore store = new StateStore(dir, false);
        Cidr c = Cidr.parse("10.1.0.0/24", "t");
        Network n = new Network(
                Ids.random(),
                "greatwall",
                DriverKind.BRIDGE,
                "br-x",
                List.of(
                        new SubnetConfig(c, c.address(1), null, Map.of("router", c.address(9))),
                        new SubnetConfig(
                                Cidr.parse("fd00:1::/64", "t"), IpPrefix.literal("fd00:1::1", "t"), null, Map.of())),
                true,
                false,
                false,
                1450,
                Map.of(BridgeOptions.ICC, "false"),
                Map.of(),
                Instant.parse("2026-11-21T08:00:00Z"),
                false);
        Endpoint ep = new Endpoint(
                Ids.random(),
                n.id(),
                "s",
                "eth0",
                "veth1234567",
                MacAddress.parse("02:42:ac:11:00:02"),
                c.address(2),
                IpPrefix.literal("fd00:1::2", "t"),
                List.of("db"));
        Sandbox s = new Sandbox(
                "s",
                "milk",
                "milk",
                new NetnsMode.Own("/run/netns/berth-milk"),
                List.of(new PortMapping(null, 8080, 80, Protocol.TCP)),
                List.of("80/tcp"));
        Sandbox joined = new Sandbox("j", "side", "side", new NetnsMode.Joined("s"), List.of(), List.of());
        store.put("networks", n.id(), Status.ACTIVE, n);
        store.put("endpoints", ep.id(), Status.CREATING, ep);
        store.put("sandboxes", s.id(), Status.ACTIVE, s);
        store.put("sandboxes", joined.id(), Status.REMOVING, joined);
        Files.writeString(dir.resolve("networks").resolve("half.json.tmp"), "{\"status\":\"ACT");

        StateStore again = new StateStore(dir, true);
        assertEquals(List.of(new StateStore.Entry<>(Status.ACTIVE, n)), again.load("networks", Network.class));
        assertFalse(
                again.load("networks", Network.class)
                        .getFirst()
                        .value()
                        .bridgeOptions()
                        .icc(),
                "options are parsed again at load");
        assertFalse(
                Files.readString(dir.resolve("networks").resolve(n.id() + ".json"))
                        .contains("driverOptions"),
                "and not stored");
        assertEquals(List.of(new StateStore.Entry<>(Status.CREATING, ep)), again.load("endpoints", Endpoint.class));
        var sandboxes = again.load("sandboxes", Sandbox.class);
        assertTrue(sandboxes.contains(new StateStore.Entry<>(Status.ACTIVE, s)));
        assertTrue(sandboxes.contains(new StateStore.Entry<>(Status.REMOVING, joined)));
        assertFalse(Files.exists(dir.resolve("networks").resolve("half.json.tmp")));
        again.remove("endpoints", ep.id());
        assertTrue(again.load("endpoints", Endpoint.class).isEmpty());
    }
}
