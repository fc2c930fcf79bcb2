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
import dev.berth.model.NetnsMode;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import dev.berth.model.net.MacAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Berth's persistent intent: one JSON file per object under {@code <dir>/<kind>/<id>.json}, replaced
 * atomically (write, then rename), so a crash leaves either the old or the new record, never half.
 * With {@code durable} each write is also fsynced (survives power loss, costs about a millisecond).
 */
public final class StateStore {
    private final Path dir;
    private final boolean durable;
    private final Faults faults;
    private final ObjectMapper json = mapper();

    /** A stored object and where it stands. */
    public record Entry<T>(Status status, T value) {}

    public StateStore(Path dir, boolean durable) {
        this(dir, durable, Faults.NONE);
    }

    /** With {@code faults}: crash tests kill the daemon between a file's write and its rename ({@code state:before-rename:KIND}). */
    public StateStore(Path dir, boolean durable, Faults faults) {
        this.dir = dir;
        this.durable = durable;
        this.faults = faults;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public <T> void put(String kind, String id, Status status, T value) {
        Path folder = dir.resolve(kind);
        Path file = folder.resolve(id + ".json");
        Path tmp = folder.resolve(id + ".json.tmp");
        try {
            Files.createDirectories(folder);
            byte[] bytes = json.writeValueAsBytes(new Entry<>(status, value));
            Files.write(tmp, bytes);
            if (durable)
                try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
            faults.reach("state:before-rename:" + kind);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state " + file, e);
        }
    }

    public void remove(String kind, String id) {
        try {
            Files.deleteIfExists(dir.resolve(kind).resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove state " + kind + "/" + id, e);
        }
    }

    /** Every stored object of a kind; half-written temporary files (a crash mid-write) are ignored and removed. */
    public <T> List<Entry<T>> load(String kind, Class<T> type) {
        Path folder = dir.resolve(kind);
        if (!Files.isDirectory(folder)) return List.of();
        List<Entry<T>> out = new ArrayList<>();
        TypeFactory tf = json.getTypeFactory();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                    continue;
                }
                if (!name.endsWith(".json")) continue;
                out.add(json.readValue(p.toFile(), tf.constructParametricType(Entry.class, type)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state in " + folder, e);
        }
        return out;
    }

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
