package dev.berth.demo;

/**
 * One verdict of the demo: what was checked after step {@code step}, whether it held, and how it
 * was checked (the oracle's command, plus what it saw when the check failed).
 */
public record Check(int step, String what, boolean passed, String detail) {
    @Override
    public String toString() {
        return (passed ? "PASS" : "FAIL") + " [" + step + "] " + what + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
