package dev.berth.daemon.containers;

import dev.berth.model.BerthException;
import java.util.Locale;

/** Docker's log sizes: {@code 100}, {@code 10k}, {@code 10m}, {@code 1g} (also kb, mb, gb; base 1024). */
public final class LogSizes {
    private LogSizes() {}

    public static long parse(String text, String field) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("b") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2)))
            t = t.substring(0, t.length() - 1);
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1024L;
            case 'm' -> unit = 1024L * 1024;
            case 'g' -> unit = 1024L * 1024 * 1024;
            default -> {}
        }
        if (unit != 1) t = t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(t);
            if (v <= 0 || t.startsWith("-")) throw new NumberFormatException();
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new BerthException.InvalidRequest(field, "'" + text + "' is not a size (e.g. 10m, 512k)");
        }
    }
}
