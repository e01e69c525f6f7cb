// SPDX-License-Identifier: Apache-2.0
/* xskref: the C reference for `perf/run xsk`, on libxdp's xsk API.
 *
 * Same duty cycle as the Java loops in io.xdpmesh.xdp.xsk.loop (RxDrop, TxOnly, L2Fwd): one busy
 * polling thread, copy mode, need_wakeup, batch 64 by default, a LIFO free-frame stack, completion
 * drained and the fill ring topped up every iteration, a TX kick only when descriptors are pending
 * and the kernel asks. It loads the project's own XDP object (xm_pod) with libbpf and puts its socket
 * into xm_xsks, so the Java and the C side run the same XDP program.
 *
 *   xskref rxdrop|l2fwd|txonly -i IF [-q QUEUE] [-o xdpmesh.bpf.o] [-b BATCH] [-t SECONDS] [-w WARMUP]
 *          [-I IDLE_SPINS -S IDLE_SLEEP_US]   sleep after that many idle iterations, as the Java
 *                                             LoopRunner does (default 0: busy poll)
 *          txonly: [-s FRAME_SIZE] [--src-mac M --dst-mac M --src-ip A --dst-ip A --sport P --dport P --flows N]
 *   xskref attach -i IF -o xdpmesh.bpf.o      attach xm_pod with no socket (a counting XDP_DROP sink)
 *
 * Prints "running" when the loop starts and, at the end,
 *   result impl=c mode=M pps=<rate over the window after WARMUP> rx=<n> tx=<n> secs=<window>
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>

#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0) /* Debian's headers lack it */
#endif

#define FRAME_SIZE 4096
#define FRAME_COUNT 8192
#define FILL_SIZE 4096
#define COMP_SIZE 2048
#define RX_SIZE 2048
#define TX_SIZE 2048

static struct {
	const char *mode, *ifname, *obj;
	int queue, batch, size, flows, idle_spins, idle_sleep_us;
	double seconds, warmup;
	uint8_t smac[6], dmac[6];
	uint32_t sip, dip;
	uint16_t sport, dport;
} opt = { .queue = 0, .batch = 64, .size = 64, .flows = 1, .seconds = 7, .warmup = 2,
	  .smac = { 2, 0, 0, 0, 0, 1 }, .dmac = { 2, 0, 0, 0, 0, 2 }, .sport = 10000, .dport = 9 };

static volatile int stop;
/* Written by the loop thread only; the timer thread reads them for the window snapshot. */
static volatile uint64_t rx_pkts, tx_pkts, completed, kicks;
static uint64_t rx_bytes; /* kept as the Java loops keep it: the same per-frame work */

static struct xsk_ring_prod fq, tx;
static struct xsk_ring_cons cq, rx;
static struct xsk_umem *umem;
static struct xsk_socket *xsk;
static void *area;
static int xsk_fd;
static uint64_t stack[FRAME_COUNT];
static uint32_t top;
static uint16_t *flow_csum; /* UDP checksum per flow (source port), precomputed */

static void die(const char *what, int err)
{
	fprintf(stderr, "xskref: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static inline void frame_free(uint64_t addr)
{
	stack[top++] = addr & ~((uint64_t)FRAME_SIZE - 1);
}

/* Completed TX frames back to the stack, the fill ring topped up from it, a wake-up if asked. */
static inline void recycle(int has_rx)
{
	uint32_t idx, n = xsk_ring_cons__peek(&cq, COMP_SIZE, &idx);

	if (n) {
		for (uint32_t i = 0; i < n; i++)
			frame_free(*xsk_ring_cons__comp_addr(&cq, idx + i));
		xsk_ring_cons__release(&cq, n);
		completed += n;
	}
	uint32_t want = top, free = xsk_prod_nb_free(&fq, want);

	n = free < want ? free : want;
	if (n && xsk_ring_prod__reserve(&fq, n, &idx)) {
		for (uint32_t i = 0; i < n; i++)
			*xsk_ring_prod__fill_addr(&fq, idx + i) = stack[--top];
		xsk_ring_prod__submit(&fq, n);
	}
	if (has_rx && xsk_ring_prod__needs_wakeup(&fq)) {
		kicks++;
		recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	}
}

/* The idle policy of io.xdpmesh.perf.loop.LoopRunner: after idle_spins iterations that moved
 * nothing, sleep idle_sleep_us. */
static inline void idle(uint32_t moved)
{
	static int idles;

	if (moved) {
		idles = 0;
	} else if (opt.idle_spins && ++idles >= opt.idle_spins) {
		struct timespec ts = { opt.idle_sleep_us / 1000000, (long)(opt.idle_sleep_us % 1000000) * 1000 };

		nanosleep(&ts, NULL);
		idles = 0;
	}
}

static inline void kick_tx(void)
{
	if (xsk_prod_nb_free(&tx, TX_SIZE) < TX_SIZE && xsk_ring_prod__needs_wakeup(&tx)) {
		kicks++;
		sendto(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
	}
}

static void loop_rxdrop(void)
{
	while (!stop) {
		uint32_t idx, n = xsk_ring_cons__peek(&rx, opt.batch, &idx);

		if (n) {
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx + i);

				rx_bytes += d->len;
				frame_free(d->addr);
			}
			xsk_ring_cons__release(&rx, n);
			rx_pkts += n;
		}
		recycle(1);
		idle(n);
	}
}

static inline void swap_macs(uint8_t *f)
{
	uint8_t t[6];

	memcpy(t, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, t, 6);
}

static void loop_l2fwd(void)
{
	while (!stop) {
		uint32_t r, t, n = xsk_cons_nb_avail(&rx, opt.batch);

		if (n) {
			uint32_t free = xsk_prod_nb_free(&tx, n);

			n = free < n ? free : n;
		}
		if (!n || !xsk_ring_prod__reserve(&tx, n, &t)) {
			n = 0;
		} else {
			n = xsk_ring_cons__peek(&rx, n, &r);
			for (uint32_t i = 0; i < n; i++) {
				const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, r + i);
				struct xdp_desc *o = xsk_ring_prod__tx_desc(&tx, t + i);

				swap_macs(xsk_umem__get_data(area, d->addr));
				/* as the Java L2Fwd: a chain (XDP_PKT_CONTD) is forwarded as a chain */
				o->addr = d->addr;
				o->len = d->len;
				o->options = d->options & XDP_PKT_CONTD;
				rx_bytes += d->len;
			}
			xsk_ring_prod__submit(&tx, n);
			xsk_ring_cons__release(&rx, n);
			rx_pkts += n;
			tx_pkts += n;
		}
		kick_tx();
		recycle(1);
		idle(n);
	}
}

/* Per packet, as the Java generator's source: the flow's source port and its UDP checksum. */
static inline void write_packet(uint8_t *f, uint32_t flow)
{
	uint16_t *udp = (uint16_t *)(f + 14 + 20);

	udp[0] = htons(opt.sport + flow);
	udp[3] = flow_csum[flow];
}

static void loop_txonly(void)
{
	uint32_t flow = 0;

	while (!stop) {
		uint32_t idx, n = 0, want;

		n = xsk_ring_cons__peek(&cq, COMP_SIZE, &idx);
		if (n) {
			for (uint32_t i = 0; i < n; i++)
				frame_free(*xsk_ring_cons__comp_addr(&cq, idx + i));
			xsk_ring_cons__release(&cq, n);
			completed += n;
		}
		want = (uint32_t)opt.batch < top ? (uint32_t)opt.batch : top;
		if (want) {
			uint32_t free = xsk_prod_nb_free(&tx, want);

			n = free < want ? free : want;
			if (n && !xsk_ring_prod__reserve(&tx, n, &idx))
				n = 0;
			if (n) {
				for (uint32_t i = 0; i < n; i++) {
					uint64_t a = stack[--top];
					struct xdp_desc *d = xsk_ring_prod__tx_desc(&tx, idx + i);

					write_packet(xsk_umem__get_data(area, a), flow);
					if (++flow == (uint32_t)opt.flows)
						flow = 0;
					d->addr = a;
					d->len = opt.size;
					d->options = 0;
				}
				xsk_ring_prod__submit(&tx, n);
				tx_pkts += n;
			}
		}
		kick_tx();
		idle(n);
	}
}

static uint32_t sum16(const void *p, int len, uint32_t sum)
{
	const uint8_t *b = p;

	for (int i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 + UDP with valid checksums into every frame; per-flow UDP checksums. */
static void build_frames(void)
{
	uint8_t tmpl[FRAME_SIZE];
	int l3 = opt.size - 14, l4 = l3 - 20;

	memset(tmpl, 0, sizeof(tmpl));
	memcpy(tmpl, opt.dmac, 6);
	memcpy(tmpl + 6, opt.smac, 6);
	tmpl[12] = 0x08;
	uint8_t *ip = tmpl + 14, *udp = ip + 20;

	ip[0] = 0x45;
	ip[2] = l3 >> 8; ip[3] = l3;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	memcpy(ip + 12, &opt.sip, 4);
	memcpy(ip + 16, &opt.dip, 4);
	uint16_t hc = htons(fold(sum16(ip, 20, 0)));

	memcpy(ip + 10, &hc, 2);
	udp[2] = opt.dport >> 8; udp[3] = opt.dport;
	udp[4] = l4 >> 8; udp[5] = l4;
	for (int i = 8; i < l4; i++)
		udp[i] = (uint8_t)i;
	flow_csum = calloc(opt.flows, sizeof(*flow_csum));
	for (int f = 0; f < opt.flows; f++) {
		udp[0] = (opt.sport + f) >> 8;
		udp[1] = (opt.sport + f);
		udp[6] = udp[7] = 0;
		uint32_t s = sum16(ip + 12, 8, IPPROTO_UDP + l4);
		uint16_t c = fold(sum16(udp, l4, s));

		flow_csum[f] = htons(c ? c : 0xffff);
	}
	for (int i = 0; i < FRAME_COUNT; i++)
		memcpy((uint8_t *)area + (uint64_t)i * FRAME_SIZE, tmpl, opt.size);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The measured count of the mode: what the loop received, or what the kernel completed. */
static uint64_t measured(void)
{
	return strcmp(opt.mode, "txonly") == 0 ? completed : rx_pkts;
}

/* Frames that reached the socket but were dropped (rx ring full, no fill frame). */
static uint64_t lost(void)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	if (getsockopt(xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &len))
		die("getsockopt(XDP_STATISTICS)", errno);
	return st.rx_dropped + st.rx_ring_full;
}

static void *timer(void *arg)
{
	(void)arg;
	sleep_s(opt.warmup);
	double t0 = now_s();
	uint64_t c0 = measured(), r0 = rx_pkts, x0 = tx_pkts, k0 = kicks, l0 = lost();

	sleep_s(opt.seconds - opt.warmup);
	double t1 = now_s();
	uint64_t c1 = measured(), r1 = rx_pkts, x1 = tx_pkts, k1 = kicks, l1 = lost();

	stop = 1;
	printf("result impl=c mode=%s pps=%.0f rx=%llu tx=%llu secs=%.3f kicks=%llu lost=%llu\n", opt.mode,
	       (c1 - c0) / (t1 - t0), (unsigned long long)(r1 - r0), (unsigned long long)(x1 - x0), t1 - t0,
	       (unsigned long long)(k1 - k0), (unsigned long long)(l1 - l0));
	fflush(stdout);
	return NULL;
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: xskref rxdrop|l2fwd|txonly|attach -i IF [-q QUEUE] [-o OBJ] [-b BATCH] [-t SECONDS] "
			"[-w WARMUP] [-I IDLE_SPINS -S IDLE_SLEEP_US] [-s FRAME_SIZE] [--src-mac M] [--dst-mac M] [--src-ip A] [--dst-ip A] "
			"[--sport P] [--dport P] [--flows N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "src-mac", 1, 0, 1 }, { "dst-mac", 1, 0, 2 }, { "src-ip", 1, 0, 3 }, { "dst-ip", 1, 0, 4 },
		{ "sport", 1, 0, 5 },	{ "dport", 1, 0, 6 },	{ "flows", 1, 0, 7 },  { 0, 0, 0, 0 },
	};
	int c;

	if (argc < 2)
		usage();
	opt.mode = argv[1];
	inet_pton(AF_INET, "10.0.0.1", &opt.sip);
	inet_pton(AF_INET, "10.0.0.2", &opt.dip);
	optind = 2;
	while ((c = getopt_long(argc, argv, "i:q:o:b:t:w:s:I:S:", lo, NULL)) != -1) {
		switch (c) {
		case 'i': opt.ifname = optarg; break;
		case 'q': opt.queue = atoi(optarg); break;
		case 'o': opt.obj = optarg; break;
		case 'b': opt.batch = atoi(optarg); break;
		case 't': opt.seconds = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 's': opt.size = atoi(optarg); break;
		case 'I': opt.idle_spins = atoi(optarg); break;
		case 'S': opt.idle_sleep_us = atoi(optarg); break;
		case 1: if (parse_mac(optarg, opt.smac)) usage(); break;
		case 2: if (parse_mac(optarg, opt.dmac)) usage(); break;
		case 3: if (inet_pton(AF_INET, optarg, &opt.sip) != 1) usage(); break;
		case 4: if (inet_pton(AF_INET, optarg, &opt.dip) != 1) usage(); break;
		case 5: opt.sport = atoi(optarg); break;
		case 6: opt.dport = atoi(optarg); break;
		case 7: opt.flows = atoi(optarg); break;
		default: usage();
		}
	}
	int is_tx = strcmp(opt.mode, "txonly") == 0, is_attach = strcmp(opt.mode, "attach") == 0;

	if (!opt.ifname || (!is_tx && !opt.obj) || opt.batch < 1 || opt.batch > TX_SIZE || opt.flows < 1 ||
	    opt.flows > 65536 - opt.sport || opt.size < 42 || opt.size > FRAME_SIZE - XDP_PACKET_HEADROOM ||
	    opt.warmup >= opt.seconds || opt.idle_spins < 0 || opt.idle_sleep_us < 0 || opt.idle_sleep_us > 100000 ||
	    (!is_tx && !is_attach && strcmp(opt.mode, "rxdrop") && strcmp(opt.mode, "l2fwd")))
		usage();
	int ifindex = if_nametoindex(opt.ifname);

	if (!ifindex)
		die(opt.ifname, errno);

	struct bpf_object *obj = NULL;
	int prog_fd = -1, map_fd = -1;

	libbpf_set_print(NULL);
	if (!is_tx) {
		obj = bpf_object__open_file(opt.obj, NULL);
		if (!obj)
			die("bpf_object__open_file", errno);
		struct bpf_program *p;

		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, strcmp(bpf_program__name(p), "xm_pod") == 0);
		int e = bpf_object__load(obj);

		if (e)
			die("bpf_object__load", e);
		prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "xm_pod"));
		map_fd = bpf_object__find_map_fd_by_name(obj, "xm_xsks");
		e = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (e)
			die("bpf_xdp_attach (native)", e);
		if (is_attach)
			return 0; /* stays attached: the namespace's deletion removes it */
	}

	area = mmap(NULL, (size_t)FRAME_SIZE * FRAME_COUNT, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (area == MAP_FAILED)
		die("mmap", errno);
	struct xsk_umem_config ucfg = { .fill_size = FILL_SIZE, .comp_size = COMP_SIZE, .frame_size = FRAME_SIZE };
	int e = xsk_umem__create(&umem, area, (uint64_t)FRAME_SIZE * FRAME_COUNT, &fq, &cq, &ucfg);

	if (e)
		die("xsk_umem__create", e);
	struct xsk_socket_config scfg = {
		.rx_size = RX_SIZE, .tx_size = TX_SIZE,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	e = xsk_socket__create(&xsk, opt.ifname, opt.queue, umem, &rx, &tx, &scfg);
	if (e)
		die("xsk_socket__create", e);
	xsk_fd = xsk_socket__fd(xsk);
	if (map_fd >= 0) {
		uint32_t q = opt.queue;

		if (bpf_map_update_elem(map_fd, &q, &xsk_fd, 0))
			die("xm_xsks update", errno);
	}
	for (int i = FRAME_COUNT - 1; i >= 0; i--)
		stack[top++] = (uint64_t)i * FRAME_SIZE;
	if (is_tx)
		build_frames();
	else
		recycle(1); /* fill ring primed before the first frame can arrive */

	pthread_t th;

	printf("running impl=c mode=%s if=%s queue=%d batch=%d\n", opt.mode, opt.ifname, opt.queue, opt.batch);
	fflush(stdout);
	pthread_create(&th, NULL, timer, NULL);
	if (is_tx)
		loop_txonly();
	else if (strcmp(opt.mode, "rxdrop") == 0)
		loop_rxdrop();
	else
		loop_l2fwd();
	pthread_join(th, NULL);

	if (prog_fd >= 0) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = prog_fd);
		bpf_xdp_attach(ifindex, -1, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &o);
	}
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	bpf_object__close(obj);
	return 0;
}
