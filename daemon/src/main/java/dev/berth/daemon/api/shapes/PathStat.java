package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The {@code X-Docker-Container-Path-Stat} header of {@code /containers/{id}/archive} (base64 of this JSON). */
public record PathStat(
        @JsonProperty("name") String name,
        @JsonProperty("size") long size,
        @JsonProperty("mode") long mode,
        @JsonProperty("mtime") String mtime,
        @JsonProperty("linkTarget") String linkTarget) {}
