package dev.berth.dns;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Sandbox;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The stage for resolver tests: a lab namespace "host" where the engine and the resolver's upstream
 * sockets live, and a machine "up" on a wire to it (host 192.0.2.1, up 192.0.2.2 and 192.0.2.3)
 * running two {@link FakeUpstream}s that answer {@code NAME.example.} with 198.51.100.2 and
 * 198.51.100.3. Sandboxes are made by the engine and queried from inside with dig.
 */
final class DnsLab implements AutoCloseable {
    static final InetSocketAddress UP1 = new InetSocketAddress("192.0.2.2", 53),
            UP2 = new InetSocketAddress("192.0.2.3", 53);
    final Lab lab;
    final LabHost host, up;
    final NetnsHandle hostNs, upNs;
    final Engine engine;
    final FakeUpstream upstream1, upstream2;
    private final Path stateDir;
    EmbeddedDns dns;

    DnsLab(Lab lab) {
        this.lab = lab;
        this.host = lab.host("host");
        this.up = lab.host("up");
        lab.connect(host, "eth0", "192.0.2.1/24", up, "eth0", "192.0.2.2/24");
        up.ip("addr", "add", "192.0.2.3/24", "dev", "eth0");
        this.hostNs = Netns.open(host.name());
        this.upNs = Netns.open(up.name());
        try {
            this.stateDir = Files.createTempDirectory("berth-dns-state-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.engine = Engine.start(
                EngineConfig.of(stateDir, hostNs, NftablesFirewall::new).withNetnsPrefix(lab.prefix("sb-")));
        this.upstream1 = new FakeUpstream(upNs, "192.0.2.2", "198.51.100.2");
        this.upstream2 = new FakeUpstream(upNs, "192.0.2.3", "198.51.100.3");
    }

    /** Starts the resolver forwarding to the first fake upstream. */
    EmbeddedDns startDns() {
        return startDns(DnsConfig.of(hostNs, List.of(UP1)));
    }

    EmbeddedDns startDns(DnsConfig c) {
        dns = EmbeddedDns.start(c);
        return dns;
    }

    /** {@code run --network NET --network-alias ...}: creates the sandbox, attaches it and publishes the names. */
    Sandbox run(String name, String network, String... aliases) {
        return run(new SandboxRequest(
                name,
                null,
                network,
                new EndpointRequest(null, null, null, List.of(aliases)),
                List.of(),
                false,
                List.of()));
    }

    Sandbox run(SandboxRequest r) {
        Sandbox s = engine.createSandbox(r);
        dns.attach(s.id(), engine.netnsPath(s));
        refresh();
        return s;
    }

    void refresh() {
        dns.update(NameTable.from(new NameSource(
                () -> engine.networks().stream()
                        .map(n -> new DnsNetwork(n.id(), n.name(), n.predefined()))
                        .toList(),
                engine::sandboxes,
                engine::endpointsOf)));
    }

    LabHost in(Sandbox s) {
        return lab.existing(engine.netnsPath(s).getFileName().toString());
    }

    /** What dig inside the sandbox gets from 127.0.0.11: the status and the answer data, in order. */
    Answer dig(Sandbox from, String name, String type, String... options) {
        List<String> cmd =
                new ArrayList<>(List.of("dig", "@127.0.0.11", "+time=3", "+tries=1", "+noall", "+answer", "+comments"));
        cmd.addAll(List.of(options));
        cmd.add(name);
        cmd.add(type);
        ExecResult r = in(from).exec(cmd.toArray(String[]::new));
        return Answer.parse(r.stdout());
    }

    record Answer(String status, List<String> data, String flags, String raw) {
        private static final Pattern STATUS = Pattern.compile("status: (\\w+)");
        private static final Pattern FLAGS = Pattern.compile(";; flags: ([a-z ]*);");

        static Answer parse(String out) {
            Matcher m = STATUS.matcher(out);
            String status = m.find() ? m.group(1) : "NO-ANSWER";
            Matcher f = FLAGS.matcher(out);
            String flags = f.find() ? f.group(1) : "";
            List<String> data = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.isBlank() || line.startsWith(";")) continue;
                String[] w = line.trim().split("\\s+");
                data.add(w[w.length - 1]);
            }
            return new Answer(status, data, flags, out);
        }

        @Override
        public String toString() {
            return status + " " + data;
        }
    }

    @Override
    public void close() {
        if (dns != null) dns.close();
        upstream1.close();
        upstream2.close();
        engine.close();
        hostNs.close();
        upNs.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory
        }
    }
}
