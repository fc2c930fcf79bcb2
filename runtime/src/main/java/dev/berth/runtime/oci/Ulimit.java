package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * One {@code --ulimit name=soft:hard}; -1 is unlimited. A hard limit above the daemon's own is refused
 * here: berthd holds no CAP_SYS_RESOURCE on these machines, so runc would fail to set it (the open-files
 * hard limit is 20000 here, while Docker's default asks for 1048576).
 */
public record Ulimit(String name, long soft, long hard) {
    /** Docker's {@code --ulimit} names; each is {@code RLIMIT_<NAME>} in the spec. */
    static final List<String> NAMES = List.of(
            "as",
            "core",
            "cpu",
            "data",
            "fsize",
            "locks",
            "memlock",
            "msgqueue",
            "nice",
            "nofile",
            "nproc",
            "rss",
            "rtprio",
            "rttime",
            "sigpending",
            "stack");

    private static final String FIELD = "HostConfig.Ulimits";

    public Ulimit {
        if (name == null || !NAMES.contains(name.toLowerCase(Locale.ROOT)))
            throw new InvalidRequest(
                    FIELD, "invalid ulimit type: " + name + " (one of " + String.join(", ", NAMES) + ")");
        name = name.toLowerCase(Locale.ROOT);
        if (soft < -1 || hard < -1) throw new InvalidRequest(FIELD, name + ": limits are -1 (unlimited) or >= 0");
        if (unsigned(soft) > unsigned(hard) || (hard != -1 && soft == -1))
            throw new InvalidRequest(
                    FIELD,
                    "ulimit soft limit must be less than or equal to hard limit: " + show(soft) + " > " + show(hard));
        OptionalLong host = HostLimits.hardLimit(name);
        if (host.isPresent() && (hard == -1 || hard > host.getAsLong()))
            throw new InvalidRequest(
                    FIELD,
                    name + " hard limit " + show(hard) + " is above this host's limit " + host.getAsLong()
                            + " (berthd cannot raise it: no CAP_SYS_RESOURCE); ask for at most " + host.getAsLong());
    }

    /** The spec's type, e.g. {@code RLIMIT_NOFILE}. */
    String type() {
        return "RLIMIT_" + name.toUpperCase(Locale.ROOT);
    }

    private static long unsigned(long v) {
        return v == -1 ? Long.MAX_VALUE : v;
    }

    private static String show(long v) {
        return v == -1 ? "unlimited" : Long.toString(v);
    }
}
