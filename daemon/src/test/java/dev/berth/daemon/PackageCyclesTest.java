package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which Berth package uses which, read from the compiled classes of every module on this test's class path
 * (the class files' constant pools, as jdeps reads them): a package cycle fails the build.
 */
class PackageCyclesTest {
    private static final Pattern DESCRIPTOR_TYPE = Pattern.compile("L(dev/berth/[\\w/$]+)[;<]");
    private static Map<String, Map<String, Set<String>>> uses; // package -> package -> classes that use it

    @BeforeAll
    static void readClasses() throws IOException {
        uses = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && !p.endsWith("test-classes")) readDirectory(p);
            else if (p.getFileName().toString().matches("berth-[a-z]+-[^-]+(-SNAPSHOT)?\\.jar")) readJar(p);
        }
        assertTrue(uses.containsKey("dev.berth.engine"), "the engine's classes are on the class path");
    }

    @Test
    void containersDoNotUseTheApi() {
        Set<String> by = uses.getOrDefault("dev.berth.daemon.containers", Map.of())
                .getOrDefault("dev.berth.daemon.api", Set.of());
        assertEquals(Set.of(), by, "dev.berth.daemon.containers uses dev.berth.daemon.api in these classes");
        for (Set<String> cycle : cycles())
            assertFalse(
                    cycle.contains("dev.berth.daemon.containers"),
                    "dev.berth.daemon.containers is in a cycle:\n" + explain(cycle));
    }

    @Test
    void modelUsesNoOtherBerthPackage() {
        for (var e : uses.entrySet())
            if (e.getKey().startsWith("dev.berth.model"))
                for (String to : e.getValue().keySet())
                    assertTrue(
                            to.startsWith("dev.berth.model"),
                            e.getKey() + " uses " + to + ": " + e.getValue().get(to));
    }

    @Test
    void noPackageCycle() {
        StringBuilder found = new StringBuilder();
        for (Set<String> cycle : cycles())
            found.append("a package cycle: ").append(cycle).append('\n').append(explain(cycle));
        assertTrue(found.isEmpty(), found.toString());
    }

    @Test
    void theCheckSeesACycle() {
        Map<String, Map<String, Set<String>>> saved = uses;
        try {
            uses = new TreeMap<>(Map.of("a", Map.of("b", Set.of("a.X")), "b", Map.of("a", Set.of("b.Y"))));
            assertEquals(List.of(Set.of("a", "b")), cycles());
        } finally {
            uses = saved;
        }
    }

    /** The strongly connected components of more than one package (Tarjan). */
    private static List<Set<String>> cycles() {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> out = new ArrayList<>();
        for (String p : uses.keySet()) if (!index.containsKey(p)) connect(p, index, low, stack, out);
        return out;
    }

    private static void connect(
            String p,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<Set<String>> out) {
        index.put(p, index.size());
        low.put(p, index.get(p));
        stack.push(p);
        for (String q : uses.getOrDefault(p, Map.of()).keySet()) {
            if (!index.containsKey(q)) {
                connect(q, index, low, stack, out);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (stack.contains(q)) low.put(p, Math.min(low.get(p), index.get(q)));
        }
        if (low.get(p).equals(index.get(p))) {
            Set<String> scc = new TreeSet<>();
            String q;
            do {
                q = stack.pop();
                scc.add(q);
            } while (!q.equals(p));
            if (scc.size() > 1) out.add(scc);
        }
    }

    private static String explain(Set<String> cycle) {
        StringBuilder b = new StringBuilder();
        for (String from : cycle)
            for (var to : uses.getOrDefault(from, Map.of()).entrySet())
                if (cycle.contains(to.getKey()))
                    b.append("  ")
                            .append(from)
                            .append(" -> ")
                            .append(to.getKey())
                            .append(" in ")
                            .append(to.getValue())
                            .append('\n');
        return b.toString();
    }

    private static void readDirectory(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) read(Files.readAllBytes(f));
        }
    }

    private static void readJar(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            for (var e : j.stream().filter(e -> e.getName().endsWith(".class")).toList())
                try (var in = j.getInputStream(e)) {
                    read(in.readAllBytes());
                }
        }
    }

    private static void read(byte[] bytes) {
        ClassModel c = ClassFile.of().parse(bytes);
        String self = c.thisClass().asInternalName();
        String from = packageOf(self);
        if (!from.startsWith("dev.berth.") || from.startsWith("dev.berth.runtime.containerd.api")) return;
        Set<String> types = new TreeSet<>();
        for (PoolEntry e : c.constantPool()) {
            if (e instanceof ClassEntry ce) types.add(ce.asInternalName());
            else if (e instanceof Utf8Entry u) {
                Matcher m = DESCRIPTOR_TYPE.matcher(u.stringValue());
                while (m.find()) types.add(m.group(1));
            }
        }
        for (String t : types) {
            String to = packageOf(t);
            if (to.startsWith("dev.berth.") && !to.equals(from))
                uses.computeIfAbsent(from, k -> new TreeMap<>())
                        .computeIfAbsent(to, k -> new TreeSet<>())
                        .add(self.substring(self.lastIndexOf('/') + 1));
        }
        uses.computeIfAbsent(from, k -> new TreeMap<>());
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }
}
