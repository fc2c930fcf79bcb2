package dev.berth.bench.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The peers Berth is compared with, run the way their users run them: one process per operation,
 * started with ProcessBuilder (fork + exec + nsenter included), inside a lab namespace that plays
 * the host. The requests are the ones of /work/shared/anchors/podman/10_netavark_direct.sh and
 * 20_cni_direct.sh.
 */
public final class Peers {
    public static final Path NETAVARK = Path.of("/usr/lib/podman/netavark");
    public static final Path AARDVARK = Path.of("/usr/lib/podman/aardvark-dns");
    public static final Path CNI_DIR = Path.of("/usr/lib/cni");
    static final String NSENTER = "nsenter";

    private Peers() {}

    public static boolean netavarkPresent() {
        return Files.isExecutable(NETAVARK);
    }

    public static boolean cniPresent() {
        return Files.isExecutable(CNI_DIR.resolve("bridge"))
                && Files.isExecutable(CNI_DIR.resolve("portmap"))
                && Files.isExecutable(CNI_DIR.resolve("host-local"));
    }

    /** One timed run: the wall time from start to exit, and the peer's CPU time (it and its children). */
    public record Run(long wallNanos, long cpuNanos) {}

    /**
     * Runs {@code command} with stdin from {@code in}, stdout to {@code out}, stderr to {@code err};
     * throws with the peer's error output if it exits non-zero.
     */
    public static Run run(List<String> command, Map<String, String> env, Path in, Path out, Path err) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        try {
            long cpu0 = CpuClock.childrenNanos();
            long t0 = System.nanoTime();
            Process p = pb.start();
            int rc = p.waitFor();
            long t1 = System.nanoTime();
            long cpu1 = CpuClock.childrenNanos();
            if (rc != 0)
                throw new IllegalStateException(String.join(" ", command) + " exited " + rc + ": "
                        + Files.readString(err).strip() + " "
                        + Files.readString(out).strip());
            return new Run(t1 - t0, cpu1 - cpu0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A netavark setup request: one container on bridge nvbr0 (10.91.0.0/16), optionally one published TCP port. */
    public static String netavarkSetup(int i, int hostPort) {
        String ip = "10.91." + (i / 250) + "." + (i % 250 + 2);
        String ports = hostPort == 0
                ? "[]"
                : "[{\"host_ip\":\"\",\"container_port\":80,\"host_port\":" + hostPort
                        + ",\"range\":1,\"protocol\":\"tcp\"}]";
        String cid = "c" + "0".repeat(63 - Integer.toString(i).length()) + i;
        String nid = "a" + "0".repeat(62) + "1";
        return "{\"container_id\":\"" + cid + "\",\"container_name\":\"nvc" + i + "\",\"port_mappings\":" + ports
                + ",\"networks\":{\"nvnet\":{\"static_ips\":[\"" + ip + "\"],\"aliases\":[\"nvc" + i
                + "\"],\"interface_name\":\"eth0\"}},"
                + "\"network_info\":{\"nvnet\":{\"name\":\"nvnet\",\"id\":\"" + nid
                + "\",\"driver\":\"bridge\",\"network_interface\":\"nvbr0\","
                + "\"created\":\"2024-01-01T00:00:00Z\",\"subnets\":[{\"subnet\":\"10.91.0.0/16\",\"gateway\":\"10.91.255.254\"}],"
                + "\"ipv6_enabled\":false,\"internal\":false,\"dns_enabled\":false,\"ipam_options\":{\"driver\":\"host-local\"}}}}";
    }

    public static List<String> netavarkCommand(String hostNetns, Path configDir, String containerNetns) {
        return List.of(
                NSENTER,
                "--net=/run/netns/" + hostNetns,
                NETAVARK.toString(),
                "--rootless=false",
                "--aardvark-binary=" + AARDVARK,
                "--config",
                configDir.toString(),
                "setup",
                "/run/netns/" + containerNetns);
    }

    /** The CNI bridge configuration: host-local IPAM on 10.92.0.0/16, gateway, masquerade, hairpin. */
    public static String cniBridgeConf(Path ipamDir) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"cninet\",\"type\":\"bridge\",\"bridge\":\"cnibr0\",\"isGateway\":true,"
                + "\"ipMasq\":true,\"hairpinMode\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.92.0.0/16\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"" + ipamDir + "\"}}";
    }

    /** The portmap configuration chained after bridge, with the bridge's result as prevResult. */
    public static String cniPortmapConf(int hostPort, String prevResult) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"cninet\",\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},"
                + "\"snat\":true,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + hostPort
                + ",\"containerPort\":80,\"protocol\":\"tcp\"}]},\"prevResult\":" + prevResult.strip() + "}";
    }

    /** The spawn floor: what every peer call pays before the peer runs (nsenter into the lab host, exec). */
    public static List<String> spawnFloorCommand(String hostNetns) {
        return List.of(NSENTER, "--net=/run/netns/" + hostNetns, "/bin/true");
    }

    public static List<String> cniCommand(String hostNetns, String plugin) {
        return List.of(
                NSENTER,
                "--net=/run/netns/" + hostNetns,
                CNI_DIR.resolve(plugin).toString());
    }

    public static Map<String, String> cniEnv(String command, String containerId, String containerNetns) {
        return Map.of(
                "CNI_COMMAND",
                command,
                "CNI_CONTAINERID",
                containerId,
                "CNI_NETNS",
                "/run/netns/" + containerNetns,
                "CNI_IFNAME",
                "eth0",
                "CNI_PATH",
                CNI_DIR.toString());
    }
}
