package dev.berth.daemon.cni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plugin process that sent an ADD ({@code CNI-Plugin-Process: PID pid:[INODE]}), to tell whether it still
 * waits for the answer. A runtime that kills its plugin during an ADD gets no result and sends DEL, which may
 * reach berthd before the ADD does its work; berthd drops an ADD whose plugin is gone instead of leaving an
 * attachment nobody deletes. Known only when the plugin runs in berthd's PID namespace.
 *
 * @param startTime the process's start time (field 22 of /proc/PID/stat), so a reused PID is not taken for it
 */
record PluginProcess(long pid, String startTime) {

    /** The sender named by the header, or null when there is none or its PID means nothing here. */
    static PluginProcess of(String header) {
        if (header == null) return null;
        String[] f = header.trim().split(" ");
        if (f.length != 2 || !f[0].matches("[0-9]{1,10}")) return null;
        try {
            if (!f[1].equals(
                    Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString())) return null;
        } catch (IOException e) {
            return null;
        }
        long pid = Long.parseLong(f[0]);
        return new PluginProcess(pid, startTime(pid));
    }

    /** True while the process that sent the request still runs. */
    boolean alive() {
        return !startTime.isEmpty() && startTime.equals(startTime(pid));
    }

    private static String startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f[19];
        } catch (IOException | RuntimeException gone) {
            return "";
        }
    }
}
