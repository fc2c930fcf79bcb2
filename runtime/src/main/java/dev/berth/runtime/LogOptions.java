package dev.berth.runtime;
import java.time.Instant;
public record LogOptions(boolean follow, Instant since, Instant until, int tail, boolean timestamps, boolean stdout, boolean stderr) {}
