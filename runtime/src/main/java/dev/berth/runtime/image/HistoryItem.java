package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One row of {@code GET /images/{name}/history}, newest first; only the top row has the image's id. */
public record HistoryItem(
        @JsonProperty("Id") String id,
        @JsonProperty("Created") long created,
        @JsonProperty("CreatedBy") String createdBy,
        @JsonProperty("Tags") List<String> tags,
        @JsonProperty("Size") long size,
        @JsonProperty("Comment") String comment) {}
