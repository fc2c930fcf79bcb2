package dev.berth.daemon.api;

import dev.berth.daemon.api.shapes.SystemInfo;
import dev.berth.daemon.api.shapes.Version;
import dev.berth.daemon.http.ApiResponse;
import dev.berth.daemon.http.ApiVersions;
import dev.berth.daemon.http.BerthVersion;
import dev.berth.daemon.http.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /_ping}, {@code /version} and {@code /info}: what clients ask before anything else. */
public final class SystemApi {
    private SystemApi() {}

    public static void register(Router r, Supplier<SystemInfo> info) {
        registerEarly(r);
        r.get("/info", q -> ApiResponse.json(info.get()));
    }

    /** What needs nothing of the daemon, answered from the moment its socket is bound (see StartupGate). */
    public static Router registerEarly(Router r) {
        r.get("/_ping", q -> new ApiResponse.Text(200, "OK"));
        r.head("/_ping", q -> new ApiResponse.Text(200, ""));
        r.get("/version", q -> ApiResponse.json(version()));
        return r;
    }

    static Version version() {
        String kernel = kernelRelease();
        String berth = BerthVersion.berth();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("ApiVersion", ApiVersions.CURRENT);
        details.put("Arch", "amd64");
        details.put("KernelVersion", kernel);
        details.put("MinAPIVersion", ApiVersions.MINIMUM);
        details.put("Os", "linux");
        List<Version.Component> components = List.of(
                new Version.Component("Engine", BerthVersion.DOCKER_COMPATIBLE, details),
                new Version.Component("Berth", berth, Map.of("ApiVersion", ApiVersions.CURRENT)));
        return new Version(
                new Version.Platform("Berth " + berth),
                components,
                BerthVersion.DOCKER_COMPATIBLE,
                ApiVersions.CURRENT,
                ApiVersions.MINIMUM,
                "",
                "java" + Runtime.version().feature(),
                "linux",
                "amd64",
                kernel);
    }

    static String kernelRelease() {
        try {
            return Files.readAllLines(Path.of("/proc/sys/kernel/osrelease"))
                    .getFirst()
                    .trim();
        } catch (Exception e) {
            return "";
        }
    }
}
