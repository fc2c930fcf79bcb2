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
 * Structured log lines in logfmt ({@code time=... level=info msg="..." key=value}) on stderr, which
 * journald, docker-style log shippers and grep all read.
 */
public final class Log {
    public enum Level {
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    private static volatile Level threshold = Level.INFO;
    private static final PrintStream OUT = System.err;
    /** Berth's own java.util.logging loggers, opened to FINE at debug level (held: loggers are kept weakly). */
    private static final Logger BERTH_JUL = Logger.getLogger("dev.berth");

    private Log() {}

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

    /** Routes java.util.logging (the engine's and Netty's) into these lines, so berthd has one log format. */
    public static void captureJavaUtilLogging() {
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) root.removeHandler(h);
        if (enabled(Level.DEBUG)) BERTH_JUL.setLevel(java.util.logging.Level.FINE);
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
        for (int i = 0; i + 1 < kv.length; i += 2)
            b.append(' ').append(kv[i]).append('=').append(quote(String.valueOf(kv[i + 1])));
        synchronized (OUT) {
            OUT.println(b);
        }
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
