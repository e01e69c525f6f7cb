package io.xdpmesh.xdp.sys;

/**
 * The AF_XDP kernel ABI (linux/if_xdp.h), including the flags Debian's headers lack
 * (XDP_USE_SG, XDP_PKT_CONTD).
 */
public final class XdpAbi {
    public static final int AF_XDP = 44;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_XDP = 283;
    public static final int SOL_SOCKET = 1;

    // setsockopt/getsockopt names at SOL_XDP
    public static final int XDP_MMAP_OFFSETS = 1;
    public static final int XDP_RX_RING = 2;
    public static final int XDP_TX_RING = 3;
    public static final int XDP_UMEM_REG = 4;
    public static final int XDP_UMEM_FILL_RING = 5;
    public static final int XDP_UMEM_COMPLETION_RING = 6;
    public static final int XDP_STATISTICS = 7;
    public static final int XDP_OPTIONS = 8;

    // sockaddr_xdp.sxdp_flags
    public static final short XDP_SHARED_UMEM = 1;
    public static final short XDP_COPY = 1 << 1;
    public static final short XDP_ZEROCOPY = 1 << 2;
    public static final short XDP_USE_NEED_WAKEUP = 1 << 3;
    public static final short XDP_USE_SG = 1 << 4;

    public static final int XDP_RING_NEED_WAKEUP = 1;
    public static final int XDP_OPTIONS_ZEROCOPY = 1;
    /** xdp_desc.options: more fragments of this packet follow in the next descriptor. */
    public static final int XDP_PKT_CONTD = 1;

    public static final long XDP_PGOFF_RX_RING = 0L;
    public static final long XDP_PGOFF_TX_RING = 0x80000000L;
    public static final long XDP_UMEM_PGOFF_FILL_RING = 0x100000000L;
    public static final long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000L;

    /** The headroom the kernel itself keeps in front of the packet in copy mode. */
    public static final int XDP_PACKET_HEADROOM = 256;

    // SOL_SOCKET busy-poll options
    public static final int SO_BUSY_POLL = 46;
    public static final int SO_PREFER_BUSY_POLL = 69;
    public static final int SO_BUSY_POLL_BUDGET = 70;

    // struct sockaddr_xdp: u16 family, u16 flags, u32 ifindex, u32 queue_id, u32 shared_umem_fd
    public static final int SOCKADDR_XDP_SIZE = 16;
    // struct xdp_umem_reg: u64 addr, u64 len, u32 chunk_size, u32 headroom, u32 flags, u32 tx_metadata_len
    public static final int UMEM_REG_SIZE = 32;
    // struct xdp_mmap_offsets: 4 x xdp_ring_offset{u64 producer, consumer, desc, flags}; order rx, tx, fr, cr
    public static final int MMAP_OFFSETS_SIZE = 128;
    public static final int RING_OFFSET_SIZE = 32;
    // struct xdp_statistics: 6 x u64
    public static final int STATISTICS_SIZE = 48;
    /** struct xdp_desc: u64 addr, u32 len, u32 options. */
    public static final int DESC_SIZE = 16;

    // mmap
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;

    public static final int MSG_DONTWAIT = 0x40;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    private XdpAbi() {
    }
}
