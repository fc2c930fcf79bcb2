package dev.berth.runtime.containerd;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the runtime keeps about a container in containerd's own labels, so a berthd that restarts
 * finds it there with the container: stdio shape, log rotation, start time.
 */
record RuntimeLabels(
        boolean tty, boolean openStdin, boolean stdinOnce, long logMaxSize, int logMaxFiles, Instant startedAt) {
    static final String PREFIX = "dev.berth.runtime/";
    static final String STARTED_AT = PREFIX + "started-at";

    Map<String, String> toMap() {
        Map<String, String> m = new HashMap<>();
        m.put(PREFIX + "tty", Boolean.toString(tty));
        m.put(PREFIX + "open-stdin", Boolean.toString(openStdin));
        m.put(PREFIX + "stdin-once", Boolean.toString(stdinOnce));
        m.put(PREFIX + "log-max-size", Long.toString(logMaxSize));
        m.put(PREFIX + "log-max-files", Integer.toString(logMaxFiles));
        if (startedAt != null) m.put(STARTED_AT, startedAt.toString());
        return m;
    }

    static RuntimeLabels from(Map<String, String> labels) {
        String started = labels.get(STARTED_AT);
        return new RuntimeLabels(
                Boolean.parseBoolean(labels.get(PREFIX + "tty")),
                Boolean.parseBoolean(labels.get(PREFIX + "open-stdin")),
                Boolean.parseBoolean(labels.get(PREFIX + "stdin-once")),
                Long.parseLong(labels.getOrDefault(PREFIX + "log-max-size", "-1")),
                Integer.parseInt(labels.getOrDefault(PREFIX + "log-max-files", "1")),
                started == null ? null : Instant.parse(started));
    }
}
