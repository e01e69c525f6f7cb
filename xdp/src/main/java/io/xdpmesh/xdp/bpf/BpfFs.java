package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** The bpf filesystem that holds the pins; checks that a pin directory really lives on one. */
public final class BpfFs {
    static final long BPF_FS_MAGIC = 0xcafe4a11L;
    static final String MOUNT_HINT = "pinning needs a bpf filesystem: run `mount -t bpf bpf /sys/fs/bpf`"
            + " (`ip netns exec` mounts a fresh /sys without it, so mount it inside that namespace too),"
            + " or give the agent a pin directory on a mounted bpffs";

    private BpfFs() {}

    /** True when {@code dir}, or its nearest existing ancestor, is on a bpf filesystem. */
    public static boolean isBpfFs(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return false;
        }
        Pointer buf = Memory.allocateDirect(Sys.RUNTIME, 128);
        if (Sys.LIBC.statfs(p.toString(), buf) != 0) {
            return false;
        }
        return (buf.getLong(0) & 0xffffffffL) == BPF_FS_MAGIC;
    }

    /** Throws {@link BpfException.Reason#BPFFS_NOT_MOUNTED} with the fix when {@code dir} is not on bpffs. */
    public static void require(Path dir) {
        if (!isBpfFs(dir)) {
            throw new BpfException(BpfException.Reason.BPFFS_NOT_MOUNTED, 0,
                    "pin directory " + dir + " is not on a bpf filesystem; " + MOUNT_HINT);
        }
    }

    /** Mounts a bpf filesystem at {@code dir} (created if missing); for set-up scripts and tests. */
    public static void mount(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new BpfException(BpfException.Reason.SYSTEM, 0, "cannot create " + dir + ": " + e.getMessage());
        }
        if (Sys.LIBC.mount("bpf", dir.toString(), "bpf", 0, null) != 0) {
            int errno = Sys.errno();
            throw BpfErrors.of(BpfErrors.Op.PIN, errno, "(mount bpffs at " + dir + ")");
        }
    }

    /** Lazily unmounts what {@link #mount} mounted. */
    public static void unmount(Path dir) {
        if (Sys.LIBC.umount2(dir.toString(), 2 /* MNT_DETACH */) != 0) {
            int errno = Sys.errno();
            throw new BpfException(BpfException.Reason.SYSTEM, errno, "cannot unmount " + dir + ": "
                    + Errno.describe(errno));
        }
    }
}
