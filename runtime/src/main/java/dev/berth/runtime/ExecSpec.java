package dev.berth.runtime;

import java.util.List;
import java.util.Map;

/**
 * A command to run inside a running container ({@code docker exec}).
 *
 * @param command    the program and its arguments
 * @param env        variables added to (or replacing) the container's environment; may be empty
 * @param workingDir the directory to run in; null: the container's working directory
 * @param stdin      whether the caller writes the command's standard input ({@code -i}); otherwise it reads /dev/null
 */
public record ExecSpec(List<String> command, Map<String, String> env, String workingDir, boolean stdin) {
    public static ExecSpec of(String... command) {
        return new ExecSpec(List.of(command), Map.of(), null, false);
    }
}
