package dev.berth.runtime.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.runtime.containerd.api.namespaces.CreateNamespaceRequest;
import dev.berth.runtime.containerd.api.namespaces.ListNamespacesRequest;
import dev.berth.runtime.containerd.api.namespaces.Namespace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A managed containerd started inside a lab namespace answers over gRPC, is reused, and stops without leftovers. */
@ExtendWith(LabExtension.class)
class ManagedContainerdTest {

    @Test
    void startsInLabAnswersIsReusedAndStopsClean(Lab lab) throws Exception {
        LabHost h = lab.host("ctrd");
        try (TestDirs dirs = new TestDirs()) {
            var cfg = new ManagedContainerd.Config(dirs.state, dirs.run, h.netnsPath());
            ManagedContainerd m = ManagedContainerd.start(cfg);
            try {
                assertTrue(m.startedHere());
                assertEquals(
                        h.run("readlink", "/proc/self/ns/net").stdout().strip(),
                        Files.readSymbolicLink(Path.of("/proc", Long.toString(m.pid()), "ns", "net"))
                                .toString(),
                        "containerd runs in the lab's network namespace");
                try (Containerd c = Containerd.connect("unix://" + m.socket(), "berth")) {
                    assertTrue(
                            c.version().getVersion().startsWith("1.6"),
                            c.version().getVersion());
                    c.namespaces()
                            .create(CreateNamespaceRequest.newBuilder()
                                    .setNamespace(Namespace.newBuilder().setName("berth"))
                                    .build());
                    var names =
                            c.namespaces().list(ListNamespacesRequest.getDefaultInstance()).getNamespacesList().stream()
                                    .map(Namespace::getName)
                                    .toList();
                    assertTrue(names.contains("berth"), names.toString());
                }
                ManagedContainerd again = ManagedContainerd.start(cfg);
                assertFalse(again.startedHere(), "a live managed containerd is reused");
                assertEquals(m.pid(), again.pid());
            } finally {
                m.stop();
            }
            assertTrue(ProcessHandle.of(m.pid()).isEmpty(), "containerd ended");
            assertTrue(ManagedContainerd.shimPids(m.socket()).isEmpty(), "no shim left");
            assertFalse(Files.exists(m.socket()));
        }
    }
}
