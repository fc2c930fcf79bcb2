package dev.berth.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One namespace of a lab, playing a host, a container, a switch or an outside machine. */
public final class LabHost {
    private final Lab lab;
    private final String role;
    private final String netns;

    LabHost(Lab lab, String role, String netns) {
        this.lab = lab;
        this.role = role;
        this.netns = netns;
    }

    public String role() {
        return role;
    }

    /** The namespace name, {@code blab-<run id>-<role>}. */
    public String name() {
        return netns;
    }

    public Path netnsPath() {
        return Path.of("/run/netns", netns);
    }

    /** Runs a command inside this host and returns what happened, whatever its exit code. */
    public ExecResult exec(String... command) {
        return Commands.run(inside(command));
    }

    /** Runs a command inside this host; throws when it fails. */
    public ExecResult run(String... command) {
        return exec(command).check();
    }

    /** Runs a shell script inside this host; throws when it fails. */
    public ExecResult sh(String script) {
        return run("sh", "-c", script);
    }

    /** {@code ip -n NETNS ARGS...}; throws when it fails. */
    public ExecResult ip(String... args) {
        List<String> c = new ArrayList<>(List.of("ip", "-n", netns));
        c.addAll(List.of(args));
        return Commands.run(c).check();
    }

    /** Starts a background process inside this host; the lab stops it (by PID) when it closes. */
    public LabProcess spawn(String... command) {
        return lab.spawn(inside(command));
    }

    /**
     * Starts a daemon inside this host with {@code nsenter --net} (not {@code ip netns exec}, whose private
     * mount namespace would hide the namespace files the daemon creates); stopped by PID at lab close.
     */
    public LabProcess spawnDaemon(Map<String, String> env, String... command) {
        List<String> c = new ArrayList<>(List.of("nsenter", "--net=" + netnsPath()));
        c.addAll(List.of(command));
        return lab.spawn(c, env);
    }

    /** One ICMP echo to {@code address} with a 2 s limit; true when it was answered. */
    public boolean ping(String address) {
        return exec("ping", "-n", "-q", "-c", "1", "-W", "2", address).ok();
    }

    /**
     * Opens a TCP connection to {@code address:port}, retrying for up to 5 s while nothing listens yet,
     * and returns what the server sent, or null when no connection could be made.
     */
    public String tcp(String address, int port) {
        return connectWith("TCP", address, port, "");
    }

    /** Sends one UDP datagram and returns the first answer, or null when none came within 2 s (retried for 5 s). */
    public String udp(String address, int port, String payload) {
        return connectWith("UDP", address, port, payload);
    }

    private String connectWith(String proto, String address, int port, String payload) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            String target = proto + ":" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
            ExecResult r = Commands.run(
                    inside("sh", "-c", "printf '" + payload + "' | socat -T2 - " + target + ",connect-timeout=2"),
                    Duration.ofSeconds(10),
                    null);
            if (r.ok() && !r.stdout().isBlank()) return r.stdout().strip();
            if (System.nanoTime() > deadline) return null;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /**
     * Starts a TCP server on {@code port} that answers each connection with {@code reply} followed by
     * the client's address as the server saw it ({@code hello from 192.0.2.1}).
     */
    public LabProcess serveTcp(int port, String reply) {
        return spawn(
                "socat", "TCP-LISTEN:" + port + ",fork,reuseaddr", "SYSTEM:echo " + reply + " from \\$SOCAT_PEERADDR");
    }

    /** Like {@link #serveTcp} for UDP: answers each datagram. */
    public LabProcess serveUdp(int port, String reply) {
        return spawn(
                "socat",
                "UDP-RECVFROM:" + port + ",fork,reuseaddr",
                "SYSTEM:echo " + reply + " from \\$SOCAT_PEERADDR");
    }

    /** Sets a sysctl of this host's namespace, e.g. {@code net.ipv4.ip_forward=1}. */
    public void sysctl(String key, String value) {
        run("sysctl", "-q", "-w", key + "=" + value);
    }

    List<String> inside(String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        c.addAll(List.of(command));
        return c;
    }

    @Override
    public String toString() {
        return netns;
    }
}
