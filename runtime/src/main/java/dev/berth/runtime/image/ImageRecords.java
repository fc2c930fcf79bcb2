package dev.berth.runtime.image;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Timestamp;
import dev.berth.runtime.containerd.Containerd;
import dev.berth.runtime.containerd.api.images.CreateImageRequest;
import dev.berth.runtime.containerd.api.images.DeleteImageRequest;
import dev.berth.runtime.containerd.api.images.GetImageRequest;
import dev.berth.runtime.containerd.api.images.Image;
import dev.berth.runtime.containerd.api.images.ListImagesRequest;
import dev.berth.runtime.containerd.api.images.UpdateImageRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * containerd's images service as Berth uses it: one record per name (a tag {@code docker.io/library/busybox:latest},
 * a digest reference, or {@link #DANGLING} for an image that lost its last tag) pointing at the image's manifest.
 * containerd's collector keeps what a record reaches (manifest, config, layers, snapshots) through the gc labels.
 */
final class ImageRecords {
    /** The name prefix of an image kept without a tag, {@code berth-dangling@sha256:<id>}. */
    static final String DANGLING = "berth-dangling@";
    /** The digest a registry knows the image by (index or manifest), for RepoDigests. */
    static final String REPO_DIGEST_LABEL = "dev.berth.repo-digest";

    private final Containerd client;

    ImageRecords(Containerd client) {
        this.client = client;
    }

    /** One record: a name, its manifest, labels, and when it was last pointed. */
    record Entry(String name, Descriptor target, Map<String, String> labels, Instant updated) {
        boolean dangling() {
            return name.startsWith(DANGLING);
        }

        Optional<String> repoDigest() {
            return Optional.ofNullable(labels.get(REPO_DIGEST_LABEL));
        }
    }

    List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        for (Image i :
                client.images().list(ListImagesRequest.getDefaultInstance()).getImagesList()) out.add(entry(i));
        return out;
    }

    Optional<Entry> get(String name) {
        try {
            return Optional.of(entry(client.images()
                    .get(GetImageRequest.newBuilder().setName(name).build())
                    .getImage()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return Optional.empty();
            throw e;
        }
    }

    /** Creates the record or points an existing one at {@code target} (replacing its labels). */
    void put(String name, Descriptor target, Map<String, String> labels) {
        Image img = Image.newBuilder()
                .setName(name)
                .setTarget(Protos.descriptor(target.mediaType(), target.digest(), target.size()))
                .putAllLabels(labels)
                .build();
        try {
            client.images().create(CreateImageRequest.newBuilder().setImage(img).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) throw e;
            client.images()
                    .update(UpdateImageRequest.newBuilder()
                            .setImage(img)
                            .setUpdateMask(
                                    FieldMask.newBuilder().addPaths("target").addPaths("labels"))
                            .build());
        }
    }

    /** Deletes the record; {@code collect} runs containerd's collector before answering, so space is back. */
    void delete(String name, boolean collect) {
        try {
            client.images()
                    .delete(DeleteImageRequest.newBuilder()
                            .setName(name)
                            .setSync(collect)
                            .build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) throw e;
        }
    }

    private static Entry entry(Image i) {
        var t = i.getTarget();
        Descriptor target = new Descriptor(t.getMediaType(), t.getDigest(), t.getSize(), null, null, null);
        return new Entry(
                i.getName(),
                target,
                Map.copyOf(i.getLabelsMap()),
                instant(i.hasUpdatedAt() ? i.getUpdatedAt() : i.getCreatedAt()));
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
