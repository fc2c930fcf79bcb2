package dev.berth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.cri.DNSConfig;
import dev.berth.daemon.cri.LinuxPodSandboxConfig;
import dev.berth.daemon.cri.PodSandboxConfig;
import dev.berth.daemon.cri.PodSandboxMetadata;
import dev.berth.daemon.cri.PodSandboxState;
import dev.berth.daemon.cri.PodSandboxStatus;
import dev.berth.daemon.cri.PortMapping;
import dev.berth.daemon.cri.Protocol;
import dev.berth.lab.Lab;
import dev.berth.lab.LabExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * containerd's CRI path with Berth's CNI plugin (the calls a kubelet makes): RunPodSandbox through containerd's
 * CRI plugin, configured with a conflist naming {@code berth}, attaches the pod to a Berth network; its address
 * is in PodSandboxStatus, Berth shows the attachment, the pod's {@code port_mappings} are published through
 * Berth's maps (no portmap plugin) and answer from the outside host; StopPodSandbox's CNI DEL removes the
 * attachment and the port, RemovePodSandbox leaves nothing. The sandbox image is busybox serving its /etc over
 * HTTP on 8080 (a sandbox's root file system is read-only).
 */
@ExtendWith(LabExtension.class)
class ContainerdCriTest {

    @Test
    void runPodSandboxAttachesThePodToABerthNetwork(Lab lab) {
        try (DaemonLab d = new DaemonLab(lab);
                CriLab cri = new CriLab(lab, d, conflist(d), List.of("httpd", "-f", "-p", "8080", "-h", "/etc"))) {
            d.dockerOk("network", "create", "--subnet", "10.86.0.0/24", "pods");
            PodSandboxConfig pod = PodSandboxConfig.newBuilder()
                    .setMetadata(PodSandboxMetadata.newBuilder()
                            .setName("web")
                            .setUid("uid-web-1")
                            .setNamespace("default"))
                    .setHostname("web")
                    .setLogDirectory(cri.base.resolve("logs").toString())
                    .setDnsConfig(DNSConfig.newBuilder().addServers("192.0.2.2"))
                    .addPortMappings(PortMapping.newBuilder()
                            .setProtocol(Protocol.TCP)
                            .setContainerPort(8080)
                            .setHostPort(8082))
                    .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent("/" + cri.tag))
                    .build();
            String id = cri.run(pod);
            PodSandboxStatus status = cri.status(id);
            assertEquals(PodSandboxState.SANDBOX_READY, status.getState());
            String ip = status.getNetwork().getIp();
            assertTrue(ip.startsWith("10.86.0."), "the pod's address comes from Berth's network: " + status);

            JsonNode containers = d.inspect("network", "inspect", "pods").get("Containers");
            assertEquals(1, containers.size(), containers.toString());
            assertTrue(containers.toString().contains("cni-" + id.substring(0, 12)), containers.toString());
            assertTrue(d.host.ping(ip), "the host reaches the pod");
            String page = "";
            for (int i = 0; i < 50 && !page.startsWith("root:x:0:0"); i++) {
                page = d.ext.exec("curl", "-s", "-m", "2", "http://192.0.2.1:8082/passwd")
                        .stdout();
                if (!page.startsWith("root:x:0:0")) ClusterDaemonLab.sleep(100);
            }
            assertTrue(
                    page.startsWith("root:x:0:0"),
                    "port_mappings are published through Berth's maps: " + page + "\n" + cri.log());

            String netns = cri.netnsOf(id);
            cri.stop(id);
            assertTrue(
                    d.inspect("network", "inspect", "pods").get("Containers").isEmpty(),
                    "StopPodSandbox's CNI DEL removes the attachment");
            assertFalse(d.host.run("nft", "list", "ruleset").stdout().contains("8082"), "and the port");
            cri.stop(id); // kubelet repeats it
            cri.remove(id);
            assertFalse(
                    d.host.ip("-br", "link", "show", "type", "veth").stdout().contains("veth"), "no veth left");
            assertFalse(Files.exists(Path.of(netns)), "containerd deleted the pod's namespace " + netns);
        }
    }

    private static String conflist(DaemonLab d) {
        return """
                {"cniVersion": "1.0.0", "name": "berthpods", "plugins": [{"type": "berth", "socket": "%s", "network": "pods",
                  "capabilities": {"portMappings": true, "dns": true}}]}""".formatted(d.socket);
    }
}
