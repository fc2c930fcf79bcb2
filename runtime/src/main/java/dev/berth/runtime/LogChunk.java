package dev.berth.runtime;

/** Bytes the process wrote to one of its outputs. */
public record LogChunk(LogStream stream, byte[] data) {
    public String text() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }
}
