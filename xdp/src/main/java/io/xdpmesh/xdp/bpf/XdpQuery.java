package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Sys;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** Which XDP programs are attached to an interface, per mode (bpf_xdp_query). */
record XdpQuery(int driverId, int genericId, int hardwareId) {
    private static final int OPTS_SIZE = 32; // struct bpf_xdp_query_opts in libbpf 1.1

    static XdpQuery of(int ifindex, String ifname) {
        Pointer opts = Memory.allocateDirect(Sys.RUNTIME, OPTS_SIZE, true);
        opts.putLong(0, OPTS_SIZE);
        int rc = SystemLibbpf.get().bpf_xdp_query(ifindex, 0, opts);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.QUERY, -rc, ifname);
        }
        return new XdpQuery(opts.getInt(12), opts.getInt(20), opts.getInt(16));
    }

    /** The attached program id, 0 when none. */
    int any() {
        return driverId != 0 ? driverId : genericId != 0 ? genericId : hardwareId;
    }

    int in(XdpMode mode) {
        return mode == XdpMode.NATIVE ? driverId : genericId;
    }

    String modeOf(int id) {
        return id == driverId ? "native" : id == genericId ? "generic" : "offloaded";
    }
}
