// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* xdpmesh XDP programs: one object, two roles (DESIGN.md).
 *  xm_pod    - pod-facing interface: IPv4/IPv6 go to the AF_XDP socket of the rx queue, ARP and
 *              neighbour discovery go to the host, and with no socket bound IP is dropped (fail closed).
 *  xm_uplink - node uplink: only UDP to the tunnel port goes to the socket, everything else passes.
 * The loader loads one role per interface, so every attachment has its own maps.
 * Both are xdp.frags programs so that large MTUs attach natively; parsing looks at the linear part only. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdpmesh.h"

#define ETH_P_8021Q_BE bpf_htons(0x8100)
#define ETH_P_8021AD_BE bpf_htons(0x88A8)
#define XM_MAX_VLAN_TAGS 2
#define XM_MAX_IPV6_EXT 4

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XM_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xm_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xm_config);
} xm_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XM_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xm_counters SEC(".maps");

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&xm_counters, &idx);

	if (c)
		*c += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline int pass(__u32 reason)
{
	count(XM_C_PASSED);
	if (reason != XM_C_PASSED)
		count(reason);
	return XDP_PASS;
}

/* Redirects to the socket of the receiving queue; the fallback action applies when none is bound. */
static __always_inline int to_socket(struct xdp_md *ctx, int fallback, __u32 fallback_counter)
{
	int rc = bpf_redirect_map(&xm_xsks, ctx->rx_queue_index, fallback);

	if (rc == XDP_REDIRECT) {
		count(XM_C_REDIRECTED);
		return rc;
	}
	if (rc == XDP_PASS)
		return pass(fallback_counter);
	count(fallback_counter);
	return rc;
}

/* Walks the Ethernet header and up to two VLAN tags. Returns the network header offset, or -1 if
 * the frame is truncated or carries more tags than we unwrap. *proto gets the inner ethertype. */
static __always_inline int l2(void *data, void *end, __be16 *proto)
{
	struct ethhdr *eth = data;
	int off = sizeof(*eth);

	if ((void *)(eth + 1) > end)
		return -1;
	*proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < XM_MAX_VLAN_TAGS; i++) {
		if (*proto != ETH_P_8021Q_BE && *proto != ETH_P_8021AD_BE)
			return off;
		struct vlan_tag *tag = data + off;

		if ((void *)(tag + 1) > end)
			return -1;
		*proto = tag->proto;
		off += sizeof(*tag);
	}
	if (*proto == ETH_P_8021Q_BE || *proto == ETH_P_8021AD_BE)
		return -1;
	return off;
}

static __always_inline int is_ipv6_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS;
}

SEC("xdp.frags")
int xm_pod(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be16 proto;
	int off = l2(data, end, &proto);

	if (off < 0) {
		/* A runt Ethernet frame or a deep VLAN stack may hide IP: never hand it to the host. */
		count(XM_C_DROPPED_MALFORMED);
		return XDP_DROP;
	}
	if (proto == bpf_htons(ETH_P_ARP))
		return pass(XM_C_PASSED_ARP);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5) {
			count(XM_C_DROPPED_MALFORMED);
			return XDP_DROP;
		}
		return to_socket(ctx, XDP_DROP, XM_C_DROPPED_NO_SOCKET);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end || ip6->version != 6) {
			count(XM_C_DROPPED_MALFORMED);
			return XDP_DROP;
		}
		/* Neighbour discovery carries no extension headers (RFC 4861), so only look right after
		 * the fixed header; anything else that is ICMPv6 goes to the dataplane like all IP. */
		if (ip6->nexthdr == IPPROTO_ICMPV6) {
			struct icmp6hdr *icmp = (void *)(ip6 + 1);

			if ((void *)(icmp + 1) > end) {
				count(XM_C_DROPPED_MALFORMED);
				return XDP_DROP;
			}
			if (icmp->icmp6_type >= 133 && icmp->icmp6_type <= 137)
				return pass(XM_C_PASSED_ND);
		}
		return to_socket(ctx, XDP_DROP, XM_C_DROPPED_NO_SOCKET);
	}
	return pass(XM_C_PASSED_NON_IP);
}

static __always_inline __u16 tunnel_port(__u32 *flags)
{
	__u32 zero = 0;
	struct xm_config *cfg = bpf_map_lookup_elem(&xm_config, &zero);

	if (!cfg) {
		*flags = 0;
		return XM_DEFAULT_TUNNEL_PORT;
	}
	*flags = cfg->flags;
	return cfg->tunnel_port ? cfg->tunnel_port : XM_DEFAULT_TUNNEL_PORT;
}

/* Tunnel datagrams: redirect; with no socket, drop unless the config asks to pass. They are
 * ciphertext for the agent; the kernel has no listener for them, so passing would only answer
 * the peer with ICMP port unreachable while the agent restarts. */
static __always_inline int uplink_tunnel(struct xdp_md *ctx, __u32 flags)
{
	if (flags & XM_F_UPLINK_PASS_NO_SOCKET)
		return to_socket(ctx, XDP_PASS, XM_C_PASSED_NO_SOCKET);
	return to_socket(ctx, XDP_DROP, XM_C_DROPPED_NO_SOCKET);
}

SEC("xdp.frags")
int xm_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be16 proto;
	int off = l2(data, end, &proto);
	__u32 flags;
	__u16 port;

	if (off < 0)
		return pass(XM_C_PASSED_MALFORMED);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl < 5)
			return pass(XM_C_PASSED_MALFORMED);
		if (ip->protocol != IPPROTO_UDP)
			return pass(XM_C_PASSED_NOT_TUNNEL);
		if (ip->frag_off & bpf_htons(0x3FFF)) /* MF or an offset */
			return pass(XM_C_PASSED_FRAGMENT);
		struct udphdr *udp = (void *)ip + ip->ihl * 4;

		if ((void *)(udp + 1) > end)
			return pass(XM_C_PASSED_MALFORMED);
		port = tunnel_port(&flags);
		if (udp->dest != bpf_htons(port))
			return pass(XM_C_PASSED_NOT_TUNNEL);
		return uplink_tunnel(ctx, flags);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;
		void *l4 = ip6 + 1;
		__u8 nh;

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return pass(XM_C_PASSED_MALFORMED);
		nh = ip6->nexthdr;
#pragma unroll
		for (int i = 0; i < XM_MAX_IPV6_EXT; i++) {
			if (!is_ipv6_ext(nh))
				break;
			struct ipv6_opt_hdr *ext = l4;

			if ((void *)(ext + 1) > end)
				return pass(XM_C_PASSED_MALFORMED);
			nh = ext->nexthdr;
			l4 += (ext->hdrlen + 1) * 8;
		}
		if (nh == IPPROTO_FRAGMENT)
			return pass(XM_C_PASSED_FRAGMENT);
		if (nh != IPPROTO_UDP)
			return pass(is_ipv6_ext(nh) ? XM_C_PASSED_MALFORMED : XM_C_PASSED_NOT_TUNNEL);
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return pass(XM_C_PASSED_MALFORMED);
		port = tunnel_port(&flags);
		if (udp->dest != bpf_htons(port))
			return pass(XM_C_PASSED_NOT_TUNNEL);
		return uplink_tunnel(ctx, flags);
	}
	return pass(XM_C_PASSED_NOT_TUNNEL);
}

char _license[] SEC("license") = "Dual BSD/GPL";
