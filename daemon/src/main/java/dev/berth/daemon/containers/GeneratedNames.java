package dev.berth.daemon.containers;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Names for containers created without {@code --name}, shaped as Docker's ({@code adjective_noun}, e.g.
 * {@code steady_bollard}) so that {@code docker ps} reads as users know it; the nouns are things of a
 * harbour. A name already taken is drawn again; after a few draws a digit is appended, as Docker does.
 */
public final class GeneratedNames {
    private static final List<String> ADJECTIVES = List.of(
            "agile",
            "amber",
            "ardent",
            "bold",
            "brave",
            "brisk",
            "bright",
            "calm",
            "candid",
            "careful",
            "cheerful",
            "clever",
            "cosy",
            "crisp",
            "daring",
            "deft",
            "eager",
            "earnest",
            "easy",
            "fair",
            "faithful",
            "fearless",
            "fond",
            "frank",
            "gentle",
            "glad",
            "golden",
            "gracious",
            "hardy",
            "hearty",
            "honest",
            "humble",
            "jolly",
            "keen",
            "kind",
            "lively",
            "loyal",
            "lucid",
            "merry",
            "mild",
            "modest",
            "nimble",
            "noble",
            "patient",
            "plucky",
            "polite",
            "proud",
            "quiet",
            "quick",
            "ready",
            "robust",
            "sober",
            "solid",
            "stable",
            "steady",
            "stout",
            "sturdy",
            "sunny",
            "swift",
            "tidy",
            "trusty",
            "upbeat",
            "valiant",
            "vivid",
            "warm",
            "wise",
            "witty",
            "zesty");
    private static final List<String> NOUNS = List.of(
            "anchor",
            "barge",
            "beacon",
            "berth",
            "bollard",
            "bosun",
            "bow",
            "breakwater",
            "buoy",
            "cabin",
            "capstan",
            "cargo",
            "channel",
            "cleat",
            "compass",
            "crane",
            "current",
            "deck",
            "dinghy",
            "dock",
            "drydock",
            "ferry",
            "fender",
            "galley",
            "gangway",
            "harbour",
            "hawser",
            "helm",
            "hull",
            "jetty",
            "keel",
            "ketch",
            "lantern",
            "launch",
            "lighthouse",
            "lock",
            "mast",
            "mooring",
            "oar",
            "pier",
            "pilot",
            "port",
            "quay",
            "rope",
            "rudder",
            "sail",
            "schooner",
            "shore",
            "skiff",
            "slipway",
            "sloop",
            "spar",
            "stern",
            "tide",
            "tiller",
            "towpath",
            "trawler",
            "tug",
            "wake",
            "wharf",
            "winch",
            "yawl");
    private static final int PLAIN_DRAWS = 3;

    private final Random random;

    public GeneratedNames() {
        this(new SecureRandom());
    }

    GeneratedNames(Random random) {
        this.random = random;
    }

    /** A valid container name for which {@code taken} is false. */
    public String next(Predicate<String> taken) {
        for (int draw = 0; ; draw++) {
            String name =
                    ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(random.nextInt(NOUNS.size()));
            if (draw >= PLAIN_DRAWS) name += random.nextInt(10);
            if (!taken.test(name)) return name;
        }
    }
}
