package io.xdpmesh.xdp.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.xdpmesh.xdp.testkit.KernelNet;
import io.xdpmesh.xdp.testkit.UnprivilegedProbe;

/**
 * The clear-error paths for missing privileges, for real: a child JVM as uid/gid 65534 with every
 * capability dropped (setpriv) tries to attach XDP and to open an AF_XDP socket inside the test's
 * namespace, and the messages must name what it lacks.
 */
@Tag("kernel")
class UnprivilegedKernelTest {

    @Test
    void attachAndSocketWithoutCapabilitiesSayWhatIsMissing() throws Exception {
        try (KernelNet net = KernelNet.pair(1500, false)) {
            Path cp = Files.createTempDirectory(Path.of("/tmp"), net.prefix + "-cp");
            try {
                String classpath = readableClasspath(cp);
                String attach = asNobody(net, classpath, "attach " + net.bpffs() + " " + net.vethA);
                assertTrue(attach.startsWith("PERMISSION_DENIED: "), attach);
                assertTrue(attach.contains("EPERM") && attach.contains("lacks CAP_NET_ADMIN, CAP_BPF"), attach);
                assertTrue(!net.linkA().contains("prog/xdp"), "nothing attached");

                String xsk = asNobody(net, classpath, "xsk " + net.vethA);
                System.out.println("as nobody without capabilities:\n  " + attach + "\n  " + xsk);
                assertTrue(xsk.startsWith("errno " + Errno.EPERM + ": "), xsk);
                assertTrue(xsk.contains("socket(AF_XDP") && xsk.contains("lacks CAP_NET_RAW, CAP_NET_ADMIN"), xsk);
            } finally {
                KernelNet.run(10, "rm -rf " + cp);
            }
        }
    }

    /** Runs the probe as nobody without capabilities in namespace A; returns its output line. */
    private static String asNobody(KernelNet net, String classpath, String args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        KernelNet.Result r = net.inNs(net.nsA, 60, "setpriv --reuid=65534 --regid=65534 --clear-groups"
                + " --inh-caps=-all --bounding-set=-all --no-new-privs " + java
                + " --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp -cp " + classpath + " "
                + UnprivilegedProbe.class.getName() + " " + args);
        assertEquals(0, r.exit(), r.out());
        String[] lines = r.out().strip().split("\n");
        return lines[lines.length - 1];
    }

    /** The test class path, with what nobody cannot read (jars under /root/.m2) copied to dir. */
    private static String readableClasspath(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isRegularFile(p)) {
                Path copy = dir.resolve(i++ + "-" + p.getFileName());
                Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                out.add(copy.toString());
            } else if (Files.isDirectory(p)) {
                out.add(p.toString()); // target/classes of this worktree: world-readable
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
