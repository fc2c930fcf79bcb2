package dev.berth.runtime.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc/<pid>/stat} says about a process: its state letter, parent and start time (clock
 * ticks since boot). A PID together with its start time names one process; a later process that reuses
 * the PID has another start time.
 */
public record ProcStat(long pid, char state, long ppid, long startTime) {

    /** Reads the process's stat line, or empty when there is no such process. */
    public static Optional<ProcStat> read(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(parse(line));
    }

    /** Parses a stat line; the command name (field 2) may hold spaces and parentheses, so fields count from the last ')'. */
    public static ProcStat parse(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + line);
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')).strip());
        String[] f = line.substring(close + 2).strip().split(" ");
        // f[0] is field 3 (state), f[1] field 4 (ppid), f[19] field 22 (starttime).
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19]));
    }

    /** True when {@code pid} is still the process that started at {@code startTime} and has not exited (zombies count as exited). */
    public static boolean alive(long pid, long startTime) {
        return read(pid).map(s -> s.startTime == startTime && s.state != 'Z' && s.state != 'X').orElse(false);
    }
}
