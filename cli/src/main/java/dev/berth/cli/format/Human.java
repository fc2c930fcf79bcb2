package dev.berth.cli.format;

import java.time.Duration;

/** Durations and truncations as docker prints them (go-units HumanDuration, the 12-hex short id). */
public final class Human {
    private Human() {}

    /** "Less than a second", "5 seconds", "About a minute", "3 hours", "2 weeks", ... */
    public static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = d.toHours();
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return hours / 24 / 365 + " years";
    }

    /** The first 12 characters of an id, after a {@code sha256:} prefix if any. */
    public static String shortId(String id) {
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    /** Cuts {@code s} to {@code max} characters, the last being an ellipsis. */
    public static String ellipsis(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
