package dev.berth.engine.tx;

import dev.berth.model.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The steps of a removal, best effort: a step that fails is noted and the next one still runs, so one
 * stuck object (a link the kernel refuses to delete, a firewall table someone flushed) does not leave
 * the rest of the removal undone. Records are forgotten only when their object's kernel steps all
 * succeeded ({@link #forget}); what is left keeps its REMOVING record, and start-up reconcile finishes
 * it. A {@link SimulatedCrash} (an Error) passes through untouched, as a real crash would.
 */
public final class Teardown {

    private final String name;
    private final Faults faults;
    private final List<String> failures = new ArrayList<>();
    private RuntimeException firstCause;

    public Teardown(String name, Faults faults) {
        this.name = name;
        this.faults = faults;
    }

    /**
     * A step that must succeed before anything is removed (writing the REMOVING record): its failure,
     * as {@code translate} words it, ends the removal with nothing changed.
     */
    public void require(String step, Runnable action, Function<RuntimeException, RuntimeException> translate) {
        faults.reach(name + ":" + step);
        try {
            action.run();
        } catch (RuntimeException e) {
            throw translate.apply(e);
        }
    }

    /** Runs a step; a failure is noted (with what failed) and the removal goes on. */
    public void step(String step, Runnable action) {
        faults.reach(name + ":" + step);
        try {
            action.run();
        } catch (RuntimeException e) {
            String what = step + ": " + (e.getMessage() == null ? "failed" : e.getMessage());
            Log.warn(
                    "a removal step failed; going on with the rest, start-up reconcile finishes it",
                    "removal",
                    name,
                    "step",
                    step,
                    "error",
                    e.getMessage() == null ? "failed" : e.getMessage());
            failures.add(what);
            if (firstCause == null) firstCause = e;
        }
    }

    /** How many steps failed so far: a mark to pass to {@link #forget}. */
    public int mark() {
        return failures.size();
    }

    /**
     * Forgets a record, unless a step failed since {@code mark}: then the record stays (REMOVING) and
     * reconcile retries the object's removal at the next start.
     */
    public void forget(int mark, String step, Runnable action) {
        if (failures.size() == mark) step(step, action);
        else faults.reach(name + ":" + step);
    }

    /** True when every step so far succeeded. */
    public boolean ok() {
        return failures.isEmpty();
    }

    /** What failed, one entry per step: {@code "veth: delete link veth1a2b3c4: Device or resource busy"}. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The first failure's exception (the log shows it), or null. */
    public RuntimeException firstCause() {
        return firstCause;
    }
}
