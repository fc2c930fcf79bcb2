package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.SeedImages;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Socket activation as berthd.socket does it, with Debian's systemd-socket-activate (the same
 * sd_listen_fds protocol: LISTEN_PID, LISTEN_FDS, the listening socket as descriptor 3): the socket
 * exists before berthd runs, the first client's connection starts berthd, which serves on the inherited
 * socket (it binds none of its own), and the file stays when berthd stops, as systemd keeps it.
 */
@ExtendWith(LabExtension.class)
class SocketActivationTest {

    @Test
    void servesOnTheSocketSystemdPassed(Lab lab) throws Exception {
        try (DaemonLab d = new DaemonLab(lab, List.of("systemd-socket-activate", "-l", "SOCKET"), Map.of())) {
            assertTrue(
                    d.log().contains("from=systemd") && d.log().contains("socket=" + d.socket),
                    "berthd adopted the socket:\n" + d.log());
            assertTrue(
                    d.log().indexOf("api socket ready") < d.log().indexOf("berthd ready"),
                    "the socket answered before the daemon was ready:\n" + d.log());
            d.dockerOk("load", "-i", SeedImages.archive().toString());
            assertEquals(
                    "hello from busybox",
                    d.dockerOk("run", "--rm", "busybox", "echo", "hello from busybox")
                            .strip());
            assertTrue(d.dockerOk("network", "ls").contains("bridge"));

            d.stop();
            assertTrue(Files.exists(d.socket), "the socket's file is systemd's: it stays when berthd stops");
        }
    }
}
