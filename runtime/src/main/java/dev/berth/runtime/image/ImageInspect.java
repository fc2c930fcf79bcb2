package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /images/{name}/json}, Docker's image inspect. {@code Config} is the image config's own
 * {@code config} object as the image carries it (not re-modelled, so nothing of it is lost).
 */
public record ImageInspect(
        @JsonProperty("Id") String id,
        @JsonProperty("RepoTags") List<String> repoTags,
        @JsonProperty("RepoDigests") List<String> repoDigests,
        @JsonProperty("Parent") String parent,
        @JsonProperty("Comment") String comment,
        @JsonProperty("Created") String created,
        @JsonProperty("DockerVersion") String dockerVersion,
        @JsonProperty("Author") String author,
        @JsonProperty("Config") JsonNode config,
        @JsonProperty("Architecture") String architecture,
        @JsonProperty("Variant") String variant,
        @JsonProperty("Os") String os,
        @JsonProperty("Size") long size,
        @JsonProperty("GraphDriver") GraphDriver graphDriver,
        @JsonProperty("RootFS") RootFs rootFs,
        @JsonProperty("Metadata") Map<String, String> metadata,
        @JsonProperty("Descriptor") Descriptor descriptor) {

    public record GraphDriver(
            @JsonProperty("Name") String name,
            @JsonProperty("Data") Map<String, String> data) {}

    public record RootFs(
            @JsonProperty("Type") String type,
            @JsonProperty("Layers") List<String> layers) {}
}
