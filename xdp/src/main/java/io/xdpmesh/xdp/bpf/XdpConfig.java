package io.xdpmesh.xdp.bpf;

/**
 * The {@code xm_config} map's single entry (struct xm_config in xdpmesh.h).
 *
 * @param tunnelPort UDP port the uplink program redirects (1..65535)
 * @param passTunnelWithoutSocket uplink: pass tunnel UDP to the kernel while no socket is bound,
 *        instead of the default drop
 */
public record XdpConfig(int tunnelPort, boolean passTunnelWithoutSocket) {
    public static final int DEFAULT_TUNNEL_PORT = 51871;
    static final int F_UPLINK_PASS_NO_SOCKET = 1;
    public static final XdpConfig DEFAULT = new XdpConfig(DEFAULT_TUNNEL_PORT, false);

    public XdpConfig {
        if (tunnelPort < 1 || tunnelPort > 65535) {
            throw new IllegalArgumentException("tunnel port " + tunnelPort + " is not in 1..65535");
        }
    }

    int flags() {
        return passTunnelWithoutSocket ? F_UPLINK_PASS_NO_SOCKET : 0;
    }
}
