package dev.berth.runtime;

import java.nio.file.Path;

/**
 * A stand-in daemon for {@link AdoptionTest}: starts containers, says "started" and waits to be killed
 * with SIGKILL, as a crashing berthd would be.
 */
public final class CrashingDaemon {
    public static void main(String[] args) throws Exception {
        Supervisor s = Supervisor.open(Path.of(args[0]));
        s.create(RunDir.spec("long", null, "sleep", "100"));
        s.start("long");
        s.create(RunDir.spec("short", null, "sh", "-c", "sleep 0.3; exit 4"));
        s.start("short");
        s.create(RunDir.spec("pending", null, "true"));
        System.out.println("started");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
