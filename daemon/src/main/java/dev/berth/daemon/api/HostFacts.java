package dev.berth.daemon.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine as {@code /info} describes it: CPUs, memory, kernel, distribution, cgroups, security. */
public final class HostFacts {
    private HostFacts() {}

    /** Docker's /info fields about the host, read from /proc, /etc/os-release and /sys/fs/cgroup. */
    public static Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("NCPU", Runtime.getRuntime().availableProcessors());
        m.put("MemTotal", ContainerStats.memTotal());
        m.put("KernelVersion", SystemApi.kernelRelease());
        m.put("OperatingSystem", osRelease("PRETTY_NAME", "Linux"));
        m.put("OSVersion", osRelease("VERSION_ID", ""));
        m.put("OSType", "linux");
        m.put("Architecture", architecture());
        m.put("Driver", "overlayfs");
        m.put("CgroupDriver", "cgroupfs");
        m.put("CgroupVersion", Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
        m.put("SecurityOptions", List.of("name=seccomp,profile=builtin"));
        m.put("DefaultRuntime", "runc");
        m.put("Runtimes", Map.of("runc", Map.of("path", "runc")));
        m.put("LoggingDriver", "json-file");
        m.put("Swarm", Map.of("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable", false,
                "Error", "", "RemoteManagers", List.of()));
        return m;
    }

    /** uname -m's word (Docker reports x86_64, aarch64), from the JVM's os.arch. */
    static String architecture() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> a;
        };
    }

    private static String osRelease(String key, String fallback) {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (!l.startsWith(key + "=")) continue;
                String v = l.substring(key.length() + 1).trim();
                return v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2 ? v.substring(1, v.length() - 1) : v;
            }
        } catch (IOException e) {
            // no os-release
        }
        return fallback;
    }
}
