package dev.berth.engine.tx;

/**
 * Named points inside every engine operation where a test can make the engine "crash", to prove that
 * a kill -9 at any step leaves nothing behind after a restart.
 */
@FunctionalInterface
public interface Faults {
    Faults NONE = point -> {};

    /** Called when an operation reaches {@code point}; a test implementation may throw {@link SimulatedCrash}. */
    void reach(String point);
}
