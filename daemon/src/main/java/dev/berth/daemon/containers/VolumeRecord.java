package dev.berth.daemon.containers;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A volume of the local driver as berthd keeps it ({@code volumes/NAME/volume.json}, the data in
 * {@code volumes/NAME/_data}). Anonymous volumes carry Docker's label {@value #ANONYMOUS}: a default
 * {@code docker volume prune} removes only those.
 *
 * @param options the DriverOpts given at create (null: none given; the local driver here takes none)
 */
public record VolumeRecord(
        String name, String driver, Map<String, String> labels, Map<String, String> options, Instant created) {
    public static final String ANONYMOUS = "com.docker.volume.anonymous";

    public VolumeRecord {
        labels = labels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        options = options == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    public boolean anonymous() {
        return labels != null && labels.containsKey(ANONYMOUS);
    }

    public Map<String, String> labelsOrEmpty() {
        return labels == null ? Map.of() : labels;
    }
}
