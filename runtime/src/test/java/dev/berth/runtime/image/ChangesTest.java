package dev.berth.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.model.BerthException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangesTest {

    @Test
    void appliesDockerfileLikeChanges() {
        ContainerConfig c = Changes.apply(
                null,
                List.of(
                        "CMD [\"httpd\", \"-f\", \"-p\", \"80\"]",
                        "ENV PATH=/usr/bin:/bin GREETING=\"hello world\"",
                        "ENV LEGACY some value",
                        "EXPOSE 80 53/udp 8000-8001",
                        "WORKDIR /srv",
                        "WORKDIR www",
                        "USER nobody",
                        "LABEL org.example.role=web \"quoted key\"='a b'",
                        "VOLUME [\"/data\", \"/logs\"]",
                        "STOPSIGNAL SIGQUIT",
                        "HEALTHCHECK --interval=30s --retries=3 CMD wget -q localhost"));
        assertEquals(List.of("httpd", "-f", "-p", "80"), c.cmd());
        assertEquals(List.of("PATH=/usr/bin:/bin", "GREETING=hello world", "LEGACY=some value"), c.env());
        assertEquals(
                List.of("80/tcp", "53/udp", "8000/tcp", "8001/tcp"),
                List.copyOf(c.exposedPorts().keySet()));
        assertEquals("/srv/www", c.workingDir());
        assertEquals("nobody", c.user());
        assertEquals(Map.of("org.example.role", "web", "quoted key", "a b"), c.labels());
        assertEquals(List.of("/data", "/logs"), List.copyOf(c.volumes().keySet()));
        assertEquals("SIGQUIT", c.stopSignal());
        assertEquals(List.of("CMD-SHELL", "wget -q localhost"), c.healthcheck().test());
        assertEquals(30_000_000_000L, c.healthcheck().interval());
        assertEquals(3, c.healthcheck().retries());
    }

    @Test
    void shellFormAndEntrypointResetsCmd() {
        ContainerConfig c = Changes.apply(ContainerConfig.EMPTY.withCmd(List.of("sh")), List.of("ENTRYPOINT top -b"));
        assertEquals(List.of("/bin/sh", "-c", "top -b"), c.entrypoint());
        assertNull(c.cmd());
        c = Changes.apply(null, List.of("CMD [\"-b\"]", "ENTRYPOINT [\"top\"]"));
        assertEquals(List.of("-b"), c.cmd());
    }

    @Test
    void refusesWhatDockerRefuses() {
        assertEquals(
                "changes: run is not a valid change command",
                assertThrows(BerthException.InvalidRequest.class, () -> Changes.apply(null, List.of("RUN echo")))
                        .getMessage());
        assertThrows(BerthException.InvalidRequest.class, () -> Changes.apply(null, List.of("EXPOSE http")));
        assertThrows(BerthException.InvalidRequest.class, () -> Changes.apply(null, List.of("STOPSIGNAL SIGNOPE")));
        assertThrows(
                BerthException.InvalidRequest.class,
                () -> Changes.apply(null, List.of("HEALTHCHECK --interval=soon CMD true")));
    }
}
