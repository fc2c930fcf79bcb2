package dev.berth.daemon.http;

import java.time.Duration;

/**
 * What one client may take of the API server, so that no client (buggy, slow or hostile) can make
 * berthd run out of descriptors or memory: open connections, bytes of a request's line and headers
 * and of its body, and the time a connection may take to deliver a complete request (from its
 * connect, or from the last answer on it). Hijacked connections (attach, exec) and streamed answers
 * ({@code wait}, {@code logs -f}) are not timed: they are in use.
 *
 * @param maxConnections  connections served at once; the next gets 503 with a message and is closed
 * @param maxHeaderBytes  the request line, and the headers together; more gets 431 (414 for the line)
 * @param maxBodyBytes    a request body; more gets 413
 * @param requestTimeout  a connection that delivers no complete request within this is closed (408)
 */
public record ApiLimits(int maxConnections, int maxHeaderBytes, int maxBodyBytes, Duration requestTimeout) {
    public static final ApiLimits DEFAULTS = new ApiLimits(1000, 16 * 1024, 16 * 1024 * 1024, Duration.ofSeconds(60));

    public ApiLimits {
        if (maxConnections < 1)
            throw new IllegalArgumentException("--max-connections: " + maxConnections + " must be at least 1");
        if (requestTimeout.isNegative() || requestTimeout.isZero())
            throw new IllegalArgumentException(
                    "--request-timeout: " + requestTimeout.toSeconds() + " must be at least 1 second");
    }

    public ApiLimits withMaxConnections(int n) {
        return new ApiLimits(n, maxHeaderBytes, maxBodyBytes, requestTimeout);
    }

    public ApiLimits withRequestTimeout(Duration d) {
        return new ApiLimits(maxConnections, maxHeaderBytes, maxBodyBytes, d);
    }
}
