package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.Json;
import java.math.BigDecimal;
import java.util.Locale;

/** docker's units on the command line: sizes ({@code 64m}, base 1024), {@code --cpus 1.5}, {@code --ulimit nofile=1024:2048}. */
final class Sizes {
    private Sizes() {}

    static long bytes(String text, String flag) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("b") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2)))
            t = t.substring(0, t.length() - 1);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1;
        };
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            return new BigDecimal(t).multiply(BigDecimal.valueOf(unit)).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UsageError(
                    "invalid argument \"" + text + "\" for \"" + flag + "\" flag: not a size (e.g. 64m, 1g)");
        }
    }

    static long nanoCpus(String text) {
        try {
            return new BigDecimal(text.strip()).movePointRight(9).longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UsageError("invalid argument \"" + text + "\" for \"--cpus\" flag: not a number of CPUs");
        }
    }

    static ObjectNode ulimit(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0)
            throw new UsageError("invalid argument \"" + spec + "\" for \"--ulimit\" flag: use NAME=SOFT[:HARD]");
        String[] v = spec.substring(eq + 1).split(":");
        ObjectNode u = Json.object();
        try {
            u.put("Name", spec.substring(0, eq));
            u.put("Soft", Long.parseLong(v[0]));
            u.put("Hard", Long.parseLong(v.length > 1 ? v[1] : v[0]));
        } catch (NumberFormatException e) {
            throw new UsageError("invalid argument \"" + spec + "\" for \"--ulimit\" flag: limits are numbers");
        }
        return u;
    }
}
