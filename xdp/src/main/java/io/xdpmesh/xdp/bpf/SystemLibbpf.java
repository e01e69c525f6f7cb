package io.xdpmesh.xdp.bpf;

import jnr.ffi.LibraryLoader;

/** Loads the system libbpf once. Failing to find it is reported as a {@link BpfException}. */
final class SystemLibbpf {
    private SystemLibbpf() {}

    private static final class Holder {
        static final LibBpf BPF;
        static final Throwable ERROR;

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
            ERROR = err;
            if (bpf != null) {
                LibbpfLog.install(bpf);
            }
        }
    }

    static LibBpf get() {
        if (Holder.BPF == null) {
            throw new BpfException(BpfException.Reason.LIBBPF_MISSING, 0,
                    "the system libbpf (libbpf.so.1) could not be loaded; install the libbpf1 package ("
                            + Holder.ERROR + ")");
        }
        return Holder.BPF;
    }
}
