package dev.berth.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * An isolated topology for a test, demo or benchmark: network namespaces named
 * {@code blab-<run id>-<role>}, veth links between them, an underlay switch, processes started inside.
 * Built with iproute2, so it is independent of the Berth code under test. Closing it stops every
 * process it started (by PID) and deletes every namespace it made, even after a failed test; creating
 * one first sweeps namespaces left by labs whose process has died. Nothing in the caller's own
 * namespace is touched.
 */
public final class Lab implements AutoCloseable {
    public static final String PREFIX = "blab-";
    static final Path REGISTRY = Path.of("/run/berth-lab");
    private static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9-]{0,30}");

    private final String runId;
    private final Path record;
    private final Map<String, LabHost> hosts = new LinkedHashMap<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private LabHost switchHost;
    private int switchPorts;
    private boolean closed;

    private Lab(String runId) {
        this.runId = runId;
        this.record = REGISTRY.resolve(runId);
    }

    /** Sweeps stale labs, then starts a new, empty one. Needs root. */
    public static Lab create() {
        if (!"root".equals(System.getProperty("user.name")))
            throw new LabException("labs need root (network namespaces and veth pairs); run the tests as root");
        LabSweeper.sweep();
        String id = HexFormat.of()
                .toHexDigits(ThreadLocalRandom.current().nextInt())
                .substring(0, 6);
        Lab lab = new Lab(id);
        lab.register();
        return lab;
    }

    public String runId() {
        return runId;
    }

    /** Creates the namespace {@code blab-<id>-<role>} with {@code lo} up. */
    public synchronized LabHost host(String role) {
        if (!ROLE.matcher(role).matches())
            throw new LabException("lab role '" + role + "' must be 1-31 of a-z, 0-9 and '-'");
        if (hosts.containsKey(role)) throw new LabException("lab " + runId + " already has a host '" + role + "'");
        String ns = PREFIX + runId + "-" + role;
        Commands.run(List.of("ip", "netns", "add", ns)).check();
        LabHost h = new LabHost(this, role, ns);
        hosts.put(role, h);
        h.ip("link", "set", "lo", "up");
        return h;
    }

    /**
     * A prefix for namespaces that code under test creates itself (e.g. sandboxes): names that start
     * with it belong to this run, so closing the lab deletes them too.
     */
    public String prefix(String role) {
        return PREFIX + runId + "-" + role;
    }

    /** A handle on a namespace of this run that something else created ({@code prefix(...)} names). */
    public LabHost existing(String netnsName) {
        if (!netnsName.startsWith(PREFIX + runId + "-"))
            throw new LabException("namespace " + netnsName + " is not part of lab " + runId);
        return new LabHost(this, netnsName.substring((PREFIX + runId + "-").length()), netnsName);
    }

    public Optional<LabHost> find(String role) {
        return Optional.ofNullable(hosts.get(role));
    }

    /**
     * Joins two hosts with a veth pair, {@code aIf} in {@code a} and {@code bIf} in {@code b}, each with
     * an address ({@code 10.0.0.1/24}; null for none) and up.
     */
    public void connect(LabHost a, String aIf, String aCidr, LabHost b, String bIf, String bCidr) {
        a.ip("link", "add", aIf, "type", "veth", "peer", "name", bIf, "netns", b.name());
        configure(a, aIf, aCidr);
        configure(b, bIf, bCidr);
    }

    private static void configure(LabHost h, String ifName, String cidr) {
        if (cidr != null) h.ip("addr", "add", cidr, "dev", ifName);
        h.ip("link", "set", ifName, "up");
    }

    /** The lab's underlay switch: a namespace holding bridge {@code br0}, made on first use. */
    public synchronized LabHost underlaySwitch() {
        if (switchHost == null) {
            switchHost = host("switch");
            switchHost.ip("link", "add", "br0", "type", "bridge", "stp_state", "0");
            switchHost.ip("link", "set", "br0", "up");
        }
        return switchHost;
    }

    /** Plugs {@code h} into the underlay switch through interface {@code ifName} with address {@code cidr}. */
    public synchronized void plug(LabHost h, String ifName, String cidr) {
        LabHost sw = underlaySwitch();
        String port = "p" + (++switchPorts);
        h.ip("link", "add", ifName, "type", "veth", "peer", "name", port, "netns", sw.name());
        sw.ip("link", "set", port, "master", "br0", "up");
        configure(h, ifName, cidr);
    }

    synchronized LabProcess spawn(List<String> command) {
        return spawn(command, Map.of());
    }

    synchronized LabProcess spawn(List<String> command, Map<String, String> env) {
        try {
            Path log = Files.createTempFile("blab-" + runId + "-", ".log");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            LabProcess lp = new LabProcess(p, log);
            processes.add(lp);
            Instant start = p.info().startInstant().orElse(Instant.EPOCH);
            Files.writeString(record, "proc " + p.pid() + " " + start.toEpochMilli() + "\n", StandardOpenOption.APPEND);
            return lp;
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command), e);
        }
    }

    private void register() {
        try {
            Files.createDirectories(REGISTRY);
            ProcessHandle self = ProcessHandle.current();
            long start = self.info().startInstant().orElse(Instant.EPOCH).toEpochMilli();
            Files.writeString(record, "owner " + self.pid() + " " + start + "\n");
        } catch (IOException e) {
            throw new LabException("cannot record lab " + runId + " in " + REGISTRY, e);
        }
    }

    /** Stops the lab's processes and deletes its namespaces; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        List<String> failures = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        failures.addAll(LabSweeper.deleteNamespaces(runId));
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
        if (!failures.isEmpty()) throw new LabException("lab " + runId + " teardown: " + String.join("; ", failures));
    }
}
