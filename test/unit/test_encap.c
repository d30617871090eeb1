/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_encap.c: unit tests for lib/encap.
 *
 * Owns: byte-exact outer headers (VXLAN, VLAN-tagged VXLAN, NVGRE) against
 * hand-written arrays, the incremental IPv4 checksum against a full one, the
 * entropy hash (stability, spread, range, known answers computed outside this
 * code) and encap_parse on good, bad and truncated packets. Runs without EAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <rte_ip.h>

#include "encap.h"
#include "hnv_pa.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const struct encap_outer outer_a = {
	.src_mac = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}},
	.dst_mac = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}},
	.vlan_id = 0,
	.src_ip = IP4(192, 168, 1, 10),
	.dst_ip = IP4(192, 168, 2, 20),
	.ttl = 0,
	.tos = 0,
};

/* The same tunnel between IPv6 PAs 2001:db8:1::10 and 2001:db8:2::20. */
static const struct encap_outer outer_6 = {
	.src_mac = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}},
	.dst_mac = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}},
	.ipv6 = true,
	.src6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10},
	.dst6 = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x20},
	.flow_label = 0xabcde,
};

/* A 64-byte inner frame: Ethernet, IPv4, UDP 10.1.0.4:1000 -> 10.1.0.5:2000. */
static size_t
make_inner(uint8_t *p, size_t len)
{
	static const uint8_t hdr[] = {
		0x00,
		0x15,
		0x5d,
		0x00,
		0x00,
		0x05,
		0x00,
		0x15,
		0x5d,
		0x00,
		0x00,
		0x04,
		0x08,
		0x00,
		0x45,
		0x00,
		0x00,
		0x32,
		0x00,
		0x00,
		0x40,
		0x00,
		0x40,
		0x11,
		0x00,
		0x00,
		10,
		1,
		0,
		4,
		10,
		1,
		0,
		5,
		0x03,
		0xe8,
		0x07,
		0xd0,
		0x00,
		0x1e,
		0x00,
		0x00,
	};
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = i < sizeof(hdr) ? hdr[i] : (uint8_t)i;
	return len;
}

/* Template + stamp + inner frame into @p buf; returns the frame length. */
static size_t
make_packet(uint8_t *buf, enum encap_type type, const struct encap_outer *o, uint32_t vsid,
	uint16_t entropy, uint16_t inner_len)
{
	struct encap_template t;

	assert_int_equal(encap_template_build(&t, type, o, vsid, entropy), 0);
	encap_template_stamp(&t, buf, inner_len);
	make_inner(buf + t.len, inner_len);
	encap_template_udp6_cksum(&t, buf, rte_raw_cksum(buf + t.len, inner_len));
	return t.len + (size_t)inner_len;
}

static void
test_vxlan_header_is_byte_exact(void **state)
{
	/*
	 * IPv4 checksum by hand, 16-bit words with total length 100 = 0x0064:
	 * 4500+0064+0000+4000+4011+0000+c0a8+010a+c0a8+0214 = 0x249e3,
	 * folded 0x49e3+0x2 = 0x49e5, complement = 0xb61a.
	 */
	static const uint8_t expected[50] = {
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, /* dst MAC: next hop */
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, /* src MAC: ours */
		0x08, 0x00,                         /* IPv4 */
		0x45, 0x00, 0x00, 0x64,             /* v4 IHL 5, TOS 0, total 100 */
		0x00, 0x00, 0x40, 0x00,             /* ID 0, DF */
		0x40, 0x11, 0xb6, 0x1a,             /* TTL 64 (default), UDP, checksum */
		0xc0, 0xa8, 0x01, 0x0a,             /* 192.168.1.10 */
		0xc0, 0xa8, 0x02, 0x14,             /* 192.168.2.20 */
		0xc3, 0x50, 0x12, 0xb5,             /* sport 50000, dport 4789 */
		0x00, 0x50, 0x00, 0x00,             /* UDP length 80, checksum 0 */
		0x08, 0x00, 0x00, 0x00,             /* I flag, reserved */
		0x00, 0x13, 0x88, 0x00,             /* VNI 5000, reserved */
	};
	struct encap_template t;
	uint8_t out[ENCAP_MAX_HDR_LEN];

	(void)state;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &outer_a, 5000, 50000), 0);
	assert_int_equal(t.len, ENCAP_VXLAN_HDR_LEN);
	assert_int_equal(t.l3_off, 14);
	assert_int_equal(t.l4_off, 34);
	assert_int_equal(t.type, ENCAP_TYPE_VXLAN);
	encap_template_stamp(&t, out, 64);
	assert_memory_equal(out, expected, sizeof(expected));
}

static void
test_vxlan_vlan_header_is_byte_exact(void **state)
{
	/*
	 * Total length 1536 = 0x0600, TTL 32:
	 * 4500+0600+0000+4000+2011+0000+c0a8+010a+c0a8+0214 = 0x22f7f,
	 * folded 0x2f7f+0x2 = 0x2f81, complement = 0xd07e.
	 */
	static const uint8_t expected[54] = {
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x81, 0x00,
		0x00, 0x64,                                     /* 802.1Q, PCP 0, VLAN 100 */
		0x08, 0x00, 0x45, 0x00, 0x06, 0x00,             /* total 20+8+8+1500 */
		0x00, 0x00, 0x40, 0x00, 0x20, 0x11, 0xd0, 0x7e, /* TTL 32 */
		0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x02, 0x14, 0xff, 0xff, 0x12,
		0xb5,                                           /* sport 65535 */
		0x05, 0xec, 0x00, 0x00,                         /* UDP length 1516 */
		0x08, 0x00, 0x00, 0x00, 0xab, 0xcd, 0xef, 0x00, /* VNI 0xabcdef */
	};
	struct encap_outer o = outer_a;
	struct encap_template t;
	uint8_t out[ENCAP_MAX_HDR_LEN];

	(void)state;
	o.vlan_id = 100;
	o.ttl = 32;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 0xabcdef, 65535), 0);
	assert_int_equal(t.len, ENCAP_VXLAN_HDR_LEN + 4);
	assert_int_equal(t.l3_off, 18);
	assert_int_equal(t.l4_off, 38);
	encap_template_stamp(&t, out, 1500);
	assert_memory_equal(out, expected, sizeof(expected));
}

static void
test_nvgre_header_is_byte_exact(void **state)
{
	/*
	 * Total length 20+8+100 = 128 = 0x0080, TOS 0x10, TTL 128, GRE:
	 * 4510+0080+0000+4000+802f+0000+0a00+0001+0a00+0002 = 0x119c2,
	 * folded 0x19c2+0x1 = 0x19c3, complement = 0xe63c.
	 */
	static const uint8_t expected[42] = {
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x08, 0x00,
		0x45, 0x10, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00, 0x80, 0x2f, 0xe6, 0x3c, 0x0a, 0x00,
		0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x20, 0x00, 0x65,
		0x58,                   /* K only, version 0, TEB */
		0x12, 0x34, 0x56, 0x7f, /* VSID 0x123456, FlowID 0x7f */
	};
	struct encap_outer o = outer_a;
	struct encap_template t;
	uint8_t out[ENCAP_MAX_HDR_LEN];

	(void)state;
	o.src_ip = IP4(10, 0, 0, 1);
	o.dst_ip = IP4(10, 0, 0, 2);
	o.ttl = 128;
	o.tos = 0x10;
	/* Only the low byte of the entropy is the FlowID. */
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_NVGRE, &o, 0x123456, 0x127f), 0);
	assert_int_equal(t.len, ENCAP_NVGRE_HDR_LEN);
	assert_int_equal(t.type, ENCAP_TYPE_NVGRE);
	encap_template_stamp(&t, out, 100);
	assert_memory_equal(out, expected, sizeof(expected));
}

static void
test_template_build_rejects_bad_arguments(void **state)
{
	struct encap_outer o = outer_a;
	struct encap_template t;

	(void)state;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 0, 1), -EINVAL);
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 4095, 1), -EINVAL);
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_NVGRE, &o, 0xffffff, 1), -EINVAL);
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_NVGRE, &o, 1u << 24, 1), -EINVAL);
	assert_int_equal(encap_template_build(&t, (enum encap_type)2, &o, 5000, 1), -EINVAL);
	o.vlan_id = 4095;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 5000, 1), -EINVAL);
	o.vlan_id = 4094;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 4096, 1), 0);
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, ENCAP_VSID_MAX, 1), 0);
}

/* The incremental checksum must equal a full recomputation for every length. */
static void
test_stamp_checksum_matches_full_for_all_lengths(void **state)
{
	/* Addresses near 0xffff per word push the length sum into carries. */
	static const struct {
		uint32_t src, dst;
		uint8_t ttl, tos;
		uint16_t vlan;
		enum encap_type type;
	} cases[] = {
		{0xc0a8010a, 0xc0a80214, 0, 0, 0, ENCAP_TYPE_VXLAN},
		{0xffffffff, 0xfffffffe, 255, 0xff, 0, ENCAP_TYPE_VXLAN},
		{0xfffeffff, 0xffffff00, 1, 0xfc, 4094, ENCAP_TYPE_NVGRE},
		{0x00000000, 0x00000000, 0, 0, 0, ENCAP_TYPE_NVGRE},
		{0x7fff8000, 0x00010001, 64, 0xb8, 7, ENCAP_TYPE_VXLAN},
		{0x3fffbfff, 0xbaffffff, 17, 0x22, 0, ENCAP_TYPE_NVGRE},
	};
	uint8_t out[ENCAP_MAX_HDR_LEN];
	struct rte_ipv4_hdr ip;
	size_t c;
	uint32_t inner;

	(void)state;
	for (c = 0; c < RTE_DIM(cases); c++) {
		struct encap_outer o = outer_a;
		struct encap_template t;
		uint16_t ip_len;

		o.src_ip = rte_cpu_to_be_32(cases[c].src);
		o.dst_ip = rte_cpu_to_be_32(cases[c].dst);
		o.ttl = cases[c].ttl;
		o.tos = cases[c].tos;
		o.vlan_id = cases[c].vlan;
		assert_int_equal(encap_template_build(&t, cases[c].type, &o, 70000, 1234), 0);
		ip_len = (uint16_t)(t.len - t.l3_off);
		for (inner = 0; inner + ip_len <= UINT16_MAX; inner++) {
			uint16_t stamped;

			encap_template_stamp(&t, out, (uint16_t)inner);
			memcpy(&ip, out + t.l3_off, sizeof(ip));
			assert_int_equal(rte_be_to_cpu_16(ip.total_length), ip_len + inner);
			if (t.type == ENCAP_TYPE_VXLAN)
				assert_int_equal((out[t.l4_off + 4] << 8) | out[t.l4_off + 5],
					ip_len + inner - 20);
			stamped = ip.hdr_checksum;
			ip.hdr_checksum = 0;
			if (stamped != rte_ipv4_cksum(&ip))
				fail_msg("case %zu inner_len %u: stamped %#x full %#x", c, inner,
					rte_be_to_cpu_16(stamped),
					rte_be_to_cpu_16(rte_ipv4_cksum(&ip)));
		}
	}
}

/* Frame: dst MAC, src MAC, optional tags, IPv4 (IHL 5) with given proto/ports. */
static size_t
make_l4_frame(uint8_t *p, int tags, uint8_t proto, uint16_t sport, uint16_t dport, uint16_t frag)
{
	static const uint8_t macs[12] = {
		0x00, 0x15, 0x5d, 0x00, 0x00, 0x05, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x04};
	static const uint8_t addrs[8] = {10, 1, 0, 4, 10, 1, 0, 5};
	size_t off = 12;
	int i;

	memcpy(p, macs, 12);
	for (i = 0; i < tags; i++) {
		p[off] = i == 0 && tags == 2 ? 0x88 : 0x81;
		p[off + 1] = i == 0 && tags == 2 ? 0xa8 : 0x00;
		p[off + 2] = 0x00;
		p[off + 3] = (uint8_t)(10 + i);
		off += 4;
	}
	p[off++] = 0x08;
	p[off++] = 0x00;
	memset(p + off, 0, 28);
	p[off] = 0x45;
	p[off + 3] = 28;
	p[off + 6] = (uint8_t)(frag >> 8);
	p[off + 7] = (uint8_t)frag;
	p[off + 8] = 64;
	p[off + 9] = proto;
	memcpy(p + off + 12, addrs, sizeof(addrs));
	p[off + 20] = (uint8_t)(sport >> 8);
	p[off + 21] = (uint8_t)sport;
	p[off + 22] = (uint8_t)(dport >> 8);
	p[off + 23] = (uint8_t)dport;
	return off + 28;
}

/*
 * Known answers from an independent bitwise CRC32C in Python (reflected
 * polynomial 0x82f63b78, init 0xffffffff, no final xor; that function gives
 * 0x1cf96d7c for "123456789", the complement of the standard 0xe3069283):
 *   0a010004 0a010005 06 3039 0050           -> 0x018f03a8 (sport 50088)
 *   0a010004 0a010005 06                     -> 0xf9b895c8
 *   ffffffffffff 00155d010203 0806           -> 0x0ab8966b
 */
static void
test_inner_hash_known_answer(void **state)
{
	uint8_t f[64];
	size_t n;
	static const uint8_t arp[42] = {
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0xff,
		0x00,
		0x15,
		0x5d,
		0x01,
		0x02,
		0x03,
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
	};

	(void)state;
	n = make_l4_frame(f, 0, 6, 12345, 80, 0);
	assert_int_equal(encap_inner_hash(f, (uint32_t)n), 0x018f03a8);
	assert_int_equal(encap_vxlan_sport(encap_inner_hash(f, (uint32_t)n)), 50088);
	n = make_l4_frame(f, 0, 6, 12345, 80, 0x2000); /* MF: a first fragment */
	assert_int_equal(encap_inner_hash(f, (uint32_t)n), 0xf9b895c8);
	assert_int_equal(encap_inner_hash(arp, sizeof(arp)), 0x0ab8966b);
}

static void
test_inner_hash_same_flow_same_hash(void **state)
{
	uint8_t a[80], b[80];
	size_t na, nb;

	(void)state;
	na = make_l4_frame(a, 0, 17, 1000, 2000, 0);
	nb = make_l4_frame(b, 0, 17, 1000, 2000, 0);
	b[0] ^= 0x02;             /* other MACs ... */
	b[14 + 8] = 3;            /* ... TTL ... */
	b[14 + 4] = 0x12;         /* ... IP ID ... */
	memset(b + nb, 0xaa, 10); /* ... and payload */
	assert_int_equal(encap_inner_hash(a, (uint32_t)na), encap_inner_hash(b, (uint32_t)nb + 10));
	/* VLAN and QinQ tags are skipped. */
	nb = make_l4_frame(b, 1, 17, 1000, 2000, 0);
	assert_int_equal(encap_inner_hash(a, (uint32_t)na), encap_inner_hash(b, (uint32_t)nb));
	nb = make_l4_frame(b, 2, 17, 1000, 2000, 0);
	assert_int_equal(encap_inner_hash(a, (uint32_t)na), encap_inner_hash(b, (uint32_t)nb));
}

static void
test_inner_hash_differing_ports_give_different_sport(void **state)
{
	uint8_t f[80];
	uint32_t h0, h;
	uint16_t p;
	size_t n;

	(void)state;
	n = make_l4_frame(f, 0, 6, 40000, 443, 0);
	h0 = encap_inner_hash(f, (uint32_t)n);
	for (p = 40001; p < 40065; p++) {
		n = make_l4_frame(f, 0, 6, p, 443, 0);
		h = encap_inner_hash(f, (uint32_t)n);
		assert_int_not_equal(encap_vxlan_sport(h), encap_vxlan_sport(h0));
	}
	n = make_l4_frame(f, 0, 6, 40000, 444, 0);
	assert_int_not_equal(
		encap_vxlan_sport(encap_inner_hash(f, (uint32_t)n)), encap_vxlan_sport(h0));
	/* Protocols without ports and fragments hash the addresses only. */
	n = make_l4_frame(f, 0, 1, 1, 2, 0);
	h0 = encap_inner_hash(f, (uint32_t)n);
	n = make_l4_frame(f, 0, 1, 3, 4, 0);
	assert_int_equal(encap_inner_hash(f, (uint32_t)n), h0);
	n = make_l4_frame(f, 0, 17, 1, 2, 0x0010); /* offset 16 * 8 */
	h0 = encap_inner_hash(f, (uint32_t)n);
	n = make_l4_frame(f, 0, 17, 3, 4, 0x0010);
	assert_int_equal(encap_inner_hash(f, (uint32_t)n), h0);
}

static void
test_vxlan_sport_within_dynamic_range(void **state)
{
	static const uint32_t edges[] = {0, 1, 0x3fff, 0x4000, 0xc000, 0xffff, 0xffffffff};
	uint8_t f[80];
	uint32_t i;
	size_t n;

	(void)state;
	for (i = 0; i < RTE_DIM(edges); i++) {
		assert_in_range(encap_vxlan_sport(edges[i]), 49152, 65535);
	}
	assert_int_equal(encap_vxlan_sport(0), 49152);
	assert_int_equal(encap_vxlan_sport(0xffffffff), 65535);
	for (i = 0; i < 4096; i++) {
		n = make_l4_frame(f, 0, 17, (uint16_t)i, (uint16_t)(i * 7), 0);
		assert_in_range(encap_vxlan_sport(encap_inner_hash(f, (uint32_t)n)), 49152, 65535);
	}
}

/* Every prefix of a frame hashes without reading past its end (ASan/valgrind). */
static void
test_inner_hash_truncated_frames_are_safe(void **state)
{
	uint8_t f[80];
	size_t n, len;
	int tags;

	(void)state;
	for (tags = 0; tags <= 2; tags++) {
		n = make_l4_frame(f, tags, 132, 7, 9, 0);
		for (len = 0; len <= n; len++) {
			uint8_t *copy = malloc(len ? len : 1);

			assert_non_null(copy);
			memcpy(copy, f, len);
			(void)encap_inner_hash(copy, (uint32_t)len);
			free(copy);
		}
	}
}

static void
test_parse_vxlan_round_trip(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	struct encap_outer o = outer_a;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &o, 0x654321, 55555, 100);
	memset(&info, 0xee, sizeof(info));
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_int_equal(info.type, ENCAP_TYPE_VXLAN);
	assert_int_equal(info.vsid, 0x654321);
	assert_int_equal(info.flow_id, 0);
	assert_int_equal(info.vlan_id, 0);
	assert_int_equal(info.src_ip, o.src_ip);
	assert_int_equal(info.dst_ip, o.dst_ip);
	assert_int_equal(info.hdr_len, ENCAP_VXLAN_HDR_LEN);
	assert_int_equal(info.inner_len, 100);
	assert_memory_equal(buf + info.hdr_len, buf + ENCAP_VXLAN_HDR_LEN, 100);

	o.vlan_id = 321;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &o, 4096, 55555, 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_int_equal(info.vlan_id, 321);
	assert_int_equal(info.vsid, 4096);
	assert_int_equal(info.hdr_len, ENCAP_VXLAN_HDR_LEN + 4);
}

static void
test_vxlan_on_another_udp_port(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	struct encap_outer o = outer_a;
	size_t n;

	(void)state;
	o.vxlan_port = 8472;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &o, 5001, 55555, 60);
	assert_int_equal(buf[36], 8472 >> 8); /* the UDP destination port */
	assert_int_equal(buf[37], 8472 & 0xff);
	assert_int_equal(encap_parse_port(buf, (uint32_t)n, 8472, &info), ENCAP_OK);
	assert_int_equal(info.vsid, 5001);
	assert_int_equal(info.inner_len, 60);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);
	o.vxlan_port = 0; /* the default */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &o, 5001, 55555, 60);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_int_equal(encap_parse_port(buf, (uint32_t)n, 8472, &info), ENCAP_ERR_NOT_TUNNEL);
}

/* A frame in pieces (encap_parse_head): lengths are the whole frame's, the
 * head must hold the headers; and the receive NIC's checksum verdict is
 * taken instead of the software check, at the same point. */
static void
test_parse_head_and_nic_checksum_verdicts(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	struct encap_outer o = outer_a;
	uint32_t n;

	(void)state;
	n = (uint32_t)make_packet(buf, ENCAP_TYPE_VXLAN, &o, 5001, 55555, 200);
	assert_int_equal(encap_parse_head(buf, ENCAP_HEAD_MAX, n, 4789, ENCAP_CKSUM_VERIFY, &info),
		ENCAP_OK);
	assert_int_equal(info.inner_len, 200);
	assert_int_equal(
		encap_parse_head(buf, ENCAP_HEAD_MAX - 1, n, 4789, ENCAP_CKSUM_VERIFY, &info),
		ENCAP_ERR_TRUNCATED);
	assert_int_equal(
		encap_parse_head(buf, n, n, 4789, ENCAP_CKSUM_BAD, &info), ENCAP_ERR_BAD_IP);
	buf[14 + 10] ^= 0x5a; /* the outer checksum, now wrong */
	assert_int_equal(
		encap_parse_head(buf, n, n, 4789, ENCAP_CKSUM_VERIFY, &info), ENCAP_ERR_BAD_IP);
	assert_int_equal(encap_parse_head(buf, n, n, 4789, ENCAP_CKSUM_GOOD, &info), ENCAP_OK);
	/* Checks before the checksum still come first. */
	buf[14] = 0x35; /* IHL 5, version 3 */
	assert_int_equal(
		encap_parse_head(buf, n, n, 4789, ENCAP_CKSUM_GOOD, &info), ENCAP_ERR_BAD_IP);
}

/* Stamping for a NIC that computes the outer checksum: the same bytes but
 * for a zero checksum, which the NIC's (here: software's) fills in. */
static void
test_stamp_nocksum_leaves_only_the_checksum(void **state)
{
	const enum encap_type types[] = {ENCAP_TYPE_VXLAN, ENCAP_TYPE_NVGRE};
	uint8_t a[ENCAP_MAX_HDR_LEN], b[ENCAP_MAX_HDR_LEN];
	struct encap_outer o = outer_a;
	struct encap_template t;

	(void)state;
	o.vlan_id = 20;
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(encap_template_build(&t, types[i], &o, 5001, 0x1234), 0);
		encap_template_stamp(&t, a, 1400);
		encap_template_stamp_nocksum(&t, b, 1400);
		assert_int_equal(b[t.l3_off + 10], 0);
		assert_int_equal(b[t.l3_off + 11], 0);
		assert_memory_not_equal(a + t.l3_off + 10, b + t.l3_off + 10, 2);
		memcpy(b + t.l3_off + 10, a + t.l3_off + 10, 2);
		assert_memory_equal(a, b, t.len);
		b[t.l3_off + 10] = b[t.l3_off + 11] = 0;
		((struct rte_ipv4_hdr *)(b + t.l3_off))->hdr_checksum =
			rte_ipv4_cksum((const struct rte_ipv4_hdr *)(b + t.l3_off));
		assert_memory_equal(a, b, t.len);
	}
}

static void
test_parse_nvgre_round_trip(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	struct encap_outer o = outer_a;
	size_t n;

	(void)state;
	o.vlan_id = 7;
	n = make_packet(buf, ENCAP_TYPE_NVGRE, &o, ENCAP_VSID_MAX, 0xa5, 64);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_int_equal(info.type, ENCAP_TYPE_NVGRE);
	assert_int_equal(info.vsid, ENCAP_VSID_MAX);
	assert_int_equal(info.flow_id, 0xa5);
	assert_int_equal(info.vlan_id, 7);
	assert_int_equal(info.src_ip, o.src_ip);
	assert_int_equal(info.dst_ip, o.dst_ip);
	assert_int_equal(info.hdr_len, ENCAP_NVGRE_HDR_LEN + 4);
	assert_int_equal(info.inner_len, 64);
}

/* Ethernet padding past the IPv4 total length is ignored. */
static void
test_parse_ignores_ethernet_padding(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_NVGRE, &outer_a, 5000, 1, 14);
	memset(buf + n, 0, 8);
	assert_int_equal(encap_parse(buf, (uint32_t)n + 8, &info), ENCAP_OK);
	assert_int_equal(info.hdr_len, ENCAP_NVGRE_HDR_LEN);
	assert_int_equal(info.inner_len, 14);
}

static void
fix_ip_cksum(uint8_t *ip)
{
	struct rte_ipv4_hdr h;
	uint16_t ck;
	size_t ihl = (size_t)(ip[0] & 0xf) * 4;

	ip[10] = ip[11] = 0;
	if (ihl == sizeof(h)) {
		memcpy(&h, ip, sizeof(h));
		ck = rte_ipv4_cksum(&h);
	} else {
		ck = (uint16_t)~rte_raw_cksum(ip, ihl);
	}
	memcpy(ip + 10, &ck, 2);
}

static void
test_parse_accepts_ip_options(void **state)
{
	uint8_t buf[256], opt[256];
	struct encap_rx_info info;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	/* Insert 4 bytes of NOP options after the fixed IPv4 header. */
	memcpy(opt, buf, 34);
	memset(opt + 34, 1, 4);
	memcpy(opt + 38, buf + 34, n - 34);
	opt[14] = 0x46;
	opt[17] = (uint8_t)(opt[17] + 4);
	fix_ip_cksum(opt + 14);
	assert_int_equal(encap_parse(opt, (uint32_t)n + 4, &info), ENCAP_OK);
	assert_int_equal(info.hdr_len, ENCAP_VXLAN_HDR_LEN + 4);
	assert_int_equal(info.vsid, 5000);
}

static void
test_parse_truncated_packets(void **state)
{
	static const uint32_t cuts[] = {0, 1, 13, 14, 17, 20, 33, 34, 41, 42, 49, 50, 63, 113};
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n, i;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	assert_int_equal(n, 114);
	for (i = 0; i < RTE_DIM(cuts); i++)
		assert_int_equal(encap_parse(buf, cuts[i], &info), ENCAP_ERR_TRUNCATED);
	/* Headers consistent, but the inner frame is shorter than Ethernet. */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 13);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_TRUNCATED);
	n = make_packet(buf, ENCAP_TYPE_NVGRE, &outer_a, 5000, 1, 13);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_TRUNCATED);
	/* A tag with nothing behind it. */
	n = make_packet(buf, ENCAP_TYPE_NVGRE, &(struct encap_outer){.vlan_id = 5}, 5000, 1, 64);
	assert_int_equal(encap_parse(buf, 16, &info), ENCAP_ERR_TRUNCATED);
	/* UDP claims more than IP carries. */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[39] = (uint8_t)(buf[39] + 1);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_TRUNCATED);
	/* UDP length too short to hold VXLAN, and IP cut to match. */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 0);
	buf[17] = 20 + 8 + 4;
	buf[39] = 12;
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, 14 + 32, &info), ENCAP_ERR_TRUNCATED);
}

static void
test_parse_bad_ip_headers(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[24] ^= 0x01; /* checksum */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[20] |= 0x20; /* MF */
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_NVGRE, &outer_a, 5000, 1, 64);
	buf[21] = 0x01; /* fragment offset 8 */
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[14] = 0x65; /* version 6 */
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[14] = 0x44; /* IHL 4 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[16] = 0;
	buf[17] = 19; /* total length < IHL * 4 */
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[39] = (uint8_t)(buf[39] - 1); /* UDP length short of the IP payload */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);
}

static void
test_parse_bad_tunnel_headers(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[42] = 0x00; /* no I flag */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[42] = 0x0c; /* I plus an unknown flag: accepted (reserved, ignored) */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);

	n = make_packet(buf, ENCAP_TYPE_NVGRE, &outer_a, 5000, 1, 64);
	buf[34] = 0x00; /* GRE without K */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[34] = 0xa0; /* K and C */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[34] = 0x30; /* K and S */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[34] = 0x20;
	buf[35] = 0x01; /* version 1 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[35] = 0x00;
	buf[36] = 0x08; /* protocol 0x0858 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[36] = 0x08;
	buf[37] = 0x00; /* protocol IPv4 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_HEADER);
	buf[36] = 0x65;
	buf[37] = 0x58;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
}

static void
test_parse_vsid_out_of_range(void **state)
{
	static const uint32_t bad[] = {0, 1, 4095, 0xffffff};
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n, i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
		buf[46] = (uint8_t)(bad[i] >> 16);
		buf[47] = (uint8_t)(bad[i] >> 8);
		buf[48] = (uint8_t)bad[i];
		assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_VSID);

		n = make_packet(buf, ENCAP_TYPE_NVGRE, &outer_a, 5000, 1, 64);
		buf[38] = (uint8_t)(bad[i] >> 16);
		buf[39] = (uint8_t)(bad[i] >> 8);
		buf[40] = (uint8_t)bad[i];
		assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_VSID);
	}
}

static void
test_parse_not_tunnel(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[37] = 0xb6; /* UDP port 4790 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[23] = 6; /* TCP */
	fix_ip_cksum(buf + 14);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_a, 5000, 1, 64);
	buf[12] = 0x86; /* IPv6, but a version 4 header */
	buf[13] = 0xdd;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);
	buf[12] = 0x08; /* ARP */
	buf[13] = 0x06;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &(struct encap_outer){.vlan_id = 9}, 5000, 1, 64);
	buf[16] = 0x86; /* IPv6 behind a VLAN tag, a version 4 header */
	buf[17] = 0xdd;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	/* IPv6 with an extension header (hop-by-hop) or a fragment header. */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_6, 5000, 1, 64);
	buf[20] = 0;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);
	buf[20] = 44;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_NOT_TUNNEL);
}

/* An IPv6 outer header, byte by byte; the UDP checksum as DPDK computes it
 * over the whole packet. */
static void
test_vxlan6_header_is_byte_exact(void **state)
{
	static const uint8_t expected[70] = {
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x02, /* dst MAC: next hop */
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, /* src MAC: ours */
		0x86, 0xdd,                         /* IPv6 */
		0x60, 0x0a, 0xbc, 0xde,             /* v6, traffic class 0, flow label */
		0x00, 0x50, 0x11, 0x40,             /* payload 80, UDP, hop limit 64 */
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x20, 0x01, 0x0d,
		0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0xc3, 0x50, 0x12,
		0xb5,                   /* sport 50000, dport 4789 */
		0x00, 0x50, 0x00, 0x00, /* UDP length 80, checksum (below) */
		0x08, 0x00, 0x00, 0x00, /* I flag, reserved */
		0x00, 0x13, 0x88, 0x00, /* VNI 5000, reserved */
	};
	struct encap_template t;
	uint8_t out[ENCAP_MAX_HDR_LEN + 64], want[2];
	uint16_t ck;

	(void)state;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &outer_6, 5000, 50000), 0);
	assert_int_equal(t.len, ENCAP_VXLAN6_HDR_LEN);
	assert_int_equal(t.l3_off, 14);
	assert_int_equal(t.l4_off, 54);
	assert_true(t.ipv6);
	encap_template_stamp(&t, out, 64);
	make_inner(out + t.len, 64);
	encap_template_udp6_cksum(&t, out, rte_raw_cksum(out + t.len, 64));
	memcpy(want, out + 60, 2);
	memset(out + 60, 0, 2);
	assert_memory_equal(out, expected, sizeof(expected));
	ck = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)(out + 14), out + 54);
	assert_memory_equal(want, &ck, 2);
	memcpy(out + 60, want, 2);
	assert_int_equal(
		rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)(out + 14), out + 54), 0);

	/* NVGRE: next header 47, payload = GRE + key + inner; no checksum. */
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_NVGRE, &outer_6, 5000, 7), 0);
	assert_int_equal(t.len, ENCAP_NVGRE6_HDR_LEN);
	encap_template_stamp(&t, out, 64);
	assert_int_equal(out[20], 47);
	assert_int_equal(out[18] << 8 | out[19], 8 + 64);
}

/* IPv6 outer headers parse back to what was built; their faults are named. */
static void
test_parse_ipv6_outer(void **state)
{
	uint8_t buf[256];
	struct encap_rx_info info;
	struct encap_outer o = outer_6;
	size_t n;

	(void)state;
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_6, 5000, 1, 64);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_true(info.ipv6);
	assert_int_equal(info.type, ENCAP_TYPE_VXLAN);
	assert_int_equal(info.vsid, 5000);
	assert_int_equal(info.hdr_len, ENCAP_VXLAN6_HDR_LEN);
	assert_int_equal(info.inner_len, 64);
	assert_int_equal(info.l3_off, 14);
	assert_int_equal(info.l4_off, 54);
	assert_memory_equal(info.src6, outer_6.src6, 16);
	assert_memory_equal(info.dst6, outer_6.dst6, 16);

	o.vlan_id = 7;
	n = make_packet(buf, ENCAP_TYPE_NVGRE, &o, 6000, 9, 64);
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_OK);
	assert_true(info.ipv6);
	assert_int_equal(info.type, ENCAP_TYPE_NVGRE);
	assert_int_equal(info.vsid, 6000);
	assert_int_equal(info.flow_id, 9);
	assert_int_equal(info.vlan_id, 7);
	assert_int_equal(info.hdr_len, ENCAP_NVGRE6_HDR_LEN + 4);

	/* Ethernet padding past the payload length is not inner frame. */
	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_6, 5000, 1, 64);
	assert_int_equal(encap_parse(buf, (uint32_t)n + 6, &info), ENCAP_OK);
	assert_int_equal(info.inner_len, 64);

	/* A UDP checksum of 0 is no checksum, which IPv6 does not allow. */
	buf[60] = buf[61] = 0;
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);

	n = make_packet(buf, ENCAP_TYPE_VXLAN, &outer_6, 5000, 1, 64);
	buf[14] = 0x40; /* version 4 */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);
	buf[14] = 0x60;
	buf[22] = 0xff; /* a multicast source */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);
	buf[22] = 0x20;
	buf[19] += 1; /* payload length past the frame */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_TRUNCATED);
	buf[19] -= 2; /* UDP length past the payload */
	assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_TRUNCATED);
}

/* IPv6 PAs intern to stable handles in 240.0.0.0/4; IPv4 PAs are themselves. */
static void
test_pa_handles(void **state)
{
	static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	static const uint8_t never[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xee, [15] = 0xee};
	rte_be32_t ha, ha2, hb, found;
	char s[HNV_PA_FMT_SIZE];
	unsigned int before = hnv_pa6_count();

	(void)state;
	assert_int_equal(hnv_pa6_intern(a, &ha), 0);
	assert_int_equal(hnv_pa6_intern(b, &hb), 0);
	assert_int_equal(hnv_pa6_intern(a, &ha2), 0);
	assert_int_equal(ha, ha2);
	assert_int_not_equal(ha, hb);
	assert_int_equal(hnv_pa6_count(), before + 2);
	assert_true(hnv_pa_is_v6(ha) && hnv_pa_is_v6(hb) && hnv_pa_is_v6(HNV_PA6_UNKNOWN));
	assert_false(hnv_pa_is_v6(IP4(192, 168, 1, 10)));
	assert_true(hnv_pa6_find(b, &found));
	assert_int_equal(found, hb);
	assert_false(hnv_pa6_find(never, &found));
	assert_memory_equal(hnv_pa6_addr(ha), a, 16);
	assert_string_equal(hnv_pa_format(s, sizeof(s), hb), "2001:db8::2");
	assert_string_equal(hnv_pa_format(s, sizeof(s), IP4(192, 168, 1, 10)), "192.168.1.10");
	assert_string_equal(hnv_pa_format(s, sizeof(s), HNV_PA6_UNKNOWN), "::");
}

/* No PA is multicast, broadcast or class E (where IPv6 PAs' handles live):
 * an IPv4 tunnel from such a source is refused. */
static void
test_parse_refuses_martian_ipv4_source(void **state)
{
	static const uint8_t firsts[] = {224, 239, 240, 255};
	uint8_t buf[256];
	struct encap_rx_info info;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(firsts); i++) {
		struct encap_outer o = outer_a;
		size_t n;

		o.src_ip = IP4(firsts[i], 0, 0, 1);
		n = make_packet(buf, ENCAP_TYPE_VXLAN, &o, 5000, 1, 64);
		assert_int_equal(encap_parse(buf, (uint32_t)n, &info), ENCAP_ERR_BAD_IP);
	}
}

/* Every prefix of valid packets, in an exact-size heap copy for ASan/valgrind. */
static void
test_parse_every_truncation_is_safe(void **state)
{
	static const struct {
		enum encap_type type;
		uint16_t vlan;
		bool ipv6;
	} kinds[] = {
		{ENCAP_TYPE_VXLAN, 0, false},
		{ENCAP_TYPE_VXLAN, 10, false},
		{ENCAP_TYPE_NVGRE, 0, false},
		{ENCAP_TYPE_NVGRE, 10, false},
		{ENCAP_TYPE_VXLAN, 0, true},
		{ENCAP_TYPE_VXLAN, 10, true},
		{ENCAP_TYPE_NVGRE, 0, true},
		{ENCAP_TYPE_NVGRE, 10, true},
	};
	uint8_t buf[256];
	struct encap_rx_info info;
	size_t k, n, len;

	(void)state;
	for (k = 0; k < RTE_DIM(kinds); k++) {
		struct encap_outer o = kinds[k].ipv6 ? outer_6 : outer_a;

		o.vlan_id = kinds[k].vlan;
		n = make_packet(buf, kinds[k].type, &o, 5000, 1, 64);
		for (len = 0; len <= n; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			enum encap_parse_err err;

			assert_non_null(copy);
			memcpy(copy, buf, len);
			err = encap_parse(copy, (uint32_t)len, &info);
			free(copy);
			assert_int_equal(err, len == n ? ENCAP_OK : ENCAP_ERR_TRUNCATED);
		}
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(encap_type_name(ENCAP_TYPE_VXLAN), "vxlan");
	assert_string_equal(encap_type_name(ENCAP_TYPE_NVGRE), "nvgre");
	assert_string_equal(encap_parse_strerror(ENCAP_OK), "ok");
	assert_string_equal(encap_parse_strerror(ENCAP_ERR_TRUNCATED), "truncated");
	assert_non_null(encap_parse_strerror((enum encap_parse_err)99));
	assert_non_null(encap_type_name((enum encap_type)99));
}

/* IPv6: addresses, next header and ports, as encap_flow_hash from the
 * same fields; not the MACs, the hop limit or the payload. */
static void
test_inner_hash_ipv6(void **state)
{
	uint8_t a[96] = {0}, b[96];
	struct encap_flow_fields f = {0};
	uint32_t h;

	(void)state;
	a[0] = 0x02;
	a[6] = 0x02;
	a[12] = 0x86;
	a[13] = 0xdd;
	a[14] = 0x60;
	a[14 + 5] = 8; /* payload length */
	a[14 + 6] = 17;
	a[14 + 7] = 64;
	a[14 + 8] = 0xfd;
	a[14 + 23] = 0x12;
	a[14 + 24] = 0xfd;
	a[14 + 39] = 0x11;
	a[54] = 0x13; /* sport 5000, dport 53 */
	a[55] = 0x88;
	a[57] = 53;
	h = encap_inner_hash(a, 62);
	memcpy(b, a, sizeof(b));
	b[0] ^= 0x04;  /* other MACs */
	b[14 + 7] = 3; /* hop limit */
	b[70] = 0xaa;  /* payload */
	assert_int_equal(encap_inner_hash(b, 72), h);
	f.is_ipv6 = true;
	f.has_ports = true;
	memcpy(f.src6, a + 14 + 8, 16);
	memcpy(f.dst6, a + 14 + 24, 16);
	f.proto = 17;
	memcpy(&f.sport, a + 54, 2);
	memcpy(&f.dport, a + 56, 2);
	assert_int_equal(encap_flow_hash(&f), h);
	b[57] = 54; /* another port: another hash */
	assert_int_not_equal(encap_inner_hash(b, 72), h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vxlan_header_is_byte_exact),
		cmocka_unit_test(test_vxlan_vlan_header_is_byte_exact),
		cmocka_unit_test(test_nvgre_header_is_byte_exact),
		cmocka_unit_test(test_template_build_rejects_bad_arguments),
		cmocka_unit_test(test_stamp_checksum_matches_full_for_all_lengths),
		cmocka_unit_test(test_inner_hash_known_answer),
		cmocka_unit_test(test_inner_hash_same_flow_same_hash),
		cmocka_unit_test(test_inner_hash_ipv6),
		cmocka_unit_test(test_inner_hash_differing_ports_give_different_sport),
		cmocka_unit_test(test_vxlan_sport_within_dynamic_range),
		cmocka_unit_test(test_inner_hash_truncated_frames_are_safe),
		cmocka_unit_test(test_parse_vxlan_round_trip),
		cmocka_unit_test(test_vxlan_on_another_udp_port),
		cmocka_unit_test(test_parse_head_and_nic_checksum_verdicts),
		cmocka_unit_test(test_stamp_nocksum_leaves_only_the_checksum),
		cmocka_unit_test(test_parse_nvgre_round_trip),
		cmocka_unit_test(test_parse_ignores_ethernet_padding),
		cmocka_unit_test(test_parse_accepts_ip_options),
		cmocka_unit_test(test_parse_truncated_packets),
		cmocka_unit_test(test_parse_bad_ip_headers),
		cmocka_unit_test(test_parse_bad_tunnel_headers),
		cmocka_unit_test(test_parse_vsid_out_of_range),
		cmocka_unit_test(test_parse_not_tunnel),
		cmocka_unit_test(test_parse_every_truncation_is_safe),
		cmocka_unit_test(test_vxlan6_header_is_byte_exact),
		cmocka_unit_test(test_parse_ipv6_outer),
		cmocka_unit_test(test_parse_refuses_martian_ipv4_source),
		cmocka_unit_test(test_pa_handles),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
