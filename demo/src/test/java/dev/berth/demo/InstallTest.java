package dev.berth.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.lab.Commands;
import dev.berth.lab.ExecResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code make install} and {@code make uninstall} into a DESTDIR, as {@code make package} stages its tree:
 * every file where the GNU variables put it, launchers that point at the bundled runtime and jars, a
 * runtime that starts berthd and berth without a JDK, a unit that runs berthd with the config installed,
 * and nothing left after uninstall.
 */
class InstallTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private Path dest;

    @BeforeEach
    void makeDestdir() throws IOException {
        dest = Files.createTempDirectory("berth-destdir-");
    }

    @AfterEach
    void removeDestdir() throws IOException {
        try (Stream<Path> s = Files.walk(dest)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** bin/berth of the checkout says the version scripts/version gives (the CLI is built before this module). */
    @Test
    void checkoutBerthSaysTheOneVersion() {
        String version = Commands.run(List.of(ROOT.resolve("scripts/version").toString()))
                .check()
                .stdout()
                .strip();
        ExecResult cli =
                Commands.run(List.of(ROOT.resolve("bin/berth").toString(), "--version"), Duration.ofMinutes(5), null);
        assertEquals("berth version " + version, cli.stdout().strip(), cli.stderr());
    }

    @Test
    void installsIntoDestdirAndUninstallsEverything() throws IOException {
        ExecResult in = make("install");
        assertEquals(0, in.exitCode(), in.stderr());
        String version = Commands.run(List.of(ROOT.resolve("scripts/version").toString()))
                .check()
                .stdout()
                .strip();

        Path bin = dest.resolve("opt/b/bin"), lib = dest.resolve("opt/b/lib/berth");
        for (Path p : List.of(
                bin.resolve("berthd"),
                bin.resolve("berth"),
                lib.resolve("runtime/bin/java"),
                lib.resolve("scripts/berthd-launcher"),
                lib.resolve("scripts/cli-launcher")))
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        assertEquals(version, Files.readString(lib.resolve("VERSION")).strip());
        assertTrue(Files.exists(dest.resolve("opt/b/share/doc/berth/README.md")));

        // the launchers name the installed paths (not DESTDIR, not the checkout) and the state directory given
        String berthd = Files.readString(bin.resolve("berthd"));
        assertTrue(berthd.contains("env_file=/srv/v/cache/berth/berthd.env"), berthd);
        assertTrue(berthd.contains("BERTHD_JAVA=/opt/b/lib/berth/runtime/bin/java"), berthd);
        assertTrue(!berthd.contains(dest.toString()) && !berthd.contains(ROOT.toString()), berthd);
        String unit = Files.readString(dest.resolve("opt/b/lib/systemd/system/berthd.service"));
        assertTrue(unit.contains("\nExecStart=/opt/b/bin/berthd --config /srv/e/berth/berthd.json\n"), unit);
        assertTrue(unit.contains("\nKillMode=process\n"), unit);
        assertTrue(unit.contains("\nSuccessExitStatus=143\n"), unit);
        String socketUnit = Files.readString(dest.resolve("opt/b/lib/systemd/system/berthd.socket"));
        assertTrue(
                socketUnit.contains("\nListenStream=/run/berth/berth.sock\n")
                        && socketUnit.contains("\nSocketGroup=berth\n"),
                socketUnit);
        String config = Files.readString(dest.resolve("srv/e/berth/berthd.json"));
        assertTrue(config.contains("\"socket\": \"/run/berth/berth.sock\""), config);
        assertTrue(Files.readString(dest.resolve("opt/b/share/bash-completion/completions/berth"))
                .contains("complete -F"));

        // the bundled runtime (no JDK) runs both programs from the installed jars
        String cp = between(berthd, "scripts/berthd-launcher \"", "\"").replace("/opt/b/", dest + "/opt/b/");
        ExecResult daemon = Commands.run(
                List.of(lib.resolve("runtime/bin/java").toString(), "-cp", cp, "dev.berth.daemon.Berthd", "--version"));
        assertEquals(
                "berthd version " + version + " (Docker Engine API 1.50)",
                daemon.stdout().strip(),
                daemon.stderr());
        // the config berthd is given by the unit parses (a bad one is refused naming the file)
        Path bad = dest.resolve("bad.json");
        Files.writeString(bad, "{\"socket\": 5}");
        ExecResult refused = Commands.run(List.of(
                lib.resolve("runtime/bin/java").toString(),
                "-cp",
                cp,
                "dev.berth.daemon.Berthd",
                "--config",
                bad.toString()));
        assertEquals(2, refused.exitCode(), refused.stderr());
        assertTrue(refused.stderr().contains(bad + ": socket: expected a string, got 5"), refused.stderr());

        ExecResult out = make("uninstall");
        assertEquals(0, out.exitCode(), out.stderr());
        List<Path> left = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dest)) {
            s.filter(Files::isRegularFile).filter(p -> !p.equals(bad)).forEach(left::add);
        }
        assertEquals(List.of(), left, "files left after make uninstall");
    }

    private ExecResult make(String target) {
        List<String> c = List.of(
                "make",
                "-s",
                "-C",
                ROOT.toString(),
                target,
                "DESTDIR=" + dest,
                "PREFIX=/opt/b",
                "SYSCONFDIR=/srv/e",
                "LOCALSTATEDIR=/srv/v",
                "BUILD=");
        return Commands.run(c, Duration.ofMinutes(3), null);
    }

    private static String between(String s, String start, String end) {
        int i = s.indexOf(start) + start.length();
        return s.substring(i, s.indexOf(end, i));
    }
}
