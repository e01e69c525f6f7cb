package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Sys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * One role's XDP program attached to one interface, with its maps. {@link #close()} only releases
 * this process's file descriptors: the program stays attached and pinned, so a restarted agent
 * re-adopts it and the pod side stays fail-closed meanwhile. {@link #detach()} removes both.
 * All methods are control path (they make syscalls); none is meant for the packet loop.
 */
public final class XdpAttachment implements AutoCloseable {
    private final String ifname;
    private final int ifindex;
    private final XdpRole role;
    private final XdpMode mode;
    private final int programId;
    private final boolean adopted;
    private final Path pinDir;
    private final ProgramHandles handles;
    private final XskMap xskMap;
    private final int cpus;
    private final Pointer key, counterValues, configValue;
    private boolean closed;

    XdpAttachment(String ifname, int ifindex, XdpRole role, XdpMode mode, int programId, boolean adopted,
            Path pinDir, ProgramHandles handles, int rxQueues) {
        this.ifname = ifname;
        this.ifindex = ifindex;
        this.role = role;
        this.mode = mode;
        this.programId = programId;
        this.adopted = adopted;
        this.pinDir = pinDir;
        this.handles = handles;
        this.xskMap = new XskMap(handles.xsksFd, ifname, rxQueues);
        this.cpus = SystemLibbpf.get().libbpf_num_possible_cpus();
        var rt = Sys.RUNTIME;
        this.key = Memory.allocateDirect(rt, 4, true);
        this.counterValues = Memory.allocateDirect(rt, 8L * Math.max(cpus, 1), true);
        this.configValue = Memory.allocateDirect(rt, 8, true);
    }

    public String ifname() {
        return ifname;
    }

    public int ifindex() {
        return ifindex;
    }

    public XdpRole role() {
        return role;
    }

    public XdpMode mode() {
        return mode;
    }

    /** The kernel's program id (bpftool prog show id N). */
    public int programId() {
        return programId;
    }

    /** True when this attachment re-adopted a program a previous process attached. */
    public boolean adopted() {
        return adopted;
    }

    public Path pinDir() {
        return pinDir;
    }

    /** The queue -> socket map the AF_XDP sockets register in. */
    public XskMap xskMap() {
        return xskMap;
    }

    /** Writes the config map (tunnel port, flags); the programs see it on the next packet. */
    public synchronized void configure(XdpConfig config) {
        checkOpen();
        key.putInt(0, 0);
        configValue.putShort(0, (short) config.tunnelPort());
        configValue.putShort(2, (short) 0);
        configValue.putInt(4, config.flags());
        int rc = SystemLibbpf.get().bpf_map_update_elem(handles.configFd, key, configValue, 0);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.MAP_UPDATE, -rc, ProgramHandles.MAP_CONFIG);
        }
    }

    /** The config the programs use now (an unset map means the defaults). */
    public synchronized XdpConfig config() {
        checkOpen();
        key.putInt(0, 0);
        int rc = SystemLibbpf.get().bpf_map_lookup_elem(handles.configFd, key, configValue);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.MAP_LOOKUP, -rc, ProgramHandles.MAP_CONFIG);
        }
        int port = configValue.getShort(0) & 0xffff;
        return new XdpConfig(port == 0 ? XdpConfig.DEFAULT_TUNNEL_PORT : port,
                (configValue.getInt(4) & XdpConfig.F_UPLINK_PASS_NO_SOCKET) != 0);
    }

    /** One counter summed over all possible CPUs. */
    public synchronized long counter(XdpCounter c) {
        checkOpen();
        key.putInt(0, c.ordinal());
        int rc = SystemLibbpf.get().bpf_map_lookup_elem(handles.countersFd, key, counterValues);
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.MAP_LOOKUP, -rc, ProgramHandles.MAP_COUNTERS);
        }
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            sum += counterValues.getLong(8L * cpu);
        }
        return sum;
    }

    /** All counters. */
    public XdpCounters counters() {
        long[] v = new long[XdpCounter.ALL.length];
        for (XdpCounter c : XdpCounter.ALL) {
            v[c.ordinal()] = counter(c);
        }
        return new XdpCounters(v);
    }

    /**
     * Detaches the program (only if it is still the one attached: an atomic compare-and-detach),
     * removes the pins and closes the descriptors. Afterwards nothing of ours is attached or pinned.
     */
    public synchronized void detach() {
        checkOpen();
        try {
            Pointer opts = Memory.allocateDirect(Sys.RUNTIME, 16, true);
            opts.putLong(0, 16);
            opts.putInt(8, handles.progFd); // old_prog_fd
            int rc = SystemLibbpf.get().bpf_xdp_attach(ifindex, -1, XdpMode.XDP_FLAGS_REPLACE | mode.flag, opts);
            if (rc < 0) {
                int errno = -rc;
                XdpQuery q = errno == Errno.ENODEV ? null : XdpQuery.of(ifindex, ifname);
                if (q != null && q.any() == programId) {
                    throw BpfErrors.of(BpfErrors.Op.DETACH, errno, ifname);
                }
                // Not attached any more (interface gone, or someone detached/replaced it): only unpin.
            }
            unpin(pinDir);
        } finally {
            closeHandles();
        }
    }

    /** Releases this process's descriptors; the program stays attached and pinned. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closeHandles();
        }
    }

    private void closeHandles() {
        closed = true;
        handles.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("XDP attachment on " + ifname + " is closed");
        }
    }

    static void unpin(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new BpfException(BpfException.Reason.SYSTEM, 0, "cannot remove pins in " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return role + " program " + role.programName() + " id " + programId + " on " + ifname + " (" + mode
                + (adopted ? ", re-adopted" : "") + ")";
    }
}
