package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.BridgeOptions;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.SubnetConfig;
import dev.berth.engine.state.RecordJournal;
import dev.berth.engine.state.StateStore;
import dev.berth.engine.state.Status;
import dev.berth.engine.tx.Faults;
import dev.berth.engine.tx.SimulatedCrash;
import dev.berth.model.Cidr;
import dev.berth.model.Endpoint;
import dev.berth.model.Ids;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.model.NetnsMode;
import dev.berth.model.PortMapping;
import dev.berth.model.Protocol;
import dev.berth.model.Sandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @Test
    void modelRecordsRoundTrip(@TempDir Path dir) throws Exception {
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
                new String(RecordJournal.peek(dir).get("networks/" + n.id()), StandardCharsets.UTF_8)
                        .contains("driverOptions"),
                "and not stored");
        assertEquals(List.of(new StateStore.Entry<>(Status.CREATING, ep)), again.load("endpoints", Endpoint.class));
        var sandboxes = again.load("sandboxes", Sandbox.class);
        assertTrue(sandboxes.contains(new StateStore.Entry<>(Status.ACTIVE, s)));
        assertTrue(sandboxes.contains(new StateStore.Entry<>(Status.REMOVING, joined)));
        again.remove("endpoints", ep.id());
        assertTrue(again.load("endpoints", Endpoint.class).isEmpty());
    }

    @Test
    void aTornLastLineIsCutAndTheRecordBeforeItStands(@TempDir Path dir) throws Exception {
        try (StateStore store = new StateStore(dir, false)) {
            store.put("networks", "a", Status.ACTIVE, "first");
            store.put("networks", "b", Status.CREATING, "second");
        }
        Path journal = dir.resolve("journal");
        byte[] whole = Files.readAllBytes(journal);
        StateStore.Entry<String> b2 = new StateStore.Entry<>(Status.ACTIVE, "second, changed");
        // a kill -9 in the middle of the line that changes b: half of it reached the file
        try (StateStore store = new StateStore(dir, false)) {
            store.put("networks", "b", b2.status(), b2.value());
        }
        byte[] longer = Files.readAllBytes(journal);
        Files.write(journal, Arrays.copyOf(longer, whole.length + (longer.length - whole.length) / 2));

        try (StateStore store = new StateStore(dir, false)) {
            assertEquals(
                    List.of(
                            new StateStore.Entry<>(Status.ACTIVE, "first"),
                            new StateStore.Entry<>(Status.CREATING, "second")),
                    store.load("networks", String.class));
            assertEquals(whole.length, Files.size(journal), "the torn tail is cut off");
            store.put("networks", "b", b2.status(), b2.value()); // and the next line starts clean
        }
        try (StateStore store = new StateStore(dir, false)) {
            assertEquals(b2, store.load("networks", String.class).get(1));
        }
    }

    @Test
    void theLayoutBeforeTheJournalIsReadOnceAndFolded(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("endpoints"));
        Files.writeString(
                dir.resolve("endpoints").resolve("e1.json"), "{\n  \"status\" : \"ACTIVE\",\n  \"value\" : \"x\"\n}");
        Files.writeString(dir.resolve("endpoints").resolve("e2.json.tmp"), "{\"status\":\"ACT");
        try (StateStore store = new StateStore(dir, false)) {
            assertEquals(List.of(new StateStore.Entry<>(Status.ACTIVE, "x")), store.load("endpoints", String.class));
            assertFalse(Files.exists(dir.resolve("endpoints")), "the old files went, once the snapshot held them");
            store.remove("endpoints", "e1");
        }
        try (StateStore store = new StateStore(dir, false)) {
            assertTrue(store.load("endpoints", String.class).isEmpty());
        }
    }

    @Test
    void theJournalIsCompactedAndACrashBetweenSnapshotAndTruncationLosesNothing(@TempDir Path dir) throws Exception {
        String big = "x".repeat(2000);
        try (StateStore store = new StateStore(dir, false)) {
            for (int i = 0; i < 1200; i++) store.put("endpoints", "e" + (i % 10), Status.ACTIVE, big + i);
            store.remove("endpoints", "e0");
        }
        assertTrue(Files.size(dir.resolve("journal")) < (1 << 20), "the journal was compacted into the snapshot");
        assertTrue(Files.size(dir.resolve("snapshot")) < 10 * 2100, "which holds the live records only");
        try (StateStore store = new StateStore(dir, false)) {
            var l = store.load("endpoints", String.class);
            assertEquals(9, l.size());
            assertEquals(big + 1199, l.get(8).value());
        }
        // a crash at the compaction's one step between the snapshot's rename and the journal's truncation
        Faults crash = p -> {
            if (p.equals("state:compacted")) throw new SimulatedCrash(p);
        };
        StateStore dying = new StateStore(dir, false, crash);
        assertThrows(SimulatedCrash.class, () -> {
            for (int i = 0; i < 1000; i++) dying.put("endpoints", "f" + (i % 3), Status.CREATING, big + i);
        });
        dying.close();
        try (StateStore store = new StateStore(dir, false)) {
            var l = store.load("endpoints", String.class);
            assertEquals(12, l.size(), "e1..e9 and f0..f2, from the snapshot and the journal replayed over it");
            assertEquals(Status.CREATING, l.getLast().status());
        }
    }
}
