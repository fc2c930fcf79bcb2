package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** A mount a container asks for on top of the standard ones (/proc, /dev, /sys, ...). */
public sealed interface ContainerMount {

    /** The absolute path inside the container. */
    String target();

    /**
     * A bind mount of a host path ({@code -v /src:/dst:ro}, {@code --mount type=bind}, named volumes
     * resolved to their folder).
     *
     * @param propagation private, rprivate (Docker's default when null), shared, rshared, slave or rslave
     */
    record Bind(Path source, String target, boolean readOnly, String propagation) implements ContainerMount {
        static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");

        public Bind {
            String field = "HostConfig.Binds";
            if (source == null || !source.isAbsolute())
                throw new InvalidRequest(field, "bind source '" + source + "' must be an absolute host path");
            if (!Files.exists(source)) throw new InvalidRequest(field, "bind source path does not exist: " + source);
            target = checkTarget(field, target);
            propagation = propagation == null || propagation.isEmpty() ? "rprivate" : propagation;
            if (!PROPAGATIONS.contains(propagation))
                throw new InvalidRequest(
                        field,
                        "invalid propagation mode '" + propagation + "' for " + target
                                + " (one of private, rprivate, shared, rshared, slave, rslave)");
        }
    }

    /**
     * A tmpfs ({@code --tmpfs /run:size=64m,mode=1777}); Docker's defaults {@code noexec,nosuid,nodev}
     * apply unless {@code options} say otherwise.
     *
     * @param options comma-separated tmpfs options as in Docker's {@code HostConfig.Tmpfs}; may be empty
     */
    record Tmpfs(String target, String options) implements ContainerMount {
        private static final Set<String> FLAGS = Set.of(
                "ro",
                "rw",
                "exec",
                "noexec",
                "suid",
                "nosuid",
                "dev",
                "nodev",
                "atime",
                "noatime",
                "relatime",
                "norelatime",
                "strictatime",
                "nostrictatime",
                "diratime",
                "nodiratime",
                "sync",
                "async",
                "dirsync");
        private static final Pattern VALUED = Pattern.compile(
                "(size=[0-9]+[kmgKMG%]?|nr_blocks=[0-9]+[kmgKMG]?|nr_inodes=[0-9]+[kmgKMG]?|mode=[0-7]{3,4}|uid=[0-9]+|gid=[0-9]+)");

        public Tmpfs {
            String field = "HostConfig.Tmpfs";
            target = checkTarget(field, target);
            options = options == null ? "" : options.strip();
            for (String o : optionList(options)) {
                if (!FLAGS.contains(o) && !VALUED.matcher(o).matches())
                    throw new InvalidRequest(field, "invalid tmpfs option '" + o + "' for " + target);
            }
        }

        List<String> optionList() {
            return optionList(options);
        }

        private static List<String> optionList(String options) {
            List<String> out = new ArrayList<>();
            for (String o : options.split(",")) if (!o.isBlank()) out.add(o.strip());
            return out;
        }
    }

    /**
     * One of the files Berth keeps for the container's network: /etc/hosts, /etc/resolv.conf or
     * /etc/hostname, bind-mounted from {@code source}. Berth rewrites them in place (not by rename), so
     * a network connect shows inside at once.
     */
    record EtcFile(Kind kind, Path source) implements ContainerMount {
        public enum Kind {
            HOSTS("/etc/hosts"),
            RESOLV_CONF("/etc/resolv.conf"),
            HOSTNAME("/etc/hostname");

            final String target;

            Kind(String target) {
                this.target = target;
            }
        }

        public EtcFile {
            if (kind == null) throw new InvalidRequest("etcFiles", "kind is missing");
            if (source == null || !source.isAbsolute() || !Files.isRegularFile(source))
                throw new InvalidRequest(
                        "etcFiles", kind.target + ": source '" + source + "' must be an existing host file");
        }

        @Override
        public String target() {
            return kind.target;
        }
    }

    private static String checkTarget(String field, String target) {
        if (target == null || !target.startsWith("/"))
            throw new InvalidRequest(field, "invalid mount config: mount path '" + target + "' must be absolute");
        if (target.indexOf('\0') >= 0) throw new InvalidRequest(field, "mount path contains a NUL byte");
        String clean = Path.of(target).normalize().toString();
        if (clean.equals("/")) throw new InvalidRequest(field, "invalid specification: destination can't be '/'");
        for (String part : target.split("/")) {
            if (part.equals("..")) throw new InvalidRequest(field, "mount path '" + target + "' must not contain '..'");
        }
        return clean;
    }
}
