package io.xdpmesh.xdp.testkit;

import java.nio.file.Path;

import io.xdpmesh.xdp.bpf.BpfException;
import io.xdpmesh.xdp.bpf.XdpLoader;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.ErrnoException;
import io.xdpmesh.xdp.xsk.Umem;
import io.xdpmesh.xdp.xsk.UmemConfig;
import io.xdpmesh.xdp.xsk.XskConfig;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * Run as a child process without root and without capabilities: tries one operation and prints
 * the error it got ("reason: message"), exit 0; exit 2 when the operation unexpectedly worked.
 */
public final class UnprivilegedProbe {
    private UnprivilegedProbe() {}

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "attach" -> XdpLoader.forAgent(Path.of(args[1]), "noroot").attach(args[2], XdpRole.POD).close();
                case "xsk" -> {
                    try (Umem umem = Umem.create(UmemConfig.defaults().withFrameCount(64));
                            XskSocket s = XskSocket.open(umem, XskConfig.of(args[1], 0).fillSize(64))) {
                        System.out.println("bound " + s.mode());
                    }
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
        } catch (BpfException e) {
            System.out.println(e.reason() + ": " + e.getMessage());
            System.exit(0);
        } catch (ErrnoException e) {
            System.out.println("errno " + e.errno() + ": " + e.getMessage());
            System.exit(0);
        }
        System.exit(2);
    }
}
