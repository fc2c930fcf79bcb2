package dev.berth.daemon.api;

import dev.berth.daemon.api.shapes.PathStat;
import dev.berth.daemon.containers.ContainerPaths;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code /containers/{id}/archive}: {@code docker cp} both ways. berthd reads and writes the container's
 * root file system from the host side (the running task's {@code /proc/PID/root}, else its snapshot
 * mounted for the while), resolving every path inside that root ({@link ContainerPaths}) so that a link
 * in the container cannot make berthd read or write a host file.
 */
public final class ArchiveApi {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private final Containers containers;

    public ArchiveApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.head("/containers/{id}/archive", this::stat);
        r.get("/containers/{id}/archive", this::get);
        r.streamBody("PUT", "/containers/{id}/archive", this::put);
    }

    private ApiResponse stat(ApiRequest q) throws Exception {
        ContainerRecord r = containers.find(q.param("id"));
        String path = path(q);
        String header = containers.withRootfs(r.id(), root -> statHeader(r, root, path));
        return new ApiResponse.WithHeaders(
                ApiResponse.ok(), Map.of("X-Docker-Container-Path-Stat", header, "Content-Type", "application/json"));
    }

    /**
     * The tar of the path, its entries under the path's base name (as Docker's TarResourceRebase); the
     * tar is made in full before the answer, so that a missing file is a clean 404.
     */
    private ApiResponse get(ApiRequest q) throws Exception {
        ContainerRecord r = containers.find(q.param("id"));
        String path = path(q);
        String header =
                containers.withRootfs(r.id(), root -> statHeader(r, root, path)); // a missing file: 404 before any byte
        boolean follow = path.endsWith("/") || path.endsWith("/.");
        containers.emit("archive-path", r, Map.of());
        return new ApiResponse.WithHeaders(
                new ApiResponse.Stream(
                        200,
                        "application/x-tar",
                        out -> containers.withRootfs(r.id(), root -> {
                            Path source = ContainerPaths.resolve(root, path, follow);
                            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(ImagesApi.stream(out))) {
                                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                                write(tar, source, baseName(path));
                            }
                            return null;
                        })),
                Map.of("X-Docker-Container-Path-Stat", header));
    }

    /** Unpacks the request's tar into the directory {@code path}; every entry resolved inside the container's root. */
    private ApiResponse put(ApiRequest q) throws Exception {
        ContainerRecord r = containers.find(q.param("id"));
        String path = path(q);
        if (r.host().readonlyRootfs()) throw new BerthException.Conflict("container rootfs is marked read-only");
        boolean noOverwriteDirNonDir = q.flag("noOverwriteDirNonDir", false);
        InputStream body = q.bodyStream();
        containers.withRootfs(r.id(), root -> {
            Path dir = ContainerPaths.resolve(root, path, true);
            if (!Files.exists(dir, NOFOLLOW))
                throw new BerthException.NotFound("Could not find the file " + path + " in container " + r.name());
            if (!Files.isDirectory(dir, NOFOLLOW))
                throw new BerthException.InvalidRequest("path", "extraction point is not a directory: " + path);
            String destination = ContainerPaths.containerPath(root, path, true);
            try (TarArchiveInputStream in = new TarArchiveInputStream(body)) {
                TarArchiveEntry e;
                while ((e = in.getNextEntry()) != null) extract(root, destination, e, in, noOverwriteDirNonDir);
            }
            return null;
        });
        containers.emit("extract-to-dir", r, Map.of());
        return ApiResponse.ok();
    }

    private static String path(ApiRequest q) {
        String p = q.query("path");
        if (p == null || p.isEmpty())
            throw new BerthException.InvalidRequest("path", "give the path in the container (?path=)");
        return p.startsWith("/") ? p : "/" + p;
    }

    // ------------------------------------------------------------------ stat

    private static String statHeader(ContainerRecord r, Path root, String path) throws IOException {
        Path p = ContainerPaths.resolve(root, path, false);
        if (!Files.exists(p, NOFOLLOW))
            throw new BerthException.NotFound("Could not find the file " + path + " in container " + r.name());
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        PathStat stat = new PathStat(
                baseName(path),
                a.size(),
                goMode(p, a),
                Times.rfc3339(a.lastModifiedTime().toInstant()),
                a.isSymbolicLink() ? ContainerPaths.containerPath(root, path, true) : "");
        return Base64.getEncoder().encodeToString(Json.write(stat));
    }

    /** Go's os.FileMode: the permission bits plus ModeDir (1<<31) or ModeSymlink (1<<27). */
    private static long goMode(Path p, BasicFileAttributes a) throws IOException {
        long mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 0777;
        if (a.isDirectory()) mode |= 1L << 31;
        if (a.isSymbolicLink()) mode |= 1L << 27;
        return mode;
    }

    private static String baseName(String path) {
        String p = path;
        while (p.endsWith("/.")) p = p.substring(0, p.length() - 2);
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        int slash = p.lastIndexOf('/');
        String b = slash < 0 ? p : p.substring(slash + 1);
        return b.isEmpty() ? "/" : b;
    }

    // ------------------------------------------------------------------ packing

    /** One file, link or directory (recursively, links not followed) into the tar under {@code name}. */
    private static void write(TarArchiveOutputStream out, Path source, String name) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                add(out, dir, entryName(source, dir, name) + "/", a);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                add(out, file, entryName(source, file, name), a);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE; // gone meanwhile
                throw e;
            }
        });
    }

    private static String entryName(Path source, Path p, String base) {
        String rel = source.relativize(p).toString();
        return rel.isEmpty() ? base : base + "/" + rel;
    }

    private static void add(TarArchiveOutputStream out, Path p, String name, BasicFileAttributes a) throws IOException {
        TarArchiveEntry e;
        if (a.isSymbolicLink()) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (a.isDirectory() || a.isRegularFile()) {
            e = new TarArchiveEntry(name);
            if (a.isRegularFile()) e.setSize(a.size());
        } else {
            return; // devices, sockets and FIFOs are not copied
        }
        e.setMode((Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777);
        e.setUserId(((Number) Files.getAttribute(p, "unix:uid", NOFOLLOW)).longValue());
        e.setGroupId(((Number) Files.getAttribute(p, "unix:gid", NOFOLLOW)).longValue());
        e.setModTime(a.lastModifiedTime());
        out.putArchiveEntry(e);
        if (a.isRegularFile()) {
            long left = a.size();
            try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
            if (left > 0) out.write(new byte[(int) left]); // it shrank meanwhile: keep the declared size
        }
        out.closeArchiveEntry();
    }

    // ------------------------------------------------------------------ unpacking

    private static void extract(
            Path root, String destination, TarArchiveEntry e, InputStream in, boolean noOverwriteDirNonDir)
            throws IOException {
        String name = e.getName();
        if (name.indexOf('\0') >= 0)
            throw new BerthException.InvalidRequest("body", "a tar entry name holds a NUL byte");
        String inside = destination + "/" + name;
        // the entry itself is never followed: a link in its place is replaced, not written through
        Path target = ContainerPaths.resolve(root, inside, false);
        if (target.equals(root.resolve("."))) return;
        Path parent = target.getParent();
        if (!parent.equals(root) && !Files.isDirectory(parent, NOFOLLOW))
            mkdirs(root, ContainerPaths.containerPath(root, inside + "/..", false));
        boolean exists = Files.exists(target, NOFOLLOW);
        if (e.isDirectory()) {
            if (exists && !Files.isDirectory(target, NOFOLLOW)) {
                if (noOverwriteDirNonDir)
                    throw new BerthException.InvalidRequest(
                            "body", "cannot overwrite non-directory " + name + " with a directory");
                Files.delete(target);
                exists = false;
            }
            if (!exists) Files.createDirectory(target);
        } else {
            if (exists && Files.isDirectory(target, NOFOLLOW)) {
                if (noOverwriteDirNonDir)
                    throw new BerthException.InvalidRequest(
                            "body", "cannot overwrite directory " + name + " with a non-directory");
                deleteTree(target);
            } else if (exists) {
                Files.delete(target);
            }
            if (e.isSymbolicLink()) {
                Files.createSymbolicLink(target, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                Path source = ContainerPaths.resolve(root, destination + "/" + e.getLinkName(), false);
                if (!Files.isRegularFile(source, NOFOLLOW))
                    throw new BerthException.InvalidRequest(
                            "body",
                            "hard link " + name + " points to " + e.getLinkName() + ", not a file of the archive");
                Files.createLink(target, source);
                return;
            } else if (e.isFile()) {
                try (OutputStream out = Files.newOutputStream(
                        target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
                    in.transferTo(out);
                }
            } else {
                throw new BerthException.InvalidRequest(
                        "body", "tar entry " + name + ": devices and FIFOs are not copied by Berth");
            }
        }
        Files.setAttribute(target, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
        Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
        if (!e.isSymbolicLink()) Files.setPosixFilePermissions(target, permissions(e.getMode()));
        Files.getFileAttributeView(target, BasicFileAttributeView.class, NOFOLLOW)
                .setTimes(FileTime.from(e.getModTime().toInstant()), null, null);
    }

    /** Creates the missing directories of {@code inside} one at a time, each resolved inside the root. */
    private static void mkdirs(Path root, String inside) throws IOException {
        StringBuilder sofar = new StringBuilder();
        for (String c : inside.split("/")) {
            if (c.isEmpty()) continue;
            sofar.append('/').append(c);
            Path p = ContainerPaths.resolve(root, sofar.toString(), true);
            if (Files.isDirectory(p, NOFOLLOW)) continue;
            if (Files.exists(p, NOFOLLOW))
                throw new BerthException.InvalidRequest("body", sofar + " is not a directory");
            Files.createDirectory(p);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        String rwx = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) b.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        s.addAll(PosixFilePermissions.fromString(b.toString()));
        return s;
    }

    static String decode(String header) {
        return new String(Base64.getDecoder().decode(header), StandardCharsets.UTF_8);
    }
}
