package dev.berth.dns;

/**
 * A network as the resolver needs it: which names it scopes ({@code NAME.NETWORK}) and whether it is one of
 * Docker's predefined networks, which carry no names. berthd builds it from the engine's network.
 */
public record DnsNetwork(String id, String name, boolean predefined) {}
