package dev.berth.runtime.oci;

import dev.berth.runtime.oci.OciModel.DeviceRule;
import dev.berth.runtime.oci.OciModel.Mount;
import java.util.ArrayList;
import java.util.List;

/** What every Docker container gets: the standard mounts, masked and read-only paths, the device allow-list. */
final class DockerDefaults {
    /** Kernel files that reveal or change the host: replaced by an empty file or folder inside. */
    static final List<String> MASKED_PATHS = List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware",
            "/sys/devices/virtual/powercap");

    /** Kernel settings a container may read but not write (its own namespaced sysctls come through --sysctl). */
    static final List<String> READONLY_PATHS =
            List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** 64 MiB, Docker's /dev and /dev/shm size. */
    static final String SIZE_64M = "size=65536k";

    private DockerDefaults() {}

    /**
     * /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys and its cgroups. /sys and the cgroups are read-only
     * unless privileged (and read-only again with a read-only root).
     */
    static List<Mount> standardMounts(boolean privileged, boolean readonlyRootfs) {
        String sysMode = privileged && !readonlyRootfs ? "rw" : "ro";
        List<Mount> m = new ArrayList<>();
        m.add(new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        m.add(new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", SIZE_64M)));
        m.add(new Mount(
                "/dev/pts",
                "devpts",
                "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        m.add(new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", SIZE_64M)));
        m.add(new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        m.add(new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", sysMode)));
        m.add(new Mount(
                "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", sysMode)));
        return m;
    }

    /**
     * The devices cgroup: deny everything, then allow creating any node (mknod only) and using the
     * ordinary ones: null, zero, full, random, urandom, tty, console, ptmx and the container's ptys.
     */
    static List<DeviceRule> deviceRules() {
        return List.of(
                new DeviceRule(false, null, null, null, "rwm"),
                new DeviceRule(true, "c", null, null, "m"),
                new DeviceRule(true, "b", null, null, "m"),
                chr(1, 3),
                chr(1, 5),
                chr(1, 7),
                chr(1, 8),
                chr(1, 9), // null, zero, full, random, urandom
                chr(5, 0),
                chr(5, 1),
                chr(5, 2), // tty, console, ptmx
                new DeviceRule(true, "c", 136L, null, "rwm")); // /dev/pts/*
    }

    /** A privileged container may use every device. */
    static List<DeviceRule> allDevices() {
        return List.of(new DeviceRule(true, null, null, null, "rwm"));
    }

    private static DeviceRule chr(long major, long minor) {
        return new DeviceRule(true, "c", major, minor, "rwm");
    }
}
