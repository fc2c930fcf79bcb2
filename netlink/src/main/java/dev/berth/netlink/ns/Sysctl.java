package dev.berth.netlink.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Network sysctls of a namespace. /proc/sys/net shows the namespace of the thread that opens the
 * file, so reads and writes happen on a thread switched into it.
 */
public final class Sysctl {
    private Sysctl() {}

    /** {@code net.ipv4.ip_forward} -> /proc/sys/net/ipv4/ip_forward; a key with '/' is taken as a path below /proc/sys. */
    static Path pathOf(String key) {
        if (!key.startsWith("net.") && !key.startsWith("net/"))
            throw new IllegalArgumentException("sysctl '" + key + "' is not a network sysctl (net.*)");
        return Path.of("/proc/sys", key.contains("/") ? key : key.replace('.', '/'));
    }

    public static String read(NetnsHandle ns, String key) {
        Path p = pathOf(key);
        return Netns.call(ns, () -> {
            // Not Files.readString: procfs reports size 0 and the JDK then returns only the first byte.
            try (var in = Files.newInputStream(p)) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sysctl " + key, e);
            }
        });
    }

    public static void write(NetnsHandle ns, String key, String value) {
        Path p = pathOf(key);
        Netns.run(ns, () -> {
            try {
                Files.writeString(p, value);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set sysctl " + key + "=" + value, e);
            }
        });
    }
}
