/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp_router.c: the distributed router of lib/vfp
 * (vfp_router.c) through the pipeline: a routed flow's transposition and
 * its UFT entry, extra routes and the longest-prefix match, a route that
 * takes a subnet's own prefix, and which flows a change of a domain's
 * routing re-walks (that domain's, not another's). Byte-level behaviour on
 * the wire is the replay scenarios' (test/replay/router).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "vfp_test_util.h"

/* Uplink 0; Contoso (RDID 1): A in 5001, B in 5002, the appliance F in
 * 5003; Fabrikam (RDID 2), the same addresses: C in 6001, D in 6002. */
enum { PORT_UPLINK, PORT_A, PORT_B, PORT_F, PORT_C, PORT_D, N_PORTS };
#define IP_A IP4(10, 1, 1, 12)
#define IP_B IP4(10, 1, 2, 12)
#define IP_F IP4(10, 1, 9, 4)
#define IP_R IP4(10, 1, 2, 11) /* a remote VM of 5002 / 6002 */
#define PA_R IP4(172, 16, 0, 20)
#define LAYER_ROUTER 25

static const struct rte_ether_addr mac_a = {{0x02, 0x50, 0x01, 0, 0, 0x12}};
static const struct rte_ether_addr mac_b = {{0x02, 0x50, 0x02, 0, 0, 0x12}};
static const struct rte_ether_addr mac_f = {{0x02, 0x50, 0x03, 0, 0, 0x04}};
static const struct rte_ether_addr mac_c = {{0x02, 0x60, 0x01, 0, 0, 0x12}};
static const struct rte_ether_addr mac_d = {{0x02, 0x60, 0x02, 0, 0, 0x12}};
static const struct rte_ether_addr mac_r = {{0x02, 0x50, 0x02, 0, 0, 0x11}};

static void
vm(struct vfp_program *p, uint16_t port, uint32_t vsid, const struct rte_ether_addr *mac,
	rte_be32_t ip)
{
	const struct vfp_rule_spec route = rule_spec("route", 1, 0, VFP_ACT_ROUTE);
	int layer;

	assert_int_equal(vfp_program_add_vnic(p, port, vsid, mac, ip), 0);
	add_std_layers(p, port);
	layer = vfp_layer_add(p, port, "router", LAYER_ROUTER, false);
	assert_true(layer >= 0);
	group_with_rule(p, port, layer, "router-out", 10, VFP_DIR_OUT, &route);
}

/* The program; @contoso_route: 10.1.2.0/24 (B's subnet) goes through F. */
static struct vfp_program *
program(struct vfp_switch *sw, bool contoso_route)
{
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);

	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, 5001, 1, IP4(10, 1, 1, 0), 24, IP4(10, 1, 1, 1),
				 ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, 5002, 1, IP4(10, 1, 2, 0), 24, IP4(10, 1, 2, 1),
				 ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, 5003, 1, IP4(10, 1, 9, 0), 24, IP4(10, 1, 9, 1),
				 ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, 6001, 2, IP4(10, 1, 1, 0), 24, IP4(10, 1, 1, 1),
				 ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, 6002, 2, IP4(10, 1, 2, 0), 24, IP4(10, 1, 2, 1),
				 ENCAP_TYPE_NVGRE),
		0);
	vm(p, PORT_A, 5001, &mac_a, IP_A);
	vm(p, PORT_B, 5002, &mac_b, IP_B);
	vm(p, PORT_F, 5003, &mac_f, IP_F);
	vm(p, PORT_C, 6001, &mac_c, IP_A);
	vm(p, PORT_D, 6002, &mac_d, IP_B);
	assert_int_equal(vfp_program_add_mapping(p, 5002, IP_R, &mac_r, PA_R), 0);
	assert_int_equal(vfp_program_set_ip_forwarding(p, 5003, IP_F), 0);
	/* 10.1.2.0/25 through F: more specific than the subnet, so the
	 * remote VM 10.1.2.11 is reached through F; 10.1.2.128/25 is not. */
	assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 1, 2, 0), 25, 5003, IP_F), 0);
	assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 1, 2, 0), 25, 5003, IP_F), -EEXIST);
	assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 1, 2, 1), 25, 5003, IP_F), -EINVAL);
	assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 7, 0, 0), 16, 6001, IP_A), -ENOENT);
	assert_int_equal(vfp_program_add_route(p, 9, IP4(10, 7, 0, 0), 16, 0, 0), -ENOENT);
	assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 66, 0, 0), 16, 0, 0), 0);
	if (contoso_route) /* the subnet's own prefix: replaces its connected route */
		assert_int_equal(vfp_program_add_route(p, 1, IP4(10, 1, 2, 0), 24, 5003, IP_F), 0);
	return p;
}

static int
setup(void **state)
{
	*state = fixture_new("test_vfp_router", 4096);
	return *state == NULL ? -1 : 0;
}

/* A routed UDP packet from VM port @from (@mac, @ip) to @dst with @ttl. */
static struct rte_mbuf *
to_router(const struct rte_ether_addr *mac, rte_be32_t ip, rte_be32_t dst, uint8_t ttl)
{
	uint8_t frame[FRAME_MAX];
	uint16_t len = l4_frame(frame, 90, IPPROTO_UDP, mac, &router_mac, ip, dst, 4000, 53, 0);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(frame + sizeof(struct rte_ether_hdr));

	h->time_to_live = ttl;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	return mbuf_of(frame, len);
}

/* The last packet sent went out of @port as a routed copy: router MAC
 * source, @dst_mac destination, TTL @ttl and a valid header checksum. */
static void
assert_routed(struct fixture *f, uint16_t port, const struct rte_ether_addr *dst_mac, uint8_t ttl)
{
	struct rte_mbuf *m;
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;

	assert_true(f->log.n > 0);
	m = f->log.m[f->log.n - 1];
	assert_int_equal(f->log.port[f->log.n - 1], port);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &router_mac));
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, dst_mac));
	assert_int_equal(ip->time_to_live, ttl);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* a valid header sums to 0xffff */
}

static void
test_routed_flow_is_cached_and_rewritten(void **state)
{
	struct fixture *f = *state;
	uint64_t misses;

	fixture_start(f, program(f->sw, false));
	/* B's 10.1.2.12 is in the route 10.1.2.0/25: through F. */
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 64));
	assert_routed(f, PORT_F, &mac_f, 63);
	misses = UFT_STATS(f)->misses;
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 9));
	assert_routed(f, PORT_F, &mac_f, 8);
	assert_int_equal(UFT_STATS(f)->misses, misses);
	assert_true(UFT_STATS(f)->hits >= 1);
	/* F's own packets follow the subnets: straight to B. */
	run1(f, PORT_F, to_router(&mac_f, IP_A, IP_B, 63));
	assert_routed(f, PORT_B, &mac_b, 62);
	/* The same addresses in Fabrikam: its own subnets, no route via F. */
	run1(f, PORT_C, to_router(&mac_c, IP_A, IP_B, 64));
	assert_routed(f, PORT_D, &mac_d, 63);
	/* TTL 1 and the drop route: nothing forwarded. */
	free_sent(f);
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 1));
	assert_int_equal(PORT_STATS(f, PORT_A)->drops[HNV_DROP_TTL_EXCEEDED], 1);
	assert_int_equal(PORT_STATS(f, PORT_A)->icmp_sent, 1);
	assert_int_equal(f->log.port[f->log.n - 1], PORT_A); /* the time exceeded */
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP4(10, 66, 3, 3), 64));
	assert_int_equal(PORT_STATS(f, PORT_A)->drops[HNV_DROP_ROUTE_DROP], 1);
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP4(10, 99, 3, 3), 64));
	assert_int_equal(PORT_STATS(f, PORT_A)->drops[HNV_DROP_NO_ROUTE], 1);
	free_sent(f);
	assert_no_leak(f);
}

static void
test_route_change_rewalks_only_its_domain(void **state)
{
	struct fixture *f = *state;
	uint64_t stale;

	fixture_start(f, program(f->sw, false));
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 64));
	assert_routed(f, PORT_F, &mac_f, 63);
	run1(f, PORT_C, to_router(&mac_c, IP_A, IP_B, 64));
	assert_routed(f, PORT_D, &mac_d, 63);
	/* The same program again: every flow stays current. */
	republish(f, program(f->sw, false));
	stale = UFT_STATS(f)->stale;
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 64));
	run1(f, PORT_C, to_router(&mac_c, IP_A, IP_B, 64));
	assert_int_equal(UFT_STATS(f)->stale, stale);
	/* A route added to Contoso: its routed flow is re-walked, Fabrikam's
	 * is not. */
	republish(f, program(f->sw, true));
	run1(f, PORT_C, to_router(&mac_c, IP_A, IP_B, 64));
	assert_routed(f, PORT_D, &mac_d, 63);
	assert_int_equal(UFT_STATS(f)->stale, stale);
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP4(10, 1, 2, 130), 64));
	assert_routed(f, PORT_F, &mac_f, 63); /* the /24 route now takes the whole subnet */
	run1(f, PORT_A, to_router(&mac_a, IP_A, IP_B, 64));
	assert_int_equal(UFT_STATS(f)->stale, stale + 1);
	free_sent(f);
	assert_no_leak(f);
}

/* D's "acl" layer refuses whatever D did not open: the replies of a
 * routed flow it opened are recognised as such by their addresses (the
 * router MAC is no VM's), in a trace and in the data path. */
static void
test_routed_reply_is_established(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = program(f->sw, false);
	struct vfp_rule_spec allow = rule_spec("out", 1, VFP_RULE_STATEFUL, VFP_ACT_ALLOW);
	uint8_t frame[FRAME_MAX];
	struct vfp_trace t;
	uint16_t len;
	int layer;

	layer = vfp_layer_add(p, PORT_D, "acl", 10, true);
	assert_true(layer >= 0);
	group_with_rule(p, PORT_D, layer, "acl-out", 10, VFP_DIR_OUT, &allow);
	fixture_start(f, p);
	/* C to D, unsolicited: refused by D's default. */
	len = l4_frame(frame, 90, IPPROTO_UDP, &mac_c, &router_mac, IP_A, IP_B, 53, 4000, 0);
	assert_int_equal(vfp_trace_packet(f->sw, PORT_C, frame, len, &t), 0);
	assert_true(t.dropped);
	assert_int_equal(t.drop, HNV_DROP_ACL_DENY);
	/* D opens the flow; C's answer is established, traced as allowed. */
	run1(f, PORT_D, to_router(&mac_d, IP_B, IP_A, 64));
	assert_routed(f, PORT_C, &mac_c, 63);
	assert_int_equal(vfp_trace_packet(f->sw, PORT_C, frame, len, &t), 0);
	assert_false(t.dropped);
	/* The trace asked the flow table (not D's precomputed reply entry,
	 * which it never reads); the data path forwards the answer too. */
	run1(f, PORT_C, mbuf_of(frame, len));
	assert_routed(f, PORT_D, &mac_d, 63);
	assert_int_equal(PORT_STATS(f, PORT_C)->drops[HNV_DROP_ACL_DENY], 0);
	free_sent(f);
	assert_no_leak(f);
}

static int
group_setup(void **state)
{
	(void)state;
	return eal_start("test_vfp_router");
}

static int
group_teardown(void **state)
{
	(void)state;
	eal_stop();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_routed_flow_is_cached_and_rewritten, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_route_change_rewalks_only_its_domain, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_routed_reply_is_established, setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
