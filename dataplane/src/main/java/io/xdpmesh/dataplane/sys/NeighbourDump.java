package io.xdpmesh.dataplane.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * The kernel's neighbour table through rtnetlink (RTM_GETNEIGH dump on a NETLINK_ROUTE socket),
 * the same source `ip neigh` reads. The socket belongs to the namespace it was opened in.
 */
public final class NeighbourDump implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_NEWNEIGH = 28;
    private static final int RTM_GETNEIGH = 30;
    private static final int NLMSG_DONE = 3;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    /** NUD_INCOMPLETE and NUD_FAILED carry no usable address. */
    private static final int NUD_UNUSABLE = 0x01 | 0x20;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** One usable entry: interface index, address (4 or 16 bytes), MAC as 48 bits, NUD state. */
    public record Entry(int ifindex, byte[] address, long mac, int state) {}

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(LinkInfo.CAPTURE);
    private final MemorySegment buf = arena.allocate(65536, 8);
    private final MemorySegment kernel = arena.allocate(12, 4);
    private final int fd;
    private int seq;

    public NeighbourDump() throws IOException {
        try {
            fd = (int) LinkInfo.SOCKET.invokeExact(state, AF_NETLINK, SOCK_RAW | LinkInfo.SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (Throwable t) {
            throw new IOException("socket(AF_NETLINK)", t);
        }
        if (fd < 0) {
            throw new IOException("socket(AF_NETLINK, NETLINK_ROUTE): errno " + LinkInfo.errno(state));
        }
        kernel.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
    }

    /** Dumps every neighbour entry with a usable link-layer address. */
    public synchronized void dump(Consumer<Entry> out) throws IOException {
        // nlmsghdr(16) + ndmsg(12)
        int len = 16 + 12;
        buf.asSlice(0, len).fill((byte) 0);
        buf.set(I32, 0, len);
        buf.set(I16, 4, (short) RTM_GETNEIGH);
        buf.set(I16, 6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        buf.set(I32, 8, ++seq);
        try {
            long rc = (long) LinkInfo.SENDTO.invokeExact(state, fd, buf, (long) len, 0, kernel, 12);
            if (rc < 0) {
                throw new IOException("netlink sendto: errno " + LinkInfo.errno(state));
            }
            while (true) {
                long n = (long) LinkInfo.RECV.invokeExact(state, fd, buf, buf.byteSize(), 0);
                if (n < 0) {
                    throw new IOException("netlink recv: errno " + LinkInfo.errno(state));
                }
                int off = 0;
                while (off + 16 <= n) {
                    int mlen = buf.get(I32, off);
                    int type = buf.get(I16, off + 4) & 0xffff;
                    if (mlen < 16 || off + mlen > n) {
                        return;
                    }
                    if (type == NLMSG_DONE || type == NLMSG_ERROR) {
                        return;
                    }
                    if (type == RTM_NEWNEIGH) {
                        parse(off + 16, off + mlen, out);
                    }
                    off += (mlen + 3) & ~3;
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("netlink dump", t);
        }
    }

    private void parse(int nd, int end, Consumer<Entry> out) {
        int ifindex = buf.get(I32, nd + 4);
        int nud = buf.get(I16, nd + 8) & 0xffff;
        byte[] dst = null;
        long mac = -1;
        int a = nd + 12;
        while (a + 4 <= end) {
            int alen = buf.get(I16, a) & 0xffff;
            int atype = buf.get(I16, a + 2) & 0xffff;
            if (alen < 4 || a + alen > end) {
                break;
            }
            int plen = alen - 4;
            if (atype == NDA_DST && (plen == 4 || plen == 16)) {
                dst = buf.asSlice(a + 4, plen).toArray(ValueLayout.JAVA_BYTE);
            } else if (atype == NDA_LLADDR && plen == 6) {
                mac = 0;
                for (int i = 0; i < 6; i++) {
                    mac = (mac << 8) | (buf.get(ValueLayout.JAVA_BYTE, a + 4 + i) & 0xff);
                }
            }
            a += (alen + 3) & ~3;
        }
        if (dst != null && mac >= 0 && (nud & NUD_UNUSABLE) == 0) {
            out.accept(new Entry(ifindex, dst, mac, nud));
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) LinkInfo.CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            // nothing left to do
        }
        arena.close();
    }
}
