package dev.berth.cluster.config;

/**
 * How hosts carry container traffic to each other, from {@code Backend} in the cluster config
 * ({@code {"Type":"vxlan","VNI":1,"Port":8472}}).
 */
public sealed interface BackendConfig {
    /** The type as flannel spells it: host-gw, vxlan, udp. */
    String type();

    /** Routes to each peer's subnet via the peer's underlay address; every host on one L2 segment. */
    record HostGw() implements BackendConfig {
        @Override
        public String type() {
            return "host-gw";
        }
    }

    /** One kernel VXLAN device per host; learning off, one route, neighbour and FDB entry per peer. */
    record Vxlan(int vni, int port) implements BackendConfig {
        public static final int DEFAULT_VNI = 1, DEFAULT_PORT = 8472, OVERHEAD = 50;

        @Override
        public String type() {
            return "vxlan";
        }
    }

    /** A TUN device and Berth's own UDP encapsulation (flannel's original backend). */
    record Udp(int port, int queues) implements BackendConfig {
        public static final int DEFAULT_PORT = 8285, OVERHEAD = 28;

        @Override
        public String type() {
            return "udp";
        }
    }
}
