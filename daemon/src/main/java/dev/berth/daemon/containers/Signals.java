package dev.berth.daemon.containers;

import dev.berth.model.BerthException;
import java.util.Locale;
import java.util.Map;

/** Signal names as docker kill takes them: KILL, SIGKILL, 9. */
public final class Signals {
    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("HUP", 1),
            Map.entry("INT", 2),
            Map.entry("QUIT", 3),
            Map.entry("ILL", 4),
            Map.entry("TRAP", 5),
            Map.entry("ABRT", 6),
            Map.entry("BUS", 7),
            Map.entry("FPE", 8),
            Map.entry("KILL", 9),
            Map.entry("USR1", 10),
            Map.entry("SEGV", 11),
            Map.entry("USR2", 12),
            Map.entry("PIPE", 13),
            Map.entry("ALRM", 14),
            Map.entry("TERM", 15),
            Map.entry("CHLD", 17),
            Map.entry("CONT", 18),
            Map.entry("STOP", 19),
            Map.entry("TSTP", 20),
            Map.entry("TTIN", 21),
            Map.entry("TTOU", 22),
            Map.entry("URG", 23),
            Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25),
            Map.entry("VTALRM", 26),
            Map.entry("PROF", 27),
            Map.entry("WINCH", 28),
            Map.entry("IO", 29),
            Map.entry("PWR", 30),
            Map.entry("SYS", 31));

    private Signals() {}

    static int parse(String text) {
        if (text == null || text.isEmpty()) return 9;
        return parse(text, "signal");
    }

    /** A signal number from a name or number; a 400 naming {@code field} otherwise. */
    public static int parse(String text, String field) {
        String t = text.toUpperCase(Locale.ROOT);
        if (t.startsWith("SIG")) t = t.substring(3);
        Integer n = BY_NAME.get(t);
        if (n != null) return n;
        try {
            int v = Integer.parseInt(t);
            if (v >= 1 && v <= 64) return v;
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new BerthException.InvalidRequest(
                field, "'" + text + "' is not a signal name (KILL, SIGTERM, ...) or a number 1-64");
    }
}
