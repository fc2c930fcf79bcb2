package dev.berth.runtime.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.berth.model.BerthException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;

/** containerd calls with Berth's error vocabulary, and the protobuf values the runtime passes around. */
final class Grpc {
    /** The type URL containerd gives an OCI runtime spec carried as JSON in an Any. */
    static final String SPEC_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Spec";

    static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";
    static final String RUNC_OPTIONS_TYPE = "containerd.runc.v1.Options";

    private Grpc() {}

    /**
     * Runs a call; containerd's NotFound, AlreadyExists and FailedPrecondition become Berth's NotFound and
     * Conflict, anything else Failed. The message keeps containerd's (and runc's) own words.
     */
    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw map(what, e);
        }
    }

    static void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    static BerthException map(String what, StatusRuntimeException e) {
        Status s = e.getStatus();
        String msg = what + ": " + (s.getDescription() == null ? s.getCode() : s.getDescription());
        return switch (s.getCode()) {
            case NOT_FOUND -> new BerthException.NotFound(msg);
            case ALREADY_EXISTS, FAILED_PRECONDITION -> new BerthException.Conflict(msg);
            default -> new BerthException.Failed(msg, e);
        };
    }

    static boolean is(StatusRuntimeException e, Status.Code code) {
        return e.getStatus().getCode() == code;
    }

    static Any json(String typeUrl, String json) {
        return Any.newBuilder()
                .setTypeUrl(typeUrl)
                .setValue(ByteString.copyFrom(json, StandardCharsets.UTF_8))
                .build();
    }

    /** null for an unset timestamp. */
    static Instant instant(Timestamp t) {
        return t.getSeconds() == 0 && t.getNanos() == 0 ? null : Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
