package dev.berth.daemon.cni;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DELs the plugin recorded while berthd did not answer ({@code cni/src/berth-cni.c}): files
 * {@code cni-pending/*.del} beside the API socket, each the request the plugin could not send (request line,
 * {@code CNI-*} headers, blank line, configuration). berthd applies them at start and before every CNI call.
 */
final class PendingDeletes {
    private final Path dir;

    PendingDeletes(Path socket) {
        this.dir = socket.toAbsolutePath().getParent().resolve("cni-pending");
    }

    /** One recorded request: its headers (lower-case names) and body. */
    record Request(Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** The recorded files, oldest first (their names start with the time they were written); none when there is no directory. */
    List<Path> files() {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.del")) {
            for (Path f : files) out.add(f);
        } catch (IOException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    static Request read(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (end < 0) throw new IOException("no end of headers");
        Map<String, String> headers = new HashMap<>();
        String[] lines = new String(all, 0, end, StandardCharsets.UTF_8).split("\r\n");
        for (int i = 1; i < lines.length; i++) { // line 0 is the request line
            int colon = lines[i].indexOf(':');
            if (colon > 0)
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
        }
        return new Request(headers, Arrays.copyOfRange(all, end + 4, all.length));
    }

    void done(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // tried again next time; DEL is idempotent
        }
    }

    private static int indexOf(byte[] a, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= a.length; i++) {
            for (int j = 0; j < needle.length; j++) if (a[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
