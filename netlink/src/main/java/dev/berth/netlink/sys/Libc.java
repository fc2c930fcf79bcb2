package dev.berth.netlink.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls Berth needs, bound with java.lang.foreign. Each wrapper throws
 * {@link SystemCallException} (with errno) on failure, so callers never inspect -1 themselves.
 */
public final class Libc {
    public static final int AF_UNIX = 1, AF_INET = 2, AF_BRIDGE = 7, AF_NETLINK = 16, AF_PACKET = 17, AF_INET6 = 10;
    /** Virtual machine sockets: only named here, for the seccomp profile that refuses them. */
    public static final int AF_VSOCK = 40;

    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;
    public static final int O_RDONLY = 0,
            O_RDWR = 2,
            O_CREAT = 0100,
            O_EXCL = 0200,
            O_NONBLOCK = 04000,
            O_CLOEXEC = 02000000;
    public static final int CLONE_NEWNET = 0x40000000;
    /** The other namespace flags of clone(2) and unshare(2), for the seccomp profile that gates them. */
    public static final int CLONE_NEWNS = 0x00020000,
            CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000,
            CLONE_NEWIPC = 0x08000000,
            CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000;

    public static final long MS_BIND = 4096, MS_REC = 16384, MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final short POLLIN = 1;
    public static final int MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle SOCKET = bind("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = bind("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKNAME = bind("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            bind("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle SEND = bind("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle RECV = bind("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle READ = bind("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle WRITE = bind("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle CLOSE = bind("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle OPEN = bindVariadic("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle IOCTL = bindVariadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle IOCTL_INT = bindVariadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SETNS = bind("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle UNSHARE = bind("unshare", JAVA_INT, JAVA_INT);
    private static final MethodHandle MOUNT = bind("mount", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
    private static final MethodHandle UMOUNT2 = bind("umount2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle POLL = bind("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle GETTID = bind("gettid", JAVA_INT);
    private static final MethodHandle FCNTL = bindVariadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final int F_GETFL = 3, F_SETFL = 4, F_SETPIPE_SZ = 1031;
    private static final MethodHandle MKFIFO = bind("mkfifo", JAVA_INT, ADDRESS, JAVA_INT);

    private Libc() {}

    private static MethodHandle bind(String name, MemoryLayout result, MemoryLayout... args) {
        MemorySegment fn = LINKER.defaultLookup().findOrThrow(name);
        return LINKER.downcallHandle(fn, FunctionDescriptor.of(result, args), Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle bindVariadic(
            String name, int firstVariadic, MemoryLayout result, MemoryLayout... args) {
        MemorySegment fn = LINKER.defaultLookup().findOrThrow(name);
        return LINKER.downcallHandle(
                fn,
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int check(int rc, MemorySegment state, String call, Object subject) {
        if (rc < 0) throw new SystemCallException(call, String.valueOf(subject), errno(state));
        return rc;
    }

    private static long check(long rc, MemorySegment state, String call, Object subject) {
        if (rc < 0) throw new SystemCallException(call, String.valueOf(subject), errno(state));
        return rc;
    }

    /** Invokes a bound handle; the checked Throwable of invokeExact never happens for downcalls. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = STATE.get();
        try {
            return check(
                    (int) SOCKET.invokeExact(st, domain, type, protocol),
                    st,
                    "socket",
                    domain + "," + type + "," + protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void bind(int fd, MemorySegment addr) {
        MemorySegment st = STATE.get();
        try {
            check((int) BIND.invokeExact(st, fd, addr, (int) addr.byteSize()), st, "bind", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code addr} with the socket's bound address and returns its length. */
    public static int getsockname(int fd, MemorySegment addr, MemorySegment lenInOut) {
        MemorySegment st = STATE.get();
        try {
            return check((int) GETSOCKNAME.invokeExact(st, fd, addr, lenInOut), st, "getsockname", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockoptInt(int fd, int level, int option, int value) {
        MemorySegment st = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            check((int) SETSOCKOPT.invokeExact(st, fd, level, option, v, 4), st, "setsockopt", level + "/" + option);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2) with a value laid out by the caller (a struct timeval, ...). */
    public static void setsockopt(int fd, int level, int option, MemorySegment value) {
        MemorySegment st = STATE.get();
        try {
            check(
                    (int) SETSOCKOPT.invokeExact(st, fd, level, option, value, (int) value.byteSize()),
                    st,
                    "setsockopt",
                    level + "/" + option);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes reads and writes on {@code fd} return EAGAIN instead of waiting (fcntl O_NONBLOCK). */
    public static void setNonBlocking(int fd) {
        MemorySegment st = STATE.get();
        try {
            int flags = check((int) FCNTL.invokeExact(st, fd, F_GETFL, 0), st, "fcntl", "F_GETFL");
            check((int) FCNTL.invokeExact(st, fd, F_SETFL, flags | O_NONBLOCK), st, "fcntl", "O_NONBLOCK");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Asks the pipe or FIFO on {@code fd} to hold {@code bytes} (fcntl F_SETPIPE_SZ; at most /proc/sys/fs/pipe-max-size). */
    public static void setPipeSize(int fd, int bytes) {
        MemorySegment st = STATE.get();
        try {
            check((int) FCNTL.invokeExact(st, fd, F_SETPIPE_SZ, bytes), st, "fcntl", "F_SETPIPE_SZ " + bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mkfifo(3): a FIFO at {@code path} with permission bits {@code mode}. */
    public static void mkfifo(String path, int mode) {
        MemorySegment st = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            check((int) MKFIFO.invokeExact(st, arena.allocateFrom(path), mode), st, "mkfifo", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends {@code length} bytes from {@code buf}; returns the count sent. */
    public static long send(int fd, MemorySegment buf, long length, int flags) {
        MemorySegment st = STATE.get();
        try {
            return check((long) SEND.invokeExact(st, fd, buf, length, flags), st, "send", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Receives into {@code buf}; with MSG_TRUNC the result is the datagram's full length. */
    public static long recv(int fd, MemorySegment buf, long length, int flags) {
        MemorySegment st = STATE.get();
        while (true) {
            long n;
            try {
                n = (long) RECV.invokeExact(st, fd, buf, length, flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) return n;
            if (errno(st) != Errno.EINTR) throw new SystemCallException("recv", String.valueOf(fd), errno(st));
        }
    }

    public static long read(int fd, MemorySegment buf, long length) {
        MemorySegment st = STATE.get();
        while (true) {
            long n;
            try {
                n = (long) READ.invokeExact(st, fd, buf, length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) return n;
            if (errno(st) != Errno.EINTR) throw new SystemCallException("read", String.valueOf(fd), errno(st));
        }
    }

    public static long write(int fd, MemorySegment buf, long length) {
        MemorySegment st = STATE.get();
        try {
            return check((long) WRITE.invokeExact(st, fd, buf, length), st, "write", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        MemorySegment st = STATE.get();
        try {
            check((int) CLOSE.invokeExact(st, fd), st, "close", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags, int mode) {
        MemorySegment st = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            return check((int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode), st, "open", path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment st = STATE.get();
        try {
            return check(
                    (int) IOCTL.invokeExact(st, fd, request, arg), st, "ioctl", fd + ",0x" + Long.toHexString(request));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, long arg) {
        MemorySegment st = STATE.get();
        try {
            return check(
                    (int) IOCTL_INT.invokeExact(st, fd, request, arg),
                    st,
                    "ioctl",
                    fd + ",0x" + Long.toHexString(request));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Moves the calling thread into the namespace {@code fd} refers to. Only ever on a dedicated platform thread. */
    public static void setns(int fd, int nstype) {
        MemorySegment st = STATE.get();
        try {
            check((int) SETNS.invokeExact(st, fd, nstype), st, "setns", fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void unshare(int flags) {
        MemorySegment st = STATE.get();
        try {
            check((int) UNSHARE.invokeExact(st, flags), st, "unshare", "0x" + Integer.toHexString(flags));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mount(2); {@code source} and {@code fstype} may be null. Returns 0, or throws. */
    public static void mount(String source, String target, String fstype, long flags) {
        MemorySegment st = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = source == null ? MemorySegment.NULL : arena.allocateFrom(source);
            MemorySegment fs = fstype == null ? MemorySegment.NULL : arena.allocateFrom(fstype);
            check(
                    (int) MOUNT.invokeExact(st, src, arena.allocateFrom(target), fs, flags, MemorySegment.NULL),
                    st,
                    "mount",
                    source + " -> " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void umount2(String target, int flags) {
        MemorySegment st = STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            check((int) UMOUNT2.invokeExact(st, arena.allocateFrom(target), flags), st, "umount2", target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on the given pollfd array; returns the number of ready descriptors (0 on timeout). */
    public static int poll(MemorySegment pollfds, long count, int timeoutMillis) {
        MemorySegment st = STATE.get();
        while (true) {
            int n;
            try {
                n = (int) POLL.invokeExact(st, pollfds, count, timeoutMillis);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (n >= 0) return n;
            if (errno(st) != Errno.EINTR) throw new SystemCallException("poll", String.valueOf(count), errno(st));
        }
    }

    public static int gettid() {
        MemorySegment st = STATE.get();
        try {
            return (int) GETTID.invokeExact(st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
