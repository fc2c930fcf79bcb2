package dev.berth.cluster;

import dev.berth.cluster.config.Ip4;
import dev.berth.model.net.Cidr;
import dev.berth.model.net.IpPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * flannel's {@code subnet.env}, for tools that source it ({@code dockerd --bip=${FLANNEL_SUBNET} --mtu=${FLANNEL_MTU}}):
 * <pre>
 * FLANNEL_NETWORK=10.5.0.0/16
 * FLANNEL_SUBNET=10.5.72.1/24
 * FLANNEL_MTU=1450
 * FLANNEL_IPMASQ=false
 * </pre>
 * FLANNEL_IPMASQ is false: the agent itself masquerades nothing (Berth's engine does, sparing the cluster network).
 */
public final class SubnetEnv {
    public static final String FILE = "subnet.env";

    private SubnetEnv() {}

    public static String text(Cidr network, Cidr subnet, int mtu) {
        return "FLANNEL_NETWORK=" + network + "\n"
                + "FLANNEL_SUBNET=" + Ip4.at(subnet, 1).getHostAddress() + "/" + subnet.prefix() + "\n"
                + "FLANNEL_MTU=" + mtu + "\n"
                + "FLANNEL_IPMASQ=false\n";
    }

    /** Writes the file atomically (a reader never sees half of it). */
    public static void write(Path dir, Cidr network, Cidr subnet, int mtu) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            Files.writeString(tmp, text(network, subnet, mtu));
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /** The subnet an earlier run wrote (FLANNEL_SUBNET), or null. */
    public static Cidr previous(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) return null;
        try {
            for (String line : Files.readAllLines(f)) {
                if (!line.startsWith("FLANNEL_SUBNET=")) continue;
                String v = line.substring("FLANNEL_SUBNET=".length()).strip();
                IpPrefix p = IpPrefix.parse(v);
                return Cidr.of(p.address(), p.length());
            }
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: choose afresh
        }
        return null;
    }

    public static void delete(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(FILE));
        } catch (IOException ignored) {
            // best effort
        }
    }
}
