package dev.berth.netlink.sys;

/** A system call failed; carries the call, what it was applied to and the errno. */
public class SystemCallException extends RuntimeException {
    private final int errno;

    public SystemCallException(String call, String subject, int errno) {
        super(call + "(" + subject + ") failed: " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
