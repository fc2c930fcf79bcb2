package dev.berth.runtime.image;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.api.content.ContentGrpc;
import dev.berth.runtime.containerd.api.content.Info;
import dev.berth.runtime.containerd.api.content.InfoRequest;
import dev.berth.runtime.containerd.api.content.ReadContentRequest;
import dev.berth.runtime.containerd.api.content.ReadContentResponse;
import dev.berth.runtime.containerd.api.content.UpdateRequest;
import dev.berth.runtime.containerd.api.content.WriteAction;
import dev.berth.runtime.containerd.api.content.WriteContentRequest;
import dev.berth.runtime.containerd.api.content.WriteContentResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * containerd's content store as images use it: blobs by digest, written through one streaming Write
 * with the expected digest (containerd checks it), labels for the garbage collector, and a cache of
 * the small immutable JSON blobs (manifests, configs) that listing reads again and again.
 */
final class ContentStore {
    private static final int CHUNK = 1 << 20;
    private static final int CACHE_MAX = 4 << 20;
    private final Containerd client;
    private final Map<String, byte[]> small = new ConcurrentHashMap<>();

    ContentStore(Containerd client) {
        this.client = client;
    }

    Optional<Info> info(String digest) {
        try {
            return Optional.of(client.content()
                    .info(InfoRequest.newBuilder().setDigest(digest).build())
                    .getInfo());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    boolean exists(String digest) {
        return info(digest).isPresent();
    }

    /** A whole small blob (manifest, config, index); cached, since content never changes. */
    byte[] readAll(String digest) throws IOException {
        byte[] cached = small.get(digest);
        if (cached != null) return cached;
        byte[] b;
        try (InputStream in = open(digest)) {
            b = in.readAllBytes();
        }
        if (!Digest.of(b).toString().equals(digest))
            throw new IOException("content " + digest + " does not match its digest");
        if (b.length < CACHE_MAX / 16 && small.size() < 4096) small.put(digest, b);
        return b;
    }

    /** The first {@code n} bytes of a blob (fewer if it is shorter). */
    byte[] head(String digest, int n) {
        var out = new ByteArrayOutputStream();
        client.content()
                .read(ReadContentRequest.newBuilder()
                        .setDigest(digest)
                        .setSize(n)
                        .build())
                .forEachRemaining(r -> out.writeBytes(r.getData().toByteArray()));
        return out.toByteArray();
    }

    /** Streams a blob out of the store. */
    InputStream open(String digest) {
        Iterator<ReadContentResponse> it = ContentGrpc.newBlockingStub(client.channelFor(client.namespace()))
                .read(ReadContentRequest.newBuilder().setDigest(digest).build());
        return new InputStream() {
            private ByteString chunk = ByteString.EMPTY;
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos >= chunk.size()) {
                    try {
                        if (!it.hasNext()) return -1;
                        chunk = it.next().getData();
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() == Status.Code.NOT_FOUND)
                            throw new IOException("content " + digest + ": not found", e);
                        throw new IOException("reading content " + digest + ": " + e.getStatus(), e);
                    }
                    pos = 0;
                }
                int n = Math.min(len, chunk.size() - pos);
                chunk.copyTo(b, pos, off, n);
                pos += n;
                return n;
            }
        };
    }

    /**
     * Writes a blob under {@code lease} (null: none) unless it is there already; labels are merged into
     * an existing blob's. containerd verifies {@code expected} and {@code size} at commit.
     */
    void write(ContainerdLease lease, String expected, long size, InputStream data, Map<String, String> labels)
            throws IOException {
        Optional<Info> have = info(expected);
        if (have.isPresent()) {
            if (lease != null) lease.addContent(expected);
            addLabels(expected, have.get(), labels);
            return;
        }
        Channel ch = lease == null ? client.channelFor(client.namespace()) : lease.channel();
        try {
            stream(ContentGrpc.newStub(ch), "berth-" + expected, expected, size, data, labels);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e;
            if (lease != null) lease.addContent(expected);
            info(expected).ifPresent(i -> addLabels(expected, i, labels));
        }
    }

    /** An archive entry written to the store: its digest, size and first bytes (to tell gzip from tar). */
    record Ingested(Digest digest, long size, byte[] head) {}

    /** Writes a blob whose digest is not known before it is read (an entry of a {@code docker save} tar). */
    Ingested ingest(ContainerdLease lease, String ref, InputStream data, long size) throws IOException {
        byte[] head = data.readNBytes(4);
        var counted = new Digest.CountingInput(new SequenceInputStream(new ByteArrayInputStream(head), data));
        try {
            stream(ContentGrpc.newStub(lease.channel()), ref, null, size, counted, Map.of());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e;
            counted.transferTo(OutputStream.nullOutputStream());
            lease.addContent(counted.digest().toString());
        }
        if (counted.size() != size) throw new IOException(ref + ": read " + counted.size() + " bytes of " + size);
        return new Ingested(counted.digest(), size, head);
    }

    void write(ContainerdLease lease, byte[] blob, Map<String, String> labels) throws IOException {
        write(lease, Digest.of(blob).toString(), blob.length, new ByteArrayInputStream(blob), labels);
    }

    void addLabels(String digest, Map<String, String> labels) {
        info(digest).ifPresent(i -> addLabels(digest, i, labels));
    }

    private void addLabels(String digest, Info have, Map<String, String> labels) {
        FieldMask.Builder mask = FieldMask.newBuilder();
        for (Map.Entry<String, String> l : labels.entrySet())
            if (!l.getValue().equals(have.getLabelsMap().get(l.getKey()))) mask.addPaths("labels." + l.getKey());
        if (mask.getPathsCount() == 0) return;
        client.content()
                .update(UpdateRequest.newBuilder()
                        .setInfo(Info.newBuilder().setDigest(digest).putAllLabels(labels))
                        .setUpdateMask(mask)
                        .build());
    }

    /** One Write stream: STAT, WRITEs from offset 0, COMMIT with the expected digest and the labels. */
    private static void stream(
            ContentGrpc.ContentStub stub,
            String ref,
            String expected,
            long size,
            InputStream data,
            Map<String, String> labels)
            throws IOException {
        var answers = new LinkedBlockingQueue<Object>();
        StreamObserver<WriteContentRequest> out = stub.write(new StreamObserver<>() {
            @Override
            public void onNext(WriteContentResponse r) {
                answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
                answers.add(t);
            }

            @Override
            public void onCompleted() {
                answers.add(Boolean.TRUE);
            }
        });
        try {
            var stat = WriteContentRequest.newBuilder()
                    .setAction(WriteAction.STAT)
                    .setRef(ref)
                    .setTotal(size);
            if (expected != null) stat.setExpected(expected);
            out.onNext(stat.build());
            take(answers);
            long offset = 0; // writing at 0 truncates what an interrupted earlier ingest of this ref left
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = data.readNBytes(buf, 0, buf.length)) > 0) {
                out.onNext(WriteContentRequest.newBuilder()
                        .setAction(WriteAction.WRITE)
                        .setRef(ref)
                        .setOffset(offset)
                        .setData(ByteString.copyFrom(buf, 0, n))
                        .build());
                offset += n;
                take(answers);
            }
            var commit = WriteContentRequest.newBuilder()
                    .setAction(WriteAction.COMMIT)
                    .setRef(ref)
                    .setOffset(offset)
                    .setTotal(size)
                    .putAllLabels(labels);
            if (expected != null) commit.setExpected(expected);
            out.onNext(commit.build());
            take(answers);
            out.onCompleted();
        } catch (IOException | RuntimeException e) {
            out.onError(Status.CANCELLED
                    .withDescription(String.valueOf(e.getMessage()))
                    .asRuntimeException());
            throw e;
        }
    }

    private static WriteContentResponse take(LinkedBlockingQueue<Object> answers) throws IOException {
        Object o;
        try {
            o = answers.poll(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing content", e);
        }
        return switch (o) {
            case WriteContentResponse r -> r;
            case StatusRuntimeException e -> throw e;
            case Throwable t -> throw new IOException("content write failed: " + t.getMessage(), t);
            case null -> throw new IOException("content write: containerd did not answer within 5 minutes");
            default -> throw new IOException("content write: the stream ended before the commit was answered");
        };
    }
}
