package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.nft.NfTables;
import dev.berth.netlink.nft.NftBatch;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.util.List;

/** A libnftables context in one network namespace: runs scripts there and turns failures into {@link BerthException}s. */
final class NftSession implements AutoCloseable {
    private static final String MISSING_HINT = " (are Berth's nftables tables missing? sync() re-creates them)";

    private final NetnsHandle netns;
    private final LibNftables.Context nft;
    /** nf_tables' own netlink socket for the guard elements ({@link NftGuards}), opened at first use. */
    private NfTables netfilter;

    /** Throws Unsupported without libnftables. */
    NftSession(NetnsHandle netns) {
        LibNftables lib = LibNftables.load();
        this.netns = netns;
        // The context's netlink socket is bound to the namespace of the thread that opens it.
        this.nft = Netns.call(netns, lib::open);
    }

    /** Runs the script as one transaction; throws when it fails (then nothing was changed). */
    void apply(String what, String script) {
        LibNftables.Result r = run(script);
        if (!r.ok()) throw failure(what, r);
    }

    LibNftables.Result run(String script) {
        return Netns.call(netns, () -> nft.run(script));
    }

    /** Adds anti-spoofing elements as one nf_tables transaction (netlink, no script). */
    void addGuards(String what, List<EndpointGuard> guards) {
        try {
            NftGuards.add(netfilter(), guards);
        } catch (NetlinkException e) {
            throw failure(what, e);
        }
    }

    /** Removes anti-spoofing elements as one nf_tables transaction; missing ones are no error. */
    void removeGuards(String what, List<EndpointGuard> guards) {
        try {
            NftGuards.remove(netfilter(), guards);
        } catch (NetlinkException e) {
            throw failure(what, e);
        }
    }

    /** Commits a batch of element changes as one nf_tables transaction; throws when it fails (then nothing changed). */
    void commit(String what, NftBatch batch) {
        try {
            netfilter().commit(batch);
        } catch (NetlinkException e) {
            throw failure(what, e);
        }
    }

    /** As {@link #commit(String, NftBatch)}, leaving the kernel's refusal to the caller. */
    void commitOrThrow(NftBatch batch) throws NetlinkException {
        netfilter().commit(batch);
    }

    private NfTables netfilter() {
        if (netfilter == null) netfilter = Netns.call(netns, NfTables::open);
        return netfilter;
    }

    static BerthException failure(String what, NetlinkException e) {
        String hint =
                e.getMessage() != null && e.getMessage().contains("No such file or directory") ? MISSING_HINT : "";
        return new BerthException.Failed(
                "nftables: " + what + " failed, nothing was changed" + hint + ": " + e.getMessage(), e);
    }

    static BerthException failure(String what, LibNftables.Result r) {
        String err = r.error().strip();
        if (err.contains("Operation not supported") || err.contains("Protocol not supported"))
            return new BerthException.Unsupported(
                    "nftables: " + what + " failed, the kernel lacks a feature Berth uses "
                            + "(nf_tables with inet NAT, fib, ct and bridge families): " + err,
                    null);
        String hint = err.contains("No such file or directory") ? MISSING_HINT : "";
        return new BerthException.Failed(
                "nftables: " + what + " failed, nothing was changed" + hint + ": " + err, null);
    }

    /** Frees the context; the namespace handle stays the caller's. */
    @Override
    public void close() {
        if (netfilter != null) netfilter.close();
        nft.close();
    }
}
