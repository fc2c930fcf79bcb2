package dev.berth.engine.tx;

import dev.berth.model.log.Log;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Steps with undo. Each step runs, and on success its undo is remembered; if a later step fails,
 * {@link #rollback()} undoes the done steps in reverse. A {@link SimulatedCrash} (an Error) passes
 * through untouched, as a real crash would: then start-up reconcile cleans up instead.
 */
public final class Transaction {

    private final String name;
    private final Faults faults;
    private final Deque<Runnable> undo = new ArrayDeque<>();

    public Transaction(String name, Faults faults) {
        this.name = name;
        this.faults = faults;
    }

    /** Runs a step; {@code undo} is called with nothing if the transaction later rolls back. */
    public void step(String step, Runnable action, Runnable undoAction) {
        faults.reach(name + ":" + step);
        action.run();
        if (undoAction != null) undo.push(undoAction);
    }

    /** A step that produces a value (a link, a handle, an address); its undo is given that value. */
    public <T> T create(String step, Supplier<T> action, Consumer<T> undoAction) {
        faults.reach(name + ":" + step);
        T value = action.get();
        if (undoAction != null) undo.push(() -> undoAction.accept(value));
        return value;
    }

    /** Marks a point between steps where a crash may be injected. */
    public void point(String step) {
        faults.reach(name + ":" + step);
    }

    /** Undoes the done steps, newest first; an undo that fails is logged and the others still run. */
    public void rollback() {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                Log.warn("an undo step failed; start-up reconcile will finish it", "transaction", name, "error", e);
            }
        }
    }

    /** Forgets the undo steps: the work stays. */
    public void commit() {
        undo.clear();
    }
}
