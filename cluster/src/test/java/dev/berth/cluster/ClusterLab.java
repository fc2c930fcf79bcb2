package dev.berth.cluster;

import dev.berth.engine.Engine;
import dev.berth.engine.EngineConfig;
import dev.berth.engine.firewall.Firewall;
import dev.berth.engine.firewall.NftablesFirewall;
import dev.berth.engine.request.SandboxRequest;
import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The multi-host stage: hosts h1..hN on an underlay switch (192.168.50.N/24, interface eth0), an
 * outside machine "ext" (192.168.50.100) on the same switch with no route to container subnets, and
 * etcd. Each host runs what berthd will run: a cluster agent in the host's namespace, then an engine
 * whose default bridge takes the leased subnet, with the agent's MTU and the cluster network.
 */
final class ClusterLab implements AutoCloseable {
    static final String EXT_IP = "192.168.50.100";
    final Lab lab;
    final LabHost ext;
    final List<Node> nodes = new ArrayList<>();
    Etcd etcd;

    ClusterLab(Lab lab, int hosts) {
        this.lab = lab;
        this.ext = lab.host("ext");
        lab.plug(ext, "eth0", EXT_IP + "/24");
        for (int i = 1; i <= hosts; i++) addNode();
    }

    Node addNode() {
        int i = nodes.size() + 1;
        LabHost h = lab.host("h" + i);
        String ip = "192.168.50." + i;
        lab.plug(h, "eth0", ip + "/24");
        Node n = new Node(this, h, ip);
        nodes.add(n);
        return n;
    }

    Etcd startEtcd(int members) {
        etcd = Etcd.start(lab, members);
        return etcd;
    }

    void putConfig(String json) {
        etcd.put(ClusterOptions.DEFAULT_PREFIX + "/config", json);
    }

    ClusterOptions etcdOptions() {
        return ClusterOptions.etcd(etcd.store()).withIface("eth0");
    }

    /** Starts agent and engine on every host. */
    void startAll(UnaryOperator<ClusterOptions> tune) {
        for (Node n : nodes) {
            n.startAgent(tune.apply(etcdOptions()));
            n.startEngine();
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) n.close();
    }

    /** One lab host running an agent and an engine, as berthd would. */
    static final class Node implements AutoCloseable {
        final ClusterLab cl;
        final LabHost host;
        final String ip;
        final NetnsHandle ns;
        final Path stateDir;
        final Path runDir;
        ClusterAgent agent;
        Engine engine;

        Node(ClusterLab cl, LabHost host, String ip) {
            this.cl = cl;
            this.host = host;
            this.ip = ip;
            this.ns = Netns.open(host.name());
            try {
                this.stateDir = Files.createTempDirectory("berth-state-");
                this.runDir = Files.createTempDirectory("berth-run-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ClusterAgent startAgent(ClusterOptions o) {
            if (agent != null) agent.close();
            agent = ClusterAgent.start(o, ns, runDir);
            return agent;
        }

        Engine startEngine() {
            return startEngine(NftablesFirewall::new);
        }

        Engine startEngine(Function<NetnsHandle, Firewall> firewall) {
            if (engine != null) engine.close();
            EngineConfig c = EngineConfig.of(stateDir, ns, firewall)
                    .withNetnsPrefix(cl.lab.prefix(host.role() + "-"))
                    .withBip(agent.bip())
                    .withClusterNetwork(agent.clusterNetwork().toString())
                    .withMtu(agent.mtu());
            engine = Engine.start(c);
            return engine;
        }

        Sandbox run(String name) {
            return engine.createSandbox(SandboxRequest.on(name, "bridge"));
        }

        LabHost in(Sandbox s) {
            return cl.lab.existing(engine.netnsPath(s).getFileName().toString());
        }

        String ipOf(Sandbox s) {
            return IpPrefix.format(engine.endpointsOf(s).getFirst().ipv4());
        }

        /** Routes of the main table as {@code ip -4 route} prints them. */
        String routes() {
            return host.run("ip", "-4", "route", "show").stdout();
        }

        @Override
        public void close() {
            if (engine != null) engine.close();
            if (agent != null) agent.close();
            ns.close();
            for (Path p : List.of(stateDir, runDir)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.sorted(Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // temporary
                }
            }
        }
    }
}
