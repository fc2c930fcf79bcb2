package dev.berth.netlink;

import dev.berth.lab.ExecResult;
import dev.berth.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs {@code ip} under strace inside a lab host and recovers the netlink messages it sent, byte for
 * byte, from strace's hex dump of each {@code sendmsg}. Also compares messages and explains differences.
 */
final class StraceCapture {
    static final int RTM_NEWLINK = 16;
    static final int IFLA_NET_NS_FD = 28;

    /**
     * strace dumps only the fds listed in {@code -e write=}; {@code all} is not accepted by every
     * version, so list every fd ip could plausibly use (its netlink socket is usually 3, but opening a
     * netns fd or a second socket for name lookups shifts it).
     */
    private static final String WRITE_FDS =
            IntStream.range(0, 1024).mapToObj(Integer::toString).collect(Collectors.joining(","));

    /** One traced sendmsg: its fd, strace's decoded text and the bytes of all its buffers. */
    record Sent(int fd, String decoded, byte[] data) {}

    /** What ip did: its exit and output, and every sendmsg it made. */
    record Capture(ExecResult ip, List<Sent> sent, String straceLog) {
        /** The single RTM_NEWLINK request, seq and port id zeroed so it compares with Berth's. */
        byte[] newLink() {
            List<Sent> nl = sent.stream()
                    .filter(s ->
                            s.decoded.contains("RTM_NEWLINK") && s.data.length >= 16 && type(s.data) == RTM_NEWLINK)
                    .toList();
            if (nl.size() != 1)
                throw new AssertionError("expected exactly one RTM_NEWLINK sendmsg from "
                        + String.join(" ", ip.command()) + ", found " + nl.size() + "; ip exited " + ip.exitCode()
                        + " (" + ip.stderr().strip() + ")\nstrace log:\n" + straceLog);
            byte[] b = nl.getFirst().data.clone();
            Arrays.fill(b, 8, 16, (byte) 0);
            return b;
        }
    }

    private StraceCapture() {}

    /** Runs {@code ip ARGS...} in {@code host} under strace; whether ip succeeds is up to the caller. */
    static Capture ip(LabHost host, String... ipArgs) {
        Path log;
        try {
            log = Files.createTempFile("berth-strace-", ".txt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(
                    "strace",
                    "-f",
                    "-o",
                    log.toString(),
                    "-e",
                    "trace=sendmsg",
                    "-e",
                    "write=" + WRITE_FDS,
                    "-xx",
                    "ip"));
            cmd.addAll(List.of(ipArgs));
            ExecResult r = host.exec(cmd.toArray(String[]::new));
            String text = Files.readString(log);
            if (text.isBlank())
                throw new AssertionError("strace wrote nothing (is strace installed? `apt-get install -y strace`): "
                        + r.stderr().strip());
            ExecResult ipResult = new ExecResult(List.of(ipArgs), r.exitCode(), r.stdout(), r.stderr());
            return new Capture(ipResult, parse(text.lines().toList()), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    // Optional "PID  " or "[pid PID] " prefix, then the call and its fd.
    private static final Pattern CALL = Pattern.compile("^(?:\\d+\\s+|\\[pid\\s+\\d+\\]\\s+)?(\\w+)\\((\\d+)?");
    private static final Pattern RESUMED =
            Pattern.compile("^(?:\\d+\\s+|\\[pid\\s+\\d+\\]\\s+)?<\\.\\.\\. (\\w+) resumed>");
    // " | 00010  00 00 ... 00  ascii |": offset, then up to 16 bytes in two groups of 8.
    private static final Pattern HEX = Pattern.compile("^(?:\\d+\\s+|\\[pid\\s+\\d+\\]\\s+)? \\| ([0-9a-f]{5})  (.*)$");
    private static final Pattern BUFFER =
            Pattern.compile("^(?:\\d+\\s+|\\[pid\\s+\\d+\\]\\s+)? \\* (\\d+) bytes in buffer (\\d+)");

    /** Parses strace output: each sendmsg line, then the hex dump strace prints after it. */
    static List<Sent> parse(List<String> lines) {
        List<Sent> out = new ArrayList<>();
        Integer fd = null;
        StringBuilder decoded = null;
        ByteBuffer data = null;
        int bufferStart = 0;
        for (String line : lines) {
            Matcher hex = HEX.matcher(line);
            Matcher buf = BUFFER.matcher(line);
            if (hex.matches()) {
                if (data == null) continue; // a dump of a call we do not trace
                int offset = Integer.parseInt(hex.group(1), 16);
                if (offset != data.position() - bufferStart)
                    throw new IllegalStateException("strace hex dump skips from " + (data.position() - bufferStart)
                            + " to " + offset + ": " + line);
                // The hex area is 16 columns of "xx " with one extra space in the middle; the ASCII follows after it.
                String area = hex.group(2);
                area = area.substring(0, Math.min(area.length(), 16 * 3 + 1));
                for (String tok : area.trim().split("\\s+")) {
                    if (tok.isEmpty()) continue;
                    if (tok.length() != 2
                            || !HexFormat.isHexDigit(tok.charAt(0))
                            || !HexFormat.isHexDigit(tok.charAt(1)))
                        throw new IllegalStateException(
                                "unexpected token '" + tok + "' in strace hex dump line: " + line);
                    data.put((byte) Integer.parseInt(tok, 16));
                }
            } else if (buf.find()) {
                if (data == null) continue;
                bufferStart = data.position(); // each iovec buffer restarts at offset 0
            } else {
                if (fd != null) out.add(new Sent(fd, decoded.toString(), Arrays.copyOf(data.array(), data.position())));
                fd = null;
                decoded = null;
                data = null;
                Matcher call = CALL.matcher(line);
                Matcher resumed = RESUMED.matcher(line);
                if (call.find() && call.group(1).equals("sendmsg") && call.group(2) != null) {
                    fd = Integer.parseInt(call.group(2));
                    decoded = new StringBuilder(line);
                    data = ByteBuffer.allocate(1 << 16);
                    bufferStart = 0;
                } else if (resumed.find() && resumed.group(1).equals("sendmsg") && !out.isEmpty()) {
                    // ip is single-threaded, so this does not happen in practice; keep the text anyway.
                    Sent last = out.removeLast();
                    fd = last.fd;
                    decoded = new StringBuilder(last.decoded).append(line);
                    data = ByteBuffer.allocate(1 << 16).put(last.data);
                }
            }
        }
        if (fd != null) out.add(new Sent(fd, decoded.toString(), Arrays.copyOf(data.array(), data.position())));
        return out;
    }

    // ---- comparing ----

    static int type(byte[] msg) {
        return ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).getShort(4) & 0xffff;
    }

    /** Berth's request as the socket sends it: NLM_F_REQUEST|NLM_F_ACK added, seq and port id 0. */
    static byte[] asSent(MessageWriter w) {
        byte[] b = w.toBytes(0, 0);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        bb.putShort(6, (short) (bb.getShort(6) | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK));
        return b;
    }

    /** Zeroes the value of every IFLA_NET_NS_FD (top level and in a veth peer): it is a process-local fd number. */
    static byte[] maskNetnsFds(byte[] msg) {
        byte[] b = msg.clone();
        walk(b, (depth, path, off, type, len) -> {
            if (type == IFLA_NET_NS_FD && (path.isEmpty() || path.equals("18/2/1")) && len == 8)
                Arrays.fill(b, off + 4, off + 8, (byte) 0);
        });
        return b;
    }

    /** Fails with a side-by-side hex dump and both messages decoded when the bytes differ. */
    static void assertSameBytes(byte[] iproute2, byte[] berth, String what) {
        if (Arrays.equals(iproute2, berth)) return;
        throw new AssertionError("Berth's RTM_NEWLINK for `" + what
                + "` differs from iproute2's (first difference at byte "
                + Arrays.mismatch(iproute2, berth) + ", lengths " + iproute2.length + " vs " + berth.length + ")\n"
                + hexDiff(iproute2, berth) + "\niproute2:\n" + describe(iproute2) + "\nBerth:\n" + describe(berth));
    }

    static String hexDiff(byte[] a, byte[] b) {
        StringBuilder s = new StringBuilder(String.format("%-6s %-49s %-49s%n", "offset", "iproute2", "Berth"));
        int n = Math.max(a.length, b.length);
        for (int row = 0; row < n; row += 16) {
            StringBuilder left = new StringBuilder(), right = new StringBuilder(), marks = new StringBuilder();
            boolean differs = false;
            for (int i = row; i < row + 16; i++) {
                String x = i < a.length ? String.format("%02x", a[i]) : "  ";
                String y = i < b.length ? String.format("%02x", b[i]) : "  ";
                left.append(x).append(' ');
                right.append(y).append(' ');
                boolean d = i < n && !x.equals(y);
                differs |= d;
                marks.append(d ? "^^ " : "   ");
            }
            s.append(String.format("%04x   %-49s %-49s%s%n", row, left, right, differs ? " <<" : ""));
            if (differs) s.append(String.format("%-6s %-49s %-49s%n", "", marks, marks));
        }
        return s.toString();
    }

    interface AttrVisitor {
        /** {@code path} names the enclosing attributes, e.g. "18/2" for IFLA_LINKINFO / IFLA_INFO_DATA. */
        void visit(int depth, String path, int offset, int type, int len);
    }

    /** Walks an RTM_NEWLINK's attributes, descending into IFLA_LINKINFO, IFLA_INFO_DATA and a veth's peer. */
    static void walk(byte[] msg, AttrVisitor v) {
        int end = Math.min(
                msg.length,
                msg.length < 4
                        ? 0
                        : ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder()).getInt(0));
        boolean[] veth = {false};
        walk(msg, 32, end, 0, "", false, (d, p, off, type, len) -> {
            if (p.equals("18") && type == 1)
                veth[0] = new String(msg, off + 4, len - 4).replace("\0", "").equals("veth");
        });
        walk(msg, 32, end, 0, "", veth[0], v);
    }

    private static void walk(byte[] msg, int from, int to, int depth, String path, boolean vethPeer, AttrVisitor v) {
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
        int off = from;
        while (off + 4 <= to) {
            int len = b.getShort(off) & 0xffff;
            int type = b.getShort(off + 2) & 0x3fff;
            if (len < 4 || off + len > to) return;
            v.visit(depth, path, off, type, len);
            String inner = path.isEmpty() ? Integer.toString(type) : path + "/" + type;
            if (isNested(inner, vethPeer))
                walk(msg, off + 4 + (inner.equals("18/2/1") ? 16 : 0), off + len, depth + 1, inner, vethPeer, v);
            off += (len + 3) & ~3;
        }
    }

    /** LINKINFO and INFO_DATA nest; in a veth's DATA, VETH_INFO_PEER holds an ifinfomsg and link attributes. */
    private static boolean isNested(String path, boolean vethPeer) {
        return path.equals("18") || path.equals("18/2") || vethPeer && path.equals("18/2/1");
    }

    /** A readable decoding of an RTM_NEWLINK: header, ifinfomsg, and the attribute tree with raw values. */
    static String describe(byte[] msg) {
        if (msg.length < 32)
            return "  (" + msg.length + " bytes, too short for RTM_NEWLINK) "
                    + HexFormat.of().formatHex(msg) + "\n";
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
        StringBuilder s = new StringBuilder(String.format(
                "  nlmsghdr len=%d type=%d flags=0x%x seq=%d pid=%d%n  ifinfomsg family=%d type=%d index=%d flags=0x%x change=0x%x%n",
                b.getInt(0),
                b.getShort(4) & 0xffff,
                b.getShort(6) & 0xffff,
                b.getInt(8),
                b.getInt(12),
                msg[16] & 0xff,
                b.getShort(18) & 0xffff,
                b.getInt(20),
                b.getInt(24),
                b.getInt(28)));
        boolean veth = describeKind(msg).equals("veth");
        walk(msg, (depth, path, off, type, len) -> {
            int rawType = b.getShort(off + 2) & 0xffff;
            String flags = (rawType & 0x8000) != 0 ? " NESTED" : "";
            String value = HexFormat.ofDelimiter(" ").formatHex(msg, off + 4, off + len);
            boolean nested = isNested(path.isEmpty() ? Integer.toString(type) : path + "/" + type, veth);
            s.append("  ".repeat(depth + 1))
                    .append(String.format("@%04x %s type=%d len=%d%s", off, name(path, type, veth), type, len, flags));
            s.append(nested ? "\n" : ": " + value + printable(msg, off + 4, off + len) + "\n");
        });
        return s.toString();
    }

    private static String describeKind(byte[] msg) {
        String[] kind = {""};
        walk(msg, (d, p, off, type, len) -> {
            if (p.equals("18") && type == 1) kind[0] = new String(msg, off + 4, len - 4).replace("\0", "");
        });
        return kind[0];
    }

    private static String name(String path, int type, boolean veth) {
        if (veth && path.equals("18/2") && type == 1) return "VETH_INFO_PEER";
        return switch (path) {
            case "", "18/2/1" ->
                switch (type) {
                    case 1 -> "IFLA_ADDRESS";
                    case 3 -> "IFLA_IFNAME";
                    case 4 -> "IFLA_MTU";
                    case 5 -> "IFLA_LINK";
                    case 10 -> "IFLA_MASTER";
                    case 18 -> "IFLA_LINKINFO";
                    case 28 -> "IFLA_NET_NS_FD";
                    default -> "IFLA_?";
                };
            case "18" ->
                switch (type) {
                    case 1 -> "IFLA_INFO_KIND";
                    case 2 -> "IFLA_INFO_DATA";
                    default -> "IFLA_INFO_?";
                };
            default -> "DATA";
        };
    }

    private static String printable(byte[] msg, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            int c = msg[i] & 0xff;
            if (c == 0 && i == to - 1) continue;
            if (c < 0x20 || c > 0x7e) return "";
            s.append((char) c);
        }
        return s.length() < 2 ? "" : "  \"" + s + "\"" + (msg[to - 1] == 0 ? " (NUL-terminated)" : " (no NUL)");
    }
}
