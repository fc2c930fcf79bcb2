package dev.berth.runtime.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repository on a registry: manifests and blobs, with the auth flow registries use (a 401 with a
 * Bearer challenge sends us to the token service, Basic gets the credentials; the token is kept).
 */
public final class RegistryRepository {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private final RegistryClient client;
    private final URI base;
    private final String path;
    private final RegistryAuth auth;
    private final boolean push;
    private volatile String authorization;

    RegistryRepository(RegistryClient client, URI base, String path, RegistryAuth auth, boolean push) {
        this.client = client;
        this.base = base;
        this.path = path;
        this.auth = auth;
        this.push = push;
    }

    /** A manifest or index as the registry serves it, with its digest. */
    public record Fetched(String mediaType, Digest digest, byte[] body) {}

    /** A blob's stream and size; the caller closes it. */
    public record Blob(InputStream stream, long size) {}

    public Fetched manifest(String reference) throws IOException {
        HttpResponse<byte[]> r = send(
                () -> request("manifests/" + reference)
                        .header("Accept", MediaTypes.ACCEPT)
                        .GET(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) throw new RegistryException(RegistryError.of(r.statusCode(), r.body()));
        Digest d = Digest.of(r.body());
        Optional<String> declared = r.headers().firstValue("Docker-Content-Digest");
        if (reference.startsWith("sha256:") && !reference.equals(d.toString()))
            throw new IOException("manifest verification failed for digest " + reference);
        if (declared.isPresent()
                && !reference.startsWith("sha256:")
                && !declared.get().equals(d.toString()))
            throw new IOException("manifest digest mismatch: registry says " + declared.get() + ", content is " + d);
        String type = r.headers()
                .firstValue("Content-Type")
                .map(t -> t.split(";")[0].strip())
                .orElse(null);
        if (!MediaTypes.isManifest(type) && !MediaTypes.isIndex(type)) type = ImageJson.mediaTypeOf(r.body());
        return new Fetched(type, d, r.body());
    }

    public Blob blob(String digest) throws IOException {
        HttpResponse<InputStream> r =
                send(() -> request("blobs/" + digest).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readAllBytes();
            }
            throw new RegistryException(RegistryError.of(r.statusCode(), body));
        }
        return new Blob(r.body(), r.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    public boolean hasBlob(String digest) throws IOException {
        HttpResponse<Void> r = send(
                () -> request("blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return true;
        if (r.statusCode() == 404) return false;
        throw new RegistryException(new RegistryError(r.statusCode(), null, null));
    }

    /** A monolithic upload: POST opens it, one PUT with the whole blob and its digest closes it. */
    public void uploadBlob(String digest, long size, Supplier<InputStream> content) throws IOException {
        HttpResponse<byte[]> open = send(
                () -> request("blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofByteArray());
        if (open.statusCode() != 202) throw new RegistryException(RegistryError.of(open.statusCode(), open.body()));
        String location = open.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IOException("registry opened an upload without a Location"));
        URI at = base.resolve(location);
        String sep = at.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(at + sep + "digest=" + digest.replace(":", "%3A"));
        HttpRequest.Builder b = HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(content), size));
        if (authorization != null) b.header("Authorization", authorization);
        HttpResponse<byte[]> done = exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (done.statusCode() != 201) throw new RegistryException(RegistryError.of(done.statusCode(), done.body()));
    }

    /** Puts a manifest under a tag (or digest); answers the digest the registry computed. */
    public String putManifest(String reference, String mediaType, byte[] body) throws IOException {
        HttpResponse<byte[]> r = send(
                () -> request("manifests/" + reference)
                        .header("Content-Type", mediaType)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 201) throw new RegistryException(RegistryError.of(r.statusCode(), r.body()));
        return r.headers()
                .firstValue("Docker-Content-Digest")
                .orElse(Digest.of(body).toString());
    }

    private HttpRequest.Builder request(String tail) {
        return HttpRequest.newBuilder(base.resolve("/v2/" + path + "/" + tail));
    }

    private <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> build, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        HttpRequest.Builder b = build.get();
        if (authorization != null) b.header("Authorization", authorization);
        HttpResponse<T> r = exchange(b.build(), handler);
        if (r.statusCode() != 401) return r;
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
        if (r.body() instanceof InputStream in) in.close();
        if (challenge == null || !authenticate(challenge)) return failUnauthorized(r);
        HttpRequest.Builder again = build.get().header("Authorization", authorization);
        return exchange(again.build(), handler);
    }

    private <T> HttpResponse<T> failUnauthorized(HttpResponse<T> r) {
        byte[] body = r.body() instanceof byte[] bytes ? bytes : new byte[0];
        RegistryError e = RegistryError.of(401, body);
        throw new RegistryException(
                e.code() == null ? new RegistryError(401, "UNAUTHORIZED", "authentication required") : e);
    }

    /** Answers a challenge; false when it cannot be answered (so the 401 stands). */
    private boolean authenticate(String challenge) throws IOException {
        String scheme = challenge.split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            if (auth == null || auth.username() == null) return false;
            authorization = "Basic " + basic();
            return true;
        }
        if (!scheme.equalsIgnoreCase("Bearer")) return false;
        Map<String, String> p = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) p.put(RegistryClient.lower(m.group(1)), m.group(2));
        String realm = p.get("realm");
        if (realm == null) return false;
        String scope = "repository:" + path + ":" + (push ? "pull,push" : "pull");
        String token = auth != null
                        && auth.registryToken() != null
                        && !auth.registryToken().isEmpty()
                ? auth.registryToken()
                : token(URI.create(realm), p.get("service"), scope);
        authorization = "Bearer " + token;
        return true;
    }

    private String token(URI realm, String service, String scope) throws IOException {
        HttpRequest req;
        if (auth != null
                && auth.identityToken() != null
                && !auth.identityToken().isEmpty()) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("grant_type", "refresh_token");
            f.put("refresh_token", auth.identityToken());
            f.put("service", service);
            f.put("scope", scope);
            f.put("client_id", "docker");
            req = HttpRequest.newBuilder(realm)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(RegistryClient.form(f)))
                    .build();
        } else {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("service", service);
            q.put("scope", scope);
            if (auth != null && auth.username() != null) q.put("account", auth.username());
            String sep = realm.getRawQuery() == null ? "?" : "&";
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(realm + sep + RegistryClient.form(q)))
                    .GET();
            if (auth != null && auth.username() != null) b.header("Authorization", "Basic " + basic());
            req = b.build();
        }
        HttpResponse<byte[]> r = exchange(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            RegistryError e = RegistryError.of(r.statusCode(), r.body());
            throw new RegistryException(
                    e.code() != null
                            ? e
                            : new RegistryError(r.statusCode(), "UNAUTHORIZED", "authentication required"));
        }
        JsonNode n = ImageJson.tree(r.body(), "token");
        String t = n.hasNonNull("token")
                ? n.get("token").asText()
                : n.path("access_token").asText(null);
        if (t == null) throw new IOException("the token service at " + realm + " answered no token");
        return t;
    }

    private String basic() {
        String pw = auth.password() == null ? "" : auth.password();
        return Base64.getEncoder().encodeToString((auth.username() + ":" + pw).getBytes(StandardCharsets.UTF_8));
    }

    private <T> HttpResponse<T> exchange(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.http().send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException(req.method() + " \"" + req.uri() + "\": " + RegistryClient.describe(e), e);
        }
    }

    static String headers(HttpHeaders h) {
        return h.map().toString();
    }
}
