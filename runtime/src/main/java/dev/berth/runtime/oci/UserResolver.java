package dev.berth.runtime.oci;

import dev.berth.model.BerthException.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves docker's {@code -u} ({@code name}, {@code uid}, {@code name:group}, {@code uid:gid}, mixed) and
 * {@code --group-add} against the image's /etc/passwd and /etc/group, as Docker does: a numeric id needs
 * no entry, a name does; a user found in passwd gets its primary group, home and, unless the group is
 * given explicitly, the groups that list it as a member. Errors are worded as Docker's.
 */
public final class UserResolver {
    private static final String FIELD = "Config.User";
    private static final String RANGE = "uids and gids must be in range 0-" + ProcessUser.MAX_ID;

    /** The identity and the home folder (HOME when the environment has none); home is "/" without a passwd entry. */
    public record Resolved(ProcessUser user, String home) {}

    private record PasswdEntry(String name, long uid, long gid, String home) {}

    private record GroupEntry(String name, long gid, List<String> members) {}

    private final Function<String, Optional<byte[]>> imageFiles;

    /** @param imageFiles reads a file of the image by absolute path ({@code /etc/passwd}); empty when absent */
    public UserResolver(Function<String, Optional<byte[]>> imageFiles) {
        this.imageFiles = imageFiles;
    }

    /** {@code -u} (null or empty: root) with {@code --group-add} names or gids. */
    public Resolved resolve(String userSpec, List<String> groupAdd) {
        String spec = userSpec == null ? "" : userSpec.strip();
        int colon = spec.indexOf(':');
        String userArg = colon < 0 ? spec : spec.substring(0, colon);
        String groupArg = colon < 0 ? "" : spec.substring(colon + 1);
        Long uidArg = number(userArg);
        Long gidArg = number(groupArg);
        Optional<List<PasswdEntry>> passwd = imageFiles.apply("/etc/passwd").map(UserResolver::passwd);
        Optional<List<GroupEntry>> group = imageFiles.apply("/etc/group").map(UserResolver::group);

        long uid = 0;
        long gid = 0;
        String home = "/";
        PasswdEntry match = null;
        for (PasswdEntry p : passwd.orElse(List.of())) {
            boolean hit = userArg.isEmpty()
                    ? p.uid() == 0
                    : uidArg != null ? p.uid() == uidArg : p.name().equals(userArg);
            if (hit) {
                match = p;
                break;
            }
        }
        if (match != null) {
            uid = match.uid();
            gid = match.gid();
            home = match.home();
        } else if (!userArg.isEmpty()) {
            if (uidArg == null)
                throw new InvalidRequest(
                        FIELD, "unable to find user " + userArg + ": no matching entries in passwd file");
            uid = checkRange(uidArg);
        }

        List<Long> groups = new ArrayList<>();
        if (!groupArg.isEmpty()) {
            GroupEntry g = null;
            for (GroupEntry e : group.orElse(List.of())) {
                if (gidArg != null ? e.gid() == gidArg : e.name().equals(groupArg)) {
                    g = e;
                    break;
                }
            }
            if (g != null) gid = g.gid();
            else if (gidArg == null)
                throw new InvalidRequest(
                        FIELD, "unable to find group " + groupArg + ": no matching entries in group file");
            else gid = checkRange(gidArg);
        } else if (match != null) {
            // Supplementary groups only in the implicit form, as runc's user lookup does.
            for (GroupEntry e : group.orElse(List.of())) {
                if (e.members().contains(match.name()) && !groups.contains(e.gid())) groups.add(e.gid());
            }
        }
        for (String add : groupAdd == null ? List.<String>of() : groupAdd) {
            long g = additionalGroup(add, group.orElse(List.of()));
            if (!groups.contains(g)) groups.add(g);
        }
        return new Resolved(new ProcessUser(uid, gid, groups), home);
    }

    private static long additionalGroup(String add, List<GroupEntry> groups) {
        String name = add == null ? "" : add.strip();
        for (GroupEntry e : groups) if (e.name().equals(name)) return e.gid();
        Long n = number(name);
        if (n == null)
            throw new InvalidRequest(
                    "HostConfig.GroupAdd", "Unable to find group " + name + ": no matching entries in group file");
        if (n < 0 || n > ProcessUser.MAX_ID) throw new InvalidRequest("HostConfig.GroupAdd", RANGE + ": " + name);
        return n;
    }

    private static long checkRange(long id) {
        if (id < 0 || id > ProcessUser.MAX_ID) throw new InvalidRequest(FIELD, RANGE);
        return id;
    }

    /** Go's Atoi: optional sign, decimal digits; anything else is a name. */
    private static Long number(String s) {
        if (!s.matches("[+-]?[0-9]{1,18}")) return null;
        return Long.parseLong(s);
    }

    private static List<PasswdEntry> passwd(byte[] file) {
        List<PasswdEntry> out = new ArrayList<>();
        for (String[] f : rows(file)) {
            // name:password:uid:gid:gecos:home:shell
            Long uid = f.length > 2 ? number(f[2]) : null;
            Long gid = f.length > 3 ? number(f[3]) : null;
            if (uid == null) continue;
            out.add(new PasswdEntry(f[0], uid, gid == null ? 0 : gid, f.length > 5 && !f[5].isEmpty() ? f[5] : "/"));
        }
        return out;
    }

    private static List<GroupEntry> group(byte[] file) {
        List<GroupEntry> out = new ArrayList<>();
        for (String[] f : rows(file)) {
            // name:password:gid:member,member
            Long gid = f.length > 2 ? number(f[2]) : null;
            if (gid == null) continue;
            List<String> members = new ArrayList<>();
            if (f.length > 3) for (String m : f[3].split(",")) if (!m.isBlank()) members.add(m.strip());
            out.add(new GroupEntry(f[0], gid, members));
        }
        return out;
    }

    private static List<String[]> rows(byte[] file) {
        List<String[]> out = new ArrayList<>();
        for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            out.add(l.split(":", -1));
        }
        return out;
    }
}
