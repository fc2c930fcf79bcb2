package dev.berth.daemon.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.engine.state.RecordJournal;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.LabHost;
import dev.berth.runtime.containerd.ManagedContainerd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a leak would make grow, read from outside berthd: its open files (and sockets among them),
 * threads, RSS after a full GC and heap in use (jcmd), the lab host's links, the network namespaces
 * held by the lab's processes and files, the firewall's set and map elements, and the state directory's
 * entries. Namespaces are counted as the kernel sees them through {@code /proc/PID/ns/net} of the
 * daemon and every process below it, plus the namespace files under the lab's sandbox prefix; the state
 * and run directories by their entries (records, logs, hosts files). containerd's side: its containers,
 * tasks and snapshots in namespace {@code berth} ({@code ctr}), its shims alive and its own open files.
 * The kernel's count of network namespaces ({@code net_namespace} objects in {@code /proc/slabinfo}, which
 * also counts namespaces only a socket keeps alive) is machine-wide, so other users of the machine move
 * it: it is reported, not asserted.
 */
public final class Gauges {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final long pid;
    private final LabHost host;
    private final Path stateDir;
    private final Path runDir;
    private final String netnsPrefix;
    private final Path containerdSocket;

    public Gauges(long pid, LabHost host, Path stateDir, Path runDir, String netnsPrefix) {
        this.pid = pid;
        this.containerdSocket = runDir.resolve("containerd").resolve("containerd.sock");
        this.host = host;
        this.stateDir = stateDir;
        this.runDir = runDir;
        this.netnsPrefix = netnsPrefix;
    }

    /** One reading. {@code gc}: run a full GC first, so RSS and heap show what is still referenced. */
    public record Reading(
            int fds,
            int sockets,
            int threads,
            int links,
            int netns,
            int netnsFiles,
            int nftElements,
            int stateEntries,
            int runEntries,
            int ctrContainers,
            int ctrTasks,
            int ctrSnapshots,
            int shims,
            int containerdFds,
            int kernelNetns,
            long rssKb,
            long heapUsedKb) {
        public String line() {
            return String.format(
                    "fds=%d sockets=%d threads=%d links=%d netns=%d netns_files=%d nft_elements=%d state_entries=%d"
                            + " run_entries=%d ctr_containers=%d ctr_tasks=%d ctr_snapshots=%d shims=%d containerd_fds=%d"
                            + " kernel_netns=%d rss_mb=%.1f heap_used_mb=%.1f",
                    fds,
                    sockets,
                    threads,
                    links,
                    netns,
                    netnsFiles,
                    nftElements,
                    stateEntries,
                    runEntries,
                    ctrContainers,
                    ctrTasks,
                    ctrSnapshots,
                    shims,
                    containerdFds,
                    kernelNetns,
                    rssKb / 1024.0,
                    heapUsedKb / 1024.0);
        }

        /** The counts that must stay flat, by name. */
        public Map<String, Integer> counts() {
            Map<String, Integer> m = new LinkedHashMap<>();
            m.put("open files", fds);
            m.put("sockets", sockets);
            m.put("threads", threads);
            m.put("host links", links);
            m.put("network namespaces", netns);
            m.put("namespace files", netnsFiles);
            m.put("nftables elements", nftElements);
            m.put("state directory entries", stateEntries);
            m.put("run directory entries", runEntries);
            m.put("containerd containers", ctrContainers);
            m.put("containerd tasks", ctrTasks);
            m.put("containerd snapshots", ctrSnapshots);
            m.put("shims", shims);
            m.put("containerd open files", containerdFds);
            return m;
        }
    }

    public Reading read(boolean gc) {
        long rss = 0, heap = 0;
        if (gc) {
            jcmd("GC.run");
            heap = heapUsedKb();
            rss = statusKb("VmRSS");
        }
        int[] files = fds(pid);
        List<Long> shims = ManagedContainerd.shimPids(containerdSocket);
        return new Reading(
                files[0],
                files[1],
                threads(),
                links(),
                netns(shims),
                netnsFiles(),
                nftElements(),
                stateEntries(stateDir),
                entries(runDir),
                ctr("containers", "ls", "-q"),
                ctr("tasks", "ls", "-q"),
                ctr("snapshots", "ls") - 1,
                shims.size(),
                fds(containerdPid())[0],
                kernelNetns(),
                rss,
                heap);
    }

    /** Lines {@code ctr -n berth ARGS} prints. */
    private int ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", containerdSocket.toString(), "-n", "berth"));
        cmd.addAll(List.of(args));
        ExecResult r = Commands.run(cmd, Duration.ofSeconds(60), null);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + ": " + r.stderr());
        return (int) r.stdout().lines().filter(l -> !l.isBlank()).count();
    }

    private long containerdPid() {
        try {
            return Long.parseLong(Files.readString(containerdSocket.resolveSibling("containerd.pid"))
                    .strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no pid file of berthd's containerd next to " + containerdSocket, e);
        }
    }

    /** Network namespaces the kernel holds (machine-wide): live {@code net_namespace} objects. */
    private static int kernelNetns() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/slabinfo")))
                if (l.startsWith("net_namespace ")) return Integer.parseInt(l.split("\\s+")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Open descriptors of {@code pid} and how many of them are sockets. */
    private static int[] fds(long pid) {
        int all = 0, sockets = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : s.toList()) {
                all++;
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("socket:")) sockets++;
                } catch (IOException closedMeanwhile) {
                    // gone between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the descriptors of " + pid + " (is it running?)", e);
        }
        return new int[] {all, sockets};
    }

    private int threads() {
        return (int) statusKb("Threads");
    }

    private long statusKb(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                if (l.startsWith(key + ":"))
                    return Long.parseLong(l.substring(key.length() + 1).trim().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + key + " in /proc/" + pid + "/status");
    }

    private int links() {
        return host.ip("-o", "link", "show").stdout().strip().split("\n").length;
    }

    /**
     * Distinct network namespaces that berthd, containerd's shims and the processes below them are in or
     * hold open as files.
     */
    private int netns(List<Long> shims) {
        Set<String> inodes = new HashSet<>();
        List<Long> roots = new ArrayList<>(List.of(pid));
        roots.addAll(shims);
        for (long p : family(roots)) {
            link(Path.of("/proc/" + p + "/ns/net"), inodes);
            try (Stream<Path> s = Files.list(Path.of("/proc/" + p + "/fd"))) {
                for (Path fd : s.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("net:")) inodes.add(target);
                    } catch (IOException gone) {
                        // closed meanwhile
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
        }
        return inodes.size();
    }

    private static void link(Path p, Set<String> into) {
        try {
            into.add(Files.readSymbolicLink(p).toString());
        } catch (IOException gone) {
            // the process ended
        }
    }

    /** {@code roots} and every process below them. */
    private static List<Long> family(List<Long> roots) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>())
                            .add(Long.parseLong(n));
                } catch (IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Long> out = new ArrayList<>(roots);
        for (int i = 0; i < out.size(); i++) out.addAll(children.getOrDefault(out.get(i), List.of()));
        return out;
    }

    private int netnsFiles() {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith(netnsPrefix))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Elements of every nftables set and map in the lab host (published ports, bridges, ...). */
    private int nftElements() {
        ExecResult r = host.exec("nft", "-j", "list", "ruleset");
        if (!r.ok()) throw new IllegalStateException("nft -j list ruleset: " + r.stderr());
        try {
            int n = 0;
            for (JsonNode o : JSON.readTree(r.stdout()).path("nftables")) {
                for (String kind : List.of("set", "map")) {
                    JsonNode elem = o.path(kind).path("elem");
                    if (elem.isArray()) n += elem.size();
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The state directory's files and directories, and the live records in its record journals instead of the
     * journals' own files: a record is a line in a journal, not a file (a leaked one would not show as an entry),
     * and a journal's snapshot file appears at its first compaction, which is no growth.
     */
    private static int stateEntries(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        Set<String> journalFiles =
                Set.of(RecordJournal.JOURNAL, RecordJournal.SNAPSHOT, RecordJournal.SNAPSHOT + ".tmp");
        int n = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.skip(1).toList()) {
                if (journalFiles.contains(p.getFileName().toString())) continue;
                n++;
                if (Files.isDirectory(p)
                        && (Files.exists(p.resolve(RecordJournal.JOURNAL))
                                || Files.exists(p.resolve(RecordJournal.SNAPSHOT))))
                    n += RecordJournal.peek(p).size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** The live records of the state directory's journals, as {@code DIR:KIND/ID}, to name what a growth is. */
    public Set<String> records() {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(stateDir)) return out;
        try (Stream<Path> s = Files.walk(stateDir)) {
            for (Path d : s.filter(Files::isDirectory).toList())
                if (Files.exists(d.resolve(RecordJournal.JOURNAL)) || Files.exists(d.resolve(RecordJournal.SNAPSHOT)))
                    for (String key : RecordJournal.peek(d).keySet()) out.add(stateDir.relativize(d) + ":" + key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The state directory's files and directories, relative to it, to name what a growth is. */
    public Set<String> stateFiles() {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(stateDir)) return out;
        try (Stream<Path> s = Files.walk(stateDir)) {
            s.forEach(p -> out.add(stateDir.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Files and directories below {@code dir} (none when it does not exist yet). */
    private static int entries(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long heapUsedKb() {
        String out = jcmd("GC.heap_info");
        Matcher m = HEAP_USED.matcher(out);
        long used = 0;
        while (m.find()) used += Long.parseLong(m.group(2)); // serial GC: young and old generations
        return used;
    }

    private String jcmd(String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        ExecResult r =
                Commands.run(List.of(jcmd.toString(), Long.toString(pid), command), Duration.ofSeconds(60), null);
        if (!r.ok()) throw new IllegalStateException("jcmd " + pid + " " + command + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }
}
