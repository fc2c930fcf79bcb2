package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.model.Network;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Seed 000's --bip, seed 001's -b bridge0, and a host that already uses 172.17/16. */
@ExtendWith(LabExtension.class)
class DefaultBridgeTest {

    @Test
    void bipSetsTheDefaultBridgesAddressAndSubnet(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start(l.config().withBip("10.0.128.1/24"));
            Network bridge = e.network("bridge");
            assertEquals("10.0.128.0/24", bridge.ipv4().subnet().toString());
            assertTrue(l.host.run("ip", "-o", "addr", "show", "dev", "berth0")
                    .stdout()
                    .contains("10.0.128.1/24"));
            Sandbox s = e.createSandbox(SandboxRequest.on("s", "bridge"));
            assertEquals(
                    "10.0.128.2", IpPrefix.format(e.endpointsOf(s).getFirst().ipv4()));
        }
    }

    @Test
    void anExistingBridgeAndItsAddressAreUsedAndNeverDeleted(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            l.host.ip("link", "add", "bridge0", "type", "bridge");
            l.host.ip("addr", "add", "192.168.5.1/24", "dev", "bridge0");
            l.host.ip("link", "set", "bridge0", "up");
            Engine e = l.start(l.config().withExistingBridge("bridge0"));
            Network bridge = e.network("bridge");
            assertEquals("bridge0", bridge.device());
            assertEquals("192.168.5.0/24", bridge.ipv4().subnet().toString());
            Sandbox s = e.createSandbox(SandboxRequest.on("s", "bridge"));
            assertEquals(
                    "192.168.5.2", IpPrefix.format(e.endpointsOf(s).getFirst().ipv4()));
            assertTrue(l.in(s).ping("192.168.5.1"));
            assertFalse(l.host.run("ip", "-o", "link").stdout().contains("berth0"), "no berth0 when a bridge is given");
            e.removeSandbox("s");
            l.restart();
            assertTrue(l.host.run("ip", "-o", "addr", "show", "dev", "bridge0")
                    .stdout()
                    .contains("192.168.5.1/24"));
        }
    }

    @Test
    void aHostThatUses172Dot17GetsTheNextFreePool(Lab lab) {
        try (EngineLab l = new EngineLab(lab)) {
            l.host.ip("route", "add", "172.17.0.0/16", "via", "192.0.2.2");
            Engine e = l.start();
            assertEquals("172.18.0.0/16", e.network("bridge").ipv4().subnet().toString());
        }
    }
}
