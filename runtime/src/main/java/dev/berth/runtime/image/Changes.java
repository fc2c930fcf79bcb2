package dev.berth.runtime.image;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.berth.model.BerthException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dockerfile-like changes applied to an image's config, as {@code docker import -c} and
 * {@code docker commit -c} take them: CMD, ENTRYPOINT, ENV, EXPOSE, WORKDIR, USER, LABEL, VOLUME,
 * STOPSIGNAL, HEALTHCHECK and ONBUILD. Anything else is refused with Docker's words.
 */
public final class Changes {
    private static final Set<String> VALID = Set.of(
            "cmd",
            "entrypoint",
            "healthcheck",
            "env",
            "expose",
            "label",
            "onbuild",
            "stopsignal",
            "user",
            "volume",
            "workdir");
    private static final Map<String, Object> EMPTY = Map.of();
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern PORT = Pattern.compile("^(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?$");

    private ContainerConfig config;
    private boolean cmdSet;

    private Changes(ContainerConfig start) {
        this.config = start;
    }

    /** {@code start} with every change applied in order. */
    public static ContainerConfig apply(ContainerConfig start, List<String> changes) {
        Changes c = new Changes(start == null ? ContainerConfig.EMPTY : start);
        for (String line : changes) {
            for (String one : line.split("\n")) {
                if (one.isBlank() || one.strip().startsWith("#")) continue;
                c.one(one.strip());
            }
        }
        return c.config;
    }

    private void one(String line) {
        int sp = indexOfSpace(line);
        String instruction = (sp < 0 ? line : line.substring(0, sp)).toLowerCase(Locale.ROOT);
        String rest = sp < 0 ? "" : line.substring(sp).strip();
        if (!VALID.contains(instruction)) throw bad(instruction + " is not a valid change command");
        switch (instruction) {
            case "cmd" -> {
                config = config.withCmd(commandForm(rest, "CMD"));
                cmdSet = true;
            }
            case "entrypoint" -> {
                config = config.withEntrypoint(commandForm(rest, "ENTRYPOINT"));
                if (!cmdSet) config = config.withCmd(null);
            }
            case "env" -> config = config.withEnv(env(rest));
            case "expose" -> config = config.withExposedPorts(expose(rest));
            case "workdir" -> config = config.withWorkingDir(workdir(rest));
            case "user" -> {
                if (rest.isEmpty()) throw bad("USER requires exactly one argument");
                config = config.withUser(rest);
            }
            case "label" -> config = config.withLabels(labels(rest));
            case "volume" -> config = config.withVolumes(volumes(rest));
            case "stopsignal" -> config = config.withStopSignal(Signals.validate(rest, "STOPSIGNAL"));
            case "onbuild" -> config = config.withOnBuild(onBuild(rest));
            case "healthcheck" -> config = config.withHealthcheck(healthcheck(rest));
            default -> throw new IllegalStateException(instruction);
        }
    }

    private static List<String> commandForm(String rest, String what) {
        if (rest.startsWith("[")) {
            List<String> json = jsonArray(rest);
            if (json != null) return json;
        }
        if (rest.isEmpty()) throw bad(what + " requires at least one argument");
        return List.of("/bin/sh", "-c", rest);
    }

    private static List<String> jsonArray(String s) {
        try {
            return ImageJson.MAPPER.readValue(s, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            return null; // not JSON: Docker falls back to the shell form
        }
    }

    private List<String> env(String rest) {
        Map<String, String> pairs = pairs(rest, "ENV");
        List<String> env = new ArrayList<>(config.env() == null ? List.of() : config.env());
        for (Map.Entry<String, String> p : pairs.entrySet()) {
            String prefix = p.getKey() + "=";
            env.removeIf(e -> e.startsWith(prefix) || e.equals(p.getKey()));
            env.add(prefix + p.getValue());
        }
        return env;
    }

    private Map<String, String> labels(String rest) {
        Map<String, String> labels = new LinkedHashMap<>(config.labelsOrEmpty());
        labels.putAll(pairs(rest, "LABEL"));
        return labels;
    }

    /** {@code k=v k2="v 2"}, or the legacy single {@code k v} form. */
    private static Map<String, String> pairs(String rest, String what) {
        List<String> words = words(rest);
        if (words.isEmpty()) throw bad(what + " requires at least one argument");
        Map<String, String> out = new LinkedHashMap<>();
        if (!words.getFirst().contains("=")) {
            if (words.size() < 2) throw bad(what + " must have two arguments");
            int sp = indexOfSpace(rest);
            out.put(unquote(words.getFirst()), rest.substring(sp).strip());
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw bad(what + " names can not be blank" + (eq < 0 ? ": " + w + " has no '='" : ""));
            out.put(unquote(w.substring(0, eq)), unquote(w.substring(eq + 1)));
        }
        return out;
    }

    private Map<String, Map<String, Object>> expose(String rest) {
        List<String> words = words(rest);
        if (words.isEmpty()) throw bad("EXPOSE requires at least one argument");
        Map<String, Map<String, Object>> ports =
                new LinkedHashMap<>(config.exposedPorts() == null ? Map.of() : config.exposedPorts());
        for (String w : words) {
            Matcher m = PORT.matcher(w.toLowerCase(Locale.ROOT));
            if (!m.matches()) throw bad("invalid containerPort: " + w);
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (from < 1 || to > 65535 || to < from) throw bad("invalid port range: " + w);
            String proto = m.group(3) == null ? "tcp" : m.group(3);
            for (int p = from; p <= to; p++) ports.put(p + "/" + proto, EMPTY);
        }
        return ports;
    }

    private String workdir(String rest) {
        if (rest.isEmpty()) throw bad("WORKDIR requires exactly one argument");
        String dir = unquote(rest);
        if (dir.startsWith("/")) return Path.of(dir).normalize().toString();
        String base = config.workingDir() == null || config.workingDir().isEmpty() ? "/" : config.workingDir();
        return Path.of("/", base, dir).normalize().toString();
    }

    private Map<String, Map<String, Object>> volumes(String rest) {
        List<String> vols = rest.startsWith("[") ? jsonArray(rest) : null;
        if (vols == null) vols = words(rest);
        if (vols.isEmpty()) throw bad("VOLUME requires at least one argument");
        Map<String, Map<String, Object>> out =
                new LinkedHashMap<>(config.volumes() == null ? Map.of() : config.volumes());
        for (String v : vols) {
            if (v.isBlank()) throw bad("VOLUME specified can not be an empty string");
            out.put(unquote(v), EMPTY);
        }
        return out;
    }

    private List<String> onBuild(String rest) {
        int sp = indexOfSpace(rest);
        String inner = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(Locale.ROOT);
        if (inner.isEmpty()) throw bad("ONBUILD requires at least one argument");
        if (inner.equals("ONBUILD")) throw bad("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        List<String> out = new ArrayList<>(config.onBuild() == null ? List.of() : config.onBuild());
        out.add(inner + (sp < 0 ? "" : rest.substring(sp)));
        return out;
    }

    private static HealthConfig healthcheck(String rest) {
        List<String> words = words(rest);
        if (words.isEmpty()) throw bad("HEALTHCHECK requires at least one argument");
        if (words.size() == 1 && words.getFirst().equalsIgnoreCase("NONE"))
            return new HealthConfig(List.of("NONE"), null, null, null, null, null);
        Long interval = null, timeout = null, startPeriod = null, startInterval = null;
        Integer retries = null;
        String remaining = rest;
        while (remaining.startsWith("--")) {
            int sp = indexOfSpace(remaining);
            String flag = sp < 0 ? remaining : remaining.substring(0, sp);
            remaining = sp < 0 ? "" : remaining.substring(sp).strip();
            int eq = flag.indexOf('=');
            if (eq < 0) throw bad("HEALTHCHECK flag " + flag + " needs a value (--flag=value)");
            String name = flag.substring(2, eq);
            String value = flag.substring(eq + 1);
            switch (name) {
                case "interval" -> interval = duration(value, name);
                case "timeout" -> timeout = duration(value, name);
                case "start-period" -> startPeriod = duration(value, name);
                case "start-interval" -> startInterval = duration(value, name);
                case "retries" -> {
                    try {
                        retries = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw bad("HEALTHCHECK --retries: not a number: " + value);
                    }
                }
                default -> throw bad("Unknown flag: " + name);
            }
        }
        int sp = indexOfSpace(remaining);
        String type = (sp < 0 ? remaining : remaining.substring(0, sp)).toUpperCase(Locale.ROOT);
        String cmd = sp < 0 ? "" : remaining.substring(sp).strip();
        if (!type.equals("CMD")) throw bad("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
        if (cmd.isEmpty()) throw bad("Missing command after HEALTHCHECK CMD");
        List<String> test = new ArrayList<>();
        List<String> json = cmd.startsWith("[") ? jsonArray(cmd) : null;
        if (json != null) {
            test.add("CMD");
            test.addAll(json);
        } else {
            test.add("CMD-SHELL");
            test.add(cmd);
        }
        return new HealthConfig(test, interval, timeout, startPeriod, startInterval, retries);
    }

    /** A Go duration ({@code 30s}, {@code 1m30s}, {@code 500ms}) in nanoseconds. */
    static long duration(String s, String flag) {
        Matcher m = DURATION.matcher(s);
        double ns = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            double v = Double.parseDouble(m.group(1));
            ns += v
                    * switch (m.group(2)) {
                        case "ns" -> 1d;
                        case "us", "µs" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
            end = m.end();
        }
        if (end == 0 || end != s.length())
            throw bad("HEALTHCHECK --" + flag + ": time: invalid duration \"" + s + "\"");
        return (long) ns;
    }

    /** Splits on blanks outside quotes; quotes and backslashes are kept for {@link #unquote}. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && quote != '\'') {
                cur.append(c).append(s.charAt(++i));
            } else if (quote != 0) {
                if (c == quote) quote = 0;
                cur.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                cur.append(c);
            } else if (Character.isWhitespace(c)) {
                if (!cur.isEmpty()) out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) throw bad("unexpected end of statement while looking for matching " + quote);
        if (!cur.isEmpty()) out.add(cur.toString());
        return out;
    }

    static String unquote(String s) {
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && quote != '\'') out.append(s.charAt(++i));
            else if (quote != 0 && c == quote) quote = 0;
            else if (quote == 0 && (c == '"' || c == '\'')) quote = c;
            else out.append(c);
        }
        return out.toString();
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) if (Character.isWhitespace(s.charAt(i))) return i;
        return -1;
    }

    private static BerthException.InvalidRequest bad(String message) {
        return new BerthException.InvalidRequest("changes", message);
    }
}
