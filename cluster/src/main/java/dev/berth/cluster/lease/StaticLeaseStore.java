package dev.berth.cluster.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cluster.config.BackendConfig;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.model.BerthException;
import dev.berth.model.Cidr;
import dev.berth.model.IpPrefix;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A fixed cluster without etcd, from a file that lists every host and its subnet (what seed 000's
 * script does by hand): the cluster config keys plus {@code Hosts}:
 * <pre>{"Network":"10.0.0.0/16","Backend":{"Type":"host-gw"},
 *  "Hosts":[{"PublicIP":"192.168.91.128","Subnet":"10.0.128.0/24"},{"PublicIP":"192.168.91.129","Subnet":"10.0.129.0/24"}]}</pre>
 * Leases never expire and never change while the agent runs.
 */
public final class StaticLeaseStore implements LeaseStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final NetworkConfig config;
    private final List<Lease> leases;

    public StaticLeaseStore(Path file) {
        this.file = file;
        String src = file.toString();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new BerthException.InvalidRequest(src, "cannot read the static cluster file: " + e.getMessage());
        }
        this.config = NetworkConfig.parse(root == null ? "null" : root.toString(), src);
        this.leases = hosts(root, src, config);
    }

    private static List<Lease> hosts(JsonNode root, String src, NetworkConfig config) {
        JsonNode hosts = root.path("Hosts");
        if (!hosts.isArray() || hosts.isEmpty())
            throw new BerthException.InvalidRequest(
                    src + ": Hosts",
                    "must list the hosts, e.g. [{\"PublicIP\":\"192.168.91.128\",\"Subnet\":\"10.0.128.0/24\"}]");
        List<Lease> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String where = src + ": Hosts[" + i + "]";
            JsonNode h = hosts.get(i);
            String ipText = h.path("PublicIP").asText(null),
                    subnetText = h.path("Subnet").asText(null);
            if (ipText == null) throw new BerthException.InvalidRequest(where + ".PublicIP", "is missing");
            if (subnetText == null) throw new BerthException.InvalidRequest(where + ".Subnet", "is missing");
            InetAddress ip;
            try {
                ip = IpPrefix.literal(ipText, ipText);
            } catch (IllegalArgumentException e) {
                throw new BerthException.InvalidRequest(where + ".PublicIP", e.getMessage());
            }
            if (!(ip instanceof Inet4Address))
                throw new BerthException.InvalidRequest(where + ".PublicIP", ipText + " is not IPv4");
            Cidr subnet = Cidr.parse(subnetText, where + ".Subnet");
            if (!config.network().contains(subnet)
                    || subnet.prefix() <= config.network().prefix())
                throw new BerthException.InvalidRequest(
                        where + ".Subnet", subnet + " is not a subnet inside Network " + config.network());
            if (subnet.prefix() > 30)
                throw new BerthException.InvalidRequest(
                        where + ".Subnet", subnet + " leaves no room for containers; use /30 or larger");
            for (int j = 0; j < out.size(); j++) {
                Lease o = out.get(j);
                if (o.subnet().overlaps(subnet))
                    throw new BerthException.InvalidRequest(
                            where + ".Subnet",
                            subnet + " overlaps " + o.subnet() + " of Hosts[" + j + "] ("
                                    + o.attrs().publicIp().getHostAddress() + "); every host needs its own subnet");
                if (o.attrs().publicIp().equals(ip))
                    throw new BerthException.InvalidRequest(
                            where + ".PublicIP", ipText + " is listed twice (also Hosts[" + j + "])");
            }
            out.add(new Lease(subnet, attrsFor(ip, config.backend()), 0, null, 0));
        }
        return out;
    }

    /** What each host would publish in etcd; the VXLAN MAC is derived from the address, so peers know it. */
    static LeaseAttrs attrsFor(InetAddress ip, BackendConfig b) {
        var data = LeaseAttrs.object();
        if (b instanceof BackendConfig.Vxlan v) {
            data.put("VNI", v.vni());
            data.put("VtepMAC", VtepMac.of(ip).toString());
        }
        return new LeaseAttrs(ip, b.type(), data.isEmpty() ? null : data);
    }

    @Override
    public NetworkConfig config() {
        return config;
    }

    @Override
    public Lease acquire(NetworkConfig c, LeaseAttrs attrs, Cidr previous) {
        for (Lease l : leases)
            if (l.attrs().publicIp().equals(attrs.publicIp())) return new Lease(l.subnet(), attrs, 0, null, 0);
        throw new BerthException.InvalidRequest(
                file + ": Hosts",
                "lists no host with PublicIP " + attrs.publicIp().getHostAddress() + "; add {\"PublicIP\":\""
                        + attrs.publicIp().getHostAddress() + "\",\"Subnet\":\"...\"} or fix --public-ip/--iface");
    }

    @Override
    public Lease renew(Lease lease) {
        return lease;
    }

    @Override
    public Snapshot list() {
        return new Snapshot(leases, 0);
    }

    @Override
    public AutoCloseable watch(long revision, Consumer<LeaseEvent> events) {
        return () -> {};
    }

    @Override
    public void release(Lease lease) {
        // the file is the truth: a host leaves by being removed from it
    }

    @Override
    public String describe() {
        return "static " + file;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public void close() {}
}
