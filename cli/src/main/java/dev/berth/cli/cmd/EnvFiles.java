package dev.berth.cli.cmd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** docker's {@code --env-file}: one {@code NAME=value} or {@code NAME} (taken from our environment) per line; # comments. */
final class EnvFiles {
    private EnvFiles() {}

    static List<String> read(String file, Map<String, String> ourEnv) {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            throw new UsageError("--env-file " + file + ": " + e.getMessage());
        }
        for (String line : lines) {
            String l = line.stripLeading();
            if (l.isEmpty() || l.startsWith("#")) continue;
            if (l.contains("=")) {
                if (l.startsWith("="))
                    throw new UsageError("--env-file " + file + ": variable '" + l + "' has an empty name");
                out.add(l);
            } else if (ourEnv.containsKey(l.strip())) {
                out.add(l.strip() + "=" + ourEnv.get(l.strip()));
            }
        }
        return out;
    }
}
