package dev.berth.daemon.containers;

import dev.berth.model.BerthException;
import java.util.regex.Pattern;

/**
 * Docker's rule for container and volume names, checked once for create and start: a name becomes a
 * file name ({@code /run/netns/PREFIX + name}), so it is also bounded in length.
 */
public final class ContainerNames {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    /** 255 bytes per file name, less room for the namespace prefix. */
    public static final int MAX_LENGTH = 200;

    private ContainerNames() {}

    public static void check(String name) {
        if (!NAME.matcher(name).matches())
            throw new BerthException.InvalidRequest(
                    "name", "Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (name.length() > MAX_LENGTH)
            throw new BerthException.InvalidRequest(
                    "name",
                    "Invalid container name: " + name.length() + " characters, at most " + MAX_LENGTH + " are allowed");
    }

    public static void checkVolume(String name, String field) {
        if (!NAME.matcher(name).matches() || name.length() > MAX_LENGTH)
            throw new BerthException.InvalidRequest(
                    field,
                    "create " + name + ": \"" + name
                            + "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed."
                            + " If you intended to pass a host directory, use absolute path");
    }
}
