package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** {@code KEY=VALUE} flags (--opt, --label, --aux-address, -e) as a JSON object. */
final class KeyValues {
    private KeyValues() {}

    /** With {@code valueOptional}, a bare KEY means KEY="" (docker's --label). */
    static ObjectNode map(List<String> pairs, String flag, boolean valueOptional) {
        ObjectNode o = BaseCommand.object();
        for (String kv : pairs) {
            int eq = kv.indexOf('=');
            if (eq == 0 || (eq < 0 && !valueOptional))
                throw new UsageError("invalid " + flag + " '" + kv + "': expected KEY=VALUE");
            if (eq < 0) o.put(kv, "");
            else o.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return o;
    }
}
