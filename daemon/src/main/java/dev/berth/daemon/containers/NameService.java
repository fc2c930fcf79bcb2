package dev.berth.daemon.containers;

import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;

/**
 * Where containers' names are served from: told when a sandbox comes and goes and whenever names
 * change (create, connect, disconnect, remove), and asked for the resolv.conf a sandbox should see.
 */
public interface NameService {
    /** Starts serving a sandbox that was just created (its lo is up). */
    void attach(ContainerRecord container, Sandbox sandbox);

    /** Stops serving a sandbox; called before its namespace goes. Idempotent. */
    void detach(String sandboxId);

    /** Names changed: publish the engine's current state. */
    void refresh();

    /** One endpoint came: its sandbox's names on its network (a connect); by default a whole refresh. */
    default void connected(Sandbox sandbox, Endpoint endpoint) {
        refresh();
    }

    /** One endpoint went: the sandbox's names on that network (a disconnect); by default a whole refresh. */
    default void disconnected(String sandboxId, String networkId) {
        refresh();
    }

    /** The resolv.conf for a sandbox this service answers, or null to give it the host's. */
    String resolvConf(Sandbox sandbox);

    /** No embedded resolver: containers use the host's resolvers. */
    NameService NONE = new NameService() {
        @Override
        public void attach(ContainerRecord container, Sandbox sandbox) {}

        @Override
        public void detach(String sandboxId) {}

        @Override
        public void refresh() {}

        @Override
        public String resolvConf(Sandbox sandbox) {
            return null;
        }
    };
}
