package dev.berth.runtime;

import dev.berth.engine.BerthException.InvalidRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Validates a {@link ContainerSpec} (errors name the field) and fills in Docker's defaults. */
final class SpecCheck {
    static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    /** As the engine's sandbox names (up to 200: daemon, engine and runtime must accept the same names). */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,199}");
    private static final Pattern HOSTNAME = Pattern.compile("[a-zA-Z0-9_]([a-zA-Z0-9_.-]{0,62})");
    private static final Pattern ENV_KEY = Pattern.compile("[^=\\x00]+");
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String DEFAULT_HOSTS = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    private SpecCheck() {}

    static ContainerSpec normalize(ContainerSpec s) {
        if (s == null) throw new InvalidRequest("spec", "is missing");
        if (s.id() == null || !ID.matcher(s.id()).matches())
            throw new InvalidRequest("id", "'" + s.id() + "' is not valid: use 1-128 of a-z, A-Z, 0-9, '_', '.', '-', starting with a letter or digit");
        if (s.name() == null || !NAME.matcher(s.name()).matches())
            throw new InvalidRequest("name", "'" + s.name() + "' is not valid: use 1-200 of a-z, A-Z, 0-9, '_', '.', '-', starting with a letter or digit");
        String hostname = s.hostname() == null ? s.id().substring(0, Math.min(12, s.id().length())) : s.hostname();
        if (!HOSTNAME.matcher(hostname).matches())
            throw new InvalidRequest("hostname", "'" + hostname + "' is not valid: use 1-63 of a-z, A-Z, 0-9, '_', '.', '-'");
        if (s.netnsPath() != null && !Files.exists(s.netnsPath()))
            throw new InvalidRequest("netnsPath", s.netnsPath() + " does not exist (the network namespace must be made first)");
        List<String> command = command("command", s.command());
        Map<String, String> env = env("env", s.env());
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.putIfAbsent("HOSTNAME", hostname);
        env.putIfAbsent("HOME", "/root");
        String wd = workingDir("workingDir", s.workingDir() == null ? "/" : s.workingDir());
        String hosts = s.hosts() == null ? DEFAULT_HOSTS : text("hosts", s.hosts());
        String resolv = s.resolvConf() == null ? hostResolvConf() : text("resolvConf", s.resolvConf());
        return new ContainerSpec(s.id(), s.name(), hostname, s.netnsPath(), s.ownUts(), command, Map.copyOf(env), wd,
                hosts, resolv);
    }

    static List<String> command(String field, List<String> command) {
        if (command == null || command.isEmpty())
            throw new InvalidRequest(field, "is empty: give the program to run and its arguments");
        List<String> out = new ArrayList<>(command.size());
        for (int i = 0; i < command.size(); i++) {
            String a = command.get(i);
            if (a == null) throw new InvalidRequest(field + "[" + i + "]", "is null");
            if (a.indexOf('\0') >= 0) throw new InvalidRequest(field + "[" + i + "]", "holds a NUL character");
            out.add(a);
        }
        if (out.getFirst().isEmpty()) throw new InvalidRequest(field + "[0]", "is empty: name the program to run");
        return List.copyOf(out);
    }

    static Map<String, String> env(String field, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        if (env == null) return out;
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey() == null || !ENV_KEY.matcher(e.getKey()).matches())
                throw new InvalidRequest(field, "variable name '" + e.getKey() + "' must be non-empty, without '=' or NUL");
            if (e.getValue() == null || e.getValue().indexOf('\0') >= 0)
                throw new InvalidRequest(field + "[" + e.getKey() + "]", "must be a string without NUL characters");
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    static String workingDir(String field, String wd) {
        if (!wd.startsWith("/"))
            throw new InvalidRequest(field, "'" + wd + "' must be an absolute path");
        if (!Files.isDirectory(Path.of(wd)))
            throw new InvalidRequest(field, wd + " is not a directory of the host (sandboxes run from the host's filesystem, which Berth never changes)");
        return wd;
    }

    private static String text(String field, String s) {
        if (s.indexOf('\0') >= 0) throw new InvalidRequest(field, "holds a NUL character");
        return s;
    }

    private static String hostResolvConf() {
        try {
            return Files.readString(Path.of("/etc/resolv.conf"));
        } catch (IOException e) {
            return "";
        }
    }
}
