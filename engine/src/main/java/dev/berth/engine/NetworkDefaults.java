package dev.berth.engine;

import dev.berth.engine.ipam.SubnetPlanner;
import java.util.List;

/**
 * dockerd's daemon-wide network settings: the default bridge's ({@code --icc}, {@code --ip-masq},
 * {@code --ip}, {@code --fixed-cidr}, {@code --default-gateway}) and the pools new networks take their
 * subnets from ({@code --default-address-pool}).
 *
 * @param icc            containers on the default bridge reach each other
 * @param ipMasq         traffic leaving the default bridge is masqueraded
 * @param hostIp         the address {@code -p} binds to when it names none, or null for every address
 * @param fixedCidr      the part of the default bridge's subnet containers get addresses from, or null
 * @param defaultGateway the default bridge's containers' default gateway instead of the bridge, or null
 * @param addressPools   the pools for networks created without a subnet (and the default bridge without
 *                       {@code --bip}), in order; empty: Docker's own
 */
public record NetworkDefaults(
        boolean icc,
        boolean ipMasq,
        String hostIp,
        String fixedCidr,
        String defaultGateway,
        List<SubnetPlanner.Pool> addressPools) {
    public static final NetworkDefaults DOCKER = new NetworkDefaults(true, true, null, null, null, List.of());

    public NetworkDefaults {
        addressPools = List.copyOf(addressPools);
    }

    /** The subnet planner of new networks: these pools, or Docker's defaults. */
    SubnetPlanner planner(String seed) {
        return addressPools.isEmpty() ? new SubnetPlanner(seed) : new SubnetPlanner(addressPools, seed);
    }
}
