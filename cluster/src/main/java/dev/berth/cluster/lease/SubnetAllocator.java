package dev.berth.cluster.lease;

import dev.berth.cluster.config.Ip4;
import dev.berth.cluster.config.NetworkConfig;
import dev.berth.model.net.Cidr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a free host subnet as flannel does: walk SubnetMin..SubnetMax in SubnetLen steps, collect up
 * to 100 that overlap no lease, take one at random (so hosts starting together rarely race).
 */
public final class SubnetAllocator {
    private static final int CANDIDATES = 100;

    private SubnetAllocator() {}

    /** A free subnet, or null when every one is taken. */
    public static Cidr pick(NetworkConfig c, Collection<Cidr> taken) {
        List<Cidr> free = new ArrayList<>();
        long step = Ip4.size(c.subnetLen());
        long end = Ip4.toLong(c.subnetMax().network());
        for (long s = Ip4.toLong(c.subnetMin().network()); s <= end && free.size() < CANDIDATES; s += step) {
            Cidr candidate = Ip4.subnet(s, c.subnetLen());
            boolean used = false;
            for (Cidr t : taken)
                if (t.overlaps(candidate)) {
                    used = true;
                    break;
                }
            if (!used) free.add(candidate);
        }
        return free.isEmpty() ? null : free.get(ThreadLocalRandom.current().nextInt(free.size()));
    }
}
