package dev.berth.runtime.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An image's HEALTHCHECK: {@code Test} is {@code ["NONE"]}, {@code ["CMD", args...]} or
 * {@code ["CMD-SHELL", command]}; durations are nanoseconds, 0 meaning "inherit".
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HealthConfig(
        @JsonProperty("Test") List<String> test,
        @JsonProperty("Interval") Long interval,
        @JsonProperty("Timeout") Long timeout,
        @JsonProperty("StartPeriod") Long startPeriod,
        @JsonProperty("StartInterval") Long startInterval,
        @JsonProperty("Retries") Integer retries) {}
