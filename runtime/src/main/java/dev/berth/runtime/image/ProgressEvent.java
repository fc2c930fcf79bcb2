package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Map;

/**
 * One message of Docker's JSON progress stream (what {@code docker pull} and {@code docker push} read):
 * a status line, optionally for one layer ({@code id}) with byte counts, an aux result, or an error.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProgressEvent(
        @JsonProperty("status") String status,
        @JsonProperty("progressDetail") Detail progressDetail,
        @JsonProperty("progress") String progress,
        @JsonProperty("id") String id,
        @JsonProperty("aux") Map<String, Object> aux,
        @JsonProperty("errorDetail") ErrorDetail errorDetail,
        @JsonProperty("error") String error,
        @JsonProperty("stream") String stream) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(
            @JsonProperty("current") Long current,
            @JsonProperty("total") Long total) {
        static final Detail NONE = new Detail(null, null);
    }

    public record ErrorDetail(@JsonProperty("message") String message) {}

    public static ProgressEvent status(String status) {
        return new ProgressEvent(status, null, null, null, null, null, null, null);
    }

    public static ProgressEvent layer(String id, String status) {
        return new ProgressEvent(status, Detail.NONE, null, id, null, null, null, null);
    }

    public static ProgressEvent bytes(String id, String status, long current, long total) {
        return new ProgressEvent(status, new Detail(current, total), bar(current, total), id, null, null, null, null);
    }

    public static ProgressEvent aux(Map<String, Object> aux) {
        return new ProgressEvent(null, Detail.NONE, null, null, aux, null, null, null);
    }

    /** A line of text ({@code docker load}'s "Loaded image: busybox:latest"), newline included. */
    public static ProgressEvent line(String text) {
        return new ProgressEvent(null, null, null, null, null, null, null, text + "\n");
    }

    public static ProgressEvent failure(String message) {
        return new ProgressEvent(null, null, null, null, null, new ErrorDetail(message), message, null);
    }

    /** Docker's progress text for a wide terminal: {@code [=====>        ]  1.2MB/2.2MB}. */
    static String bar(long current, long total) {
        if (total <= 0) return String.format("%8s", humanSize(current));
        int pct = (int) ((double) current / total * 100) / 2;
        if (pct > 50) pct = 50;
        return "[" + "=".repeat(pct) + ">" + " ".repeat(Math.max(0, 50 - pct)) + "] "
                + String.format("%8s/%s", humanSize(current), humanSize(total));
    }

    /** go-units' HumanSize: decimal units, four significant digits. */
    public static String humanSize(double size) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int i = 0;
        while (size >= 1000 && i < units.length - 1) {
            size /= 1000;
            i++;
        }
        return goG4(size) + units[i];
    }

    /** Go's {@code %.4g}: four significant digits, trailing zeros dropped. */
    private static String goG4(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e")) return s;
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }
}
