package dev.berth.daemon.api;

import dev.berth.daemon.BerthVersion;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersions;
import dev.berth.daemon.http.Router;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /_ping}, {@code /version} and {@code /info}: what clients ask before anything else. */
public final class SystemApi {
    private SystemApi() {}

    public static void register(Router r, java.util.function.Supplier<Map<String, Object>> info) {
        r.get("/_ping", q -> new ApiResponse.Text(200, "OK"));
        r.head("/_ping", q -> new ApiResponse.Text(200, ""));
        r.get("/version", q -> ApiResponse.json(version()));
        r.get("/info", q -> ApiResponse.json(info.get()));
    }

    static Map<String, Object> version() {
        String kernel = kernelRelease();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("ApiVersion", ApiVersions.CURRENT);
        details.put("Arch", "amd64");
        details.put("KernelVersion", kernel);
        details.put("MinAPIVersion", ApiVersions.MINIMUM);
        details.put("Os", "linux");
        Map<String, Object> v = new LinkedHashMap<>();
        String berth = BerthVersion.berth();
        v.put("Platform", Map.of("Name", "Berth " + berth));
        v.put("Components", List.of(Map.of("Name", "Engine", "Version", BerthVersion.DOCKER_COMPATIBLE, "Details", details),
                Map.of("Name", "Berth", "Version", berth, "Details", Map.of("ApiVersion", ApiVersions.CURRENT))));
        v.put("Version", BerthVersion.DOCKER_COMPATIBLE);
        v.put("ApiVersion", ApiVersions.CURRENT);
        v.put("MinAPIVersion", ApiVersions.MINIMUM);
        v.put("GitCommit", "");
        v.put("GoVersion", "java" + Runtime.version().feature());
        v.put("Os", "linux");
        v.put("Arch", "amd64");
        v.put("KernelVersion", kernel);
        return v;
    }

    static String kernelRelease() {
        try {
            return Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")).getFirst().trim();
        } catch (Exception e) {
            return "";
        }
    }
}
