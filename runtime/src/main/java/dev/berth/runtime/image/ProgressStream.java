package dev.berth.runtime.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reports a layer's bytes as they pass ({@code Downloading}, {@code Pushing}), every half MiB and at the end. */
final class ProgressStream extends FilterInputStream {
    private static final long STEP = 512 * 1024;
    private final String id;
    private final String status;
    private final long total;
    private final ProgressListener progress;
    private long done;
    private long reported = -1;

    ProgressStream(InputStream in, String id, String status, long total, ProgressListener progress) {
        super(in);
        this.id = id;
        this.status = status;
        this.total = total;
        this.progress = progress;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            done += n;
            if (reported < 0 || done - reported >= STEP || done == total) {
                reported = done;
                progress.event(ProgressEvent.bytes(id, status, done, total));
            }
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
}
