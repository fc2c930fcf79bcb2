package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs Berth's CNI plugin, {@code bin/cni/berth} (built by {@code scripts/cni-plugin} when missing or older
 * than its source), as a runtime does: in the runtime's namespace (a lab host), the {@code CNI_*} variables
 * in its environment and the configuration on stdin.
 */
final class CniPlugin {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path BINARY = build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LabHost runtimeHost;
    private final Path socket;

    CniPlugin(LabHost runtimeHost, Path socket) {
        this.runtimeHost = runtimeHost;
        this.socket = socket;
    }

    /** A plugin configuration: CNI network {@code name} on Berth network {@code network}, with extra keys. */
    String config(String version, String name, String network, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name + "\",\"type\":\"berth\",\"socket\":\"" + socket
                + "\",\"network\":\"" + network + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** One call; {@code env} holds the CNI_ variables (CNI_COMMAND first by convention). */
    ExecResult call(Map<String, String> env, String config) {
        List<String> cmd = new ArrayList<>(List.of(
                "nsenter", "--net=" + runtimeHost.netnsPath(), "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(BINARY.toString());
        return Commands.run(cmd, Duration.ofSeconds(60), config);
    }

    ExecResult call(String command, String containerId, LabHost pod, String ifName, String config) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) env.put("CNI_CONTAINERID", containerId);
        if (pod != null) env.put("CNI_NETNS", pod.netnsPath().toString());
        if (ifName != null) env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", BINARY.getParent().toString());
        return call(env, config);
    }

    /** The call's stdout as JSON (a result on success, an error object on failure). */
    static JsonNode json(ExecResult r) {
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.stdout() + r.stderr(), e);
        }
    }

    /** The call succeeded; returns its result (or null when it printed nothing, as DEL does). */
    static JsonNode ok(ExecResult r) {
        if (!r.ok()) throw new AssertionError("plugin failed (" + r.exitCode() + "): " + r.stdout() + r.stderr());
        return r.stdout().isBlank() ? null : json(r);
    }

    private static Path build() {
        Commands.run(List.of(ROOT.resolve("scripts/cni-plugin").toString()), Duration.ofSeconds(120), null)
                .check();
        return ROOT.resolve("bin/cni/berth");
    }
}
