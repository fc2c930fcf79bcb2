package dev.berth.engine.firewall;

import dev.berth.engine.model.Protocol;
import java.net.InetAddress;

/**
 * One published port as the firewall programs it: traffic for {@code hostIp:hostPort} (every local
 * address when hostIp is null) is sent to {@code containerIp:containerPort} on {@code bridge}.
 * A hostIp of 127.0.0.1 is reachable from the host only.
 */
public record PortRule(String bridge, Protocol protocol, InetAddress hostIp, int hostPort, InetAddress containerIp,
                       int containerPort) {}
