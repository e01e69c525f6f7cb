package io.xdpmesh.xdp.bpf;

/** Which of the two XDP programs (native/src/main/bpf/xdpmesh.bpf.c) an interface gets. */
public enum XdpRole {
    /** Pod-facing: IPv4/IPv6 to the XSK of the rx queue, ARP/ND to the host, fail closed without a socket. */
    POD("xm_pod"),
    /** Uplink: UDP to the tunnel port to the XSK, everything else to the host. */
    UPLINK("xm_uplink");

    private final String programName;

    XdpRole(String programName) {
        this.programName = programName;
    }

    /** The program's name in the object and in the kernel (bpftool prog show). */
    public String programName() {
        return programName;
    }

    static XdpRole byProgramName(String name) {
        for (XdpRole r : values()) {
            if (r.programName.equals(name)) {
                return r;
            }
        }
        return null;
    }
}
