package dev.berth.netlink.ns;

import dev.berth.netlink.sys.Libc;
import java.util.concurrent.atomic.AtomicBoolean;

/** An open file descriptor that refers to a network namespace; closing it does not delete the namespace. */
public final class NetnsHandle implements AutoCloseable {
    private final int fd;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    NetnsHandle(int fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    /** The descriptor, for IFLA_NET_NS_FD and setns. */
    public int fd() {
        if (closed.get()) throw new IllegalStateException("netns handle " + description + " is closed");
        return fd;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) Libc.close(fd);
    }

    @Override
    public String toString() {
        return description;
    }
}
