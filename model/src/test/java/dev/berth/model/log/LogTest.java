package dev.berth.model.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One logfmt line per call: quoting, levels, throwables, and java.util.logging routed in. */
class LogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @BeforeEach
    void catchLines() {
        Log.output(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Log.setLevel(Log.Level.INFO);
    }

    @AfterEach
    void restore() {
        Log.output(System.err);
        Log.setLevel(Log.Level.INFO);
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void keysAndValuesAreQuotedOnlyWhenTheyMustBe() {
        Log.info("reconcile: a bridge is missing", "network", "red", "bridge", "br-1", "note", "a \"b\"=c\nd", "n", 3);
        String line = lines().getFirst();
        assertTrue(line.matches("time=\\S+ level=info .*"), line);
        assertTrue(
                line.endsWith(
                        " msg=\"reconcile: a bridge is missing\" network=red bridge=br-1 note=\"a \\\"b\\\"=c\\nd\" n=3"),
                line);
    }

    @Test
    void theThresholdDropsLowerLevels() {
        Log.debug("hidden");
        Log.warn("shown");
        assertEquals(1, lines().size());
        assertTrue(lines().getFirst().contains("level=warn msg=shown"));
        Log.setLevel(Log.parseLevel("debug"));
        Log.debug("now shown");
        assertEquals(2, lines().size());
    }

    @Test
    void aThrowableIsItsTextAndAtDebugItsStack() {
        IOException e = new IOException("broken pipe", new IllegalStateException("closed"));
        Log.warn("output lost", "error", e);
        assertTrue(lines().getFirst().endsWith("error=\"java.io.IOException: broken pipe\""), lines().getFirst());
        Log.setLevel(Log.Level.DEBUG);
        Log.warn("output lost", "error", e);
        String line = lines().get(1);
        // on the module path a frame names its module first: "at dev.berth.model@0.1.0/dev.berth.model.log.LogTest..."
        assertTrue(line.contains(" stack=\"at "), line);
        assertTrue(line.contains("dev.berth.model.log.LogTest.aThrowableIsItsTextAndAtDebugItsStack("), line);
        assertTrue(line.contains("\\ncaused by java.lang.IllegalStateException: closed\\n"), line);
        assertEquals(2, lines().size(), "still one line per call");
    }

    @Test
    void javaUtilLoggingBecomesTheSameLines() {
        Log.captureJavaUtilLogging();
        Logger.getLogger("io.netty.Some").warning("a library's warning");
        Logger.getLogger("io.netty.Some").info("a library's news is detail");
        String line = lines().getFirst();
        assertTrue(line.contains("level=warn msg=\"a library's warning\" logger=io.netty.Some"), line);
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("news"), "libraries' info is debug");
    }

    @Test
    void aBadLevelNamesTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Log.parseLevel("loud"));
        assertEquals("--log-level: 'loud' is not one of debug, info, warn, error", e.getMessage());
    }
}
