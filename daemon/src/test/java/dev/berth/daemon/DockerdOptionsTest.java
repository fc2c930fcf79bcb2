package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.ExecResult;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import dev.berth.lab.LabHost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * dockerd's daemon options as the seeds type them (DOCKER_OPTS, flannel's {@code --bip=${FLANNEL_SUBNET}
 * --mtu=${FLANNEL_MTU}}, seed 001's OPTIONS) on berthd, each proved by its effect on the kernel through the
 * docker CLI: the bridge's and containers' MTU, the default gateway, the address range, isolation without
 * icc, no masquerade element, the default host address of -p, the resolver's search and options, the pools of
 * new networks; --iptables=false writes no rule and refuses -p; what Berth cannot do is refused at start.
 */
@ExtendWith(LabExtension.class)
class DockerdOptionsTest {

    @Test
    void defaultBridgeOptionsReachTheKernel(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(
                lab,
                "--bip=10.0.128.1/24",
                "--mtu=1450",
                "--icc=false",
                "--ip-masq=false",
                "--ip",
                "192.0.2.1",
                "--fixed-cidr",
                "10.0.128.128/25",
                "--default-gateway",
                "10.0.128.254",
                "--dns-search",
                "example.test",
                "--dns-opt",
                "ndots:3",
                "--default-address-pool",
                "base=10.20.0.0/16,size=24",
                "--userland-proxy=false")) {
            assertTrue(d.host.run("ip", "-o", "link", "show", "berth0").stdout().contains(" mtu 1450 "));
            // the gateway containers are told to use: a second address of the host on the bridge (a router)
            d.host.run("ip", "addr", "add", "10.0.128.254/32", "dev", "berth0");
            d.dockerOk("run", "-d", "--name", "c1", "busybox", "sleep", "600");
            d.dockerOk("run", "-d", "--name", "c2", "busybox", "sleep", "600");
            assertEquals(
                    "1450",
                    d.dockerOk("exec", "c1", "cat", "/sys/class/net/eth0/mtu").strip());
            assertTrue(d.host.run("ip", "-o", "link", "show", "master", "berth0")
                    .stdout()
                    .contains(" mtu 1450 "));

            // addresses from --fixed-cidr, the default route via --default-gateway
            for (String c : new String[] {"c1", "c2"}) {
                String ip = ip(d, c);
                assertTrue(ip.startsWith("10.0.128."), ip);
                assertTrue(Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) >= 128, c + " got " + ip);
            }
            assertTrue(
                    d.in("c1").run("ip", "route", "show", "default").stdout().contains("default via 10.0.128.254 "),
                    d.in("c1").run("ip", "route").stdout());

            // --icc=false: the bridge's own address answers, the other container does not
            assertTrue(
                    d.docker("exec", "c1", "ping", "-c1", "-W2", "10.0.128.1").ok(), "c1 reaches the bridge");
            assertFalse(
                    d.docker("exec", "c1", "ping", "-c1", "-W2", ip(d, "c2")).ok(), "icc is off");

            // --default-address-pool gives new networks their subnets; --ip-masq=false leaves the bridge
            // out of the masqueraded set while the new network is in it
            d.dockerOk("network", "create", "n1");
            assertEquals(
                    "10.20.0.0/24",
                    d.inspect("network", "inspect", "n1")
                            .get("IPAM")
                            .get("Config")
                            .get(0)
                            .get("Subnet")
                            .asText());
            String masq =
                    d.host.run("nft", "list", "set", "inet", "berth", "masq4").stdout();
            assertTrue(masq.contains("10.20.0.0/24"), masq);
            assertFalse(masq.contains("10.0.128."), masq);

            // --ip: -p without an address is published on that address only (not on the host's 127.0.0.1)
            d.dockerOk("run", "-d", "--name", "web", "-p", "8080:80", "nginx");
            assertTrue(DaemonLab.http(d.ext, "http://192.0.2.1:8080/") != null, "published on 192.0.2.1");
            assertFalse(
                    d.host.exec("curl", "-s", "--max-time", "2", "http://127.0.0.1:8080/")
                            .ok(),
                    "not on every address");

            // --dns-search and --dns-opt for containers that give none; their own win
            String resolv = d.dockerOk("exec", "c1", "cat", "/etc/resolv.conf");
            assertTrue(resolv.contains("search example.test\n") && resolv.contains("options ndots:3\n"), resolv);
            String own = d.dockerOk("run", "--rm", "--dns-search", "own.test", "busybox", "cat", "/etc/resolv.conf");
            assertTrue(own.contains("search own.test\n") && own.contains("options ndots:3\n"), own);
        }
    }

    @Test
    void iptablesFalseWritesNoRuleAndOptionsDockerTakesWithAWarning(Lab lab) {
        try (DaemonLab d = DaemonLab.withImages(
                lab, "--iptables=false", "--selinux-enabled", "--log-driver", "json-file", "--userland-proxy")) {
            assertFalse(d.host.exec("nft", "list", "table", "inet", "berth").ok(), "no table of Berth's");
            d.dockerOk("run", "-d", "--name", "c1", "busybox", "sleep", "600");
            assertTrue(d.docker("exec", "c1", "ping", "-c1", "-W2", gateway(d)).ok(), "c1 reaches its bridge");
            ExecResult p = d.docker("run", "-d", "--name", "web", "-p", "8080:80", "nginx");
            assertFalse(p.ok());
            assertTrue(p.stderr().contains("--iptables=false"), p.stderr());
            // what Berth does not implement yet answers 501 naming it (not 404 page not found)
            for (String[] cmd : new String[][] {{"diff", "c1"}, {"commit", "c1", "img:1"}, {"system", "df"}}) {
                ExecResult r = d.docker(cmd);
                assertFalse(r.ok(), String.join(" ", cmd));
                String verb = cmd[0].equals("system") ? "system df" : cmd[0];
                assertTrue(r.stderr().contains("docker " + verb + " ("), r.stderr());
                assertTrue(r.stderr().contains("Berth does not"), r.stderr());
            }
            assertTrue(d.docker("diff", "nope").stderr().contains("No such container: nope"));
            String log = d.log();
            assertTrue(log.contains("--selinux-enabled does nothing: SELinux is not enabled on this host"), log);
            assertTrue(log.contains("--userland-proxy: Berth has no userland proxy"), log);
        }
    }

    @Test
    void whatBerthCannotDoIsRefusedAtStart(Lab lab) {
        LabHost h = lab.host("h");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "berthd-" + lab.runId() + "-refused");
        // seed 001's OPTIONS: journald is no log driver of Berth's
        ExecResult journald = berthd(h, dir, "--selinux-enabled", "--log-driver=journald", "-b=bridge0");
        assertEquals(2, journald.exitCode(), journald.stdout() + journald.stderr());
        assertTrue(journald.stderr().contains("berthd: --log-driver: 'journald' is not supported"), journald.stderr());
        ExecResult icc = berthd(h, dir, "--iptables=false", "--icc=false");
        assertEquals(2, icc.exitCode());
        assertTrue(icc.stderr().contains("You specified --iptables=false with --icc=false."), icc.stderr());
        ExecResult mtu = berthd(h, dir, "--mtu", "40");
        assertEquals(2, mtu.exitCode());
        assertTrue(mtu.stderr().contains("--mtu: 40 is not an MTU between 68 and 65535"), mtu.stderr());
        ExecResult pool = berthd(h, dir, "--default-address-pool", "10.20.0.0/16");
        assertEquals(2, pool.exitCode());
        assertTrue(pool.stderr().contains("--default-address-pool: '10.20.0.0/16': give base=CIDR,size=N"));
    }

    /** berthd with options its checks refuse before it starts anything (its socket under {@code dir}). */
    private static ExecResult berthd(LabHost h, Path dir, String... options) {
        String[] cmd = new String[options.length + 5];
        cmd[0] = DaemonLab.BERTHD.toString();
        cmd[1] = "--socket";
        cmd[2] = dir.resolve("b.sock").toString();
        cmd[3] = "--state-dir";
        cmd[4] = dir.resolve("state").toString();
        System.arraycopy(options, 0, cmd, 5, options.length);
        return h.exec(cmd);
    }

    private static String ip(DaemonLab d, String container) {
        return d.inspect("inspect", container)
                .get("NetworkSettings")
                .get("IPAddress")
                .asText();
    }

    private static String gateway(DaemonLab d) {
        return d.inspect("inspect", "c1").get("NetworkSettings").get("Gateway").asText();
    }
}
