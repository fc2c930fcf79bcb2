package dev.berth.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.engine.BerthException;
import dev.berth.engine.BerthException.InvalidRequest;
import dev.berth.runtime.sys.ProcStat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad specs are refused with the field at fault; defaults are Docker's. */
class SpecCheckTest {

    private static ContainerSpec spec(String id, String name, String hostname, Path netns, List<String> cmd,
                                      Map<String, String> env, String wd) {
        return new ContainerSpec(id, name, hostname, netns, netns != null, cmd, env, wd, null, null);
    }

    private static String field(ContainerSpec s) {
        return assertThrows(InvalidRequest.class, () -> SpecCheck.normalize(s)).field();
    }

    @Test
    void eachBadFieldIsNamed() {
        List<String> cmd = List.of("true");
        assertEquals("id", field(spec("../x", "n", null, null, cmd, null, null)));
        assertEquals("name", field(spec("a", "bad name", null, null, cmd, null, null)));
        assertEquals("hostname", field(spec("a", "n", "bad host", null, cmd, null, null)));
        assertEquals("netnsPath", field(spec("a", "n", null, Path.of("/run/netns/berth-no-such-ns"), cmd, null, null)));
        assertEquals("command", field(spec("a", "n", null, null, List.of(), null, null)));
        assertEquals("command[0]", field(spec("a", "n", null, null, List.of(""), null, null)));
        assertEquals("command[1]", field(spec("a", "n", null, null, Arrays.asList("echo", null), null, null)));
        assertEquals("env", field(spec("a", "n", null, null, cmd, Map.of("A=B", "c"), null)));
        assertEquals("workingDir", field(spec("a", "n", null, null, cmd, null, "relative")));
        InvalidRequest e = assertThrows(InvalidRequest.class, () -> SpecCheck.normalize(spec("a", "n", null, null, cmd, null, "/no/such/dir")));
        assertTrue(e.getMessage().contains("host's filesystem"), e.getMessage());
    }

    @Test
    void defaultsAreDockers() {
        ContainerSpec s = SpecCheck.normalize(spec("0123456789abcdef", "web", null, null, List.of("true"), Map.of("A", "1"), null));
        assertEquals("0123456789ab", s.hostname());
        assertEquals("/", s.workingDir());
        assertEquals(SpecCheck.DEFAULT_PATH, s.env().get("PATH"));
        assertEquals("0123456789ab", s.env().get("HOSTNAME"));
        assertEquals("/root", s.env().get("HOME"));
        assertEquals("1", s.env().get("A"));
        assertTrue(s.hosts().startsWith("127.0.0.1\tlocalhost\n"));
    }

    @Test
    void duplicatesAreConflicts() throws Exception {
        try (RunDir rt = new RunDir()) {
            rt.sup.create(RunDir.spec("d1", null, "true"));
            assertThrows(BerthException.Conflict.class, () -> rt.sup.create(RunDir.spec("d1", null, "true")));
            ContainerSpec sameName = new ContainerSpec("d2", "n-d1", null, null, false, List.of("true"), null, null, null, null);
            BerthException e = assertThrows(BerthException.Conflict.class, () -> rt.sup.create(sameName));
            assertTrue(e.getMessage().contains("already in use by container d1"), e.getMessage());
            assertThrows(BerthException.NotFound.class, () -> rt.sup.start("nope"));
            BerthException busy = assertThrows(BerthException.Conflict.class, () -> Supervisor.open(rt.runDir));
            assertTrue(busy.getMessage().contains("in use by another supervisor"), busy.getMessage());
        }
    }

    @Test
    void procStatSurvivesOddCommandNames() {
        ProcStat s = ProcStat.parse("4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10");
        assertEquals(4242, s.pid());
        assertEquals('S', s.state());
        assertEquals(1, s.ppid());
        assertEquals(987654, s.startTime());
        assertTrue(ProcStat.alive(ProcessHandle.current().pid(), ProcStat.read(ProcessHandle.current().pid()).orElseThrow().startTime()));
    }
}
