package dev.berth.daemon.dockerdriver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.model.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver's endpoints, one JSON file each under {@code <state>/docker-driver/}, and the Docker networks
 * mapped onto existing Berth networks under {@code networks/} there, so both daemons may restart.
 */
final class DriverStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Path networksDir;
    private final Map<String, DriverEndpoint> byId = new ConcurrentHashMap<>();
    private final Map<String, DriverNetwork> networks = new ConcurrentHashMap<>();

    DriverStore(Path dir) {
        this.dir = dir;
        this.networksDir = dir.resolve("networks");
        try {
            Files.createDirectories(networksDir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    DriverEndpoint e = JSON.readValue(f.toFile(), DriverEndpoint.class);
                    byId.put(e.endpointId(), e);
                }
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(networksDir, "*.json")) {
                for (Path f : files) {
                    DriverNetwork n = JSON.readValue(f.toFile(), DriverNetwork.class);
                    networks.put(n.networkId(), n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the Docker driver's records in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The mapping of a Docker network onto an existing Berth network, or null (it has a Berth network of its own). */
    DriverNetwork network(String networkId) {
        return networks.get(networkId);
    }

    void putNetwork(DriverNetwork n) {
        write(networksDir, n.networkId(), n);
        networks.put(n.networkId(), n);
    }

    void removeNetwork(String networkId) {
        try {
            Files.deleteIfExists(networksDir.resolve(networkId + ".json"));
        } catch (IOException x) {
            throw new BerthException.Failed(
                    "cannot remove network " + networkId + " from " + networksDir + ": " + x.getMessage(), x);
        }
        networks.remove(networkId);
    }

    DriverEndpoint get(String endpointId) {
        return byId.get(endpointId);
    }

    void put(DriverEndpoint e) {
        write(dir, e.endpointId(), e);
        byId.put(e.endpointId(), e);
    }

    private static void write(Path dir, String id, Object value) {
        Path tmp = dir.resolve(id + ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), value);
            Files.move(
                    tmp,
                    dir.resolve(id + ".json"),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException x) {
            throw new BerthException.Failed("cannot record " + id + " in " + dir + ": " + x.getMessage(), x);
        }
    }

    void remove(String endpointId) {
        try {
            Files.deleteIfExists(dir.resolve(endpointId + ".json"));
        } catch (IOException x) {
            throw new BerthException.Failed(
                    "cannot remove endpoint " + endpointId + " from " + dir + ": " + x.getMessage(), x);
        }
        byId.remove(endpointId);
    }
}
