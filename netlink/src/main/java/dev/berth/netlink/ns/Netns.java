package dev.berth.netlink.ns;

import dev.berth.netlink.route.Rtnl;
import dev.berth.netlink.sys.Errno;
import dev.berth.netlink.sys.Libc;
import dev.berth.netlink.sys.SystemCallException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Network namespaces: persistent named ones made exactly as {@code ip netns add} makes them (a
 * bind mount under /run/netns, so {@code ip netns exec NAME} works on them), handles by path or
 * pid, and running code inside one.
 */
public final class Netns {
    /** Where named namespaces live, shared with iproute2. */
    public static final Path RUN_NETNS = Path.of("/run/netns");
    /** A namespace's name is a file name under /run/netns: NAME_MAX bytes. */
    public static final int MAX_NAME = 255;

    private static final Object MOUNT_LOCK = new Object();
    private static volatile boolean runDirShared;

    private Netns() {}

    /** The namespace of the calling thread. */
    public static NetnsHandle current() {
        return new NetnsHandle(Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "current");
    }

    public static NetnsHandle open(Path path) {
        return new NetnsHandle(Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0), path.toString());
    }

    /** The named namespace {@code /run/netns/NAME}. */
    public static NetnsHandle open(String name) {
        return open(pathOf(name));
    }

    /** The namespace process {@code pid} is in. */
    public static NetnsHandle ofPid(long pid) {
        return open(Path.of("/proc/" + pid + "/ns/net"));
    }

    public static Path pathOf(String name) {
        checkName(name);
        return RUN_NETNS.resolve(name);
    }

    public static boolean exists(String name) {
        return Files.exists(pathOf(name));
    }

    /** Names under /run/netns, as {@code ip netns list} shows them. */
    public static List<String> list() {
        if (!Files.isDirectory(RUN_NETNS)) return List.of();
        try (Stream<Path> s = Files.list(RUN_NETNS)) {
            List<String> out = new ArrayList<>();
            s.forEach(p -> out.add(p.getFileName().toString()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates a new, empty named namespace and returns a handle to it. Fails if the name is taken;
     * leaves nothing behind when it fails.
     */
    public static NetnsHandle create(String name) {
        return create(name, false).handle();
    }

    /** A new namespace with an rtnetlink socket already bound in it. */
    public record Created(NetnsHandle handle, Rtnl rtnl) {}

    /**
     * Creates a named namespace and opens rtnetlink inside it in the same trip to a namespace thread
     * (one switch instead of two, which is most of the cost of setting up a container endpoint).
     */
    public static Created createWithRtnl(String name) {
        return create(name, true);
    }

    private static Created create(String name, boolean openRtnl) {
        Path path = pathOf(name);
        prepareRunDir();
        int fd;
        try {
            fd = Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        } catch (SystemCallException e) {
            if (e.errno() == Errno.EEXIST)
                throw new IllegalStateException("network namespace '" + name + "' already exists", e);
            throw e;
        }
        Libc.close(fd);
        var made = new Object() {
            boolean mounted;
            Rtnl rtnl;
        };
        try {
            call(anchor(), () -> {
                Libc.unshare(Libc.CLONE_NEWNET);
                Libc.mount("/proc/thread-self/ns/net", path.toString(), "none", Libc.MS_BIND);
                made.mounted = true;
                if (openRtnl) made.rtnl = Rtnl.open(); // still inside the new namespace
                return null;
            });
            return new Created(
                    new NetnsHandle(Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0), name), made.rtnl);
        } catch (RuntimeException e) {
            if (made.rtnl != null) made.rtnl.close();
            if (made.mounted) Libc.umount2(path.toString(), Libc.MNT_DETACH);
            deleteQuietly(path);
            throw e;
        }
    }

    /**
     * Gives the namespace named {@code from} the name {@code to} as well (a bind mount of the same namespace,
     * what {@code ip netns attach} makes); {@link #delete} of the old name then completes a rename. Fails if
     * {@code to} is taken; leaves nothing behind when it fails.
     */
    public static void alias(String from, String to) {
        Path source = pathOf(from);
        Path target = pathOf(to);
        int fd;
        try {
            fd = Libc.open(target.toString(), Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0);
        } catch (SystemCallException e) {
            if (e.errno() == Errno.EEXIST)
                throw new IllegalStateException("network namespace '" + to + "' already exists", e);
            throw e;
        }
        Libc.close(fd);
        try {
            Libc.mount(source.toString(), target.toString(), "none", Libc.MS_BIND);
        } catch (RuntimeException e) {
            deleteQuietly(target);
            throw e;
        }
    }

    /** Removes a named namespace; the kernel frees it once no process or handle holds it. */
    public static void delete(String name) {
        Path path = pathOf(name);
        try {
            Libc.umount2(path.toString(), Libc.MNT_DETACH);
        } catch (SystemCallException e) {
            if (e.errno() == Errno.ENOENT)
                throw new IllegalArgumentException("no network namespace named '" + name + "'");
            if (e.errno() != Errno.EINVAL) throw e; // EINVAL: not mounted (a stale file); remove it anyway
        }
        deleteQuietly(path);
    }

    /** Runs {@code task} inside the namespace on a dedicated platform thread and returns its result. */
    public static <T> T call(NetnsHandle ns, Callable<T> task) {
        try {
            return NetnsThreads.call(ns, task);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    public static void run(NetnsHandle ns, Runnable task) {
        call(ns, () -> {
            task.run();
            return null;
        });
    }

    /** Opens rtnetlink bound to the namespace; the socket acts there from any thread. */
    public static Rtnl rtnl(NetnsHandle ns) {
        return call(ns, Rtnl::open);
    }

    /** The JVM's own namespace, used as the starting point for a fresh unshare. */
    private static NetnsHandle anchor() {
        return Anchor.HOME;
    }

    private static final class Anchor {
        static final NetnsHandle HOME =
                new NetnsHandle(Libc.open("/proc/self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC, 0), "home");
    }

    /** Makes /run/netns a shared mount point, as iproute2 does, so namespace mounts propagate to other mount namespaces. */
    private static void prepareRunDir() {
        if (runDirShared && Files.isDirectory(RUN_NETNS)) return; // once per process, as long as it is there
        synchronized (MOUNT_LOCK) {
            try {
                Files.createDirectories(RUN_NETNS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + RUN_NETNS, e);
            }
            try {
                Libc.mount("", RUN_NETNS.toString(), "none", Libc.MS_SHARED | Libc.MS_REC);
            } catch (SystemCallException e) {
                if (e.errno() != Errno.EINVAL) throw e;
                // Not yet a mount point: bind it onto itself, then share it.
                Libc.mount(RUN_NETNS.toString(), RUN_NETNS.toString(), "none", Libc.MS_BIND | Libc.MS_REC);
                Libc.mount("", RUN_NETNS.toString(), "none", Libc.MS_SHARED | Libc.MS_REC);
            }
            runDirShared = true;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the caller's error is the one that matters
        }
    }

    static void checkName(String name) {
        if (name == null
                || name.isEmpty()
                || name.equals(".")
                || name.equals("..")
                || name.contains("/")
                || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME)
            throw new IllegalArgumentException(
                    "network namespace name '" + name + "' is not allowed: use 1-" + MAX_NAME + " bytes without '/'");
    }
}
