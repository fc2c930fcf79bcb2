package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.state.RecordJournal;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Everything a berthd in a {@link DaemonLab} owns, as text to compare and to check for consistency:
 * containerd's containers, tasks and active snapshots in namespace berth ({@code ctr}), the sandbox
 * namespaces in /run/netns, the lab host's links, addresses, routes and nftables rules, the kernel inside
 * every sandbox (links, addresses, routes, sysctls), the state directory (engine files with their content),
 * and what {@code docker ps -a} and {@code docker inspect} say. Volatile parts (PIDs, counters, handles,
 * link states) are left out, so two worlds are equal when nothing leaked.
 */
record CrashWorld(Map<String, String> parts) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CrashWorld of(DaemonLab d) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("containerd containers", sorted(ctr(d, "containers", "ls", "-q")));
        p.put(
                "containerd tasks",
                sorted(ctr(d, "tasks", "ls")
                        .lines()
                        .skip(1)
                        .map(l -> l.split("\\s+"))
                        .map(f -> f[0] + " " + f[2])
                        .toList()));
        p.put("containerd active snapshots", sorted(activeSnapshots(d)));
        p.put("sandbox namespaces", sorted(sandboxNamespaces(d)));
        p.put(
                "host links",
                sorted(d.host.ip("-br", "link")
                        .stdout()
                        .lines()
                        .map(l -> l.split("\\s+")[0])
                        .toList()));
        p.put(
                "host addresses",
                sorted(d.host.ip("-br", "addr")
                        .stdout()
                        .lines()
                        .map(l -> linkLocalOut(l.replaceAll("\\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN)\\s+", " ")))
                        .toList()));
        p.put(
                "host routes",
                sorted(d.host.ip("route", "show", "table", "all")
                        .stdout()
                        .lines()
                        .filter(l -> !l.contains("fe80:"))
                        .map(l -> l.replace(" linkdown", ""))
                        .toList()));
        p.put(
                "host nftables",
                d.host.exec("nft", "list", "ruleset")
                        .stdout()
                        .replaceAll("counter packets \\d+ bytes \\d+", "counter")
                        .replaceAll(" # handle \\d+", ""));
        for (String ns : sandboxNamespaces(d)) {
            var in = d.lab.existing(ns);
            p.put(
                    "sandbox " + ns,
                    String.join(
                            "\n",
                            in.ip("-br", "link").stdout().replaceAll("\\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN)\\s+", " "),
                            linkLocalOut(in.ip("-br", "addr")
                                    .stdout()
                                    .replaceAll("\\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN)\\s+", " ")),
                            String.join(
                                    "\n",
                                    in.ip("route", "show", "table", "all")
                                            .stdout()
                                            .lines()
                                            .filter(l -> !l.contains("fe80:"))
                                            .toList()),
                            in.exec(
                                            "sysctl",
                                            "-n",
                                            "net.ipv4.ip_forward",
                                            "net.ipv4.conf.all.rp_filter",
                                            "net.ipv6.conf.all.disable_ipv6")
                                    .stdout()));
        }
        p.put("state files", files(d.dir.resolve("state"), true));
        p.put("run files", files(d.dir.resolve("run"), false));
        p.put(
                "docker ps -a",
                sorted(d.dockerOk("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.State}}")
                        .lines()
                        .toList()));
        return new CrashWorld(p);
    }

    /** IPv6 link-local addresses come and go with DAD a moment after a link is up: not state Berth owns. */
    private static String linkLocalOut(String s) {
        return s.replaceAll(" fe80:[0-9a-f:]+/64", "");
    }

    /** What differs from {@code other}, part by part; empty when equal. */
    String diff(CrashWorld other) {
        StringBuilder b = new StringBuilder();
        Set<String> keys = new TreeSet<>(parts.keySet());
        keys.addAll(other.parts.keySet());
        for (String k : keys) {
            String a = parts.getOrDefault(k, "(none)"), o = other.parts.getOrDefault(k, "(none)");
            if (!a.equals(o))
                b.append("--- ")
                        .append(k)
                        .append(":\n")
                        .append(a)
                        .append("\n+++ now:\n")
                        .append(o)
                        .append('\n');
        }
        return b.toString();
    }

    /**
     * What a restart after a crash must have made true: nothing of containerd or the kernel without its
     * container, no running container without its network, no address twice, and docker ps/inspect agreeing
     * with containerd and the kernel. Returns the problems found.
     */
    static List<String> problems(DaemonLab d) {
        List<String> out = new ArrayList<>();
        Set<String> records =
                new HashSet<>(d.dockerOk("ps", "-aq", "--no-trunc").lines().toList());
        Set<String> ctrContainers =
                new HashSet<>(ctr(d, "containers", "ls", "-q").lines().toList());
        for (String c : ctrContainers) if (!records.contains(c)) out.add("containerd container without a record: " + c);
        for (String s : activeSnapshots(d))
            if (!ctrContainers.contains(s)) out.add("active snapshot without a containerd container: " + s);
        Map<String, String> tasks = new HashMap<>();
        for (String l : ctr(d, "tasks", "ls").lines().skip(1).toList()) {
            String[] f = l.split("\\s+");
            tasks.put(f[0], f[2]);
            if (!records.contains(f[0])) out.add("task without a record: " + l);
            if (!f[2].equals("RUNNING") && !f[2].equals("PAUSED")) out.add("task left " + f[2] + ": " + l);
        }
        Set<String> namespaces = new HashSet<>(sandboxNamespaces(d));
        Set<String> wanted = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        int endpoints = 0;
        for (String id : records) {
            JsonNode c = inspect(d, id);
            String name = c.get("Name").asText().substring(1);
            boolean running = c.get("State").get("Running").asBoolean();
            if (running != "RUNNING".equals(tasks.get(id)))
                out.add(name + ": inspect says Running=" + running + ", containerd says "
                        + tasks.getOrDefault(id, "no task"));
            if (!running) continue;
            String ns = d.netnsPrefix + name;
            wanted.add(ns);
            if (!namespaces.contains(ns)) {
                out.add("running container without its network namespace: " + name);
                continue;
            }
            String inside = d.lab.existing(ns).ip("-o", "-4", "addr").stdout();
            for (var e : c.get("NetworkSettings").get("Networks").properties()) {
                String ip = e.getValue().path("IPAddress").asText("");
                if (ip.isEmpty()) {
                    out.add(name + ": no address on " + e.getKey());
                    continue;
                }
                endpoints++;
                if (!addresses.add(ip)) out.add("address given twice: " + ip);
                if (!inside.contains(" " + ip + "/"))
                    out.add(name + ": " + ip + " (" + e.getKey() + ") is not in its namespace:\n" + inside);
            }
        }
        for (String ns : namespaces)
            if (!wanted.contains(ns)) out.add("sandbox namespace without a running container: " + ns);
        long veths = d.host.ip("-br", "link")
                .stdout()
                .lines()
                .filter(l -> l.startsWith("veth"))
                .count();
        if (veths != endpoints)
            out.add(veths + " veths on the host for " + endpoints + " endpoints of running containers");
        return out;
    }

    private static JsonNode inspect(DaemonLab d, String id) {
        try {
            return JSON.readTree(d.dockerOk("inspect", id)).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String ctr(DaemonLab d, String... args) {
        List<String> c = new ArrayList<>(List.of(
                "ctr", "-a", d.dir.resolve("run/containerd/containerd.sock").toString(), "-n", "berth"));
        c.addAll(List.of(args));
        ExecResult r = Commands.run(c);
        if (!r.ok()) throw new AssertionError("ctr " + String.join(" ", args) + ": " + r.stderr());
        return r.stdout();
    }

    /** Keys of active snapshots (containers' root file systems; committed ones are image layers). */
    private static List<String> activeSnapshots(DaemonLab d) {
        return ctr(d, "snapshots", "ls")
                .lines()
                .skip(1)
                .map(l -> l.split("\\s+"))
                .filter(f -> f.length >= 3 && f[f.length - 1].equals("Active"))
                .map(f -> f[0])
                .toList();
    }

    private static List<String> sandboxNamespaces(DaemonLab d) {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(d.netnsPrefix))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every file of a state or run directory but containerd's own and the record journals' (the engine's
     * and the containers'), whose records are listed instead: the engine's with a hash of their content.
     */
    private static String files(Path state, boolean journals) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(state)) {
            for (Path p : s.sorted().toList()) {
                String rel = state.relativize(p).toString();
                if (rel.startsWith("containerd") || rel.startsWith("images")) continue;
                if (journals && (rel.startsWith("engine/") || rel.startsWith("containers/"))) continue;
                if (Files.isDirectory(p)) continue;
                out.add(rel);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (journals) {
            RecordJournal.peek(state.resolve("engine")).forEach((k, v) -> out.add("engine/" + k + " " + hash(v)));
            RecordJournal.peek(state.resolve("containers")).forEach((k, v) -> out.add("containers/" + k));
        }
        return String.join("\n", out);
    }

    private static String hash(byte[] b) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b))
                    .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sorted(List<String> lines) {
        return String.join("\n", new TreeSet<>(lines));
    }

    private static String sorted(String lines) {
        return sorted(lines.lines().toList());
    }
}
