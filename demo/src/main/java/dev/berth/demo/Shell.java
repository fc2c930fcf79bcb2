package dev.berth.demo;

import java.util.List;
import java.util.regex.Pattern;

/** Prints argument lists as a POSIX shell would need them typed, so a printed command can be pasted and run. */
final class Shell {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private Shell() {}

    static String join(List<String> argv) {
        StringBuilder s = new StringBuilder();
        for (String a : argv) {
            if (!s.isEmpty()) s.append(' ');
            s.append(quote(a));
        }
        return s.toString();
    }

    static String quote(String a) {
        if (!a.isEmpty() && PLAIN.matcher(a).matches()) return a;
        return "'" + a.replace("'", "'\\''") + "'";
    }
}
