package dev.berth.daemon.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.http.ApiRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One plugin call as the plugin forwards it: the {@code CNI_*} variables (as {@code CNI-*} headers) and the
 * plugin configuration (the body), checked against the spec. Every refusal names the variable or key.
 *
 * @param network the Berth network the attachment joins ("network" in the configuration, default {@code bridge})
 * @param cniName the configuration's "name", the CNI network an attachment belongs to (for GC)
 */
public record CniRequest(
        String command,
        String containerId,
        String netns,
        String ifName,
        Map<String, String> cniArgs,
        String cniVersion,
        String cniName,
        String network,
        ObjectNode config) {
    public static final List<String> SUPPORTED_VERSIONS = List.of("0.4.0", "1.0.0", "1.1.0");
    private static final Set<String> COMMANDS = Set.of("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION");
    /** The keys of a plugin configuration that Berth reads or that the spec lets runtimes add. */
    private static final Set<String> KEYS = Set.of(
            "cniVersion",
            "cniVersions",
            "name",
            "type",
            "socket",
            "network",
            "args",
            "capabilities",
            "runtimeConfig",
            "prevResult",
            "dns",
            "cni.dev/valid-attachments",
            "disableCheck",
            "disableGC");

    private static final Set<String> CNI_ARGS = Set.of(
            "IgnoreUnknown",
            "IP",
            "MAC",
            "K8S_POD_NAMESPACE",
            "K8S_POD_NAME",
            "K8S_POD_INFRA_CONTAINER_ID",
            "K8S_POD_UID");
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and checks a forwarded call; the version is checked first so later errors speak it. */
    public static CniRequest parse(ApiRequest q) {
        return parse(q::header, q.body());
    }

    /** The same, from the headers (looked up by lower-case name) and body of a request the plugin recorded. */
    static CniRequest parse(UnaryOperator<String> header, byte[] body) {
        String command = header.apply("cni-command");
        if (command == null || command.isEmpty())
            throw new CniError(CniError.INVALID_ENV, "CNI_COMMAND is not set", "");
        if (!COMMANDS.contains(command))
            throw new CniError(
                    CniError.INVALID_ENV,
                    "CNI_COMMAND: unknown command " + command,
                    "use one of ADD, DEL, CHECK, STATUS, GC, VERSION");
        ObjectNode config = object(body);
        String version = text(config, "cniVersion");
        if (version == null)
            throw new CniError(
                    CniError.INCOMPATIBLE_VERSION,
                    "the configuration has no cniVersion",
                    "berth supports " + String.join(", ", SUPPORTED_VERSIONS));
        if (!SUPPORTED_VERSIONS.contains(version))
            throw new CniError(
                    CniError.INCOMPATIBLE_VERSION,
                    "incompatible CNI version " + version,
                    "berth supports " + String.join(", ", SUPPORTED_VERSIONS));
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals("ipam"))
                throw new CniError(
                        CniError.UNSUPPORTED_FIELD,
                        "unsupported field ipam: " + config.get(key),
                        "Berth allocates addresses from its network's subnets; remove ipam and choose the subnet with the Berth network");
            if (!KEYS.contains(key))
                throw new CniError(
                        CniError.UNSUPPORTED_FIELD,
                        "unsupported field " + key + ": " + config.get(key),
                        "berth reads cniVersion, name, type, socket, network, capabilities, runtimeConfig, dns, args and prevResult");
        }
        String name = text(config, "name");
        if (name == null || name.isBlank())
            throw new CniError(CniError.INVALID_CONFIG, "name: the configuration needs a network name", "");
        String network = text(config, "network");
        if (network == null || network.isBlank()) network = "bridge";
        String containerId = header.apply("cni-containerid");
        if (containerId != null
                && !containerId.isEmpty()
                && !CONTAINER_ID.matcher(containerId).matches())
            throw new CniError(
                    CniError.INVALID_ENV,
                    "CNI_CONTAINERID: '" + containerId + "' is not a container id",
                    "start with a letter or digit, then letters, digits, '_', '.' or '-'");
        return new CniRequest(
                command,
                blankToNull(containerId),
                blankToNull(header.apply("cni-netns")),
                blankToNull(header.apply("cni-ifname")),
                cniArgs(header.apply("cni-args")),
                version,
                name,
                network,
                config);
    }

    /** Checks that the variables {@code command} needs are set (the spec's list per command). */
    public CniRequest require(boolean needsNetns) {
        List<String> missing = new ArrayList<>();
        if (containerId == null) missing.add("CNI_CONTAINERID");
        if (needsNetns && netns == null) missing.add("CNI_NETNS");
        if (ifName == null) missing.add("CNI_IFNAME");
        if (!missing.isEmpty())
            throw new CniError(
                    CniError.INVALID_ENV,
                    String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " not set",
                    command + " needs CNI_CONTAINERID, " + (needsNetns ? "CNI_NETNS, " : "") + "CNI_IFNAME");
        return this;
    }

    /** STATUS and GC exist from spec 1.1.0 on. */
    public void requireVersion110() {
        if (!cniVersion.equals("1.1.0"))
            throw new CniError(
                    CniError.INCOMPATIBLE_VERSION,
                    command + " needs cniVersion 1.1.0; the configuration says " + cniVersion,
                    "");
    }

    public JsonNode runtimeConfig() {
        JsonNode r = config.get("runtimeConfig");
        return r == null || r.isNull() ? JSON.createObjectNode() : r;
    }

    public JsonNode prevResult() {
        JsonNode r = config.get("prevResult");
        return r == null || r.isNull() ? null : r;
    }

    /** {@code args.cni.KEY} (the CNI conventions' way to pass ips and mac in the configuration), or null. */
    public JsonNode conventionArg(String key) {
        JsonNode a = config.path("args").path("cni").get(key);
        return a == null || a.isNull() ? null : a;
    }

    private static Map<String, String> cniArgs(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) return out;
        for (String pair : text.split(";")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0)
                throw new CniError(
                        CniError.INVALID_ENV,
                        "CNI_ARGS: '" + pair + "' is not KEY=VALUE",
                        "pairs are separated by ';'");
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String ignore = out.getOrDefault("IgnoreUnknown", "");
        boolean ignoreUnknown = ignore.equals("1") || ignore.equalsIgnoreCase("true");
        for (String k : out.keySet())
            if (!CNI_ARGS.contains(k) && !ignoreUnknown)
                throw new CniError(
                        CniError.INVALID_ENV,
                        "CNI_ARGS: unknown key " + k,
                        "berth reads IP and MAC; add IgnoreUnknown=1 to pass others");
        return out;
    }

    private static ObjectNode object(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new CniError(CniError.DECODE, "the network configuration is not JSON", e.getOriginalMessage());
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot read the network configuration", e.getMessage());
        }
        if (!(n instanceof ObjectNode o))
            throw new CniError(CniError.DECODE, "the network configuration is not a JSON object", "");
        return o;
    }

    static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new CniError(CniError.INVALID_CONFIG, key + ": expected a string, got " + v, "");
        return v.asText();
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
