package dev.berth.netlink;

/**
 * The running kernel lacks a link type Berth was asked to create; names the kernel option
 * (e.g. {@code CONFIG_IPVLAN}) that would provide it, so the user knows what to enable or load.
 */
public final class MissingKernelFeatureException extends NetlinkException {
    private final String kind;
    private final String kernelOption;

    public MissingKernelFeatureException(String kind, String kernelOption, NetlinkException cause) {
        super(
                cause.operation(),
                cause.errno(),
                cause.extack(),
                "this kernel has no '" + kind + "' link type: it was built without " + kernelOption
                        + " (or the module is not loaded); enable " + kernelOption + " or run `modprobe "
                        + moduleOf(kind) + "` (" + cause.getMessage() + ")",
                cause);
        this.kind = kind;
        this.kernelOption = kernelOption;
    }

    private static String moduleOf(String kind) {
        return kind.equals("vlan") ? "8021q" : kind;
    }

    public String kind() {
        return kind;
    }

    /** The kernel configuration option that provides the link type, e.g. {@code CONFIG_VLAN_8021Q}. */
    public String kernelOption() {
        return kernelOption;
    }
}
