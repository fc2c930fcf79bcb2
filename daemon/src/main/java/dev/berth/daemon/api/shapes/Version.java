package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code GET /version}: Docker's SystemVersion. */
public record Version(
        @JsonProperty("Platform") Platform platform,
        @JsonProperty("Components") List<Component> components,
        @JsonProperty("Version") String version,
        @JsonProperty("ApiVersion") String apiVersion,
        @JsonProperty("MinAPIVersion") String minApiVersion,
        @JsonProperty("GitCommit") String gitCommit,
        @JsonProperty("GoVersion") String goVersion,
        @JsonProperty("Os") String os,
        @JsonProperty("Arch") String arch,
        @JsonProperty("KernelVersion") String kernelVersion) {

    public record Platform(@JsonProperty("Name") String name) {}

    /** One component (Engine, Berth) with its own version and details. */
    public record Component(
            @JsonProperty("Name") String name,
            @JsonProperty("Version") String version,
            @JsonProperty("Details") Map<String, String> details) {}
}
