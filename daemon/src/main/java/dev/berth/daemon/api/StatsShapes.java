package dev.berth.daemon.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Docker's stats JSON (the cgroup v1 shape) as records: what {@code docker stats} reads. */
public final class StatsShapes {
    private StatsShapes() {}

    public record Stats(
            @JsonProperty("read") String read,
            @JsonProperty("preread") String preread,
            @JsonProperty("pids_stats") PidsStats pidsStats,
            @JsonProperty("blkio_stats") BlkioStats blkioStats,
            @JsonProperty("num_procs") int numProcs,
            @JsonProperty("storage_stats") Map<String, Object> storageStats,
            @JsonProperty("cpu_stats") CpuStats cpuStats,
            @JsonProperty("precpu_stats") CpuStats precpuStats,
            @JsonProperty("memory_stats") MemoryStats memoryStats,
            @JsonProperty("name") String name,
            @JsonProperty("id") String id,
            @JsonProperty("networks") Map<String, NetworkStats> networks) {}

    public record PidsStats(
            @JsonProperty("current") long current,
            @JsonProperty("limit") long limit) {}

    public record BlkioEntry(
            @JsonProperty("major") long major,
            @JsonProperty("minor") long minor,
            @JsonProperty("op") String op,
            @JsonProperty("value") long value) {}

    public record BlkioStats(
            @JsonProperty("io_service_bytes_recursive") List<BlkioEntry> ioServiceBytesRecursive,
            @JsonProperty("io_serviced_recursive") List<BlkioEntry> ioServicedRecursive,
            @JsonProperty("io_queue_recursive") List<BlkioEntry> ioQueueRecursive,
            @JsonProperty("io_service_time_recursive") List<BlkioEntry> ioServiceTimeRecursive,
            @JsonProperty("io_wait_time_recursive") List<BlkioEntry> ioWaitTimeRecursive,
            @JsonProperty("io_merged_recursive") List<BlkioEntry> ioMergedRecursive,
            @JsonProperty("io_time_recursive") List<BlkioEntry> ioTimeRecursive,
            @JsonProperty("sectors_recursive") List<BlkioEntry> sectorsRecursive) {}

    public record CpuUsage(
            @JsonProperty("total_usage") long totalUsage,
            @JsonProperty("percpu_usage") List<Long> percpuUsage,
            @JsonProperty("usage_in_kernelmode") long usageInKernelmode,
            @JsonProperty("usage_in_usermode") long usageInUsermode) {}

    public record Throttling(
            @JsonProperty("periods") long periods,
            @JsonProperty("throttled_periods") long throttledPeriods,
            @JsonProperty("throttled_time") long throttledTime) {}

    public record CpuStats(
            @JsonProperty("cpu_usage") CpuUsage cpuUsage,
            @JsonProperty("system_cpu_usage") long systemCpuUsage,
            @JsonProperty("online_cpus") int onlineCpus,
            @JsonProperty("throttling_data") Throttling throttlingData) {
        public static final CpuStats ZERO = new CpuStats(new CpuUsage(0, null, 0, 0), 0, 0, new Throttling(0, 0, 0));
    }

    public record MemoryStats(
            @JsonProperty("usage") long usage,
            @JsonProperty("max_usage") long maxUsage,
            @JsonProperty("stats") Map<String, Long> stats,
            @JsonProperty("failcnt") long failcnt,
            @JsonProperty("limit") long limit) {}

    public record NetworkStats(
            @JsonProperty("rx_bytes") long rxBytes,
            @JsonProperty("rx_packets") long rxPackets,
            @JsonProperty("rx_errors") long rxErrors,
            @JsonProperty("rx_dropped") long rxDropped,
            @JsonProperty("tx_bytes") long txBytes,
            @JsonProperty("tx_packets") long txPackets,
            @JsonProperty("tx_errors") long txErrors,
            @JsonProperty("tx_dropped") long txDropped) {}

    /** {@code GET /containers/{id}/top}. */
    public record Top(
            @JsonProperty("Titles") List<String> titles,
            @JsonProperty("Processes") List<List<String>> processes) {}
}
