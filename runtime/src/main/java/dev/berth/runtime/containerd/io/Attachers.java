package dev.berth.runtime.containerd.io;

import dev.berth.runtime.LogStream;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The attachers of one container: each gets every chunk of the task's output from the moment it
 * attached, in a pipe of its own that ends when the run ends or when it detaches. A slow attacher is
 * detached rather than allowed to hold up the task (see {@link ChunkPipe}).
 */
public final class Attachers {
    /** How far an attacher may fall behind before it is detached. */
    static final int CAPACITY = 4 << 20;

    /** One attacher's outputs; a null pipe for a stream it did not ask for. */
    public record Attacher(ChunkPipe stdout, ChunkPipe stderr) {
        void end() {
            if (stdout != null) stdout.end();
            if (stderr != null) stderr.end();
        }
    }

    private final CopyOnWriteArrayList<Attacher> attached = new CopyOnWriteArrayList<>();

    /** A new attacher; with a terminal there is no stderr (its pipe ends at once). */
    public Attacher add(boolean stdout, boolean stderr, boolean tty) {
        Attacher a = new Attacher(
                stdout ? new ChunkPipe(CAPACITY, true) : null, stderr ? new ChunkPipe(CAPACITY, true) : null);
        if (tty && a.stderr() != null) a.stderr().end();
        attached.add(a);
        return a;
    }

    public void remove(Attacher a) {
        attached.remove(a);
        if (a.stdout() != null) a.stdout().close();
        if (a.stderr() != null) a.stderr().close();
    }

    public void broadcast(LogStream stream, byte[] chunk) {
        for (Attacher a : attached) {
            ChunkPipe p = stream == LogStream.STDOUT ? a.stdout() : a.stderr();
            if (p != null) p.offer(chunk);
        }
    }

    /** The run ended: every attacher's streams end after what they have not read yet. */
    public void endAll() {
        for (Attacher a : attached) {
            attached.remove(a);
            a.end();
        }
    }
}
