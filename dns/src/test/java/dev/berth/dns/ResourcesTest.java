package dev.berth.dns;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resolver gives back what it opens for a sandbox at once: its listening sockets (which live in the
 * sandbox's namespace and would keep that namespace alive in the kernel) and the upstream socket of a
 * sandbox's own {@code --dns} that no other sandbox uses, even when no query ever wakes the resolver.
 */
@ExtendWith(LabExtension.class)
class ResourcesTest {

    @Test
    void detachClosesTheSandboxsSocketsAndItsOwnUpstreamAtOnce(Lab lab) throws Exception {
        try (DnsLab l = new DnsLab(lab)) {
            l.startDns();
            l.engine.createNetwork(NetworkRequest.bridge("res", "10.89.40.0/24"));
            Sandbox probe = l.run("probe", "res");
            assertEquals(
                    List.of("198.51.100.2"), l.dig(probe, "www.example", "A").data(), "the resolver works");
            l.dns.detach(probe.id());
            l.engine.removeSandbox(probe.id());
            int before = sockets();

            List<Sandbox> made = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Sandbox s = l.engine.createSandbox(SandboxRequest.on("s" + i, "res"));
                // half use their own upstream (docker run --dns), which only they need
                l.dns.attach(s.id(), l.engine.netnsPath(s), i % 2 == 0 ? List.of() : List.of(DnsLab.UP2));
                made.add(s);
            }
            assertEquals(
                    List.of("198.51.100.3"),
                    l.dig(made.get(1), "www.example", "A").data(),
                    "the own upstream answers");
            assertTrue(
                    sockets() >= before + 12 * 3,
                    "each sandbox has UDP and TCP listeners and its namespace's netlink socket");
            for (Sandbox s : made) {
                l.dns.detach(s.id());
                l.engine.removeSandbox(s.id());
            }
            int after = sockets();
            for (int i = 0; i < 50 && after > before; i++) {
                Thread.sleep(20); // the resolver's thread deregisters closed channels right after its wakeup
                after = sockets();
            }
            assertTrue(
                    after <= before,
                    "sockets left after every sandbox was detached and removed: " + before + " -> " + after);
            assertEquals(List.of(), l.dns.attached());
        }
    }

    /** This process's open sockets. */
    private static int sockets() {
        int n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("socket:")) n++;
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }
}
