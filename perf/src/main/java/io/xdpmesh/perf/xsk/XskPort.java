package io.xdpmesh.perf.xsk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.xdpmesh.xdp.bpf.BpfFs;
import io.xdpmesh.xdp.bpf.XdpAttachment;
import io.xdpmesh.xdp.bpf.XdpLoader;
import io.xdpmesh.xdp.bpf.XdpRole;
import io.xdpmesh.xdp.sys.NetNs;
import io.xdpmesh.xdp.xsk.BindMode;
import io.xdpmesh.xdp.xsk.Umem;
import io.xdpmesh.xdp.xsk.UmemConfig;
import io.xdpmesh.xdp.xsk.XskConfig;
import io.xdpmesh.xdp.xsk.XskSocket;

/**
 * One AF_XDP socket for a benchmark: a UMEM of 8192 x 4 KiB frames, rings 2048 (fill 4096), copy
 * mode, need_wakeup (the C reference uses the same), made in a network namespace when one is
 * named. With receive on, the project's pod program (xm_pod) is attached to the interface and
 * the socket registered for its queue; close() detaches it and removes the private bpffs.
 */
public final class XskPort implements AutoCloseable {
    public static final int FRAME_SIZE = 4096;
    public static final int FRAME_COUNT = 8192;

    private final Umem umem;
    private final XskSocket socket;
    private final XdpAttachment attachment;
    private final Path bpffs;
    private final String netns;

    private XskPort(String netns, Umem umem, XskSocket socket, XdpAttachment attachment, Path bpffs) {
        this.netns = netns;
        this.umem = umem;
        this.socket = socket;
        this.attachment = attachment;
        this.bpffs = bpffs;
    }

    /**
     * @param netns a name under /run/netns, or null for the current namespace
     * @param receive attach xm_pod and register the socket (rxdrop, l2fwd); false: TX only, no program
     */
    public static XskPort open(String netns, String dev, int queue, boolean receive) throws IOException {
        return open(netns, dev, queue, receive, null);
    }

    /** As {@link #open(String, String, int, boolean)}, pinning under bpffs (a mounted bpffs the caller owns) if given. */
    public static XskPort open(String netns, String dev, int queue, boolean receive, Path givenBpffs)
            throws IOException {
        Umem umem = null;
        XskSocket socket = null;
        XdpAttachment att = null;
        Path bpffs = null;
        NetNs ns = netns != null ? NetNs.enter(netns) : null;
        try {
            if (receive) {
                // Pins go to a private bpffs: nothing is left behind in /sys/fs/bpf, whatever happens.
                Path pins = givenBpffs;
                if (pins == null) {
                    bpffs = Files.createTempDirectory("xmperf-bpffs-");
                    BpfFs.mount(bpffs);
                    pins = bpffs;
                }
                att = XdpLoader.forAgent(pins, "perf" + ProcessHandle.current().pid()).attach(dev, XdpRole.POD);
            }
            umem = Umem.create(UmemConfig.defaults().withFrameSize(FRAME_SIZE).withFrameCount(FRAME_COUNT));
            socket = XskSocket.open(umem, XskConfig.of(dev, queue).mode(BindMode.COPY).needWakeup(true)
                    .rxSize(2048).txSize(2048).fillSize(4096).completionSize(2048));
            if (att != null) {
                att.xskMap().register(queue, socket.fd());
            }
        } catch (IOException | RuntimeException e) {
            if (ns != null) {
                ns.close();
                ns = null;
            }
            new XskPort(netns, umem, socket, att, bpffs).close();
            throw e;
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
        return new XskPort(netns, umem, socket, att, bpffs);
    }

    public Umem umem() {
        return umem;
    }

    public XskSocket socket() {
        return socket;
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        if (umem != null) {
            umem.close();
        }
        if (attachment != null) {
            // detach acts on an ifindex in the calling thread's namespace: go back into the port's
            try (NetNs ns = netns != null ? NetNs.enter(netns) : null) {
                attachment.detach();
            } catch (IOException | RuntimeException e) {
                System.err.println("warning: cannot detach xm_pod from " + attachment.ifname() + ": " + e.getMessage());
            }
        }
        if (bpffs != null) {
            try {
                BpfFs.unmount(bpffs);
                Files.deleteIfExists(bpffs);
            } catch (RuntimeException | IOException e) {
                System.err.println("warning: cannot remove " + bpffs + ": " + e.getMessage());
            }
        }
    }
}
