package dev.berth.runtime.image;

/** Receives a pull's or push's progress as Docker's JSON message stream events, in order. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = e -> {};

    void event(ProgressEvent e);
}
