package dev.berth.runtime;

/** The wrapper's pid file: the command's and the wrapper's host PIDs with their /proc start times. */
record PidFile(long pid, long pidStart, long wrapperPid, long wrapperStart) {
    static PidFile parse(String text) {
        String[] f = text.strip().split("\\s+");
        if (f.length != 4) throw new IllegalArgumentException("malformed pid file: '" + text.strip() + "'");
        return new PidFile(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
    }
}
