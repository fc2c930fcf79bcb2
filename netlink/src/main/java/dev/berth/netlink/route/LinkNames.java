package dev.berth.netlink.route;

import java.nio.charset.StandardCharsets;

/** The kernel's rules for interface names, checked before a request is sent so errors say what is wrong. */
public final class LinkNames {
    /** IFNAMSIZ less the terminating NUL. */
    public static final int MAX_BYTES = 15;

    private LinkNames() {}

    public static String check(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("interface name must not be empty");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES)
            throw new IllegalArgumentException(
                    "interface name '" + name + "' is " + bytes + " bytes; the kernel allows at most " + MAX_BYTES);
        if (name.equals(".") || name.equals(".."))
            throw new IllegalArgumentException("interface name '" + name + "' is reserved");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c))
                throw new IllegalArgumentException(
                        "interface name '" + name + "' contains '" + c + "'; '/', ':' and white space are not allowed");
        }
        return name;
    }
}
