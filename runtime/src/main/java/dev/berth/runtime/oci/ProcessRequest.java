package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.util.List;

/**
 * A process to run in an existing container ({@code docker exec}); see {@link OciSpec#processJson}. Its
 * capabilities, rlimits and no-new-privileges are the container's, as Docker does; {@code privileged} is
 * {@code docker exec --privileged} or the container's own.
 */
public record ProcessRequest(
        List<String> args,
        List<String> env,
        String cwd,
        ProcessUser user,
        boolean terminal,
        boolean privileged,
        List<String> capAdd,
        List<String> capDrop,
        boolean noNewPrivileges,
        List<Ulimit> ulimits) {

    public ProcessRequest {
        args = SpecRequest.checkArgs("Cmd", args);
        env = SpecRequest.checkEnv(env);
        if (cwd == null || cwd.isEmpty()) cwd = "/";
        if (!cwd.startsWith("/"))
            throw new InvalidRequest(
                    "WorkingDir", "the working directory '" + cwd + "' is invalid: it needs to be an absolute path");
        if (user == null) user = ProcessUser.ROOT;
        capAdd = Capabilities.normalizeAll("HostConfig.CapAdd", capAdd);
        capDrop = Capabilities.normalizeAll("HostConfig.CapDrop", capDrop);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    }

    /** An exec in {@code container}: the container's capabilities and limits, the given process. */
    public static ProcessRequest exec(
            SpecRequest container,
            List<String> args,
            List<String> env,
            String cwd,
            ProcessUser user,
            boolean terminal,
            boolean privileged) {
        return new ProcessRequest(
                args,
                env,
                cwd,
                user,
                terminal,
                privileged || container.privileged(),
                container.capAdd(),
                container.capDrop(),
                container.noNewPrivileges(),
                container.ulimits());
    }
}
