package dev.berth.engine.firewall;

import dev.berth.model.Cidr;
import dev.berth.model.Protocol;
import dev.berth.netlink.nft.NftBatch;
import dev.berth.netlink.nft.NftFamily;
import dev.berth.netlink.nft.SetElement;
import dev.berth.netlink.nft.SetKey;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The elements of networks and published ports, the same as {@link NftScript#elements(NetworkRules)} and
 * {@link NftScript#element(PortRule)} write as text, as nf_tables set elements for one netlink transaction.
 * libnftables reads the elements of every interval set of a table before it adds to one (to merge ranges),
 * so with 1000 networks adding the 1001st cost 40 ms and a published port 20 ms; a netlink batch reads
 * nothing and costs the same whatever the sets hold. This class says which sets and bytes; the netlink
 * module writes the messages.
 *
 * <p>A subnet in an interval set is a start element at its first address and an end element at the first
 * address after it (none when it runs to the top of the address space), as nft writes it; a subnet paired
 * with a cluster network (a concatenated interval set) is one element with a key end.
 */
final class NftElements {
    /** One of Berth's sets or maps. */
    record SetRef(NftFamily family, String name) {
        static SetRef inet(String name) {
            return new SetRef(NftFamily.INET, name);
        }
    }

    private NftElements() {}

    /** The network's elements by set, in {@link NftScript#elements(NetworkRules)}'s order. */
    static Map<SetRef, List<SetElement>> of(NetworkRules n) {
        Map<SetRef, List<SetElement>> out = new LinkedHashMap<>();
        SetKey br = SetKey.ifname(n.bridge());
        put(out, SetRef.inet("bridges"), SetElement.of(br));
        put(out, SetRef.inet("loops"), SetElement.of(br.thenIfname(n.bridge())));
        if (n.internal()) put(out, SetRef.inet("internal"), SetElement.of(br));
        for (Cidr c : n.subnets()) {
            String fam = c.isIpv4() ? "4" : "6";
            interval(out, SetRef.inet("subnets" + fam), c);
            if (n.masqueraded()) interval(out, SetRef.inet("masq" + fam), c);
            if (!n.icc()) interval(out, new SetRef(NftFamily.BRIDGE, "no_icc" + fam), c);
            for (Cidr k : n.cluster())
                if (k.isIpv4() == c.isIpv4() && !n.internal())
                    put(
                            out,
                            SetRef.inet("cluster" + fam),
                            SetElement.range(
                                    SetKey.address(c.network()).thenAddress(k.network()),
                                    SetKey.address(c.last()).thenAddress(k.last())));
        }
        return out;
    }

    /** The ports' map elements by map ({@code ports4}, {@code ports4_ip}, {@code ports6}, {@code ports6_ip}). */
    static Map<SetRef, List<SetElement>> of(List<PortRule> ports) {
        Map<SetRef, List<SetElement>> out = new LinkedHashMap<>();
        for (PortRule p : ports) {
            String fam = p.ipv6() ? "6" : "4";
            SetKey key = p.hostIp() == null
                    ? SetKey.protocol(number(p.protocol()))
                    : SetKey.address(p.hostIp()).thenProtocol(number(p.protocol()));
            SetKey data = SetKey.address(p.containerIp()).thenPort(p.containerPort());
            put(
                    out,
                    SetRef.inet("ports" + fam + (p.hostIp() == null ? "" : "_ip")),
                    SetElement.mapping(key.thenPort(p.hostPort()), data));
        }
        return out;
    }

    /** Adds every element; one that is there already (with the same data) is no change. */
    static NftBatch add(NftBatch b, Map<SetRef, List<SetElement>> elements, String what) {
        elements.forEach((s, e) -> b.add(s.family(), NftGuards.TABLE, s.name(), e, what));
        return b;
    }

    /** Adds every element, failing the batch with EEXIST when a key is there already. */
    static NftBatch create(NftBatch b, Map<SetRef, List<SetElement>> elements, String what) {
        elements.forEach((s, e) -> b.create(s.family(), NftGuards.TABLE, s.name(), e, what));
        return b;
    }

    /** Removes every element; each is added first in the same transaction, so a missing one is no error. */
    static NftBatch remove(NftBatch b, Map<SetRef, List<SetElement>> elements, String what) {
        add(b, elements, what);
        elements.forEach((s, e) -> b.delete(s.family(), NftGuards.TABLE, s.name(), e, what));
        return b;
    }

    private static void interval(Map<SetRef, List<SetElement>> out, SetRef set, Cidr c) {
        SetKey start = SetKey.address(c.network());
        BigInteger after = Cidr.toBig(c.last()).add(BigInteger.ONE);
        if (after.bitLength() > c.bits()) {
            put(out, set, SetElement.openStart(start));
            return;
        }
        put(out, set, SetElement.start(start));
        put(out, set, SetElement.end(SetKey.address(Cidr.fromBig(after, c.bits()))));
    }

    private static void put(Map<SetRef, List<SetElement>> out, SetRef set, SetElement e) {
        out.computeIfAbsent(set, k -> new ArrayList<>()).add(e);
    }

    /** The IP protocol number nft's {@code inet_proto} holds. */
    private static int number(Protocol p) {
        return switch (p) {
            case TCP -> 6;
            case UDP -> 17;
            case SCTP -> 132;
        };
    }
}
