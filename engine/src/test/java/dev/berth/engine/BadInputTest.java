package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.engine.request.SubnetRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.model.BerthException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every bad request gets an error that names the field and what is allowed, and changes nothing. */
@ExtendWith(LabExtension.class)
class BadInputTest {

    private record Case(String what, Consumer<Engine> request, Class<? extends BerthException> type, String mentions) {}

    private static NetworkRequest net(String name, SubnetRequest... s) {
        return new NetworkRequest(name, "bridge", List.of(s), false, false, false, Map.of(), Map.of());
    }

    @Test
    void badRequestsAreRefusedWithClearErrorsAndNoChange(Lab lab) {
        List<Case> cases = List.of(
                new Case(
                        "bad CIDR",
                        e -> e.createNetwork(net("n1", SubnetRequest.of("10.0.0.0/33"))),
                        BerthException.InvalidRequest.class,
                        "Subnet"),
                new Case(
                        "not a CIDR",
                        e -> e.createNetwork(net("n1", SubnetRequest.of("banana"))),
                        BerthException.InvalidRequest.class,
                        "Subnet"),
                new Case(
                        "host bits",
                        e -> e.createNetwork(net("n1", SubnetRequest.of("10.0.0.1/24"))),
                        BerthException.InvalidRequest.class,
                        "10.0.0.0/24"),
                new Case(
                        "gateway outside",
                        e -> e.createNetwork(net("n1", new SubnetRequest("10.2.0.0/16", "10.1.0.1", null, null))),
                        BerthException.InvalidRequest.class,
                        "Gateway"),
                new Case(
                        "ip-range outside",
                        e -> e.createNetwork(net("n1", new SubnetRequest("10.2.0.0/16", null, "10.3.0.0/24", null))),
                        BerthException.InvalidRequest.class,
                        "IPRange"),
                new Case(
                        "overlap with a network",
                        e -> e.createNetwork(net("n1", SubnetRequest.of("172.17.5.0/24"))),
                        BerthException.Conflict.class,
                        "overlaps"),
                new Case(
                        "overlap in request",
                        e -> e.createNetwork(
                                net("n1", SubnetRequest.of("10.5.0.0/16"), SubnetRequest.of("10.5.1.0/24"))),
                        BerthException.InvalidRequest.class,
                        "overlaps"),
                new Case(
                        "name clash",
                        e -> e.createNetwork(net("bridge")),
                        BerthException.Conflict.class,
                        "already exists"),
                new Case(
                        "bad name",
                        e -> e.createNetwork(net("no spaces")),
                        BerthException.InvalidRequest.class,
                        "Name"),
                new Case(
                        "unknown driver",
                        e -> e.createNetwork(new NetworkRequest(
                                "n1", "overlay", List.of(), false, false, false, Map.of(), Map.of())),
                        BerthException.InvalidRequest.class,
                        "Driver"),
                new Case(
                        "unknown option",
                        e -> e.createNetwork(net("n1").withOptions(Map.of("com.example.colour", "blue"))),
                        BerthException.InvalidRequest.class,
                        "com.example.colour"),
                new Case(
                        "bridge name too long",
                        e -> e.createNetwork(
                                net("n1").withOptions(Map.of("com.docker.network.bridge.name", "a-very-long-bridge"))),
                        BerthException.InvalidRequest.class,
                        "15"),
                new Case(
                        "bad mtu",
                        e -> e.createNetwork(net("n1").withOptions(Map.of("com.docker.network.driver.mtu", "9"))),
                        BerthException.InvalidRequest.class,
                        "mtu"),
                new Case(
                        "bad icc",
                        e -> e.createNetwork(
                                net("n1").withOptions(Map.of("com.docker.network.bridge.enable_icc", "maybe"))),
                        BerthException.InvalidRequest.class,
                        "enable_icc"),
                new Case(
                        "bad anti-spoofing",
                        e -> e.createNetwork(net("n1").withOptions(Map.of("berth.anti_spoofing", "sometimes"))),
                        BerthException.InvalidRequest.class,
                        "berth.anti_spoofing"),
                new Case(
                        "v6 subnet without ipv6",
                        e -> e.createNetwork(net("n1", SubnetRequest.of("fd00:1::/64"))),
                        BerthException.InvalidRequest.class,
                        "IPv6"),
                new Case(
                        "port out of range",
                        e -> e.createSandbox(SandboxRequest.on("s1", "bridge").publishing("70000:80")),
                        BerthException.InvalidRequest.class,
                        "65535"),
                new Case(
                        "bad protocol",
                        e -> e.createSandbox(SandboxRequest.on("s1", "bridge").publishing("8080:80/icmp")),
                        BerthException.InvalidRequest.class,
                        "tcp, udp, sctp"),
                new Case(
                        "unequal ranges",
                        e -> e.createSandbox(SandboxRequest.on("s1", "bridge").publishing("8000-8002:80-81")),
                        BerthException.InvalidRequest.class,
                        "range"),
                new Case(
                        "unknown network",
                        e -> e.createSandbox(SandboxRequest.on("s1", "nowhere")),
                        BerthException.NotFound.class,
                        "nowhere"),
                new Case(
                        "bad sandbox name",
                        e -> e.createSandbox(SandboxRequest.on("-x", "bridge")),
                        BerthException.InvalidRequest.class,
                        "Name"),
                new Case(
                        "sandbox name too long",
                        e -> e.createSandbox(SandboxRequest.on("a".repeat(300), "bridge")),
                        BerthException.InvalidRequest.class,
                        "at most 200"),
                new Case(
                        "hostname too long",
                        e -> e.createSandbox(
                                new SandboxRequest("h1", "h".repeat(65), "bridge", null, List.of(), false, List.of())),
                        BerthException.InvalidRequest.class,
                        "Hostname"),
                new Case(
                        "IPv6 as IPv4",
                        e -> e.createSandbox(SandboxRequest.on("v6", "fixed").withIp("fd00::5")),
                        BerthException.InvalidRequest.class,
                        "IPv4Address"),
                new Case(
                        "static ip on default bridge",
                        e -> e.createSandbox(SandboxRequest.on("s1", "bridge").withIp("172.17.0.50")),
                        BerthException.InvalidRequest.class,
                        "user configured subnets"),
                new Case(
                        "static ip outside",
                        e -> e.createSandbox(SandboxRequest.on("s1", "fixed").withIp("10.99.0.5")),
                        BerthException.InvalidRequest.class,
                        "IPv4Address"),
                new Case(
                        "static ip taken",
                        e -> e.createSandbox(SandboxRequest.on("s1", "fixed").withIp("10.70.0.10")),
                        BerthException.Conflict.class,
                        "in use"),
                new Case(
                        "static ip is gateway",
                        e -> e.createSandbox(SandboxRequest.on("s1", "fixed").withIp("10.70.0.1")),
                        BerthException.InvalidRequest.class,
                        "gateway"),
                new Case(
                        "bad mac",
                        e -> e.createSandbox(new SandboxRequest(
                                "s1",
                                null,
                                "fixed",
                                new EndpointRequest(null, null, "zz:00", List.of()),
                                List.of(),
                                false,
                                List.of())),
                        BerthException.InvalidRequest.class,
                        "MacAddress"),
                new Case(
                        "duplicate sandbox",
                        e -> e.createSandbox(SandboxRequest.on("holder", "fixed")),
                        BerthException.Conflict.class,
                        "already in use"),
                new Case(
                        "remove predefined",
                        e -> e.removeNetwork("bridge"),
                        BerthException.Conflict.class,
                        "pre-defined"),
                new Case(
                        "remove network in use",
                        e -> e.removeNetwork("fixed"),
                        BerthException.Conflict.class,
                        "active endpoints"),
                new Case(
                        "disconnect not connected",
                        e -> e.disconnect("holder", "bridge", false),
                        BerthException.Conflict.class,
                        "not connected"),
                new Case(
                        "connect twice",
                        e -> e.connect("holder", "fixed", EndpointRequest.DEFAULT),
                        BerthException.Conflict.class,
                        "already exists"));
        try (EngineLab l = new EngineLab(lab)) {
            Engine e = l.start();
            e.createNetwork(net("fixed", SubnetRequest.of("10.70.0.0/24")));
            e.createSandbox(SandboxRequest.on("holder", "fixed").withIp("10.70.0.10"));
            String before = l.kernelSnapshot();
            int networks = e.networks().size(), sandboxes = e.sandboxes().size();
            for (Case c : cases) {
                BerthException err = assertThrows(BerthException.class, () -> c.request.accept(e), c.what);
                assertInstanceOf(c.type, err, c.what + ": " + err.getMessage());
                assertTrue(
                        err.getMessage().toLowerCase().contains(c.mentions.toLowerCase()),
                        c.what + ": the message should mention '" + c.mentions + "': " + err.getMessage());
                assertEquals(before, l.kernelSnapshot(), c.what + " changed the kernel");
                assertEquals(networks, e.networks().size(), c.what);
                assertEquals(sandboxes, e.sandboxes().size(), c.what);
            }
        }
    }
}
