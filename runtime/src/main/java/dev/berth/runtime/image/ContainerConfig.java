package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The run defaults an image carries (the {@code config} object of its config blob, Docker's names):
 * what a container created from it runs, as whom, where, with which environment, ports and volumes.
 * Empty fields are left out, as Docker writes them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ContainerConfig(
        @JsonProperty("User") String user,
        @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Entrypoint") List<String> entrypoint,
        @JsonProperty("Cmd") List<String> cmd,
        @JsonProperty("Healthcheck") HealthConfig healthcheck,
        @JsonProperty("ArgsEscaped") Boolean argsEscaped,
        @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
        @JsonProperty("WorkingDir") String workingDir,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("OnBuild") List<String> onBuild,
        @JsonProperty("StopSignal") String stopSignal,
        @JsonProperty("Shell") List<String> shell) {

    public static final ContainerConfig EMPTY =
            new ContainerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null);

    public ContainerConfig withUser(String v) {
        return new ContainerConfig(
                v,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withExposedPorts(Map<String, Map<String, Object>> v) {
        return new ContainerConfig(
                user,
                v,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withEnv(List<String> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                v,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withEntrypoint(List<String> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                v,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withCmd(List<String> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                v,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withHealthcheck(HealthConfig v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                v,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withVolumes(Map<String, Map<String, Object>> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                v,
                workingDir,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withWorkingDir(String v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                v,
                labels,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withLabels(Map<String, String> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                v,
                onBuild,
                stopSignal,
                shell);
    }

    public ContainerConfig withOnBuild(List<String> v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                v,
                stopSignal,
                shell);
    }

    public ContainerConfig withStopSignal(String v) {
        return new ContainerConfig(
                user,
                exposedPorts,
                env,
                entrypoint,
                cmd,
                healthcheck,
                argsEscaped,
                volumes,
                workingDir,
                labels,
                onBuild,
                v,
                shell);
    }

    /** Labels never null, for filters. */
    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }
}
