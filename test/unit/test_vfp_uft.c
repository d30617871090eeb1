/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp_uft.c: unit tests for the unified flow table of
 * lib/vfp and what builds on it.
 *
 * Owns: misses, inserts and hits; stateful ACLs (the reply entry of an
 * allowed flow, what a stateless allow does not admit); TCP state and
 * aging by idle timeout; a full table, which must never cost a packet;
 * invalidation by dependency when a new program is published (a VSID's
 * mappings, a port's layers, ports coming and going on a host of over a
 * thousand ports); the side-effect-free packet trace; and that publishing
 * frees the program it replaces. Each test has a switch of its
 * own; the single test thread is both the control plane and the one
 * reader, so it goes offline around every publish after the first.
 * test_vfp.c covers the builder, the per-packet work and the layer walk;
 * the fixture and frame builders are in vfp_test_util.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_test_util.h"

/*
 * The host: port 0 is the uplink; VM1 and VM2 are in VSID_A with remote R1,
 * VM3 is in VSID_B with remote R2. Both remotes sit behind the gateway,
 * whose MAC is configured.
 */
enum { PORT_UPLINK, PORT_VM1, PORT_VM2, PORT_VM3, N_PORTS };

#define VSID_A 5001u
#define VSID_B 6001u
#define PA_R1 IP4(172, 16, 0, 20)
#define PA_R2 IP4(172, 16, 0, 30)
#define PA_R2_MOVED IP4(172, 16, 0, 31)
#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_VM2 IP4(10, 0, 0, 12)
#define IP_R1 IP4(10, 0, 0, 21)
#define IP_VM3 IP4(10, 1, 0, 13)
#define IP_R2 IP4(10, 1, 0, 22)

static const struct rte_ether_addr mac_vm1 = {{0x00, 0x15, 0x5d, 0, 0, 0x01}};
static const struct rte_ether_addr mac_vm2 = {{0x00, 0x15, 0x5d, 0, 0, 0x02}};
static const struct rte_ether_addr mac_vm3 = {{0x00, 0x15, 0x5d, 0, 0, 0x03}};
static const struct rte_ether_addr mac_r1 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x01}};
static const struct rte_ether_addr mac_r2 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x02}};

#define FRAME_LEN 100 /* of every frame these tests build */
#define TCP_SYN RTE_TCP_SYN_FLAG
#define TCP_SYNACK (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)
#define TCP_ACK RTE_TCP_ACK_FLAG
#define TCP_FIN (RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)

/* ---- fixture (vfp_test_util.c) and what these tests add to it ---- */

static int
setup_capacity(void **state, uint32_t flow_capacity)
{
	*state = fixture_new("test_vfp_uft", flow_capacity);
	return *state == NULL ? -1 : 0;
}

static int
setup(void **state)
{
	return setup_capacity(state, 4096);
}

/* rte_hash's smallest table: one bucket of 8 keys. */
#define TINY_CAPACITY 8

static int
setup_tiny(void **state)
{
	return setup_capacity(state, TINY_CAPACITY);
}

static unsigned int
flows(const struct fixture *f)
{
	return vfp_switch_flow_count(f->sw, NULL);
}

/* The last mbuf transmitted, which must have gone out of @port. */
static const struct rte_mbuf *
last_sent(const struct fixture *f, uint16_t port)
{
	assert_true(f->log.n > 0);
	assert_int_equal(f->log.port[f->log.n - 1], port);
	return f->log.m[f->log.n - 1];
}

/* Seconds from now in TSC cycles, for aging without sleeping. */
static uint64_t
tsc_in(unsigned int seconds)
{
	return rte_get_tsc_cycles() + (uint64_t)seconds * rte_get_tsc_hz();
}

/* ---- program: the layers hnv_policy_compile() builds, and ACLs ---- */

static int
group_add(struct vfp_program *p, uint16_t port, int layer, const char *name, enum vfp_dir dir,
	enum vfp_family family)
{
	int g = vfp_group_add(p, port, layer, name, 10, dir, family);

	assert_true(g >= 0);
	return g;
}

static void
rule_add(struct vfp_program *p, uint16_t port, int layer, int group, const struct vfp_rule_spec *r)
{
	assert_true(vfp_rule_add(p, port, layer, group, r) >= 0);
}

/*
 * An "acl" layer (10) on @port: OUT allows everything with @out_flags
 * (VFP_RULE_STATEFUL or 0), after blocking UDP to @block_dport if not 0;
 * IN denies everything, which stateful ACLs make "everything but replies".
 */
static void
add_acl(struct vfp_program *p, uint16_t port, uint8_t out_flags, uint16_t block_dport)
{
	int layer = vfp_layer_add(p, port, "acl", 10, false);
	int out, in;
	struct vfp_rule_spec r;

	assert_true(layer >= 0);
	out = group_add(p, port, layer, "out", VFP_DIR_OUT, VFP_FAMILY_IPV4);
	in = group_add(p, port, layer, "in", VFP_DIR_IN, VFP_FAMILY_IPV4);
	if (block_dport != 0) {
		r = rule_spec("block-port", 1, 0, VFP_ACT_BLOCK);
		r.match.fields = VFP_MATCH_PROTO | VFP_MATCH_DST_PORT;
		r.match.proto = IPPROTO_UDP;
		r.match.dport_lo = r.match.dport_hi = block_dport;
		rule_add(p, port, layer, out, &r);
	}
	r = rule_spec("allow-out", 10, out_flags, VFP_ACT_ALLOW);
	rule_add(p, port, layer, out, &r);
	r = rule_spec("deny-in", 10, 0, VFP_ACT_BLOCK);
	rule_add(p, port, layer, in, &r);
}

/* A layer that can refuse packets (a BLOCK rule for inbound telnet, which
 * no test sends): the engine gives the flows of such a port reply entries.
 * VM2 and VM3 have no such layer. */
static void
add_guard(struct vfp_program *p, uint16_t port)
{
	struct vfp_rule_spec r = rule_spec("no-telnet", 1, 0, VFP_ACT_BLOCK);
	int layer = vfp_layer_add(p, port, "guard", 5, false);
	int group;

	assert_true(layer >= 0);
	group = vfp_group_add(p, port, layer, "guard-in", 1, VFP_DIR_IN, VFP_FAMILY_IPV4);
	assert_true(group >= 0);
	r.match.fields = VFP_MATCH_PROTO | VFP_MATCH_DST_PORT;
	r.match.proto = IPPROTO_TCP;
	r.match.dport_lo = r.match.dport_hi = 23;
	assert_true(vfp_rule_add(p, port, layer, group, &r) >= 0);
}

static struct vfp_program *
build_program(struct vfp_switch *sw, rte_be32_t pa_r2)
{
	const struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);

	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
				 IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, VSID_B, 2, IP4(10, 1, 0, 0), 24,
				 IP4(10, 1, 0, 1), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, VSID_A, &mac_vm1, IP_VM1), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM2, VSID_A, &mac_vm2, IP_VM2), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM3, VSID_B, &mac_vm3, IP_VM3), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_B, IP_R2, &mac_r2, pa_r2), 0);
	for (uint16_t port = PORT_VM1; port <= PORT_VM3; port++)
		add_std_layers(p, port);
	add_guard(p, PORT_VM1);
	return p;
}

/* ---- frames ---- */

/* @m is VXLAN to @pa carrying exactly @inner. */
static void
assert_encap_to(const struct rte_mbuf *m, rte_be32_t pa, const uint8_t *inner, uint16_t len)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
		m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));

	assert_int_equal(rte_pktmbuf_pkt_len(m), ENCAP_VXLAN_HDR_LEN + len);
	assert_int_equal(ip->dst_addr, pa);
	assert_memory_equal(
		rte_pktmbuf_mtod_offset(m, const uint8_t *, ENCAP_VXLAN_HDR_LEN), inner, len);
}

/* @m is @frame, delivered as is. */
static void
assert_frame(const struct rte_mbuf *m, const uint8_t *frame, uint16_t len)
{
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), frame, len);
}

/* ---- introspection helpers ---- */

struct flow_query {
	uint16_t in_port;
	uint16_t sport, dport;
	const char *state; /* of the (last) flow that matched */
	unsigned int n;
};

static void
flow_visit(void *ctx, const struct vfp_flow_info *info)
{
	struct flow_query *q = ctx;

	if (info->in_port == q->in_port && info->sport == q->sport && info->dport == q->dport) {
		q->state = info->state;
		q->n++;
	}
}

/* The TCP state of the flow entered on @in_port from @sport to @dport. */
static const char *
flow_state(const struct fixture *f, uint16_t in_port, uint16_t sport, uint16_t dport)
{
	struct flow_query q = {.in_port = in_port, .sport = sport, .dport = dport, .state = "none"};

	vfp_switch_visit_flows(f->sw, UINT32_MAX, flow_visit, &q);
	assert_true(q.n <= 1);
	return q.state;
}

/* VM1 -> R1 (or @vm -> R1) over @proto from @sport to @dport. */
static uint16_t
to_r1(uint8_t *buf, const struct rte_ether_addr *vm_mac, rte_be32_t vm_ip, uint8_t proto,
	uint16_t sport, uint16_t dport, uint8_t tcp_flags)
{
	return l4_frame(
		buf, FRAME_LEN, proto, vm_mac, &mac_r1, vm_ip, IP_R1, sport, dport, tcp_flags);
}

/* R1 -> @vm, tunnelled from R1's PA. */
static uint16_t
from_r1(uint8_t *buf, const struct rte_ether_addr *vm_mac, rte_be32_t vm_ip, uint8_t proto,
	uint16_t sport, uint16_t dport, uint8_t tcp_flags)
{
	uint8_t inner[FRAME_MAX];
	const uint16_t len = l4_frame(
		inner, FRAME_LEN, proto, &mac_r1, vm_mac, IP_R1, vm_ip, sport, dport, tcp_flags);

	return tunnel_frame(buf, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, inner, len);
}

/* The inner frame of tunnel packet @tun, as delivered to a VM. */
#define INNER(tun) ((tun) + ENCAP_VXLAN_HDR_LEN)
#define INNER_LEN(len) ((uint16_t)((len)-ENCAP_VXLAN_HDR_LEN))

/* ---- hits and misses ---- */

static void
test_first_packet_misses_later_packets_hit_identically(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], first[FRAME_MAX];
	uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	uint32_t first_len;

	fixture_start(f, build_program(f->sw, PA_R2));
	assert_int_equal(flows(f), 0);

	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->misses, 1);
	assert_int_equal(UFT_STATS(f)->hits, 0);
	/* The flow and, as VM1 has a layer that can block and nothing made
	 * the flow stateless, its replies' entry. */
	assert_int_equal(UFT_STATS(f)->inserts, 2);
	assert_int_equal(flows(f), 2);
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, frame, len);
	first_len = rte_pktmbuf_pkt_len(last_sent(f, PORT_UPLINK));
	memcpy(first, rte_pktmbuf_mtod(last_sent(f, PORT_UPLINK), const uint8_t *), first_len);

	for (unsigned int i = 1; i <= 3; i++) {
		run1(f, PORT_VM1, mbuf_of(frame, len));
		assert_int_equal(UFT_STATS(f)->hits, i);
		assert_frame(last_sent(f, PORT_UPLINK), first, (uint16_t)first_len);
	}
	assert_int_equal(UFT_STATS(f)->misses, 1);
	assert_int_equal(UFT_STATS(f)->inserts, 2);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_int_equal(UFT_STATS(f)->uncached, 0);
	assert_int_equal(flows(f), 2);

	/* Another source port is another flow. */
	len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1001, 2000, 0);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->misses, 2);
	assert_int_equal(flows(f), 4);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 5);
	assert_no_leak(f);
}

/*
 * The packets of a new flow that arrive in one burst are looked up together
 * before the first one inserts the flow. Only the first should walk the
 * layers: rule counters count flows, and a burst of a new TCP connection
 * should not cost a walk per packet.
 */
static void
test_new_flow_walks_layers_once_per_burst(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	const uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	struct rte_mbuf *pkts[4];

	fixture_start(f, build_program(f->sw, PA_R2));
	for (unsigned int i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = mbuf_of(frame, len);
	run(f, PORT_VM1, pkts, RTE_DIM(pkts));

	assert_int_equal(f->log.n, RTE_DIM(pkts));
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, RTE_DIM(pkts));
	assert_int_equal(flows(f), 2);
	assert_no_leak(f);
	assert_int_equal(UFT_STATS(f)->misses, 1);
	assert_int_equal(UFT_STATS(f)->hits, RTE_DIM(pkts) - 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "vnet", "map"), 1);
}

/* ---- stateful ACLs ---- */

static void
test_stateful_allow_admits_replies_denies_new_inbound(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	uint8_t out[FRAME_MAX], in[FRAME_MAX];
	uint16_t lo, li;

	/* IN denies everything; OUT allows, statefully. */
	add_acl(p, PORT_VM1, VFP_RULE_STATEFUL, 0);
	fixture_start(f, p);

	/* UDP: the flow and the entry for its replies. */
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, out, lo);
	assert_int_equal(flows(f), 2);
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1000, 0);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_frame(last_sent(f, PORT_VM1), INNER(in), INNER_LEN(li));
	assert_int_equal(UFT_STATS(f)->hits, 1); /* the replies' entry */
	/* A new connection from the remote to another port is not a reply. */
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1001, 0);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_int_equal(f->log.n, 2);

	/* TCP: the same. */
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3000, 80, TCP_SYN);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, out, lo);
	assert_int_equal(flows(f), 2 + 1 + 2); /* + the denied UDP connection */
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_TCP, 80, 3000, TCP_SYNACK);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_frame(last_sent(f, PORT_VM1), INNER(in), INNER_LEN(li));
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_TCP, 4000, 22, TCP_SYN);
	run1(f, PORT_UPLINK, mbuf_of(in, li));

	assert_int_equal(f->log.n, 4);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->rx_packets, 4);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->decapsulated, 2);
	/* Charged to the port the packet came in on. */
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->drops[HNV_DROP_ACL_DENY], 2);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->tx_packets, 2);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[HNV_DROP_ACL_DENY], 0);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "allow-out"), 2);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "deny-in"), 2);
	assert_no_leak(f);
}

static void
test_stateless_allow_makes_no_reply_entry(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	uint8_t out[FRAME_MAX], in[FRAME_MAX];
	const uint16_t lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	const uint16_t li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1000, 0);

	add_acl(p, PORT_VM1, 0, 0);
	fixture_start(f, p);

	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, out, lo);
	assert_int_equal(flows(f), 1);
	assert_int_equal(UFT_STATS(f)->inserts, 1);
	run1(f, PORT_UPLINK, mbuf_of(in, li));

	assert_int_equal(f->log.n, 1);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->drops[HNV_DROP_ACL_DENY], 1);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->tx_packets, 0);
	assert_no_leak(f);
}

/* A port where no layer can refuse a packet needs no reply entries: the
 * replies come back through the table all the same, as flows of their own. */
static void
test_unguarded_port_flows_have_no_reply_entry(void **state)
{
	struct fixture *f = *state;
	uint8_t out[FRAME_MAX], in[FRAME_MAX];
	uint16_t lo, li;

	fixture_start(f, build_program(f->sw, PA_R2));
	lo = to_r1(out, &mac_vm2, IP_VM2, IPPROTO_UDP, 1000, 2000, 0);
	run1(f, PORT_VM2, mbuf_of(out, lo));
	assert_int_equal(UFT_STATS(f)->inserts, 1);
	assert_int_equal(flows(f), 1);
	li = from_r1(in, &mac_vm2, IP_VM2, IPPROTO_UDP, 2000, 1000, 0);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_int_equal(UFT_STATS(f)->misses, 2);
	assert_int_equal(flows(f), 2);
	assert_frame(last_sent(f, PORT_VM2), INNER(in), INNER_LEN(li));
	assert_no_leak(f);
}

/* ---- TCP state and aging ---- */

static void
test_aging_expires_idle_flows_by_tcp_state(void **state)
{
	struct fixture *f = *state;
	const struct vfp_timeouts to = {
		.tcp_syn = 5,
		.tcp_established = 1000,
		.tcp_closing = 2,
	};
	uint8_t out[FRAME_MAX], in[FRAME_MAX];
	uint16_t lo, li;

	fixture_start(f, build_program(f->sw, PA_R2));
	vfp_switch_set_timeouts(f->sw, &to);

	/* A handshake that never completes is gone after tcp_syn. */
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3000, 80, TCP_SYN);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_int_equal(flows(f), 2);
	assert_string_equal(flow_state(f, PORT_VM1, 3000, 80), "syn");
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(20), UINT32_MAX), 2);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_int_equal(UFT_STATS(f)->misses, 2); /* a miss again */
	assert_int_equal(UFT_STATS(f)->inserts, 4);

	/* Each direction's entry is established by its first packet without
	 * SYN; established flows outlive the same idle time. (Another
	 * connection: the listing still shows deleted flows, see
	 * test_flow_count_and_listing_drop_after_aging.) */
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3001, 80, TCP_SYN);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_TCP, 80, 3001, TCP_SYNACK);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_string_equal(flow_state(f, PORT_VM1, 3001, 80), "syn");
	assert_string_equal(flow_state(f, PORT_UPLINK, 80, 3001), "syn");
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3001, 80, TCP_ACK);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_TCP, 80, 3001, TCP_ACK);
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_int_equal(UFT_STATS(f)->hits, 3);
	assert_string_equal(flow_state(f, PORT_VM1, 3001, 80), "established");
	assert_string_equal(flow_state(f, PORT_UPLINK, 80, 3001), "established");
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(20), UINT32_MAX), 2); /* 3000's */

	/* After a FIN, tcp_closing applies to that direction. */
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3001, 80, TCP_FIN);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_string_equal(flow_state(f, PORT_VM1, 3001, 80), "closing");
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(20), UINT32_MAX), 1);
	lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_TCP, 3001, 80, TCP_ACK);
	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_int_equal(UFT_STATS(f)->misses, 4);
	/* The other direction is still there. */
	run1(f, PORT_UPLINK, mbuf_of(in, li));
	assert_int_equal(UFT_STATS(f)->hits, 5);

	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 6);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->tx_packets, 3);
	assert_no_leak(f);
}

static void
test_aging_keeps_recently_hit_flow(void **state)
{
	struct fixture *f = *state;
	const struct vfp_timeouts to = {.udp = 10};
	uint8_t frame[FRAME_MAX];
	const uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);

	fixture_start(f, build_program(f->sw, PA_R2));
	vfp_switch_set_timeouts(f->sw, &to);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->hits, 1);

	assert_int_equal(vfp_switch_age(f->sw, rte_get_tsc_cycles(), UINT32_MAX), 0);
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(5), UINT32_MAX), 0);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->hits, 2);
	/* The flow and its replies' entry. */
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(100), UINT32_MAX), 2);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->misses, 2);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 4);
	assert_no_leak(f);
}

static unsigned int
count_listed(const struct fixture *f)
{
	struct flow_query q = {.in_port = UINT16_MAX};

	return vfp_switch_visit_flows(f->sw, UINT32_MAX, flow_visit, &q);
}

/* What an operator sees after aging: the count and the listing. */
static void
test_flow_count_and_listing_drop_after_aging(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	const uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);

	fixture_start(f, build_program(f->sw, PA_R2));
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(flows(f), 2);
	assert_int_equal(count_listed(f), 2);
	assert_int_equal(vfp_switch_age(f->sw, tsc_in(7200), UINT32_MAX), 2);
	vfp_lcore_quiescent(f->sw, f->lc);
	assert_no_leak(f);
	assert_int_equal(flows(f), 0);
	assert_int_equal(count_listed(f), 0);
}

/* Workers stamp flows with their own clock reads: a sweep whose "now" was
 * read before a hit must see a busy flow, not one idle for 2^64 cycles. */
static void
test_aging_keeps_flow_stamped_after_the_sweeps_now(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	const uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	const uint64_t before = rte_get_tsc_cycles() - rte_get_tsc_hz();

	fixture_start(f, build_program(f->sw, PA_R2));
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(flows(f), 2);
	assert_int_equal(vfp_switch_age(f->sw, before, UINT32_MAX), 0);
	assert_int_equal(flows(f), 2);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(UFT_STATS(f)->hits, 1);
	assert_int_equal(UFT_STATS(f)->inserts, 2);
	assert_no_leak(f);
}

/* "uncached" means a full table, nothing else: drops that are not worth an
 * entry are not counted there. */
static void
test_uncached_counts_only_what_a_full_table_refused(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr nobody = {{0x00, 0x15, 0x5d, 0, 0x0f, 0x0f}};
	uint8_t frame[FRAME_MAX];
	const uint16_t len = l4_frame(
		frame, FRAME_LEN, IPPROTO_UDP, &mac_vm1, &nobody, IP_VM1, IP_R1, 1000, 2000, 0);

	fixture_start(f, build_program(f->sw, PA_R2));
	for (unsigned int i = 0; i < 24; i++)
		run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[HNV_DROP_UNKNOWN_DST], 24);
	assert_int_equal(UFT_STATS(f)->misses, 24);
	assert_int_equal(UFT_STATS(f)->uncached, 0);
	assert_int_equal(flows(f), 0);
	assert_no_leak(f);
}

/* ---- a full table ---- */

static void
test_full_table_forwards_uncached_never_drops(void **state)
{
	struct fixture *f = *state;
	const unsigned int n_flows = 20, cached = TINY_CAPACITY / 2; /* 2 entries a flow */
	uint8_t frame[FRAME_MAX];
	unsigned int cap;

	fixture_start(f, build_program(f->sw, PA_R2));
	for (unsigned int round = 1; round <= 2; round++) {
		for (unsigned int i = 0; i < n_flows; i++) {
			uint16_t len = to_r1(frame, &mac_vm1, IP_VM1, IPPROTO_UDP,
				(uint16_t)(1000 + i), 2000, 0);

			run1(f, PORT_VM1, mbuf_of(frame, len));
			assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, frame, len);
		}
		assert_int_equal(vfp_switch_flow_count(f->sw, &cap), TINY_CAPACITY);
		assert_int_equal(cap, TINY_CAPACITY);
		assert_int_equal(UFT_STATS(f)->inserts, TINY_CAPACITY);
		assert_int_equal(UFT_STATS(f)->uncached, round * (n_flows - cached));
		assert_int_equal(UFT_STATS(f)->hits, (round - 1) * cached);
		free_sent(f);
	}
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->tx_packets, 2 * n_flows);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 2 * n_flows);
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
		assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[r], 0);
		assert_int_equal(PORT_STATS(f, PORT_UPLINK)->drops[r], 0);
	}
	assert_no_leak(f);
}

/* ---- invalidation by dependency ---- */

static void
test_mapping_change_invalidates_only_that_vsid(void **state)
{
	struct fixture *f = *state;
	uint8_t a[FRAME_MAX], b[FRAME_MAX];
	const uint16_t la = to_r1(a, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	const uint16_t lb = l4_frame(
		b, FRAME_LEN, IPPROTO_UDP, &mac_vm3, &mac_r2, IP_VM3, IP_R2, 1000, 2000, 0);

	fixture_start(f, build_program(f->sw, PA_R2));
	run1(f, PORT_VM1, mbuf_of(a, la));
	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R2, b, lb);
	assert_int_equal(UFT_STATS(f)->misses, 2);

	/* Only R2 (VSID_B) moves to another host. */
	republish(f, build_program(f->sw, PA_R2_MOVED));

	run1(f, PORT_VM1, mbuf_of(a, la));
	assert_int_equal(UFT_STATS(f)->hits, 1);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R1, a, la);

	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_int_equal(UFT_STATS(f)->stale, 1);
	assert_int_equal(UFT_STATS(f)->misses, 3);
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R2_MOVED, b, lb);
	/* The re-walked entry replaced the stale one. */
	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_int_equal(UFT_STATS(f)->hits, 2);
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R2_MOVED, b, lb);
	assert_no_leak(f);
}

/* Within a VSID too, a mapping that moves (R23) re-walks only the flows
 * that used it (its bucket of the mappings' generation slots): another
 * remote CA of the VSID keeps its entry, and so does it when a CA is
 * added to the VSID. */
static void
test_mapping_move_invalidates_only_its_flows(void **state)
{
	static const struct rte_ether_addr mac_r4 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x04}};
	static const struct rte_ether_addr mac_r5 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x05}};
	const rte_be32_t ip_r4 = IP4(10, 1, 0, 24), pa_r4 = IP4(172, 16, 0, 40);
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	uint8_t a[FRAME_MAX], b[FRAME_MAX];
	const uint16_t la = l4_frame(
		a, FRAME_LEN, IPPROTO_UDP, &mac_vm3, &mac_r4, IP_VM3, ip_r4, 1000, 2000, 0);
	const uint16_t lb = l4_frame(
		b, FRAME_LEN, IPPROTO_UDP, &mac_vm3, &mac_r2, IP_VM3, IP_R2, 1000, 2000, 0);

	assert_int_equal(vfp_program_add_mapping(p, VSID_B, ip_r4, &mac_r4, pa_r4), 0);
	fixture_start(f, p);
	run1(f, PORT_VM3, mbuf_of(a, la));
	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_int_equal(UFT_STATS(f)->misses, 2);

	/* R2 moves; R4, in the same VSID, stays. */
	p = build_program(f->sw, PA_R2_MOVED);
	assert_int_equal(vfp_program_add_mapping(p, VSID_B, ip_r4, &mac_r4, pa_r4), 0);
	republish(f, p);
	run1(f, PORT_VM3, mbuf_of(a, la));
	assert_int_equal(UFT_STATS(f)->hits, 1);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_encap_to(last_sent(f, PORT_UPLINK), pa_r4, a, la);
	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_int_equal(UFT_STATS(f)->stale, 1);
	assert_encap_to(last_sent(f, PORT_UPLINK), PA_R2_MOVED, b, lb);

	/* A new CA in the VSID: neither flow leaves the fast path. */
	p = build_program(f->sw, PA_R2_MOVED);
	assert_int_equal(vfp_program_add_mapping(p, VSID_B, ip_r4, &mac_r4, pa_r4), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_B, IP4(10, 1, 0, 25), &mac_r5, pa_r4), 0);
	republish(f, p);
	run1(f, PORT_VM3, mbuf_of(a, la));
	run1(f, PORT_VM3, mbuf_of(b, lb));
	assert_int_equal(UFT_STATS(f)->hits, 3);
	assert_int_equal(UFT_STATS(f)->stale, 1);
	assert_no_leak(f);
}

static void
test_acl_change_invalidates_only_that_port(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	uint8_t a[FRAME_MAX], b[FRAME_MAX], ra[FRAME_MAX], rb[FRAME_MAX];
	const uint16_t la = to_r1(a, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	const uint16_t lb = to_r1(b, &mac_vm2, IP_VM2, IPPROTO_UDP, 1000, 2000, 0);
	const uint16_t lra = from_r1(ra, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1000, 0);
	const uint16_t lrb = from_r1(rb, &mac_vm2, IP_VM2, IPPROTO_UDP, 2000, 1000, 0);

	add_acl(p, PORT_VM1, VFP_RULE_STATEFUL, 0);
	add_acl(p, PORT_VM2, VFP_RULE_STATEFUL, 0);
	fixture_start(f, p);
	run1(f, PORT_VM1, mbuf_of(a, la));
	run1(f, PORT_VM2, mbuf_of(b, lb));
	assert_int_equal(f->log.n, 2);

	/* VM1's ACL now blocks UDP to port 2000; VM2's is unchanged. */
	p = build_program(f->sw, PA_R2);
	add_acl(p, PORT_VM1, VFP_RULE_STATEFUL, 2000);
	add_acl(p, PORT_VM2, VFP_RULE_STATEFUL, 0);
	republish(f, p);

	run1(f, PORT_VM2, mbuf_of(b, lb));
	run1(f, PORT_UPLINK, mbuf_of(rb, lrb));
	assert_int_equal(UFT_STATS(f)->hits, 2);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_int_equal(f->log.n, 4);
	assert_frame(last_sent(f, PORT_VM2), INNER(rb), INNER_LEN(lrb));

	/* VM1's flow and its replies' entry are re-walked: both denied. */
	run1(f, PORT_VM1, mbuf_of(a, la));
	run1(f, PORT_UPLINK, mbuf_of(ra, lra));
	assert_int_equal(UFT_STATS(f)->stale, 2);
	assert_int_equal(f->log.n, 4);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[HNV_DROP_ACL_DENY], 1);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->drops[HNV_DROP_ACL_DENY], 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "block-port"), 1);
	assert_no_leak(f);
}

/* ---- trace ---- */

static void
assert_step(const struct vfp_trace *t, unsigned int i, uint16_t port, enum vfp_dir dir,
	const char *layer, const char *group, const char *rule, const char *action)
{
	assert_true(i < t->n);
	assert_int_equal(t->step[i].port, port);
	assert_int_equal(t->step[i].dir, dir);
	assert_string_equal(t->step[i].layer, layer);
	assert_string_equal(t->step[i].group, group);
	assert_string_equal(t->step[i].rule, rule);
	if (strncmp(t->step[i].action, action, strlen(action)) != 0)
		fail_msg("step %u action \"%s\", expected \"%s...\"", i, t->step[i].action, action);
}

static void
test_trace_describes_walk_without_side_effects(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	uint8_t out[FRAME_MAX], copy[FRAME_MAX], in[FRAME_MAX];
	const uint16_t lo = to_r1(out, &mac_vm1, IP_VM1, IPPROTO_UDP, 1000, 2000, 0);
	uint16_t li;
	struct vfp_trace t;

	add_acl(p, PORT_VM1, VFP_RULE_STATEFUL, 0);
	/* Nothing published, nothing to trace. */
	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, out, lo, &t), -ENOENT);
	fixture_start(f, p);
	memcpy(copy, out, lo);

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, out, lo, &t), 0);
	assert_int_equal(t.n, 4);
	/* The guard layer (priority 5) has no OUT group: its default applies. */
	assert_step(&t, 0, PORT_VM1, VFP_DIR_OUT, "guard", "", "", "default: allow");
	assert_step(&t, 1, PORT_VM1, VFP_DIR_OUT, "acl", "out", "allow-out", "allow (stateful)");
	assert_step(&t, 2, PORT_VM1, VFP_DIR_OUT, "vnet", "vnet-out", "map",
		"map: vxlan to PA 172.16.0.20");
	assert_step(&t, 3, PORT_VM1, VFP_DIR_OUT, "pa-route", "pa-out", "route", "route-pa");
	assert_false(t.dropped);
	assert_non_null(strstr(t.result, "encap vxlan vni 5001 to PA 172.16.0.20"));
	/* No flow, no counter, the frame untouched. */
	assert_int_equal(flows(f), 0);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "allow-out"), 0);
	assert_int_equal(rule_hits(f, PORT_VM1, "vnet", "map"), 0);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->rx_packets, 0);
	assert_int_equal(UFT_STATS(f)->misses, 0);
	assert_memory_equal(out, copy, lo);

	run1(f, PORT_VM1, mbuf_of(out, lo));
	assert_int_equal(flows(f), 2);

	/* The reply: the ACL's block is overridden for it. */
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1000, 0);
	assert_int_equal(vfp_trace_packet(f->sw, PORT_UPLINK, in, li, &t), 0);
	assert_int_equal(t.n, 4);
	assert_step(&t, 0, PORT_VM1, VFP_DIR_IN, "pa-route", "", "", "default: allow");
	assert_step(&t, 1, PORT_VM1, VFP_DIR_IN, "vnet", "vnet-in", "decap", "decap");
	assert_step(&t, 2, PORT_VM1, VFP_DIR_IN, "acl", "in", "deny-in", "block overridden");
	assert_step(&t, 3, PORT_VM1, VFP_DIR_IN, "guard", "", "", "default: allow");
	assert_string_equal(t.result, "decap to port 1");
	/* A new connection: denied. */
	li = from_r1(in, &mac_vm1, IP_VM1, IPPROTO_UDP, 2000, 1001, 0);
	assert_int_equal(vfp_trace_packet(f->sw, PORT_UPLINK, in, li, &t), 0);
	assert_true(t.dropped);
	assert_int_equal(t.drop, HNV_DROP_ACL_DENY);
	assert_string_equal(t.step[t.n - 1].action, "block");

	assert_int_equal(flows(f), 2);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "allow-out"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "deny-in"), 0);
	assert_int_equal(UFT_STATS(f)->misses, 1);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->rx_packets, 0);
	assert_no_leak(f);
}

/* ---- reload ---- */

/* Bytes allocated from DPDK's heaps (programs, hashes, rings). */
static uint64_t
heap_in_use(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

static void
test_publish_frees_replaced_program(void **state)
{
	struct fixture *f = *state;
	uint8_t b[FRAME_MAX];
	const uint16_t lb = l4_frame(
		b, FRAME_LEN, IPPROTO_UDP, &mac_vm3, &mac_r2, IP_VM3, IP_R2, 1000, 2000, 0);
	uint64_t before;

	fixture_start(f, build_program(f->sw, PA_R2));
	run1(f, PORT_VM3, mbuf_of(b, lb));
	republish(f, build_program(f->sw, PA_R2_MOVED));
	run1(f, PORT_VM3, mbuf_of(b, lb));
	before = heap_in_use();

	/* Each publish replaces a program with traffic in between. */
	for (unsigned int i = 0; i < 16; i++) {
		const rte_be32_t pa = i % 2 ? PA_R2_MOVED : PA_R2;
		struct vfp_program *p = build_program(f->sw, pa);

		republish(f, p);
		assert_ptr_equal(vfp_switch_program(f->sw), p);
		run1(f, PORT_VM3, mbuf_of(b, lb));
		assert_encap_to(last_sent(f, PORT_UPLINK), pa, b, lb);
		free_sent(f);
	}
	assert_int_equal(UFT_STATS(f)->stale, 17);
	assert_int_equal(heap_in_use(), before);
	assert_no_leak(f);
}

/* ---- ports coming and going (the many-ports host of vfp_test_util.c) ---- */

/* Run @m received on @in_port; it must come out of @out_port alone. */
static void
deliver(struct fixture *f, uint16_t in_port, struct rte_mbuf *m, uint16_t out_port)
{
	run1(f, in_port, m);
	assert_int_equal(f->log.n, 1);
	assert_int_equal(f->log.port[0], out_port);
	free_sent(f);
}

/* Run @m received on @in_port; nothing may come out. */
static void
refuse(struct fixture *f, uint16_t in_port, struct rte_mbuf *m)
{
	run1(f, in_port, m);
	assert_int_equal(f->log.n, 0);
}

static void
assert_uft(const struct fixture *f, uint64_t hits, uint64_t misses, uint64_t stale)
{
	assert_int_equal(UFT_STATS(f)->hits, hits);
	assert_int_equal(UFT_STATS(f)->misses, misses);
	assert_int_equal(UFT_STATS(f)->stale, stale);
}

/*
 * A port that appears (at a new id: n_ports grows) or disappears (beyond
 * the new n_ports, or left unused) re-walks the flows through it and no
 * others: the flows between other ports of the same VSID, and those of
 * the remote CA, stay hits. The new ports share the VSID of those flows.
 */
static void
test_ports_coming_and_going_rewalk_only_their_own_flows(void **state)
{
	struct fixture *f = *state;
	enum { A = 150, B = 1030, LAST = 1049, NEW = 1099 };
	uint8_t ab[FRAME_MAX], b_out[FRAME_MAX], b_in[FRAME_MAX], a_last[FRAME_MAX];
	uint8_t last_in[FRAME_MAX], a_new[FRAME_MAX], new_in[FRAME_MAX], new_a[FRAME_MAX];
	const uint16_t l_ab = many_vm_frame(ab, FRAME_LEN, A, B, 1000);
	const uint16_t l_b_out = many_vm_frame(b_out, FRAME_LEN, B, 0, 1000);
	const uint16_t l_b_in = many_remote_frame(b_in, FRAME_LEN, B, 1000);
	const uint16_t l_a_last = many_vm_frame(a_last, FRAME_LEN, A, LAST, 1000);
	const uint16_t l_last_in = many_remote_frame(last_in, FRAME_LEN, LAST, 1000);
	const uint16_t l_a_new = many_vm_frame(a_new, FRAME_LEN, A, NEW, 1000);
	const uint16_t l_new_in = many_remote_frame(new_in, FRAME_LEN, NEW, 1000);
	const uint16_t l_new_a = many_vm_frame(new_a, FRAME_LEN, NEW, A, 1000);
	uint64_t heap;

	/* Ports 0..LAST. */
	fixture_start(f, many_program(f->sw, LAST + 1, 0));
	deliver(f, A, mbuf_of(ab, l_ab), B);
	deliver(f, B, mbuf_of(b_out, l_b_out), PORT_UPLINK);
	deliver(f, PORT_UPLINK, mbuf_of(b_in, l_b_in), B);
	deliver(f, A, mbuf_of(a_last, l_a_last), LAST);
	deliver(f, PORT_UPLINK, mbuf_of(last_in, l_last_in), LAST);
	refuse(f, NEW, mbuf_of(new_a, l_new_a)); /* no such port yet */
	assert_int_equal(PORT_STATS(f, NEW)->drops[HNV_DROP_PORT_UNBOUND], 1);
	assert_uft(f, 0, 5, 0);

	/* Fifty ports more, up to NEW, in the same VSID: nothing re-walks. */
	republish(f, many_program(f->sw, NEW + 1, 0));
	deliver(f, A, mbuf_of(ab, l_ab), B);
	deliver(f, B, mbuf_of(b_out, l_b_out), PORT_UPLINK);
	deliver(f, PORT_UPLINK, mbuf_of(b_in, l_b_in), B);
	deliver(f, A, mbuf_of(a_last, l_a_last), LAST);
	deliver(f, PORT_UPLINK, mbuf_of(last_in, l_last_in), LAST);
	assert_uft(f, 5, 5, 0);
	/* The new program's rules decided no flow: nothing was walked. */
	assert_int_equal(rule_hits(f, A, "vnet", "map"), 0);
	assert_int_equal(rule_hits(f, B, "vnet", "decap"), 0);
	/* The new port has flows of its own. */
	deliver(f, A, mbuf_of(a_new, l_a_new), NEW);
	deliver(f, PORT_UPLINK, mbuf_of(new_in, l_new_in), NEW);
	deliver(f, NEW, mbuf_of(new_a, l_new_a), A);
	assert_uft(f, 5, 8, 0);

	/* NEW goes (beyond n_ports again) and LAST is left unused: their flows
	 * re-walk and find no destination; the others still hit. */
	republish(f, many_program(f->sw, NEW, LAST));
	deliver(f, A, mbuf_of(ab, l_ab), B);
	deliver(f, B, mbuf_of(b_out, l_b_out), PORT_UPLINK);
	deliver(f, PORT_UPLINK, mbuf_of(b_in, l_b_in), B);
	assert_uft(f, 8, 8, 0);
	refuse(f, A, mbuf_of(a_last, l_a_last));
	refuse(f, PORT_UPLINK, mbuf_of(last_in, l_last_in));
	refuse(f, A, mbuf_of(a_new, l_a_new));
	refuse(f, PORT_UPLINK, mbuf_of(new_in, l_new_in));
	assert_uft(f, 8, 12, 4);
	assert_int_equal(PORT_STATS(f, A)->drops[HNV_DROP_UNKNOWN_DST], 2);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->drops[HNV_DROP_UNKNOWN_DST], 2);
	/* From the ports that went: refused before any lookup. */
	refuse(f, NEW, mbuf_of(new_a, l_new_a));
	assert_int_equal(PORT_STATS(f, NEW)->drops[HNV_DROP_PORT_UNBOUND], 2);
	refuse(f, LAST, mbuf_of(last_in, l_last_in));
	assert_int_equal(PORT_STATS(f, LAST)->drops[HNV_DROP_PORT_UNBOUND], 1);
	assert_uft(f, 8, 12, 4);

	/* Both come back: their old entries stay stale, re-walk, deliver. */
	republish(f, many_program(f->sw, NEW + 1, 0));
	deliver(f, A, mbuf_of(a_last, l_a_last), LAST);
	deliver(f, PORT_UPLINK, mbuf_of(new_in, l_new_in), NEW);
	deliver(f, A, mbuf_of(ab, l_ab), B);
	assert_uft(f, 9, 14, 6);
	deliver(f, A, mbuf_of(a_last, l_a_last), LAST);
	assert_uft(f, 10, 14, 6);

	/* Programs of 1100 ports free their ports and their subnets' port
	 * lists (2 KiB and more a program): the heap does not grow with the
	 * programs replaced, give or take the rounding of a few heap elements
	 * (the lists grow by rte_realloc, in place when there is room). */
	heap = heap_in_use();
	for (unsigned int i = 0; i < 8; i++)
		republish(f, many_program(f->sw, NEW + 1, 0));
	assert_true(heap_in_use() < heap + 1024);
	assert_no_leak(f);
}

/* ---- EAL ---- */

static int
group_setup(void **state)
{
	(void)state;
	return eal_start("test_vfp_uft");
}

static int
group_teardown(void **state)
{
	(void)state;
	eal_stop();
	return 0;
}

/* ---- QoS actions ---- */

/* A COUNT and a METER rule on VM1's packets: the meter (srTCM, 250-byte
 * committed burst, no excess burst, a rate too low to refill within the
 * test) passes the first two 100-byte packets of a burst and drops the
 * rest as meter_red; the counter counts what passed. */
static void
test_count_and_meter_police_a_flow(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, PA_R2);
	struct vfp_rule_spec r = rule_spec("police", 1, 0, VFP_ACT_COUNT);
	struct rte_mbuf *pkts[5];
	uint8_t frame[FRAME_MAX];
	const char *name;
	uint64_t packets, bytes;
	int counter, meter, layer, group;

	counter = vfp_program_add_counter(p, "vm1-out");
	meter = vfp_program_add_meter(p, "vm1-rate", 1000, 250, 0);
	assert_int_equal(counter, 0);
	assert_int_equal(meter, 0);
	assert_int_equal(vfp_program_add_counter(p, "vm1-out"), -EEXIST);
	assert_int_equal(vfp_program_add_meter(p, "bad", 0, 250, 0), -EINVAL);
	layer = vfp_layer_add(p, PORT_VM1, "qos", 40, false);
	assert_true(layer >= 0);
	group = vfp_group_add(p, PORT_VM1, layer, "qos-out", 1, VFP_DIR_OUT, VFP_FAMILY_ANY);
	assert_true(group >= 0);
	r.actions[0].id = (uint16_t)counter;
	r.n_actions = 2;
	r.actions[1].type = VFP_ACT_METER;
	r.actions[1].id = 7; /* no such meter */
	assert_int_equal(vfp_rule_add(p, PORT_VM1, layer, group, &r), -EINVAL);
	r.actions[1].id = (uint16_t)meter;
	assert_true(vfp_rule_add(p, PORT_VM1, layer, group, &r) >= 0);
	fixture_start(f, p);

	for (unsigned int i = 0; i < RTE_DIM(pkts); i++) {
		uint16_t len = l4_frame(frame, FRAME_LEN, IPPROTO_UDP, &mac_vm1, &mac_r1, IP_VM1,
			IP_R1, 1000, 53, 0);

		pkts[i] = mbuf_of(frame, len);
	}
	run(f, PORT_VM1, pkts, RTE_DIM(pkts));
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 2);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[HNV_DROP_METER_RED], 3);
	assert_int_equal(f->log.n, 2);
	assert_int_equal(vfp_counter_read(vfp_switch_program(f->sw), (struct vfp_lcore *[]){f->lc},
				 1, (unsigned int)counter, &name, &packets, &bytes),
		0);
	assert_string_equal(name, "vm1-out");
	assert_int_equal(packets, 2);
	assert_int_equal(bytes, 200);
	assert_no_leak(f);
}

#define UFT(t) cmocka_unit_test_setup_teardown(t, setup, fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		UFT(test_first_packet_misses_later_packets_hit_identically),
		UFT(test_new_flow_walks_layers_once_per_burst),
		UFT(test_stateful_allow_admits_replies_denies_new_inbound),
		UFT(test_stateless_allow_makes_no_reply_entry),
		UFT(test_unguarded_port_flows_have_no_reply_entry),
		UFT(test_aging_expires_idle_flows_by_tcp_state),
		UFT(test_aging_keeps_recently_hit_flow),
		UFT(test_flow_count_and_listing_drop_after_aging),
		UFT(test_aging_keeps_flow_stamped_after_the_sweeps_now),
		UFT(test_uncached_counts_only_what_a_full_table_refused),
		cmocka_unit_test_setup_teardown(test_full_table_forwards_uncached_never_drops,
			setup_tiny, fixture_teardown),
		UFT(test_mapping_change_invalidates_only_that_vsid),
		UFT(test_mapping_move_invalidates_only_its_flows),
		UFT(test_acl_change_invalidates_only_that_port),
		UFT(test_ports_coming_and_going_rewalk_only_their_own_flows),
		UFT(test_trace_describes_walk_without_side_effects),
		UFT(test_publish_frees_replaced_program),
		UFT(test_count_and_meter_police_a_flow),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
