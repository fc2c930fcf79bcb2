package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.util.Locale;
import java.util.Set;

/** Signal names as Docker accepts them for STOPSIGNAL: {@code SIGTERM}, {@code TERM} or a number. */
final class Signals {
    private static final Set<String> NAMES = Set.of(
            "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE",
            "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU",
            "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ");

    private Signals() {}

    static String validate(String s, String what) {
        String v = s.strip();
        if (v.matches("\\d+")) {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 64) return v;
        } else {
            String name = v.toUpperCase(Locale.ROOT);
            if (name.startsWith("SIG")) name = name.substring(3);
            if (NAMES.contains(name) || name.matches("RTMIN(\\+\\d+)?|RTMAX(-\\d+)?")) return v;
        }
        throw new BerthException.InvalidRequest("changes", what + ": Invalid signal: " + s);
    }
}
