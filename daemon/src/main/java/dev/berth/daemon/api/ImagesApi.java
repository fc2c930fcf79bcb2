package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.daemon.events.Events;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.RawConnection;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import dev.berth.runtime.image.DeleteItem;
import dev.berth.runtime.image.ImageReference;
import dev.berth.runtime.image.ImageStore;
import dev.berth.runtime.image.ImageSummary;
import dev.berth.runtime.image.ImageUsers;
import dev.berth.runtime.image.ProgressEvent;
import dev.berth.runtime.image.RegistryAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** {@code /images}: list, inspect, history, pull, push, load, save, tag, remove and prune, in Docker's shapes. */
public final class ImagesApi {
    private static final Set<String> LIST_FILTERS = Set.of("dangling", "label", "reference", "before", "since");
    private static final Set<String> PRUNE_FILTERS = Set.of("dangling", "label", "label!", "until");

    private final Supplier<ImageStore> store;
    private final ImageUsers users;
    private Events events = new Events();

    /** {@code POST /images/prune}'s answer. */
    record Pruned(
            @JsonProperty("ImagesDeleted") List<DeleteItem> imagesDeleted,
            @JsonProperty("SpaceReclaimed") long spaceReclaimed) {}

    /** {@code store} is asked at each call: berthd starts its containerd when images are first used. */
    public ImagesApi(Supplier<ImageStore> store, ImageUsers users) {
        this.store = store;
        this.users = users;
    }

    /** Where image events (pull, tag, untag, delete, load, save) go. */
    public ImagesApi withEvents(Events e) {
        this.events = e;
        return this;
    }

    public void register(Router r) {
        r.get("/images/json", this::list);
        r.streamBody("POST", "/images/create", this::create);
        r.streamBody("POST", "/images/load", this::load);
        r.get("/images/get", this::saveMany);
        r.post("/images/prune", this::prune);
        r.get("/images/{name*}/json", q -> ApiResponse.json(store.get().inspect(q.param("name"))));
        r.get("/images/{name*}/history", q -> ApiResponse.json(store.get().history(q.param("name"))));
        r.get("/images/{name*}/get", q -> save(List.of(q.param("name"))));
        r.post("/images/{name*}/tag", this::tag);
        r.post("/images/{name*}/push", this::push);
        r.delete("/images/{name*}", this::remove);
    }

    private ApiResponse list(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), LIST_FILTERS);
        List<ImageSummary> all = store.get().list();
        Long before = createdOf(f, "before");
        Long since = createdOf(f, "since");
        List<ImageSummary> out = new ArrayList<>();
        for (ImageSummary s : all) {
            if (!f.any("dangling", v -> Filters.truthy(v) == s.repoTags().isEmpty())) continue;
            if (!f.labels(s.labels()) || !f.any("reference", v -> references(s, v))) continue;
            if (before != null && s.created() >= before || since != null && s.created() <= since) continue;
            out.add(s);
        }
        out.sort((a, b) -> Long.compare(b.created(), a.created()));
        return ApiResponse.json(out);
    }

    /** {@code before}/{@code since}: the creation time of the image the filter names. */
    private Long createdOf(Filters f, String name) {
        if (!f.has(name)) return null;
        String ref = f.get(name).getFirst();
        return store.get().list().stream()
                .filter(s -> s.id().equals(store.get().resolve(ref).id()))
                .findFirst()
                .map(ImageSummary::created)
                .orElseThrow();
    }

    /** Docker's reference filter: a glob over the familiar name, or name:tag. */
    static boolean references(ImageSummary s, String pattern) {
        Pattern p = glob(pattern);
        for (String tag : s.repoTags()) {
            String name = tag.substring(0, tag.lastIndexOf(':'));
            if (p.matcher(name).matches() || p.matcher(tag).matches()) return true;
        }
        return false;
    }

    private static Pattern glob(String g) {
        StringBuilder b = new StringBuilder();
        for (char c : g.toCharArray()) {
            switch (c) {
                case '*' -> b.append("[^/]*");
                case '?' -> b.append("[^/]");
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString());
    }

    /** {@code docker pull} ({@code fromImage} and {@code tag}) or {@code docker import} ({@code fromSrc=-}). */
    private ApiResponse create(ApiRequest q) throws Exception {
        if (q.query("fromSrc") != null) return importRootfs(q);
        String from = q.query("fromImage");
        if (from == null || from.isBlank())
            throw new BerthException.InvalidRequest("fromImage", "name the image to pull");
        String platform = q.query("platform");
        if (platform != null && !platform.isBlank() && !platform.equals("linux/amd64") && !platform.equals("linux"))
            throw new BerthException.InvalidRequest(
                    "platform", "'" + platform + "': Berth runs linux/amd64 images only");
        RegistryAuth auth = RegistryAuth.decode(q.header("X-Registry-Auth"));
        String tag = q.query("tag");
        String ref = tag == null || tag.isEmpty()
                ? (from.contains(":") && from.lastIndexOf(':') > from.lastIndexOf('/') || from.contains("@")
                        ? from
                        : from + ":latest")
                : from + ":" + tag;
        return ProgressResponse.run("pull", p -> {
            store.get().pull(from, tag, auth, p);
            events.publish("image", "pull", ref, Map.of("name", ref));
        });
    }

    /**
     * {@code docker import}: the body is a root file system tar; {@code repo} (with {@code tag}) names the image,
     * {@code changes} and {@code message} as Docker takes them. The answer is Docker's: one status with the id.
     */
    private ApiResponse importRootfs(ApiRequest q) throws Exception {
        if (!q.query("fromSrc").equals("-"))
            throw new BerthException.InvalidRequest(
                    "fromSrc",
                    "'" + q.query("fromSrc")
                            + "': Berth imports from the request body (fromSrc=-) only, not from a URL");
        String platform = q.query("platform");
        if (platform != null && !platform.isBlank() && !platform.equals("linux/amd64") && !platform.equals("linux"))
            throw new BerthException.InvalidRequest(
                    "platform", "'" + platform + "': Berth runs linux/amd64 images only");
        String repo = q.query("repo");
        String tag = q.query("tag");
        ImageReference name = null;
        if (repo != null && !repo.isEmpty()) {
            name = ImageReference.parse(repo);
            if (tag != null && !tag.isEmpty()) {
                if (!ImageReference.validTag(tag))
                    throw new BerthException.InvalidRequest("tag", "invalid tag format: " + tag);
                name = name.withTag(tag);
            }
        }
        String message = q.query("message");
        String comment = message == null || message.isEmpty() ? "Imported from -" : message;
        List<String> changes = q.query().getOrDefault("changes", List.of());
        ImageReference target = name;
        InputStream tar = q.bodyStream();
        return ProgressResponse.run("import", p -> {
            String id = store.get().importRootfs(tar, target, changes, comment);
            events.publish("image", "import", id, Map.of("name", id));
            if (target != null) events.publish("image", "tag", id, Map.of("name", target.familiar()));
            p.event(ProgressEvent.status(id));
        });
    }

    private ApiResponse push(ApiRequest q) throws Exception {
        RegistryAuth auth = RegistryAuth.decode(q.header("X-Registry-Auth"));
        String name = q.param("name");
        String tag = q.query("tag");
        return ProgressResponse.run("push", p -> store.get().push(name, tag, auth, p));
    }

    private ApiResponse load(ApiRequest q) throws Exception {
        boolean quiet = q.flag("quiet", false);
        InputStream tar = q.bodyStream();
        return ProgressResponse.run("load", p -> {
            List<String> loaded = store.get().load(tar, quiet, p);
            for (String l : loaded) {
                String ref = l.substring(l.indexOf(": ") + 2);
                events.publish("image", "load", ref, Map.of("name", ref));
            }
        });
    }

    private ApiResponse saveMany(ApiRequest q) {
        List<String> names = q.query().getOrDefault("names", List.of());
        if (names.isEmpty()) throw new BerthException.InvalidRequest("names", "name at least one image to save");
        return save(names);
    }

    private ApiResponse save(List<String> names) {
        ImageStore.Archive archive = store.get().save(names);
        for (String n : names) events.publish("image", "save", n, Map.of("name", n));
        return new ApiResponse.Stream(200, "application/x-tar", out -> archive.writeTo(stream(out)));
    }

    private ApiResponse tag(ApiRequest q) {
        String repo = q.query("repo");
        if (repo == null || repo.isBlank())
            throw new BerthException.InvalidRequest("repo", "name the repository to tag into");
        String tag = q.query("tag");
        String target = tag == null || tag.isEmpty() ? repo : repo + ":" + tag;
        store.get().tag(q.param("name"), target);
        events.publish("image", "tag", store.get().resolve(target).id(), Map.of("name", target));
        return new ApiResponse.Empty(201);
    }

    private ApiResponse remove(ApiRequest q) {
        List<DeleteItem> items = store.get().remove(q.param("name"), q.flag("force", false), users);
        for (DeleteItem i : items) {
            if (i.untagged() != null) events.publish("image", "untag", i.untagged(), Map.of("name", i.untagged()));
            if (i.deleted() != null) events.publish("image", "delete", i.deleted(), Map.of("name", i.deleted()));
        }
        return ApiResponse.json(items);
    }

    private ApiResponse prune(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), PRUNE_FILTERS);
        boolean all = f.has("dangling") && !f.any("dangling", Filters::truthy);
        Predicate<ImageSummary> labels =
                s -> f.labels(s.labels()) && f.notLabels(s.labels()) && f.until(Instant.ofEpochSecond(s.created()));
        ImageStore.PruneReport r = store.get().prune(all, labels, users);
        return ApiResponse.json(new Pruned(r.deleted(), r.spaceReclaimed()));
    }

    static OutputStream stream(RawConnection.Output out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }
        };
    }
}
