package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.containers.ContainerRecord;
import dev.berth.engine.BerthException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads Docker's container-create body (Config + HostConfig + NetworkingConfig) into a record. */
final class ContainerCreateRequests {
    private ContainerCreateRequests() {}

    static ContainerRecord read(String id, String name, JsonNode body) {
        if (!body.isObject()) throw new BerthException.InvalidRequest("body", "must be a JSON object");
        JsonShape.checkContainerCreate(body);
        JsonNode host = body.path("HostConfig");
        if (body.path("Tty").asBoolean(false))
            throw new BerthException.InvalidRequest("Tty", "Berth does not allocate terminals: run without -t");
        if (body.path("OpenStdin").asBoolean(false) || body.path("AttachStdin").asBoolean(false))
            throw new BerthException.InvalidRequest("OpenStdin", "Berth containers read no stdin: run without -i (docker exec -i works)");
        List<String> entrypoint = strings(body.path("Entrypoint"), "Entrypoint");
        List<String> cmd = strings(body.path("Cmd"), "Cmd");
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(cmd);
        String mode = text(host.path("NetworkMode"));
        if (mode == null || mode.equals("default")) mode = "bridge";

        Map<String, ContainerRecord.EndpointSettings> networks = new LinkedHashMap<>();
        JsonNode eps = body.path("NetworkingConfig").path("EndpointsConfig");
        for (Iterator<Map.Entry<String, JsonNode>> it = eps.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode ipam = e.getValue().path("IPAMConfig");
            String key = e.getKey().equals("default") ? "bridge" : e.getKey();
            networks.put(key, new ContainerRecord.EndpointSettings(text(ipam.path("IPv4Address")), text(ipam.path("IPv6Address")),
                    text(e.getValue().path("MacAddress")), strings(e.getValue().path("Aliases"), "NetworkingConfig.EndpointsConfig." + e.getKey() + ".Aliases")));
        }
        if (networks.size() > 1)
            throw new BerthException.InvalidRequest("NetworkingConfig.EndpointsConfig", "a container is created on one network; connect it to more with docker network connect");

        List<String> exposed = new ArrayList<>();
        body.path("ExposedPorts").fieldNames().forEachRemaining(p -> exposed.add(p.contains("/") ? p : p + "/tcp"));
        Map<String, List<ContainerRecord.PortBinding>> bindings = new LinkedHashMap<>();
        List<String> publish = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = host.path("PortBindings").fields(); it.hasNext(); ) {
            var e = it.next();
            String ctr = e.getKey().contains("/") ? e.getKey() : e.getKey() + "/tcp";
            List<ContainerRecord.PortBinding> list = new ArrayList<>();
            for (JsonNode b : e.getValue()) {
                String ip = text(b.path("HostIp"));
                String port = text(b.path("HostPort"));
                list.add(new ContainerRecord.PortBinding(ip == null ? "" : ip, port == null ? "" : port));
                publish.add(publishSpec(ip, port, ctr));
            }
            bindings.put(ctr, list);
            if (!exposed.contains(ctr)) exposed.add(ctr);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        body.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String hostname = text(body.path("Hostname"));
        if (hostname != null && (mode.equals("host") || mode.startsWith("container:")))
            throw new BerthException.InvalidRequest("Hostname", "conflicting options: hostname and the network mode " + mode);
        return new ContainerRecord(id, name, text(body.path("Image")) == null ? "" : text(body.path("Image")),
                entrypoint, cmd, command, strings(body.path("Env"), "Env"), text(body.path("WorkingDir")),
                hostname, labels, Instant.now(), mode, networks, publish, bindings,
                host.path("PublishAllPorts").asBoolean(false), exposed, host.path("AutoRemove").asBoolean(false),
                strings(host.path("Dns"), "HostConfig.Dns"));
    }

    /** {@code [ip:][hostPort]:containerPort/proto}, the engine's -p syntax; an empty host port means any. */
    private static String publishSpec(String ip, String hostPort, String ctr) {
        String port = hostPort == null ? "" : hostPort;
        if (ip == null || ip.isEmpty()) return port.isEmpty() ? ctr : port + ":" + ctr;
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        return host + ":" + port + ":" + ctr;
    }

    static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return null;
        String t = n.asText();
        return t.isEmpty() ? null : t;
    }

    static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isMissingNode() || n.isNull()) return out;
        if (n.isTextual()) {
            out.add(n.asText());
            return out;
        }
        if (!n.isArray()) throw new BerthException.InvalidRequest(field, "must be a list of strings");
        for (JsonNode v : n) out.add(v.asText());
        return out;
    }
}
