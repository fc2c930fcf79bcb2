package dev.berth.bench.dns;

import dev.berth.dns.DnsConfig;
import dev.berth.dns.DnsNetwork;
import dev.berth.dns.DnsStats;
import dev.berth.dns.EmbeddedDns;
import dev.berth.dns.NameTable;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Berth's embedded resolver alone in a JVM, as berthd would run it, for the DNS benchmark: started
 * with {@code nsenter --net=/run/netns/<lab host>} so its upstream sockets live in that lab
 * namespace. Arguments: {@code UPSTREAM_IP SPEC_FILE}; each spec line is
 * {@code sandboxId name netnsPath networkName ipv4 [alias,...]}. Prints "ready", then every 2 s a
 * line {@code mem rss_kb=.. old_gen_kb=.. loop_alloc_bytes=.. queries=..}; exits when its
 * standard input closes.
 */
public final class DnsBenchServer {
    public static void main(String[] args) throws Exception {
        Logger.getLogger("dev.berth").setLevel(Level.WARNING);
        InetSocketAddress upstream = new InetSocketAddress(InetAddress.getByName(args[0]), 53);
        List<DnsNetwork> networks = new ArrayList<>();
        List<Sandbox> sandboxes = new ArrayList<>();
        List<Endpoint> endpoints = new ArrayList<>();
        List<String[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            if (line.isBlank()) continue;
            String[] w = line.trim().split("\\s+");
            lines.add(w);
            String netId = String.format("%064x", w[3].hashCode() & 0xffffffffL);
            if (networks.stream().noneMatch(n -> n.id().equals(netId)))
                networks.add(new DnsNetwork(netId, w[3], false));
            sandboxes.add(
                    new Sandbox(w[0], w[1], w[0].substring(0, 12), new NetnsMode.Own(w[2]), List.of(), List.of()));
            List<String> aliases = w.length > 5 ? Arrays.asList(w[5].split(",")) : List.of();
            endpoints.add(new Endpoint(
                    "e" + w[0], netId, w[0], "eth0", null, null, InetAddress.getByName(w[4]), null, aliases));
        }
        EmbeddedDns dns = EmbeddedDns.start(DnsConfig.of(Netns.current(), List.of(upstream)));
        dns.update(NameTable.of(networks, sandboxes, endpoints));
        for (String[] w : lines) dns.attach(w[0], Path.of(w[2]));
        System.out.println("ready");
        System.out.flush();
        Thread reporter = Thread.ofPlatform().daemon().start(() -> report(dns));
        while (System.in.read() >= 0) {
            // wait for the driver to close our stdin
        }
        reporter.interrupt();
        dns.close();
    }

    private static void report(EmbeddedDns dns) {
        long loopId = -1;
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals("berth-dns")) loopId = t.threadId();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
            // What survives young collections: a leak shows as growth here (Serial's tenured generation).
            long oldGen = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
                if (p.getType() == MemoryType.HEAP
                        && (p.getName().contains("Tenured") || p.getName().contains("Old")))
                    oldGen += p.getUsage().getUsed();
            DnsStats s = dns.stats();
            System.out.println("mem rss_kb=" + rssKb() + " old_gen_kb=" + oldGen / 1024 + " loop_alloc_bytes="
                    + (loopId < 0 ? -1 : threads.getThreadAllocatedBytes(loopId)) + " queries=" + s.queries()
                    + " local=" + s.local() + " forwarded=" + s.forwarded() + " servfail=" + s.servfail()
                    + " overloaded=" + s.overloaded());
            System.out.flush();
        }
    }

    static long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status")))
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", ""));
        } catch (IOException ignored) {
            // not Linux
        }
        return -1;
    }
}
