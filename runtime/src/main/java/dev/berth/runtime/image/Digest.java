package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code sha256:<64 hex>}; the only algorithm Berth writes and checks. */
public record Digest(String hex) {
    private static final Pattern SHA256 = Pattern.compile("^sha256:[a-f0-9]{64}$");

    public static Digest parse(String s) {
        if (s == null || !SHA256.matcher(s).matches())
            throw new BerthException.InvalidRequest("digest", "not a sha256 digest: " + s);
        return new Digest(s.substring(7));
    }

    public static boolean valid(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    public static Digest of(byte[] bytes) {
        return new Digest(HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 12-hex short form Docker prints as IMAGE ID. */
    public String shortId() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }

    /** Counts and digests what passes through. */
    public static final class Counting extends FilterOutputStream {
        private final MessageDigest md = sha256();
        private long size;

        public Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            md.update((byte) b);
            size++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            md.update(b, off, len);
            size += len;
        }

        public long size() {
            return size;
        }

        public Digest digest() {
            return new Digest(HexFormat.of().formatHex(md.digest()));
        }
    }

    /** Counts and digests what is read through it. */
    public static final class CountingInput extends FilterInputStream {
        private final MessageDigest md = sha256();
        private long size;

        public CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                md.update((byte) b);
                size++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                md.update(b, off, n);
                size += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) break;
                done += r;
            }
            return done;
        }

        public long size() {
            return size;
        }

        public Digest digest() {
            return new Digest(HexFormat.of().formatHex(md.digest()));
        }
    }
}
