package dev.berth.daemon.http;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The descriptor number of a Unix socket this process bound, found the way {@code ss} and {@code lsof} do:
 * its inode in this network namespace's {@code /proc/net/unix} by the path it was bound to, then the entry
 * of {@code /proc/self/fd} linking to {@code socket:[INODE]}. (The JDK's channels do not tell their number.)
 */
final class UnixFds {
    private UnixFds() {}

    static int descriptorOf(Path bound) throws IOException {
        long inode = inodeOf(bound.toString());
        String link = "socket:[" + inode + "]";
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(link))
                        return Integer.parseInt(fd.getFileName().toString());
                } catch (IOException closedMeanwhile) {
                    // the directory's own descriptor, or one closed while listing
                }
            }
        }
        throw new IOException("no descriptor of this process is the socket bound at " + bound);
    }

    private static long inodeOf(String path) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
            String[] f = line.trim().split("\\s+");
            // Num RefCount Protocol Flags Type St Inode Path
            if (f.length == 8 && f[7].equals(path)) return Long.parseLong(f[6]);
        }
        throw new IOException("no Unix socket bound at " + path + " in /proc/net/unix");
    }
}
