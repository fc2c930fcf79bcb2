package dev.berth.daemon.http;

import java.util.Map;

/** What a handler answers; the server turns it into HTTP. */
public sealed interface ApiResponse {

    int status();

    /** A JSON body (Jackson serializes {@code body}). */
    record Json(int status, Object body) implements ApiResponse {}

    /** No body (204, 304, or 200 with nothing to say). */
    record Empty(int status) implements ApiResponse {}

    /** A plain-text body, as Docker's {@code /_ping} answers "OK". */
    record Text(int status, String text) implements ApiResponse {}

    /** A body of unknown length streamed as it is produced (logs, events). */
    record Stream(int status, String contentType, StreamBody body) implements ApiResponse {}

    /** The connection is taken over after {@code 101 UPGRADED} (Docker's attach and exec start). */
    record Hijack(String contentType, HijackSession session) implements ApiResponse {
        @Override
        public int status() {
            return 101;
        }
    }

    /** Another response with extra headers (docker cp's X-Docker-Container-Path-Stat). */
    record WithHeaders(ApiResponse inner, Map<String, String> headers) implements ApiResponse {
        @Override
        public int status() {
            return inner.status();
        }
    }

    static Json json(Object body) {
        return new Json(200, body);
    }

    static Json created(Object body) {
        return new Json(201, body);
    }

    static Empty noContent() {
        return new Empty(204);
    }

    static Empty ok() {
        return new Empty(200);
    }

    /** Produces a streamed body; runs on a worker thread and may block. */
    @FunctionalInterface
    interface StreamBody {
        void writeTo(RawConnection.Output out) throws Exception;
    }

    /** Runs a taken-over connection; runs on a worker thread and may block. */
    @FunctionalInterface
    interface HijackSession {
        void run(RawConnection connection) throws Exception;
    }
}
