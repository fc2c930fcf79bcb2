package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Endpoint;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabExtension.class)
class ConcurrencyTest {

    @Test
    void twoHundredConcurrentConnectsGetDistinctAddressesAndNoErrors(Lab lab) throws Exception {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(NetworkRequest.bridge("busy", "10.60.0.0/22"));
            List<Future<?>> done = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    String name = "c" + i;
                    done.add(pool.submit(() -> e.createSandbox(SandboxRequest.on(name, "busy"))));
                }
                for (Future<?> f : done) f.get();
            }
            Set<InetAddress> addresses = new HashSet<>();
            Set<String> veths = new HashSet<>();
            for (Endpoint ep : e.endpointsOf(e.network("busy"))) {
                assertTrue(addresses.add(ep.ipv4()), "duplicate " + ep.ipv4());
                veths.add(ep.hostIfName());
            }
            assertEquals(200, addresses.size());
            String ports = l.host.run(
                            "ip",
                            "-o",
                            "link",
                            "show",
                            "master",
                            e.network("busy").device())
                    .stdout();
            assertEquals(200, ports.lines().count());
            for (String v : veths) assertTrue(ports.contains(v + "@"), v);
            assertTrue(l.in("c7")
                    .ping(e.endpointsOf(e.sandbox("c199")).getFirst().ipv4().getHostAddress()));
        }
    }
}
