package dev.berth.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run in a sandbox. The process runs from the host's filesystem (the image name plays no part),
 * in its own PID and mount namespaces, in the network namespace at {@code netnsPath} (null: the daemon's
 * own, Docker's host mode) and, with {@code ownUts}, its own hostname.
 *
 * @param id         the container id, also its folder name under the run dir ({@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}, at most 128)
 * @param name       the container name, unique among the supervisor's containers
 * @param hostname   the hostname seen inside and written to its /etc/hostname; null: the first 12 characters of the id
 * @param netnsPath  a network namespace file such as {@code /run/netns/berth-web}; null: the daemon's namespace
 * @param ownUts     whether the container gets its own UTS namespace (false for host mode, as Docker)
 * @param command    the program and its arguments; a program without '/' is searched in the PATH of {@code env}
 * @param env        the environment; PATH, HOSTNAME and HOME get Docker's defaults when absent
 * @param workingDir an absolute directory of the host's filesystem; null: {@code /}
 * @param hosts      the container's /etc/hosts; null: localhost entries only
 * @param resolvConf the container's /etc/resolv.conf; null: a copy of the host's
 */
public record ContainerSpec(String id, String name, String hostname, Path netnsPath, boolean ownUts,
                            List<String> command, Map<String, String> env, String workingDir,
                            String hosts, String resolvConf) {

    /** The same spec with another /etc/hosts. */
    public ContainerSpec withHosts(String newHosts) {
        return new ContainerSpec(id, name, hostname, netnsPath, ownUts, command, env, workingDir, newHosts, resolvConf);
    }
}
