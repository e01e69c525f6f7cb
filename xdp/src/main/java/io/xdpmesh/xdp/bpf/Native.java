package io.xdpmesh.xdp.bpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libbpf and libc once. Failing to find libbpf is reported as a {@link BpfException}. */
final class Native {
    private Native() {}

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
        static final LibBpf BPF;
        static final Throwable BPF_ERROR;

        static {
            LibBpf bpf = null;
            Throwable err = null;
            for (String name : new String[] {"libbpf.so.1", "bpf"}) {
                try {
                    bpf = LibraryLoader.create(LibBpf.class).failImmediately().load(name);
                    err = null;
                    break;
                } catch (UnsatisfiedLinkError | RuntimeException e) {
                    err = e;
                }
            }
            BPF = bpf;
            BPF_ERROR = err;
            if (bpf != null) {
                LibbpfLog.install(bpf);
            }
        }
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static LibBpf bpf() {
        if (Holder.BPF == null) {
            throw new BpfException(BpfException.Reason.LIBBPF_MISSING, 0,
                    "the system libbpf (libbpf.so.1) could not be loaded; install the libbpf1 package ("
                            + Holder.BPF_ERROR + ")");
        }
        return Holder.BPF;
    }

    static Runtime runtime() {
        return Runtime.getRuntime(libc());
    }

    static int lastErrno() {
        return Runtime.getRuntime(libc()).getLastError();
    }
}
