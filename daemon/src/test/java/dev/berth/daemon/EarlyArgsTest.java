package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * berthd's main binds the socket {@link EarlyArgs} reads before picocli parses the command line: the two
 * must agree. Whenever EarlyArgs names a socket, picocli (with the config file) resolves the same one or
 * refuses the command line; EarlyArgs knows every option picocli has, and which take a value.
 */
class EarlyArgsTest {
    @TempDir
    Path dir;

    @Test
    void knowsEveryOptionOfBerthdAndWhichTakeAValue() {
        Set<String> valued = new HashSet<>(), flags = new HashSet<>();
        for (OptionSpec o : new CommandLine(new Berthd()).getCommandSpec().options())
            for (String name : o.names()) (o.arity().max() == 0 ? flags : valued).add(name);
        assertEquals(valued, EarlyArgs.VALUED);
        Set<String> known = new HashSet<>(EarlyArgs.FLAGS);
        known.addAll(EarlyArgs.HELP);
        assertEquals(flags, known);
    }

    @Test
    void agreesWithPicocli() throws Exception {
        Path config = Files.writeString(dir.resolve("c.json"), "{\"socket\": \"unix:///tmp/from-config.sock\"}");
        Path configNoSocket = Files.writeString(dir.resolve("n.json"), "{\"log-level\": \"debug\"}");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"sockett\": \"/x\"}");
        List<List<String>> lines = List.of(
                List.of(),
                List.of("--socket", "/tmp/a.sock"),
                List.of("--socket=/tmp/a.sock"),
                List.of("-H", "unix:///tmp/a.sock"),
                List.of("-H", "unix:///tmp/a.sock", "--socket", "/tmp/b.sock"),
                List.of("-H/tmp/a.sock"),
                List.of("-H=/tmp/a.sock"),
                List.of("--config", config.toString()),
                List.of("--config=" + config, "--socket", "/tmp/flag-wins.sock"),
                List.of("--config", configNoSocket.toString()),
                List.of("--config", bad.toString()),
                List.of("--config", dir.resolve("missing.json").toString()),
                List.of("--dns", "1.1.1.1", "--dns", "8.8.8.8", "-H", "/tmp/d.sock"),
                List.of("--no-embedded-dns", "--socket", "/tmp/e.sock"),
                List.of("--no-embedded-dns", "--no-embedded-dns"),
                List.of("--state-dir", "--socket", "/tmp/f.sock"),
                List.of("--socket"),
                List.of("--help"),
                List.of("--version"),
                List.of("-V", "--socket", "/tmp/g.sock"),
                List.of("--firewall", "bogus", "--socket", "/tmp/h.sock"),
                List.of("--nope", "--socket", "/tmp/i.sock"),
                List.of("positional"),
                List.of("--", "--socket", "/tmp/j.sock"),
                List.of("-b", "br0", "--bridge", "br1"),
                List.of("--socket", ""),
                List.of("--socket", "relative.sock"),
                List.of("--max-connections", "10", "--request-timeout", "5", "-H", "/tmp/k.sock"));
        int early = 0;
        for (List<String> line : lines) {
            String[] argv = line.toArray(String[]::new);
            Optional<Path> s = EarlyArgs.socket(argv, Map.of());
            Optional<Path> picocli = picocli(argv);
            if (s.isPresent()) {
                early++;
                assertTrue(
                        picocli.isEmpty() || picocli.get().equals(s.get()),
                        line + ": early " + s.get() + ", picocli " + picocli);
            }
        }
        assertEquals(12, early, "the plain command lines are bound early");
        assertEquals(
                Optional.of(Path.of("/tmp/from-config.sock")),
                EarlyArgs.socket(new String[] {"--config", config.toString()}, Map.of()));
        assertEquals(
                Optional.of(DaemonConfig.DEFAULT_SOCKET),
                EarlyArgs.socket(new String[] {"--config", configNoSocket.toString()}, Map.of()));
        assertEquals(Optional.empty(), EarlyArgs.socket(new String[0], Map.of("LISTEN_FDS", "1")));
    }

    /** The socket picocli and Berthd.resolve give, or empty when they refuse the command line. */
    private static Optional<Path> picocli(String[] argv) {
        try {
            Berthd b = new Berthd();
            CommandLine.ParseResult r = new CommandLine(b).parseArgs(argv);
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) return Optional.empty();
            return Optional.of(b.resolve().socket());
        } catch (Exception refused) {
            return Optional.empty();
        }
    }
}
