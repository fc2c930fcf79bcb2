package dev.berth.netlink.sys;

import java.util.Map;

/** Names and texts of the Linux errno values Berth meets, so errors read "EEXIST (File exists)" rather than "17". */
public final class Errno {
    public static final int EPERM = 1,
            ENOENT = 2,
            ESRCH = 3,
            EINTR = 4,
            EIO = 5,
            ENXIO = 6,
            E2BIG = 7,
            EBADF = 9,
            EAGAIN = 11,
            ENOMEM = 12,
            EACCES = 13,
            EFAULT = 14,
            EBUSY = 16,
            EEXIST = 17,
            EXDEV = 18,
            ENODEV = 19,
            ENOTDIR = 20,
            EINVAL = 22,
            ENFILE = 23,
            EMFILE = 24,
            ENOSPC = 28,
            ERANGE = 34,
            ENAMETOOLONG = 36,
            ENOSYS = 38,
            ENOTEMPTY = 39,
            EXFULL = 54,
            ENOBUFS = 105,
            EMSGSIZE = 90,
            EPROTONOSUPPORT = 93,
            EOPNOTSUPP = 95,
            EAFNOSUPPORT = 97,
            EADDRINUSE = 98,
            EADDRNOTAVAIL = 99,
            ENETDOWN = 100,
            ENETUNREACH = 101,
            EHOSTUNREACH = 113,
            EALREADY = 114,
            ENOTSUP = EOPNOTSUPP;

    private record Entry(String name, String text) {}

    private static final Map<Integer, Entry> TABLE = Map.ofEntries(
            Map.entry(EPERM, new Entry("EPERM", "Operation not permitted")),
            Map.entry(ENOENT, new Entry("ENOENT", "No such file or directory")),
            Map.entry(ESRCH, new Entry("ESRCH", "No such process")),
            Map.entry(EINTR, new Entry("EINTR", "Interrupted system call")),
            Map.entry(EIO, new Entry("EIO", "Input/output error")),
            Map.entry(ENXIO, new Entry("ENXIO", "No such device or address")),
            Map.entry(E2BIG, new Entry("E2BIG", "Argument list too long")),
            Map.entry(EBADF, new Entry("EBADF", "Bad file descriptor")),
            Map.entry(EAGAIN, new Entry("EAGAIN", "Resource temporarily unavailable")),
            Map.entry(ENOMEM, new Entry("ENOMEM", "Cannot allocate memory")),
            Map.entry(EACCES, new Entry("EACCES", "Permission denied")),
            Map.entry(EFAULT, new Entry("EFAULT", "Bad address")),
            Map.entry(EBUSY, new Entry("EBUSY", "Device or resource busy")),
            Map.entry(EEXIST, new Entry("EEXIST", "File exists")),
            Map.entry(EXDEV, new Entry("EXDEV", "Invalid cross-device link")),
            Map.entry(ENODEV, new Entry("ENODEV", "No such device")),
            Map.entry(ENOTDIR, new Entry("ENOTDIR", "Not a directory")),
            Map.entry(EINVAL, new Entry("EINVAL", "Invalid argument")),
            Map.entry(ENFILE, new Entry("ENFILE", "Too many open files in system")),
            Map.entry(EMFILE, new Entry("EMFILE", "Too many open files")),
            Map.entry(ENOSPC, new Entry("ENOSPC", "No space left on device")),
            Map.entry(ERANGE, new Entry("ERANGE", "Numerical result out of range")),
            Map.entry(ENAMETOOLONG, new Entry("ENAMETOOLONG", "File name too long")),
            Map.entry(ENOSYS, new Entry("ENOSYS", "Function not implemented")),
            Map.entry(EXFULL, new Entry("EXFULL", "Exchange full")),
            Map.entry(ENOTEMPTY, new Entry("ENOTEMPTY", "Directory not empty")),
            Map.entry(ENOBUFS, new Entry("ENOBUFS", "No buffer space available")),
            Map.entry(EMSGSIZE, new Entry("EMSGSIZE", "Message too long")),
            Map.entry(EPROTONOSUPPORT, new Entry("EPROTONOSUPPORT", "Protocol not supported")),
            Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "Operation not supported")),
            Map.entry(EAFNOSUPPORT, new Entry("EAFNOSUPPORT", "Address family not supported by protocol")),
            Map.entry(EADDRINUSE, new Entry("EADDRINUSE", "Address already in use")),
            Map.entry(EADDRNOTAVAIL, new Entry("EADDRNOTAVAIL", "Cannot assign requested address")),
            Map.entry(ENETDOWN, new Entry("ENETDOWN", "Network is down")),
            Map.entry(ENETUNREACH, new Entry("ENETUNREACH", "Network is unreachable")),
            Map.entry(EHOSTUNREACH, new Entry("EHOSTUNREACH", "No route to host")),
            Map.entry(EALREADY, new Entry("EALREADY", "Operation already in progress")));

    private Errno() {}

    /** The symbolic name, e.g. {@code EEXIST}, or {@code errno 123} for values outside the table. */
    public static String name(int errno) {
        Entry e = TABLE.get(errno);
        return e != null ? e.name : "errno " + errno;
    }

    /** The C library's text for the value, e.g. {@code File exists}. */
    public static String text(int errno) {
        Entry e = TABLE.get(errno);
        return e != null ? e.text : "Unknown error " + errno;
    }

    /** {@code EEXIST (File exists)}. */
    public static String describe(int errno) {
        return name(errno) + " (" + text(errno) + ")";
    }
}
