package dev.berth.daemon;

import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.NameService;
import dev.berth.dns.DnsConfig;
import dev.berth.dns.EmbeddedDns;
import dev.berth.dns.NameSource;
import dev.berth.dns.NameTable;
import dev.berth.dns.ResolvConf;
import dev.berth.engine.BerthException;
import dev.berth.engine.Engine;
import dev.berth.engine.model.NetnsMode;
import dev.berth.engine.model.Sandbox;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.IpPrefix;
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

    @Override
    public void refresh() {
        dns.update(NameTable.from(new NameSource(engine::networks, engine::sandboxes, engine::endpointsOf)));
    }

    @Override
    public String resolvConf(Sandbox sandbox) {
        if (sandbox.netns() instanceof NetnsMode.Host) return null;
        return ResolvConf.forSandbox(hostResolvConf, DnsConfig.DEFAULT_LISTEN);
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
