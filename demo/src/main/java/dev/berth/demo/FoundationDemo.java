package dev.berth.demo;

import dev.berth.lab.Lab;
import dev.berth.lab.LabHost;
import dev.berth.netlink.ns.Netns;
import dev.berth.netlink.ns.NetnsHandle;
import dev.berth.netlink.ns.Sysctl;
import dev.berth.netlink.route.IpPrefix;
import dev.berth.netlink.route.Link;
import dev.berth.netlink.route.LinkType;
import dev.berth.netlink.route.NewLink;
import dev.berth.netlink.route.Route;
import dev.berth.netlink.route.Rtnl;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code make demo}: until Berth's daemon exists, Berth's foundation layer (its own netlink code,
 * over java.lang.foreign) rebuilds the first scene of the walkthrough in a lab: a bridge like docker0
 * and three containers, milk, bread and coffee, wired to it and routed to an outside machine. Each
 * step is printed as the ip command a reader of the walkthrough would type, and checked with ip and
 * ping inside the namespaces. Exits 0 only when every check passed.
 */
public final class FoundationDemo implements AutoCloseable {
    static final String BRIDGE = "berth0";
    static final IpPrefix GATEWAY = IpPrefix.parse("172.17.0.1/16");
    static final String CONTAINER_NETWORK = "172.17.0.0/16";
    static final String HOST_WIRE = "192.0.2.1/24", EXT_WIRE = "192.0.2.2/24";

    /** The walkthrough's containers and the addresses Docker would give them on docker0. */
    private record Spec(String name, String address) {}

    private static final List<Spec> CONTAINERS = List.of(
            new Spec("milk", "172.17.0.2/16"), new Spec("bread", "172.17.0.3/16"), new Spec("coffee", "172.17.0.4/16"));

    private final Lab lab;
    private final Report report;
    private final Witness witness = new Witness();
    private final List<Container> containers = new ArrayList<>();
    private Ns host, ext;
    private LabHost extHost;
    private NetnsHandle hostNs;
    private Rtnl hostRtnl;
    private Link bridge;

    private FoundationDemo(Lab lab, Report report) {
        this.lab = lab;
        this.report = report;
    }

    public static void main(String[] args) {
        List<Check> checks = run(System.out);
        System.exit(checks.stream().allMatch(Check::passed) ? 0 : 1);
    }

    /** Plays the whole scene in a fresh lab, cleans up, prints the verdict and returns every check. */
    public static List<Check> run(PrintStream out) {
        Report report = new Report(out);
        String runId = null;
        try (Lab lab = Lab.create()) {
            runId = lab.runId();
            report.intro(runId);
            try (FoundationDemo demo = new FoundationDemo(lab, report)) {
                demo.play();
            }
            report.lab("ip netns del host && ip netns del ext");
        } catch (RuntimeException e) {
            report.failed("the lab is set up and taken down", e);
        }
        if (runId != null) nothingLeft(report, runId);
        report.summary();
        return report.checks();
    }

    /** Steps 1 to 6; a step that throws stops the scene (step 7, cleaning up, always runs). */
    private void play() {
        try {
            machineAndOutside();
            bridge();
            report.step(3, "Berth starts three containers on " + BRIDGE + " (like docker run, network part only)");
            for (Spec c : CONTAINERS) container(c);
            containersTalk();
            outsideWorld();
            topology();
        } catch (RuntimeException e) {
            report.aborted(e);
        }
    }

    // ---- [1] ----

    /** The lab's namespace {@code host} plays the machine; {@code ext}, an outside machine on its wire. */
    private void machineAndOutside() {
        report.step(1, "A machine (host) and an outside machine (ext) on a wire");
        report.lab("ip netns add host");
        LabHost h = lab.host("host");
        report.lab("ip netns add ext");
        extHost = lab.host("ext");
        host = new Ns("host", h.name());
        ext = new Ns("ext", extHost.name());
        report.lab("ip -n host link add eth0 type veth peer name eth0 netns ext");
        report.lab("ip -n host addr add " + HOST_WIRE + " dev eth0 && ip -n host link set eth0 up");
        report.lab("ip -n ext addr add " + EXT_WIRE + " dev eth0 && ip -n ext link set eth0 up");
        lab.connect(h, "eth0", HOST_WIRE, extHost, "eth0", EXT_WIRE);
        expectPing(host, "ext", addressOf(EXT_WIRE));
    }

    // ---- [2] ----

    /** Berth's bridge, like docker0: the containers' switch and, with its address, their gateway. */
    private void bridge() {
        report.step(2, "Berth creates the bridge " + BRIDGE + " in host, as Docker creates docker0");
        hostNs = Netns.open(host.netns());
        hostRtnl = Netns.rtnl(hostNs);
        report.berth("ip -n host link add " + BRIDGE + " up type bridge stp_state 0", "Links.create");
        bridge = hostRtnl.links().create(NewLink.of(BRIDGE, new LinkType.Bridge()).withUp());
        report.berth("ip -n host addr add " + GATEWAY + " dev " + BRIDGE, "Addresses.add");
        hostRtnl.addresses().add(bridge.index(), GATEWAY);
        report.expect(BRIDGE + " is a bridge, up, with " + GATEWAY, Witness.ipCommand(host, "-d addr show dev", BRIDGE),
                BRIDGE + " bridge UP " + GATEWAY,
                () -> Witness.linksWithAddresses(witness.ip(host, "-d", "addr", "show", "dev", BRIDGE)));
    }

    // ---- [3] ----

    /** One container: namespace, veth pair straight into it, address, links up, default route. */
    private void container(Spec spec) {
        Container c = new Container(spec.name(), spec.address(), Lab.PREFIX + lab.runId() + "-");
        report.section(c.name + " (" + c.address + ")");
        createNamespace(c);
        plugIntoBridge(c);
        configureInside(c);
        checkContainer(c);
    }

    private void createNamespace(Container c) {
        report.berth("ip netns add " + c.name, "Netns.create");
        c.handle = Netns.create(c.ns.netns());
        containers.add(c); // from here on, close() removes it
        c.rtnl = Netns.rtnl(c.handle);
    }

    /** The veth pair is made with its peer already inside the container, named eth0: nothing is moved or renamed. */
    private void plugIntoBridge(Container c) {
        report.berth("ip -n host link add " + c.hostVethName + " up master " + BRIDGE
                + " type veth peer name eth0 netns " + c.name, "Links.create");
        c.hostVeth = hostRtnl.links().create(NewLink.of(c.hostVethName, new LinkType.Veth("eth0").inNetns(c.handle.fd()))
                .withMaster(bridge.index()).withUp());
    }

    private void configureInside(Container c) {
        var links = c.rtnl.links();
        report.berth("ip -n " + c.name + " link set lo up", "Links.setUp");
        links.setUp(links.get("lo").index());
        c.eth0 = links.get("eth0");
        report.berth("ip -n " + c.name + " addr add " + c.address + " dev eth0", "Addresses.add");
        c.rtnl.addresses().add(c.eth0.index(), c.address);
        report.berth("ip -n " + c.name + " link set eth0 up", "Links.setUp");
        links.setUp(c.eth0.index());
        report.berth("ip -n " + c.name + " route add default via " + addressOf(GATEWAY.toString()), "Routes.add");
        c.rtnl.routes().add(Route.defaultVia(GATEWAY.address(), c.eth0.index()));
        c.eth0 = links.get("eth0"); // as it is now: up, and with its peer index
    }

    private void checkContainer(Container c) {
        report.expect(c.name + ": lo and eth0 up, eth0 has " + c.address, Witness.ipCommand(c.ns, "addr show"),
                "lo UP 127.0.0.1/8; eth0 veth UP " + c.address,
                () -> Witness.linksWithAddresses(witness.ip(c.ns, "-d", "addr", "show")));
        report.expect(c.name + ": default route via the gateway", Witness.ipCommand(c.ns, "route show default"),
                "default via " + GATEWAY.address().getHostAddress() + " dev eth0",
                () -> Witness.routes(witness.ip(c.ns, "route", "show", "default")));
        report.expect("host: " + c.hostVethName + " is a port of " + BRIDGE + ", up",
                Witness.ipCommand(host, "link show", c.hostVethName), c.hostVethName + " master " + BRIDGE + " UP",
                () -> Witness.port(witness.ip(host, "link", "show", c.hostVethName).get(0)));
    }

    // ---- [4] ----

    /** Pings between the containers and to the gateway, the bridge's ports, and which veth pairs with which eth0. */
    private void containersTalk() {
        report.step(4, "The containers reach each other and the gateway through " + BRIDGE);
        for (Container from : containers) {
            for (Container to : containers) if (to != from) expectPing(from.ns, to.name, to.ip());
            expectPing(from.ns, "the gateway", GATEWAY.address().getHostAddress());
        }
        report.expect(BRIDGE + " has the three container veths as its ports", Witness.ipCommand(host, "link show master", BRIDGE),
                containers.stream().map(c -> c.hostVethName).sorted().toList(),
                () -> Witness.names(witness.ip(host, "link", "show", "master", BRIDGE)));
        report.say("Which host veth is which container's eth0? Berth reads each end's peer index (IFLA_LINK) from the kernel,");
        report.say("the number ip link prints after '@if':");
        for (Container c : containers) showPair(c);
    }

    private void showPair(Container c) {
        report.say(String.format("  host: %d: %s@if%d  <->  %s: %d: eth0@if%d", c.hostVeth.index(), c.hostVethName,
                c.hostVeth.linkIndex(), c.name, c.eth0.index(), c.eth0.linkIndex()));
        report.expect(c.hostVethName + "'s peer index is " + c.name + "'s eth0", Witness.ipCommand(c.ns, "link show eth0") + " ifindex",
                c.hostVeth.linkIndex(), () -> Witness.ifindex(witness.ip(c.ns, "link", "show", "eth0")));
    }

    // ---- [5] ----

    /** host forwards between berth0 and its wire; ext routes the containers' network back through host. */
    private void outsideWorld() {
        report.step(5, "milk reaches the outside machine, routed through host");
        String ownForwarding = ownIpForward();
        report.berth("ip netns exec host sysctl -w net.ipv4.ip_forward=1", "Sysctl.write");
        Sysctl.write(hostNs, "net.ipv4.ip_forward", "1");
        report.expect("host forwards IPv4", "ip netns exec host sysctl -n net.ipv4.ip_forward", "1",
                () -> witness.sysctl(host, "net.ipv4.ip_forward"));
        report.expect("this machine's own net.ipv4.ip_forward is untouched (" + ownForwarding + ")",
                "/proc/sys/net/ipv4/ip_forward outside the lab", ownForwarding, FoundationDemo::ownIpForward);
        report.lab("ip -n ext route add " + CONTAINER_NETWORK + " via " + addressOf(HOST_WIRE));
        extHost.ip("route", "add", CONTAINER_NETWORK, "via", addressOf(HOST_WIRE));
        Container milk = containers.getFirst();
        expectPing(milk.ns, "ext", addressOf(EXT_WIRE));
        expectPing(ext, milk.name + " at its own address", milk.ip());
        report.say("No NAT yet: packets leave host with milk's own address, " + milk.ip() + ", which is why ext needs the");
        report.say("route back through host, and why ext can reach milk directly. Docker hides containers behind the");
        report.say("host's address instead (iptables MASQUERADE); NAT comes with Berth's engine.");
    }

    /** net.ipv4.ip_forward of the namespace this JVM runs in (this machine's own): read only, never written. */
    private static String ownIpForward() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- [6] ----

    /** Every namespace as Berth's netlink dumps read it, checked link by link against ip. */
    private void topology() {
        report.step(6, "The topology, as Berth's netlink dumps read it (IPv4)");
        summarize(host, hostRtnl);
        try (NetnsHandle h = Netns.open(ext.netns()); Rtnl extRtnl = Netns.rtnl(h)) {
            summarize(ext, extRtnl);
        }
        for (Container c : containers) summarize(c.ns, c.rtnl);
    }

    private void summarize(Ns ns, Rtnl rtnl) {
        Topology t = Topology.dump(rtnl);
        report.section(ns.label() + " (" + ns.netns() + ")");
        t.lines().forEach(report::say);
        report.expect(ns.label() + ": Berth's link dump matches ip's", Witness.ipCommand(ns, "link show"),
                t.numbered(), () -> Witness.numbered(witness.ip(ns, "link", "show")));
    }

    // ---- [7] ----

    /** Berth removes its containers (the veth pairs go with their namespaces) and lets go of host. */
    @Override
    public void close() {
        report.step(7, "Clean up");
        for (Container c : containers.reversed()) {
            report.berth("ip netns del " + c.name, "Netns.delete");
            try {
                c.close();
            } catch (RuntimeException e) {
                report.failed("Berth deletes " + c.name, e);
            }
        }
        if (hostRtnl != null) hostRtnl.close();
        if (hostNs != null) hostNs.close();
        if (host != null && !containers.isEmpty()) {
            report.expect("the container veths left " + BRIDGE + " with their namespaces",
                    Witness.ipCommand(host, "link show master", BRIDGE), List.of(), this::portsOnceGone);
        }
    }

    /** The bridge's ports, waiting up to 5 s for them to go: the kernel dismantles a deleted namespace in the background. */
    private List<String> portsOnceGone() {
        List<String> ports = List.of();
        for (int i = 0; i < 50; i++) {
            ports = Witness.names(witness.ip(host, "link", "show", "master", BRIDGE));
            if (ports.isEmpty()) break;
            sleep(100);
        }
        return ports;
    }

    private static void nothingLeft(Report report, String runId) {
        report.expect("no namespace of lab run " + runId + " is left", "ip netns list", List.of(),
                () -> Netns.list().stream().filter(n -> n.startsWith(Lab.PREFIX + runId + "-")).toList());
    }

    // ---- helpers ----

    private void expectPing(Ns from, String toName, String address) {
        report.expect(from.label() + " reaches " + toName + " (" + address + ")",
                "ip netns exec " + from.label() + " ping -c 1 " + address, true, () -> witness.ping(from, address));
    }

    /** "192.0.2.2/24" -> "192.0.2.2". */
    private static String addressOf(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
