package dev.berth.runtime.logs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.berth.runtime.LogChunk;
import dev.berth.runtime.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One line of Docker's json-file log format: {@code {"log":"...\n","stream":"stdout","time":"RFC 3339"}}.
 * Kept byte-compatible with Docker so its tools (and people) read Berth's files as Docker's.
 */
public final class JsonLogLine {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonLogLine() {}

    /** The encoded line, ending with {@code \n}. Output that is not UTF-8 is replaced, as Docker does. */
    public static byte[] encode(LogChunk c) {
        var out = new ByteArrayOutputStream(c.data().length + 80);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("log", new String(c.data(), StandardCharsets.UTF_8));
            g.writeStringField("stream", c.stream() == LogStream.STDOUT ? "stdout" : "stderr");
            g.writeStringField("time", c.time().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Decodes one line (without its {@code \n}); null for a line that is not a log entry (a torn last write). */
    public static LogChunk decode(byte[] line, int off, int len) {
        String log = null, stream = null, time = null;
        try (JsonParser p = JSON.createParser(line, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "log" -> log = p.getValueAsString();
                    case "stream" -> stream = p.getValueAsString();
                    case "time" -> time = p.getValueAsString();
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (log == null || time == null) return null;
        try {
            return new LogChunk(
                    "stderr".equals(stream) ? LogStream.STDERR : LogStream.STDOUT,
                    log.getBytes(StandardCharsets.UTF_8),
                    Instant.parse(time));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
