package dev.berth.lab;

import java.util.List;

/** What a command run in a lab printed and how it exited. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the command and its output when it failed. */
    public ExecResult check() {
        if (exitCode != 0)
            throw new LabException("command " + String.join(" ", command) + " exited " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip())
                    + (stdout.isBlank() ? "" : " [stdout: " + stdout.strip() + "]"));
        return this;
    }
}
