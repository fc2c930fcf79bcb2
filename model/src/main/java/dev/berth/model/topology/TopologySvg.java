package dev.berth.model.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** SVG from DOT with Graphviz's {@code dot -Tsvg}; without Graphviz, a message saying how to get it. */
public final class TopologySvg {
    private TopologySvg() {}

    /** Thrown when Graphviz is not installed or fails. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static String render(String dot) {
        Process p;
        try {
            p = new ProcessBuilder("dot", "-Tsvg")
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new Unavailable(
                    "SVG needs Graphviz's dot, which is not installed: apt-get install graphviz "
                            + "(or use --format dot and render it elsewhere)",
                    e);
        }
        try {
            // dot reads all of its input before it writes, so writing first cannot deadlock
            try (var in = p.getOutputStream()) {
                in.write(dot.getBytes(StandardCharsets.UTF_8));
            }
            byte[] svg = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new Unavailable("dot -Tsvg failed: " + err, null);
            return new String(svg, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Unavailable("dot -Tsvg failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while dot -Tsvg ran", e);
        } finally {
            p.destroy();
        }
    }
}
