package dev.berth.daemon;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * testcontainers-java's common path against berthd, run by {@link TestcontainersTest} in its own JVM
 * inside the lab's outside host (so that the published port it checks is a lab address): a
 * GenericContainer of the nginx stand-in with an exposed port, an HTTP wait strategy and a file copied in
 * before its start, and a second container finding it by its alias on a Network. Prints "ok ..." lines.
 */
public final class TestcontainersProbe {
    private TestcontainersProbe() {}

    public static void main(String[] args) throws Exception {
        try (Network net = Network.newNetwork();
                GenericContainer<?> web = new GenericContainer<>(DockerImageName.parse("nginx:latest"))
                        .withExposedPorts(80)
                        .withNetwork(net)
                        .withNetworkAliases("web")
                        .withCopyToContainer(Transferable.of("copied in by testcontainers\n"), "/www/copied.txt")
                        .waitingFor(Wait.forHttp("/").forStatusCode(200).withStartupTimeout(Duration.ofSeconds(60)));
                GenericContainer<?> client = new GenericContainer<>(DockerImageName.parse("busybox:latest"))
                        .withNetwork(net)
                        .withCommand("sleep", "300")) {
            web.start();
            System.out.println("ok started " + web.getContainerId());
            String url = "http://" + web.getHost() + ":" + web.getMappedPort(80) + "/copied.txt";
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || !r.body().equals("copied in by testcontainers\n"))
                throw new AssertionError(url + " answered " + r.statusCode() + ": " + r.body());
            System.out.println("ok copied file served at " + url);
            client.start();
            var exec = client.execInContainer("wget", "-qO-", "http://web/");
            if (exec.getExitCode() != 0 || !exec.getStdout().contains("Welcome to nginx"))
                throw new AssertionError("the alias on the network: " + exec);
            System.out.println("ok alias on network " + net.getId());
        }
        System.out.println("ok closed");
    }
}
