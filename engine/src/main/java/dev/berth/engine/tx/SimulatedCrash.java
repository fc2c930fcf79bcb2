package dev.berth.engine.tx;

/**
 * Stands for the process dying at a step: an Error, so no undo runs and nothing is cleaned up, as
 * with kill -9. Only tests throw it.
 */
public final class SimulatedCrash extends Error {
    public SimulatedCrash(String point) {
        super("simulated crash at " + point, null, false, false);
    }
}
