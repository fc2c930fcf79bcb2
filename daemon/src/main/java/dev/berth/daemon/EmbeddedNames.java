package dev.berth.daemon;

import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.NameService;
import dev.berth.dns.DnsConfig;
import dev.berth.dns.DnsNetwork;
import dev.berth.dns.EmbeddedDns;
import dev.berth.dns.NameSource;
import dev.berth.dns.NameTable;
import dev.berth.dns.ResolvConf;
import dev.berth.engine.Engine;
import dev.berth.engine.model.Network;
import dev.berth.model.BerthException;
import dev.berth.model.Endpoint;
import dev.berth.model.NetnsMode;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;
import dev.berth.netlink.ns.NetnsHandle;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded resolver as berthd uses it: every sandbox with a namespace of its own is served on
 * 127.0.0.11:53 inside that namespace (Docker's address), so a container resolves the names of the
 * containers it shares a user-defined network with and everything else through the host's upstreams.
 * Default-bridge sandboxes are served too (no local names there, as in Docker, but the same forwarding),
 * which also makes a loopback resolver of the host (127.0.0.53) usable from containers.
 */
final class EmbeddedNames implements NameService {
    private final Engine engine;
    private final EmbeddedDns dns;
    private final String hostResolvConf;
    /** The table the resolver answers from; changed in place by connects and disconnects, replaced by refresh. */
    private NameTable table;

    EmbeddedNames(Engine engine, EmbeddedDns dns, String hostResolvConf) {
        this.engine = engine;
        this.dns = dns;
        this.hostResolvConf = hostResolvConf;
    }

    static DnsConfig config(NetnsHandle host, Path resolvConf, List<String> upstreams) {
        if (upstreams.isEmpty()) return DnsConfig.fromResolvConf(host, resolvConf);
        return DnsConfig.of(host, parse(upstreams, "--dns"));
    }

    @Override
    public void attach(ContainerRecord container, Sandbox sandbox) {
        if (!(sandbox.netns() instanceof NetnsMode.Own)) return; // joined ones use their owner's listener
        dns.attach(sandbox.id(), engine.netnsPath(sandbox), parse(container.dns(), "HostConfig.Dns"));
    }

    @Override
    public void detach(String sandboxId) {
        dns.detach(sandboxId);
    }

    /** The whole table, rebuilt from the engine (start, stop, rename, remove...). */
    @Override
    public synchronized void refresh() {
        table = NameTable.from(new NameSource(
                () -> engine.networks().stream().map(EmbeddedNames::dnsView).toList(),
                engine::sandboxes,
                engine::endpointsOf));
        dns.update(table);
    }

    /** A connect changes only the connected sandbox's names, in place: no rebuild from every sandbox. */
    @Override
    public synchronized void connected(Sandbox sandbox, Endpoint endpoint) {
        if (table == null) {
            refresh();
            return;
        }
        try {
            table.connected(dnsView(engine.network(endpoint.networkId())), sandbox, endpoint);
        } catch (BerthException.NotFound gone) {
            refresh(); // the network went meanwhile
        }
    }

    @Override
    public synchronized void disconnected(String sandboxId, String networkId) {
        if (table == null) refresh();
        else table.disconnected(networkId, sandboxId);
    }

    @Override
    public String resolvConf(Sandbox sandbox) {
        if (sandbox.netns() instanceof NetnsMode.Host) return null;
        return ResolvConf.forSandbox(hostResolvConf, DnsConfig.DEFAULT_LISTEN);
    }

    static DnsNetwork dnsView(Network n) {
        return new DnsNetwork(n.id(), n.name(), n.predefined());
    }

    void close() {
        dns.close();
    }

    private static List<InetSocketAddress> parse(List<String> servers, String field) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : servers) {
            try {
                out.add(new InetSocketAddress(IpPrefix.literal(s, s), 53));
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest(field, "'" + s + "' is not an IP address of a DNS server");
            }
        }
        return out;
    }
}
