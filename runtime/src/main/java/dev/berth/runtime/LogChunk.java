package dev.berth.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Output of the container: one line (with its {@code \n}) or the last piece of a line, of one stream,
 * with the time it was written (Docker's json-file keeps one per line; {@code docker logs -t} shows it).
 */
public record LogChunk(LogStream stream, byte[] data, Instant time) {
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
