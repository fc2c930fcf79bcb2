package dev.berth.runtime;

import dev.berth.engine.BerthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts processes in a container's namespaces with util-linux:
 * {@code setsid [nsenter --net=NETNS] unshare --mount --propagation slave --pid --fork [--uts] /bin/sh wrapper.sh ...}.
 * setsid detaches it from the daemon's session; the wrapper (see wrapper.sh) does the rest. Slave
 * propagation keeps the container's mounts inside while host mounts (and unmounts, such as a deleted
 * network namespace) still reach it.
 */
final class Launcher {
    private static final List<String> BIN = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");
    private final Path wrapper;
    private final String setsid, nsenter, unshare;

    private Launcher(Path wrapper) {
        this.wrapper = wrapper;
        this.setsid = tool("setsid");
        this.nsenter = tool("nsenter");
        this.unshare = tool("unshare");
    }

    /** Checks the tools are there and writes the wrapper into the run dir (atomically: running wrappers keep the old file). */
    static Launcher install(Path runDir) {
        Path w = runDir.resolve("wrapper.sh");
        try (InputStream in = Launcher.class.getResourceAsStream("wrapper.sh")) {
            if (in == null) throw new IllegalStateException("wrapper.sh is missing from the berth-runtime jar");
            ContainerFiles.replace(w, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + w, e);
        }
        if (!Files.isExecutable(Path.of("/bin/sh")))
            throw new BerthException.Unsupported("/bin/sh is missing: Berth's container wrapper is a POSIX shell script", null);
        return new Launcher(w);
    }

    private static String tool(String name) {
        for (String dir : BIN) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new BerthException.Unsupported(name + " is missing (in " + String.join(", ", BIN)
                + "): running sandboxes needs util-linux's setsid, nsenter and unshare", null);
    }

    /** Starts the wrapper for {@code s}; its own output goes to setup.log, the command's to the log files. */
    Process launch(ContainerSpec s, ContainerFiles f) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(setsid));
        if (s.netnsPath() != null) cmd.addAll(List.of(nsenter, "--net=" + s.netnsPath()));
        cmd.addAll(List.of(unshare, "--mount", "--propagation", "slave", "--pid", "--fork"));
        if (s.ownUts()) cmd.add("--uts");
        cmd.addAll(List.of("--", "/bin/sh", wrapper.toString(), f.dir().toString(), s.workingDir(),
                s.ownUts() ? "1" : "0", s.netnsPath() != null ? "1" : "0"));
        cmd.addAll(s.command());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(f.setupLog().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(f.setupLog().toFile()));
        pb.environment().clear();
        pb.environment().putAll(s.env());
        return pb.start();
    }

    /** The command line that runs {@code command} inside the namespaces of process {@code target}. */
    List<String> enter(long target, String workingDir, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(nsenter, "--target", Long.toString(target),
                "--net", "--uts", "--mount", "--pid", "--wd=" + workingDir, "--"));
        cmd.addAll(command);
        return cmd;
    }
}
