package dev.berth.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks the program up the way exec would, before anything is started, so a missing or unusable
 * program fails the start with Docker's words and exit status (the docker CLI picks its own exit
 * status, 127 or 126, from these words). Sandboxes see the host's filesystem, so the answer holds inside.
 */
final class CommandCheck {
    /** Why the program cannot run, and the exit status Docker gives for it. */
    record Problem(int exitCode, String message) {}

    private CommandCheck() {}

    static Optional<Problem> check(String program, String path, String workingDir) {
        if (program.contains("/")) {
            Path p = Path.of(workingDir).resolve(program);
            if (!Files.exists(p))
                return Optional.of(new Problem(127, "exec: \"" + program + "\": stat " + program + ": no such file or directory"));
            return usable(program, p);
        }
        for (String dir : (path == null ? "" : path).split(":", -1)) {
            Path p = Path.of(workingDir).resolve(dir.isEmpty() ? "." : dir).resolve(program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.empty();
        }
        return Optional.of(new Problem(127, "exec: \"" + program + "\": executable file not found in $PATH"));
    }

    private static Optional<Problem> usable(String program, Path p) {
        if (Files.isDirectory(p)) return Optional.of(new Problem(126, "exec: \"" + program + "\": is a directory"));
        if (!Files.isExecutable(p)) return Optional.of(new Problem(126, "exec: \"" + program + "\": permission denied"));
        return Optional.empty();
    }
}
