package dev.berth.daemon.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The limits of an OCI spec (its linux.resources) that containerd's task update takes: memory, CPU, pids. */
final class TaskResources {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskResources() {}

    /** linux.resources of {@code specJson} without the device rules (an update changes limits only). */
    static String of(String specJson) {
        try {
            JsonNode resources = JSON.readTree(specJson).path("linux").path("resources");
            ObjectNode out = JSON.createObjectNode();
            for (String k : new String[] {"memory", "cpu", "pids"})
                if (resources.hasNonNull(k)) out.set(k, resources.get(k));
            return JSON.writeValueAsString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
