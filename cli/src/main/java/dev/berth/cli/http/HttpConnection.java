package dev.berth.cli.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange over a Unix socket ({@code Connection: close}: the CLI makes a handful of
 * requests, so keep-alive buys nothing). Small on purpose: a client library would load hundreds of
 * classes, and {@code berth network ls} must start, ask and print in well under 150 ms.
 * Supports Docker's hijacking: a request with {@code Upgrade: tcp} answered {@code 101} leaves the
 * raw connection to the caller, readable and writable at once from two threads.
 */
public final class HttpConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    private HttpConnection(SocketChannel channel) {
        this.channel = channel;
        this.in = new ChannelInput(channel);
        this.out = new ChannelOutput(channel);
    }

    /** Connects to the daemon, or throws {@link DaemonUnreachable} with a message a user can act on. */
    public static HttpConnection open(DaemonAddress address) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(address.socket()));
            return new HttpConnection(ch);
        } catch (IOException e) {
            closeQuietly(ch);
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean denied = e instanceof AccessDeniedException
                    || why.contains("Permission denied")
                    || (Files.exists(address.socket()) && !Files.isWritable(address.socket()));
            if (denied)
                throw new DaemonUnreachable(
                        "permission denied while trying to connect to the Berth daemon socket at " + address
                                + ": run as root or as a member of the socket's group (berth)",
                        e);
            throw new DaemonUnreachable("Cannot connect to the Berth daemon at " + address + ". Is berthd running?", e);
        }
    }

    /**
     * Sends a request and reads the status line and headers; the body is left to stream.
     *
     * @param upgrade ask to hijack the connection (Docker's attach and exec start)
     */
    public HttpResponse exchange(String method, String target, String contentType, byte[] body, boolean upgrade)
            throws IOException {
        send(method, target, contentType, body, upgrade);
        return receive(method);
    }

    /** Sends a request without waiting for the answer (a wait registered before the container starts). */
    public void send(String method, String target, String contentType, byte[] body, boolean upgrade)
            throws IOException {
        StringBuilder h = new StringBuilder(160);
        h.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: berth\r\nUser-Agent: berth-cli\r\n");
        if (upgrade) h.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        else h.append("Connection: close\r\n");
        if (body != null) {
            h.append("Content-Type: ")
                    .append(contentType)
                    .append("\r\nContent-Length: ")
                    .append(body.length)
                    .append("\r\n");
        }
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.UTF_8);
        if (body == null || body.length == 0) {
            out.write(head);
        } else {
            byte[] all = new byte[head.length + body.length]; // one write: one segment for small requests
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            out.write(all);
        }
    }

    /** Reads the answer to the request sent last: status line and headers; the body streams. */
    public HttpResponse receive(String method) throws IOException {
        String statusLine = readLine();
        if (statusLine == null) throw new IOException("the daemon closed the connection without answering");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1."))
            throw new IOException("the daemon's answer is not HTTP: '" + statusLine + "'");
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("the daemon's answer has a bad status line: '" + statusLine + "'");
        }
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0)
                headers.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
        }
        return new HttpResponse(status, parts.length > 2 ? parts[2] : "", headers, body(method, status, headers));
    }

    private InputStream body(String method, int status, Map<String, String> headers) {
        if (status == 101) return in; // the raw, hijacked stream
        if (method.equals("HEAD") || status == 204 || status == 304 || status < 200)
            return InputStream.nullInputStream();
        String te = headers.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) return new ChunkedInput(in);
        String cl = headers.get("content-length");
        if (cl != null) return new LimitedInput(in, Long.parseLong(cl.trim()));
        return in; // until the daemon closes the connection
    }

    /** The raw output to the daemon (stdin of attach and exec after a 101). */
    public OutputStream output() {
        return out;
    }

    /** Half-closes: the daemon sees end of input while we keep reading. */
    public void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // the connection is already gone: nothing left to tell the daemon
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') break;
            if (b != '\r') line.write(b);
            if (line.size() > 64 * 1024) throw new IOException("header line longer than 64 KiB");
        }
        if (b == -1 && line.size() == 0) return null;
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing: nothing to do about it
        }
    }

    /**
     * A buffered stream over the channel that never holds a lock another thread's write needs (the
     * JDK's Channels.newInputStream may, which would stall stdin while output is awaited).
     */
    private static final class ChannelInput extends InputStream {
        private final SocketChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(16 * 1024).flip();

        ChannelInput(SocketChannel ch) {
            this.ch = ch;
        }

        private boolean fill() throws IOException {
            if (buf.hasRemaining()) return true;
            buf.clear();
            int n;
            try {
                n = ch.read(buf);
            } catch (AsynchronousCloseException e) {
                n = -1;
            }
            buf.flip();
            return n > 0;
        }

        @Override
        public int read() throws IOException {
            return fill() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!fill()) return -1;
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }

    private static final class ChannelOutput extends OutputStream {
        private final SocketChannel ch;

        ChannelOutput(SocketChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) ch.write(bb);
        }
    }

    /** A body of Content-Length bytes. */
    private static final class LimitedInput extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInput(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n == -1)
                throw new IOException(
                        "the daemon closed the connection " + left + " bytes before the end of its answer");
            left -= n;
            return n;
        }
    }

    /** A chunked body (RFC 9112 section 7.1); trailers are read and dropped. */
    private static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) return -1;
            if (left == 0) {
                left = nextChunkSize();
                if (left == 0) {
                    while (true) { // trailers up to an empty line
                        String t = line();
                        if (t == null || t.isEmpty()) break;
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n == -1) throw new IOException("the daemon closed the connection inside a chunk");
            left -= n;
            if (left == 0) line(); // the CRLF after the chunk
            return n;
        }

        private long nextChunkSize() throws IOException {
            String l = line();
            if (l == null) throw new IOException("the daemon closed the connection before the last chunk");
            int semi = l.indexOf(';');
            try {
                return Long.parseLong((semi >= 0 ? l.substring(0, semi) : l).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size line '" + l + "'");
            }
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') if (c != '\r') s.append((char) c);
            return c == -1 && s.isEmpty() ? null : s.toString();
        }
    }
}
