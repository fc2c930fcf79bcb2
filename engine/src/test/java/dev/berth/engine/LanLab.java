package dev.berth.engine;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import dev.berth.model.net.IpPrefix;

/**
 * The stage of seed 002: the engine's host (an {@link EngineLab}) has a NIC {@code lan0}, a veth whose
 * other end is a port of the LAN switch (namespace "lan", bridge br0). On that LAN live the gateway
 * (192.168.241.2, on br0) and an outside machine "out" (192.168.241.50). The host itself has no
 * address on the LAN, as in the seed, where the host's own address does not matter to the containers.
 */
final class LanLab implements AutoCloseable {
    static final String SUBNET = "192.168.241.0/24", GATEWAY = "192.168.241.2", OUT = "192.168.241.50";

    final EngineLab engine;
    final Lab lab;
    final LabHost host;
    final LabHost lan;
    final LabHost out;

    LanLab(Lab lab) {
        this.engine = new EngineLab(lab);
        this.lab = lab;
        this.host = engine.host;
        this.lan = lab.host("lan");
        this.out = lab.host("out");
        lan.ip("link", "add", "br0", "type", "bridge", "stp_state", "0");
        lan.ip("addr", "add", GATEWAY + "/24", "dev", "br0");
        lan.ip("link", "set", "br0", "up");
        nic("lan0", "p-host");
        lab.connect(out, "eth0", OUT + "/24", lan, "p-out", null);
        lan.ip("link", "set", "p-out", "master", "br0");
    }

    /** Gives the host one more NIC {@code nic} (up, no address) whose other end is port {@code port} of the LAN switch. */
    void nic(String nic, String port) {
        lab.connect(host, nic, null, lan, port, null);
        lan.ip("link", "set", port, "master", "br0");
    }

    /** Lets the LAN switch send a frame back out of the port it came in on (what a VEPA switch does). */
    void hairpin(String port, boolean on) {
        lan.run("bridge", "link", "set", "dev", port, "hairpin", on ? "on" : "off");
    }

    Engine start() {
        return engine.start();
    }

    LabHost in(String sandbox) {
        return engine.in(sandbox);
    }

    static String ip(Engine e, String sandbox) {
        Sandbox s = e.sandbox(sandbox);
        Endpoint ep = e.endpointsOf(s).getFirst();
        return IpPrefix.format(ep.ipv4());
    }

    @Override
    public void close() {
        engine.close();
    }
}
