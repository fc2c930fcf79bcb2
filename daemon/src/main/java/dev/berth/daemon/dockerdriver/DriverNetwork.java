package dev.berth.daemon.dockerdriver;

/**
 * A Docker network that uses an existing Berth network instead of one of its own ({@code -o berth.network=NAME},
 * Docker's null IPAM): in cluster mode {@code bridge}, the host's leased subnet, so the network spans the
 * cluster's hosts. Berth gives the endpoints their addresses; deleting the Docker network leaves the Berth one.
 */
public record DriverNetwork(String networkId, String berthNetwork) {}
