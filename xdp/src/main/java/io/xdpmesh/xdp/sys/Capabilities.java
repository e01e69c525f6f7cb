package io.xdpmesh.xdp.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The effective capability set of this process, to explain EPERM in words. */
public record Capabilities(long effective) {
    public static final int CAP_NET_ADMIN = 12, CAP_NET_RAW = 13, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38,
            CAP_BPF = 39;

    /** Reads CapEff from /proc/self/status; all bits set when it cannot be read (the hint is then silent). */
    public static Capabilities current() {
        try {
            return parseStatus(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return new Capabilities(-1L);
        }
    }

    static Capabilities parseStatus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return new Capabilities(Long.parseUnsignedLong(line.substring(7).strip(), 16));
            }
        }
        throw new IllegalArgumentException("no CapEff line");
    }

    public boolean has(int cap) {
        return (effective >>> cap & 1L) != 0;
    }

    /** Loading and attaching XDP: CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN on older kernels. */
    public List<String> missingForXdp() {
        List<String> missing = new ArrayList<>();
        if (!has(CAP_NET_ADMIN)) {
            missing.add("CAP_NET_ADMIN");
        }
        if (!has(CAP_BPF) && !has(CAP_SYS_ADMIN)) {
            missing.add("CAP_BPF");
        }
        return missing;
    }

    /** An AF_XDP socket: CAP_NET_RAW to create it; CAP_NET_ADMIN for busy-poll options and the XDP side. */
    public List<String> missingForXsk() {
        List<String> missing = new ArrayList<>();
        if (!has(CAP_NET_RAW)) {
            missing.add("CAP_NET_RAW");
        }
        if (!has(CAP_NET_ADMIN)) {
            missing.add("CAP_NET_ADMIN");
        }
        return missing;
    }

    /** "; this process lacks CAP_X, CAP_Y" or, with all of them, a pointer at LSMs / lockdown. */
    public static String lacking(List<String> missing) {
        return missing.isEmpty() ? "; this process has them, so an LSM or a locked-down kernel may refuse"
                : "; this process lacks " + String.join(", ", missing);
    }
}
