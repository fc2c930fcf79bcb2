package dev.berth.daemon.api.shapes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Each entry of {@code GET /containers/json}: Docker's ContainerSummary. */
public record ContainerSummary(
        @JsonProperty("Id") String id,
        @JsonProperty("Names") List<String> names,
        @JsonProperty("Image") String image,
        @JsonProperty("ImageID") String imageId,
        @JsonProperty("Command") String command,
        @JsonProperty("Created") long created,
        @JsonProperty("Ports") List<Port> ports,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("State") String state,
        @JsonProperty("Status") String status,
        @JsonProperty("HostConfig") HostConfig hostConfig,
        @JsonProperty("NetworkSettings") NetworkSettings networkSettings,
        @JsonProperty("Mounts") List<ContainerInspect.MountPoint> mounts) {

    /** A published port (IP and PublicPort set) or an exposed one (left out). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Port(
            @JsonProperty("IP") String ip,
            @JsonProperty("PrivatePort") int privatePort,
            @JsonProperty("PublicPort") Integer publicPort,
            @JsonProperty("Type") String type) {}

    public record HostConfig(@JsonProperty("NetworkMode") String networkMode) {}

    public record NetworkSettings(@JsonProperty("Networks") Map<String, ContainerInspect.EndpointSettings> networks) {}

    /** {@code POST /containers/prune}'s answer. */
    public record Pruned(
            @JsonProperty("ContainersDeleted") List<String> containersDeleted,
            @JsonProperty("SpaceReclaimed") long spaceReclaimed) {}
}
