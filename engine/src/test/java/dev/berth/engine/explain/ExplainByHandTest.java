package dev.berth.engine.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.IptablesFirewall;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.model.Network;
import dev.berth.engine.request.EndpointRequest;
import dev.berth.engine.request.NetworkRequest;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The explanation cannot drift from what the engine does: the engine builds networks and sandboxes in
 * lab host h1; their explanations are then run, command by command, in a fresh lab host h2 (and the
 * same sandbox namespace names, freed first), and the two kernels must hold the same links, addresses,
 * routes, sysctls and firewall rules. The hand-made copy must also carry traffic.
 */
@ExtendWith(LabExtension.class)
class ExplainByHandTest {

    @Test
    void nftablesExplanationRebuildsTheSameSetup(Lab lab) throws IOException {
        rebuild(lab, FirewallKind.NFTABLES, NftablesFirewall::new);
    }

    @Test
    void iptablesExplanationRebuildsTheSameSetup(Lab lab) throws IOException {
        rebuild(lab, FirewallKind.IPTABLES, IptablesFirewall::new);
    }

    private void rebuild(Lab lab, FirewallKind kind, Function<NetnsHandle, Firewall> firewall) throws IOException {
        LabHost h1 = lab.host("h1"), h2 = lab.host("h2");
        Path state = Files.createTempDirectory("berth-explain-");
        List<ExplainedStep> steps = new ArrayList<>();
        Map<String, String> before = new LinkedHashMap<>();
        Map<String, String> ips = new LinkedHashMap<>();
        Explainer explainer = new Explainer(kind);
        try (NetnsHandle h1ns = Netns.open(h1.name());
                Engine e = Engine.start(EngineConfig.of(state, h1ns, firewall).withNetnsPrefix(lab.prefix("sb-")))) {
            e.createNetwork(NetworkRequest.bridge("greatwall", "10.77.0.0/24"));
            e.createNetwork(NetworkRequest.bridge("quiet", "10.78.0.0/24")
                    .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
                    .withInternal());
            e.createSandbox(SandboxRequest.on("milk", "bridge").publishing("8080:80", "127.0.0.1:5353:53/udp"));
            e.createSandbox(SandboxRequest.on("beijing", "greatwall").withIp("10.77.0.10"));
            e.createSandbox(SandboxRequest.on("shenzhen", "greatwall"));
            e.connect("shenzhen", "quiet", EndpointRequest.DEFAULT);
            e.createSandbox(SandboxRequest.on("coffee", "container:milk"));
            e.createSandbox(SandboxRequest.on("hermit", "none"));
            for (Network n : e.networks()) if (n.isBridge()) steps.addAll(explainer.network(n));
            List<Sandbox> sandboxes = new ArrayList<>(e.sandboxes());
            sandboxes.sort(Comparator.comparing(Sandbox::name));
            for (Sandbox s : sandboxes) {
                steps.addAll(explainer.sandbox(s, e.endpointsOf(s), e::network));
                for (Endpoint ep : e.endpointsOf(s))
                    if (ep.ipv4() != null) ips.put(s.name() + "/" + ep.ifName(), IpPrefix.format(ep.ipv4()));
            }
            before.put("host", view(h1.name(), kind));
            for (Sandbox s : sandboxes)
                if (s.netns() instanceof NetnsMode.Own own) before.put(s.name(), KernelView.of(name(own), true));
            for (Sandbox s : sandboxes)
                if (s.netns() instanceof NetnsMode.Own) e.removeSandbox(s.name()); // frees the names
        } finally {
            try (var files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        runByHand(h2, steps);
        Map<String, String> after = new LinkedHashMap<>();
        after.put("host", view(h2.name(), kind));
        for (String sandbox : before.keySet())
            if (!sandbox.equals("host")) after.put(sandbox, KernelView.of(lab.prefix("sb-" + sandbox), true));
        for (String k : before.keySet()) assertEquals(before.get(k), after.get(k), "by hand vs engine: " + k);

        LabHost beijing = lab.existing(lab.prefix("sb-beijing")), milk = lab.existing(lab.prefix("sb-milk"));
        assertTrue(beijing.ping(ips.get("shenzhen/eth0")), "beijing reaches shenzhen on the hand-made greatwall");
        assertTrue(milk.ping("172.17.0.1"), "milk reaches its gateway");
        assertTrue(!milk.ping(ips.get("beijing/eth0")), "networks stay isolated");
        milk.serveTcp(80, "hello");
        // via 127.0.0.1 the connection is masqueraded to the bridge's address, as the engine's rules do
        assertEquals(
                "hello from 172.17.0.1", h2.tcp("127.0.0.1", 8080), "published port reached from the hand-made host");
    }

    private static String view(String netns, FirewallKind kind) {
        // The iptables driver's anti-spoofing is its one nftables table.
        return KernelView.of(netns, false) + "\n"
                + (kind == FirewallKind.NFTABLES
                        ? KernelView.nft(netns)
                        : KernelView.iptables(netns) + "\n" + KernelView.nft(netns, "bridge", "berth"));
    }

    private static String name(NetnsMode.Own own) {
        return Path.of(own.path()).getFileName().toString();
    }

    /** Runs every distinct command once (the firewall's base is explained with each network), in order. */
    static void runByHand(LabHost host, List<ExplainedStep> steps) {
        Set<String> done = new LinkedHashSet<>();
        for (ExplainedStep s : steps) {
            if (!done.add(s.command())) continue;
            // nsenter, not ip netns exec: its private mount namespace would hide the namespaces `ip netns add` makes
            ExecResult r = Commands.run(List.of("nsenter", "--net=" + host.netnsPath(), "sh", "-c", s.command()));
            assertEquals(0, r.exitCode(), "step '" + s.what() + "': " + s.command() + "\n" + r.stderr());
        }
    }
}
