package dev.berth.runtime;
import java.nio.file.Path;
public record RuntimeConfig(Path containerdSocket, Path stateDir, Path runDir, String namespace, String cgroupParent, String snapshotter) {}
