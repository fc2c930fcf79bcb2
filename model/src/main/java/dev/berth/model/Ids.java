package dev.berth.model;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Docker-style identifiers: 64 random hex characters. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The host side of an endpoint's veth: {@code veth} + 7 hex, as Docker names them. */
    public static String hostVeth(String endpointId) {
        return "veth" + endpointId.substring(0, 7);
    }

    /** A user bridge's device: {@code br-} + 12 hex of the network id. */
    public static String userBridge(String networkId) {
        return "br-" + networkId.substring(0, 12);
    }
}
