package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.model.BerthException;
import java.util.List;
import java.util.Map;

/** A manifest list (Docker) or image index (OCI): one manifest per platform. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageIndex(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<Descriptor> manifests,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public static ImageIndex oci(List<Descriptor> manifests) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, manifests, null);
    }

    /**
     * The manifest for {@code want} (Docker's choice: the first entry of that OS and architecture;
     * entries without a platform are taken only when no entry names one).
     */
    public Descriptor pick(Platform want, String forWhat) {
        List<Descriptor> all = manifests == null ? List.of() : manifests;
        for (Descriptor d : all)
            if (d.platform() != null && d.platform().matches(want) && MediaTypes.isManifest(d.mediaType())) return d;
        boolean anyPlatform = all.stream().anyMatch(d -> d.platform() != null);
        if (!anyPlatform) for (Descriptor d : all) if (MediaTypes.isManifest(d.mediaType())) return d;
        throw new BerthException.NotFound(
                "no matching manifest for " + want + " in the manifest list entries of " + forWhat);
    }
}
