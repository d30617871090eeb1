/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_nd.c: unit tests for lib/arp_proxy/nd (IPv6 Neighbor Discovery).
 *
 * Owns: parsing of hand-built NS, NA, RS and RA frames and of non-ND frames;
 * every RFC 4861 validity rule nd_parse() enforces, each on an otherwise valid
 * frame with a correct checksum, every truncation and random corruption; the
 * built NA (unicast and DAD) and RA (SLL, MTU, prefix, RDNSS options) byte for
 * byte against hand-written frames, with the ICMPv6 checksum checked by an
 * independent implementation; the address helpers. Runs without EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "nd.h"

#define L4 54 /* Ethernet + IPv6: the ICMPv6 message */

static const struct rte_ether_addr vm_mac = {{0x00, 0x15, 0x5d, 0x00, 0x00, 0x04}};
static const struct rte_ether_addr gw_mac = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}};
/* fe80::215:5dff:fe00:4, the VM's link-local address */
static const uint8_t vm_ll[16] = {
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x00, 0x00, 0x04};
/* fe80::1034:56ff:fe78:9abc, the gateway's link-local address */
static const uint8_t gw_ll[16] = {
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x10, 0x34, 0x56, 0xff, 0xfe, 0x78, 0x9a, 0xbc};
/* 2001:db8:0:1::1, the gateway's global address: the NS target */
static const uint8_t gw_ip[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};
/* ff02::1:ff00:1, its solicited-node group */
static const uint8_t gw_snm[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x01};
static const uint8_t unspec[16];

/*
 * The ICMPv6 checksum, written from RFC 8200 8.1 without DPDK: one's
 * complement sum of source, destination, 32-bit length, 32-bit next header
 * 58 and the message. @return the sum folded to 16 bits (0xffff when a
 * message with its checksum in place is correct)
 */
static uint16_t
ref_sum(const uint8_t *f)
{
	const uint32_t mlen = ((uint32_t)f[18] << 8) | f[19];
	uint32_t sum = 0, i;

	for (i = 22; i < L4; i += 2)
		sum += ((uint32_t)f[i] << 8) | f[i + 1];
	sum += mlen + 58;
	for (i = 0; i < mlen; i++)
		sum += (i & 1) ? f[L4 + i] : (uint32_t)f[L4 + i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool
ref_cksum_ok(const uint8_t *f)
{
	return ref_sum(f) == 0xffff;
}

/* Recompute the checksum of the frame at @p f after editing it. */
static void
fix_cksum(uint8_t *f)
{
	uint16_t ck;

	f[L4 + 2] = 0;
	f[L4 + 3] = 0;
	ck = (uint16_t)~ref_sum(f);
	f[L4 + 2] = (uint8_t)(ck >> 8);
	f[L4 + 3] = (uint8_t)ck;
}

/*
 * Write Ethernet, IPv6 (hop limit 255, next header 58) and the ICMPv6
 * message @p msg of @p mlen bytes at @p f, with a correct checksum.
 * @return the frame length
 */
static uint32_t
make_frame(uint8_t *f, const struct rte_ether_addr *dmac, const struct rte_ether_addr *smac,
	const uint8_t *sip, const uint8_t *dip, const uint8_t *msg, uint32_t mlen)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[15] = f[16] = f[17] = 0;
	f[18] = (uint8_t)(mlen >> 8);
	f[19] = (uint8_t)mlen;
	f[20] = 58;
	f[21] = 255;
	memcpy(f + 22, sip, 16);
	memcpy(f + 38, dip, 16);
	memcpy(f + L4, msg, mlen);
	f[L4 + 2] = f[L4 + 3] = 0;
	fix_cksum(f);
	return L4 + mlen;
}

static void
mcast_mac(const uint8_t *ip, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], ip + 12, 4);
}

/*
 * An NS for @p target from (@p smac, @p sip) to @p dip (to its 33:33 MAC if
 * multicast, else to gw_mac), with an SLL option of @p smac if @p sll.
 */
static uint32_t
make_ns(uint8_t *f, const struct rte_ether_addr *smac, const uint8_t *sip, const uint8_t *dip,
	const uint8_t *target, bool sll)
{
	uint8_t msg[32] = {135, 0};
	struct rte_ether_addr dmac = gw_mac;

	memcpy(msg + 8, target, 16);
	if (sll) {
		msg[24] = 1;
		msg[25] = 1;
		memcpy(msg + 26, smac, 6);
	}
	if (dip[0] == 0xff)
		mcast_mac(dip, &dmac);
	return make_frame(f, &dmac, smac, sip, dip, msg, sll ? 32 : 24);
}

/* The usual NS: the VM resolving its gateway's global address. */
static uint32_t
std_ns(uint8_t *f)
{
	return make_ns(f, &vm_mac, vm_ll, gw_snm, gw_ip, true);
}

/* An RS from (@p smac, @p sip) to all-routers, with an SLL option if @p sll. */
static uint32_t
make_rs(uint8_t *f, const struct rte_ether_addr *smac, const uint8_t *sip, bool sll)
{
	uint8_t msg[16] = {133, 0};
	struct rte_ether_addr dmac;

	if (sll) {
		msg[8] = 1;
		msg[9] = 1;
		memcpy(msg + 10, smac, 6);
	}
	mcast_mac(nd_all_routers, &dmac);
	return make_frame(f, &dmac, smac, sip, nd_all_routers, msg, sll ? 16 : 8);
}

/* Parse a heap copy of exactly @p len bytes, so ASan catches any overread. */
static enum nd_parse_err
parse_exact(const uint8_t *f, uint32_t len, struct nd_pkt *p)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum nd_parse_err err;
	bool cand;

	assert_non_null(copy);
	memcpy(copy, f, len);
	err = nd_parse(copy, len, p);
	cand = nd_is_candidate(copy, len);
	free(copy);
	/* The documented agreement between the two. */
	if (cand)
		assert_true(err == ND_OK || err == ND_MALFORMED);
	else
		assert_true(err == ND_NOT_ND || err == ND_MALFORMED);
	return err;
}

static void
test_parse_ns(void **state)
{
	struct rte_ether_addr snm_mac = {{0x33, 0x33, 0xff, 0x00, 0x00, 0x01}};
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n = std_ns(f);

	(void)state;
	assert_int_equal(n, 86);
	assert_true(nd_is_candidate(f, n));
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_int_equal(p.kind, ND_NS);
	assert_memory_equal(&p.eth_src, &vm_mac, 6);
	assert_memory_equal(&p.eth_dst, &snm_mac, 6);
	assert_memory_equal(p.ip_src, vm_ll, 16);
	assert_memory_equal(p.ip_dst, gw_snm, 16);
	assert_memory_equal(p.target, gw_ip, 16);
	assert_true(p.has_sll);
	assert_memory_equal(&p.sll, &vm_mac, 6);
	assert_false(p.has_tll);
	assert_int_equal(p.na_flags, 0);
	assert_false(nd_is_dad(&p));

	/* Unicast NUD probe without SLL option. */
	n = make_ns(f, &vm_mac, vm_ll, gw_ip, gw_ip, false);
	assert_int_equal(n, 78);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_false(p.has_sll);
	assert_memory_equal(&p.eth_dst, &gw_mac, 6);
	assert_memory_equal(p.ip_dst, gw_ip, 16);

	/* Ethernet padding after the message is ignored. */
	n = make_ns(f, &vm_mac, vm_ll, gw_ip, gw_ip, false);
	memset(f + n, 0xee, 10);
	assert_int_equal(parse_exact(f, n + 10, &p), ND_OK);

	/* Unknown, nonce (14) and TLL options are skipped; the first SLL counts. */
	{
		uint8_t msg[24 + 8 + 16 + 8 + 8 + 8] = {135, 0};
		const struct rte_ether_addr other = {{0x02, 0, 0, 0, 0, 0x99}};
		uint32_t o = 24;

		memcpy(msg + 8, gw_ip, 16);
		msg[o] = 14; /* nonce, RFC 7527 */
		msg[o + 1] = 1;
		o += 8;
		msg[o] = 200; /* unknown, 2 units */
		msg[o + 1] = 2;
		o += 16;
		msg[o] = 2; /* TLL in an NS: ignored */
		msg[o + 1] = 1;
		memcpy(msg + o + 2, &other, 6);
		o += 8;
		msg[o] = 1;
		msg[o + 1] = 1;
		memcpy(msg + o + 2, &vm_mac, 6);
		o += 8;
		msg[o] = 1;
		msg[o + 1] = 1;
		memcpy(msg + o + 2, &other, 6);
		o += 8;
		n = make_frame(f, &snm_mac, &vm_mac, vm_ll, gw_snm, msg, o);
		assert_int_equal(parse_exact(f, n, &p), ND_OK);
		assert_true(p.has_sll);
		assert_memory_equal(&p.sll, &vm_mac, 6);
		assert_false(p.has_tll);
	}
}

static void
test_parse_dad(void **state)
{
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n;

	(void)state;
	n = make_ns(f, &vm_mac, unspec, gw_snm, gw_ip, false);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_true(nd_is_dad(&p));
	assert_memory_equal(p.ip_src, unspec, 16);
	/* RFC 4861 7.1.1: from ::, no SLL option and only to a solicited-node group. */
	n = make_ns(f, &vm_mac, unspec, gw_snm, gw_ip, true);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	n = make_ns(f, &vm_mac, unspec, gw_ip, gw_ip, false);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	n = make_ns(f, &vm_mac, unspec, nd_all_nodes, gw_ip, false);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
}

static void
test_parse_na(void **state)
{
	uint8_t msg[32] = {136, 0, 0, 0, 0xe0};
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n;

	(void)state;
	memcpy(msg + 8, gw_ip, 16);
	msg[24] = 2;
	msg[25] = 1;
	memcpy(msg + 26, &gw_mac, 6);
	msg[5] = 0xff; /* reserved bits: not reported */
	n = make_frame(f, &vm_mac, &gw_mac, gw_ip, vm_ll, msg, 32);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_int_equal(p.kind, ND_NA);
	assert_int_equal(
		p.na_flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
	assert_memory_equal(p.target, gw_ip, 16);
	assert_true(p.has_tll);
	assert_memory_equal(&p.tll, &gw_mac, 6);
	assert_false(p.has_sll);
	assert_false(nd_is_dad(&p));

	/* Unsolicited to all-nodes: fine with S clear, malformed with S set. */
	msg[4] = ND_NA_FLAG_OVERRIDE;
	n = make_frame(f, &vm_mac, &gw_mac, gw_ip, nd_all_nodes, msg, 32);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_int_equal(p.na_flags, ND_NA_FLAG_OVERRIDE);
	msg[4] = ND_NA_FLAG_SOLICITED;
	n = make_frame(f, &vm_mac, &gw_mac, gw_ip, nd_all_nodes, msg, 32);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Multicast target. */
	msg[4] = 0;
	memcpy(msg + 8, nd_all_nodes, 16);
	n = make_frame(f, &vm_mac, &gw_mac, gw_ip, vm_ll, msg, 32);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Shorter than 24 bytes. */
	memcpy(msg + 8, gw_ip, 16);
	n = make_frame(f, &vm_mac, &gw_mac, gw_ip, vm_ll, msg, 20);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
}

static void
test_parse_rs_ra(void **state)
{
	struct rte_ether_addr all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};
	uint8_t msg[24] = {134, 0, 0, 0, 64, 0x40, 0x07, 0x08};
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n;

	(void)state;
	n = make_rs(f, &vm_mac, vm_ll, true);
	assert_int_equal(n, 70);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_int_equal(p.kind, ND_RS);
	assert_true(p.has_sll);
	assert_memory_equal(&p.sll, &vm_mac, 6);
	assert_memory_equal(p.ip_dst, nd_all_routers, 16);
	assert_memory_equal(p.target, unspec, 16);
	n = make_rs(f, &vm_mac, unspec, false);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_false(nd_is_dad(&p));
	/* RS from :: must not carry an SLL option. */
	n = make_rs(f, &vm_mac, unspec, true);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* RS shorter than 8. */
	n = make_rs(f, &vm_mac, vm_ll, false);
	f[19] = 4;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);

	/* An RA from a link-local source parses, from a global one it does not. */
	msg[16] = 1;
	msg[17] = 1;
	memcpy(msg + 18, &gw_mac, 6);
	n = make_frame(f, &all_nodes_mac, &gw_mac, gw_ll, nd_all_nodes, msg, 24);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	assert_int_equal(p.kind, ND_RA);
	assert_true(p.has_sll);
	assert_memory_equal(&p.sll, &gw_mac, 6);
	n = make_frame(f, &all_nodes_mac, &gw_mac, gw_ip, nd_all_nodes, msg, 24);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* RA shorter than 16. */
	n = make_frame(f, &all_nodes_mac, &gw_mac, gw_ll, nd_all_nodes, msg, 12);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
}

static void
test_parse_not_nd(void **state)
{
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n = std_ns(f);
	unsigned int type;

	(void)state;
	f[13] = 0x00; /* IPv4 */
	assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	assert_false(nd_is_candidate(f, n));
	/* 802.1Q-tagged: not handled, not ND. */
	f[12] = 0x81;
	f[13] = 0x00;
	assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	/* IPv6 ethertype, version 4. */
	n = std_ns(f);
	f[14] = 0x45;
	assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	/* Next header UDP, and hop-by-hop options in front of ICMPv6. */
	n = std_ns(f);
	f[20] = 17;
	assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	f[20] = 0;
	assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	/* Other ICMPv6 types (echo request 128, MLD 143, redirect 137, 132). */
	for (type = 0; type < 256; type++) {
		n = std_ns(f);
		f[L4] = (uint8_t)type;
		fix_cksum(f);
		if (type >= 133 && type <= 136) {
			assert_true(nd_is_candidate(f, n));
			continue;
		}
		assert_false(nd_is_candidate(f, n));
		assert_int_equal(parse_exact(f, n, &p), ND_NOT_ND);
	}
}

static void
test_parse_truncated(void **state)
{
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n, len;

	(void)state;
	memset(f, 0, sizeof(f));
	n = std_ns(f);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
	/* Every cut, with the IPv6 payload length left claiming the whole message. */
	for (len = 0; len < n; len++)
		assert_int_equal(parse_exact(f, len, &p), ND_MALFORMED);
	/* Every cut, with the payload length agreeing and the checksum right. */
	for (len = L4; len < n; len++) {
		f[18] = (uint8_t)((len - L4) >> 8);
		f[19] = (uint8_t)(len - L4);
		fix_cksum(f);
		/* 24 bytes is a whole NS without options; anything else cuts something. */
		assert_int_equal(parse_exact(f, len, &p), len - L4 == 24 ? ND_OK : ND_MALFORMED);
	}
	/* Payload length beyond the frame. */
	n = std_ns(f);
	f[19] = 33;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	f[18] = 0xff;
	f[19] = 0xff;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
}

static void
test_parse_rejects_invalid(void **state)
{
	uint8_t f[128];
	struct nd_pkt p;
	uint32_t n;

	(void)state;
	/* Hop limit 254 (not in the checksum). */
	n = std_ns(f);
	f[21] = 254;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	f[21] = 1;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Bad checksum, in either byte, and zero. */
	n = std_ns(f);
	f[L4 + 2] ^= 0x01;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	n = std_ns(f);
	f[L4 + 3] ^= 0x80;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	n = std_ns(f);
	f[L4 + 2] = f[L4 + 3] = 0;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* A payload bit flipped, the checksum left alone. */
	n = std_ns(f);
	f[L4 + 20] ^= 0x10;
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Code 1. */
	n = std_ns(f);
	f[L4 + 1] = 1;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Zero-length option. */
	n = std_ns(f);
	f[L4 + 25] = 0;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Option overrunning the message (2 units in 1 left). */
	n = std_ns(f);
	f[L4 + 25] = 2;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Same, though the frame holds the bytes: the payload length rules. */
	n = std_ns(f);
	f[L4 + 25] = 2;
	memset(f + n, 0, 8);
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n + 8, &p), ND_MALFORMED);
	/* A stray byte after the last option (too short for an option header). */
	n = std_ns(f);
	f[n] = 0;
	f[19] += 1;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n + 1, &p), ND_MALFORMED);
	/* An SLL option of 2 units: not an Ethernet address. */
	n = std_ns(f);
	f[L4 + 25] = 2;
	memset(f + n, 0, 8);
	f[19] += 8;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, n + 8, &p), ND_MALFORMED);
	/* NS with a multicast target. */
	n = make_ns(f, &vm_mac, vm_ll, gw_snm, gw_snm, true);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* Multicast IPv6 source. */
	n = make_ns(f, &vm_mac, nd_all_nodes, gw_snm, gw_ip, true);
	assert_int_equal(parse_exact(f, n, &p), ND_MALFORMED);
	/* NS shorter than 24 bytes. */
	n = std_ns(f);
	f[19] = 20;
	fix_cksum(f);
	assert_int_equal(parse_exact(f, 74, &p), ND_MALFORMED);
	/* The frame it all started from is fine. */
	n = std_ns(f);
	assert_int_equal(parse_exact(f, n, &p), ND_OK);
}

/* Random corruption: never crash, never read past the end (under ASan). */
static void
test_parse_random_corruption(void **state)
{
	uint32_t seed = 12345;
	uint8_t base[128], f[128];
	struct nd_pkt p;
	unsigned int i, k, ok = 0;
	uint32_t n = std_ns(base), len;

	(void)state;
	for (i = 0; i < 20000; i++) {
		memcpy(f, base, n);
		seed = seed * 1103515245u + 12345u;
		for (k = 0; k <= (seed >> 28) % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			f[(seed >> 8) % n] = (uint8_t)(seed >> 20);
		}
		/* Reach past the checksum half the time (if the length allows). */
		if ((i & 1) && (((uint32_t)f[18] << 8) | f[19]) <= n - L4)
			fix_cksum(f);
		seed = seed * 1103515245u + 12345u;
		len = (i & 2) ? n : (seed >> 8) % (n + 1);
		if (parse_exact(f, len, &p) == ND_OK) {
			ok++;
			assert_int_equal(f[21], 255);
			assert_true(ref_cksum_ok(f));
			assert_true(p.kind >= ND_RS && p.kind <= ND_NA);
		}
	}
	assert_true(ok > 0); /* some mutations are harmless (e.g. the MACs) */
}

/* The NA gw_mac sends in answer to std_ns(): unicast, S and O. */
static const uint8_t expected_na[86] = {
	/* Ethernet: to the VM, from gw_mac, IPv6 */
	0x00, 0x15, 0x5d, 0x00, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x86, 0xdd,
	/* IPv6: version 6, payload 32, ICMPv6, hop limit 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	/* source 2001:db8:0:1::1 (the target) */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01,
	/* destination fe80::215:5dff:fe00:4 (the NS source) */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x00, 0x00,
	0x04,
	/* NA, code 0, checksum, flags S|O, reserved */
	0x88, 0x00, 0x5a, 0x2a, 0x60, 0x00, 0x00, 0x00,
	/* target */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01,
	/* TLL option */
	0x02, 0x01, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};

static void
test_build_na_is_byte_exact(void **state)
{
	uint8_t f[128], buf[128];
	struct nd_pkt ns, na;

	(void)state;
	assert_int_equal(parse_exact(f, std_ns(f), &ns), ND_OK);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(nd_build_na(buf, sizeof(buf), &ns, &gw_mac, false), 86);
	assert_true(ref_cksum_ok(buf));
	assert_memory_equal(buf, expected_na, sizeof(expected_na));
	assert_int_equal(buf[86], 0xaa);

	assert_int_equal(parse_exact(buf, 86, &na), ND_OK);
	assert_int_equal(na.kind, ND_NA);
	assert_int_equal(na.na_flags, ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
	assert_true(na.has_tll);
	assert_memory_equal(&na.tll, &gw_mac, 6);
	assert_memory_equal(na.target, gw_ip, 16);

	/* As a router: R as well; only the flags and the checksum change. */
	assert_int_equal(nd_build_na(buf, 86, &ns, &gw_mac, true), 86);
	assert_true(ref_cksum_ok(buf));
	assert_int_equal(buf[L4 + 4], 0xe0);
	assert_memory_equal(buf, expected_na, L4 + 2);
	assert_memory_equal(buf + L4 + 5, expected_na + L4 + 5, 86 - L4 - 5);
	assert_int_equal(parse_exact(buf, 86, &na), ND_OK);
	assert_int_equal(na.na_flags, 0xe0);
}

/* An NS for resolving an address: to its solicited-node group, with our
 * link-layer address, and it parses back as what it says. */
static void
test_build_ns(void **state)
{
	static const uint8_t src[16] = {0xfd, 0, [15] = 1};
	static const uint8_t target[16] = {0xfd, 0, [13] = 0xab, [14] = 0xcd, [15] = 0xef};
	static const uint8_t group[16] = {
		0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0xab, [14] = 0xcd, [15] = 0xef};
	static const uint8_t group_mac[6] = {0x33, 0x33, 0xff, 0xab, 0xcd, 0xef};
	uint8_t buf[128];
	struct nd_pkt ns;

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(nd_build_ns(buf, sizeof(buf), &gw_mac, src, target), ND_NS_FRAME_LEN);
	assert_int_equal(buf[ND_NS_FRAME_LEN], 0xaa);
	assert_true(ref_cksum_ok(buf));
	assert_int_equal(parse_exact(buf, ND_NS_FRAME_LEN, &ns), ND_OK);
	assert_int_equal(ns.kind, ND_NS);
	assert_memory_equal(&ns.eth_dst, group_mac, 6);
	assert_memory_equal(&ns.eth_src, &gw_mac, 6);
	assert_memory_equal(ns.ip_src, src, 16);
	assert_memory_equal(ns.ip_dst, group, 16);
	assert_memory_equal(ns.target, target, 16);
	assert_true(ns.has_sll);
	assert_memory_equal(&ns.sll, &gw_mac, 6);
	assert_false(nd_is_dad(&ns));

	assert_int_equal(nd_build_ns(buf, ND_NS_FRAME_LEN - 1, &gw_mac, src, target), -ENOSPC);
	assert_int_equal(nd_build_ns(buf, sizeof(buf), &gw_mac, src, group), -EINVAL);
	assert_int_equal(nd_build_ns(buf, sizeof(buf), &gw_mac, (uint8_t[16]){0}, target), -EINVAL);
}

static void
test_build_na_dad(void **state)
{
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
	uint8_t f[128], buf[128];
	struct nd_pkt ns, na;

	(void)state;
	assert_int_equal(
		parse_exact(f, make_ns(f, &vm_mac, unspec, gw_snm, gw_ip, false), &ns), ND_OK);
	assert_true(nd_is_dad(&ns));
	assert_int_equal(nd_build_na(buf, sizeof(buf), &ns, &gw_mac, false), 86);
	assert_true(ref_cksum_ok(buf));
	assert_memory_equal(buf, all_nodes_mac, 6);
	assert_memory_equal(buf + 6, &gw_mac, 6);
	assert_int_equal(buf[21], 255);
	assert_memory_equal(buf + 22, gw_ip, 16);
	assert_memory_equal(buf + 38, nd_all_nodes, 16);
	assert_int_equal(buf[L4], 136);
	assert_int_equal(buf[L4 + 4], ND_NA_FLAG_OVERRIDE); /* no S for DAD */
	assert_memory_equal(buf + L4 + 8, gw_ip, 16);
	assert_memory_equal(buf + L4 + 24, expected_na + L4 + 24, 8);
	/* The receiver's view: valid, unsolicited, to all-nodes. */
	assert_int_equal(parse_exact(buf, 86, &na), ND_OK);
	assert_int_equal(na.na_flags, ND_NA_FLAG_OVERRIDE);
	assert_memory_equal(na.ip_dst, nd_all_nodes, 16);
	assert_int_equal(nd_build_na(buf, sizeof(buf), &ns, &gw_mac, true), 86);
	assert_int_equal(buf[L4 + 4], ND_NA_FLAG_ROUTER | ND_NA_FLAG_OVERRIDE);
	assert_true(ref_cksum_ok(buf));
}

static void
test_build_na_errors(void **state)
{
	uint8_t f[128], buf[128];
	struct nd_pkt ns, rs;

	(void)state;
	assert_int_equal(parse_exact(f, std_ns(f), &ns), ND_OK);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(nd_build_na(buf, 85, &ns, &gw_mac, false), -ENOSPC);
	assert_int_equal(nd_build_na(buf, 0, &ns, &gw_mac, false), -ENOSPC);
	assert_int_equal(parse_exact(f, make_rs(f, &vm_mac, vm_ll, true), &rs), ND_OK);
	assert_int_equal(nd_build_na(buf, sizeof(buf), &rs, &gw_mac, false), -EINVAL);
	ns.target[0] = 0xff;
	assert_int_equal(nd_build_na(buf, sizeof(buf), &ns, &gw_mac, false), -EINVAL);
	memset(ns.target, 0, 16);
	assert_int_equal(nd_build_na(buf, sizeof(buf), &ns, &gw_mac, false), -EINVAL);
	assert_int_equal(buf[0], 0xaa); /* untouched on failure */
}

/* 2001:db8:0:1::/64 */
static const uint8_t prefix1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01};
/* 2001:db8::53 */
static const uint8_t dns1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x53};

static void
std_ra(struct nd_ra_params *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->router_mac = gw_mac;
	memcpy(ra->router_ll, gw_ll, 16);
	ra->cur_hop_limit = 64;
	ra->router_lifetime_s = 1800;
	ra->other = true;
	ra->mtu = 1500;
	ra->n_prefixes = 1;
	memcpy(ra->prefixes[0].prefix, prefix1, 16);
	ra->prefixes[0].len = 64;
	ra->prefixes[0].on_link = true;
	ra->prefixes[0].autonomous = true;
	ra->prefixes[0].valid_s = 2592000;
	ra->prefixes[0].preferred_s = 604800;
	ra->n_dns = 1;
	memcpy(ra->dns[0], dns1, 16);
	ra->dns_lifetime_s = 1200;
}

/* std_ra() sent to the VM in answer to its RS. */
static const uint8_t expected_ra[142] = {
	/* Ethernet: to the VM, from gw_mac, IPv6 */
	0x00, 0x15, 0x5d, 0x00, 0x00, 0x04, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x86, 0xdd,
	/* IPv6: version 6, payload 88, ICMPv6, hop limit 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x58, 0x3a, 0xff,
	/* source fe80::1034:56ff:fe78:9abc */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x34, 0x56, 0xff, 0xfe, 0x78, 0x9a,
	0xbc,
	/* destination fe80::215:5dff:fe00:4 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x15, 0x5d, 0xff, 0xfe, 0x00, 0x00,
	0x04,
	/* RA, code 0, checksum, hop limit 64, flags O, lifetime 1800 */
	0x86, 0x00, 0x42, 0x6b, 0x40, 0x40, 0x07, 0x08,
	/* reachable 0, retrans 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* SLL option */
	0x01, 0x01, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
	/* MTU option: 1500 */
	0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc,
	/* prefix information: /64, L|A, valid 2592000, preferred 604800, reserved */
	0x03, 0x04, 0x40, 0xc0, 0x00, 0x27, 0x8d, 0x00, 0x00, 0x09, 0x3a, 0x80, 0x00, 0x00, 0x00,
	0x00,
	/* 2001:db8:0:1:: */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00,
	/* RDNSS: 3 units, reserved, lifetime 1200, 2001:db8::53 */
	0x19, 0x03, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53};

static void
test_rs_to_ra_is_byte_exact(void **state)
{
	uint8_t f[128], buf[ND_RA_FRAME_MAX + 8];
	struct nd_ra_params ra;
	struct rte_ether_addr dmac;
	uint8_t dip[16];
	struct nd_pkt rs, got;
	int n;

	(void)state;
	assert_int_equal(parse_exact(f, make_rs(f, &vm_mac, vm_ll, true), &rs), ND_OK);
	assert_int_equal(nd_ra_dst_for_rs(&rs, &dmac, dip), 0);
	assert_memory_equal(&dmac, &vm_mac, 6);
	assert_memory_equal(dip, vm_ll, 16);

	std_ra(&ra);
	memset(buf, 0xaa, sizeof(buf));
	n = nd_build_ra(buf, sizeof(buf), &ra, &dmac, dip);
	assert_int_equal(n, 142);
	assert_true(ref_cksum_ok(buf));
	assert_memory_equal(buf, expected_ra, sizeof(expected_ra));
	assert_int_equal(buf[142], 0xaa);
	assert_int_equal(parse_exact(buf, 142, &got), ND_OK);
	assert_int_equal(got.kind, ND_RA);
	assert_true(got.has_sll);
	assert_memory_equal(&got.sll, &gw_mac, 6);
	/* Exactly enough room, then one byte short. */
	assert_int_equal(nd_build_ra(buf, 142, &ra, &dmac, dip), 142);
	assert_int_equal(nd_build_ra(buf, 141, &ra, &dmac, dip), -ENOSPC);

	/* M set, no MTU, no RDNSS, not a default router: 14 + 40 + 16 + 8 + 32. */
	ra.managed = true;
	ra.mtu = 0;
	ra.n_dns = 0;
	ra.router_lifetime_s = 0;
	n = nd_build_ra(buf, sizeof(buf), &ra, &dmac, dip);
	assert_int_equal(n, 110);
	assert_true(ref_cksum_ok(buf));
	assert_int_equal(buf[19], 56);
	assert_int_equal(buf[L4 + 5], 0xc0);
	assert_int_equal(buf[L4 + 6], 0);
	assert_int_equal(buf[L4 + 7], 0);
	assert_memory_equal(buf + L4 + 16, expected_ra + L4 + 16, 8);  /* SLL */
	assert_memory_equal(buf + L4 + 24, expected_ra + L4 + 32, 32); /* prefix */
	assert_int_equal(parse_exact(buf, (uint32_t)n, &got), ND_OK);
}

static void
test_ra_from_unspecified_rs(void **state)
{
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
	uint8_t f[128], buf[ND_RA_FRAME_MAX];
	struct nd_ra_params ra;
	struct rte_ether_addr dmac;
	uint8_t dip[16];
	struct nd_pkt rs, ns;

	(void)state;
	assert_int_equal(parse_exact(f, make_rs(f, &vm_mac, unspec, false), &rs), ND_OK);
	assert_int_equal(nd_ra_dst_for_rs(&rs, &dmac, dip), 0);
	assert_memory_equal(&dmac, all_nodes_mac, 6);
	assert_memory_equal(dip, nd_all_nodes, 16);
	std_ra(&ra);
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, dip), 142);
	assert_true(ref_cksum_ok(buf));
	assert_memory_equal(buf, all_nodes_mac, 6);
	assert_memory_equal(buf + 38, nd_all_nodes, 16);
	/* Only the destinations and the checksum differ. */
	assert_memory_equal(buf + 6, expected_ra + 6, 32);
	assert_memory_equal(buf + L4, expected_ra + L4, 2);
	assert_memory_equal(buf + L4 + 4, expected_ra + L4 + 4, 142 - L4 - 4);
	/* Not an RS. */
	assert_int_equal(parse_exact(f, std_ns(f), &ns), ND_OK);
	assert_int_equal(nd_ra_dst_for_rs(&ns, &dmac, dip), -EINVAL);
}

static void
test_build_ra_full_and_errors(void **state)
{
	uint8_t buf[ND_RA_FRAME_MAX + 8];
	struct nd_ra_params ra;
	struct rte_ether_addr dmac;
	struct nd_pkt got;
	unsigned int i;
	int n;

	(void)state;
	nd_multicast_mac(nd_all_nodes, &dmac);
	/* Every option at its maximum fills ND_RA_FRAME_MAX exactly. */
	std_ra(&ra);
	ra.n_prefixes = ND_RA_MAX_PREFIXES;
	for (i = 0; i < ND_RA_MAX_PREFIXES; i++) {
		ra.prefixes[i] = ra.prefixes[0];
		ra.prefixes[i].prefix[7] = (uint8_t)(i + 1);
	}
	/* 2001:db8:0:1f:ffff::/60 goes out as 2001:db8:0:10::/60; no flags, infinite. */
	memset(ra.prefixes[3].prefix + 8, 0xff, 2);
	ra.prefixes[3].prefix[7] = 0x1f;
	ra.prefixes[3].len = 60;
	ra.prefixes[3].on_link = false;
	ra.prefixes[3].autonomous = false;
	ra.prefixes[3].valid_s = UINT32_MAX;
	ra.prefixes[3].preferred_s = UINT32_MAX;
	ra.n_dns = ND_RA_MAX_DNS;
	memcpy(ra.dns[1], gw_ip, 16);
	memset(buf, 0xaa, sizeof(buf));
	n = nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes);
	assert_int_equal(n, ND_RA_FRAME_MAX);
	assert_int_equal(buf[ND_RA_FRAME_MAX], 0xaa);
	assert_true(ref_cksum_ok(buf));
	assert_int_equal(parse_exact(buf, (uint32_t)n, &got), ND_OK);
	{
		const uint8_t *pi = buf + L4 + 32 + 3 * 32;
		static const uint8_t want[32] = {0x03, 0x04, 60, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x10};
		const uint8_t *rdnss = pi + 32;

		assert_memory_equal(pi, want, 32);
		assert_int_equal(buf[L4 + 32 + 32 + 23], 2); /* second prefix 2001:db8:0:2:: */
		assert_int_equal(rdnss[0], 25);
		assert_int_equal(rdnss[1], 5);
		assert_memory_equal(rdnss + 8, dns1, 16);
		assert_memory_equal(rdnss + 24, gw_ip, 16);
	}

	/* Invalid parameters, buffer untouched. */
	memset(buf, 0xaa, sizeof(buf));
	std_ra(&ra);
	memcpy(ra.router_ll, gw_ip, 16);
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	ra.n_prefixes = ND_RA_MAX_PREFIXES + 1;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	ra.n_dns = ND_RA_MAX_DNS + 1;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	ra.prefixes[0].len = 129;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	ra.prefixes[0].preferred_s = ra.prefixes[0].valid_s + 1;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	ra.mtu = 1279;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), -EINVAL);
	std_ra(&ra);
	assert_int_equal(nd_build_ra(buf, 0, &ra, &dmac, nd_all_nodes), -ENOSPC);
	assert_int_equal(buf[0], 0xaa);
	/* A /0 prefix and a /128 one are fine. */
	ra.prefixes[0].len = 0;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), 142);
	assert_memory_equal(buf + L4 + 48, unspec, 16);
	ra.prefixes[0].len = 128;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &ra, &dmac, nd_all_nodes), 142);
	assert_memory_equal(buf + L4 + 48, prefix1, 16);
}

static void
test_address_helpers(void **state)
{
	static const struct rte_ether_addr qemu = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
	static const uint8_t qemu_ll[16] = {
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56};
	/* 2001:db8::1:2:3456:789a -> ff02::1:ff56:789a, 33:33:ff:56:78:9a */
	static const uint8_t ip[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 2, 0x34, 0x56, 0x78, 0x9a};
	static const uint8_t snm[16] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x56, 0x78, 0x9a};
	static const uint8_t snm_mac[6] = {0x33, 0x33, 0xff, 0x56, 0x78, 0x9a};
	uint8_t out[16], fe[16] = {0xfe, 0x80};
	struct rte_ether_addr mac;
	char s[ND_ADDR_STRLEN];

	(void)state;
	memset(out, 0x77, sizeof(out));
	nd_link_local_from_mac(&qemu, out);
	assert_memory_equal(out, qemu_ll, 16);
	assert_int_equal(nd_format(s, sizeof(s), out), 23);
	assert_string_equal(s, "fe80::5054:ff:fe12:3456");
	nd_link_local_from_mac(&vm_mac, out);
	assert_memory_equal(out, vm_ll, 16);
	nd_link_local_from_mac(&gw_mac, out); /* U/L bit set: cleared */
	assert_memory_equal(out, gw_ll, 16);

	memset(out, 0x77, sizeof(out));
	nd_solicited_node(ip, out);
	assert_memory_equal(out, snm, 16);
	memcpy(out, ip, 16);
	nd_solicited_node(out, out); /* in place */
	assert_memory_equal(out, snm, 16);
	assert_int_equal(nd_format(s, sizeof(s), out), 17);
	assert_string_equal(s, "ff02::1:ff56:789a");
	nd_multicast_mac(snm, &mac);
	assert_memory_equal(&mac, snm_mac, 6);
	nd_solicited_node(gw_ip, out);
	assert_memory_equal(out, gw_snm, 16);

	assert_true(nd_is_link_local(vm_ll));
	assert_true(nd_is_link_local(fe));
	fe[1] = 0xbf; /* febf:: is still fe80::/10 */
	assert_true(nd_is_link_local(fe));
	fe[1] = 0xc0; /* fec0:: is not */
	assert_false(nd_is_link_local(fe));
	assert_false(nd_is_link_local(gw_ip));
	assert_false(nd_is_link_local(unspec));
	assert_true(nd_is_multicast(nd_all_nodes));
	assert_false(nd_is_multicast(gw_ip));
	assert_true(nd_is_unspecified(unspec));
	assert_false(nd_is_unspecified(gw_ip));

	assert_int_equal(nd_format(s, sizeof(s), unspec), 2);
	assert_string_equal(s, "::");
	assert_int_equal(nd_format(s, sizeof(s), gw_ip), 15);
	assert_string_equal(s, "2001:db8:0:1::1");
	assert_int_equal(nd_format(s, sizeof(s), nd_all_routers), 7);
	assert_string_equal(s, "ff02::2");
	assert_int_equal(nd_format(s, 15, gw_ip), -ENOSPC);
	assert_int_equal(nd_format(s, 16, gw_ip), 15);
	assert_int_equal(nd_format(s, 0, gw_ip), -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ns),
		cmocka_unit_test(test_parse_dad),
		cmocka_unit_test(test_parse_na),
		cmocka_unit_test(test_parse_rs_ra),
		cmocka_unit_test(test_parse_not_nd),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_rejects_invalid),
		cmocka_unit_test(test_parse_random_corruption),
		cmocka_unit_test(test_build_na_is_byte_exact),
		cmocka_unit_test(test_build_na_dad),
		cmocka_unit_test(test_build_ns),
		cmocka_unit_test(test_build_na_errors),
		cmocka_unit_test(test_rs_to_ra_is_byte_exact),
		cmocka_unit_test(test_ra_from_unspecified_rs),
		cmocka_unit_test(test_build_ra_full_and_errors),
		cmocka_unit_test(test_address_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
