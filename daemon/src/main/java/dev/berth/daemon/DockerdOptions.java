package dev.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.engine.NetworkDefaults;
import dev.berth.engine.ipam.SubnetPlanner;
import dev.berth.model.BerthException;
import dev.berth.model.IpPrefix;
import dev.berth.runtime.image.InsecureRegistries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * dockerd's options berthd takes with dockerd's names and meaning (a picocli mixin of {@link Berthd}), and
 * their daemon.json keys. Each is honoured, or refused at start naming it; one that dockerd itself would
 * take on this host but that does nothing here (SELinux on a host without it) is taken with a warning.
 */
final class DockerdOptions {
    @Option(
            names = "--insecure-registry",
            description = "registry (host, host:port or CIDR) that may answer in plain HTTP (repeatable)")
    List<String> insecureRegistries;

    @Option(names = "--mtu", description = "MTU of the default bridge and its containers' interfaces (default 1500)")
    Integer mtu;

    @Option(
            names = "--icc",
            arity = "0..1",
            fallbackValue = "true",
            description = "containers on the default bridge reach each other (default true; --icc=false)")
    Boolean icc;

    @Option(
            names = "--ip-masq",
            arity = "0..1",
            fallbackValue = "true",
            description = "masquerade traffic leaving the default bridge (default true; --ip-masq=false)")
    Boolean ipMasq;

    @Option(
            names = "--iptables",
            arity = "0..1",
            fallbackValue = "true",
            description = "write firewall rules (default true; --iptables=false: none, and -p is refused)")
    Boolean iptables;

    @Option(names = "--ip", description = "default host address of published ports (-p 80:80), e.g. 192.0.2.1")
    String ip;

    @Option(
            names = "--fixed-cidr",
            description = "part of the default bridge's subnet containers get addresses from, e.g. 10.0.128.128/25")
    String fixedCidr;

    @Option(
            names = "--default-gateway",
            description = "default gateway of the default bridge's containers (default: the bridge's address)")
    String defaultGateway;

    @Option(
            names = "--default-address-pool",
            description = "pool for networks created without a subnet, base=10.10.0.0/16,size=24 (repeatable)")
    List<String> defaultAddressPools;

    @Option(names = "--dns-search", description = "containers' DNS search domain when they give none (repeatable)")
    List<String> dnsSearch;

    @Option(names = "--dns-opt", description = "containers' resolver option when they give none (repeatable)")
    List<String> dnsOpts;

    @Option(
            names = "--userland-proxy",
            arity = "0..1",
            fallbackValue = "true",
            description = "Berth has no userland proxy: ports are published by the kernel (false is what Berth does)")
    Boolean userlandProxy;

    @Option(names = "--log-driver", description = "containers' log driver: json-file only")
    String logDriver;

    @Option(
            names = "--selinux-enabled",
            arity = "0..1",
            fallbackValue = "true",
            description = "taken (with a warning) on a host without SELinux, refused on one with it")
    Boolean selinuxEnabled;

    /** daemon.json's keys for these options, as dockerd names them. */
    static final Set<String> FILE_KEYS = Set.of(
            "insecure-registries",
            "mtu",
            "icc",
            "ip-masq",
            "iptables",
            "ip",
            "fixed-cidr",
            "default-gateway",
            "default-address-pools",
            "dns-search",
            "dns-opts",
            "userland-proxy",
            "log-driver",
            "selinux-enabled");

    static final Set<String> LIST_KEYS = Set.of("insecure-registries", "dns-search", "dns-opts");
    static final Set<String> BOOLEAN_KEYS = Set.of("icc", "ip-masq", "iptables", "userland-proxy", "selinux-enabled");
    static final Set<String> NUMBER_KEYS = Set.of("mtu");

    /** Where the kernel says whether SELinux is on (absent: no SELinux). */
    static final Path SELINUX_ENFORCE = Path.of("/sys/fs/selinux/enforce");

    /**
     * daemon.json's {@code "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]} as the flag's
     * text, pools apart by ';'.
     */
    static String pools(Path f, JsonNode v) {
        if (!v.isArray())
            throw new IllegalArgumentException(
                    f + ": default-address-pools: expected a list of {\"base\": CIDR, \"size\": N}, got " + v);
        List<String> out = new ArrayList<>();
        for (JsonNode p : v) {
            if (!p.isObject() || !p.path("base").isTextual() || !p.path("size").isIntegralNumber() || p.size() != 2)
                throw new IllegalArgumentException(
                        f + ": default-address-pools: expected {\"base\": CIDR, \"size\": N}, got " + p);
            out.add("base=" + p.get("base").asText() + ",size=" + p.get("size").asInt());
        }
        return String.join(";", out);
    }

    /** The options, each from its flag, else the config file, else dockerd's default; checked, naming the option. */
    DockerdSettings resolve(Map<String, String> file) {
        List<String> warnings = new ArrayList<>();
        InsecureRegistries registries;
        try {
            registries = InsecureRegistries.parse(list(insecureRegistries, file, "insecure-registries"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--insecure-registry: " + e.getMessage());
        }
        Integer m = mtu != null ? mtu : file.containsKey("mtu") ? Integer.valueOf(file.get("mtu")) : null;
        if (m != null && (m < 68 || m > 65535))
            throw new IllegalArgumentException("--mtu: " + m + " is not an MTU between 68 and 65535");
        boolean withIptables = bool(iptables, file, "iptables", true);
        boolean withIcc = bool(icc, file, "icc", true);
        boolean masq = bool(ipMasq, file, "ip-masq", true);
        if (!withIptables && !withIcc)
            // dockerd's own refusal, word for word
            throw new IllegalArgumentException("You specified --iptables=false with --icc=false. ICC=false uses"
                    + " iptables to function. Please set --icc or --iptables to true.");
        if (!withIptables && masq) {
            masq = false; // dockerd turns it off too: masquerading is a firewall rule
            if (ipMasq != null || file.containsKey("ip-masq"))
                warnings.add("--ip-masq is off with --iptables=false: masquerading is a firewall rule");
        }
        String hostIp = pick(ip, file, "ip");
        if (hostIp != null) literal(hostIp, "--ip");
        String fixed = pick(fixedCidr, file, "fixed-cidr");
        if (fixed != null) {
            try {
                if (!fixed.contains("/") || !IpPrefix.parse(fixed.strip()).isIpv4())
                    throw new IllegalArgumentException("'" + fixed + "' is not an IPv4 CIDR such as 10.0.128.128/25");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--fixed-cidr: " + e.getMessage());
            }
        }
        String gateway = pick(defaultGateway, file, "default-gateway");
        if (gateway != null && !literal(gateway, "--default-gateway").contains("."))
            throw new IllegalArgumentException("--default-gateway: '" + gateway + "' is not an IPv4 address");
        List<SubnetPlanner.Pool> pools = new ArrayList<>();
        List<String> poolTexts = defaultAddressPools != null
                ? defaultAddressPools
                : file.containsKey("default-address-pools")
                        ? List.of(file.get("default-address-pools").split(";"))
                        : List.of();
        for (String p : poolTexts) if (!p.isBlank()) pools.add(pool(p));
        String driver = pick(logDriver, file, "log-driver");
        if (driver != null && !driver.equals("json-file"))
            throw new IllegalArgumentException("--log-driver: '" + driver + "' is not supported: Berth keeps"
                    + " containers' logs in Docker's json-file format only (docker logs reads them);"
                    + " leave the option out or give json-file");
        if (bool(selinuxEnabled, file, "selinux-enabled", false)) {
            if (Files.exists(SELINUX_ENFORCE))
                throw new IllegalArgumentException("--selinux-enabled: SELinux is enabled on this host and Berth"
                        + " does not label containers' processes and files; leave the option out");
            // dockerd starts too, with this warning: "Docker could not enable SELinux on the host system"
            warnings.add("--selinux-enabled does nothing: SELinux is not enabled on this host");
        }
        if (bool(userlandProxy, file, "userland-proxy", false))
            warnings.add(
                    "--userland-proxy: Berth has no userland proxy; published ports are kernel rules, reached"
                            + " from the host's loopback and from containers too (what dockerd does with --userland-proxy=false)");
        return new DockerdSettings(
                registries,
                m,
                new NetworkDefaults(withIcc, masq, hostIp, fixed, gateway, pools),
                withIptables,
                list(dnsSearch, file, "dns-search"),
                list(dnsOpts, file, "dns-opts"),
                warnings);
    }

    /** dockerd's {@code base=10.10.0.0/16,size=24}. */
    private static SubnetPlanner.Pool pool(String text) {
        String base = null;
        Integer size = null;
        for (String kv : text.split(",")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq).strip().toLowerCase(Locale.ROOT),
                    v = kv.substring(eq + 1).strip();
            if (eq < 0 || !(k.equals("base") || k.equals("size")))
                throw new IllegalArgumentException("--default-address-pool: '" + text
                        + "': give base=CIDR,size=N, e.g. base=10.10.0.0/16,size=24");
            if (k.equals("base")) base = v;
            else {
                try {
                    size = Integer.valueOf(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--default-address-pool: size '" + v + "' is not a number");
                }
            }
        }
        if (base == null || size == null)
            throw new IllegalArgumentException(
                    "--default-address-pool: '" + text + "' needs both base and size, e.g. base=10.10.0.0/16,size=24");
        try {
            return SubnetPlanner.Pool.of(base, size);
        } catch (BerthException.InvalidRequest e) {
            throw new IllegalArgumentException("--default-address-pool: " + e.getMessage());
        }
    }

    private static String literal(String text, String option) {
        try {
            return IpPrefix.format(IpPrefix.literal(text.strip(), text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static List<String> list(List<String> flag, Map<String, String> file, String key) {
        if (flag != null) return flag;
        return file.containsKey(key) ? List.of(file.get(key).split("[,\\s]+")) : List.of();
    }

    private static String pick(String flag, Map<String, String> file, String key) {
        return flag != null ? flag : file.get(key);
    }

    private static boolean bool(Boolean flag, Map<String, String> file, String key, boolean fallback) {
        if (flag != null) return flag;
        return file.containsKey(key) ? Boolean.parseBoolean(file.get(key)) : fallback;
    }
}
