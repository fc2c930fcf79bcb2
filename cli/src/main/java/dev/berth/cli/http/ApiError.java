package dev.berth.cli.http;

/** An error answer of the daemon: its HTTP status and the {@code message} of its JSON body. */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public boolean notFound() {
        return status == 404;
    }
}
