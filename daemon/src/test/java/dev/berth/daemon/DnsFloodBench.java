package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.daemon.soak.Gauges;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedded DNS of a real berthd under a continuous flood: dnsperf inside a container's namespace
 * queries 127.0.0.11 (berthd's listener there) with local names, an alias, a short id, NXDOMAIN and a
 * name forwarded to an upstream on the lab's outside host, minute after minute; after each minute
 * berthd's RSS (as it is, and after a full GC), heap in use, open files, sockets and threads, and that
 * minute's qps and lost queries. Not in the suite (a benchmark): {@code scripts/bench-dns.sh
 * --berthd-flood MINUTES} runs it with {@code -Dberth.dnsflood.minutes=N -Dberth.dnsflood.out=FILE}
 * (each line is appended as it comes, so a stopped run keeps its minutes). It fails if berthd's open
 * files grow past a small constant or more than 1% of the queries go unanswered.
 */
@ExtendWith(LabExtension.class)
class DnsFloodBench {
    private static final int MINUTES = Integer.getInteger("berth.dnsflood.minutes", 2);
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([\\d.]+)");
    private static final Pattern SENT = Pattern.compile("Queries sent:\\s+(\\d+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");

    @Test
    void embeddedDnsStaysFlatUnderAFlood(Lab lab) throws Exception {
        try (DaemonLab d = DaemonLab.withImages(lab);
                Upstream up = new Upstream(d.ext, "192.0.2.2");
                PrintStream out = output()) {
            d.dockerOk("network", "create", "flood");
            d.dockerOk(
                    "run",
                    "-d",
                    "--name",
                    "target",
                    "--network",
                    "flood",
                    "--network-alias",
                    "web",
                    "busybox",
                    "sleep",
                    "100000");
            String client = d.dockerOk(
                            "run", "-d", "--name", "client", "--network", "flood", "busybox", "sleep", "100000")
                    .trim();
            LabHost in = d.in("client");
            assertEquals(
                    d.inspect("container", "inspect", "target")
                            .at("/NetworkSettings/Networks/flood/IPAddress")
                            .asText(),
                    in.exec("dig", "+short", "@127.0.0.11", "target").stdout().strip());
            assertEquals(
                    "198.51.100.2",
                    in.exec("dig", "+short", "@127.0.0.11", "www.example")
                            .stdout()
                            .strip(),
                    "forwarded upstream");
            Path queries = Files.createTempFile("berth-dnsflood-", ".q");
            queries.toFile().deleteOnExit();
            Files.writeString(
                    queries,
                    "target A\nweb A\nwww.example A\n" + client.substring(0, 12) + " A\nnothere.example AAAA\n");

            Gauges gauges = new Gauges(d.pid(), d.host, d.dir.resolve("state"), d.dir.resolve("run"), d.netnsPrefix);
            out.println("# berthd embedded DNS flood: " + MINUTES
                    + " min of dnsperf (1 client thread, 100 outstanding) from inside container"
                    + " 'client' against 127.0.0.11; names: local, alias, short id, forwarded to a lab upstream, NXDOMAIN AAAA; "
                    + Runtime.getRuntime().availableProcessors() + " CPUs shared with other load; " + Instant.now());
            out.println(
                    "# per minute: that minute's qps and lost queries; berthd's RSS as it is, then after jcmd GC.run with heap in use,"
                            + " open files, sockets, threads; load average");
            dnsperf(in, queries, 10); // warm-up, not reported
            Gauges.Reading first = gauges.read(true);
            out.println(String.format(Locale.ROOT, "minute=0 %s load=%s", first.line(), load()));
            List<double[]> minutes = new ArrayList<>();
            List<Gauges.Reading> readings = new ArrayList<>(List.of(first));
            for (int m = 1; m <= MINUTES; m++) {
                double[] f = dnsperf(in, queries, 60);
                long rss = rssKb(d.pid());
                Gauges.Reading r = gauges.read(true);
                minutes.add(f);
                readings.add(r);
                out.println(String.format(
                        Locale.ROOT,
                        "minute=%d qps=%.0f sent=%d lost=%d rss_before_gc_mb=%.1f %s load=%s",
                        m,
                        f[0],
                        (long) f[1],
                        (long) f[2],
                        rss / 1024.0,
                        r.line(),
                        load()));
            }
            summary(out, minutes, readings);
            long sent = minutes.stream().mapToLong(f -> (long) f[1]).sum(),
                    lost = minutes.stream().mapToLong(f -> (long) f[2]).sum();
            assertTrue(lost <= sent / 100, "lost " + lost + " of " + sent + " queries");
            for (Gauges.Reading r : readings)
                assertTrue(r.fds() <= first.fds() + 8, "berthd's open files grew: " + first.fds() + " -> " + r.fds());
        }
    }

    private static void summary(PrintStream out, List<double[]> minutes, List<Gauges.Reading> readings) {
        if (minutes.isEmpty()) return;
        double min = minutes.stream().mapToDouble(f -> f[0]).min().orElse(0),
                max = minutes.stream().mapToDouble(f -> f[0]).max().orElse(0);
        Gauges.Reading a = readings.get(1), b = readings.getLast();
        out.println(String.format(
                Locale.ROOT,
                "summary qps first=%.0f last=%.0f min=%.0f max=%.0f last/first=%.2f queries=%d lost=%d",
                minutes.getFirst()[0],
                minutes.getLast()[0],
                min,
                max,
                minutes.getLast()[0] / minutes.getFirst()[0],
                minutes.stream().mapToLong(f -> (long) f[1]).sum(),
                minutes.stream().mapToLong(f -> (long) f[2]).sum()));
        out.println(String.format(
                Locale.ROOT,
                "summary after-gc rss_mb minute1=%.1f last=%.1f heap_used_mb minute1=%.1f last=%.1f"
                        + " fds=%d..%d sockets=%d..%d threads=%d..%d",
                a.rssKb() / 1024.0,
                b.rssKb() / 1024.0,
                a.heapUsedKb() / 1024.0,
                b.heapUsedKb() / 1024.0,
                readings.stream().mapToInt(Gauges.Reading::fds).min().orElse(0),
                readings.stream().mapToInt(Gauges.Reading::fds).max().orElse(0),
                readings.stream().mapToInt(Gauges.Reading::sockets).min().orElse(0),
                readings.stream().mapToInt(Gauges.Reading::sockets).max().orElse(0),
                readings.stream().mapToInt(Gauges.Reading::threads).min().orElse(0),
                readings.stream().mapToInt(Gauges.Reading::threads).max().orElse(0)));
    }

    /** dnsperf inside {@code in} for {@code seconds}: qps, queries sent, queries lost. */
    private static double[] dnsperf(LabHost in, Path queries, int seconds) {
        ExecResult r = Commands.run(
                List.of(
                        "nsenter",
                        "--net=" + in.netnsPath(),
                        "dnsperf",
                        "-s",
                        "127.0.0.11",
                        "-d",
                        queries.toString(),
                        "-l",
                        Integer.toString(seconds),
                        "-t",
                        "1"),
                Duration.ofSeconds(seconds + 60L),
                null);
        Matcher q = QPS.matcher(r.stdout()), s = SENT.matcher(r.stdout()), l = LOST.matcher(r.stdout());
        if (!q.find() || !s.find() || !l.find())
            throw new IllegalStateException("dnsperf failed: " + r.stdout() + r.stderr());
        return new double[] {
            Double.parseDouble(q.group(1)), Double.parseDouble(s.group(1)), Double.parseDouble(l.group(1))
        };
    }

    private static long rssKb(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        return -1;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static PrintStream output() {
        String file = System.getProperty("berth.dnsflood.out");
        if (file == null)
            return new PrintStream(System.out, true) {
                @Override
                public void close() {
                    flush(); // System.out stays open
                }
            };
        try {
            return new PrintStream(new FileOutputStream(file, true), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The resolver berthd forwards to ({@code --dns 192.0.2.2}, the lab's outside host): answers every A
     * query with 198.51.100.2 and anything else with an empty NOERROR, built from the query's own bytes,
     * so it is not what limits the forwarded queries.
     */
    static final class Upstream implements AutoCloseable {
        private final DatagramChannel ch;

        Upstream(LabHost host, String address) throws IOException {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(address), 53);
            try (NetnsHandle ns = Netns.open(host.name())) {
                ch = Netns.call(ns, () -> DatagramChannel.open().bind(at));
            }
            Thread.ofPlatform().daemon().name("dnsflood-upstream").start(this::serve);
        }

        private void serve() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            byte[] out = new byte[4096];
            byte[] answer = {(byte) 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, (byte) 198, 51, 100, 2};
            while (ch.isOpen()) {
                try {
                    buf.clear();
                    SocketAddress from = ch.receive(buf);
                    byte[] q = buf.array();
                    int n = buf.position(), end = 12;
                    while (end < n && q[end] != 0) end += (q[end] & 0xff) + 1;
                    end += 5; // the root label, QTYPE, QCLASS
                    if (n < 12 || end > n) continue;
                    System.arraycopy(q, 0, out, 0, end);
                    out[2] = (byte) (0x80 | (q[2] & 0x01));
                    out[3] = (byte) 0x80;
                    out[6] = out[7] = out[8] = out[9] = out[10] = out[11] = 0;
                    int len = end;
                    if (q[end - 4] == 0 && q[end - 3] == 1) {
                        out[7] = 1;
                        System.arraycopy(answer, 0, out, end, answer.length);
                        len += answer.length;
                    }
                    ch.send(ByteBuffer.wrap(out, 0, len), from);
                } catch (IOException e) {
                    return;
                } catch (RuntimeException e) {
                    // a packet it cannot read
                }
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
