package io.xdpmesh.control.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not an assertion: {@link HandshakeBench} in fresh JVMs with ACCP first and with
 * the JDK providers only (providers are per JVM), printed for the notes. It asserts only that
 * each run completed and that the switch really changed the providers.
 */
class HandshakeLatencyReportTest {
    static String bench(boolean accp, String spare) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path options = Path.of("..", "scripts", "jvm.options").toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(java, "@" + options, "-Dxdpmesh.accp=" + accp,
                "-cp", System.getProperty("java.class.path"), HandshakeBench.class.getName(), "300", "200", spare));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "bench finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void printHandshakeLatencyWithAccpAndJdkProviders() throws Exception {
        assertTrue(Files.exists(Path.of("..", "scripts", "jvm.options")));
        StringBuilder report = new StringBuilder();
        for (String spare : List.of("spare", "nospare")) {
            String jdk = bench(false, spare);
            String accp = bench(true, spare);
            assertTrue(jdk.contains("providers=JDK"), jdk);
            report.append("[").append(spare).append("] JDK:  ").append(line(jdk)).append('\n');
            report.append("[").append(spare).append("] ACCP: ").append(line(accp)).append('\n');
            report.append("   ").append(accp.lines().filter(l -> l.startsWith("providers:") || l.startsWith("path")).toList()).append('\n');
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "handshake-latency.txt"), report.toString());
    }

    static String line(String out) {
        return out.lines().filter(l -> l.startsWith("handshake+exporter:")).findFirst().orElse("(no result line) " + out);
    }
}
