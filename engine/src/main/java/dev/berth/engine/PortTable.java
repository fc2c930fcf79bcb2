package dev.berth.engine;

import dev.berth.engine.request.PortSpec;
import dev.berth.model.BerthException;
import dev.berth.model.PortMapping;
import dev.berth.model.Protocol;
import dev.berth.model.net.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which host ports are published, so a second publication of the same host IP, port and protocol
 * is refused, and free ports can be found in the kernel's ephemeral range for {@code -P} and {@code -p 80}.
 */
final class PortTable {
    private record Key(Protocol protocol, int port) {}

    private record Binding(InetAddress hostIp, String sandboxId) {}

    private final Map<Key, List<Binding>> bound = new HashMap<>();
    private final int ephemeralLow;
    private final int ephemeralHigh;

    PortTable(int ephemeralLow, int ephemeralHigh) {
        this.ephemeralLow = ephemeralLow;
        this.ephemeralHigh = ephemeralHigh;
    }

    /** Reserves every spec for the sandbox, picking ports for those without one; all or nothing. */
    synchronized List<PortMapping> reserve(String sandboxId, List<PortSpec> specs, String field) {
        List<PortMapping> done = new ArrayList<>();
        try {
            for (PortSpec s : specs) {
                int port = s.hostPort() != 0 ? s.hostPort() : freePort(s.hostIp(), s.protocol());
                Key k = new Key(s.protocol(), port);
                for (Binding b : bound.getOrDefault(k, List.of())) {
                    if (b.hostIp == null || s.hostIp() == null || b.hostIp.equals(s.hostIp()))
                        throw new BerthException.Conflict(
                                "Bind for " + (s.hostIp() == null ? "0.0.0.0" : IpPrefix.format(s.hostIp())) + ":"
                                        + port + "/" + s.protocol().id() + " failed: port is already allocated"
                                        + (field == null ? "" : " (" + field + ")"));
                }
                bound.computeIfAbsent(k, x -> new ArrayList<>()).add(new Binding(s.hostIp(), sandboxId));
                done.add(new PortMapping(s.hostIp(), port, s.containerPort(), s.protocol()));
            }
            return done;
        } catch (RuntimeException e) {
            release(sandboxId, done);
            throw e;
        }
    }

    /** Marks already-published mappings as taken (start-up). */
    synchronized void restore(String sandboxId, List<PortMapping> mappings) {
        for (PortMapping m : mappings)
            bound.computeIfAbsent(new Key(m.protocol(), m.hostPort()), x -> new ArrayList<>())
                    .add(new Binding(m.hostIp(), sandboxId));
    }

    synchronized void release(String sandboxId, List<PortMapping> mappings) {
        for (PortMapping m : mappings) {
            Key k = new Key(m.protocol(), m.hostPort());
            List<Binding> l = bound.get(k);
            if (l == null) continue;
            l.removeIf(b -> b.sandboxId.equals(sandboxId) && Objects.equals(b.hostIp, m.hostIp()));
            if (l.isEmpty()) bound.remove(k);
        }
    }

    private int freePort(InetAddress ip, Protocol p) {
        int span = ephemeralHigh - ephemeralLow + 1;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = ephemeralLow + (start + i) % span;
            if (!bound.containsKey(new Key(p, port))) return port;
        }
        throw new BerthException.Conflict(
                "no free host port left in the ephemeral range " + ephemeralLow + "-" + ephemeralHigh);
    }
}
