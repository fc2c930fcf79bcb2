package dev.berth.runtime;

import dev.berth.engine.BerthException;
import dev.berth.engine.BerthException.Conflict;
import dev.berth.engine.BerthException.InvalidRequest;
import dev.berth.engine.BerthException.NotFound;
import dev.berth.netlink.sys.Libc;
import dev.berth.runtime.sys.Pidfd;
import dev.berth.runtime.sys.ProcStat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs and supervises the processes of sandboxes ("containers"). Each runs from the host's filesystem in
 * its own PID, mount and (optionally) UTS namespaces, inside a given network namespace, with its own
 * /etc/hosts, /etc/resolv.conf and /etc/hostname. Processes write their output to files and a small
 * wrapper records their exit status, so containers outlive the supervisor (a clean close or a kill -9 of
 * the daemon): {@link #open} re-adopts what the run dir holds. Thread-safe.
 */
public final class Supervisor implements AutoCloseable {
    public static final int SIGKILL = 9, SIGTERM = 15;
    private static final Duration START_LIMIT = Duration.ofSeconds(10);
    /** How long {@link #open} waits for a start that a previous daemon left under way. */
    private static final Duration ADOPT_LIMIT = Duration.ofSeconds(2);

    private final Path containersDir;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final Launcher launcher;
    private final ExitWatcher watcher = new ExitWatcher();
    private final Map<String, Container> byId = new ConcurrentHashMap<>();
    private final Object registry = new Object(); // makes the id and name checks of create atomic
    private volatile boolean closed;

    private Supervisor(Path runDir) {
        this.containersDir = runDir.resolve("containers");
        try {
            Files.createDirectories(containersDir);
            // One supervisor per run dir: two would both adopt, signal and record the same containers.
            lockFile = FileChannel.open(runDir.resolve("supervisor.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run directory " + containersDir, e);
        }
        try {
            lock = lockFile.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(lockFile);
            throw new Conflict("the run directory " + runDir + " is in use by another supervisor (" + e + ")");
        }
        if (lock == null) {
            closeQuietly(lockFile);
            throw new Conflict("the run directory " + runDir + " is in use by another supervisor (another berthd runs)");
        }
        try {
            this.launcher = Launcher.install(runDir);
        } catch (RuntimeException e) {
            closeQuietly(lockFile);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing held yet.
        }
    }

    /**
     * Opens the run dir (made if missing) and adopts every container it holds: running ones are watched
     * again, and ones that exited meanwhile get the exit status their wrapper recorded.
     */
    public static Supervisor open(Path runDir) {
        Supervisor s = new Supervisor(runDir.toAbsolutePath());
        try {
            s.adoptAll();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void adoptAll() {
        List<Path> dirs;
        try (Stream<Path> list = Files.list(containersDir)) {
            dirs = list.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + containersDir, e);
        }
        for (Path dir : dirs) {
            ContainerFiles files = new ContainerFiles(dir);
            if (!Files.exists(files.state())) { // a create that never finished
                files.deleteAll();
                continue;
            }
            StoredContainer stored;
            try {
                stored = files.readState();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + files.state() + " (move the folder away to go on without it)", e);
            }
            Container c = new Container(files, stored);
            byId.put(c.id, c);
            synchronized (c) {
                adopt(c);
            }
            deliver(c);
        }
    }

    /** Brings a container read from disk up to date with its pid and exit files. Caller holds c's lock. */
    private void adopt(Container c) {
        ContainerFiles f = c.files;
        if (c.stored.status() == Status.CREATED && Files.exists(f.launching())) awaitLaunched(f);
        Optional<PidFile> pid = f.readPid();
        Optional<ContainerFiles.ExitFile> exit = f.readExit();
        switch (c.stored.status()) {
            case EXITED -> announce(c);
            case CREATED -> {
                if (pid.isPresent()) {
                    update(c, c.stored.running(pid.get(), modified(f.pid())));
                    follow(c, pid.get());
                } else if (exit.isPresent() || Files.exists(f.launching())) {
                    String why = exit.isPresent() ? setupFailure(f) : "the start was interrupted (the daemon stopped while starting it)";
                    update(c, c.stored.failedStart(125, why));
                    clearRun(c);
                    announce(c);
                }
            }
            case RUNNING -> {
                PidFile p = pid.orElse(new PidFile(c.stored.pid(), c.stored.pidStart(), c.stored.wrapperPid(), c.stored.wrapperStart()));
                follow(c, p);
            }
        }
    }

    private static void awaitLaunched(ContainerFiles f) {
        long deadline = System.nanoTime() + ADOPT_LIMIT.toNanos();
        while (!Files.exists(f.pid()) && !Files.exists(f.exit()) && System.nanoTime() < deadline) sleep(2);
    }

    /**
     * Validates the spec (errors name the field), writes the container's files and records it as CREATED.
     * Nothing runs yet.
     */
    public ContainerState create(ContainerSpec spec) {
        ContainerSpec s = SpecCheck.normalize(spec);
        ensureOpen();
        synchronized (registry) {
            if (byId.containsKey(s.id())) throw new Conflict("container id " + s.id() + " already exists");
            for (Container other : byId.values())
                if (other.name.equals(s.name()))
                    throw new Conflict("the container name \"" + s.name() + "\" is already in use by container " + other.id
                            + ": remove that container or choose another name");
            ContainerFiles files = new ContainerFiles(containersDir.resolve(s.id()));
            files.deleteAll(); // what a failed create or remove of the same id left
            Container c = new Container(files, StoredContainer.created(s, Instant.now()));
            try {
                files.create(c.stored);
            } catch (RuntimeException e) {
                files.deleteAll();
                throw e;
            }
            byId.put(s.id(), c);
            return c.view();
        }
    }

    /**
     * Starts the container's command and returns once its process exists (the state then shows its PID,
     * or already the exit of a very short command). Starting a running container changes nothing; starting
     * an exited one runs it again, appending to its logs. A program that is missing or not executable fails
     * the start with Docker's words and exit status 127 or 126 ({@link BerthException.Failed}); the
     * container stays CREATED with that status and error.
     */
    public ContainerState start(String id) {
        Container c = get(id);
        try {
            return startLocked(c);
        } finally {
            deliver(c);
        }
    }

    private ContainerState startLocked(Container c) {
        synchronized (c) {
            checkPresent(c);
            if (c.stored.status() == Status.RUNNING) return c.view();
            if (c.exit.isDone()) c.exit = new CompletableFuture<>(); // a new run
            ContainerSpec s = c.stored.spec();
            Optional<CommandCheck.Problem> problem =
                    CommandCheck.check(s.command().getFirst(), s.env().get("PATH"), s.workingDir());
            if (problem.isPresent()) throw startFailed(c, problem.get().exitCode(), problem.get().message());
            try {
                c.files.clearRun();
                Files.writeString(c.files.launching(), Instant.now().toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the start of container " + c.name + " in " + c.files.dir(), e);
            }
            PidFile pid;
            try {
                pid = awaitPid(c.files, launcher.launch(s, c.files));
            } catch (IOException e) {
                throw startFailed(c, 125, "cannot run the launcher: " + e.getMessage());
            } catch (StartFailure e) {
                throw startFailed(c, 125, e.getMessage());
            }
            // The pid file's time, like the exit file's for finishedAt: one clock for both.
            update(c, c.stored.running(pid, modified(c.files.pid())));
            deleteQuietly(c.files.launching());
            follow(c, pid);
            return c.view();
        }
    }

    /** Records a failed start (caller holds c's lock) and returns the exception to throw. */
    private BerthException startFailed(Container c, int code, String why) {
        clearRun(c);
        update(c, c.stored.failedStart(code, why));
        announce(c);
        return new BerthException.Failed("cannot start container " + c.name + ": " + why, null);
    }

    /** A start that produced no command process; the message says why. */
    private static final class StartFailure extends Exception {
        StartFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** Waits for the wrapper's pid file: it is written just before the command is exec'd. */
    private static PidFile awaitPid(ContainerFiles f, Process launcherProcess) throws StartFailure {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            // The exit file first: the wrapper writes pid before exit, so "exit but no pid" is a failed set-up.
            boolean exited = Files.exists(f.exit());
            Optional<PidFile> pid = f.readPid();
            if (pid.isPresent()) return pid.get();
            if (exited) throw new StartFailure(setupFailure(f));
            // A launcher that failed before the wrapper ran (a bad netns, say); exit 0 is setsid having forked.
            if (!launcherProcess.isAlive() && launcherProcess.exitValue() != 0) {
                pid = f.readPid();
                if (pid.isPresent()) return pid.get();
                String said = f.setupMessages();
                throw new StartFailure("the launcher exited with status " + launcherProcess.exitValue()
                        + (said.isEmpty() ? "" : ": " + said));
            }
            if (System.nanoTime() > deadline) {
                launcherProcess.descendants().forEach(ProcessHandle::destroyForcibly);
                launcherProcess.destroyForcibly();
                throw new StartFailure("no process after " + START_LIMIT.toSeconds() + " s; set-up said: " + f.setupMessages());
            }
            sleep(1);
        }
    }

    private static String setupFailure(ContainerFiles f) {
        String said = f.setupMessages();
        return said.isEmpty() ? "the container's set-up failed" : said;
    }

    /**
     * Watches a running container's wrapper through a pidfd (caller holds c's lock). A wrapper that is
     * already gone, or whose PID now belongs to another process, means the run has ended.
     */
    private void follow(Container c, PidFile p) {
        int wrapperFd = Pidfd.open(p.wrapperPid());
        if (wrapperFd >= 0 && !ProcStat.alive(p.wrapperPid(), p.wrapperStart())) {
            Libc.close(wrapperFd);
            wrapperFd = -1;
        }
        if (wrapperFd < 0) {
            finishRun(c);
            return;
        }
        int commandFd = Pidfd.open(p.pid());
        if (commandFd >= 0 && !ProcStat.alive(p.pid(), p.pidStart())) {
            Libc.close(commandFd);
            commandFd = -1;
        }
        c.commandFd = commandFd;
        watcher.watch(wrapperFd, () -> {
            synchronized (c) {
                finishRun(c);
            }
            deliver(c);
        });
    }

    /** The wrapper has exited: record the exit status it wrote (caller holds c's lock). */
    private void finishRun(Container c) {
        if (c.removed || c.stored.status() != Status.RUNNING) return;
        if (c.commandFd >= 0) {
            Libc.close(c.commandFd);
            c.commandFd = -1;
        }
        Optional<ContainerFiles.ExitFile> exit = c.files.readExit();
        // 255, as Docker reports a container whose end it could not see (the wrapper was killed, the host rebooted).
        update(c, exit.isPresent() ? c.stored.exited(exit.get().code(), exit.get().at(), null)
                : c.stored.exited(255, Instant.now(), "the container's wrapper ended without recording an exit status"));
        deleteQuietly(c.files.launching());
        announce(c);
    }

    /** Queues the completion of the current run's future with the state now (caller holds c's lock). */
    private static void announce(Container c) {
        c.announcements.add(Map.entry(c.exit, c.view()));
    }

    /** Completes what {@link #announce} queued, outside c's lock: callers' callbacks never run under it. */
    private static void deliver(Container c) {
        List<Map.Entry<CompletableFuture<ContainerState>, ContainerState>> due;
        synchronized (c) {
            if (c.announcements.isEmpty()) return;
            due = List.copyOf(c.announcements);
            c.announcements.clear();
        }
        for (Map.Entry<CompletableFuture<ContainerState>, ContainerState> a : due) a.getKey().complete(a.getValue());
    }

    /** A snapshot of the container. */
    public ContainerState state(String id) {
        Container c = get(id);
        synchronized (c) {
            return c.view();
        }
    }

    /** The spec the container was created with (defaults filled in, /etc/hosts as last written). */
    public ContainerSpec spec(String id) {
        Container c = get(id);
        synchronized (c) {
            return c.stored.spec();
        }
    }

    /** Every container, oldest first. */
    public List<ContainerState> list() {
        List<ContainerState> out = new ArrayList<>();
        for (Container c : byId.values()) {
            synchronized (c) {
                if (!c.removed) out.add(c.view());
            }
        }
        out.sort(Comparator.comparing(ContainerState::created).thenComparing(ContainerState::id));
        return out;
    }

    /** Replaces the /etc/hosts the container sees (in place, so the bind mount inside shows it at once). */
    public void writeHosts(String id, String hosts) {
        if (hosts == null || hosts.indexOf('\0') >= 0) throw new InvalidRequest("hosts", "must be text without NUL characters");
        Container c = get(id);
        synchronized (c) {
            checkPresent(c);
            c.files.rewriteHosts(hosts);
            update(c, c.stored.withSpec(c.stored.spec().withHosts(hosts)));
        }
    }

    /** Sends {@code signal} (1-64) to the container's command; refused when it does not run. */
    public void kill(String id, int signal) {
        if (signal < 1 || signal > 64) throw new InvalidRequest("signal", signal + " is not a signal number (1-64)");
        Container c = get(id);
        synchronized (c) {
            checkPresent(c);
            if (c.stored.status() != Status.RUNNING) throw new Conflict("container " + c.name + " is not running");
            // No pidfd: the command has just exited and the wrapper is recording it.
            if (c.commandFd >= 0) Pidfd.sendSignal(c.commandFd, signal);
        }
    }

    /**
     * Stops the container as {@code docker stop} does: SIGTERM, then SIGKILL if it still runs after
     * {@code grace}; returns once it has exited. A container that does not run is left as it is.
     */
    public ContainerState stop(String id, Duration grace) {
        Container c = get(id);
        CompletableFuture<ContainerState> done;
        synchronized (c) {
            checkPresent(c);
            if (c.stored.status() != Status.RUNNING) return c.view();
            done = c.exit;
            if (c.commandFd >= 0) Pidfd.sendSignal(c.commandFd, SIGTERM);
        }
        if (!await(done, grace)) {
            synchronized (c) {
                if (c.stored.status() == Status.RUNNING && c.commandFd >= 0) Pidfd.sendSignal(c.commandFd, SIGKILL);
            }
            if (!await(done, Duration.ofSeconds(30)))
                throw new BerthException.Failed("container " + c.name + " did not exit within 30 s of SIGKILL", null);
        }
        return state(id);
    }

    private static boolean await(CompletableFuture<?> f, Duration limit) {
        try {
            f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted while waiting for a container to exit", e);
        }
    }

    /**
     * Completes with the state after the current run ends: at once for an exited container; for a running
     * one at its exit; for a created one at the end of its next run (or when that start fails).
     */
    public CompletableFuture<ContainerState> exited(String id) {
        Container c = get(id);
        synchronized (c) {
            return c.exit.copy();
        }
    }

    /** Reads the container's logs; see {@link LogReader} and {@link LogOptions}. */
    public LogReader logs(String id, LogOptions options) {
        Container c = get(id);
        synchronized (c) {
            checkPresent(c);
            return new FileLogReader(c.files, options, c.exit);
        }
    }

    /**
     * Runs a command in the running container's namespaces (network, UTS, mount, PID), with its environment
     * plus {@code spec.env()}, in {@code spec.workingDir()} or the container's.
     */
    public ExecSession exec(String id, ExecSpec spec) {
        if (spec == null) throw new InvalidRequest("exec", "is missing");
        List<String> command = SpecCheck.command("command", spec.command());
        Map<String, String> extra = SpecCheck.env("env", spec.env());
        Container c = get(id);
        synchronized (c) {
            checkPresent(c);
            StoredContainer s = c.stored;
            if (s.status() != Status.RUNNING || !ProcStat.alive(s.wrapperPid(), s.wrapperStart()))
                throw new Conflict("container " + c.name + " is not running");
            Map<String, String> env = new LinkedHashMap<>(s.spec().env());
            env.putAll(extra);
            String wd = spec.workingDir() == null ? s.spec().workingDir() : SpecCheck.workingDir("workingDir", spec.workingDir());
            Optional<CommandCheck.Problem> problem = CommandCheck.check(command.getFirst(), env.get("PATH"), wd);
            if (problem.isPresent())
                throw new BerthException.Failed("cannot exec in container " + c.name + ": " + problem.get().message(), null);
            ProcessBuilder pb = new ProcessBuilder(launcher.enter(s.wrapperPid(), wd, command));
            pb.environment().clear();
            pb.environment().putAll(env);
            if (!spec.stdin()) pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            try {
                return new ProcessExecSession(pb.start());
            } catch (IOException e) {
                throw new BerthException.Failed("cannot exec in container " + c.name + ": " + e.getMessage(), e);
            }
        }
    }

    /** Deletes a container that does not run, with its files and logs. */
    public void remove(String id) {
        Container c = get(id);
        synchronized (c) {
            checkPresent(c);
            if (c.stored.status() == Status.RUNNING)
                throw new Conflict("cannot remove container " + c.name + ": it is running; stop it first");
            c.removed = true;
            c.files.deleteAll();
            byId.remove(id, c);
            announce(c);
        }
        deliver(c);
    }

    /** Stops supervising; containers keep running and a later {@link #open} adopts them. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        watcher.close();
        for (Container c : byId.values()) {
            synchronized (c) {
                if (c.commandFd >= 0) {
                    Libc.close(c.commandFd);
                    c.commandFd = -1;
                }
            }
        }
        closeQuietly(lockFile); // releases the lock
    }

    private Container get(String id) {
        ensureOpen();
        Container c = id == null ? null : byId.get(id);
        if (c == null) throw new NotFound("no such container: " + id);
        return c;
    }

    private static void checkPresent(Container c) {
        if (c.removed) throw new NotFound("no such container: " + c.id);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("the supervisor is closed");
    }

    private static void update(Container c, StoredContainer next) {
        c.files.writeState(next);
        c.stored = next;
    }

    private static void clearRun(Container c) {
        try {
            c.files.clearRun();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the run files of container " + c.name, e);
        }
        deleteQuietly(c.files.launching());
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A marker that stays is harmless: it only matters for a CREATED container at open.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException.Failed("interrupted", e);
        }
    }
}
