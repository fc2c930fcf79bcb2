package dev.berth.cluster.lease;

import dev.berth.model.net.Cidr;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** flannel's lease key for a subnet: {@code 10.5.52.0/24} is {@code 10.5.52.0-24}. */
public final class SubnetKey {
    private static final Pattern KEY = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)-(\\d+)");

    private SubnetKey() {}

    public static String of(Cidr subnet) {
        return subnet.network().getHostAddress() + "-" + subnet.prefix();
    }

    /** The subnet a key names, or null when the key is not a lease key (flannel's dual-stack keys included). */
    public static Cidr parse(String key) {
        Matcher m = KEY.matcher(key);
        if (!m.matches()) return null;
        try {
            return Cidr.parse(m.group(1) + "/" + m.group(2), "lease key " + key);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
