package dev.berth.cli.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * A response whose body is read as a stream (Content-Length, chunked, or up to the end of the
 * connection); after {@code 101 Switching Protocols} the body is the raw hijacked stream.
 *
 * @param headers lower-case names
 */
public record HttpResponse(int status, String reason, Map<String, String> headers, InputStream body) {
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The whole body (for answers that end). */
    public byte[] readAll() {
        try {
            return body.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the daemon's answer: " + e.getMessage(), e);
        }
    }
}
