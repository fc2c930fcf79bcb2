package dev.berth.daemon;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API socket berthd's command line asks for, read before picocli parses it so that the socket is
 * bound (and answers {@code /_ping}) first. It answers only when sure: a command line with anything it does
 * not know for certain how picocli takes (an unknown or repeated option, an attached short value, a
 * positional, {@code --help}) gives nothing, and berthd binds after picocli as before. picocli stays the
 * one parser of the command line; {@code EarlyArgsTest} holds this one to agree with it.
 */
final class EarlyArgs {
    /** berthd's options that take no value (picocli's booleans and its standard help options). */
    static final Set<String> FLAGS = Set.of("--no-embedded-dns");

    static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version");

    /** berthd's options that take one value each. */
    static final Set<String> VALUED = Set.of(
            "--config",
            "-H",
            "--socket",
            "--state-dir",
            "--run-dir",
            "--firewall",
            "--log-level",
            "--netns-prefix",
            "--bip",
            "-b",
            "--bridge",
            "--dns",
            "--cluster-store",
            "--cluster-static",
            "--cluster-prefix",
            "--public-ip",
            "--containerd",
            "--cgroup-parent",
            "--docker-plugin",
            "--iface",
            "--max-connections",
            "--request-timeout",
            "--insecure-registry",
            // dockerd's booleans take an optional value (--icc=false): picocli's arity 0..1
            "--icc",
            "--ip-masq",
            "--iptables",
            "--userland-proxy",
            "--selinux-enabled",
            "--mtu",
            "--ip",
            "--fixed-cidr",
            "--default-gateway",
            "--default-address-pool",
            "--dns-search",
            "--dns-opt",
            "--log-driver");

    private static final Set<String> REPEATABLE =
            Set.of("--dns", "--insecure-registry", "--default-address-pool", "--dns-search", "--dns-opt");

    private EarlyArgs() {}

    /** The socket to bind at once, or empty: systemd passes one, or the command line is not plain enough. */
    static Optional<Path> socket(String[] args, Map<String, String> env) {
        if (env.containsKey("LISTEN_FDS")) return Optional.empty(); // systemd's socket, taken by Daemon.start
        String socket = null, config = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i], name = a, value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (FLAGS.contains(name) && value == null) {
                if (!seen.add(name)) return Optional.empty();
                continue;
            }
            if (!VALUED.contains(name)) return Optional.empty(); // help, unknown, positional, -Hx: picocli's call
            if (value == null) {
                if (i + 1 == args.length || args[i + 1].startsWith("-")) return Optional.empty();
                value = args[++i];
            }
            String key = name.equals("-H") ? "--socket" : name.equals("-b") ? "--bridge" : name;
            if (!seen.add(key) && !REPEATABLE.contains(key)) return Optional.empty();
            if (key.equals("--socket")) socket = value;
            if (key.equals("--config")) config = value;
        }
        if (socket == null && config != null) {
            try {
                socket = Berthd.readConfig(Path.of(config)).get("socket");
            } catch (Exception e) {
                return Optional.empty(); // picocli's path reports it
            }
        }
        if (socket == null) return Optional.of(DaemonConfig.DEFAULT_SOCKET);
        if (socket.startsWith("unix://")) socket = socket.substring("unix://".length());
        return socket.isEmpty() ? Optional.empty() : Optional.of(Path.of(socket));
    }
}
