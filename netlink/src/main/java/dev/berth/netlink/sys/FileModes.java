package dev.berth.netlink.sys;

/**
 * The bits of a file's {@code st_mode} and {@code st_rdev} as Java reports them ({@code Files.getAttribute(path,
 * "unix:mode")}, {@code "unix:rdev"}): the file's type, its permission bits, a device's major and minor numbers.
 */
public final class FileModes {
    private static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    private FileModes() {}

    /** A FIFO (named pipe). */
    public static boolean isFifo(int mode) {
        return (mode & S_IFMT) == S_IFIFO;
    }

    public static boolean isCharacterDevice(int mode) {
        return (mode & S_IFMT) == S_IFCHR;
    }

    public static boolean isBlockDevice(int mode) {
        return (mode & S_IFMT) == S_IFBLK;
    }

    /** The permission bits, with set-user-id, set-group-id and sticky (07777). */
    public static int permissions(int mode) {
        return mode & 07777;
    }

    /** glibc's gnu_dev_major: dev_t splits its numbers over high and low bits. */
    public static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & 0xfffff000L);
    }

    /** glibc's gnu_dev_minor. */
    public static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xffffff00L);
    }
}
