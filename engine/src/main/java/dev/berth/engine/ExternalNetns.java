package dev.berth.engine;

import dev.berth.engine.driver.SandboxKernel;
import dev.berth.model.BerthException;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.route.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on a namespace file another runtime hands over (CNI_NETNS), before Berth touches it. */
final class ExternalNetns {
    private ExternalNetns() {}

    /**
     * The path when it names a network namespace other than the host's: a bind-mounted namespace
     * (nsfs, as {@code ip netns add} and CNI runtimes make them) or a process's {@code /proc/PID/ns/net}.
     */
    static Path check(String text, NetnsHandle host) {
        Path p = Path.of(text);
        if (!p.isAbsolute()) throw new BerthException.InvalidRequest("netns", "'" + text + "' is not an absolute path");
        try {
            if (!Files.exists(p))
                throw new BerthException.InvalidRequest(
                        "netns", "no namespace at " + text + ": the file does not exist");
            String type = Files.getFileStore(p).type();
            boolean proc = p.startsWith("/proc") && p.endsWith("ns/net");
            if (!type.equals("nsfs") && !proc)
                throw new BerthException.InvalidRequest(
                        "netns", text + " is not a network namespace (a " + type + " file)");
            Object ino = Files.getAttribute(p, "unix:ino");
            if (ino.equals(Files.getAttribute(Path.of("/proc/self/fd/" + host.fd()), "unix:ino")))
                throw new BerthException.InvalidRequest(
                        "netns", text + " is the host's own namespace, not a container's");
        } catch (IOException e) {
            throw new BerthException.InvalidRequest("netns", "cannot read " + text + ": " + e.getMessage());
        }
        return p;
    }

    /**
     * The path of a namespace the runtime may not have made yet (Docker makes a container's namespace after
     * the driver's Join): absolute, and when the file exists already, a network namespace as {@link #check} wants.
     */
    static Path checkFuture(String text, NetnsHandle host) {
        Path p = Path.of(text);
        if (!p.isAbsolute()) throw new BerthException.InvalidRequest("netns", "'" + text + "' is not an absolute path");
        return Files.exists(p) ? check(text, host) : p;
    }

    /** True when the namespace already has a default route (from another network): the new endpoint adds none. */
    static boolean hasDefaultRoute(SandboxKernel k) {
        for (Route r : k.rtnl().routes().listMain()) if (r.isDefault() && !r.ipv6()) return true;
        return false;
    }
}
