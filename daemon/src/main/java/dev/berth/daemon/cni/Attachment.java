package dev.berth.daemon.cni;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A CNI attachment: the spec's key (CNI network name, container id, interface name), the Berth network
 * it joined and the runtime's namespace. Its engine sandbox has a fixed id derived from the key, so a DEL
 * finds what an ADD made even when the ADD's caller died before reading the answer.
 */
public record Attachment(
        String sandboxId, String cniName, String containerId, String ifName, String network, String netns) {

    public static Attachment of(CniRequest r) {
        return new Attachment(
                sandboxId(r.cniName(), r.containerId(), r.ifName()),
                r.cniName(),
                r.containerId(),
                r.ifName(),
                r.network(),
                r.netns());
    }

    /** 64 hex digits: SHA-256 of the key, the form the engine takes for sandbox ids. */
    public static String sandboxId(String cniName, String containerId, String ifName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((cniName + "\n" + containerId + "\n" + ifName).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sandbox name shown by {@code docker network inspect} and {@code berth topology}: {@code cni-}, the
     * first 12 characters of the container id, and the interface when it is not eth0.
     */
    public String sandboxName() {
        String id = containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
        String suffix = ifName.equals("eth0") || !ifName.matches("[a-zA-Z0-9_.\\-]+") ? "" : "-" + ifName;
        if (!ifName.equals("eth0") && suffix.isEmpty()) suffix = "-" + sandboxId.substring(0, 8);
        return "cni-" + id + suffix;
    }
}
