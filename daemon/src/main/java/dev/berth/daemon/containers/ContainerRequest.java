package dev.berth.daemon.containers;

import java.util.List;

/**
 * A validated {@code POST /containers/create}: the container as the client asked for it, before the
 * image's config is merged in.
 *
 * @param entrypoint the Entrypoint the client gave (an empty list: {@code --entrypoint ""}), or null for the image's
 * @param cmd        the Cmd the client gave, or null for the image's (dropped when the entrypoint is overridden)
 * @param warnings   what the request asked that Docker accepts but does not do, for the create answer's Warnings
 */
public record ContainerRequest(
        ContainerRecord draft, List<String> entrypoint, List<String> cmd, List<String> warnings) {}
