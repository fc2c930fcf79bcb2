package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** One image's manifest: Docker's v2 schema 2 or the OCI image manifest (the same JSON shape). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("config") Descriptor config,
        @JsonProperty("layers") List<Descriptor> layers,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public static Manifest docker(Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, MediaTypes.DOCKER_MANIFEST, config, layers, null);
    }

    public List<Descriptor> layersOrEmpty() {
        return layers == null ? List.of() : layers;
    }
}
