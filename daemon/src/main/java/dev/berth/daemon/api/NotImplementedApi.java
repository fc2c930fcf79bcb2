package dev.berth.daemon.api;

import dev.berth.daemon.containers.Containers;
import dev.berth.daemon.http.ApiRequest;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ErrorResponses;
import dev.berth.daemon.http.Router;
import dev.berth.model.BerthException;
import java.util.List;
import java.util.Set;

/**
 * Docker endpoints Berth does not implement yet, answered 501 with what is missing rather than the 404
 * "page not found" of an unknown path: {@code docker diff}, {@code docker commit}, {@code docker system df}.
 * Their input is checked first as Docker checks it (an unknown container is still a 404, a bad type a 400).
 */
public final class NotImplementedApi {
    /** The routes answered 501 for a valid request (ApiFuzzTest takes a 501 from these, and only these). */
    public static final Set<String> ROUTES = Set.of("GET /containers/{id}/changes", "POST /commit", "GET /system/df");

    private static final Set<String> DF_TYPES = Set.of("container", "image", "volume", "build-cache");

    private final Containers containers;

    public NotImplementedApi(Containers containers) {
        this.containers = containers;
    }

    public void register(Router r) {
        r.get("/containers/{id}/changes", this::changes);
        r.post("/commit", this::commit);
        r.get("/system/df", this::df);
    }

    private ApiResponse changes(ApiRequest q) {
        containers.find(q.param("id"));
        return notImplemented("docker diff (GET /containers/{id}/changes): Berth does not list a container's"
                + " file system changes yet");
    }

    private ApiResponse commit(ApiRequest q) {
        String c = q.query("container");
        if (c == null || c.isBlank())
            throw new BerthException.InvalidRequest("container", "the container to commit is required");
        containers.find(c);
        return notImplemented("docker commit (POST /commit): Berth does not make images from containers yet;"
                + " docker import of a root file system tar does make one");
    }

    private ApiResponse df(ApiRequest q) {
        for (String t : q.query().getOrDefault("type", List.of()))
            if (!DF_TYPES.contains(t))
                throw new BerthException.InvalidRequest(
                        "type", "'" + t + "' is not one of container, image, volume, build-cache");
        return notImplemented("docker system df (GET /system/df): Berth does not report disk usage yet");
    }

    private static ApiResponse notImplemented(String what) {
        return ErrorResponses.message(501, what);
    }
}
