package dev.berth.engine.state;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.berth.engine.model.DriverKind;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.NetworkOptions;
import dev.berth.engine.tx.Faults;
import dev.berth.model.Cidr;
import dev.berth.model.IpPrefix;
import dev.berth.model.MacAddress;
import dev.berth.model.NetnsMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Berth's persistent intent: each object's record, by kind and id, in a {@link RecordJournal} under
 * {@code <dir>} (a snapshot and an append-only journal), so a change costs one appended line and a crash
 * leaves either the old or the new record, never half. The layout before the journal (one JSON file per
 * object under {@code <dir>/<kind>/<id>.json}) is read once and folded into the journal's snapshot.
 * With {@code durable} each write is also fsynced (survives power loss, not just a crash).
 */
public final class StateStore implements AutoCloseable {
    private final Path dir;
    private final ObjectMapper json = mapper();
    private final RecordJournal records;

    /** A stored object and where it stands. */
    public record Entry<T>(Status status, T value) {}

    public StateStore(Path dir, boolean durable) {
        this(dir, durable, Faults.NONE);
    }

    /** With {@code faults}: crash tests kill the daemon in the middle of a record's line ({@code state:mid-append:KIND}). */
    public StateStore(Path dir, boolean durable, Faults faults) {
        this.dir = dir;
        this.records = RecordJournal.open(dir, durable, faults, "state:mid-append:", new PerObjectFiles(dir));
    }

    public Path dir() {
        return dir;
    }

    public <T> void put(String kind, String id, Status status, T value) {
        try {
            records.put(kind, id, json.writeValueAsBytes(new Entry<>(status, value)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state " + kind + "/" + id, e);
        }
    }

    public void remove(String kind, String id) {
        records.remove(kind, id);
    }

    /** Every stored object of a kind, in id order. */
    public <T> List<Entry<T>> load(String kind, Class<T> type) {
        List<Entry<T>> out = new ArrayList<>();
        TypeFactory tf = json.getTypeFactory();
        for (Map.Entry<String, byte[]> r : records.records(kind).entrySet()) {
            try {
                out.add(json.readValue(r.getValue(), tf.constructParametricType(Entry.class, type)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read state " + kind + "/" + r.getKey() + " in " + dir, e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        records.close();
    }

    /** The layout before the journal: {@code <dir>/<kind>/<id>.json}; half-written {@code .tmp} files are dropped. */
    private record PerObjectFiles(Path dir) implements RecordJournal.LegacyFiles {
        @Override
        public List<RecordJournal.Legacy> read() {
            List<RecordJournal.Legacy> out = new ArrayList<>();
            for (Path folder : folders())
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path p : files.sorted().toList()) {
                        String name = p.getFileName().toString();
                        if (name.endsWith(".json.tmp")) Files.deleteIfExists(p); // a write never renamed
                        if (!name.endsWith(".json")) continue;
                        byte[] compact = MAPPER.writeValueAsBytes(MAPPER.readTree(p.toFile()));
                        out.add(new RecordJournal.Legacy(
                                folder.getFileName().toString(),
                                name.substring(0, name.length() - ".json".length()),
                                compact));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read state in " + folder, e);
                }
            return out;
        }

        @Override
        public void delete() {
            for (Path folder : folders())
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path p : files.toList()) {
                        String name = p.getFileName().toString();
                        if (name.endsWith(".json") || name.endsWith(".json.tmp")) Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(folder);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove the old state files in " + folder, e);
                }
        }

        private List<Path> folders() {
            if (!Files.isDirectory(dir)) return List.of();
            try (Stream<Path> s = Files.list(dir)) {
                return s.filter(Files::isDirectory).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read state in " + dir, e);
            }
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Type information for the sealed NetnsMode, kept out of the model. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = NetnsMode.Own.class, name = "own"),
        @JsonSubTypes.Type(value = NetnsMode.Host.class, name = "host"),
        @JsonSubTypes.Type(value = NetnsMode.Joined.class, name = "joined"),
        @JsonSubTypes.Type(value = NetnsMode.External.class, name = "external")
    })
    private interface NetnsModeMixin {}

    /** A network's parsed options are not stored: they are parsed again from its options when it is loaded. */
    private abstract static class NetworkMixin {
        @JsonIgnore
        abstract NetworkOptions driverOptions();
    }

    private static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule("berth-state");
        m.addSerializer(InetAddress.class, text(IpPrefix::format));
        m.addDeserializer(InetAddress.class, parsed(s -> IpPrefix.literal(s, s)));
        m.addSerializer(Cidr.class, text(Cidr::toString));
        m.addDeserializer(Cidr.class, parsed(s -> Cidr.parse(s, "state")));
        m.addSerializer(MacAddress.class, text(MacAddress::toString));
        m.addDeserializer(MacAddress.class, parsed(MacAddress::parse));
        m.addSerializer(DriverKind.class, text(DriverKind::id));
        m.addDeserializer(DriverKind.class, parsed(DriverKind::of));
        return new ObjectMapper()
                .registerModule(m)
                .addMixIn(NetnsMode.class, NetnsModeMixin.class)
                .addMixIn(Network.class, NetworkMixin.class)
                .findAndRegisterModules()
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static <T> JsonSerializer<T> text(Function<T, String> f) {
        return new JsonSerializer<>() {
            @Override
            public void serialize(T v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(f.apply(v));
            }
        };
    }

    private static <T> JsonDeserializer<T> parsed(Function<String, T> f) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return f.apply(p.getValueAsString());
            }
        };
    }
}
