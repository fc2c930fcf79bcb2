package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Linux capabilities by name, Docker's default set, and Docker's rules for {@code --cap-add},
 * {@code --cap-drop} and {@code --privileged}.
 */
public final class Capabilities {
    /** Every capability the kernel defines, indexed by number (capability.h, up to CAP_CHECKPOINT_RESTORE = 40). */
    static final List<String> KNOWN = List.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER",
            "CAP_FSETID",
            "CAP_KILL",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETPCAP",
            "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST",
            "CAP_NET_ADMIN",
            "CAP_NET_RAW",
            "CAP_IPC_LOCK",
            "CAP_IPC_OWNER",
            "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO",
            "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT",
            "CAP_SYS_NICE",
            "CAP_SYS_RESOURCE",
            "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG",
            "CAP_MKNOD",
            "CAP_LEASE",
            "CAP_AUDIT_WRITE",
            "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN",
            "CAP_SYSLOG",
            "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ",
            "CAP_PERFMON",
            "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** What a default Docker container holds: 14 capabilities, none of them administrative. */
    public static final List<String> DOCKER_DEFAULT = List.of(
            "CAP_CHOWN",
            "CAP_DAC_OVERRIDE",
            "CAP_FSETID",
            "CAP_FOWNER",
            "CAP_MKNOD",
            "CAP_NET_RAW",
            "CAP_SETGID",
            "CAP_SETUID",
            "CAP_SETFCAP",
            "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT",
            "CAP_KILL",
            "CAP_AUDIT_WRITE");

    private Capabilities() {}

    /**
     * {@code NET_ADMIN}, {@code net_admin} or {@code CAP_NET_ADMIN} as {@code CAP_NET_ADMIN}; {@code ALL}
     * stays {@code ALL}. Unknown names fail naming {@code field}.
     */
    static String normalize(String field, String name) {
        if (name == null || name.isBlank()) throw new InvalidRequest(field, "contains an empty capability name");
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (upper.equals("ALL")) return upper;
        String full = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
        if (!KNOWN.contains(full)) throw new InvalidRequest(field, "unknown capability: \"" + name + "\"");
        return full;
    }

    static List<String> normalizeAll(String field, List<String> names) {
        List<String> out = new ArrayList<>();
        if (names == null) return out;
        for (String n : names) {
            String c = normalize(field, n);
            if (!out.contains(c)) out.add(c);
        }
        return List.copyOf(out);
    }

    /**
     * Every capability this daemon can hand out: the known ones that are still in its own bounding set
     * (a capability outside it cannot be granted; runc would fail with EPERM).
     */
    public static List<String> grantable() {
        List<String> out = new ArrayList<>();
        long bounding = HostLimits.boundingCapabilities();
        int last = Math.min(KNOWN.size() - 1, HostLimits.lastCapability());
        for (int i = 0; i <= last; i++) {
            if ((bounding & (1L << i)) != 0) out.add(KNOWN.get(i));
        }
        return out;
    }

    /**
     * The container's set as Docker computes it: privileged gets everything; otherwise the default set,
     * all of them when {@code capAdd} holds ALL, minus {@code capDrop} (none left when it holds ALL),
     * plus the added ones. Names must be normalized.
     */
    static List<String> resolve(boolean privileged, List<String> capAdd, List<String> capDrop) {
        List<String> grantable = grantable();
        if (privileged) return grantable;
        List<String> base = capAdd.contains("ALL") ? grantable : DOCKER_DEFAULT;
        Set<String> out = new LinkedHashSet<>();
        if (!capDrop.contains("ALL")) {
            for (String c : base) if (!capDrop.contains(c)) out.add(c);
        }
        for (String c : capAdd) {
            if (c.equals("ALL")) continue;
            if (!grantable.contains(c))
                throw new InvalidRequest(
                        "HostConfig.CapAdd", c + " cannot be granted here: berthd's own bounding set lacks it");
            out.add(c);
        }
        return List.copyOf(out);
    }

    /** The capabilities as a bit mask, the form of /proc/PID/status (CapEff). */
    public static long mask(List<String> caps) {
        long m = 0;
        for (String c : caps) m |= 1L << KNOWN.indexOf(c);
        return m;
    }
}
