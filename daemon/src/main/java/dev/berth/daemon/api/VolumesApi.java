package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.containers.VolumeRecord;
import dev.berth.daemon.containers.Volumes;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersions;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code /volumes}: the local driver's volumes in Docker's shapes (Engine API v1.50) and words. */
public final class VolumesApi {
    private static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "label", "name");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "all");
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Containers containers;

    public VolumesApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.post("/volumes/create", this::create);
        r.get("/volumes", this::list);
        r.post("/volumes/prune", this::prune);
        r.get("/volumes/{name}", q -> ApiResponse.json(view(volumes().get(q.param("name")))));
        r.delete("/volumes/{name}", q -> {
            containers.removeVolume(q.param("name"), q.flag("force", false));
            return ApiResponse.noContent();
        });
    }

    /** Docker's VolumeCreateOptions; a cluster volume is a swarm's, which berthd is not. */
    record CreateRequest(
            @JsonProperty("Name") String name,
            @JsonProperty("Driver") String driver,
            @JsonProperty("DriverOpts") Map<String, String> driverOpts,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("ClusterVolumeSpec") Object clusterVolumeSpec) {}

    /** Docker's Volume. */
    public record View(
            @JsonProperty("CreatedAt") String createdAt,
            @JsonProperty("Driver") String driver,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("Mountpoint") String mountpoint,
            @JsonProperty("Name") String name,
            @JsonProperty("Options") Map<String, String> options,
            @JsonProperty("Scope") String scope) {}

    record ListResponse(
            @JsonProperty("Volumes") List<View> volumes,
            @JsonProperty("Warnings") List<String> warnings) {}

    record PruneResponse(
            @JsonProperty("VolumesDeleted") List<String> deleted,
            @JsonProperty("SpaceReclaimed") long reclaimed) {}

    private ApiResponse create(ApiRequest q) {
        CreateRequest c = q.body(CreateRequest.class);
        if (c.clusterVolumeSpec() != null)
            throw new BerthException.InvalidRequest(
                    "ClusterVolumeSpec", "cluster volumes need a swarm manager; berthd is not one");
        return ApiResponse.created(view(volumes().create(c.name(), c.driver(), c.driverOpts(), c.labels())));
    }

    private ApiResponse list(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), LIST_FILTERS);
        for (String v : f.get("dangling"))
            if (!Set.of("true", "false", "1", "0").contains(v.toLowerCase()))
                throw new BerthException.InvalidRequest("filters", "invalid filter 'dangling=" + v + "'");
        List<Pattern> names = new ArrayList<>();
        for (String v : f.get("name")) names.add(pattern(v));
        List<View> out = new ArrayList<>();
        for (VolumeRecord v : volumes().list()) {
            if (!f.any(
                    "dangling",
                    d -> Filters.truthy(d) == containers.volumeUsers(v.name()).isEmpty())) continue;
            if (!f.any("driver", d -> d.equals(v.driver())) || !f.labels(v.labelsOrEmpty())) continue;
            if (!names.isEmpty()
                    && names.stream().noneMatch(p -> p.matcher(v.name()).find())) continue;
            out.add(view(v));
        }
        return ApiResponse.json(new ListResponse(out, List.of()));
    }

    /**
     * Unused volumes that the filters select; from API 1.42 on only anonymous ones unless {@code all}
     * (Docker's rule: before 1.42 a prune removed named volumes too).
     */
    private ApiResponse prune(ApiRequest q) {
        Filters f = Filters.parse(q.query("filters"), PRUNE_FILTERS);
        boolean all = ApiVersions.compare(q.apiVersion(), "1.42") < 0;
        for (String v : f.get("all")) {
            if (!Set.of("true", "false", "1", "0").contains(v.toLowerCase()))
                throw new BerthException.InvalidRequest("filters", "invalid filter 'all=" + v + "'");
            all |= Filters.truthy(v);
        }
        boolean everything = all;
        Containers.VolumePrune p = containers.pruneVolumes(
                v -> (everything || v.anonymous()) && f.labels(v.labelsOrEmpty()) && f.notLabels(v.labelsOrEmpty()));
        return ApiResponse.json(new PruneResponse(p.deleted(), p.reclaimed()));
    }

    /** Docker's name filter is a regular expression matched anywhere in the name. */
    private static Pattern pattern(String v) {
        try {
            return Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw new BerthException.InvalidRequest(
                    "filters", "name=" + v + " is not a valid regular expression: " + e.getDescription());
        }
    }

    private Volumes volumes() {
        return containers.volumes();
    }

    View view(VolumeRecord v) {
        return new View(
                CREATED.format(v.created().truncatedTo(ChronoUnit.SECONDS)),
                v.driver(),
                v.labels(),
                volumes().data(v.name()).toString(),
                v.name(),
                v.options(),
                "local");
    }
}
