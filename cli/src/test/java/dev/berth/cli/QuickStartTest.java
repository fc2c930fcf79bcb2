package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What keeps {@code berth network ls} quick to start: the root, the groups and the lists are modelled in code
 * (no annotation read, so the JDK generates no proxy class) and answers are read without Jackson's parser (so
 * {@code BigDecimal}, whose JDK 25 initialiser computes 5^65536, is never initialised); their help reads as it
 * did when they were annotated.
 */
class QuickStartTest {
    @Test
    void networkLsStartsWithoutAnnotationProxiesOrBigDecimal() throws Exception {
        try (FakeDaemon d = new FakeDaemon()) {
            d.json("GET", "/networks", 200, NetworkCommandsTest.sample("api_networks.json"));
            for (List<String> args : List.of(List.of("network", "ls"), List.of("ps"))) {
                if (args.getFirst().equals("ps")) d.json("GET", "/containers/json", 200, "[]");
                Process p = new ProcessBuilder(command(d, args))
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), out);
                assertFalse(out.contains("__dynamic_proxy__"), "annotation proxies were generated:\n" + out);
                assertFalse(out.contains("Initializing 'java/math/BigDecimal'"), "BigDecimal was initialised:\n" + out);
                assertTrue(out.contains("Initializing 'dev/berth/cli/Berth'"), "no class+init log:\n" + out);
            }
        }
    }

    private static List<String> command(FakeDaemon d, List<String> args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xlog:class+load=info,class+init=info:stdout",
                "-cp",
                System.getProperty("java.class.path"),
                Berth.class.getName(),
                "-H",
                d.host()));
        cmd.addAll(args);
        return cmd;
    }

    @Test
    void helpOfTheVerbsModelledInCodeIsUnchanged() {
        assertEquals("""
                Usage: berth network ls [-q] [--help] [--no-trunc] [--format=<format>] [-H=unix:
                                        //PATH] [-f=<filters>]...
                List networks
                  -f, --filter=<filters>   Filter output based on conditions provided (e.g.
                                             label=K[=V], name=NAME)
                      --format=<format>    table (default) or json (one object per line)
                  -H, --host=unix://PATH   Daemon socket (default: $BERTH_HOST, else
                                             $DOCKER_HOST, else unix:///run/berth/berth.sock)
                      --help               Print usage
                      --no-trunc           Do not truncate the output
                  -q, --quiet              Only display IDs
                """, help("network", "ls", "--help"));
        assertEquals("""
                Usage: berth ps [-aq] [--help] [--no-trunc] [--format=<format>] [-H=unix:
                                //PATH] [-f=<filters>]...
                List containers
                  -a, --all                Show all containers (default shows just running)
                  -f, --filter=<filters>   Filter output based on conditions provided (e.g.
                                             label=K[=V], name=NAME)
                      --format=<format>    table (default) or json (one object per line)
                  -H, --host=unix://PATH   Daemon socket (default: $BERTH_HOST, else
                                             $DOCKER_HOST, else unix:///run/berth/berth.sock)
                      --help               Print usage
                      --no-trunc           Do not truncate the output
                  -q, --quiet              Only display IDs
                """, help("ps", "--help"));
        assertTrue(help("image", "list", "--help").startsWith("""
                Usage: berth image ls [-aq] [--help] [--no-trunc] [--format=<format>] [-H=unix:
                                      //PATH] [-f=<filters>]...
                List images
                  -a, --all                Show all images
                """));
        assertEquals("""
                Usage: berth network [--help] [-H=unix://PATH] [COMMAND]
                Manage networks
                  -H, --host=unix://PATH   Daemon socket (default: $BERTH_HOST, else
                                             $DOCKER_HOST, else unix:///run/berth/berth.sock)
                      --help               Print usage
                Commands:
                  ls, list    List networks
                  create      Create a network
                  inspect     Display detailed information on one or more networks
                  rm, remove  Remove one or more networks
                  connect     Connect a container to a network
                  disconnect  Disconnect a container from a network
                  prune       Remove all unused networks
                """, help("network", "--help"));
        assertTrue(help("--help").startsWith("""
                Usage: berth [-v] [--help] [-H=unix://PATH] [COMMAND]
                Container networking you can read: a client of berthd (Docker Engine API 1.50
                on a Unix socket).
                  -H, --host=unix://PATH   Daemon socket (default: $BERTH_HOST, else
                                             $DOCKER_HOST, else unix:///run/berth/berth.sock)
                      --help               Print usage
                  -v, --version            Print the version and quit
                Commands:
                  network     Manage networks
                  image       Manage images
                """));
        assertTrue(help("--version").startsWith("berth version "));
    }

    private static String help(String... args) {
        var r = CliRunner.run(Map.of(), "", args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }
}
