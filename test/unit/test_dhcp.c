/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_dhcp.c: unit tests for lib/dhcp.
 *
 * Owns: parsing of hand-built client messages (DISCOVER, REQUEST in each RFC
 * 2131 state, INFORM, RELEASE, DECLINE, IPv4 options, long and repeated
 * options); refusal of truncated, malformed and non-DHCP frames, including a
 * mutation loop; the replies byte for byte (OFFER options, NAK contents),
 * their addressing and checksums; the error returns of dhcp_build_reply().
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

#include <rte_ip.h>
#include <rte_udp.h>

#include "dhcp.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

#define ETH_LEN 14
#define IP_LEN 20
#define UDP_LEN 8
#define BOOTP_OPTS 240
#define BCAST_FLAG 0x8000

static const struct rte_ether_addr vm_mac = {{0x00, 0x15, 0x5d, 0x00, 0x00, 0x04}};
static const struct rte_ether_addr gw_mac = {{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}};
static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const uint8_t xid[4] = {0x1a, 0x2b, 0x3c, 0x4d};

/* Client id "01 + MAC", as Windows and dhclient send it. */
#define CLIENT_ID 61, 7, 1, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x04

static const uint8_t discover_opts[] = {
	53, 1, 1,                   /* DISCOVER */
	CLIENT_ID,                  /* */
	50, 4, 10, 1, 0, 4,         /* wants 10.1.0.4 */
	55, 6, 1, 3, 6, 15, 26, 28, /* parameter request list */
	57, 2, 0x05, 0xdc,          /* max message size 1500 */
	12, 3, 'v', 'm', '1',       /* host name: ignored */
	255,                        /* */
};
static const uint8_t selecting_opts[] = {
	53, 1, 3, 54, 4, 10, 1, 0, 1, 50, 4, 10, 1, 0, 4, CLIENT_ID, 255};
static const uint8_t init_reboot_opts[] = {53, 1, 3, 50, 4, 10, 1, 0, 4, 255};
static const uint8_t other_ip_opts[] = {53, 1, 3, 54, 4, 10, 1, 0, 1, 50, 4, 10, 1, 0, 9, 255};
static const uint8_t other_server_opts[] = {53, 1, 3, 54, 4, 10, 9, 9, 9, 50, 4, 10, 1, 0, 4, 255};
static const uint8_t renew_opts[] = {53, 1, 3, 255}; /* RENEWING: ciaddr only */
static const uint8_t release_opts[] = {53, 1, 7, 54, 4, 10, 1, 0, 1, 255};
static const uint8_t decline_opts[] = {53, 1, 4, 54, 4, 10, 1, 0, 1, 50, 4, 10, 1, 0, 4, 255};
static const uint8_t inform_opts[] = {53, 1, 8, 255};

/* How to build a client frame; zero fields take the defaults of a DISCOVER. */
struct client_msg {
	const uint8_t *opts;
	size_t opts_len;
	uint16_t flags;    /* BOOTP flags, host order */
	rte_be32_t ciaddr; /* also the IP source; then the IP destination is the server */
	unsigned int ihl;  /* 32-bit words, 0 means 5; the rest are NOP options */
	uint8_t proto;     /* 0 means UDP */
	uint16_t frag;     /* IPv4 flags/fragment offset, host order */
	uint16_t sport;    /* 0 means 68 */
	uint16_t dport;    /* 0 means 67 */
	bool no_pad;       /* do not zero-pad the BOOTP message to 300 bytes */
};

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Write Ethernet/IPv4/UDP/BOOTP/options for @p m at @p f (>= 1024 bytes). @return its length */
static size_t
client_frame(uint8_t *f, const struct client_msg *m)
{
	const unsigned int ihl = 4 * (m->ihl ? m->ihl : 5);
	uint8_t *ip = f + ETH_LEN, *udp = ip + ihl, *b = udp + UDP_LEN;
	size_t blen = BOOTP_OPTS + m->opts_len;
	rte_be32_t dst = m->ciaddr ? IP4(10, 1, 0, 1) : IP4(255, 255, 255, 255);
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

	if (!m->no_pad && blen < 300)
		blen = 300;
	memset(f, 0, ETH_LEN + ihl + UDP_LEN + blen);
	memcpy(f, &bcast_mac, 6);
	memcpy(f + 6, &vm_mac, 6);
	wr16(f + 12, 0x0800);

	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	wr16(ip + 2, (uint16_t)(ihl + UDP_LEN + blen));
	wr16(ip + 4, 0x1234);
	wr16(ip + 6, m->frag);
	ip[8] = 64;
	ip[9] = m->proto ? m->proto : 17;
	memcpy(ip + 12, &m->ciaddr, 4);
	memcpy(ip + 16, &dst, 4);
	memset(ip + 20, 1, ihl - 20); /* NOP options */
	h->hdr_checksum = rte_ipv4_cksum(h);

	wr16(udp, m->sport ? m->sport : 68);
	wr16(udp + 2, m->dport ? m->dport : 67);
	wr16(udp + 4, (uint16_t)(UDP_LEN + blen));

	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, xid, 4);
	wr16(b + 10, m->flags);
	memcpy(b + 12, &m->ciaddr, 4);
	memcpy(b + 28, &vm_mac, 6);
	b[236] = 99;
	b[237] = 130;
	b[238] = 83;
	b[239] = 99;
	if (m->opts_len > 0)
		memcpy(b + BOOTP_OPTS, m->opts, m->opts_len);
	return ETH_LEN + ihl + UDP_LEN + blen;
}

static size_t
simple_frame(uint8_t *f, const uint8_t *opts, size_t n, uint16_t flags, rte_be32_t ciaddr)
{
	const struct client_msg m = {.opts = opts, .opts_len = n, .flags = flags, .ciaddr = ciaddr};

	return client_frame(f, &m);
}

static void
make_lease(struct dhcp_lease *l)
{
	memset(l, 0, sizeof(*l));
	l->yiaddr = IP4(10, 1, 0, 4);
	l->netmask = IP4(255, 255, 255, 0);
	l->router = IP4(10, 1, 0, 1);
	l->server_id = IP4(10, 1, 0, 1);
	l->server_mac = gw_mac;
	l->lease_s = 86400;
	l->n_dns = 2;
	l->dns[0] = IP4(168, 63, 129, 16);
	l->dns[1] = IP4(8, 8, 8, 8);
	strcpy(l->domain, "internal.example");
	l->mtu = 1400;
	l->broadcast = IP4(10, 1, 0, 255);
}

/* Parse @p opts as a client frame; assert DHCP_OK. */
static void
parse_ok(const uint8_t *opts, size_t n, uint16_t flags, rte_be32_t ciaddr, struct dhcp_request *r)
{
	uint8_t f[1024];
	size_t len = simple_frame(f, opts, n, flags, ciaddr);

	assert_int_equal(dhcp_parse(f, (uint32_t)len, r), DHCP_OK);
}

/* Parse @p opts, build the reply with the default lease into @p out. @return its length or error */
static int
reply_to(const uint8_t *opts, size_t n, uint16_t flags, rte_be32_t ciaddr, uint8_t *out)
{
	struct dhcp_request r;
	struct dhcp_lease l;

	parse_ok(opts, n, flags, ciaddr, &r);
	make_lease(&l);
	return dhcp_build_reply(out, DHCP_REPLY_MAX, &r, &l);
}

/*
 * Check what every reply shares: headers, lengths, both checksums, the BOOTP
 * fixed part. @return the option area and its length in *@p opts_len
 */
static const uint8_t *
check_reply(const uint8_t *f, int len, const struct rte_ether_addr *eth_dst, rte_be32_t ip_dst,
	rte_be32_t yiaddr, rte_be32_t ciaddr, uint16_t flags, size_t *opts_len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + ETH_LEN);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(f + ETH_LEN + IP_LEN);
	const uint8_t *b = f + ETH_LEN + IP_LEN + UDP_LEN;
	const size_t blen = (size_t)len - ETH_LEN - IP_LEN - UDP_LEN;
	static const uint8_t zero[256];
	size_t i;

	assert_true(len > 0 && len <= DHCP_REPLY_MAX);
	assert_true(blen >= 300);
	assert_memory_equal(f, eth_dst, 6);
	assert_memory_equal(f + 6, &gw_mac, 6);
	assert_int_equal(rd16(f + 12), 0x0800);

	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(rd16(f + ETH_LEN + 2), len - ETH_LEN);
	assert_int_equal(rd16(f + ETH_LEN + 6), 0); /* not a fragment */
	assert_int_equal(ip->time_to_live, 64);
	assert_int_equal(ip->next_proto_id, IPPROTO_UDP);
	assert_int_equal(ip->src_addr, IP4(10, 1, 0, 1));
	assert_int_equal(ip->dst_addr, ip_dst);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* sums to 0xffff with the checksum in */

	assert_int_equal(rd16(f + ETH_LEN + IP_LEN), 67);
	assert_int_equal(rd16(f + ETH_LEN + IP_LEN + 2), 68);
	assert_int_equal(rd16(f + ETH_LEN + IP_LEN + 4), len - ETH_LEN - IP_LEN);
	assert_int_not_equal(udp->dgram_cksum, 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, udp), 0);

	assert_int_equal(b[0], 2);
	assert_int_equal(b[1], 1);
	assert_int_equal(b[2], 6);
	assert_int_equal(b[3], 0);
	assert_memory_equal(b + 4, xid, 4);
	assert_int_equal(rd16(b + 8), 0);
	assert_int_equal(rd16(b + 10), flags);
	assert_memory_equal(b + 12, &ciaddr, 4);
	assert_memory_equal(b + 16, &yiaddr, 4);
	assert_memory_equal(b + 20, zero, 8); /* siaddr, giaddr */
	assert_memory_equal(b + 28, &vm_mac, 6);
	assert_memory_equal(b + 34, zero, 10 + 64 + 128); /* chaddr rest, sname, file */
	assert_int_equal(rd32(b + 236), 0x63825363);

	/* Options end with 255 followed by zero padding only. */
	for (i = BOOTP_OPTS; i < blen && b[i] != 255; i += (b[i] == 0) ? 1 : 2u + b[i + 1])
		assert_true(i + 1 < blen);
	assert_true(i < blen);
	*opts_len = i + 1 - BOOTP_OPTS;
	for (i++; i < blen; i++)
		assert_int_equal(b[i], 0);
	return b + BOOTP_OPTS;
}

/* The option @p code in @p o (@p n bytes), or NULL. */
static const uint8_t *
find_opt(const uint8_t *o, size_t n, uint8_t code)
{
	size_t i = 0;

	while (i < n && o[i] != 255) {
		if (o[i] == 0) {
			i++;
			continue;
		}
		if (o[i] == code)
			return o + i;
		i += 2u + o[i + 1];
	}
	return NULL;
}

static void
test_parse_discover(void **state)
{
	static const uint8_t cid[] = {1, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x04};
	static const uint8_t prl[] = {1, 3, 6, 15, 26, 28};
	struct dhcp_request r;
	uint32_t x;

	(void)state;
	parse_ok(discover_opts, sizeof(discover_opts), 0, 0, &r);
	assert_int_equal(r.msg_type, DHCP_DISCOVER);
	assert_memory_equal(&r.chaddr, &vm_mac, 6);
	assert_memory_equal(&r.src_mac, &vm_mac, 6);
	memcpy(&x, xid, 4);
	assert_int_equal(r.xid, x);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.ciaddr, 0);
	assert_int_equal(r.requested_ip, IP4(10, 1, 0, 4));
	assert_int_equal(r.server_id, 0);
	assert_true(r.has_param_list);
	assert_int_equal(r.n_params, sizeof(prl));
	assert_memory_equal(r.params, prl, sizeof(prl));
	assert_int_equal(r.max_msg_size, 1500);
	assert_int_equal(r.client_id_len, sizeof(cid));
	assert_memory_equal(r.client_id, cid, sizeof(cid));

	/* The broadcast flag is kept in network order. */
	parse_ok(discover_opts, sizeof(discover_opts), BCAST_FLAG, 0, &r);
	assert_int_equal(r.flags, DHCP_FLAG_BROADCAST);
	/* A minimal message: no padding, no end option. */
	parse_ok(discover_opts, 3, 0, 0, &r);
	assert_int_equal(r.msg_type, DHCP_DISCOVER);
	assert_false(r.has_param_list);
	assert_int_equal(r.requested_ip, 0);
	assert_int_equal(r.client_id_len, 0);
	assert_int_equal(r.max_msg_size, 0);
}

static void
test_parse_request_and_inform(void **state)
{
	struct dhcp_request r;

	(void)state;
	parse_ok(selecting_opts, sizeof(selecting_opts), 0, 0, &r);
	assert_int_equal(r.msg_type, DHCP_REQUEST);
	assert_int_equal(r.server_id, IP4(10, 1, 0, 1));
	assert_int_equal(r.requested_ip, IP4(10, 1, 0, 4));
	assert_false(r.has_param_list);
	parse_ok(inform_opts, sizeof(inform_opts), 0, IP4(10, 1, 0, 4), &r);
	assert_int_equal(r.msg_type, DHCP_INFORM);
	assert_int_equal(r.ciaddr, IP4(10, 1, 0, 4));
	parse_ok(release_opts, sizeof(release_opts), 0, IP4(10, 1, 0, 4), &r);
	assert_int_equal(r.msg_type, DHCP_RELEASE);
}

static void
test_parse_ip_options_and_padding(void **state)
{
	struct client_msg m = {.opts = discover_opts, .opts_len = sizeof(discover_opts)};
	struct dhcp_request r;
	uint8_t f[1100];
	size_t len;
	unsigned int ihl;

	(void)state;
	for (ihl = 6; ihl <= 15; ihl++) {
		m.ihl = ihl;
		len = client_frame(f, &m);
		assert_true(dhcp_is_client_packet(f, (uint32_t)len));
		assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_OK);
		assert_int_equal(r.msg_type, DHCP_DISCOVER);
		assert_int_equal(r.requested_ip, IP4(10, 1, 0, 4));
		assert_int_equal(r.client_id_len, 7);
	}
	/* Bytes after the IP packet (Ethernet padding) are ignored. */
	m.ihl = 0;
	m.no_pad = true;
	m.opts_len = 3;
	len = client_frame(f, &m);
	memset(f + len, 0xee, 64);
	assert_int_equal(dhcp_parse(f, (uint32_t)len + 64, &r), DHCP_OK);
	assert_int_equal(r.msg_type, DHCP_DISCOVER);
	/* So is anything after the UDP datagram inside the IP packet. */
	wr16(f + ETH_LEN + 2, (uint16_t)(len - ETH_LEN + 10));
	assert_int_equal(dhcp_parse(f, (uint32_t)len + 64, &r), DHCP_OK);
}

static void
test_parse_long_and_repeated_options(void **state)
{
	uint8_t opts[400], f[1024];
	struct dhcp_request r;
	size_t n = 0, i, len;

	(void)state;
	/* Option 55 in two parts (RFC 3396) of 40 bytes: concatenated, cut at 64. */
	opts[n++] = 53, opts[n++] = 1, opts[n++] = 1;
	opts[n++] = 55, opts[n++] = 40;
	for (i = 0; i < 40; i++)
		opts[n++] = (uint8_t)(i + 1);
	opts[n++] = 55, opts[n++] = 40;
	for (i = 0; i < 40; i++)
		opts[n++] = (uint8_t)(i + 41);
	/* A 64-byte client id in two parts: kept whole. */
	opts[n++] = 61, opts[n++] = 30;
	for (i = 0; i < 30; i++)
		opts[n++] = (uint8_t)(0x80 + i);
	opts[n++] = 61, opts[n++] = 34;
	for (i = 0; i < 34; i++)
		opts[n++] = (uint8_t)(0x80 + 30 + i);
	opts[n++] = 255;
	parse_ok(opts, n, 0, 0, &r);
	assert_true(r.has_param_list);
	assert_int_equal(r.n_params, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(r.params[i], i + 1);
	assert_int_equal(r.client_id_len, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(r.client_id[i], 0x80 + i);

	/* One more client id byte: too long to echo unaltered, so dropped. */
	opts[n - 1] = 61, opts[n++] = 1, opts[n++] = 0xff, opts[n++] = 255;
	parse_ok(opts, n, 0, 0, &r);
	assert_int_equal(r.client_id_len, 0);

	/* A 255-byte option (the longest) is skipped. */
	n = 0;
	opts[n++] = 53, opts[n++] = 1, opts[n++] = 3;
	opts[n++] = 43, opts[n++] = 255;
	memset(opts + n, 0xab, 255);
	n += 255;
	opts[n++] = 50, opts[n++] = 4, opts[n++] = 10, opts[n++] = 1, opts[n++] = 0, opts[n++] = 4;
	len = simple_frame(f, opts, n, 0, 0);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_OK);
	assert_int_equal(r.msg_type, DHCP_REQUEST);
	assert_int_equal(r.requested_ip, IP4(10, 1, 0, 4));
}

static void
test_is_client_packet(void **state)
{
	struct client_msg m = {.opts = discover_opts, .opts_len = sizeof(discover_opts)};
	uint8_t f[1024];
	size_t len;

	(void)state;
	len = client_frame(f, &m);
	assert_true(dhcp_is_client_packet(f, (uint32_t)len));
	assert_true(dhcp_is_client_packet(f, ETH_LEN + IP_LEN + UDP_LEN));
	assert_false(dhcp_is_client_packet(f, ETH_LEN + IP_LEN + UDP_LEN - 1));
	assert_false(dhcp_is_client_packet(f, 0));
	m.ihl = 15; /* the UDP header is at 74 */
	len = client_frame(f, &m);
	assert_true(dhcp_is_client_packet(f, ETH_LEN + 60 + UDP_LEN));
	assert_false(dhcp_is_client_packet(f, ETH_LEN + 60 + UDP_LEN - 1));
	m.ihl = 0;

	m.dport = 68;
	len = client_frame(f, &m);
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	m.dport = 0;
	m.proto = 6;
	len = client_frame(f, &m);
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	m.proto = 0;
	m.frag = 0x2000; /* MF */
	len = client_frame(f, &m);
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	m.frag = 0x0001; /* offset 8 */
	len = client_frame(f, &m);
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	m.frag = 0x4000; /* DF alone is fine */
	len = client_frame(f, &m);
	assert_true(dhcp_is_client_packet(f, (uint32_t)len));
	f[12] = 0x81; /* 802.1Q */
	f[13] = 0x00;
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	m.frag = 0;
	len = client_frame(f, &m);
	f[ETH_LEN] = 0x65; /* IPv6 version nibble */
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
	f[ETH_LEN] = 0x44; /* ihl 4 */
	assert_false(dhcp_is_client_packet(f, (uint32_t)len));
}

static void
test_offer_unicast_byte_exact(void **state)
{
	static const uint8_t expected[] = {
		53, 1, 2,                                       /* OFFER */
		54, 4, 10, 1, 0, 1,                             /* server id */
		51, 4, 0x00, 0x01, 0x51, 0x80,                  /* lease 86400 */
		58, 4, 0x00, 0x00, 0xa8, 0xc0,                  /* T1 43200 */
		59, 4, 0x00, 0x01, 0x27, 0x50,                  /* T2 75600 */
		1, 4, 255, 255, 255, 0,                         /* netmask */
		3, 4, 10, 1, 0, 1,                              /* router */
		6, 8, 168, 63, 129, 16, 8, 8, 8, 8,             /* two DNS servers */
		15, 16, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', /* */
		'.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',         /* domain */
		26, 2, 0x05, 0x78,                              /* MTU 1400 */
		28, 4, 10, 1, 0, 255,                           /* broadcast */
		CLIENT_ID,                                      /* echoed (RFC 6842) */
		255,                                            /* */
	};
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(discover_opts, sizeof(discover_opts), 0, 0, f);
	assert_true(BOOTP_OPTS + sizeof(expected) > 300); /* so no padding */
	assert_int_equal(len, ETH_LEN + IP_LEN + UDP_LEN + BOOTP_OPTS + sizeof(expected));
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_int_equal(n, sizeof(expected));
	assert_memory_equal(o, expected, sizeof(expected));
}

static void
test_offer_broadcast(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(discover_opts, sizeof(discover_opts), BCAST_FLAG, 0, f);
	o = check_reply(
		f, len, &bcast_mac, IP4(255, 255, 255, 255), IP4(10, 1, 0, 4), 0, BCAST_FLAG, &n);
	assert_int_equal(o[2], DHCP_OFFER);
	/* Other flag bits are echoed too, and do not make the reply broadcast. */
	len = reply_to(discover_opts, sizeof(discover_opts), 0x0001, 0, f);
	check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0x0001, &n);
}

static void
assert_ack_with_lease(const uint8_t *o, size_t n)
{
	const uint8_t *p;

	assert_int_equal(o[0], 53);
	assert_int_equal(o[2], DHCP_ACK);
	assert_non_null(p = find_opt(o, n, 54));
	assert_int_equal(rd32(p + 2), 0x0a010001);
	assert_non_null(p = find_opt(o, n, 51));
	assert_int_equal(rd32(p + 2), 86400);
	assert_non_null(p = find_opt(o, n, 58));
	assert_int_equal(rd32(p + 2), 43200);
	assert_non_null(p = find_opt(o, n, 59));
	assert_int_equal(rd32(p + 2), 75600);
	assert_non_null(p = find_opt(o, n, 1));
	assert_int_equal(rd32(p + 2), 0xffffff00);
	assert_non_null(p = find_opt(o, n, 3));
	assert_int_equal(rd32(p + 2), 0x0a010001);
	assert_non_null(p = find_opt(o, n, 6));
	assert_int_equal(p[1], 8);
}

static void
test_request_selecting_acks(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(selecting_opts, sizeof(selecting_opts), 0, 0, f);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_ack_with_lease(o, n);
	assert_non_null(find_opt(o, n, 61));
	len = reply_to(selecting_opts, sizeof(selecting_opts), BCAST_FLAG, 0, f);
	o = check_reply(
		f, len, &bcast_mac, IP4(255, 255, 255, 255), IP4(10, 1, 0, 4), 0, BCAST_FLAG, &n);
	assert_ack_with_lease(o, n);
}

static void
test_request_init_reboot_acks(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(init_reboot_opts, sizeof(init_reboot_opts), 0, 0, f);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_ack_with_lease(o, n);
	assert_null(find_opt(o, n, 61)); /* none was sent */
}

static void
test_request_other_ip_naks(void **state)
{
	static const uint8_t expected[] = {53, 1, 6, 54, 4, 10, 1, 0, 1, 255};
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(other_ip_opts, sizeof(other_ip_opts), 0, 0, f);
	assert_int_equal(len, ETH_LEN + IP_LEN + UDP_LEN + 300);
	o = check_reply(f, len, &vm_mac, IP4(255, 255, 255, 255), 0, 0, 0, &n);
	assert_int_equal(n, sizeof(expected));
	assert_memory_equal(o, expected, sizeof(expected));
	len = reply_to(other_ip_opts, sizeof(other_ip_opts), BCAST_FLAG, 0, f);
	o = check_reply(f, len, &bcast_mac, IP4(255, 255, 255, 255), 0, 0, BCAST_FLAG, &n);
	assert_memory_equal(o, expected, sizeof(expected));
	/* A NAK still echoes the client id. */
	{
		static const uint8_t opts[] = {53, 1, 3, 50, 4, 10, 1, 0, 9, CLIENT_ID, 255};

		len = reply_to(opts, sizeof(opts), 0, 0, f);
		o = check_reply(f, len, &vm_mac, IP4(255, 255, 255, 255), 0, 0, 0, &n);
		assert_int_equal(o[2], DHCP_NAK);
		assert_non_null(find_opt(o, n, 61));
		assert_null(find_opt(o, n, 51));
		assert_null(find_opt(o, n, 1));
	}
	/* A REQUEST naming no address at all (no option 50, no ciaddr). */
	len = reply_to(renew_opts, sizeof(renew_opts), 0, 0, f);
	o = check_reply(f, len, &vm_mac, IP4(255, 255, 255, 255), 0, 0, 0, &n);
	assert_int_equal(o[2], DHCP_NAK);
}

static void
test_request_other_server_is_silent(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];

	(void)state;
	assert_int_equal(reply_to(other_server_opts, sizeof(other_server_opts), 0, 0, f), -ENOMSG);
	assert_int_equal(
		reply_to(other_server_opts, sizeof(other_server_opts), BCAST_FLAG, 0, f), -ENOMSG);
}

static void
test_release_decline_and_others_are_silent(void **state)
{
	uint8_t opts[] = {53, 1, 0, 255};
	uint8_t f[DHCP_REPLY_MAX];
	unsigned int t;

	(void)state;
	assert_int_equal(
		reply_to(release_opts, sizeof(release_opts), 0, IP4(10, 1, 0, 4), f), -ENOMSG);
	assert_int_equal(reply_to(decline_opts, sizeof(decline_opts), 0, 0, f), -ENOMSG);
	for (t = 1; t <= 255; t++) {
		int rc;

		opts[2] = (uint8_t)t;
		rc = reply_to(opts, sizeof(opts), 0, 0, f);
		if (t == DHCP_DISCOVER || t == DHCP_INFORM || t == DHCP_REQUEST)
			assert_true(rc > 0);
		else
			assert_int_equal(rc, -ENOMSG);
	}
}

static void
test_inform_acks_without_lease(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o, *p;
	size_t n;
	int len;

	(void)state;
	len = reply_to(inform_opts, sizeof(inform_opts), 0, IP4(10, 1, 0, 4), f);
	/* To ciaddr, yiaddr 0, ciaddr echoed. */
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), 0, IP4(10, 1, 0, 4), 0, &n);
	assert_int_equal(o[2], DHCP_ACK);
	assert_non_null(find_opt(o, n, 54));
	assert_null(find_opt(o, n, 51));
	assert_null(find_opt(o, n, 58));
	assert_null(find_opt(o, n, 59));
	assert_non_null(p = find_opt(o, n, 1));
	assert_int_equal(rd32(p + 2), 0xffffff00);
	assert_non_null(find_opt(o, n, 3));
	assert_non_null(find_opt(o, n, 6));
	assert_non_null(find_opt(o, n, 15));
	/* Still answered, to ciaddr, when the lease has no yiaddr or lease time. */
	{
		struct dhcp_request r;
		struct dhcp_lease l;

		parse_ok(inform_opts, sizeof(inform_opts), 0, IP4(10, 1, 0, 4), &r);
		make_lease(&l);
		l.yiaddr = 0;
		l.lease_s = 0;
		len = dhcp_build_reply(f, sizeof(f), &r, &l);
		check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), 0, IP4(10, 1, 0, 4), 0, &n);
	}
}

static void
test_renewal_unicasts_to_ciaddr(void **state)
{
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o;
	size_t n;
	int len;

	(void)state;
	len = reply_to(renew_opts, sizeof(renew_opts), 0, IP4(10, 1, 0, 4), f);
	o = check_reply(
		f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, &n);
	assert_ack_with_lease(o, n);
	/* ciaddr wins over the broadcast flag (RFC 2131 4.1). */
	len = reply_to(renew_opts, sizeof(renew_opts), BCAST_FLAG, IP4(10, 1, 0, 4), f);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), IP4(10, 1, 0, 4),
		BCAST_FLAG, &n);
	assert_ack_with_lease(o, n);
	/* Renewing an address that is not the client's: NAK, broadcast, ciaddr 0. */
	len = reply_to(renew_opts, sizeof(renew_opts), 0, IP4(10, 1, 0, 99), f);
	o = check_reply(f, len, &vm_mac, IP4(255, 255, 255, 255), 0, 0, 0, &n);
	assert_int_equal(o[2], DHCP_NAK);
}

static void
test_infinite_lease_has_no_t1_t2(void **state)
{
	struct dhcp_request r;
	struct dhcp_lease l;
	uint8_t f[DHCP_REPLY_MAX];
	const uint8_t *o, *p;
	size_t n;
	int len;

	(void)state;
	parse_ok(discover_opts, sizeof(discover_opts), 0, 0, &r);
	make_lease(&l);
	l.lease_s = UINT32_MAX;
	len = dhcp_build_reply(f, sizeof(f), &r, &l);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_non_null(p = find_opt(o, n, 51));
	assert_int_equal(rd32(p + 2), UINT32_MAX);
	assert_null(find_opt(o, n, 58));
	assert_null(find_opt(o, n, 59));
	/* Unset fields leave their options out. */
	l.lease_s = 0x7fffffff; /* T2 does not overflow */
	l.netmask = l.router = l.broadcast = 0;
	l.n_dns = 0;
	l.domain[0] = 0;
	l.mtu = 0;
	len = dhcp_build_reply(f, sizeof(f), &r, &l);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_non_null(p = find_opt(o, n, 59));
	assert_int_equal(rd32(p + 2), (uint32_t)((uint64_t)0x7fffffff * 7 / 8));
	assert_null(find_opt(o, n, 1));
	assert_null(find_opt(o, n, 3));
	assert_null(find_opt(o, n, 6));
	assert_null(find_opt(o, n, 15));
	assert_null(find_opt(o, n, 26));
	assert_null(find_opt(o, n, 28));
}

static void
test_build_needs_room(void **state)
{
	struct dhcp_request r;
	struct dhcp_lease l;
	uint8_t f[DHCP_REPLY_MAX + 1];
	const uint8_t *o, *p;
	size_t n;
	int len;
	unsigned int i;

	(void)state;
	parse_ok(discover_opts, sizeof(discover_opts), 0, 0, &r);
	make_lease(&l);
	len = dhcp_build_reply(f, sizeof(f), &r, &l);
	assert_true(len > 0);
	memset(f, 0xee, sizeof(f));
	assert_int_equal(dhcp_build_reply(f, (uint32_t)len - 1, &r, &l), -ENOSPC);
	assert_int_equal(dhcp_build_reply(f, 0, &r, &l), -ENOSPC);
	assert_int_equal(f[0], 0xee); /* nothing written */
	assert_int_equal(dhcp_build_reply(f, (uint32_t)len, &r, &l), len);

	/* The largest reply: 4 DNS servers, a 64-byte domain, a 64-byte client id. */
	l.n_dns = 4;
	l.dns[2] = IP4(1, 1, 1, 1);
	l.dns[3] = IP4(9, 9, 9, 9);
	memset(l.domain, 'd', sizeof(l.domain)); /* no NUL: all 64 bytes */
	r.client_id_len = DHCP_MAX_CLIENT_ID;
	memset(r.client_id, 0x42, DHCP_MAX_CLIENT_ID);
	len = dhcp_build_reply(f, DHCP_REPLY_MAX, &r, &l);
	assert_true(len > 0 && len <= DHCP_REPLY_MAX);
	o = check_reply(f, len, &vm_mac, IP4(10, 1, 0, 4), IP4(10, 1, 0, 4), 0, 0, &n);
	assert_non_null(p = find_opt(o, n, 6));
	assert_int_equal(p[1], 16);
	assert_non_null(p = find_opt(o, n, 15));
	assert_int_equal(p[1], 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(p[2 + i], 'd');
	assert_non_null(p = find_opt(o, n, 61));
	assert_int_equal(p[1], 64);
	assert_int_equal(dhcp_build_reply(f, (uint32_t)len - 1, &r, &l), -ENOSPC);
}

static void
test_build_rejects_bad_args(void **state)
{
	struct dhcp_request r;
	struct dhcp_lease l;
	uint8_t f[DHCP_REPLY_MAX];

	(void)state;
	parse_ok(discover_opts, sizeof(discover_opts), 0, 0, &r);
	make_lease(&l);
	assert_int_equal(dhcp_build_reply(NULL, sizeof(f), &r, &l), -EINVAL);
	assert_int_equal(dhcp_build_reply(f, sizeof(f), NULL, &l), -EINVAL);
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, NULL), -EINVAL);
	l.server_id = 0;
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, &l), -EINVAL);
	make_lease(&l);
	l.n_dns = DHCP_MAX_DNS + 1;
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, &l), -EINVAL);
	make_lease(&l);
	l.mtu = 67;
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, &l), -EINVAL);
	l.mtu = 68;
	assert_true(dhcp_build_reply(f, sizeof(f), &r, &l) > 0);
	make_lease(&l);
	l.yiaddr = 0;
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, &l), -EINVAL);
	make_lease(&l);
	l.lease_s = 0;
	assert_int_equal(dhcp_build_reply(f, sizeof(f), &r, &l), -EINVAL);
}

/* Every cut of the frame, from an exact-size heap copy: never DHCP_OK. */
static void
test_parse_truncated(void **state)
{
	struct client_msg m = {.opts = discover_opts, .opts_len = sizeof(discover_opts)};
	uint8_t f[1024];
	struct dhcp_request r;
	size_t full, len;
	unsigned int ihl;

	(void)state;
	for (ihl = 5; ihl <= 7; ihl += 2) {
		m.ihl = ihl;
		full = client_frame(f, &m);
		for (len = 0; len < full; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			enum dhcp_parse_err err;

			assert_non_null(copy);
			memcpy(copy, f, len);
			err = dhcp_parse(copy, (uint32_t)len, &r);
			free(copy);
			assert_true(err == DHCP_MALFORMED || err == DHCP_NOT_DHCP);
		}
	}
}

/*
 * The message cut with the IP and UDP lengths made to agree: a cut in the
 * fixed part is malformed, a cut inside an option is malformed, a cut between
 * options parses (the end option is not required).
 */
static void
test_parse_truncated_consistent_lengths(void **state)
{
	struct client_msg m = {
		.opts = discover_opts, .opts_len = sizeof(discover_opts), .no_pad = true};
	static const size_t boundaries[] = {3, 12, 18, 26, 30, 35, 36};
	uint8_t f[1024];
	struct dhcp_request r;
	size_t full, len, i;

	(void)state;
	full = client_frame(f, &m);
	for (len = ETH_LEN + IP_LEN + UDP_LEN; len <= full; len++) {
		const size_t blen = len - ETH_LEN - IP_LEN - UDP_LEN;
		uint8_t *copy = malloc(len);
		enum dhcp_parse_err err, want = DHCP_MALFORMED;

		assert_non_null(copy);
		memcpy(copy, f, len);
		wr16(copy + ETH_LEN + 2, (uint16_t)(len - ETH_LEN));
		wr16(copy + ETH_LEN + IP_LEN + 4, (uint16_t)(len - ETH_LEN - IP_LEN));
		for (i = 0; i < RTE_DIM(boundaries); i++)
			if (blen == BOOTP_OPTS + boundaries[i])
				want = DHCP_OK;
		err = dhcp_parse(copy, (uint32_t)len, &r);
		free(copy);
		assert_int_equal(err, want);
	}
}

static void
expect_malformed_opts(const uint8_t *opts, size_t n)
{
	const struct client_msg m = {.opts = opts, .opts_len = n, .no_pad = true};
	uint8_t f[1024];
	struct dhcp_request r;
	size_t len = client_frame(f, &m);

	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
}

static void
test_parse_rejects_malformed(void **state)
{
	static const struct {
		size_t off; /* from the start of the BOOTP message */
		uint8_t val;
	} pokes[] = {
		{0, 2},    /* op BOOTREPLY */
		{0, 0},    /* op 0 */
		{1, 6},    /* htype IEEE 802 */
		{2, 16},   /* hlen 16 */
		{236, 98}, /* cookie */
		{239, 0},  /* cookie */
	};
	static const uint8_t overrun[] = {53, 1, 1, 12, 10, 'v', 'm'};
	static const uint8_t no_len[] = {53, 1, 1, 12};
	static const uint8_t no_type[] = {50, 4, 10, 1, 0, 4, 255};
	static const uint8_t type_after_end[] = {255, 53, 1, 1};
	static const uint8_t type_len_2[] = {53, 2, 1, 1, 255};
	static const uint8_t type_len_0[] = {53, 0, 255};
	static const uint8_t type_zero[] = {53, 1, 0, 255};
	static const uint8_t type_twice[] = {53, 1, 1, 53, 1, 3, 255};
	static const uint8_t short_req_ip[] = {53, 1, 3, 50, 3, 10, 1, 0, 255};
	static const uint8_t short_server_id[] = {53, 1, 3, 54, 5, 10, 1, 0, 1, 0, 255};
	static const uint8_t bad_max_size[] = {53, 1, 1, 57, 1, 5, 255};
	uint8_t f[1024];
	struct dhcp_request r;
	size_t len, i;

	(void)state;
	for (i = 0; i < RTE_DIM(pokes); i++) {
		len = simple_frame(f, discover_opts, sizeof(discover_opts), 0, 0);
		f[ETH_LEN + IP_LEN + UDP_LEN + pokes[i].off] = pokes[i].val;
		assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	}
	expect_malformed_opts(overrun, sizeof(overrun));
	expect_malformed_opts(no_len, sizeof(no_len));
	expect_malformed_opts(no_type, sizeof(no_type));
	expect_malformed_opts(type_after_end, sizeof(type_after_end));
	expect_malformed_opts(type_len_2, sizeof(type_len_2));
	expect_malformed_opts(type_len_0, sizeof(type_len_0));
	expect_malformed_opts(type_zero, sizeof(type_zero));
	expect_malformed_opts(type_twice, sizeof(type_twice));
	expect_malformed_opts(short_req_ip, sizeof(short_req_ip));
	expect_malformed_opts(short_server_id, sizeof(short_server_id));
	expect_malformed_opts(bad_max_size, sizeof(bad_max_size));
	expect_malformed_opts(NULL, 0); /* no options at all */

	/* Header lengths that do not fit. */
	len = simple_frame(f, discover_opts, sizeof(discover_opts), 0, 0);
	f[ETH_LEN] = 0x44; /* ihl 4 */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	f[ETH_LEN] = 0x65; /* version 6 */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	len = simple_frame(f, discover_opts, sizeof(discover_opts), 0, 0);
	wr16(f + ETH_LEN + 2, (uint16_t)(len - ETH_LEN + 1)); /* IP longer than the frame */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	wr16(f + ETH_LEN + 2, IP_LEN + UDP_LEN - 1); /* no room for UDP */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	len = simple_frame(f, discover_opts, sizeof(discover_opts), 0, 0);
	wr16(f + ETH_LEN + IP_LEN + 4, (uint16_t)(len - ETH_LEN - IP_LEN + 1)); /* UDP > IP */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	wr16(f + ETH_LEN + IP_LEN + 4, 7); /* UDP < its header */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	wr16(f + ETH_LEN + IP_LEN + 4, UDP_LEN + BOOTP_OPTS - 1); /* no cookie */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	wr16(f + ETH_LEN + IP_LEN + 4, UDP_LEN + BOOTP_OPTS); /* cookie but no option 53 */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
	wr16(f + ETH_LEN + IP_LEN + 4, UDP_LEN + BOOTP_OPTS + 3); /* just option 53 */
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_OK);
	/* IPv4 options reaching past the IP packet. */
	len = simple_frame(f, discover_opts, sizeof(discover_opts), 0, 0);
	wr16(f + ETH_LEN + 2, 60 + 7);
	f[ETH_LEN] = 0x4f;
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_MALFORMED);
}

static void
test_parse_not_dhcp(void **state)
{
	struct client_msg m = {.opts = discover_opts, .opts_len = sizeof(discover_opts)};
	static const uint16_t frags[] = {0x2000, 0x0001, 0x1fff, 0x3fff};
	uint8_t f[1024];
	struct dhcp_request r;
	size_t len, i;

	(void)state;
	m.dport = 68; /* a server's message */
	m.sport = 67;
	len = client_frame(f, &m);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	m.dport = 0; /* from a relay (67 to 67) */
	len = client_frame(f, &m);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	m.sport = 0;
	m.dport = 53;
	len = client_frame(f, &m);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	m.dport = 0;
	m.proto = 6; /* TCP */
	len = client_frame(f, &m);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	m.proto = 0;
	for (i = 0; i < RTE_DIM(frags); i++) {
		m.frag = frags[i];
		len = client_frame(f, &m);
		assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	}
	m.frag = 0x4000; /* DF */
	len = client_frame(f, &m);
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_OK);
	m.frag = 0;
	len = client_frame(f, &m);
	f[12] = 0x08; /* ARP */
	f[13] = 0x06;
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	f[12] = 0x86; /* IPv6 */
	f[13] = 0xdd;
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
	f[12] = 0x81; /* 802.1Q: only untagged frames are parsed */
	f[13] = 0x00;
	assert_int_equal(dhcp_parse(f, (uint32_t)len, &r), DHCP_NOT_DHCP);
}

/*
 * Random byte changes to valid messages, from exact-size heap copies: any
 * answer is fine but it must be one of the enum and, when DHCP_OK, the reply
 * must build. Meaningful under ASan/UBSan (-Dsanitizers=address,undefined).
 */
static void
test_parse_mutations(void **state)
{
	const uint8_t *const sets[] = {discover_opts, selecting_opts, inform_opts};
	const size_t sizes[] = {sizeof(discover_opts), sizeof(selecting_opts), sizeof(inform_opts)};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct dhcp_lease l;
	unsigned int it, k, ok = 0;

	(void)state;
	make_lease(&l);
	for (it = 0; it < 30000; it++) {
		const unsigned int s = it % 3;
		struct client_msg m = {.opts = sets[s], .opts_len = sizes[s], .no_pad = it & 4};
		uint8_t f[1024], out[DHCP_REPLY_MAX], *copy;
		struct dhcp_request r;
		enum dhcp_parse_err err;
		size_t len;
		int rc;

		m.ihl = (it & 8) ? 6 : 5;
		len = client_frame(f, &m);
		for (k = 0; k < 1 + (it % 4); k++) {
			size_t pos;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly hit the option area, sometimes anywhere. */
			if (x & 1)
				pos = len - 1 -
				      (size_t)((x >> 8) %
					       (len - ETH_LEN - IP_LEN - UDP_LEN - BOOTP_OPTS));
			else
				pos = (size_t)((x >> 8) % len);
			f[pos] = (uint8_t)(x >> 40);
		}
		if (it & 16)
			len -= (x >> 48) % 8;
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, f, len);
		err = dhcp_parse(copy, (uint32_t)len, &r);
		(void)dhcp_is_client_packet(copy, (uint32_t)len);
		free(copy);
		assert_true(err == DHCP_OK || err == DHCP_NOT_DHCP || err == DHCP_MALFORMED);
		if (err != DHCP_OK)
			continue;
		ok++;
		assert_true(r.n_params <= DHCP_MAX_PARAMS);
		assert_true(r.client_id_len <= DHCP_MAX_CLIENT_ID);
		rc = dhcp_build_reply(out, sizeof(out), &r, &l);
		assert_true(rc > 0 || rc == -ENOMSG);
	}
	assert_true(ok > 1000); /* the loop did exercise the option parser */
}

static void
test_msg_type_name(void **state)
{
	(void)state;
	assert_string_equal(dhcp_msg_type_name(DHCP_DISCOVER), "discover");
	assert_string_equal(dhcp_msg_type_name(DHCP_OFFER), "offer");
	assert_string_equal(dhcp_msg_type_name(DHCP_REQUEST), "request");
	assert_string_equal(dhcp_msg_type_name(DHCP_DECLINE), "decline");
	assert_string_equal(dhcp_msg_type_name(DHCP_ACK), "ack");
	assert_string_equal(dhcp_msg_type_name(DHCP_NAK), "nak");
	assert_string_equal(dhcp_msg_type_name(DHCP_RELEASE), "release");
	assert_string_equal(dhcp_msg_type_name(DHCP_INFORM), "inform");
	assert_string_equal(dhcp_msg_type_name(0), "unknown");
	assert_string_equal(dhcp_msg_type_name(9), "unknown");
	assert_string_equal(dhcp_msg_type_name(255), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_discover),
		cmocka_unit_test(test_parse_request_and_inform),
		cmocka_unit_test(test_parse_ip_options_and_padding),
		cmocka_unit_test(test_parse_long_and_repeated_options),
		cmocka_unit_test(test_is_client_packet),
		cmocka_unit_test(test_offer_unicast_byte_exact),
		cmocka_unit_test(test_offer_broadcast),
		cmocka_unit_test(test_request_selecting_acks),
		cmocka_unit_test(test_request_init_reboot_acks),
		cmocka_unit_test(test_request_other_ip_naks),
		cmocka_unit_test(test_request_other_server_is_silent),
		cmocka_unit_test(test_release_decline_and_others_are_silent),
		cmocka_unit_test(test_inform_acks_without_lease),
		cmocka_unit_test(test_renewal_unicasts_to_ciaddr),
		cmocka_unit_test(test_infinite_lease_has_no_t1_t2),
		cmocka_unit_test(test_build_needs_room),
		cmocka_unit_test(test_build_rejects_bad_args),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_truncated_consistent_lengths),
		cmocka_unit_test(test_parse_rejects_malformed),
		cmocka_unit_test(test_parse_not_dhcp),
		cmocka_unit_test(test_parse_mutations),
		cmocka_unit_test(test_msg_type_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
