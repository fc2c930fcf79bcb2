package dev.berth.daemon;

import dev.berth.engine.NetworkDefaults;
import dev.berth.runtime.image.InsecureRegistries;
import java.util.List;

/**
 * dockerd's own options that berthd honours too, so that a DOCKER_OPTS line or a daemon.json works as
 * written ({@link DockerdOptions} reads and checks them).
 *
 * @param insecureRegistries registries that may answer in plain HTTP ({@code --insecure-registry})
 * @param mtu                the default bridge's and its veths' MTU ({@code --mtu}), or null for 1500
 * @param network            the default bridge's settings and the address pools ({@code --icc}, {@code --ip}, ...)
 * @param iptables           Berth writes its firewall rules ({@code --iptables}, true by default)
 * @param dnsSearch          containers' search domains when they give none ({@code --dns-search})
 * @param dnsOptions         containers' resolver options when they give none ({@code --dns-opt})
 * @param warnings           what berthd logs at start about options it takes but that do nothing here
 */
public record DockerdSettings(
        InsecureRegistries insecureRegistries,
        Integer mtu,
        NetworkDefaults network,
        boolean iptables,
        List<String> dnsSearch,
        List<String> dnsOptions,
        List<String> warnings) {
    public static final DockerdSettings DEFAULTS = new DockerdSettings(
            InsecureRegistries.NONE, null, NetworkDefaults.DOCKER, true, List.of(), List.of(), List.of());

    public DockerdSettings {
        dnsSearch = List.copyOf(dnsSearch);
        dnsOptions = List.copyOf(dnsOptions);
        warnings = List.copyOf(warnings);
    }
}
