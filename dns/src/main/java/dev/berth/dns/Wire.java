package dev.berth.dns;

import java.util.Arrays;

/**
 * The few header bits the forwarding path reads and patches in place, so a relayed packet is not
 * parsed and re-encoded (dnsjava does all other encoding and decoding).
 */
final class Wire {
    static final int HEADER = 12;
    static final int RCODE_SERVFAIL = 2, RCODE_REFUSED = 5;

    private Wire() {}

    static int id(byte[] b) {
        return (b[0] & 0xff) << 8 | b[1] & 0xff;
    }

    static void setId(byte[] b, int id) {
        b[0] = (byte) (id >>> 8);
        b[1] = (byte) id;
    }

    static boolean isResponse(byte[] b) {
        return (b[2] & 0x80) != 0;
    }

    static boolean truncated(byte[] b) {
        return (b[2] & 0x02) != 0;
    }

    static int rcode(byte[] b) {
        return b[3] & 0x0f;
    }

    /**
     * Where the first question ends (name, type, class), or -1 when the packet has not exactly one
     * question or its name is malformed or compressed (a query's first name has nothing to point to).
     */
    static int questionEnd(byte[] b, int len) {
        if (len < HEADER || b[4] != 0 || b[5] != 1) return -1;
        int p = HEADER;
        while (p < len) {
            int l = b[p] & 0xff;
            if (l == 0) return p + 5 <= len ? p + 5 : -1;
            if (l > 63) return -1;
            p += l + 1;
        }
        return -1;
    }

    /** SERVFAIL for a query whose question is readable: its header and question, QR and RA set, nothing else. */
    static byte[] servfail(byte[] query) {
        int end = questionEnd(query, query.length);
        byte[] r = Arrays.copyOf(query, end < 0 ? HEADER : end);
        r[2] = (byte) (0x80 | (query[2] & 0x79));
        r[3] = (byte) (0x80 | RCODE_SERVFAIL);
        for (int i = 6; i < HEADER; i++) r[i] = 0;
        if (end < 0) r[4] = r[5] = 0;
        return r;
    }

    /** Whether two packets carry the same question, names compared without regard to ASCII case. */
    static boolean sameQuestion(byte[] a, int aEnd, byte[] b, int bLen) {
        if (aEnd > bLen) return false;
        for (int i = HEADER; i < aEnd; i++) {
            int x = a[i], y = b[i];
            if (x == y) continue;
            if ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z') return false;
        }
        return true;
    }
}
