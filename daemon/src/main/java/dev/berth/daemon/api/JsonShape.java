package dev.berth.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.model.BerthException;
import java.util.Iterator;
import java.util.Map;

/**
 * The JSON types of the container-create fields Berth reads, checked before any is read: a field of the
 * wrong type is a 400 naming it (as Docker's typed decoding answers), never a value silently taken as
 * empty or false. Fields Berth does not read are not looked at (Docker ignores unknown fields too).
 */
final class JsonShape {
    private JsonShape() {}

    static void checkContainerCreate(JsonNode body) {
        object(body, "body");
        for (String f : new String[] {"Hostname", "Domainname", "User", "Image", "WorkingDir"}) text(body.get(f), f);
        for (String f : new String[] {"Tty", "OpenStdin", "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce"})
            bool(body.get(f), f);
        for (String f : new String[] {"Cmd", "Entrypoint"}) textOrTexts(body.get(f), f);
        texts(body.get("Env"), "Env");
        objectOf(body.get("ExposedPorts"), "ExposedPorts", null);
        objectOf(body.get("Labels"), "Labels", JsonShape::text);
        JsonNode host = body.get("HostConfig");
        object(host, "HostConfig");
        if (present(host)) {
            text(host.get("NetworkMode"), "HostConfig.NetworkMode");
            bool(host.get("PublishAllPorts"), "HostConfig.PublishAllPorts");
            bool(host.get("AutoRemove"), "HostConfig.AutoRemove");
            texts(host.get("Dns"), "HostConfig.Dns");
            objectOf(host.get("PortBindings"), "HostConfig.PortBindings", (bindings, field) -> {
                if (!present(bindings)) return;
                if (!bindings.isArray()) throw wrong(field, "a list of {HostIp, HostPort}");
                for (int i = 0; i < bindings.size(); i++) {
                    JsonNode b = bindings.get(i);
                    object(b, field + "[" + i + "]");
                    text(b.get("HostIp"), field + "[" + i + "].HostIp");
                    text(b.get("HostPort"), field + "[" + i + "].HostPort");
                }
            });
        }
        JsonNode net = body.get("NetworkingConfig");
        object(net, "NetworkingConfig");
        if (present(net)) objectOf(net.get("EndpointsConfig"), "NetworkingConfig.EndpointsConfig", JsonShape::endpoint);
    }

    /** {@code POST /containers/{id}/exec}. */
    static void checkExecCreate(JsonNode body) {
        object(body, "body");
        for (String f : new String[] {"User", "WorkingDir", "DetachKeys"}) text(body.get(f), f);
        for (String f : new String[] {"Tty", "AttachStdin", "AttachStdout", "AttachStderr", "Privileged", "Detach"})
            bool(body.get(f), f);
        textOrTexts(body.get("Cmd"), "Cmd");
        texts(body.get("Env"), "Env");
    }

    /** One endpoint's settings, as in create's EndpointsConfig and connect's EndpointConfig. */
    static void endpoint(JsonNode e, String field) {
        object(e, field);
        if (!present(e)) return;
        JsonNode ipam = e.get("IPAMConfig");
        object(ipam, field + ".IPAMConfig");
        if (present(ipam)) {
            text(ipam.get("IPv4Address"), field + ".IPAMConfig.IPv4Address");
            text(ipam.get("IPv6Address"), field + ".IPAMConfig.IPv6Address");
        }
        text(e.get("MacAddress"), field + ".MacAddress");
        texts(e.get("Aliases"), field + ".Aliases");
    }

    private interface Check {
        void check(JsonNode value, String field);
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private static void object(JsonNode n, String field) {
        if (present(n) && !n.isObject()) throw wrong(field, "an object");
    }

    /** An object whose values each pass {@code values} (null: any value). */
    private static void objectOf(JsonNode n, String field, Check values) {
        object(n, field);
        if (!present(n) || values == null) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            values.check(e.getValue(), field + "." + e.getKey());
        }
    }

    private static void text(JsonNode n, String field) {
        if (present(n) && !n.isTextual()) throw wrong(field, "a string");
    }

    private static void bool(JsonNode n, String field) {
        if (present(n) && !n.isBoolean()) throw wrong(field, "true or false");
    }

    private static void texts(JsonNode n, String field) {
        if (!present(n)) return;
        if (!n.isArray()) throw wrong(field, "a list of strings");
        for (JsonNode v : n) if (!v.isTextual()) throw wrong(field, "a list of strings");
    }

    private static void textOrTexts(JsonNode n, String field) {
        if (present(n) && !n.isTextual()) texts(n, field);
    }

    private static BerthException.InvalidRequest wrong(String field, String expected) {
        return new BerthException.InvalidRequest(field, "must be " + expected);
    }
}
