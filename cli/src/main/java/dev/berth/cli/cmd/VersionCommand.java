package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.http.Api;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth version}: the client's and the daemon's versions, laid out as docker's. */
@Command(name = "version", description = "Show the Berth version information")
public final class VersionCommand extends BaseCommand {
    /** The client's version, from the jar's manifest when built by Maven. */
    public static String clientVersion() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Option(
            names = {"-f", "--format"},
            description = "json to print the daemon's answer as JSON")
    String format;

    @Override
    public Integer call() {
        boolean asJson = jsonFormat(format);
        String arch = System.getProperty("os.arch").equals("aarch64") ? "arm64" : System.getProperty("os.arch");
        String client = "Client:\n"
                + line(" ", "Version:", clientVersion())
                + line(" ", "API version:", Api.VERSION)
                + line(" ", "Java version:", System.getProperty("java.version"))
                + line(" ", "OS/Arch:", "linux/" + arch)
                + line(" ", "Host:", api().address().toString());
        JsonNode server;
        try {
            server = api().get("/version");
        } finally {
            if (!asJson) out().print(client + "\n");
        }
        if (asJson) {
            out().println(GoJson.compact(server));
            return 0;
        }
        String platform = server.path("Platform").path("Name").asText("");
        StringBuilder s = new StringBuilder("Server:" + (platform.isEmpty() ? "" : " " + platform) + "\n Engine:\n");
        s.append(line("  ", "Version:", text(server, "Version")));
        s.append(line(
                "  ",
                "API version:",
                text(server, "ApiVersion") + " (minimum version " + text(server, "MinAPIVersion") + ")"));
        s.append(line("  ", "Java version:", text(server, "GoVersion")));
        s.append(line("  ", "OS/Arch:", text(server, "Os") + "/" + text(server, "Arch")));
        s.append(line("  ", "Kernel:", text(server, "KernelVersion")));
        // the other components as docker lists them (berthd: Berth's own version)
        for (JsonNode c : server.path("Components")) {
            if (c.path("Name").asText().equals("Engine")) continue;
            s.append(" ")
                    .append(c.path("Name").asText())
                    .append(":\n")
                    .append(line("  ", "Version:", c.path("Version").asText()));
        }
        out().print(s);
        return 0;
    }

    private static String line(String indent, String key, String value) {
        return indent + key + " ".repeat(Math.max(1, 19 - indent.length() - key.length() + 1)) + value + "\n";
    }
}
