package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Sys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Captures libbpf's own messages (warnings and info, e.g. "failed to create map") per thread, so an
 * error can quote them instead of leaving them on stderr. Control path only.
 */
final class LibbpfLog {
    private static final int KEEP = 64;
    private static final ThreadLocal<ArrayDeque<String>> LINES = ThreadLocal.withInitial(ArrayDeque::new);
    private static final System.Logger LOG = System.getLogger("io.xdpmesh.xdp.bpf.libbpf");
    /** Held strongly: libbpf keeps only the native trampoline. */
    private static volatile LibBpf.PrintFn callback;

    private LibbpfLog() {}

    static void install(LibBpf bpf) {
        LibBpf.PrintFn fn = LibbpfLog::print;
        callback = fn;
        bpf.libbpf_set_print(fn);
    }

    private static int print(int level, Pointer format, Pointer args) {
        if (level > 1) { // LIBBPF_DEBUG
            return 0;
        }
        Pointer buf = Memory.allocateDirect(Sys.RUNTIME, 1024);
        int n = Sys.LIBC.vsnprintf(buf, 1024, format, args);
        String line = buf.getString(0, 1023, StandardCharsets.UTF_8).strip();
        ArrayDeque<String> lines = LINES.get();
        if (lines.size() == KEEP) {
            lines.removeFirst();
        }
        lines.addLast(line);
        LOG.log(level == 0 ? System.Logger.Level.DEBUG : System.Logger.Level.TRACE, line);
        return n;
    }

    /** Forgets what this thread captured so far. */
    static void reset() {
        LINES.get().clear();
    }

    /** What libbpf said on this thread since the last {@link #reset()}. */
    static List<String> recent() {
        return new ArrayList<>(LINES.get());
    }
}
