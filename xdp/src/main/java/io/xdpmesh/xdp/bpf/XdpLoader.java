package io.xdpmesh.xdp.bpf;

import io.xdpmesh.xdp.sys.Errno;
import io.xdpmesh.xdp.sys.Sys;
import io.xdpmesh.xdp.sys.NetDev;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Loads and attaches the xdpmesh XDP programs through the system libbpf, one role per interface,
 * pinning program and maps under {@code <pinRoot>/<ifname>/} so a restarted agent re-adopts them.
 *
 * <p>Never replaces a program it did not attach: attach uses XDP_FLAGS_UPDATE_IF_NOEXIST, and an
 * attached program is re-adopted only when it is ours (pinned by this agent, or same name and tag as
 * what this code loads); anything else fails with {@link BpfException.Reason#FOREIGN_PROGRAM}.
 *
 * <p>Interface lookup, attach and query act in the calling thread's network namespace.
 */
public final class XdpLoader {
    public static final Path DEFAULT_BPFFS = Path.of("/sys/fs/bpf");
    private static final Pattern AGENT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String PROG_PIN = "prog";

    private final Path pinRoot;

    private XdpLoader(Path pinRoot) {
        this.pinRoot = pinRoot;
    }

    /** Pins under /sys/fs/bpf/xdpmesh/&lt;agent&gt;. */
    public static XdpLoader forAgent(String agent) {
        return forAgent(DEFAULT_BPFFS, agent);
    }

    /** Pins under &lt;bpffs&gt;/xdpmesh/&lt;agent&gt;; {@code bpffs} must be a mounted bpf filesystem. */
    public static XdpLoader forAgent(Path bpffs, String agent) {
        if (agent == null || !AGENT.matcher(agent).matches() || agent.startsWith(".")) {
            throw new IllegalArgumentException("agent name '" + agent + "' must be 1-64 of [A-Za-z0-9_.-]");
        }
        return new XdpLoader(bpffs.resolve("xdpmesh").resolve(agent));
    }

    public Path pinRoot() {
        return pinRoot;
    }

    /** Attaches {@code role} to {@code ifname} in native mode, or re-adopts it if ours is there. */
    public XdpAttachment attach(String ifname, XdpRole role) {
        return attach(ifname, role, XdpMode.NATIVE);
    }

    public XdpAttachment attach(String ifname, XdpRole role, XdpMode mode) {
        int ifindex = ifindex(ifname);
        BpfFs.require(pinRoot);
        Path dir = pinRoot.resolve(ifname);
        int rxQueues = NetDev.queues(ifname, ifindex).rx();

        XdpQuery attached = XdpQuery.of(ifindex, ifname);
        if (attached.any() != 0) {
            return adopt(ifname, ifindex, role, mode, dir, rxQueues, attached);
        }
        XdpAttachment.unpin(dir); // stale pins of a program that is no longer attached

        ProgramHandles h = BpfObjectLoader.load(role);
        boolean ok = false;
        try {
            int id = ProgInfo.of(h.progFd).id();
            pin(h, dir);
            int rc = SystemLibbpf.get().bpf_xdp_attach(ifindex, h.progFd,
                    XdpMode.XDP_FLAGS_UPDATE_IF_NOEXIST | mode.flag, null);
            if (rc < 0) {
                int errno = -rc;
                if (errno == Errno.EBUSY || errno == Errno.EEXIST) {
                    XdpQuery now = XdpQuery.of(ifindex, ifname);
                    if (now.any() != 0) {
                        throw foreign(ifname, now.any(), now);
                    }
                }
                throw BpfErrors.of(BpfErrors.Op.ATTACH, errno, ifname + " in " + mode + " mode");
            }
            ok = true;
            return new XdpAttachment(ifname, ifindex, role, mode, id, false, dir, h, rxQueues);
        } finally {
            if (!ok) {
                XdpAttachment.unpin(dir);
                h.close();
            }
        }
    }

    /** Re-adopts the program of this agent attached to {@code ifname}, if there is one. */
    public Optional<XdpAttachment> adoptExisting(String ifname) {
        int ifindex = ifindex(ifname);
        BpfFs.require(pinRoot);
        Path dir = pinRoot.resolve(ifname);
        XdpQuery attached = XdpQuery.of(ifindex, ifname);
        if (attached.any() == 0 || !Files.exists(dir.resolve(PROG_PIN))) {
            return Optional.empty();
        }
        ProgramHandles h = openPinned(dir);
        ProgInfo info = ProgInfo.of(h.progFd);
        XdpRole role = XdpRole.byProgramName(info.name());
        if (info.id() != attached.any() || role == null) {
            h.close();
            return Optional.empty();
        }
        XdpMode mode = attached.driverId() == info.id() ? XdpMode.NATIVE : XdpMode.GENERIC;
        return Optional.of(new XdpAttachment(ifname, ifindex, role, mode, info.id(), true, dir, h,
                NetDev.queues(ifname, ifindex).rx()));
    }

    private XdpAttachment adopt(String ifname, int ifindex, XdpRole role, XdpMode mode, Path dir, int rxQueues,
            XdpQuery attached) {
        int id = attached.any();
        ProgramHandles h = null;
        if (Files.exists(dir.resolve(PROG_PIN))) {
            ProgramHandles pinned = openPinned(dir);
            if (ProgInfo.of(pinned.progFd).id() == id) {
                h = pinned;
            } else {
                pinned.close();
            }
        }
        if (h == null) {
            h = adoptUnpinned(id, role);
            if (h == null) {
                throw foreign(ifname, id, attached);
            }
            try {
                XdpAttachment.unpin(dir);
                pin(h, dir);
            } catch (BpfException e) {
                h.close();
                throw e;
            }
        }
        boolean ok = false;
        try {
            ProgInfo info = ProgInfo.of(h.progFd);
            if (!role.programName().equals(info.name())) {
                throw new BpfException(BpfException.Reason.FOREIGN_PROGRAM, 0, "xdpmesh program " + info.name()
                        + " (id " + id + ") is already attached to " + ifname + ", not " + role.programName()
                        + "; detach it first (the interface has a different role)");
            }
            if (attached.in(mode) != id) {
                throw new BpfException(BpfException.Reason.FOREIGN_PROGRAM, 0, "xdpmesh program " + info.name()
                        + " (id " + id + ") is attached to " + ifname + " in " + attached.modeOf(id)
                        + " mode, not " + mode + " mode; detach it first");
            }
            ok = true;
            return new XdpAttachment(ifname, ifindex, role, mode, id, true, dir, h, rxQueues);
        } finally {
            if (!ok) {
                h.close();
            }
        }
    }

    /**
     * An attached program that is ours by name and tag but has no pins (bpffs remounted, pins
     * deleted): re-open its maps by id and pin them again. Null when the program is not ours.
     */
    private ProgramHandles adoptUnpinned(int id, XdpRole role) {
        int fd = SystemLibbpf.get().bpf_prog_get_fd_by_id(id);
        if (fd < 0) {
            return null;
        }
        ProgInfo info = ProgInfo.of(fd);
        if (!role.programName().equals(info.name()) || info.type() != ProgInfo.BPF_PROG_TYPE_XDP) {
            Sys.LIBC.close(fd);
            return null;
        }
        String tag;
        try (ProgramHandles fresh = BpfObjectLoader.load(role)) {
            tag = ProgInfo.of(fresh.progFd).tag();
        }
        if (!tag.equals(info.tag())) {
            Sys.LIBC.close(fd);
            return null;
        }
        int xsks = -1, config = -1, counters = -1;
        for (int mapId : info.mapIds()) {
            int m = SystemLibbpf.get().bpf_map_get_fd_by_id(mapId);
            if (m < 0) {
                continue;
            }
            switch (ProgInfo.mapName(m)) {
                case ProgramHandles.MAP_XSKS -> xsks = m;
                case ProgramHandles.MAP_CONFIG -> config = m;
                case ProgramHandles.MAP_COUNTERS -> counters = m;
                default -> Sys.LIBC.close(m);
            }
        }
        ProgramHandles h = ProgramHandles.ofFds(fd, xsks, config, counters);
        if (xsks < 0 || config < 0 || counters < 0) {
            h.close();
            return null;
        }
        return h;
    }

    /** The ifindex in the calling thread's namespace, or {@link BpfException.Reason#NO_SUCH_INTERFACE}. */
    static int ifindex(String name) {
        if (!NetDev.validName(name)) {
            throw new BpfException(BpfException.Reason.NO_SUCH_INTERFACE, 0,
                    "'" + name + "' is not a valid interface name (1 to 15 characters)");
        }
        int idx = NetDev.ifindexOrZero(name);
        if (idx == 0) {
            throw BpfErrors.of(BpfErrors.Op.INTERFACE, Errno.ENODEV, "'" + name + "'");
        }
        return idx;
    }

    private static ProgramHandles openPinned(Path dir) {
        int prog = getPinned(dir.resolve(PROG_PIN));
        int xsks = -1, config = -1, counters = -1;
        try {
            xsks = getPinned(dir.resolve(ProgramHandles.MAP_XSKS));
            config = getPinned(dir.resolve(ProgramHandles.MAP_CONFIG));
            counters = getPinned(dir.resolve(ProgramHandles.MAP_COUNTERS));
            return ProgramHandles.ofFds(prog, xsks, config, counters);
        } catch (BpfException e) {
            ProgramHandles.ofFds(prog, xsks, config, counters).close();
            throw e;
        }
    }

    private static int getPinned(Path p) {
        int fd = SystemLibbpf.get().bpf_obj_get(p.toString());
        if (fd < 0) {
            throw BpfErrors.of(BpfErrors.Op.OPEN_PIN, -fd, p.toString());
        }
        return fd;
    }

    private static void pin(ProgramHandles h, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BpfException(BpfException.Reason.SYSTEM, 0, "cannot create pin directory " + dir + ": " + e);
        }
        pinOne(h.progFd, dir.resolve(PROG_PIN));
        pinOne(h.xsksFd, dir.resolve(ProgramHandles.MAP_XSKS));
        pinOne(h.configFd, dir.resolve(ProgramHandles.MAP_CONFIG));
        pinOne(h.countersFd, dir.resolve(ProgramHandles.MAP_COUNTERS));
    }

    private static void pinOne(int fd, Path p) {
        int rc = SystemLibbpf.get().bpf_obj_pin(fd, p.toString());
        if (rc < 0) {
            throw BpfErrors.of(BpfErrors.Op.PIN, -rc, p.toString());
        }
    }

    private static BpfException foreign(String ifname, int id, XdpQuery q) {
        String name = "?";
        int fd = SystemLibbpf.get().bpf_prog_get_fd_by_id(id);
        if (fd >= 0) {
            try {
                name = ProgInfo.of(fd).name();
            } catch (BpfException e) {
                // keep "?": the id is what matters
            } finally {
                Sys.LIBC.close(fd);
            }
        }
        return new BpfException(BpfException.Reason.FOREIGN_PROGRAM, Errno.EBUSY,
                "interface " + ifname + " already has XDP program id " + id + " (name '" + name + "', "
                        + q.modeOf(id) + " mode) that xdpmesh did not attach; it was left in place. Inspect it with"
                        + " `bpftool prog show id " + id + "` and remove it (e.g. `ip link set dev " + ifname
                        + " xdp off`) if it should go");
    }
}
