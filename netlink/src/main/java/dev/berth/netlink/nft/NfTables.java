package dev.berth.netlink.nft;

import dev.berth.netlink.NetlinkException;
import dev.berth.netlink.NetlinkSocket;
import dev.berth.netlink.Nl;

/**
 * nf_tables over its own netlink socket (NETLINK_NETFILTER), for changes too small to be worth a
 * libnftables script: no parsing and no reading of the ruleset first, one datagram per transaction.
 * The socket belongs to the namespace of the thread that opens it. Safe for concurrent use.
 */
public final class NfTables implements AutoCloseable {
    private final NetlinkSocket socket;

    private NfTables(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static NfTables open() {
        return new NfTables(NetlinkSocket.open(Nl.NETLINK_NETFILTER));
    }

    /**
     * Runs the batch as one transaction and waits for the kernel's answers; throws the first failure
     * (then nothing was applied). An empty batch sends nothing.
     */
    public void commit(NftBatch batch) throws NetlinkException {
        if (batch.isEmpty()) return;
        socket.requestBatch(
                NftBatch.marker(Nft.NFNL_MSG_BATCH_BEGIN), batch.requests(), NftBatch.marker(Nft.NFNL_MSG_BATCH_END));
    }

    @Override
    public void close() {
        socket.close();
    }
}
