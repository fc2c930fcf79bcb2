package dev.berth.cli.http;

import java.nio.file.Path;

/**
 * Where berthd listens, written as docker writes it: {@code unix:///run/berth/berth.sock}. Only Unix
 * sockets: berthd serves nothing else.
 */
public record DaemonAddress(Path socket) {
    public static final String DEFAULT = "unix:///run/berth/berth.sock";

    /** Parses {@code unix://PATH} (or a bare absolute path); anything else is refused with the allowed form. */
    public static DaemonAddress parse(String text) {
        String t = text == null || text.isBlank() ? DEFAULT : text.strip();
        if (t.startsWith("unix://")) t = t.substring("unix://".length());
        else if (t.contains("://"))
            throw new IllegalArgumentException(
                    "invalid host '" + text + "': berthd listens on a Unix socket only; use unix:///PATH");
        if (!t.startsWith("/"))
            throw new IllegalArgumentException(
                    "invalid host '" + text + "': the socket path must be absolute, as in " + DEFAULT);
        return new DaemonAddress(Path.of(t));
    }

    @Override
    public String toString() {
        return "unix://" + socket;
    }
}
