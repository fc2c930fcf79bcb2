package dev.berth.daemon.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CNI attachments berthd made, one JSON file each under {@code <state>/cni/}, written before the engine
 * touches the kernel (so GC can find an attachment whose ADD was cut short) and removed after a DEL.
 */
final class AttachmentStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final Map<String, Attachment> byId = new ConcurrentHashMap<>();

    AttachmentStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    Attachment a = JSON.readValue(f.toFile(), Attachment.class);
                    byId.put(a.sandboxId(), a);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CNI attachments in " + dir + ": " + e.getMessage(), e);
        }
    }

    Attachment get(String sandboxId) {
        return byId.get(sandboxId);
    }

    List<Attachment> all() {
        return new ArrayList<>(byId.values());
    }

    void put(Attachment a) {
        Path f = dir.resolve(a.sandboxId() + ".json");
        Path tmp = dir.resolve(a.sandboxId() + ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), a);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot record the attachment in " + dir, e.getMessage());
        }
        byId.put(a.sandboxId(), a);
    }

    void remove(String sandboxId) {
        try {
            Files.deleteIfExists(dir.resolve(sandboxId + ".json"));
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot remove the attachment record in " + dir, e.getMessage());
        }
        byId.remove(sandboxId);
    }
}
