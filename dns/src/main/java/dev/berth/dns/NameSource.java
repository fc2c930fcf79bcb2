package dev.berth.dns;

import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a {@link NameTable} reads names from: the networks, the sandboxes, and each sandbox's endpoints.
 * berthd passes its engine's, each network seen as a {@link DnsNetwork}: the resolver knows nothing else of the
 * engine.
 */
public record NameSource(
        Supplier<? extends Collection<DnsNetwork>> networks,
        Supplier<? extends Collection<Sandbox>> sandboxes,
        Function<Sandbox, List<Endpoint>> endpointsOf) {}
