package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Sys;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** What the kernel says about a loaded program (struct bpf_prog_info, the fields we need). */
record ProgInfo(int id, int type, String name, String tag, int[] mapIds) {
    static final int BPF_PROG_TYPE_XDP = 6;
    private static final int INFO_SIZE = 232, MAX_MAPS = 16;

    static ProgInfo of(int fd) {
        var rt = Sys.RUNTIME;
        Pointer info = Memory.allocateDirect(rt, INFO_SIZE, true);
        Pointer ids = Memory.allocateDirect(rt, 4 * MAX_MAPS, true);
        info.putInt(52, MAX_MAPS);
        info.putLong(56, ids.address());
        Pointer len = Memory.allocateDirect(rt, 4, true);
        len.putInt(0, INFO_SIZE);
        int rc = SystemLibbpf.get().bpf_obj_get_info_by_fd(fd, info, len);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.BY_ID, -rc, "(program info of fd " + fd + ")");
        }
        int n = Math.min(info.getInt(52), MAX_MAPS);
        int[] mapIds = new int[n];
        for (int i = 0; i < n; i++) {
            mapIds[i] = ids.getInt(4L * i);
        }
        byte[] tag = new byte[8];
        info.get(8, tag, 0, 8);
        return new ProgInfo(info.getInt(4), info.getInt(0), info.getString(64, 16, StandardCharsets.US_ASCII),
                HexFormat.of().formatHex(tag), mapIds);
    }

    /** Name of a map by fd (struct bpf_map_info.name). */
    static String mapName(int fd) {
        Pointer info = Memory.allocateDirect(Sys.RUNTIME, 88, true);
        Pointer len = Memory.allocateDirect(Sys.RUNTIME, 4, true);
        len.putInt(0, 88);
        int rc = SystemLibbpf.get().bpf_obj_get_info_by_fd(fd, info, len);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.BY_ID, -rc, "(map info of fd " + fd + ")");
        }
        return info.getString(24, 16, StandardCharsets.US_ASCII);
    }
}
