package dev.berth.daemon.api;

import dev.berth.model.BerthException;
import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Docker's detach keys on an attached stdin ({@code ctrl-p,ctrl-q} unless {@code detachKeys} says
 * otherwise): the sequence ends the attachment and is not passed on; a partial match that breaks off is
 * passed on whole.
 */
final class DetachKeys {
    static final String DEFAULT = "ctrl-p,ctrl-q";

    private final byte[] keys;
    private int matched;

    private DetachKeys(byte[] keys) {
        this.keys = keys;
    }

    /** Docker's syntax: comma-separated {@code a}-{@code z}, {@code ctrl-a}..{@code ctrl-z}, {@code ctrl-@ [ \ ] ^ _}. */
    static DetachKeys parse(String spec) {
        String s = spec == null || spec.isEmpty() ? DEFAULT : spec;
        String[] parts = s.split(",");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.length() == 1) {
                out[i] = (byte) p.charAt(0);
            } else if (p.startsWith("ctrl-") && p.length() == 6) {
                char c = p.charAt(5);
                if (c >= 'a' && c <= 'z') out[i] = (byte) (c - 'a' + 1);
                else if ("@[\\]^_".indexOf(c) >= 0) out[i] = (byte) ("@[\\]^_".indexOf(c) == 0 ? 0 : c - '@');
                else throw invalid(spec);
            } else {
                throw invalid(spec);
            }
        }
        return new DetachKeys(out);
    }

    private static BerthException.InvalidRequest invalid(String spec) {
        return new BerthException.InvalidRequest("detachKeys", "Invalid detach keys (" + spec + ") provided");
    }

    /** What to pass on of {@code n} bytes read; {@link #detached()} tells whether the sequence completed. */
    byte[] filter(byte[] buf, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        for (int i = 0; i < n; i++) {
            byte b = buf[i];
            if (b == keys[matched]) {
                if (++matched == keys.length) return out.toByteArray();
                continue;
            }
            if (matched > 0) {
                out.write(keys, 0, matched);
                matched = 0;
                if (b == keys[0]) {
                    matched = 1;
                    continue;
                }
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    boolean detached() {
        return matched == keys.length;
    }
}
