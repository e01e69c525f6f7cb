/* Layout shared between the XDP programs and io.xdpmesh.xdp.bpf (XdpMaps, XdpCounter, XdpConfig).
 * Any change here must be mirrored there; XdpLayoutTest checks the values against the object's BTF. */
#ifndef XDPMESH_H
#define XDPMESH_H

#define XM_MAX_QUEUES 256          /* XSKMAP entries: one per rx queue */
#define XM_DEFAULT_TUNNEL_PORT 51871

/* Config flags (struct xm_config.flags). */
#define XM_F_UPLINK_PASS_NO_SOCKET (1u << 0) /* uplink: pass tunnel UDP when no XSK is bound (default: drop) */

struct xm_config {
	__u16 tunnel_port; /* host byte order; 0 means XM_DEFAULT_TUNNEL_PORT */
	__u16 reserved;
	__u32 flags;
};

/* Per-CPU counters, one __u64 per index. */
enum xm_counter {
	XM_C_REDIRECTED = 0,      /* handed to bpf_redirect_map with a bound socket */
	XM_C_PASSED,              /* every XDP_PASS */
	XM_C_PASSED_ARP,          /* pod: ARP to the host (proxy ARP) */
	XM_C_PASSED_ND,           /* pod: ICMPv6 133-137 to the host (proxy NDP) */
	XM_C_PASSED_NON_IP,       /* pod: neither IP, ARP nor VLAN (LLDP, ...) */
	XM_C_PASSED_NOT_TUNNEL,   /* uplink: anything but UDP to the tunnel port */
	XM_C_PASSED_FRAGMENT,     /* uplink: IP fragments (the port is not visible) */
	XM_C_DROPPED_NO_SOCKET,   /* no XSK bound for this rx queue */
	XM_C_DROPPED_MALFORMED,   /* pod: IP headers truncated in the linear part, VLAN stack too deep */
	XM_C_PASSED_MALFORMED,    /* uplink: same, passed for the kernel to judge */
	XM_C_PASSED_NO_SOCKET,    /* uplink with XM_F_UPLINK_PASS_NO_SOCKET: tunnel UDP passed */
	XM_C_MAX
};

#endif
