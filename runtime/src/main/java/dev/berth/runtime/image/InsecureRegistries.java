package dev.berth.runtime.image;

import dev.berth.model.Cidr;
import dev.berth.model.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The registries that may answer in plain HTTP, by Docker's rules ({@code dockerd --insecure-registry},
 * daemon.json's {@code insecure-registries}): an entry is a registry's {@code host[:port]} or a CIDR of the
 * addresses its host resolves to; loopback (127.0.0.0/8, ::1/128) always is, as in Docker's defaults.
 *
 * @param names registries named as {@code host} or {@code host:port}, in the order given
 * @param cidrs Docker's default loopback networks, then the ones given
 */
public record InsecureRegistries(List<String> names, List<Cidr> cidrs) {
    private static final List<Cidr> LOOPBACK =
            List.of(Cidr.parse("127.0.0.0/8", "loopback"), Cidr.parse("::1/128", "loopback"));

    public static final InsecureRegistries NONE = new InsecureRegistries(List.of(), LOOPBACK);

    public InsecureRegistries {
        names = List.copyOf(names);
        cidrs = List.copyOf(cidrs);
    }

    /**
     * Parses the entries as dockerd does: an {@code http://} or {@code https://} prefix is dropped (dockerd
     * warns), another scheme is refused, a CIDR may have host bits (Go's ParseCIDR), else {@code host[:port]}.
     * A bad entry fails with an IllegalArgumentException naming it.
     */
    public static InsecureRegistries parse(List<String> entries) {
        Set<String> names = new LinkedHashSet<>();
        List<Cidr> cidrs = new ArrayList<>(LOOPBACK);
        for (String raw : entries) {
            String r = raw.strip();
            String lower = r.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://")) r = r.substring(7);
            else if (lower.startsWith("https://")) r = r.substring(8);
            else if (r.contains("://"))
                throw new IllegalArgumentException("insecure registry " + raw + " should not contain '://'");
            if (r.endsWith("/")) r = r.substring(0, r.length() - 1);
            if (r.contains("/") && !r.contains(":/")) {
                Cidr c = cidr(r, raw);
                if (!cidrs.contains(c)) cidrs.add(c);
                continue;
            }
            if (r.isEmpty() || !r.matches("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?") || r.startsWith("-"))
                throw new IllegalArgumentException("insecure registry " + raw
                        + " is not valid: write host, host:port or a CIDR such as 10.0.0.0/8");
            names.add(r);
        }
        return new InsecureRegistries(List.copyOf(names), cidrs);
    }

    private static Cidr cidr(String r, String raw) {
        try {
            IpPrefix p = IpPrefix.parse(r);
            return Cidr.of(p.address(), p.length());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("insecure registry " + raw + " is not valid: " + e.getMessage());
        }
    }

    /**
     * Docker's isSecureIndex turned round: a registry named here (host:port, or its host), or whose host
     * resolves to an address in one of the CIDRs (every address loopback counts too: "localhost").
     */
    public boolean allows(String domain) {
        if (names.contains(domain)) return true;
        String host = RegistryClient.hostOf(domain);
        if (names.contains(host)) return true;
        if (host.equalsIgnoreCase("localhost")) return true;
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) for (Cidr c : cidrs) if (c.contains(a)) return true;
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
