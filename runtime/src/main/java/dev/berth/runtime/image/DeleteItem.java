package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One line of Docker's answer to {@code docker rmi} and image prune: a name untagged or an image deleted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeleteItem(
        @JsonProperty("Untagged") String untagged,
        @JsonProperty("Deleted") String deleted) {
    public static DeleteItem untagged(String name) {
        return new DeleteItem(name, null);
    }

    public static DeleteItem deleted(String id) {
        return new DeleteItem(null, id);
    }
}
