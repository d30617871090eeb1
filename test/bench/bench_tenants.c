/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: the tenant-network features on one core, in one run, each
 * figure next to its baseline: the distributed router (a routed flow
 * against an L2 flow), unicast replication of a VM's broadcast (cycles per
 * copy against one forwarded packet), the DHCP responder and the IPv6 ND
 * proxy (answers against one forwarded packet).
 *
 *   bench_tenants [--seconds S] [--rounds R] [--huge] [--bcast-burst B]
 *                 [--pool N] [--pool-cache C]
 *
 * --seconds: about S seconds of timed runs per workload, split over the R
 * rounds (default 1 and 7). --huge runs on hugepages (--in-memory), as a
 * production deployment does; the default is 4 KB pages (--no-huge).
 * Replication is run with 1 broadcast per burst (a broadcast among other
 * traffic) and with B (default 32: a storm). The mbuf pool has N mbufs
 * (default 32767) and a per-lcore cache of C (default 256, as app/main.c).
 *
 * The program is built with the lib/vfp API the way hnv_policy_compile()
 * builds one (every VM port gets the "vnet" 20, "router" 25 and "pa-route"
 * 30 layers, no ACL): Contoso's 5001 (10.1.1.0/24, fd00:1:1::/64, DHCP)
 * and 5002 (10.1.2.0/24) in one routing domain, VM A on port 1, a local VM
 * in each subnet and a remote CA in each at PA 192.168.1.10 (off-link,
 * through the host gateway, whose MAC the policy gives); and six subnets
 * of their own for replication, each with a sender and 8 or 64 other VMs
 * (half local and half remote, all local, all remote), flood_limit raised
 * to UINT32_MAX copies per second so that storm control drops nothing.
 *
 * Two harnesses, each measured alone and printed with its figures:
 *  - forwarding: 32 mbufs reused as in bench_uft; the transmit callback
 *    strips the outer header (if any) and copies the original 42 bytes of
 *    Ethernet/IPv4/UDP header back (a routed packet had its MACs, TTL and
 *    checksum rewritten);
 *  - answers and replication: the realistic path of a VM port. Every input
 *    is a fresh mbuf (allocated, the frame copied in, as a vhost-user
 *    dequeue does), and the transmit callback frees whatever it is given
 *    (as a vhost-user enqueue does once it has copied the frame into the
 *    guest): the DHCP and ND answers (built in the request's mbuf) and the
 *    copies (a header mbuf chained to an indirect mbuf of the broadcast's
 *    payload, each) go back to the pool, which is checked for leaks.
 *    The forwarding baseline is run through this harness too, so that the
 *    answers and the copies have a baseline with the same harness.
 * Every workload is warmed first (its flows are in the UFT: all timed
 * packets hit), its first output checked byte by byte (port, MACs, TTL,
 * VNI, message type), and every timed run is checked to have sent exactly
 * the packets it should, dropped nothing and missed nothing. Figures are
 * medians over R interleaved rounds; ratios are medians of the per-round
 * ratios.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "vfp.h"

#define BURST 32
#define POOL 32767
#define POOL_CACHE 256 /* as app/main.c */
#define DEFAULT_ROUNDS 7
#define MAX_ROUNDS 64
#define RESTORE_LEN 42 /* Ethernet + IPv4 + UDP */
#define FRAME_MAX 512
#define SEEN_MAX 512

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
enum { PORT_UPLINK, PORT_A, PORT_A2, PORT_B, PORT_FIRST_REPL };

static const struct rte_ether_addr uplink_mac = {{0x02, 0, 0, 0x02, 0, 0x20}};
static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0x02, 0, 0x01}};
static const struct rte_ether_addr router_mac = {{0x02, 0, 0x5e, 0, 0x01, 0x01}};
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr mac_a = {{0x02, 0x50, 0x01, 0, 0, 0x12}};
static const struct rte_ether_addr mac_a2 = {{0x02, 0x50, 0x01, 0, 0, 0x13}};
static const struct rte_ether_addr mac_r1 = {{0x02, 0x50, 0x01, 0, 0, 0x11}};
static const struct rte_ether_addr mac_b = {{0x02, 0x50, 0x02, 0, 0, 0x12}};
static const struct rte_ether_addr mac_r2 = {{0x02, 0x50, 0x02, 0, 0, 0x11}};
#define IP_A IP4(10, 1, 1, 12)
#define IP_A2 IP4(10, 1, 1, 13)
#define IP_R1 IP4(10, 1, 1, 11)
#define IP_B IP4(10, 1, 2, 12)
#define IP_R2 IP4(10, 1, 2, 11)
#define PA_LOCAL IP4(192, 168, 2, 20)
#define PA_GW IP4(192, 168, 2, 1)
#define PA_REMOTE IP4(192, 168, 1, 10)
static const uint8_t prefix6[16] = {0xfd, 0, 0, 1, 0, 1};
static const uint8_t gw6[16] = {0xfd, 0, 0, 1, 0, 1, [15] = 0x01};
static const uint8_t ip6_a[16] = {0xfd, 0, 0, 1, 0, 1, [15] = 0x12};
static const uint8_t ip6_r1[16] = {0xfd, 0, 0, 1, 0, 1, [15] = 0x11};

/* Replication subnets: the sender, then n_local local VMs, then n_remote
 * remote CAs. */
struct repl_cfg {
	unsigned int n_local, n_remote;
};
static const struct repl_cfg repl[] = {{4, 4}, {8, 0}, {0, 8}, {32, 32}, {64, 0}, {0, 64}};
#define N_REPL RTE_DIM(repl)
#define REPL_VSID(c) (5101u + (c))
#define REPL_RDID(c) (11u + (c))
#define REPL_IP(c, i) IP4(10, 10 + (c), 0, 10 + (i)) /* i = 0: the sender */
#define REPL_BCAST(c) IP4(10, 10 + (c), 255, 255)

static struct rte_ether_addr
repl_mac(unsigned int c, unsigned int i)
{
	struct rte_ether_addr m = {{0x02, 0x51, 0, 0, 0, 0}};

	m.addr_bytes[2] = (uint8_t)c;
	m.addr_bytes[5] = (uint8_t)i;
	return m;
}

/* ---- workloads ---- */

struct check {
	uint16_t off, len; /* len 0: none */
	uint8_t bytes[16];
};

struct workload {
	const char *name;
	uint16_t port;     /* received on */
	bool fresh;        /* a new mbuf per input (else the burst is reused) */
	uint16_t nb;       /* inputs per vfp_process_burst (fresh) */
	unsigned int outs; /* packets transmitted per input */
	uint16_t out_port; /* where the checked output goes */
	struct check chk[4];
	uint8_t frame[FRAME_MAX];
	uint16_t len;
	struct rte_mbuf *burst[BURST]; /* reused mbufs (not fresh) */
	uint64_t per;                  /* inputs per round */
	double cyc[MAX_ROUNDS];        /* cycles per input, per round */
};

struct txstate {
	struct workload *w;
	unsigned int back; /* reused mbufs handed back in this burst */
	uint64_t sent;
	int want_port; /* capture the first output on this port (-1: none) */
	bool seen_one;
	uint16_t seen_len;
	uint8_t seen[SEEN_MAX];
};

static struct txstate tx;
static struct vfp_switch *sw;
static struct vfp_lcore *lc;
static struct rte_mempool *mp;

static uint16_t
bench_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct txstate *t = ctx;
	struct workload *w = t->w;

	if (unlikely(t->want_port == port) && !t->seen_one) {
		t->seen_one = true;
		t->seen_len = (uint16_t)RTE_MIN(rte_pktmbuf_data_len(pkts[0]), SEEN_MAX);
		memcpy(t->seen, rte_pktmbuf_mtod(pkts[0], const void *), t->seen_len);
	}
	t->sent += n;
	if (w->fresh) {
		rte_pktmbuf_free_bulk(pkts, n);
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (port == PORT_UPLINK)
			rte_pktmbuf_adj(m, ENCAP_VXLAN_HDR_LEN);
		memcpy(rte_pktmbuf_mtod(m, void *), w->frame, RESTORE_LEN);
		if (t->back < BURST)
			w->burst[t->back++] = m;
		else
			rte_pktmbuf_free(m); /* cannot happen: one output per input */
	}
	return n;
}

/* Send @n inputs (a multiple of BURST) of @w, @w->nb at a time if fresh;
 * returns TSC cycles. */
static uint64_t
run(struct workload *w, uint64_t n)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t t0;

	tx.w = w;
	tx.sent = 0;
	t0 = rte_rdtsc_precise();
	for (uint64_t done = 0; done < n;) {
		uint16_t k = BURST;

		if (w->fresh) {
			k = (uint16_t)RTE_MIN(n - done, (uint64_t)w->nb);
			if (rte_pktmbuf_alloc_bulk(mp, pkts, k) != 0)
				rte_exit(EXIT_FAILURE, "%s: mbuf pool empty\n", w->name);
			for (unsigned int i = 0; i < k; i++)
				rte_memcpy(rte_pktmbuf_append(pkts[i], w->len), w->frame, w->len);
		} else {
			memcpy(pkts, w->burst, sizeof(pkts));
			tx.back = 0;
		}
		done += k;
		vfp_process_burst(sw, lc, w->port, pkts, k);
		vfp_lcore_flush(lc);
		vfp_lcore_quiescent(sw, lc); /* as a worker does per loop */
		if (!w->fresh && tx.back != BURST)
			rte_exit(EXIT_FAILURE, "%s: %u of %u mbufs came back\n", w->name, tx.back,
				BURST);
	}
	t0 = rte_rdtsc_precise() - t0;
	if (tx.sent != n * w->outs)
		rte_exit(EXIT_FAILURE, "%s: sent %" PRIu64 " packets, expected %" PRIu64 "\n",
			w->name, tx.sent, n * w->outs);
	return t0;
}

/* The harness of @w alone, for @n inputs: fresh, allocate, fill and free
 * each mbuf; reused, the transmit callback's restore (after a prepend of
 * the outer header for it to strip). Returns TSC cycles. */
static uint64_t
run_harness(struct workload *w, uint64_t n)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t t0;

	tx.w = w;
	tx.sent = 0;
	t0 = rte_rdtsc_precise();
	for (uint64_t done = 0; done < n; done += BURST) {
		if (w->fresh) {
			if (rte_pktmbuf_alloc_bulk(mp, pkts, BURST) != 0)
				rte_exit(EXIT_FAILURE, "harness: mbuf pool empty\n");
			for (unsigned int i = 0; i < BURST; i++)
				rte_memcpy(rte_pktmbuf_append(pkts[i], w->len), w->frame, w->len);
		} else {
			memcpy(pkts, w->burst, sizeof(pkts));
			tx.back = 0;
			for (unsigned int i = 0; i < BURST; i++)
				rte_pktmbuf_prepend(pkts[i], ENCAP_VXLAN_HDR_LEN);
		}
		bench_tx(&tx, PORT_UPLINK, pkts, BURST);
	}
	return rte_rdtsc_precise() - t0;
}

/* Warm @w up (its flows into the UFT) and check its first output. */
static void
warm_and_check(struct workload *w)
{
	run(w, 4 * BURST);
	tx.want_port = w->out_port;
	tx.seen_one = false;
	run(w, BURST);
	tx.want_port = -1;
	if (!tx.seen_one)
		rte_exit(EXIT_FAILURE, "%s: nothing sent on port %u\n", w->name, w->out_port);
	for (unsigned int i = 0; i < RTE_DIM(w->chk); i++) {
		const struct check *c = &w->chk[i];

		if (c->len != 0 && (c->off + c->len > tx.seen_len ||
					   memcmp(tx.seen + c->off, c->bytes, c->len) != 0))
			rte_exit(EXIT_FAILURE, "%s: output differs at byte %u\n", w->name, c->off);
	}
}

static void
expect(struct workload *w, unsigned int i, uint16_t off, const void *bytes, uint16_t len)
{
	w->chk[i].off = off;
	w->chk[i].len = len;
	memcpy(w->chk[i].bytes, bytes, len);
}

/* ---- frames ---- */

/* Ethernet/IPv4/UDP, @payload bytes of zeros, checksums filled in. */
static uint16_t
udp_frame(uint8_t *buf, const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
	rte_be32_t sip, rte_be32_t dip, uint16_t sport, uint16_t dport, uint16_t payload)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t len = (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + payload);

	memset(buf, 0, len);
	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eth)));
	ip->packet_id = RTE_BE16(7);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + payload));
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return len;
}

/* A DHCPDISCOVER from @mac as a stock client sends it: broadcast, a client
 * id and a parameter request list, the BOOTP message padded to 300 bytes
 * (342-byte frame). */
static uint16_t
dhcp_discover(uint8_t *buf, const struct rte_ether_addr *mac)
{
	static const uint8_t params[] = {1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42};
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *msg = (uint8_t *)(udp + 1), *o = msg + 240;
	uint16_t len = udp_frame(buf, mac, &bcast_mac, 0, RTE_BE32(0xffffffff), 68, 67, 300);

	msg[0] = 1; /* BOOTREQUEST */
	msg[1] = 1; /* Ethernet */
	msg[2] = 6;
	memcpy(msg + 4, "\x3c\x5a\x11\x01", 4); /* xid */
	memcpy(msg + 28, mac, 6);               /* chaddr */
	memcpy(msg + 236, "\x63\x82\x53\x63", 4);
	o[0] = 53; /* message type: DISCOVER */
	o[1] = 1;
	o[2] = 1;
	o[3] = 61; /* client identifier: type 1, the MAC */
	o[4] = 7;
	o[5] = 1;
	memcpy(o + 6, mac, 6);
	o[12] = 55; /* parameter request list */
	o[13] = sizeof(params);
	memcpy(o + 14, params, sizeof(params));
	o[14 + sizeof(params)] = 255;
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return len;
}

/* A Neighbor Solicitation from @mac / @src for @target (RFC 4861 4.3: to
 * the target's solicited-node group, hop limit 255, a source link-layer
 * option, the ICMPv6 checksum). 86 bytes. */
static uint16_t
ns_frame(uint8_t *buf, const struct rte_ether_addr *mac, const uint8_t src[16],
	const uint8_t target[16])
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	uint8_t *m = (uint8_t *)(ip6 + 1);
	uint16_t ck;

	memset(buf, 0, 86);
	memcpy(eth->dst_addr.addr_bytes, "\x33\x33\xff", 3);
	memcpy(eth->dst_addr.addr_bytes + 3, target + 13, 3);
	eth->src_addr = *mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = RTE_BE16(32);
	ip6->proto = 58;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff", 13);
	memcpy(ip6->dst_addr + 13, target + 13, 3);
	m[0] = 135; /* NS */
	memcpy(m + 8, target, 16);
	m[24] = 1; /* source link-layer address */
	m[25] = 1;
	memcpy(m + 26, mac, 6);
	ck = rte_ipv6_udptcp_cksum(ip6, m);
	memcpy(m + 2, &ck, 2);
	return 86;
}

/* ---- program ---- */

static void
must(int rc, const char *what)
{
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "%s: %s\n", what, strerror(-rc));
}

static void
one_rule_group(struct vfp_program *p, uint16_t port, int layer, const char *group, enum vfp_dir dir,
	const char *rule, enum vfp_action_type action)
{
	struct vfp_rule_spec r;
	int g = vfp_group_add(p, port, layer, group, 10, dir, VFP_FAMILY_ANY);

	must(g, group);
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", rule);
	r.priority = 1;
	r.n_actions = 1;
	r.actions[0].type = (uint8_t)action;
	must(vfp_rule_add(p, port, layer, g, &r), rule);
}

/* The VM NIC of @port with the layers hnv_policy_compile() gives it. */
static void
vm(struct vfp_program *p, uint16_t port, uint32_t vsid, const struct rte_ether_addr *mac,
	rte_be32_t ip)
{
	int layer;

	must(vfp_program_add_vnic(p, port, vsid, mac, ip), "add_vnic");
	must(layer = vfp_layer_add(p, port, "vnet", 20, false), "vnet");
	one_rule_group(p, port, layer, "vnet-out", VFP_DIR_OUT, "map", VFP_ACT_MAP);
	one_rule_group(p, port, layer, "vnet-in", VFP_DIR_IN, "decap", VFP_ACT_DECAP);
	must(layer = vfp_layer_add(p, port, "router", 25, false), "router");
	one_rule_group(p, port, layer, "router-out", VFP_DIR_OUT, "route", VFP_ACT_ROUTE);
	must(layer = vfp_layer_add(p, port, "pa-route", 30, false), "pa-route");
	one_rule_group(p, port, layer, "pa-out", VFP_DIR_OUT, "route", VFP_ACT_ROUTE_PA);
}

static uint16_t repl_sender[N_REPL], repl_first_local[N_REPL];

static struct vfp_program *
program(void)
{
	struct vfp_host_params hp = {
		.uplink = PORT_UPLINK,
		.n_pa = 1,
		.pa = {PA_LOCAL},
		.pa_prefix_len = {24},
		.uplink_mac = uplink_mac,
		.gateway = PA_GW,
		.has_gateway_mac = true,
		.gateway_mac = gw_mac,
		.router_mac = router_mac,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vfp_dhcp_params dhcp = {.lease_s = 3600,
		.n_dns = 2,
		.dns = {IP4(10, 1, 1, 53), IP4(10, 9, 9, 9)},
		.domain = "contoso.example"};
	uint16_t port = PORT_FIRST_REPL;
	struct vfp_program *p;

	for (unsigned int c = 0; c < N_REPL; c++)
		port = (uint16_t)(port + 1 + repl[c].n_local);
	hp.n_ports = port;
	p = vfp_program_create(sw, &hp);
	if (p == NULL)
		rte_exit(EXIT_FAILURE, "vfp_program_create failed\n");
	must(vfp_program_add_subnet(
		     p, 5001, 1, IP4(10, 1, 1, 0), 24, IP4(10, 1, 1, 1), ENCAP_TYPE_VXLAN),
		"5001");
	must(vfp_program_add_subnet(
		     p, 5002, 1, IP4(10, 1, 2, 0), 24, IP4(10, 1, 2, 1), ENCAP_TYPE_VXLAN),
		"5002");
	must(vfp_program_set_subnet6(p, 5001, prefix6, 64, gw6), "set_subnet6");
	must(vfp_program_set_dhcp(p, 5001, &dhcp), "set_dhcp");
	vm(p, PORT_A, 5001, &mac_a, IP_A);
	vm(p, PORT_A2, 5001, &mac_a2, IP_A2);
	vm(p, PORT_B, 5002, &mac_b, IP_B);
	must(vfp_program_add_mapping(p, 5001, IP_R1, &mac_r1, PA_REMOTE), "mapping 5001");
	must(vfp_program_add_mapping(p, 5002, IP_R2, &mac_r2, PA_REMOTE), "mapping 5002");
	must(vfp_program_set_ipv6(p, 5001, IP_A, ip6_a), "ipv6 A");
	must(vfp_program_set_ipv6(p, 5001, IP_R1, ip6_r1), "ipv6 R1");

	port = PORT_FIRST_REPL;
	for (unsigned int c = 0; c < N_REPL; c++) {
		const uint32_t vsid = REPL_VSID(c);
		unsigned int i;

		must(vfp_program_add_subnet(p, vsid, REPL_RDID(c), IP4(10, 10 + c, 0, 0), 16,
			     IP4(10, 10 + c, 255, 254), ENCAP_TYPE_VXLAN),
			"replication subnet");
		must(vfp_program_set_flood_limit(p, vsid, UINT32_MAX), "flood_limit");
		repl_sender[c] = port;
		repl_first_local[c] = (uint16_t)(port + 1);
		for (i = 0; i <= repl[c].n_local; i++) {
			const struct rte_ether_addr mac = repl_mac(c, i);

			vm(p, port++, vsid, &mac, REPL_IP(c, i));
		}
		for (; i <= repl[c].n_local + repl[c].n_remote; i++) {
			const struct rte_ether_addr mac = repl_mac(c, i);

			/* Remote hosts 192.168.1.20-27, all behind the gateway. */
			must(vfp_program_add_mapping(
				     p, vsid, REPL_IP(c, i), &mac, IP4(192, 168, 1, 20 + i % 8)),
				"replication mapping");
		}
	}
	return p;
}

/* ---- statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (copied, not reordered). */
static double
median(const double *v, unsigned int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(*v) * n);
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Median over the rounds of @a / @b. */
static double
median_ratio(const double *a, const double *b, unsigned int n)
{
	double q[MAX_ROUNDS];

	for (unsigned int k = 0; k < n; k++)
		q[k] = a[k] / b[k];
	return median(q, n);
}

static uint64_t
drops_total(uint16_t n_ports, bool print)
{
	uint64_t total = 0;

	for (uint16_t port = 0; port < n_ports; port++) {
		const struct vfp_port_stats *st = vfp_lcore_port_stats(lc, port);

		for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
			total += st->drops[r];
			if (print && st->drops[r] != 0)
				printf("  port %u: %" PRIu64 " dropped as %s\n", port, st->drops[r],
					hnv_drop_name((enum hnv_drop_reason)r));
		}
	}
	return total;
}

/* ---- main ---- */

enum {
	W_L2,      /* baseline (1), reused mbufs */
	W_ROUTED,  /* (2) */
	W_L2_HAIR, /* baseline of the routed hairpin */
	W_ROUTED_HAIR,
	W_L2_FRESH, /* baseline (1) through the fresh-mbuf harness */
	W_REPL,     /* 2 * N_REPL: each subnet 1 and bcast_burst broadcasts per burst */
	W_DHCP = W_REPL + 2 * N_REPL,
	W_ND,
	N_W
};
/* Harness-only runs: the reused-mbuf one and one per fresh frame size. */
enum { H_REUSE, H_FRESH60, H_DHCP, H_ND, N_H };

static struct workload wl[N_W];
static uint16_t bcast_burst = BURST;
static unsigned int pool_size = POOL, pool_cache = POOL_CACHE;
static char repl_names[2 * N_REPL][64];
static struct workload hw[N_H];
static double hcyc[N_H][MAX_ROUNDS];

static void
setup_workloads(void)
{
	struct workload *w;
	const uint8_t ttl63 = 63, offer = 2, na = 136;
	const uint8_t vni5002[3] = {0x00, 0x13, 0x8a};
	const uint16_t in = ENCAP_VXLAN_HDR_LEN; /* the inner frame in a tunnel packet */

	w = &wl[W_L2];
	w->name = "L2, VM -> remote CA, VXLAN";
	w->port = PORT_A;
	w->out_port = PORT_UPLINK;
	w->len = udp_frame(w->frame, &mac_a, &mac_r1, IP_A, IP_R1, 4000, 4001, 18);
	expect(w, 0, in, &mac_r1, 6);

	w = &wl[W_ROUTED];
	w->name = "routed, VM -> remote CA of 5002";
	w->port = PORT_A;
	w->out_port = PORT_UPLINK;
	w->len = udp_frame(w->frame, &mac_a, &router_mac, IP_A, IP_R2, 4000, 4001, 18);
	expect(w, 0, in, &mac_r2, 6);
	expect(w, 1, in + 6, &router_mac, 6);
	expect(w, 2, 46, vni5002, 3); /* the VXLAN VNI */
	expect(w, 3, in + 22, &ttl63, 1);

	w = &wl[W_L2_HAIR];
	w->name = "L2 hairpin, VM -> local VM";
	w->port = PORT_A;
	w->out_port = PORT_A2;
	w->len = udp_frame(w->frame, &mac_a, &mac_a2, IP_A, IP_A2, 4000, 4001, 18);
	expect(w, 0, 0, &mac_a2, 6);

	w = &wl[W_ROUTED_HAIR];
	w->name = "routed hairpin, VM -> local VM of 5002";
	w->port = PORT_A;
	w->out_port = PORT_B;
	w->len = udp_frame(w->frame, &mac_a, &router_mac, IP_A, IP_B, 4000, 4001, 18);
	expect(w, 0, 0, &mac_b, 6);
	expect(w, 1, 6, &router_mac, 6);
	expect(w, 2, 22, &ttl63, 1);

	for (unsigned int i = W_L2; i <= W_ROUTED_HAIR; i++)
		wl[i].outs = 1;

	w = &wl[W_L2_FRESH];
	*w = wl[W_L2];
	w->name = "L2, VM -> remote CA, VXLAN";
	w->fresh = true;
	w->nb = BURST;

	for (unsigned int r = 0; r < 2 * N_REPL; r++) {
		const unsigned int c = r / 2;
		const struct rte_ether_addr src = repl_mac(c, 0);
		const struct rte_ether_addr first = repl_mac(c, 1);

		w = &wl[W_REPL + r];
		w->nb = r % 2 ? bcast_burst : 1;
		snprintf(repl_names[r], sizeof(repl_names[r]),
			"to %u: %u local + %u remote, %u/burst", repl[c].n_local + repl[c].n_remote,
			repl[c].n_local, repl[c].n_remote, w->nb);
		w->name = repl_names[r];
		w->port = repl_sender[c];
		w->fresh = true;
		w->outs = repl[c].n_local + repl[c].n_remote;
		w->out_port = repl[c].n_local > 0 ? repl_first_local[c] : PORT_UPLINK; /* VM 1 */
		w->len = udp_frame(
			w->frame, &src, &bcast_mac, REPL_IP(c, 0), REPL_BCAST(c), 137, 137, 18);
		expect(w, 0, repl[c].n_local > 0 ? 0 : in, &first, 6);
	}

	w = &wl[W_DHCP];
	w->name = "DHCP DISCOVER -> OFFER";
	w->port = PORT_A;
	w->fresh = true;
	w->nb = BURST;
	w->outs = 1;
	w->out_port = PORT_A;
	w->len = dhcp_discover(w->frame, &mac_a);
	expect(w, 0, 0, &mac_a, 6);
	expect(w, 1, 6, &router_mac, 6);
	expect(w, 2, 14 + 20 + 8 + 240 + 2, &offer, 1);

	w = &wl[W_ND];
	w->name = "ND NS -> NA (remote CA's address)";
	w->port = PORT_A;
	w->fresh = true;
	w->nb = BURST;
	w->outs = 1;
	w->out_port = PORT_A;
	w->len = ns_frame(w->frame, &mac_a, ip6_a, ip6_r1);
	expect(w, 0, 0, &mac_a, 6);
	expect(w, 1, 14 + 40, &na, 1);
	expect(w, 2, 14 + 40 + 24 + 2, &mac_r1, 6); /* target link-layer address */

	hw[H_REUSE] = wl[W_L2];
	hw[H_FRESH60] = wl[W_L2_FRESH];
	hw[H_DHCP] = wl[W_DHCP];
	hw[H_ND] = wl[W_ND];
}

int
main(int argc, char **argv)
{
	char *eal_small[] = {argv[0], "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.*:error", "--no-huge", "-m", "1024", NULL};
	char *eal_huge[] = {
		argv[0], "--no-pci", "--in-memory", "-l", "0", "--log-level=lib.*:error", NULL};
	struct vfp_switch_params sp = {.flow_capacity = 65536, .n_lcores = 1};
	unsigned int rounds = DEFAULT_ROUNDS, in_use0, in_use1;
	double seconds = 1.0;
	bool huge = false;
	uint64_t hz, miss0, hit0, drops0;
	uint16_t n_ports;
	int c;

	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"huge", no_argument, NULL, 'H'},
		{"rounds", required_argument, NULL, 'r'},
		{"bcast-burst", required_argument, NULL, 'b'},
		{"pool", required_argument, NULL, 'p'},
		{"pool-cache", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	while ((c = getopt_long(argc, argv, "s:Hr:b:p:c:", opts, NULL)) != -1) {
		if (c == 'H')
			huge = true;
		else if (c == 's')
			seconds = strtod(optarg, NULL);
		else if (c == 'b')
			bcast_burst = (uint16_t)strtoul(optarg, NULL, 10);
		else if (c == 'p')
			pool_size = (unsigned int)strtoul(optarg, NULL, 10);
		else if (c == 'c')
			pool_cache = (unsigned int)strtoul(optarg, NULL, 10);
		else if (c == 'r')
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || !(seconds > 0) || bcast_burst < 1 ||
		bcast_burst > BURST) {
		fprintf(stderr, "--rounds must be 1..%u, --seconds above 0, --bcast-burst 1..%u\n",
			MAX_ROUNDS, BURST);
		return 2;
	}
	if ((huge ? rte_eal_init(RTE_DIM(eal_huge) - 1, eal_huge)
		  : rte_eal_init(RTE_DIM(eal_small) - 1, eal_small)) < 0)
		return 2;
	hz = rte_get_tsc_hz();
	sw = vfp_switch_create(&sp);
	if (sw == NULL)
		rte_exit(EXIT_FAILURE, "vfp_switch_create failed\n");
	{
		struct vfp_program *p = program();

		n_ports = vfp_program_n_ports(p);
		must(vfp_switch_publish(sw, p), "publish");
	}
	lc = vfp_lcore_create(sw, 0, bench_tx, &tx);
	mp = rte_pktmbuf_pool_create(
		"bench", pool_size, pool_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (lc == NULL || mp == NULL)
		rte_exit(EXIT_FAILURE, "cannot create the lcore or the pool\n");
	setup_workloads();
	tx.want_port = -1;
	for (unsigned int i = W_L2; i <= W_ROUTED_HAIR + 1; i++) {
		struct workload *w = i <= W_ROUTED_HAIR ? &wl[i] : &hw[H_REUSE];

		for (unsigned int k = 0; k < BURST; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

			if (m == NULL)
				rte_exit(EXIT_FAILURE, "mbuf pool empty\n");
			rte_memcpy(rte_pktmbuf_append(m, w->len), w->frame, w->len);
			w->burst[k] = m;
		}
	}

	/* Warm up, check, and size each run to about seconds / rounds. */
	for (unsigned int i = 0; i < N_W; i++) {
		struct workload *w = &wl[i];
		double cpi;

		warm_and_check(w);
		cpi = (double)run(w, 64 * BURST) / (64 * BURST);
		w->per = (uint64_t)(seconds / rounds * (double)hz / cpi) / BURST * BURST;
		w->per = RTE_MAX(w->per, (uint64_t)4 * BURST);
	}
	for (unsigned int h = 0; h < N_H; h++) {
		double cpi = (double)run_harness(&hw[h], 64 * BURST) / (64 * BURST);

		/* The harness is cheap: a tenth of the time is plenty. */
		hw[h].per = (uint64_t)(seconds / rounds / 10 * (double)hz / cpi) / BURST * BURST;
		hw[h].per = RTE_MAX(hw[h].per, (uint64_t)4 * BURST);
	}

	in_use0 = rte_mempool_in_use_count(mp);
	miss0 = vfp_lcore_uft_stats(lc)->misses;
	hit0 = vfp_lcore_uft_stats(lc)->hits;
	drops0 = drops_total(n_ports, false);
	for (unsigned int k = 0; k < rounds; k++) {
		for (unsigned int h = 0; h < N_H; h++)
			hcyc[h][k] = (double)run_harness(&hw[h], hw[h].per) / hw[h].per;
		for (unsigned int i = 0; i < N_W; i++)
			wl[i].cyc[k] = (double)run(&wl[i], wl[i].per) / wl[i].per;
	}
	in_use1 = rte_mempool_in_use_count(mp);

	printf("dpdk-hnv bench_tenants: one core, %.2f GHz TSC, %s pages, bursts of %u, "
	       "median of %u interleaved rounds\n",
		hz / 1e9, huge ? "huge" : "4 KB", BURST, rounds);
	printf(" forwarding, mbufs reused (tx strips the outer header, restores 42 header "
	       "bytes):\n");
	printf("  %-40s %8.1f cycles/pkt\n", "harness only (baseline of all)",
		median(hcyc[H_REUSE], rounds));
	for (unsigned int i = W_L2; i <= W_ROUTED_HAIR; i++) {
		const struct workload *w = &wl[i];
		double m = median(w->cyc, rounds);

		printf("  %-40s %8.1f cycles/pkt %7.2f Mpps", w->name, m, hz / m / 1e6);
		if (i == W_ROUTED || i == W_ROUTED_HAIR)
			printf("  %5.2f x the L2 Mpps\n",
				median_ratio(wl[i - 1].cyc, w->cyc, rounds));
		else
			printf("  (baseline)\n");
	}
	printf(" answers and replication, a fresh mbuf per input (allocated and filled; tx frees "
	       "every output):\n");
	printf("  %-40s %8.1f cycles/pkt\n", "harness only, 60-byte frame",
		median(hcyc[H_FRESH60], rounds));
	{
		const struct workload *b = &wl[W_L2_FRESH];
		double m = median(b->cyc, rounds);

		printf("  %-40s %8.1f cycles/pkt %7.2f Mpps  (baseline)\n", b->name, m,
			hz / m / 1e6);
	}
	printf("  unicast replication of a 60-byte UDP broadcast: per broadcast, then per copy\n");
	for (unsigned int r = 0; r < 2 * N_REPL; r++) {
		const struct workload *w = &wl[W_REPL + r];
		double m = median(w->cyc, rounds), per_copy[MAX_ROUNDS];

		for (unsigned int k = 0; k < rounds; k++)
			per_copy[k] = w->cyc[k] / w->outs;
		printf("  %-40s %8.1f cycles %6.3f M/s  %6.1f cycles/copy %6.2f M copies/s  %5.2f "
		       "x "
		       "the L2 Mpps\n",
			w->name, m, hz / m / 1e6, m / w->outs, hz / (m / w->outs) / 1e6,
			median_ratio(wl[W_L2_FRESH].cyc, per_copy, rounds));
	}
	printf("  %-40s %8.1f cycles/pkt\n", "harness only, 342-byte DISCOVER",
		median(hcyc[H_DHCP], rounds));
	printf("  %-40s %8.1f cycles/pkt\n", "harness only, 86-byte NS",
		median(hcyc[H_ND], rounds));
	for (unsigned int i = W_DHCP; i <= W_ND; i++) {
		const struct workload *w = &wl[i];
		double m = median(w->cyc, rounds);

		printf("  %-40s %8.1f cycles/answer %6.2f M answers/s  %5.2f x the L2 Mpps\n",
			w->name, m, hz / m / 1e6, median_ratio(wl[W_L2_FRESH].cyc, w->cyc, rounds));
	}
	printf(" checks: %" PRIu64 " UFT hits, %" PRIu64 " misses in the timed runs; "
	       "%" PRIu64 " drops; mbufs in use %u before the rounds, %u after\n",
		vfp_lcore_uft_stats(lc)->hits - hit0, vfp_lcore_uft_stats(lc)->misses - miss0,
		drops_total(n_ports, false) - drops0, in_use0, in_use1);
	drops_total(n_ports, true);

	for (unsigned int i = W_L2; i <= W_ROUTED_HAIR; i++)
		rte_pktmbuf_free_bulk(wl[i].burst, BURST);
	rte_pktmbuf_free_bulk(hw[H_REUSE].burst, BURST);
	if (rte_mempool_in_use_count(mp) != 0)
		printf("  LEAK: %u mbufs still in use at the end\n", rte_mempool_in_use_count(mp));
	vfp_lcore_free(sw, lc);
	vfp_switch_free(sw);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return in_use0 != in_use1 ? 1 : 0;
}
