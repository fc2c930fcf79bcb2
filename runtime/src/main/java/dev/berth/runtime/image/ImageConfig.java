package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * An image's config blob (Docker's and OCI's image config, with their JSON names). Its sha256 is the
 * image id, so a pulled or loaded config is kept byte for byte and never re-serialised; this record is
 * for reading it, and for writing the configs Berth makes itself (import).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfig(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("comment") String comment,
        @JsonProperty("docker_version") String dockerVersion,
        @JsonProperty("config") ContainerConfig config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    /** {@code rootfs}: the uncompressed digests of the layers, bottom first. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RootFs(
            @JsonProperty("type") String type,
            @JsonProperty("diff_ids") List<String> diffIds) {
        public static RootFs layers(List<String> diffIds) {
            return new RootFs("layers", diffIds);
        }
    }

    /** One step that built the image; {@code empty_layer} steps made no layer. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {
        public boolean isEmptyLayer() {
            return Boolean.TRUE.equals(emptyLayer);
        }
    }

    public ContainerConfig configOrEmpty() {
        return config == null ? ContainerConfig.EMPTY : config;
    }

    public List<String> diffIds() {
        return rootfs == null || rootfs.diffIds() == null ? List.of() : rootfs.diffIds();
    }

    public List<History> historyOrEmpty() {
        return history == null ? List.of() : history;
    }

    /** The creation time, or the epoch when the config has none or an unreadable one. */
    public Instant createdAt() {
        return parseTime(created);
    }

    static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) return Instant.EPOCH;
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
