package dev.berth.runtime.image;

/** A registry refused or failed a request; {@link #error} says what it answered. */
public final class RegistryException extends RuntimeException {
    private final RegistryError error;

    RegistryException(RegistryError error) {
        super(error.toString(), null, false, false);
        this.error = error;
    }

    public RegistryError error() {
        return error;
    }
}
