package dev.berth.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/** What the demo prints, and the checks it collects on the way. */
final class Report {
    private final PrintStream out;
    private final List<Check> checks = new ArrayList<>();
    private int step;

    Report(PrintStream out) {
        this.out = out;
    }

    void intro(String runId) {
        out.println("""
                Berth demo: the seeds' walkthrough with Berth. berthd runs inside a lab host; every step is a
                berth command (the docker CLI works the same against berthd's socket).

                Everything happens in network namespaces of lab run %1$s, named blab-%1$s-<name> (containers
                too: berthd runs with --netns-prefix blab-%1$s-c-); this machine's own network is never touched.
                  lab   $  the lab sets this up with iproute2: the world around Berth
                  $        what a user types, exactly as the demo runs it (paste it into a root shell)
                  PASS     a check that does not take Berth's word: ping's reply count and the target's own ICMP
                           counter, the far end of a connection, ip/nft in the namespaces (the command in brackets)\
                """.formatted(runId));
    }

    void step(int n, String title) {
        step = n;
        out.println();
        out.println("[" + n + "] " + title);
    }

    void section(String title) {
        out.println("  " + title);
    }

    void lab(String command) {
        out.println("  lab   $ " + command);
    }

    /** A Berth action, as the ip command that does the same, and the Berth call that did it. */
    void berth(String command, String call) {
        out.println("  berth $ " + pad(command, 70) + " # " + call);
    }

    void say(String text) {
        out.println("  " + text);
    }

    /** Checks that the oracle's answer ({@code actual}) is {@code expected}; an exception counts as a failure. */
    void expect(String what, String oracle, Object expected, Supplier<?> actual) {
        Object seen;
        try {
            seen = actual.get();
        } catch (RuntimeException e) {
            seen = "error: " + messageOf(e);
        }
        boolean passed = Objects.equals(expected, seen);
        String detail = passed ? oracle : oracle + ": expected " + expected + ", saw " + seen;
        record(new Check(step, what, passed, detail), oracle);
        if (!passed) {
            out.println("        expected: " + expected);
            out.println("        saw:      " + seen);
        }
    }

    /** A step stopped on an exception: what remains of the scene cannot run. */
    void aborted(RuntimeException e) {
        failed("step " + step + " stopped", e);
    }

    void failed(String what, RuntimeException e) {
        record(new Check(step, what, false, messageOf(e)), "");
        out.println("        " + messageOf(e));
    }

    private void record(Check c, String oracle) {
        checks.add(c);
        out.println("  " + (c.passed() ? "PASS" : "FAIL") + "  "
                + (oracle.isEmpty() ? c.what() : pad(c.what(), 60) + " (" + oracle + ")"));
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }

    /** Prints the verdict; true when every check passed. */
    boolean summary() {
        List<Check> failed = checks.stream().filter(c -> !c.passed()).toList();
        out.println();
        if (failed.isEmpty() && !checks.isEmpty()) {
            out.println("Result: all " + checks.size() + " checks passed.");
            return true;
        }
        out.println("Result: " + failed.size() + " of " + checks.size() + " checks FAILED:");
        failed.forEach(c -> out.println("  [" + c.step() + "] " + c.what() + ": " + c.detail()));
        return false;
    }

    static String messageOf(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getSimpleName() + ": " + e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause())
            s.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        return s.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
