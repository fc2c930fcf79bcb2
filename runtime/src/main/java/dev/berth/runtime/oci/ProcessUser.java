package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.util.List;

/**
 * The numeric identity a container's process runs as, already resolved (see {@link UserResolver}).
 *
 * @param uid            the user id
 * @param gid            the primary group id
 * @param additionalGids supplementary groups (from /etc/group and {@code --group-add})
 */
public record ProcessUser(long uid, long gid, List<Long> additionalGids) {
    static final long MAX_ID = 2147483647L;
    public static final ProcessUser ROOT = new ProcessUser(0, 0, List.of());

    public ProcessUser {
        if (uid < 0 || uid > MAX_ID)
            throw new InvalidRequest("Config.User", "uids and gids must be in range 0-" + MAX_ID + ": " + uid);
        if (gid < 0 || gid > MAX_ID)
            throw new InvalidRequest("Config.User", "uids and gids must be in range 0-" + MAX_ID + ": " + gid);
        additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
        for (long g : additionalGids) {
            if (g < 0 || g > MAX_ID)
                throw new InvalidRequest(
                        "HostConfig.GroupAdd", "uids and gids must be in range 0-" + MAX_ID + ": " + g);
        }
    }
}
