package dev.berth.dns;

import dev.berth.model.Endpoint;
import dev.berth.model.Sandbox;
import java.util.List;

/** The /etc/hosts a sandbox gets: loopback, and its own addresses under its hostname, as Docker writes it. */
public final class HostsFile {
    private HostsFile() {}

    public static String forSandbox(Sandbox s, List<Endpoint> endpoints) {
        StringBuilder sb = new StringBuilder();
        sb.append("127.0.0.1\tlocalhost\n");
        sb.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        sb.append("fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        for (Endpoint e : endpoints) {
            if (e.ipv4() != null)
                sb.append(e.ipv4().getHostAddress())
                        .append('\t')
                        .append(s.hostname())
                        .append('\n');
            if (e.ipv6() != null)
                sb.append(e.ipv6().getHostAddress())
                        .append('\t')
                        .append(s.hostname())
                        .append('\n');
        }
        return sb.toString();
    }
}
