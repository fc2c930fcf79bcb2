package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The root command: which verbs picocli is given, help, and exit statuses of mistakes. */
class BerthTest {
    @Test
    void onlyTheVerbBeingRunIsModelled() {
        assertEquals("network", Berth.verb(new String[] {"network", "ls"}));
        assertEquals("network", Berth.verb(new String[] {"-H", "unix:///x", "network", "ls"}));
        assertEquals("ps", Berth.verb(new String[] {"--host=unix:///x", "ps"}));
        assertEquals("ps", Berth.verb(new String[] {"-Hunix:///x", "ps"}));
        assertNull(Berth.verb(new String[] {"--help"}));
        assertNull(Berth.verb(new String[] {"completion", "bash"}));
        assertNull(Berth.verb(new String[] {"remove", "x"}));
        assertNull(Berth.verb(new String[] {}));
    }

    @Test
    void helpListsEveryVerbAndUnknownVerbsAreUsageErrors() {
        var help = CliRunner.run(Map.of(), "", "--help");
        assertEquals(0, help.code());
        for (String v : new String[] {
            "network",
            "run",
            "exec",
            "ps",
            "inspect",
            "logs",
            "port",
            "start",
            "stop",
            "kill",
            "rm",
            "version",
            "explain",
            "topology",
            "completion"
        }) assertTrue(help.out().contains("\n  " + v), v + " in\n" + help.out());
        var bad = CliRunner.run(Map.of(), "", "frobnicate");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("frobnicate"), bad.err());
        var runHelp = CliRunner.run(Map.of(), "", "run", "--help");
        assertEquals(0, runHelp.code());
        assertTrue(runHelp.out().contains("IMAGE [COMMAND] [ARG...]"), runHelp.out());
    }
}
