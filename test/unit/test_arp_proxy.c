/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_arp_proxy.c: unit tests for lib/arp_proxy.
 *
 * Owns: parsing of valid, tagged, malformed and non-ARP frames; the in-place
 * reply and the built request byte for byte against hand-written frames;
 * gratuitous/probe detection; the neighbor cache word and rate limiter.
 * Runs without EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "arp_proxy.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* VM 10.1.0.4 (00:15:5d:00:00:04) asks who has 10.1.0.1, padded to 60. */
static const uint8_t request[60] = {
	0xff,
	0xff,
	0xff,
	0xff,
	0xff,
	0xff, /* broadcast */
	0x00,
	0x15,
	0x5d,
	0x00,
	0x00,
	0x04, /* VM */
	0x08,
	0x06, /* ARP */
	0x00,
	0x01,
	0x08,
	0x00,
	0x06,
	0x04, /* Ethernet, IPv4, 6, 4 */
	0x00,
	0x01, /* request */
	0x00,
	0x15,
	0x5d,
	0x00,
	0x00,
	0x04, /* sha */
	0x0a,
	0x01,
	0x00,
	0x04, /* spa 10.1.0.4 */
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00, /* tha */
	0x0a,
	0x01,
	0x00,
	0x01, /* tpa 10.1.0.1 */
	/* 18 bytes of padding, non-zero to show the reply leaves them alone */
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
	0xee,
};

static const struct rte_ether_addr gw_mac = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}};

/* The request with an 802.1Q tag (VLAN 42) after the MACs. */
static size_t
tagged(uint8_t *out, const uint8_t *frame, size_t len)
{
	static const uint8_t tag[4] = {0x81, 0x00, 0x00, 0x2a};

	memcpy(out, frame, 12);
	memcpy(out + 12, tag, 4);
	memcpy(out + 16, frame + 12, len - 12);
	return len + 4;
}

static void
test_parse_valid_request(void **state)
{
	struct arp_proxy_pkt p;
	static const struct rte_ether_addr vm = {{0x00, 0x15, 0x5d, 0x00, 0x00, 0x04}};
	static const struct rte_ether_addr zero = {{0}};

	(void)state;
	assert_int_equal(arp_proxy_parse(request, sizeof(request), &p), ARP_PROXY_OK);
	assert_int_equal(p.op, 1);
	assert_memory_equal(&p.sha, &vm, sizeof(vm));
	assert_memory_equal(&p.tha, &zero, sizeof(zero));
	assert_int_equal(p.spa, IP4(10, 1, 0, 4));
	assert_int_equal(p.tpa, IP4(10, 1, 0, 1));
	assert_int_equal(p.l2_len, 14);
	/* Unpadded 42-byte frames are fine too. */
	assert_int_equal(arp_proxy_parse(request, 42, &p), ARP_PROXY_OK);
}

static void
test_parse_tagged_request(void **state)
{
	uint8_t f[64];
	struct arp_proxy_pkt p;
	size_t n = tagged(f, request, 42);

	(void)state;
	assert_int_equal(arp_proxy_parse(f, (uint32_t)n, &p), ARP_PROXY_OK);
	assert_int_equal(p.l2_len, 18);
	assert_int_equal(p.op, 1);
	assert_int_equal(p.spa, IP4(10, 1, 0, 4));
	assert_int_equal(p.tpa, IP4(10, 1, 0, 1));
}

static void
test_parse_rejects_malformed(void **state)
{
	static const struct {
		size_t off;
		uint8_t val;
	} pokes[] = {
		{15, 0x06}, /* htype 6 (IEEE 802) */
		{16, 0x86}, /* ptype 0x8600 */
		{18, 0x08}, /* hlen 8 */
		{19, 0x10}, /* plen 16 */
	};
	uint8_t f[64];
	struct arp_proxy_pkt p;
	size_t i, len;

	(void)state;
	for (i = 0; i < RTE_DIM(pokes); i++) {
		memcpy(f, request, sizeof(request));
		f[pokes[i].off] = pokes[i].val;
		assert_int_equal(arp_proxy_parse(f, sizeof(request), &p), ARP_PROXY_MALFORMED);
	}
	/* Every truncation, from an exact-size heap copy. */
	for (len = 0; len < 42; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		enum arp_proxy_err err;

		assert_non_null(copy);
		memcpy(copy, request, len);
		err = arp_proxy_parse(copy, (uint32_t)len, &p);
		free(copy);
		assert_int_equal(err, ARP_PROXY_MALFORMED);
	}
	/* Tagged: cut inside the tag and inside the ARP body. */
	len = tagged(f, request, 42);
	assert_int_equal(arp_proxy_parse(f, 16, &p), ARP_PROXY_MALFORMED);
	assert_int_equal(arp_proxy_parse(f, (uint32_t)len - 1, &p), ARP_PROXY_MALFORMED);
}

static void
test_parse_not_arp(void **state)
{
	uint8_t f[64];
	struct arp_proxy_pkt p;

	(void)state;
	memcpy(f, request, sizeof(request));
	f[13] = 0x00; /* IPv4 */
	assert_int_equal(arp_proxy_parse(f, sizeof(request), &p), ARP_PROXY_NOT_ARP);
	f[12] = 0x80; /* RARP 0x8035 */
	f[13] = 0x35;
	assert_int_equal(arp_proxy_parse(f, sizeof(request), &p), ARP_PROXY_NOT_ARP);
	tagged(f, request, 42);
	f[17] = 0x00; /* IPv4 behind the tag */
	assert_int_equal(arp_proxy_parse(f, 46, &p), ARP_PROXY_NOT_ARP);
	/* Only one tag is understood. */
	tagged(f, request, 42);
	f[16] = 0x81;
	f[17] = 0x00;
	assert_int_equal(arp_proxy_parse(f, 46, &p), ARP_PROXY_NOT_ARP);
}

static void
test_reply_in_place_is_byte_exact(void **state)
{
	static const uint8_t expected[60] = {
		0x00,
		0x15,
		0x5d,
		0x00,
		0x00,
		0x04, /* to the requester */
		0x12,
		0x34,
		0x56,
		0x78,
		0x9a,
		0xbc, /* from the answer */
		0x08,
		0x06,
		0x00,
		0x01,
		0x08,
		0x00,
		0x06,
		0x04,
		0x00,
		0x02, /* reply */
		0x12,
		0x34,
		0x56,
		0x78,
		0x9a,
		0xbc, /* sha = answer */
		0x0a,
		0x01,
		0x00,
		0x01, /* spa = asked-for IP */
		0x00,
		0x15,
		0x5d,
		0x00,
		0x00,
		0x04, /* tha = requester */
		0x0a,
		0x01,
		0x00,
		0x04, /* tpa = requester IP */
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
		0xee,
	};
	uint8_t f[64], want[64];
	struct arp_proxy_pkt p;
	size_t n;

	(void)state;
	memcpy(f, request, sizeof(request));
	assert_int_equal(arp_proxy_parse(f, sizeof(f), &p), ARP_PROXY_OK);
	arp_proxy_reply_in_place(f, &p, &gw_mac);
	assert_memory_equal(f, expected, sizeof(expected));

	/* Tagged: the tag stays, everything else moves by 4. */
	n = tagged(f, request, sizeof(request));
	assert_int_equal(arp_proxy_parse(f, (uint32_t)n, &p), ARP_PROXY_OK);
	arp_proxy_reply_in_place(f, &p, &gw_mac);
	tagged(want, expected, sizeof(expected));
	assert_memory_equal(f, want, n);
}

static void
test_gratuitous_and_probe_detection(void **state)
{
	struct arp_proxy_pkt p;

	(void)state;
	assert_int_equal(arp_proxy_parse(request, sizeof(request), &p), ARP_PROXY_OK);
	assert_false(arp_proxy_is_gratuitous(&p));
	p.tpa = p.spa; /* gratuitous */
	assert_true(arp_proxy_is_gratuitous(&p));
	p.spa = 0; /* probe (RFC 5227) */
	p.tpa = IP4(10, 1, 0, 1);
	assert_true(arp_proxy_is_gratuitous(&p));
}

static void
test_build_request_is_byte_exact(void **state)
{
	static const uint8_t expected[60] = {
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0x02,
		0x00,
		0x5e,
		0x00,
		0x00,
		0x01,
		0x08,
		0x06,
		0x00,
		0x01,
		0x08,
		0x00,
		0x06,
		0x04,
		0x00,
		0x01,
		0x02,
		0x00,
		0x5e,
		0x00,
		0x00,
		0x01, /* sha */
		0xc0,
		0xa8,
		0x01,
		0x0a, /* spa 192.168.1.10 */
		0x00,
		0x00,
		0x00,
		0x00,
		0x00,
		0x00, /* tha unknown */
		0xc0,
		0xa8,
		0x01,
		0x01, /* tpa 192.168.1.1 */
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
	};
	static const uint8_t expected_tagged[64] = {
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0x02,
		0x00,
		0x5e,
		0x00,
		0x00,
		0x01,
		0x81,
		0x00,
		0x0f,
		0xfe, /* 802.1Q, VLAN 4094 */
		0x08,
		0x06,
		0x00,
		0x01,
		0x08,
		0x00,
		0x06,
		0x04,
		0x00,
		0x01,
		0x02,
		0x00,
		0x5e,
		0x00,
		0x00,
		0x01,
		0xc0,
		0xa8,
		0x01,
		0x0a,
		0x00,
		0x00,
		0x00,
		0x00,
		0x00,
		0x00,
		0xc0,
		0xa8,
		0x01,
		0x01,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
	};
	static const struct rte_ether_addr us = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	uint8_t buf[128];
	struct arp_proxy_pkt p;

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(arp_proxy_build_request(buf, sizeof(buf), &us, IP4(192, 168, 1, 10),
				 IP4(192, 168, 1, 1), 0),
		60);
	assert_memory_equal(buf, expected, sizeof(expected));
	assert_int_equal(buf[60], 0xaa); /* nothing written past the frame */
	assert_int_equal(arp_proxy_parse(buf, 60, &p), ARP_PROXY_OK);
	assert_int_equal(p.op, 1);
	assert_int_equal(p.tpa, IP4(192, 168, 1, 1));

	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(arp_proxy_build_request(
				 buf, 64, &us, IP4(192, 168, 1, 10), IP4(192, 168, 1, 1), 4094),
		64);
	assert_memory_equal(buf, expected_tagged, sizeof(expected_tagged));
	assert_int_equal(buf[64], 0xaa);
	assert_int_equal(arp_proxy_parse(buf, 64, &p), ARP_PROXY_OK);
	assert_int_equal(p.l2_len, 18);
}

static void
test_build_request_needs_room(void **state)
{
	static const struct rte_ether_addr us = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	uint8_t buf[64];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(arp_proxy_build_request(buf, 59, &us, 1, 2, 0), -ENOSPC);
	assert_int_equal(arp_proxy_build_request(buf, 63, &us, 1, 2, 5), -ENOSPC);
	assert_int_equal(arp_proxy_build_request(buf, 0, &us, 1, 2, 0), -ENOSPC);
	assert_int_equal(buf[0], 0xaa); /* untouched on failure */
	assert_int_equal(arp_proxy_build_request(buf, 60, &us, 1, 2, 0), 60);
}

static void
test_neigh_update_then_lookup(void **state)
{
	static const struct rte_ether_addr m1 = {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05}};
	static const struct rte_ether_addr m2 = {{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54}};
	struct arp_proxy_neigh n;
	struct rte_ether_addr got;

	(void)state;
	memset(&n, 0x5a, sizeof(n));
	arp_proxy_neigh_init(&n, IP4(192, 168, 1, 1));
	assert_int_equal(n.ip, IP4(192, 168, 1, 1));
	memset(&got, 0x77, sizeof(got));
	assert_false(arp_proxy_neigh_lookup(&n, &got));

	arp_proxy_neigh_update(&n, &m1);
	assert_true(arp_proxy_neigh_lookup(&n, &got));
	assert_memory_equal(&got, &m1, sizeof(got));
	/* The documented layout: valid bit 63, MAC big-endian in bits 47..0. */
	assert_true(n.word == 0x8000000102030405ull);

	arp_proxy_neigh_update(&n, &m2);
	assert_true(arp_proxy_neigh_lookup(&n, &got));
	assert_memory_equal(&got, &m2, sizeof(got));
	assert_true(n.word == 0x8000fedcba987654ull);

	arp_proxy_neigh_init(&n, IP4(192, 168, 1, 2));
	assert_false(arp_proxy_neigh_lookup(&n, &got));
}

static void
test_neigh_rate_limits_requests(void **state)
{
	struct arp_proxy_neigh n;

	(void)state;
	arp_proxy_neigh_init(&n, IP4(192, 168, 1, 1));
	/* Never sent: the first call asks, even at a small TSC. */
	assert_true(arp_proxy_neigh_should_request(&n, 500, 1000));
	assert_int_equal(n.last_request, 500);
	assert_false(arp_proxy_neigh_should_request(&n, 500, 1000));
	assert_false(arp_proxy_neigh_should_request(&n, 1499, 1000));
	assert_int_equal(n.last_request, 500);
	assert_true(arp_proxy_neigh_should_request(&n, 1500, 1000));
	assert_int_equal(n.last_request, 1500);
	/* A TSC behind the stamp (another lcore) does not ask again. */
	assert_false(arp_proxy_neigh_should_request(&n, 1400, 1000));
	assert_true(arp_proxy_neigh_should_request(&n, UINT64_MAX, 1000));
	assert_true(n.last_request == UINT64_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid_request),
		cmocka_unit_test(test_parse_tagged_request),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_parse_not_arp),
		cmocka_unit_test(test_reply_in_place_is_byte_exact),
		cmocka_unit_test(test_gratuitous_and_probe_detection),
		cmocka_unit_test(test_build_request_is_byte_exact),
		cmocka_unit_test(test_build_request_needs_room),
		cmocka_unit_test(test_neigh_update_then_lookup),
		cmocka_unit_test(test_neigh_rate_limits_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
