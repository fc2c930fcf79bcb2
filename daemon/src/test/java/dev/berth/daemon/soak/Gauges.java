package dev.berth.daemon.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.LabHost;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a leak would make grow, read from outside berthd: its open files (and sockets among them),
 * threads, RSS after a full GC and heap in use (jcmd), the lab host's links, the network namespaces
 * held by the lab's processes and files, the firewall's set and map elements, and the state directory's
 * entries. Namespaces are counted as the kernel sees them through {@code /proc/PID/ns/net} of the
 * daemon and every process below it, plus the namespace files under the lab's sandbox prefix; the state
 * and run directories by their entries (records, logs, hosts files).
 */
public final class Gauges {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private final long pid;
    private final LabHost host;
    private final Path stateDir;
    private final Path runDir;
    private final String netnsPrefix;

    public Gauges(long pid, LabHost host, Path stateDir, Path runDir, String netnsPrefix) {
        this.pid = pid;
        this.host = host;
        this.stateDir = stateDir;
        this.runDir = runDir;
        this.netnsPrefix = netnsPrefix;
    }

    /** One reading. {@code gc}: run a full GC first, so RSS and heap show what is still referenced. */
    public record Reading(int fds, int sockets, int threads, int links, int netns, int netnsFiles, int nftElements,
                          int stateEntries, int runEntries, long rssKb, long heapUsedKb) {
        public String line() {
            return String.format("fds=%d sockets=%d threads=%d links=%d netns=%d netns_files=%d nft_elements=%d state_entries=%d"
                            + " run_entries=%d rss_mb=%.1f heap_used_mb=%.1f", fds, sockets, threads, links, netns, netnsFiles, nftElements,
                    stateEntries, runEntries, rssKb / 1024.0, heapUsedKb / 1024.0);
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
        int[] files = fds();
        return new Reading(files[0], files[1], threads(), links(), netns(), netnsFiles(), nftElements(), entries(stateDir),
                entries(runDir), rss, heap);
    }

    /** Open descriptors and how many of them are sockets. */
    private int[] fds() {
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
            throw new UncheckedIOException("cannot list berthd's descriptors (is it running?)", e);
        }
        return new int[] {all, sockets};
    }

    private int threads() {
        return (int) statusKb("Threads");
    }

    private long statusKb(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
                if (l.startsWith(key + ":")) return Long.parseLong(l.substring(key.length() + 1).trim().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + key + " in /proc/" + pid + "/status");
    }

    private int links() {
        return host.ip("-o", "link", "show").stdout().strip().split("\n").length;
    }

    /** Distinct network namespaces that berthd and its descendants are in or hold open as files. */
    private int netns() {
        Set<String> inodes = new HashSet<>();
        for (long p : family()) {
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

    /** berthd and every process below it. */
    private List<Long> family() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(n));
                } catch (IOException | RuntimeException gone) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Long> out = new ArrayList<>(List.of(pid));
        for (int i = 0; i < out.size(); i++) out.addAll(children.getOrDefault(out.get(i), List.of()));
        return out;
    }

    private int netnsFiles() {
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith(netnsPrefix)).count();
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
        ExecResult r = Commands.run(List.of(jcmd.toString(), Long.toString(pid), command), Duration.ofSeconds(60), null);
        if (!r.ok()) throw new IllegalStateException("jcmd " + pid + " " + command + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }
}
