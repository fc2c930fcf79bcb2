package dev.berth.engine;

import static dev.berth.engine.MacvlanNetworkTest.lanNetwork;
import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.BerthException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On a kernel without ipvlan, 802.1q or dummy links (this machine's kind), asking for them fails with
 * an error that names the kernel option, and leaves nothing behind. Where the kernel has them, the same
 * request must work instead (never a skipped test); the vm-tagged tests (run by vmtest in a VM on
 * Debian's stock kernel) check them in depth.
 */
@ExtendWith(LabExtension.class)
class LanKernelSupportTest {

    /** Whether the kernel can make a link of this kind, tried in a throw-away lab host (which also loads a module). */
    private static boolean kernelHas(Lab lab, String... typeArgs) {
        LabHost probe = lab.host("probe");
        probe.ip("link", "add", "p0", "type", "veth", "peer", "name", "p1");
        String[] cmd = new String[typeArgs.length + 4];
        System.arraycopy(new String[] {"ip", "link", "add", "probe0"}, 0, cmd, 0, 4);
        System.arraycopy(typeArgs, 0, cmd, 4, typeArgs.length);
        return probe.exec(cmd).ok();
    }

    private static void refused(LanLab l, String option, Consumer<Engine> request) {
        Engine e = l.start();
        String before = l.engine.kernelSnapshotWithSandboxes();
        int networks = e.networks().size();
        var err = assertThrows(BerthException.Unsupported.class, () -> request.accept(e));
        assertTrue(err.getMessage().contains(option), err.getMessage());
        assertEquals(before, l.engine.kernelSnapshotWithSandboxes(), "nothing left in the kernel");
        assertEquals(networks, e.networks().size());
        assertTrue(e.sandboxes().stream().noneMatch(s -> s.name().equals("c")), "no sandbox left");
        l.engine.restart();
        assertEquals(before, l.engine.kernelSnapshotWithSandboxes(), "nor after a restart");
    }

    /** Where the kernel has the link type: the request works, and undoing it leaves the kernel as it was. */
    private static void works(LanLab l, Consumer<Engine> request, Consumer<Engine> undo) {
        Engine e = l.start();
        String before = l.engine.kernelSnapshotWithSandboxes();
        request.accept(e);
        undo.accept(e);
        assertEquals(before, l.engine.kernelSnapshotWithSandboxes(), "nothing left in the kernel");
    }

    @Test
    void macvlanWithoutParentNeedsDummy(Lab lab) {
        boolean has = kernelHas(lab, "type", "dummy");
        try (LanLab l = new LanLab(lab)) {
            Consumer<Engine> create = e -> e.createNetwork(lanNetwork("inner", "macvlan", "10.30.0.0/24", null));
            if (has) works(l, create, e -> e.removeNetwork("inner"));
            else refused(l, "CONFIG_DUMMY", create);
        }
    }

    @Test
    void vlanParentNeeds8021q(Lab lab) {
        boolean has = kernelHas(lab, "link", "p0", "type", "vlan", "id", "20");
        try (LanLab l = new LanLab(lab)) {
            Consumer<Engine> create =
                    e -> e.createNetwork(lanNetwork("v20", "macvlan", "192.168.20.0/24", null, "parent", "lan0.20"));
            if (has) works(l, create, e -> e.removeNetwork("v20"));
            else refused(l, "CONFIG_VLAN_8021Q", create);
        }
    }

    @Test
    void ipvlanEndpointsNeedIpvlan(Lab lab) {
        boolean has = kernelHas(lab, "link", "p0", "type", "ipvlan");
        try (LanLab l = new LanLab(lab)) {
            l.start().createNetwork(lanNetwork("ipv", "ipvlan", LanLab.SUBNET, LanLab.GATEWAY, "parent", "lan0"));
            Consumer<Engine> create = e -> e.createSandbox(SandboxRequest.on("c", "ipv"));
            if (has) works(l, create, e -> e.removeSandbox("c"));
            else refused(l, "CONFIG_IPVLAN", create);
        }
    }
}
