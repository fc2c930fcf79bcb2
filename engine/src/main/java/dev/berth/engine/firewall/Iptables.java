package dev.berth.engine.firewall;

import dev.berth.model.BerthException;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code iptables-save} and {@code iptables-restore --noflush} inside a network namespace. The
 * processes are started from a thread switched into the namespace, so they are born there.
 */
final class Iptables {
    private static final long TIMEOUT_SECONDS = 30;

    private final NetnsHandle netns;

    Iptables(NetnsHandle netns) {
        this.netns = netns;
    }

    /** The namespace's IPv4 rules in iptables-save format. */
    String save() {
        return run(List.of("iptables-save"), null);
    }

    /** Applies {@code script} as one atomic restore, keeping everything it does not name. */
    void restore(String script) {
        run(List.of("iptables-restore", "--noflush"), script);
    }

    private String run(List<String> command, String stdin) {
        Result r = Netns.call(netns, () -> exec(command, stdin));
        if (r.exit != 0)
            throw new BerthException.Failed(
                    String.join(" ", command) + " exited " + r.exit + ", nothing was changed: " + r.err.strip()
                            + (stdin == null ? "" : "\n--- script ---\n" + stdin),
                    null);
        return r.out;
    }

    private record Result(int exit, String out, String err) {}

    private static Result exec(List<String> command, String stdin) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).start();
        } catch (IOException e) {
            throw new BerthException.Unsupported(
                    "iptables is not available (" + e.getMessage()
                            + "): install Debian's iptables package, or use the nftables firewall driver",
                    e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the process died early; its exit code and stderr say why
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new BerthException.Failed(
                    String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s", null);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s) {
                return new String(s.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
