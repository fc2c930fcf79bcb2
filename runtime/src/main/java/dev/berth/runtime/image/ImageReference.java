package dev.berth.runtime.image;

import dev.berth.model.BerthException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference normalised as Docker normalises it: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, {@code localhost:5000/x:y} keeps its registry, and a
 * {@code @sha256:...} digest may stand with or without a tag. {@code tag} and {@code digest} may be null.
 */
public record ImageReference(String domain, String path, String tag, String digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final String LEGACY_DOMAIN = "index.docker.io";
    private static final int NAME_MAX = 255;

    // distribution/reference's grammar
    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN =
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
    private static final Pattern REFERENCE = Pattern.compile("^((?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/"
            + PATH_COMPONENT + ")*)(?::(" + TAG + "))?(?:@(" + DIGEST + "))?$");
    private static final Pattern ID = Pattern.compile("^[a-f0-9]{64}$");
    private static final Pattern TAG_ONLY = Pattern.compile("^" + TAG + "$");

    /** Docker's {@code ParseNormalizedNamed}: the form every API path and CLI argument goes through. */
    public static ImageReference parse(String s) {
        if (s == null || s.isEmpty()) throw invalid("invalid reference format");
        if (ID.matcher(s).matches())
            throw invalid("invalid repository name (" + s + "), cannot specify 64-byte hexadecimal strings");
        int slash = s.indexOf('/');
        String domain;
        String remainder;
        String first = slash < 0 ? "" : s.substring(0, slash);
        if (slash < 0
                || (!first.contains(".")
                        && !first.contains(":")
                        && !first.equals("localhost")
                        && first.toLowerCase(Locale.ROOT).equals(first))) {
            domain = DEFAULT_DOMAIN;
            remainder = s;
        } else {
            domain = first;
            remainder = s.substring(slash + 1);
        }
        if (domain.equals(LEGACY_DOMAIN)) domain = DEFAULT_DOMAIN;
        if (domain.equals(DEFAULT_DOMAIN) && !remainder.contains("/")) remainder = "library/" + remainder;
        String remoteName = remainder;
        int at = remoteName.indexOf('@');
        if (at >= 0) remoteName = remoteName.substring(0, at);
        int colon = remoteName.indexOf(':');
        if (colon >= 0) remoteName = remoteName.substring(0, colon);
        if (!remoteName.toLowerCase(Locale.ROOT).equals(remoteName))
            throw invalid("invalid reference format: repository name (" + remoteName + ") must be lowercase");
        Matcher m = REFERENCE.matcher(domain + "/" + remainder);
        if (!m.matches()) throw invalid("invalid reference format");
        String name = m.group(1);
        if (name.length() > NAME_MAX)
            throw invalid("repository name must not be more than " + NAME_MAX + " characters");
        return new ImageReference(domain, name.substring(domain.length() + 1), m.group(2), m.group(3));
    }

    /** A tag as {@code docker tag} takes it after the colon. */
    public static boolean validTag(String tag) {
        return TAG_ONLY.matcher(tag).matches();
    }

    /** True for a 64-hex image id (with or without {@code sha256:}), which Docker refuses as a name. */
    public static boolean isFullId(String s) {
        return ID.matcher(s.startsWith("sha256:") ? s.substring(7) : s).matches();
    }

    /** {@code docker.io/library/busybox}: registry and repository. */
    public String name() {
        return domain + "/" + path;
    }

    /** The same reference with {@code :latest} when it has neither tag nor digest (Docker's TagNameOnly). */
    public ImageReference withDefaultTag() {
        return tag == null && digest == null ? new ImageReference(domain, path, DEFAULT_TAG, null) : this;
    }

    public ImageReference withTag(String t) {
        return new ImageReference(domain, path, t, null);
    }

    public ImageReference withDigest(String d) {
        return new ImageReference(domain, path, null, d);
    }

    /** Docker's familiar name: {@code busybox} for {@code docker.io/library/busybox}. */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) return name();
        return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }

    /** Docker's FamiliarString: familiar name with tag and digest. */
    public String familiar() {
        return familiarName() + suffix();
    }

    private String suffix() {
        return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    @Override
    public String toString() {
        return name() + suffix();
    }

    private static BerthException.InvalidRequest invalid(String message) {
        return BerthException.InvalidRequest.verbatim("reference", message);
    }
}
