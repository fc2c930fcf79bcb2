package dev.berth.daemon.containers;

import dev.berth.model.BerthException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's merge of an image's config into a container's at create: the client's Cmd, Entrypoint,
 * WorkingDir, User and StopSignal win; an overridden Entrypoint drops the image's Cmd; Env is the
 * image's with the client's variables replacing those of the same name; exposed ports, volumes and
 * labels are the union.
 */
public final class ImageDefaults {
    /** The parts of an image's config that shape a container (empty lists and nulls when unset). */
    public record ImageConfig(
            String id,
            List<String> cmd,
            List<String> entrypoint,
            List<String> env,
            String workingDir,
            String user,
            List<String> exposedPorts,
            List<String> volumes,
            Map<String, String> labels,
            String stopSignal,
            Healthcheck healthcheck) {
        public ImageConfig {
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            env = env == null ? List.of() : List.copyOf(env);
            exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
            volumes = volumes == null ? List.of() : List.copyOf(volumes);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    private ImageDefaults() {}

    public static ContainerRecord merge(ContainerRequest req, ImageConfig img) {
        ContainerRecord d = req.draft();
        // Docker's merge: without an Entrypoint (null or []) an empty Cmd is the image's, and a null Entrypoint
        // the image's; any other Entrypoint, --entrypoint "" ([""]) included, drops the image's Cmd
        List<String> entrypoint = req.entrypoint(), cmd = req.cmd();
        if (entrypoint == null || entrypoint.isEmpty()) {
            if (cmd == null || cmd.isEmpty()) cmd = img.cmd();
            if (entrypoint == null) entrypoint = img.entrypoint();
        }
        if (cmd == null) cmd = List.of();
        if (entrypoint.size() == 1 && entrypoint.getFirst().isEmpty()) entrypoint = List.of();
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(cmd);
        if (command.isEmpty()) throw new BerthException.InvalidRequest("Cmd", "no command specified");
        String workingDir = d.workingDir() != null ? d.workingDir() : blankToNull(img.workingDir());
        String user = !d.config().user().isEmpty() ? d.config().user() : img.user() == null ? "" : img.user();
        String stopSignal = d.config().stopSignal() != null ? d.config().stopSignal() : blankToNull(img.stopSignal());
        List<String> exposed = new ArrayList<>(d.exposed());
        for (String p : img.exposedPorts()) {
            String k = p.contains("/") ? p : p + "/tcp";
            if (!exposed.contains(k)) exposed.add(k);
        }
        List<String> volumes = new ArrayList<>(d.config().volumes());
        for (String v : img.volumes()) if (!volumes.contains(v)) volumes.add(v);
        Map<String, String> labels = new LinkedHashMap<>(img.labels());
        labels.putAll(d.labels());
        ContainerRecord.Config c = d.config();
        ContainerRecord.Config config = new ContainerRecord.Config(
                c.domainname(),
                user,
                c.tty(),
                c.openStdin(),
                c.stdinOnce(),
                c.attachStdin(),
                c.attachStdout(),
                c.attachStderr(),
                stopSignal,
                c.stopTimeout(),
                volumes,
                c.consoleSize(),
                Healthcheck.merge(c.healthcheck(), img.healthcheck()));
        return new ContainerRecord(
                d.id(),
                d.name(),
                d.image(),
                img.id(),
                entrypoint,
                cmd,
                command,
                env(img.env(), d.env()),
                workingDir,
                d.hostname(),
                labels,
                d.created(),
                d.networkMode(),
                d.networks(),
                d.publish(),
                d.portBindings(),
                d.publishAll(),
                exposed,
                d.autoRemove(),
                d.dns(),
                config,
                d.host(),
                null);
    }

    static List<String> env(List<String> image, List<String> container) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String kv : image) byName.put(nameOf(kv), kv);
        for (String kv : container) byName.put(nameOf(kv), kv);
        return new ArrayList<>(byName.values());
    }

    private static String nameOf(String kv) {
        int eq = kv.indexOf('=');
        return eq < 0 ? kv : kv.substring(0, eq);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
