package dev.berth.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.berth.engine.request.PortSpec;
import dev.berth.model.BerthException;
import dev.berth.model.Protocol;
import dev.berth.model.net.IpPrefix;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortSpecTest {

    @Test
    void dockerPublishSyntax() {
        assertEquals(List.of(new PortSpec(null, 8080, 80, Protocol.TCP)), PortSpec.parse("8080:80", "p"));
        assertEquals(List.of(new PortSpec(null, 0, 80, Protocol.TCP)), PortSpec.parse("80", "p"));
        assertEquals(
                List.of(new PortSpec(IpPrefix.literal("127.0.0.1", "x"), 8080, 80, Protocol.UDP)),
                PortSpec.parse("127.0.0.1:8080:80/udp", "p"));
        assertEquals(
                List.of(new PortSpec(IpPrefix.literal("127.0.0.1", "x"), 0, 80, Protocol.TCP)),
                PortSpec.parse("127.0.0.1::80", "p"));
        assertEquals(List.of(new PortSpec(null, 8080, 80, Protocol.TCP)), PortSpec.parse("0.0.0.0:8080:80", "p"));
        assertEquals(
                List.of(new PortSpec(IpPrefix.literal("::1", "x"), 8080, 80, Protocol.SCTP)),
                PortSpec.parse("[::1]:8080:80/sctp", "p"));
        List<PortSpec> range = PortSpec.parse("8000-8002:9000-9002", "p");
        assertEquals(3, range.size());
        assertEquals(new PortSpec(null, 8002, 9002, Protocol.TCP), range.get(2));
    }

    @Test
    void errorsNameTheArgumentAndTheForm() {
        for (String bad :
                List.of("8080:", "x:80", "8080:80/icmp", "70000:80", "1.2.3:80:80", "80-70", "8000-8001:80", "")) {
            BerthException e =
                    assertThrows(BerthException.class, () -> PortSpec.parse(bad, "HostConfig.PortBindings[0]"), bad);
            assertTrue(e.getMessage().startsWith("HostConfig.PortBindings[0]: "), e.getMessage());
        }
    }
}
