package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.Capabilities;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** Opens the shipped object from memory with libbpf and loads one role's program through the verifier. */
final class BpfObjectLoader {
    static final String RESOURCE = "/io/xdpmesh/native/xdpmesh.bpf.o";
    private static final int BPF_MAP_TYPE_XSKMAP = 17;
    private static final int LOG_SIZE = 4 << 20;

    private BpfObjectLoader() {}

    static byte[] objectBytes() {
        try (InputStream in = BpfObjectLoader.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new BpfException(BpfException.Reason.BAD_OBJECT, 0,
                        "the XDP object " + RESOURCE + " is not on the class path (xdpmesh-native jar missing)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new BpfException(BpfException.Reason.BAD_OBJECT, 0, "cannot read " + RESOURCE + ": " + e);
        }
    }

    /** Loads {@code role}'s program and the maps; the caller owns the returned handles. */
    static ProgramHandles load(XdpRole role) {
        LibBpf bpf = SystemLibbpf.get();
        var rt = Sys.RUNTIME;
        byte[] bytes = objectBytes();
        Pointer image = Memory.allocateDirect(rt, bytes.length);
        image.put(0, bytes, 0, bytes.length);
        LibbpfLog.reset();
        Pointer obj = bpf.bpf_object__open_mem(image, bytes.length, null);
        if (obj == null) {
            throw BpfErrors.of(BpfErrors.Op.OPEN_OBJECT, Sys.errno(), RESOURCE,
                    Capabilities.current(), LibbpfLog.recent());
        }
        boolean ok = false;
        try {
            Pointer prog = null;
            for (XdpRole r : XdpRole.values()) {
                Pointer p = bpf.bpf_object__find_program_by_name(obj, r.programName());
                if (p == null) {
                    throw new BpfException(BpfException.Reason.BAD_OBJECT, 0,
                            "program " + r.programName() + " missing from " + RESOURCE);
                }
                bpf.bpf_program__set_autoload(p, r == role);
                if (r == role) {
                    prog = p;
                }
            }
            Pointer log = Memory.allocateDirect(rt, LOG_SIZE, true);
            bpf.bpf_program__set_log_buf(prog, log, LOG_SIZE);
            int rc = bpf.bpf_object__load(obj);
            if (rc < 0) {
                throw loadFailure(role, -rc, log);
            }
            int progFd = bpf.bpf_program__fd(prog);
            ProgramHandles h = new ProgramHandles(progFd, mapFd(obj, ProgramHandles.MAP_XSKS),
                    mapFd(obj, ProgramHandles.MAP_CONFIG), mapFd(obj, ProgramHandles.MAP_COUNTERS),
                    () -> { bpf.bpf_object__close(obj); Reach.keep(image); });
            ok = true;
            return h;
        } finally {
            if (!ok) {
                bpf.bpf_object__close(obj);
            }
        }
    }

    private static int mapFd(Pointer obj, String name) {
        Pointer map = SystemLibbpf.get().bpf_object__find_map_by_name(obj, name);
        int fd = map == null ? -1 : SystemLibbpf.get().bpf_map__fd(map);
        if (fd < 0) {
            throw new BpfException(BpfException.Reason.BAD_OBJECT, 0, "map " + name + " missing from " + RESOURCE);
        }
        return fd;
    }

    private static BpfException loadFailure(XdpRole role, int errno, Pointer logBuf) {
        List<String> log = new ArrayList<>();
        String verifier = logBuf.getString(0, LOG_SIZE, StandardCharsets.UTF_8);
        for (String line : verifier.split("\n")) {
            if (!line.isBlank()) {
                log.add(line);
            }
        }
        log.addAll(LibbpfLog.recent());
        if (errno != Errno.EPERM && SystemLibbpf.get().libbpf_probe_bpf_map_type(BPF_MAP_TYPE_XSKMAP, null) == 0) {
            return new BpfException(BpfException.Reason.NO_XDP_SOCKETS, errno,
                    "this kernel has no AF_XDP sockets (XSKMAP unsupported; CONFIG_XDP_SOCKETS=y is needed): "
                            + "cannot load " + role.programName() + ": " + Errno.describe(errno), log);
        }
        BpfErrors.Op op = log.size() > LibbpfLog.recent().size() ? BpfErrors.Op.VERIFY : BpfErrors.Op.LOAD;
        return BpfErrors.of(op, errno, role.programName(), Capabilities.current(), log);
    }

    /** Keeps the ELF image reachable until libbpf is done with it. */
    private static final class Reach {
        static void keep(Object o) {
            java.lang.ref.Reference.reachabilityFence(o);
        }
    }
}
