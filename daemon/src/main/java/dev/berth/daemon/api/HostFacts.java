package dev.berth.daemon.api;

import dev.berth.daemon.api.shapes.SystemInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine as {@code /info} describes it: CPUs, memory, kernel, distribution, cgroups, security. */
public final class HostFacts {
    private HostFacts() {}

    /** Docker's /info facts about the host, read from /proc, /etc/os-release and /sys/fs/cgroup. */
    public static SystemInfo.Host info() {
        return new SystemInfo.Host(
                Runtime.getRuntime().availableProcessors(),
                ContainerStats.memTotal(),
                SystemApi.kernelRelease(),
                osRelease("PRETTY_NAME", "Linux"),
                osRelease("VERSION_ID", ""),
                architecture(),
                Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1");
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
