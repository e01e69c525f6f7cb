package io.xdpmesh.xdp.bpf;

/** XDP attach mode. Native is the default; generic (SKB) mode only when asked for. */
public enum XdpMode {
    NATIVE(XdpMode.XDP_FLAGS_DRV_MODE, 1, "native (driver)"),
    GENERIC(XdpMode.XDP_FLAGS_SKB_MODE, 2, "generic (SKB)");

    static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1, XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4,
            XDP_FLAGS_HW_MODE = 8, XDP_FLAGS_REPLACE = 16;

    final int flag;
    /** XDP_ATTACHED_* as reported by bpf_xdp_query. */
    final int attachedMode;
    private final String text;

    XdpMode(int flag, int attachedMode, String text) {
        this.flag = flag;
        this.attachedMode = attachedMode;
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
