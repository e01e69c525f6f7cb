package io.xdpmesh.xdp.bpf;

/**
 * Index of each per-CPU counter in the {@code xm_counters} map; the order is enum xm_counter in
 * native/src/main/bpf/xdpmesh.h (XdpLayoutTest keeps the two in step).
 */
public enum XdpCounter {
    REDIRECTED,
    PASSED,
    PASSED_ARP,
    PASSED_ND,
    PASSED_NON_IP,
    PASSED_NOT_TUNNEL,
    PASSED_FRAGMENT,
    DROPPED_NO_SOCKET,
    DROPPED_MALFORMED,
    PASSED_MALFORMED,
    PASSED_NO_SOCKET;

    static final XdpCounter[] ALL = values();
}
