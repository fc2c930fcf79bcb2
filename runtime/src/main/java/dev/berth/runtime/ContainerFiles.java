package dev.berth.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One container's folder, {@code <runDir>/containers/<id>/}: {@code state.json}, the files bind-mounted
 * inside ({@code hosts}, {@code resolv.conf}, {@code hostname}), the logs ({@code stdout}, {@code stderr}),
 * what the wrapper writes ({@code pid}, {@code exit}, {@code setup.log}) and the {@code launching} marker
 * of a start under way.
 */
final class ContainerFiles {
    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The exit status the wrapper recorded and when (the file's modification time). */
    record ExitFile(int code, Instant at) {}

    private final Path dir;

    ContainerFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() { return dir; }
    Path state() { return dir.resolve("state.json"); }
    Path hosts() { return dir.resolve("hosts"); }
    Path resolvConf() { return dir.resolve("resolv.conf"); }
    Path hostname() { return dir.resolve("hostname"); }
    Path stdout() { return dir.resolve("stdout"); }
    Path stderr() { return dir.resolve("stderr"); }
    Path pid() { return dir.resolve("pid"); }
    Path exit() { return dir.resolve("exit"); }
    Path setupLog() { return dir.resolve("setup.log"); }
    Path launching() { return dir.resolve("launching"); }

    Path log(LogStream s) {
        return s == LogStream.STDOUT ? stdout() : stderr();
    }

    /** Writes the files of a new container; {@code state.json} last, so a folder without it is a create that never finished. */
    void create(StoredContainer c) {
        try {
            Files.createDirectories(dir);
            ContainerSpec s = c.spec();
            Files.writeString(hosts(), s.hosts());
            Files.writeString(resolvConf(), s.resolvConf());
            Files.writeString(hostname(), s.hostname() + "\n");
            Files.write(stdout(), new byte[0]);
            Files.write(stderr(), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the files of container " + c.spec().id() + " in " + dir, e);
        }
        writeState(c);
    }

    void writeState(StoredContainer c) {
        try {
            replace(state(), JSON.writeValueAsBytes(c));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + state(), e);
        }
    }

    StoredContainer readState() throws IOException {
        return JSON.readValue(state().toFile(), StoredContainer.class);
    }

    /** Replaces a file atomically: a reader (or a crash) sees the old bytes or the new, never a mix. */
    static void replace(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Rewrites {@code hosts} in place: the container's /etc/hosts is a bind mount of this very inode, which a
     * rename would leave behind. Writing first and truncating after means a reader never sees it empty.
     */
    void rewriteHosts(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(hosts(), StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long at = 0;
            while (b.hasRemaining()) at += ch.write(b, at);
            ch.truncate(bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + hosts(), e);
        }
    }

    Optional<PidFile> readPid() {
        return read(pid()).map(PidFile::parse);
    }

    Optional<ExitFile> readExit() {
        Optional<String> text = read(exit());
        if (text.isEmpty()) return Optional.empty();
        try {
            Instant at = Files.getLastModifiedTime(exit()).toInstant();
            return Optional.of(new ExitFile(Integer.parseInt(text.get().strip()), at));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** What the launcher and the wrapper said while setting up (empty when nothing). */
    String setupMessages() {
        return read(setupLog()).map(String::strip).orElse("");
    }

    /** Removes what a previous run left (pid and exit files) before a new run. */
    void clearRun() throws IOException {
        for (Path p : new Path[] {pid(), exit(), dir.resolve("pid.tmp"), dir.resolve("exit.tmp"), setupLog()})
            Files.deleteIfExists(p);
    }

    void deleteAll() {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
