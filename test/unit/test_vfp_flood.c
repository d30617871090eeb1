/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp_flood.c: unicast replication in lib/vfp (vfp_flood.c)
 * at the mbuf level: the copies of a VM broadcast share its payload (a
 * header segment each, chained to an indirect mbuf of the original's
 * buffer), every mbuf goes back to the pool, and the storm limit refuses a
 * packet whose copies do not fit. What the copies carry, byte for byte, is
 * the replay scenarios' (test/replay/replicate).
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

enum { PORT_UPLINK, PORT_A, PORT_B, PORT_C, N_PORTS };
#define VSID 5001u
static const struct rte_ether_addr mac_a = {{0x02, 0x50, 0x01, 0, 0, 0x0a}};
static const struct rte_ether_addr mac_b = {{0x02, 0x50, 0x01, 0, 0, 0x0b}};
static const struct rte_ether_addr mac_c = {{0x02, 0x50, 0x01, 0, 0, 0x0c}};
static const struct rte_ether_addr mac_r = {{0x02, 0x50, 0x01, 0, 0, 0x11}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static struct vfp_program *
program(struct vfp_switch *sw, uint32_t limit)
{
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);

	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID, 1, IP4(10, 1, 1, 0), 24, IP4(10, 1, 1, 1),
				 ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_A, VSID, &mac_a, IP4(10, 1, 1, 10)), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_B, VSID, &mac_b, IP4(10, 1, 1, 11)), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_C, VSID, &mac_c, IP4(10, 1, 1, 12)), 0);
	assert_int_equal(
		vfp_program_add_mapping(p, VSID, IP4(10, 1, 1, 20), &mac_r, IP4(172, 16, 0, 20)),
		0);
	assert_int_equal(vfp_program_set_flood_limit(p, VSID, limit), 0);
	assert_int_equal(vfp_program_set_flood_limit(p, 4242, limit), -ENOENT);
	for (uint16_t port = PORT_A; port <= PORT_C; port++)
		add_std_layers(p, port);
	return p;
}

static int
setup(void **state)
{
	*state = fixture_new("test_vfp_flood", 4096);
	return *state == NULL ? -1 : 0;
}

/* A UDP broadcast of @payload bytes (at least 12) from @mac / @ip. */
static struct rte_mbuf *
broadcast_from(const struct rte_ether_addr *mac, rte_be32_t ip, uint16_t payload)
{
	uint8_t frame[FRAME_MAX];
	uint16_t len = l4_frame(frame, (uint16_t)(42 + payload), IPPROTO_UDP, mac, &bcast, ip,
		IP4(10, 1, 1, 255), 137, 137, 0);

	return mbuf_of(frame, len);
}

static struct rte_mbuf *
broadcast(uint16_t payload)
{
	return broadcast_from(&mac_a, IP4(10, 1, 1, 10), payload);
}

static void
test_copies_share_the_payload(void **state)
{
	struct fixture *f = *state;
	const void *shared = NULL;

	fixture_start(f, program(f->sw, 1000));
	run1(f, PORT_A, broadcast(1000));
	assert_int_equal(f->log.n, 3); /* B, C and the remote VM; not A */
	for (unsigned int i = 0; i < f->log.n; i++) {
		struct rte_mbuf *m = f->log.m[i], *pay = m->next;

		assert_int_not_equal(f->log.port[i], PORT_A);
		assert_int_equal(m->nb_segs, 2);
		assert_non_null(pay);
		assert_true(RTE_MBUF_CLONED(pay));
		assert_int_equal(rte_pktmbuf_data_len(pay), 1000);
		if (shared == NULL)
			shared = rte_pktmbuf_mtod(pay, const void *);
		assert_ptr_equal(rte_pktmbuf_mtod(pay, const void *), shared);
	}
	assert_int_equal(PORT_STATS(f, PORT_A)->replicated, 1);
	free_sent(f);
	assert_no_leak(f);
}

static void
test_storm_limit_drops_whole_packets(void **state)
{
	struct fixture *f = *state;

	fixture_start(f, program(f->sw, 7)); /* two broadcasts of 3 copies */
	for (int i = 0; i < 4; i++)
		run1(f, PORT_A, broadcast(100));
	assert_int_equal(f->log.n, 6);
	assert_int_equal(PORT_STATS(f, PORT_A)->drops[HNV_DROP_FLOOD_LIMIT], 2);
	assert_int_equal(PORT_STATS(f, PORT_A)->replicated, 2);
	free_sent(f);
	/* 0: no VM broadcast at all. */
	republish(f, program(f->sw, 0));
	run1(f, PORT_B, broadcast_from(&mac_b, IP4(10, 1, 1, 11), 100));
	assert_int_equal(f->log.n, 0);
	assert_int_equal(PORT_STATS(f, PORT_B)->drops[HNV_DROP_FLOOD_LIMIT], 1);
	assert_no_leak(f);
}

/* A copy to a remote VM whose PA next hop is not resolved yet becomes the
 * ARP request for it (as a unicast packet would): its payload segment goes
 * back to the pool. */
static void
test_copy_to_unresolved_next_hop_leaks_nothing(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = program(f->sw, 1000);
	static const struct rte_ether_addr mac_o = {{0x02, 0x50, 0x01, 0, 0, 0x21}};

	/* On our PA subnet: the next hop is the PA itself, unresolved. */
	assert_int_equal(
		vfp_program_add_mapping(p, VSID, IP4(10, 1, 1, 21), &mac_o, IP4(192, 168, 1, 77)),
		0);
	fixture_start(f, p);
	run1(f, PORT_A, broadcast(500));
	assert_int_equal(PORT_STATS(f, PORT_A)->drops[HNV_DROP_NEXTHOP_UNRESOLVED], 1);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->arp_requests, 1);
	free_sent(f);
	assert_no_leak(f);
}

static int
group_setup(void **state)
{
	(void)state;
	return eal_start("test_vfp_flood");
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
			test_copies_share_the_payload, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_storm_limit_drops_whole_packets, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_copy_to_unresolved_next_hop_leaks_nothing, setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
