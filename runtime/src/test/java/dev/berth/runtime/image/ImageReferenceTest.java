package dev.berth.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.model.BerthException;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void normalisesAsDocker() {
        assertEquals(
                "docker.io/library/busybox:latest",
                ImageReference.parse("busybox").withDefaultTag().toString());
        assertEquals(
                "docker.io/library/busybox:1.36",
                ImageReference.parse("busybox:1.36").toString());
        assertEquals(
                "docker.io/library/busybox",
                ImageReference.parse("index.docker.io/busybox").toString());
        assertEquals(
                "docker.io/user/app:v1", ImageReference.parse("user/app:v1").toString());
        ImageReference local = ImageReference.parse("localhost:5000/x:y");
        assertEquals("localhost:5000", local.domain());
        assertEquals("x", local.path());
        assertEquals("y", local.tag());
        assertEquals("localhost/x", ImageReference.parse("localhost/x").toString());
        assertEquals(
                "registry.example/a/b/c",
                ImageReference.parse("registry.example/a/b/c").toString());
        String d = "sha256:" + "a".repeat(64);
        ImageReference dig = ImageReference.parse("busybox@" + d);
        assertNull(dig.tag());
        assertEquals(d, dig.digest());
        assertEquals("busybox@" + d, dig.withDefaultTag().familiar());
        assertEquals(
                "busybox:latest",
                ImageReference.parse("docker.io/library/busybox")
                        .withDefaultTag()
                        .familiar());
        assertEquals("user/app", ImageReference.parse("user/app").familiarName());
        assertEquals(
                "localhost:5000/x", ImageReference.parse("localhost:5000/x").familiarName());
    }

    @Test
    void refusesWithDockersWords() {
        assertEquals("invalid reference format", refusal("::"));
        assertEquals("invalid reference format", refusal("busybox:"));
        assertEquals("invalid reference format", refusal("a b"));
        assertEquals("invalid reference format", refusal(""));
        assertEquals(
                "invalid reference format: repository name (library/Busybox) must be lowercase", refusal("Busybox"));
        assertEquals(
                "invalid repository name (" + "a".repeat(64) + "), cannot specify 64-byte hexadecimal strings",
                refusal("a".repeat(64)));
    }

    private static String refusal(String ref) {
        return assertThrows(BerthException.InvalidRequest.class, () -> ImageReference.parse(ref))
                .getMessage();
    }
}
