package dev.berth.daemon.dockerdriver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.BerthException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The driver's endpoints, one JSON file each under {@code <state>/docker-driver/}, so both daemons may restart. */
final class DriverStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Map<String, DriverEndpoint> byId = new ConcurrentHashMap<>();

    DriverStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    DriverEndpoint e = JSON.readValue(f.toFile(), DriverEndpoint.class);
                    byId.put(e.endpointId(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Docker driver's endpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    DriverEndpoint get(String endpointId) {
        return byId.get(endpointId);
    }

    void put(DriverEndpoint e) {
        Path tmp = dir.resolve(e.endpointId() + ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), e);
            Files.move(tmp, dir.resolve(e.endpointId() + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException x) {
            throw new BerthException.Failed("cannot record endpoint " + e.endpointId() + " in " + dir + ": " + x.getMessage(), x);
        }
        byId.put(e.endpointId(), e);
    }

    void remove(String endpointId) {
        try {
            Files.deleteIfExists(dir.resolve(endpointId + ".json"));
        } catch (IOException x) {
            throw new BerthException.Failed("cannot remove endpoint " + endpointId + " from " + dir + ": " + x.getMessage(), x);
        }
        byId.remove(endpointId);
    }
}
