package dev.berth.daemon.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A container's /etc/hosts, /etc/resolv.conf and /etc/hostname under the run directory
 * ({@code RUN/containers/ID/}). They are bind-mounted into the container, which holds them by inode:
 * a rewrite truncates and writes the same file (never a rename), so a connect shows inside at once.
 */
public final class ContainerFiles {
    public static final String HOSTS = "hosts", RESOLV_CONF = "resolv.conf", HOSTNAME = "hostname";

    private final Path root;

    public ContainerFiles(Path root) {
        this.root = root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public Path path(String id, String file) {
        return dir(id).resolve(file);
    }

    /** Writes the three files in place (created when missing). */
    public void write(String id, String hosts, String resolvConf, String hostname) {
        writeInPlace(path(id, HOSTS), hosts);
        writeInPlace(path(id, RESOLV_CONF), resolvConf);
        writeInPlace(path(id, HOSTNAME), hostname);
    }

    /** Empty files where none are yet: a spec written before the start names them (the start fills them). */
    public void placeholders(String id) {
        try {
            Files.createDirectories(dir(id));
            for (String f : new String[] {HOSTS, RESOLV_CONF, HOSTNAME}) {
                try {
                    Files.createFile(path(id, f));
                } catch (FileAlreadyExistsException kept) {
                    // the last start's, rewritten in place at the next
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the /etc files of " + id, e);
        }
    }

    public void writeHosts(String id, String hosts) {
        writeInPlace(path(id, HOSTS), hosts);
    }

    /** Where every container's directory is. */
    public Path root() {
        return root;
    }

    public void remove(String id) {
        deleteTree(dir(id));
    }

    static void deleteTree(Path d) {
        if (!Files.exists(d)) return;
        try (Stream<Path> paths = Files.walk(d)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + d, e);
        }
    }

    static void writeInPlace(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            // Written over from the start, then cut to its length: a truncation to zero first would make ext4
            // flush the file at close (its auto_da_alloc), milliseconds per connect under load.
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                ByteBuffer b = ByteBuffer.wrap(bytes);
                long at = 0;
                while (b.hasRemaining()) at += ch.write(b, at);
                ch.truncate(bytes.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
