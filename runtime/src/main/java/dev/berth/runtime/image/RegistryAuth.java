package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.model.BerthException;
import java.io.IOException;
import java.util.Base64;

/**
 * Credentials for a registry as the docker CLI sends them in {@code X-Registry-Auth}: base64url of
 * {@code {"username","password","serveraddress"}} or an {@code identitytoken} (OAuth refresh token).
 */
public record RegistryAuth(
        @JsonProperty("username") String username,
        @JsonProperty("password") String password,
        @JsonProperty("serveraddress") String serverAddress,
        @JsonProperty("identitytoken") String identityToken,
        @JsonProperty("registrytoken") String registryToken) {

    /** The header's value decoded; null or empty means anonymous (the CLI sends {@code e30=} for {}). */
    public static RegistryAuth decode(String header) {
        if (header == null || header.isBlank()) return null;
        try {
            String h = header.strip();
            byte[] json = h.contains("+") || h.contains("/")
                    ? Base64.getMimeDecoder().decode(h)
                    : Base64.getUrlDecoder().decode(pad(h));
            RegistryAuth a = ImageJson.MAPPER.readValue(json, RegistryAuth.class);
            return a.anonymous() ? null : a;
        } catch (IllegalArgumentException | IOException e) {
            throw new BerthException.InvalidRequest(
                    "X-Registry-Auth", "invalid X-Registry-Auth header: " + e.getMessage());
        }
    }

    private static String pad(String s) {
        return s + "=".repeat((4 - s.length() % 4) % 4).replace("====", "");
    }

    boolean anonymous() {
        return empty(username) && empty(password) && empty(identityToken) && empty(registryToken);
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    @Override
    public String toString() {
        return "RegistryAuth[" + username + "@" + serverAddress + "]"; // never the secret
    }
}
