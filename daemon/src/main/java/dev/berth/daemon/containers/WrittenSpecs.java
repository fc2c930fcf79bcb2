package dev.berth.daemon.containers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The spec each containerd container holds, as this berthd wrote it (its SHA-256: a spec with Docker's
 * seccomp profile is some 20 kB). A start whose spec is the one written needs no update in containerd (a
 * round trip and a write of containerd's database); a container missing here (created before berthd's
 * restart) is checked and written as before. Knowing a spec also means containerd has the container.
 */
final class WrittenSpecs {
    private final Map<String, byte[]> written = new ConcurrentHashMap<>();

    /** Whether containerd holds exactly {@code specJson} for the container (as far as this berthd wrote it). */
    boolean holds(String id, String specJson) {
        byte[] h = written.get(id);
        return h != null && Arrays.equals(h, hash(specJson));
    }

    /** Whether this berthd wrote the container into containerd (and has not removed it since). */
    boolean known(String id) {
        return written.containsKey(id);
    }

    void wrote(String id, String specJson) {
        written.put(id, hash(specJson));
    }

    void forget(String id) {
        written.remove(id);
    }

    private static byte[] hash(String json) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
