package dev.berth.cli.cmd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The user's terminal for {@code -t}: put into raw mode (every key goes to the container, which echoes)
 * and restored afterwards, and its size for the container's terminal. Done with {@code stty} on
 * /dev/tty, as the JDK has no terminal control of its own.
 */
final class Terminal implements AutoCloseable {
    private final String saved;

    private Terminal(String saved) {
        this.saved = saved;
    }

    /** Whether the process's standard input is a terminal. */
    static boolean stdinIsTerminal() {
        return System.console() != null && System.console().isTerminal();
    }

    /** Raw mode until {@link #close}; null when there is no terminal to change. */
    static Terminal raw() {
        if (!stdinIsTerminal()) return null;
        String saved = stty("-g");
        if (saved == null) return null;
        stty("raw", "-echo");
        return new Terminal(saved.strip());
    }

    /** The terminal's size as {@code [rows, columns]}, or null when unknown. */
    static int[] size() {
        String s = stty("size");
        if (s == null) return null;
        String[] f = s.strip().split("\\s+");
        if (f.length != 2) return null;
        try {
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        stty(saved);
    }

    private static String stty(String... args) {
        List<String> cmd = new ArrayList<>(List.of("stty", "-F", "/dev/tty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
