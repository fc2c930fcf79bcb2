package dev.berth.dns;

import dev.berth.engine.model.Endpoint;
import dev.berth.engine.model.Network;
import dev.berth.engine.model.Sandbox;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a {@link NameTable} reads names from: the networks, the sandboxes, and each sandbox's endpoints.
 * berthd passes its engine's ({@code new NameSource(engine::networks, engine::sandboxes, engine::endpointsOf)});
 * the resolver needs nothing else of the engine.
 */
public record NameSource(
        Supplier<? extends Collection<Network>> networks,
        Supplier<? extends Collection<Sandbox>> sandboxes,
        Function<Sandbox, List<Endpoint>> endpointsOf) {}
