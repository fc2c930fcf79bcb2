package dev.berth.runtime.oci;

/** Which seccomp filter a container gets: Berth's default profile, or none ({@code --security-opt seccomp=unconfined}). */
public enum SeccompMode {
    DEFAULT,
    UNCONFINED
}
