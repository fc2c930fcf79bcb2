package dev.berth.daemon.http;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A listening Unix socket passed by systemd (socket activation, the {@code sd_listen_fds} protocol):
 * {@code LISTEN_PID} names this process and {@code LISTEN_FDS} counts the descriptors, which start at 3.
 * berthd takes one, its API socket (berthd.socket's {@code ListenStream=}).
 *
 * @param fd   the descriptor, 3
 * @param path where the socket is bound, as the kernel reports it
 */
public record SystemdSocket(int fd, Path path) {
    static final int FIRST_FD = 3;

    /**
     * The socket systemd passed to this process, if any; refuses what berthd cannot serve on (more than
     * one descriptor, one that is not a listening Unix stream socket), naming the problem.
     */
    public static Optional<SystemdSocket> inherited() throws IOException {
        return inherited(System.getenv(), ProcessHandle.current().pid());
    }

    static Optional<SystemdSocket> inherited(Map<String, String> env, long pid) throws IOException {
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null) return Optional.empty();
        if (!listenPid.strip().equals(Long.toString(pid))) return Optional.empty(); // meant for another process
        int n;
        try {
            n = Integer.parseInt(listenFds.strip());
        } catch (NumberFormatException e) {
            throw new IOException("LISTEN_FDS: '" + listenFds + "' is not a number");
        }
        if (n == 0) return Optional.empty();
        if (n != 1)
            throw new IOException("systemd passed " + n
                    + " sockets (LISTEN_FDS); berthd takes one, its API socket: give berthd.socket one ListenStream=");
        String link =
                Files.readSymbolicLink(Path.of("/proc/self/fd/" + FIRST_FD)).toString();
        if (!link.startsWith("socket:"))
            throw new IOException("descriptor " + FIRST_FD + " from systemd is " + link + ", not a socket");
        long inode = Long.parseLong(link.replaceAll("[^0-9]", ""));
        // /proc/net/unix lists this network namespace's sockets: one made in another is not checked here
        Optional<UnixEntry> e = UnixEntry.find(inode);
        if (e.isPresent() && !e.get().listeningStream())
            throw new IOException(
                    "descriptor " + FIRST_FD
                            + " from systemd is not a listening Unix stream socket (berthd.socket needs ListenStream=PATH, not Accept=yes)");
        Epoll.ensureAvailability(); // loads Netty's native library, which Socket's methods are part of
        DomainSocketAddress local = new Socket(FIRST_FD).localDomainSocketAddress();
        String path =
                local == null || local.path().isEmpty() ? e.map(UnixEntry::path).orElse(null) : local.path();
        if (path == null || path.isEmpty())
            throw new IOException("descriptor " + FIRST_FD + " from systemd is an unnamed socket");
        return Optional.of(new SystemdSocket(FIRST_FD, Path.of(path)));
    }

    @Override
    public String toString() {
        return "systemd's socket " + path + " (fd " + fd + ")";
    }

    /** A line of /proc/net/unix: flags, type, state, inode, path. */
    private record UnixEntry(int flags, int type, long inode, String path) {
        private static final int ACCEPTING = 0x10000; // __SO_ACCEPTCON: listen() was called
        private static final int STREAM = 1;

        boolean listeningStream() {
            return (flags & ACCEPTING) != 0 && type == STREAM;
        }

        /** The socket with this inode in this network namespace's table. */
        static Optional<UnixEntry> find(long inode) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
                String[] f = line.trim().split("\\s+");
                // Num RefCount Protocol Flags Type St Inode [Path]
                if (f.length < 7 || !f[6].equals(Long.toString(inode))) continue;
                return Optional.of(new UnixEntry(
                        Integer.parseInt(f[3], 16), Integer.parseInt(f[4], 16), inode, f.length > 7 ? f[7] : null));
            }
            return Optional.empty();
        }
    }
}
