package dev.berth.cluster.lease;

import dev.berth.model.MacAddress;
import java.net.InetAddress;

/**
 * The MAC address of a host's VXLAN device, derived from its public IPv4 address
 * ({@code 0e:be:c0:a8:5b:80} for 192.168.91.128): locally administered, unique per host, the same
 * after a restart, and known to peers even in static mode where nobody publishes it.
 */
public final class VtepMac {
    private VtepMac() {}

    public static MacAddress of(InetAddress publicIp) {
        byte[] ip = publicIp.getAddress();
        return MacAddress.of(new byte[] {0x0e, (byte) 0xbe, ip[0], ip[1], ip[2], ip[3]});
    }
}
