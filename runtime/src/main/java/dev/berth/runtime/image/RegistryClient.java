package dev.berth.runtime.image;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The registry v2 API over the JDK's HTTP client. HTTPS always, plain HTTP only for hosts named
 * insecure and loopback registries (as Docker: it tries HTTPS first and falls back for those).
 */
public final class RegistryClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    // Built at the first registry call: a client builds the default SSLContext (about 400 TLS and
    // certificate classes, the CA store's objects) and a selector thread, which a berthd that never
    // pulls or pushes would keep for nothing (docs/footprint.md).
    private HttpClient http;
    private final InsecureRegistries insecure;
    private final Map<String, URI> bases = new ConcurrentHashMap<>();

    /** With these registries allowed plain HTTP (host, host:port or CIDR; see {@link InsecureRegistries}). */
    public RegistryClient(Set<String> insecureRegistries) {
        this(InsecureRegistries.parse(List.copyOf(insecureRegistries)));
    }

    public RegistryClient(InsecureRegistries insecure) {
        this.insecure = insecure;
    }

    /** A session on one repository of {@code ref}'s registry, for pulling or also pushing. */
    public RegistryRepository repository(ImageReference ref, RegistryAuth auth, boolean push) throws IOException {
        URI base = base(ref.domain());
        return new RegistryRepository(this, base, ref.path(), auth, push);
    }

    synchronized HttpClient http() {
        if (http == null)
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .build();
        return http;
    }

    /** The registry's base URI, found by Docker's ping ({@code GET /v2/}): any answer means it speaks v2. */
    private URI base(String domain) throws IOException {
        URI known = bases.get(domain);
        if (known != null) return known;
        String host = domain.equals(ImageReference.DEFAULT_DOMAIN) ? "registry-1.docker.io" : domain;
        URI https = URI.create("https://" + host + "/");
        try {
            ping(https);
            bases.put(domain, https);
            return https;
        } catch (IOException e) {
            if (!isInsecure(domain)) throw new IOException("Get \"" + https.resolve("/v2/") + "\": " + describe(e), e);
            URI plain = URI.create("http://" + host + "/");
            try {
                ping(plain);
            } catch (IOException e2) {
                throw new IOException("Get \"" + plain.resolve("/v2/") + "\": " + describe(e2), e2);
            }
            bases.put(domain, plain);
            return plain;
        }
    }

    private void ping(URI base) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v2/"))
                .timeout(CONNECT_TIMEOUT)
                .GET()
                .build();
        try {
            http().send(req, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Docker's rule: listed hosts (host or host:port), CIDRs and loopback registries may speak plain HTTP. */
    boolean isInsecure(String domain) {
        return insecure.allows(domain);
    }

    public InsecureRegistries insecure() {
        return insecure;
    }

    static String hostOf(String domain) {
        if (domain.startsWith("[")) return domain.substring(1, domain.indexOf(']'));
        int c = domain.lastIndexOf(':');
        return c < 0 ? domain : domain.substring(0, c);
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) m = e.getClass().getSimpleName();
        if (e instanceof ConnectException) m = "dial tcp: connect: connection refused";
        // the JDK's words for a first record that is no TLS ("Unrecognized SSL message, plaintext connection?"); Go's
        // client (dockerd) sees "HTTP/" and says so
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof SSLException s
                    && s.getMessage() != null
                    && s.getMessage().toLowerCase(Locale.ROOT).contains("unrecognized ssl message"))
                return "http: server gave HTTP response to HTTPS client";
        return m;
    }

    static String form(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (f.getValue() == null) continue;
            if (!b.isEmpty()) b.append('&');
            b.append(URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(f.getValue(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
