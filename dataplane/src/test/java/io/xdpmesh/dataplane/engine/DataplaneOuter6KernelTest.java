package io.xdpmesh.dataplane.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The tunnel over IPv6 between the nodes: IPv4 and IPv6 pods, the mandatory outer UDP checksum. */
@Tag("kernel")
class DataplaneOuter6KernelTest {
    @Test
    void ipv6TunnelCarriesBothFamiliesWithValidUdpChecksums() throws Exception {
        try (TwoNodeMesh mesh = new TwoNodeMesh("encrypt", Duration.ofSeconds(2), "--outer6")) {
            mesh.install(1, 1);
            mesh.settle();
            Path pcap = Path.of("/tmp", mesh.prefix + "-outer6.pcap");
            Path log = Files.createTempFile("tshark", ".log");
            Process cap = Shell.background("ip netns exec " + mesh.prefix + "br tshark -q -i " + mesh.prefix + "v1"
                    + " -f 'ip6 and udp port 51871' -w " + pcap + " -a duration:6", log);
            try {
                Thread.sleep(1500);
                for (String dst : new String[] {mesh.v4(2, 1), mesh.v6(2, 1)}) {
                    Shell.Result r = Shell.run(30, "ip netns exec " + mesh.pod(1, 1) + " ping -c 3 -i 0.2 -W 2 -s 300 " + dst);
                    assertEquals(0, r.exit(), r.out() + "\nA drops: " + DataplaneKernelTest.dropSummary(mesh.a));
                }
                cap.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
                String out = Shell.sh("tshark -r " + pcap + " -o udp.check_checksum:TRUE -d udp.port==51871,wg"
                        + " -T fields -e ipv6.src -e udp.checksum.status -e wg.type 2>/dev/null");
                String[] lines = out.strip().split("\n");
                assertTrue(lines.length >= 6, "captured: " + out);
                for (String l : lines) {
                    // both directions cross the bridge port; status 1 = checksum verified good
                    assertTrue(l.matches("fd00:" + mesh.net + "::[12]\t1\t4"), "frame: " + l);
                }
            } finally {
                cap.destroyForcibly().waitFor();
                Files.deleteIfExists(pcap);
                Files.deleteIfExists(log);
            }
            assertTrue(mesh.b.stats().opened.get() >= 6);
        }
    }
}
