package dev.berth.model.log;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Berth's one log: structured lines in logfmt ({@code time=... level=info msg="..." key=value}) on stderr,
 * which journald, docker-style log shippers and grep all read. Every module logs through it: the message says
 * what happened, the pairs name what it happened to ({@code Log.warn("cannot trim the log", "file", f, "error",
 * e)}). A {@link Throwable} value is written as its text; at debug level its stack follows in {@code stack=}.
 */
public final class Log {
    public enum Level {
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    private static volatile Level threshold = Level.INFO;
    private static volatile PrintStream out = System.err;

    private Log() {}

    /** Where the lines go (stderr unless a test catches them). */
    static void output(PrintStream to) {
        out = to;
    }

    public static void setLevel(Level level) {
        threshold = level;
    }

    public static Level parseLevel(String text) {
        try {
            return Level.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--log-level: '" + text + "' is not one of debug, info, warn, error");
        }
    }

    /** Routes java.util.logging (Netty's, gRPC's, dnsjava's) into these lines, so berthd has one log format. */
    public static void captureJavaUtilLogging() {
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                int v = r.getLevel().intValue();
                Level l = v >= 1000 ? Level.ERROR : v >= 900 ? Level.WARN : v >= 800 ? Level.INFO : Level.DEBUG;
                // libraries' INFO (gRPC under jetcd says "Epoll available..." at every start) is detail, not news
                String name = r.getLoggerName();
                if (l == Level.INFO && name != null && !name.startsWith("dev.berth.")) l = Level.DEBUG;
                String msg = r.getParameters() == null
                        ? r.getMessage()
                        : MessageFormat.format(r.getMessage(), r.getParameters());
                if (r.getThrown() != null) log(l, msg, "logger", r.getLoggerName(), "error", r.getThrown());
                else log(l, msg, "logger", r.getLoggerName());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    public static boolean enabled(Level level) {
        return level.compareTo(threshold) >= 0;
    }

    public static void debug(String msg, Object... kv) {
        log(Level.DEBUG, msg, kv);
    }

    public static void info(String msg, Object... kv) {
        log(Level.INFO, msg, kv);
    }

    public static void warn(String msg, Object... kv) {
        log(Level.WARN, msg, kv);
    }

    public static void error(String msg, Object... kv) {
        log(Level.ERROR, msg, kv);
    }

    /** {@code kv} alternates keys and values. */
    public static void log(Level level, String msg, Object... kv) {
        if (!enabled(level)) return;
        StringBuilder b = new StringBuilder(96);
        b.append("time=")
                .append(Instant.now())
                .append(" level=")
                .append(level.name().toLowerCase(Locale.ROOT));
        b.append(" msg=").append(quote(msg));
        Throwable thrown = null;
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.append(' ').append(kv[i]).append('=').append(quote(String.valueOf(kv[i + 1])));
            if (kv[i + 1] instanceof Throwable t) thrown = t;
        }
        if (thrown != null && enabled(Level.DEBUG)) b.append(" stack=").append(quote(stack(thrown)));
        PrintStream o = out;
        synchronized (o) {
            o.println(b);
        }
    }

    /** The frames of {@code t} and its causes, one per line (quoted, so still one log line). */
    private static String stack(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c != t) b.append("caused by ").append(c).append('\n');
            for (StackTraceElement e : c.getStackTrace())
                b.append("at ").append(e).append('\n');
        }
        return b.toString().strip();
    }

    private static String quote(String s) {
        boolean plain = !s.isEmpty();
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c > ' ' && c != '"' && c != '=' && c != '\\';
        }
        if (plain) return s;
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
