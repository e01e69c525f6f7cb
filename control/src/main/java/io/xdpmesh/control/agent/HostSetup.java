package io.xdpmesh.control.agent;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * What the agent sets up on the host side (in its network namespace) besides XDP: proxy ARP and
 * proxy NDP on the pod-facing interfaces, so a pod's neighbour requests for its gateway and peers
 * are answered by the node's kernel (the pod program passes ARP and ND to the host), and the state
 * directory with mode 0700.
 */
final class HostSetup {
    private static final System.Logger LOG = System.getLogger(HostSetup.class.getName());

    private HostSetup() {}

    static void podInterfaces(List<String> interfaces) {
        for (String ifname : interfaces) {
            sysctl(Path.of("/proc/sys/net/ipv4/conf", ifname, "proxy_arp"));
            sysctl(Path.of("/proc/sys/net/ipv6/conf", ifname, "proxy_ndp"));
        }
    }

    private static void sysctl(Path p) {
        try {
            if (!Files.readString(p).strip().equals("1")) {
                Files.writeString(p, "1\n");
                LOG.log(Level.INFO, "set " + p + " = 1");
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot set " + p + ": " + e.getMessage());
        }
    }

    static void stateDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
}
