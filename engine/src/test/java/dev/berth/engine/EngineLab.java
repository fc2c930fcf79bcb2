package dev.berth.engine;

import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.model.Sandbox;
import dev.berth.engine.tx.Faults;
import dev.berth.lab.Commands;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The seeds' stage: a lab namespace "host" where the engine runs, and an outside machine "ext" on a
 * wire to it (host 192.0.2.1/24, ext 192.0.2.2/24; ext knows no route to container subnets). Sandboxes
 * are namespaces named with the lab's prefix, so the lab removes them whatever happens.
 */
final class EngineLab implements AutoCloseable {
    final Lab lab;
    final LabHost host;
    final LabHost ext;
    final NetnsHandle hostNs;
    final Path stateDir;
    private Engine engine;

    EngineLab(Lab lab) {
        this.lab = lab;
        this.host = lab.host("host");
        this.ext = lab.host("ext");
        lab.connect(host, "eth0", "192.0.2.1/24", ext, "eth0", "192.0.2.2/24");
        this.hostNs = Netns.open(host.name());
        try {
            this.stateDir = Files.createTempDirectory("berth-state-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    EngineConfig config() {
        return EngineConfig.of(stateDir, hostNs, NftablesFirewall::new).withNetnsPrefix(lab.prefix("sb-"));
    }

    Engine start() {
        return start(config());
    }

    Engine start(EngineConfig c) {
        if (engine != null) engine.close();
        engine = Engine.start(c);
        return engine;
    }

    /** Stops the engine as a crash or a daemon restart would: nothing in the kernel is cleaned. */
    Engine restart() {
        return start(config().withFaults(Faults.NONE));
    }

    /** The sandbox's namespace, to run commands in as {@code ip netns exec} would. */
    LabHost in(Sandbox s) {
        return lab.existing(engine.netnsPath(s).getFileName().toString());
    }

    LabHost in(String name) {
        return in(engine.sandbox(name));
    }

    /** Everything a user could inspect of the host's kernel state: links, addresses, routes, Berth's nft tables. */
    String kernelSnapshot() {
        StringBuilder s = new StringBuilder();
        s.append(host.run("ip", "-o", "link", "show").stdout().replaceAll("link/ether \\S+", "").replaceAll("qlen \\d+", ""));
        s.append(host.run("ip", "-o", "addr", "show").stdout().replaceAll("valid_lft.*", ""));
        s.append(host.run("ip", "route", "show", "table", "all").stdout());
        s.append(host.run("nft", "list", "ruleset").stdout().replaceAll("packets \\d+ bytes \\d+", ""));
        s.append(Commands.run(List.of("ip", "netns", "list")).stdout().lines()
                .filter(l -> l.startsWith(lab.prefix("sb-"))).map(l -> l.split(" ")[0]).sorted().toList());
        return s.toString();
    }

    @Override
    public void close() {
        if (engine != null) engine.close();
        hostNs.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary directory
        }
    }
}
