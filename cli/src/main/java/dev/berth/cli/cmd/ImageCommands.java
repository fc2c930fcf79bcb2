package dev.berth.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.format.GoJson;
import dev.berth.cli.format.Human;
import dev.berth.cli.format.Json;
import dev.berth.cli.http.Api;
import dev.berth.cli.http.ApiError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth image ...}: docker's image verbs with their common flags (the group and ls modelled in code, see {@link Specs}). */
public final class ImageCommands extends BaseCommand {
    /** The sub-verbs in help's order; Berth gives picocli only the one being run (see Berth.VERBS). */
    public static final List<Map.Entry<String, Supplier<Object>>> VERBS = List.of(
            Map.entry("ls", () -> new Ls().spec()),
            Map.entry("inspect", Inspect::new),
            Map.entry("pull", Pull::new),
            Map.entry("push", Push::new),
            Map.entry("load", Load::new),
            Map.entry("save", Save::new),
            Map.entry("tag", Tag::new),
            Map.entry("rm", Rm::new));

    public CommandSpec spec() {
        return Specs.command(this, "image", "Manage images");
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 0;
    }

    /** {@code berth image ls}. */
    public static final class Ls extends BaseCommand {
        private final OptionSpec all = Specs.flag("Show all images", "-a", "--all");
        private final ListOptions options = new ListOptions();

        CommandSpec spec() {
            CommandSpec s =
                    options.addTo(Specs.command(this, "ls", "List images").addOption(all));
            return s.aliases("list");
        }

        @Override
        public Integer call() {
            Listing listing = new Listing(options, "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            String q = options.filterQuery();
            JsonNode list = api().get("/images/json" + (q.isEmpty() ? "" : "?" + q));
            for (JsonNode i : list) {
                String id = options.id(text(i, "Id"));
                if (listing.quiet()) {
                    listing.add(id, null);
                    continue;
                }
                String created = Human.duration(Duration.between(
                                Instant.ofEpochSecond(i.path("Created").asLong()), Instant.now()))
                        + " ago";
                String size = humanSize(i.path("Size").asLong());
                List<String[]> rows = new ArrayList<>();
                for (JsonNode tag : i.path("RepoTags")) {
                    String rt = tag.asText();
                    int colon = rt.lastIndexOf(':');
                    rows.add(new String[] {rt.substring(0, colon), rt.substring(colon + 1)});
                }
                if (rows.isEmpty()) rows.add(new String[] {"<none>", "<none>"});
                for (String[] r : rows) {
                    listing.add(
                            id,
                            () -> {
                                ObjectNode o = object();
                                o.put("CreatedSince", created);
                                o.put("ID", id);
                                o.put("Repository", r[0]);
                                o.put("Size", size);
                                o.put("Tag", r[1]);
                                return o;
                            },
                            r[0],
                            r[1],
                            id,
                            created,
                            size);
                }
            }
            listing.print(out());
            return 0;
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more images")
    public static final class Inspect extends BaseCommand {
        @Option(
                names = {"-f", "--format"},
                description = "json (default)")
        String format;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Override
        public Integer call() {
            if (format != null && !format.equals("json")) jsonFormat(format);
            ArrayNode all = array();
            int status = 0;
            for (String n : names) {
                try {
                    all.add(api().get("/images/" + n + "/json"));
                } catch (ApiError e) {
                    if (!e.notFound()) throw e;
                    err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
            out().println(GoJson.indent(all));
            return status;
        }
    }

    @Command(name = "pull", description = "Download an image from a registry")
    public static final class Pull extends BaseCommand {
        @Option(
                names = {"-q", "--quiet"},
                description = "Suppress verbose output")
        boolean quiet;

        @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]")
        String name;

        @Override
        public Integer call() throws IOException {
            int status = progress(
                    api().openRaw("POST", "/images/create?fromImage=" + Api.enc(name), "application/json", null),
                    out(),
                    err(),
                    quiet);
            if (status == 0 && quiet) out().println(name);
            return status;
        }
    }

    @Command(name = "push", description = "Upload an image to a registry")
    public static final class Push extends BaseCommand {
        @Option(
                names = {"-q", "--quiet"},
                description = "Suppress verbose output")
        boolean quiet;

        @Parameters(index = "0", paramLabel = "NAME[:TAG]")
        String name;

        @Override
        public Integer call() throws IOException {
            return progress(
                    api().openRaw("POST", "/images/" + name + "/push", "application/json", null), out(), err(), quiet);
        }
    }

    @Command(name = "load", description = "Load an image from a tar archive (docker save or OCI) or STDIN")
    public static final class Load extends BaseCommand {
        @Option(
                names = {"-i", "--input"},
                description = "Read from tar archive file, instead of STDIN")
        Path input;

        @Option(
                names = {"-q", "--quiet"},
                description = "Suppress the load output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            byte[] tar = input == null ? io().in().readAllBytes() : Files.readAllBytes(input);
            if (tar.length == 0) throw new UsageError("requested load from stdin, but stdin is empty");
            return progress(
                    api().openRaw("POST", "/images/load?quiet=1", "application/x-tar", tar), out(), err(), false);
        }
    }

    @Command(name = "save", description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
    public static final class Save extends BaseCommand {
        @Option(
                names = {"-o", "--output"},
                description = "Write to a file, instead of STDOUT")
        Path output;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Override
        public Integer call() throws IOException {
            StringBuilder q = new StringBuilder();
            for (String n : names)
                q.append(q.isEmpty() ? "?" : "&").append("names=").append(Api.enc(n));
            try (Api.Exchange x = api().openRaw("GET", "/images/get" + q, "application/json", null);
                    InputStream in = x.response().body()) {
                if (output == null) {
                    in.transferTo(out());
                    out().flush();
                } else {
                    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
                    try (OutputStream o = Files.newOutputStream(tmp)) {
                        in.transferTo(o);
                    }
                    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return 0;
        }
    }

    @Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    public static final class Tag extends BaseCommand {
        @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]")
        String target;

        @Override
        public Integer call() {
            int slash = target.lastIndexOf('/');
            int colon = target.lastIndexOf(':');
            String repo = colon > slash ? target.substring(0, colon) : target;
            String tag = colon > slash ? target.substring(colon + 1) : "latest";
            api().post("/images/" + source + "/tag?repo=" + Api.enc(repo) + "&tag=" + Api.enc(tag), null);
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more images")
    public static final class Rm extends BaseCommand {
        @Option(
                names = {"-f", "--force"},
                description = "Force removal of the image")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Override
        public Integer call() {
            int status = 0;
            for (String n : names) {
                try {
                    JsonNode items = api().delete("/images/" + n + (force ? "?force=1" : ""));
                    StringBuilder s = new StringBuilder();
                    for (JsonNode i : items) {
                        if (i.hasNonNull("Untagged"))
                            s.append("Untagged: ")
                                    .append(i.get("Untagged").asText())
                                    .append('\n');
                        if (i.hasNonNull("Deleted"))
                            s.append("Deleted: ")
                                    .append(i.get("Deleted").asText())
                                    .append('\n');
                    }
                    out().print(s);
                } catch (ApiError e) {
                    err().println("Error response from daemon: " + e.getMessage());
                    status = 1;
                }
            }
            return status;
        }
    }

    /**
     * Prints Docker's JSON message stream as a non-terminal docker does: one line per status change
     * ({@code ID: Pull complete}), byte-count updates left out; an error message ends it with status 1.
     */
    static int progress(Api.Exchange x, PrintStream out, PrintStream err, boolean quiet) throws IOException {
        try (x;
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(x.response().body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                JsonNode e = Json.parse(line.getBytes(StandardCharsets.UTF_8));
                if (e.hasNonNull("error")) {
                    err.println(e.get("error").asText());
                    return 1;
                }
                if (e.hasNonNull("stream")) out.print(e.get("stream").asText());
                if (quiet || !e.hasNonNull("status") || e.path("progressDetail").has("current")) continue;
                String id = text(e, "id");
                out.println(id.isEmpty() ? text(e, "status") : id + ": " + text(e, "status"));
            }
        }
        return 0;
    }

    /** go-units' HumanSize: decimal units, three significant digits as docker images prints. */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + units[i];
    }
}
