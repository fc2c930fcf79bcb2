package dev.berth.model;

import java.util.Locale;

/** Transport protocols a port can be published for. */
public enum Protocol {
    TCP,
    UDP,
    SCTP;

    public static Protocol parse(String text, String field) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BerthException.InvalidRequest(field, "protocol '" + text + "' is not one of tcp, udp, sctp");
        }
    }

    /** The lower-case name used by Docker and nftables. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
