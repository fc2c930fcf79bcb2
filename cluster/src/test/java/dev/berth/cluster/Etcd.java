package dev.berth.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.lab.LabProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Real etcd members (Debian's etcd-server), each in its own lab namespace on the underlay switch
 * at 192.168.50.1N. The test owns them by PID; etcdctl (etcd-client) runs inside the lab as the oracle.
 */
final class Etcd {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<Member> members = new ArrayList<>();
    private final Lab lab;

    static final class Member {
        final String name;
        final LabHost host;
        final String ip;
        final Path dataDir;
        LabProcess process;

        Member(String name, LabHost host, String ip, Path dataDir) {
            this.name = name;
            this.host = host;
            this.ip = ip;
            this.dataDir = dataDir;
        }

        String clientUrl() {
            return "http://" + ip + ":2379";
        }
    }

    private Etcd(Lab lab) {
        this.lab = lab;
    }

    /** Starts {@code n} members (1 or 3) and waits until the cluster answers. */
    static Etcd start(Lab lab, int n) {
        Etcd e = new Etcd(lab);
        for (int i = 1; i <= n; i++) {
            LabHost h = lab.host("etcd" + i);
            String ip = "192.168.50.1" + i;
            lab.plug(h, "eth0", ip + "/24");
            try {
                e.members.add(new Member("e" + i, h, ip, Files.createTempDirectory("berth-etcd-")));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        for (Member m : e.members) e.launch(m, "new");
        e.awaitHealthy();
        return e;
    }

    private String initialCluster() {
        return String.join(
                ",",
                members.stream().map(m -> m.name + "=http://" + m.ip + ":2380").toList());
    }

    private void launch(Member m, String state) {
        m.process = m.host.spawn(
                "etcd",
                "--name",
                m.name,
                "--data-dir",
                m.dataDir.toString(),
                "--listen-client-urls",
                m.clientUrl(),
                "--advertise-client-urls",
                m.clientUrl(),
                "--listen-peer-urls",
                "http://" + m.ip + ":2380",
                "--initial-advertise-peer-urls",
                "http://" + m.ip + ":2380",
                "--initial-cluster",
                initialCluster(),
                "--initial-cluster-state",
                state,
                "--initial-cluster-token",
                "berth-" + lab.runId(),
                "--heartbeat-interval",
                "50",
                "--election-timeout",
                "500",
                "--logger",
                "zap",
                "--log-level",
                "error");
    }

    /** {@code etcd://192.168.50.11:2379,...} for ClusterOptions. */
    String store() {
        return "etcd://"
                + String.join(",", members.stream().map(m -> m.ip + ":2379").toList());
    }

    String endpoints() {
        return String.join(
                ",",
                members.stream()
                        .filter(m -> m.process != null && m.process.isAlive())
                        .map(Member::clientUrl)
                        .toList());
    }

    /** Runs etcdctl (API v3) against the live members, from the first member's namespace. */
    ExecResult ctl(String... args) {
        Member from =
                members.stream().filter(m -> m.process.isAlive()).findFirst().orElseThrow();
        List<String> c = new ArrayList<>(List.of(
                "env",
                "ETCDCTL_API=3",
                "etcdctl",
                "--dial-timeout=2s",
                "--command-timeout=4s",
                "--endpoints=" + endpoints()));
        c.addAll(List.of(args));
        return from.host.exec(c.toArray(String[]::new));
    }

    void put(String key, String value) {
        ctl("put", key, value).check();
    }

    /** Keys and values under a prefix. */
    List<String[]> list(String prefix) {
        String out = ctl("get", "--prefix", prefix).check().stdout();
        List<String[]> kv = new ArrayList<>();
        String[] lines = out.split("\n");
        for (int i = 0; i + 1 < lines.length; i += 2) kv.add(new String[] {lines[i], lines[i + 1]});
        return kv;
    }

    void awaitHealthy() {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (ctl("endpoint", "health").ok()) return;
            sleep(100);
        }
        throw new AssertionError(
                "etcd did not become healthy: " + members.getFirst().process.output());
    }

    /** The member that is raft leader now. */
    Optional<Member> leader() {
        ExecResult r = ctl("endpoint", "status", "-w", "json");
        if (!r.ok()) return Optional.empty();
        try {
            for (JsonNode s : JSON.readTree(r.stdout())) {
                JsonNode st = s.path("Status");
                if (st.path("header").path("member_id").asLong()
                        == st.path("leader").asLong()) {
                    String ep = s.path("Endpoint").asText();
                    return members.stream()
                            .filter(m -> m.clientUrl().equals(ep))
                            .findFirst();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.empty();
    }

    /** kill -9 of one member, by the PID the test started. */
    void kill(Member m) {
        ProcessHandle.of(m.process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        m.process.waitFor(Duration.ofSeconds(5));
    }

    void restart(Member m) {
        launch(m, "existing");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
