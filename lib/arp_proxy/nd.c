/* SPDX-License-Identifier: BSD-3-Clause
 * lib/arp_proxy/nd: IPv6 Neighbor Discovery (RFC 4861) for the VM side.
 *
 * Owns: the validity checks of RFC 4861 6.1 and 7.1 on RS, RA, NS and NA
 * (untagged Ethernet, no IPv6 extension headers), the NA that answers an NS,
 * the RA with its SLL, MTU, prefix information and RDNSS (RFC 8106) options,
 * and the address helpers (modified EUI-64, solicited-node, 33:33 MACs).
 *
 * Frames are byte buffers at any alignment. The IPv6 header is copied in and
 * out of a local struct rte_ipv6_hdr; ICMPv6 fields are read and written by
 * byte offset. The ICMPv6 checksum is DPDK's UDP/TCP one: the pseudo-header
 * (RFC 8200 8.1) is the same with next header 58, and DPDK only treats UDP
 * specially (a zero result sent as 0xffff).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "nd.h"
#include "hnv_wire.h"

#define ETH_HLEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define IP6_HLEN ((uint32_t)sizeof(struct rte_ipv6_hdr))
#define L4_OFF (ETH_HLEN + IP6_HLEN) /* the ICMPv6 message */
#define IPPROTO_ICMP6 58
#define ND_HOP_LIMIT 255

/* ICMPv6 header. */
#define ICMP_TYPE 0
#define ICMP_CODE 1
#define ICMP_CKSUM 2
#define ICMP_HLEN 4

/* Fixed part of each message, options follow (RFC 4861 4.1 to 4.4). */
#define RS_LEN 8u
#define RA_LEN 16u
#define NS_LEN 24u
#define NA_LEN 24u
#define RA_CUR_HOP 4
#define RA_FLAGS 5
#define RA_LIFETIME 6
#define RA_REACHABLE 8
#define RA_RETRANS 12
#define NA_FLAGS 4
#define NSNA_TARGET 8

/* Options: type, length in units of 8 bytes. */
#define OPT_UNIT 8u
#define OPT_LLADDR_LEN 8u  /* SLL/TLL on Ethernet: 1 unit */
#define OPT_MTU_LEN 8u     /* 4.6.4 */
#define OPT_PREFIX_LEN 32u /* 4.6.2 */
#define OPT_RDNSS_HLEN 8u  /* RFC 8106 5.1, then the addresses */

const uint8_t nd_all_nodes[ND_ADDR_LEN] = {0xff, 0x02, [15] = 0x01};
const uint8_t nd_all_routers[ND_ADDR_LEN] = {0xff, 0x02, [15] = 0x02};

bool
nd_is_link_local(const uint8_t ip[ND_ADDR_LEN])
{
	return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

bool
nd_is_multicast(const uint8_t ip[ND_ADDR_LEN])
{
	return ip[0] == 0xff;
}

bool
nd_is_unspecified(const uint8_t ip[ND_ADDR_LEN])
{
	static const uint8_t zero[ND_ADDR_LEN];

	return memcmp(ip, zero, ND_ADDR_LEN) == 0;
}

/* ff02::1:ff00:0/104 */
static bool
is_solicited_node(const uint8_t ip[ND_ADDR_LEN])
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	return memcmp(ip, pfx, sizeof(pfx)) == 0;
}

bool
nd_is_candidate(const uint8_t *frame, uint32_t len)
{
	const uint8_t *ip = frame + ETH_HLEN;
	uint8_t type;

	if (len < L4_OFF + 1)
		return false;
	if (hnv_rd16(frame + 12) != RTE_ETHER_TYPE_IPV6 || (ip[0] >> 4) != 6 ||
		ip[offsetof(struct rte_ipv6_hdr, proto)] != IPPROTO_ICMP6)
		return false;
	type = frame[L4_OFF + ICMP_TYPE];
	return type >= ND_RS && type <= ND_NA;
}

/*
 * Walk the options in [@p off, @p end) of the ICMPv6 message @p m. Every
 * option must have a non-zero length and fit; the first link-layer option of
 * type @p ll_type (0 for none) is recorded in @p ll.
 */
static bool
parse_options(const uint8_t *m, uint32_t off, uint32_t end, uint8_t ll_type, bool *has_ll,
	struct rte_ether_addr *ll)
{
	while (off < end) {
		uint32_t olen;

		if (end - off < 2)
			return false;
		olen = m[off + 1] * OPT_UNIT;
		if (olen == 0 || olen > end - off)
			return false;
		if (ll_type != 0 && m[off] == ll_type) {
			if (olen != OPT_LLADDR_LEN)
				return false;
			if (!*has_ll) {
				memcpy(ll, m + off + 2, RTE_ETHER_ADDR_LEN);
				*has_ll = true;
			}
		}
		off += olen;
	}
	return true;
}

enum nd_parse_err
nd_parse(const uint8_t *frame, uint32_t len, struct nd_pkt *out)
{
	struct rte_ipv6_hdr ip6;
	struct nd_pkt p;
	const uint8_t *m;
	uint32_t mlen, fixed;
	uint8_t ll_type;
	bool *has_ll;
	struct rte_ether_addr *ll;

	if (len < ETH_HLEN)
		return ND_MALFORMED;
	if (hnv_rd16(frame + 12) != RTE_ETHER_TYPE_IPV6)
		return ND_NOT_ND;
	if (len < L4_OFF)
		return ND_MALFORMED;
	memcpy(&ip6, frame + ETH_HLEN, IP6_HLEN);
	if ((frame[ETH_HLEN] >> 4) != 6 || ip6.proto != IPPROTO_ICMP6)
		return ND_NOT_ND;
	if (len < L4_OFF + 1)
		return ND_MALFORMED;
	m = frame + L4_OFF;
	switch (m[ICMP_TYPE]) {
	case ND_RS:
		fixed = RS_LEN;
		break;
	case ND_RA:
		fixed = RA_LEN;
		break;
	case ND_NS:
		fixed = NS_LEN;
		break;
	case ND_NA:
		fixed = NA_LEN;
		break;
	default:
		return ND_NOT_ND;
	}

	/* From here on it is ND: anything wrong is malformed. */
	mlen = rte_be_to_cpu_16(ip6.payload_len);
	if (mlen > len - L4_OFF || mlen < fixed)
		return ND_MALFORMED;
	if (ip6.hop_limits != ND_HOP_LIMIT || m[ICMP_CODE] != 0)
		return ND_MALFORMED;
	if (rte_ipv6_udptcp_cksum_verify(&ip6, m) != 0)
		return ND_MALFORMED;
	if (nd_is_multicast(ip6.src_addr))
		return ND_MALFORMED;

	memset(&p, 0, sizeof(p));
	p.kind = m[ICMP_TYPE];
	memcpy(&p.eth_dst, frame, RTE_ETHER_ADDR_LEN);
	memcpy(&p.eth_src, frame + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(p.ip_src, ip6.src_addr, ND_ADDR_LEN);
	memcpy(p.ip_dst, ip6.dst_addr, ND_ADDR_LEN);
	if (p.kind == ND_NS || p.kind == ND_NA) {
		memcpy(p.target, m + NSNA_TARGET, ND_ADDR_LEN);
		if (nd_is_multicast(p.target))
			return ND_MALFORMED;
	}
	if (p.kind == ND_NA) {
		ll_type = ND_OPT_TLL;
		has_ll = &p.has_tll;
		ll = &p.tll;
	} else {
		ll_type = ND_OPT_SLL;
		has_ll = &p.has_sll;
		ll = &p.sll;
	}
	if (!parse_options(m, fixed, mlen, ll_type, has_ll, ll))
		return ND_MALFORMED;

	switch (p.kind) {
	case ND_RS:
		if (nd_is_unspecified(p.ip_src) && p.has_sll)
			return ND_MALFORMED;
		break;
	case ND_RA:
		if (!nd_is_link_local(p.ip_src))
			return ND_MALFORMED;
		break;
	case ND_NS:
		if (nd_is_unspecified(p.ip_src) && (!is_solicited_node(p.ip_dst) || p.has_sll))
			return ND_MALFORMED;
		break;
	case ND_NA:
		p.na_flags = m[NA_FLAGS] &
			     (ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
		if (nd_is_multicast(p.ip_dst) && (p.na_flags & ND_NA_FLAG_SOLICITED))
			return ND_MALFORMED;
		break;
	}
	*out = p;
	return ND_OK;
}

bool
nd_is_dad(const struct nd_pkt *p)
{
	return p->kind == ND_NS && nd_is_unspecified(p->ip_src);
}

/* Ethernet and IPv6 headers; @p ip6 keeps the IPv6 header for the checksum. */
static void
write_l2_l3(uint8_t *buf, const struct rte_ether_addr *dst_mac,
	const struct rte_ether_addr *src_mac, const uint8_t *src_ip, const uint8_t *dst_ip,
	uint32_t mlen, struct rte_ipv6_hdr *ip6)
{
	memcpy(buf, dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(buf + RTE_ETHER_ADDR_LEN, src_mac, RTE_ETHER_ADDR_LEN);
	hnv_wr16(buf + 12, RTE_ETHER_TYPE_IPV6);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28); /* traffic class 0, flow label 0 */
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)mlen);
	ip6->proto = IPPROTO_ICMP6;
	ip6->hop_limits = ND_HOP_LIMIT;
	memcpy(ip6->src_addr, src_ip, ND_ADDR_LEN);
	memcpy(ip6->dst_addr, dst_ip, ND_ADDR_LEN);
	memcpy(buf + ETH_HLEN, ip6, IP6_HLEN);
}

/* Fill in the checksum of the ICMPv6 message @p m (its checksum field zero). */
static void
write_cksum(uint8_t *m, const struct rte_ipv6_hdr *ip6)
{
	const uint16_t ck = rte_ipv6_udptcp_cksum(ip6, m);

	memcpy(m + ICMP_CKSUM, &ck, sizeof(ck)); /* already in network order */
}

static void
write_lladdr_opt(uint8_t *o, uint8_t type, const struct rte_ether_addr *mac)
{
	o[0] = type;
	o[1] = OPT_LLADDR_LEN / OPT_UNIT;
	memcpy(o + 2, mac, RTE_ETHER_ADDR_LEN);
}

int
nd_build_na(uint8_t *buf, uint32_t size, const struct nd_pkt *ns, const struct rte_ether_addr *mac,
	bool router)
{
	const uint32_t mlen = NA_LEN + OPT_LLADDR_LEN;
	struct rte_ether_addr all_nodes_mac;
	const struct rte_ether_addr *dst_mac = &ns->eth_src;
	const uint8_t *dst_ip = ns->ip_src;
	uint8_t flags = ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE;
	struct rte_ipv6_hdr ip6;
	uint8_t *m;

	if (ns->kind != ND_NS || nd_is_multicast(ns->target) || nd_is_unspecified(ns->target))
		return -EINVAL;
	if (size < ND_NA_FRAME_LEN)
		return -ENOSPC;
	if (nd_is_dad(ns)) {
		nd_multicast_mac(nd_all_nodes, &all_nodes_mac);
		dst_mac = &all_nodes_mac;
		dst_ip = nd_all_nodes;
		flags &= (uint8_t)~ND_NA_FLAG_SOLICITED;
	}
	if (router)
		flags |= ND_NA_FLAG_ROUTER;

	write_l2_l3(buf, dst_mac, mac, ns->target, dst_ip, mlen, &ip6);
	m = buf + L4_OFF;
	memset(m, 0, mlen);
	m[ICMP_TYPE] = ND_NA;
	m[NA_FLAGS] = flags;
	memcpy(m + NSNA_TARGET, ns->target, ND_ADDR_LEN);
	write_lladdr_opt(m + NA_LEN, ND_OPT_TLL, mac);
	write_cksum(m, &ip6);
	return (int)ND_NA_FRAME_LEN;
}

int
nd_build_ns(uint8_t *buf, uint32_t size, const struct rte_ether_addr *mac,
	const uint8_t src[ND_ADDR_LEN], const uint8_t target[ND_ADDR_LEN])
{
	const uint32_t mlen = NS_LEN + OPT_LLADDR_LEN;
	struct rte_ether_addr dst_mac;
	uint8_t group[ND_ADDR_LEN];
	struct rte_ipv6_hdr ip6;
	uint8_t *m;

	if (nd_is_multicast(target) || nd_is_unspecified(target) || nd_is_unspecified(src))
		return -EINVAL;
	if (size < ND_NS_FRAME_LEN)
		return -ENOSPC;
	nd_solicited_node(target, group);
	nd_multicast_mac(group, &dst_mac);
	write_l2_l3(buf, &dst_mac, mac, src, group, mlen, &ip6);
	m = buf + L4_OFF;
	memset(m, 0, mlen);
	m[ICMP_TYPE] = ND_NS;
	memcpy(m + NSNA_TARGET, target, ND_ADDR_LEN);
	write_lladdr_opt(m + NS_LEN, ND_OPT_SLL, mac);
	write_cksum(m, &ip6);
	return (int)ND_NS_FRAME_LEN;
}

static bool
ra_params_valid(const struct nd_ra_params *ra)
{
	unsigned int i;

	if (!nd_is_link_local(ra->router_ll) || ra->n_prefixes > ND_RA_MAX_PREFIXES ||
		ra->n_dns > ND_RA_MAX_DNS)
		return false;
	if (ra->mtu != 0 && ra->mtu < RTE_IPV6_MIN_MTU)
		return false;
	for (i = 0; i < ra->n_prefixes; i++)
		if (ra->prefixes[i].len > 128 ||
			ra->prefixes[i].preferred_s > ra->prefixes[i].valid_s)
			return false;
	return true;
}

/* The prefix with the bits past @p len cleared (RFC 4861 4.6.2: reserved, zero). */
static void
write_prefix(uint8_t *out, const uint8_t *prefix, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < ND_ADDR_LEN; i++) {
		if (len >= 8 * (i + 1))
			out[i] = prefix[i];
		else if (len > 8 * i)
			out[i] = prefix[i] & (uint8_t)(0xff << (8 - (len - 8 * i)));
		else
			out[i] = 0;
	}
}

int
nd_build_ra(uint8_t *buf, uint32_t size, const struct nd_ra_params *ra,
	const struct rte_ether_addr *dst_mac, const uint8_t dst_ip[ND_ADDR_LEN])
{
	struct rte_ipv6_hdr ip6;
	uint32_t mlen, off;
	unsigned int i;
	uint8_t *m;

	if (!ra_params_valid(ra))
		return -EINVAL;
	mlen = RA_LEN + OPT_LLADDR_LEN + (ra->mtu != 0 ? OPT_MTU_LEN : 0) +
	       OPT_PREFIX_LEN * ra->n_prefixes +
	       (ra->n_dns != 0 ? OPT_RDNSS_HLEN + ND_ADDR_LEN * ra->n_dns : 0);
	if (size < L4_OFF + mlen)
		return -ENOSPC;

	write_l2_l3(buf, dst_mac, &ra->router_mac, ra->router_ll, dst_ip, mlen, &ip6);
	m = buf + L4_OFF;
	memset(m, 0, mlen);
	m[ICMP_TYPE] = ND_RA;
	m[RA_CUR_HOP] = ra->cur_hop_limit;
	m[RA_FLAGS] = (ra->managed ? ND_RA_FLAG_MANAGED : 0) | (ra->other ? ND_RA_FLAG_OTHER : 0);
	hnv_wr16(m + RA_LIFETIME, ra->router_lifetime_s);
	hnv_wr32(m + RA_REACHABLE, ra->reachable_ms);
	hnv_wr32(m + RA_RETRANS, ra->retrans_ms);
	off = RA_LEN;

	write_lladdr_opt(m + off, ND_OPT_SLL, &ra->router_mac);
	off += OPT_LLADDR_LEN;

	if (ra->mtu != 0) {
		m[off] = ND_OPT_MTU;
		m[off + 1] = OPT_MTU_LEN / OPT_UNIT;
		hnv_wr32(m + off + 4, ra->mtu); /* after 2 reserved bytes */
		off += OPT_MTU_LEN;
	}

	for (i = 0; i < ra->n_prefixes; i++) {
		const struct nd_ra_prefix *pi = &ra->prefixes[i];

		m[off] = ND_OPT_PREFIX;
		m[off + 1] = OPT_PREFIX_LEN / OPT_UNIT;
		m[off + 2] = pi->len;
		m[off + 3] = (pi->on_link ? ND_PI_FLAG_ONLINK : 0) |
			     (pi->autonomous ? ND_PI_FLAG_AUTO : 0);
		hnv_wr32(m + off + 4, pi->valid_s);
		hnv_wr32(m + off + 8, pi->preferred_s);
		/* 4 reserved bytes at 12 */
		write_prefix(m + off + 16, pi->prefix, pi->len);
		off += OPT_PREFIX_LEN;
	}

	if (ra->n_dns != 0) {
		m[off] = ND_OPT_RDNSS;
		m[off + 1] = (uint8_t)((OPT_RDNSS_HLEN + ND_ADDR_LEN * ra->n_dns) / OPT_UNIT);
		hnv_wr32(m + off + 4, ra->dns_lifetime_s); /* after 2 reserved bytes */
		off += OPT_RDNSS_HLEN;
		for (i = 0; i < ra->n_dns; i++, off += ND_ADDR_LEN)
			memcpy(m + off, ra->dns[i], ND_ADDR_LEN);
	}

	write_cksum(m, &ip6);
	return (int)(L4_OFF + mlen);
}

int
nd_ra_dst_for_rs(
	const struct nd_pkt *rs, struct rte_ether_addr *dst_mac, uint8_t dst_ip[ND_ADDR_LEN])
{
	if (rs->kind != ND_RS)
		return -EINVAL;
	if (nd_is_unspecified(rs->ip_src)) {
		memcpy(dst_ip, nd_all_nodes, ND_ADDR_LEN);
		nd_multicast_mac(nd_all_nodes, dst_mac);
	} else {
		memcpy(dst_ip, rs->ip_src, ND_ADDR_LEN);
		*dst_mac = rs->eth_src;
	}
	return 0;
}

void
nd_link_local_from_mac(const struct rte_ether_addr *mac, uint8_t out[ND_ADDR_LEN])
{
	const uint8_t *b = mac->addr_bytes;

	memset(out, 0, ND_ADDR_LEN);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = b[0] ^ 0x02; /* U/L bit */
	out[9] = b[1];
	out[10] = b[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = b[3];
	out[14] = b[4];
	out[15] = b[5];
}

void
nd_solicited_node(const uint8_t ip[ND_ADDR_LEN], uint8_t out[ND_ADDR_LEN])
{
	uint8_t low[3];

	memcpy(low, ip + 13, sizeof(low)); /* @p out may be @p ip */
	memset(out, 0, ND_ADDR_LEN);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	memcpy(out + 13, low, sizeof(low));
}

void
nd_multicast_mac(const uint8_t ip[ND_ADDR_LEN], struct rte_ether_addr *out)
{
	out->addr_bytes[0] = 0x33;
	out->addr_bytes[1] = 0x33;
	memcpy(&out->addr_bytes[2], ip + 12, 4);
}

int
nd_format(char *buf, size_t size, const uint8_t ip[ND_ADDR_LEN])
{
	if (size > (size_t)INT32_MAX)
		size = INT32_MAX;
	if (inet_ntop(AF_INET6, ip, buf, (socklen_t)size) == NULL)
		return -ENOSPC;
	return (int)strlen(buf);
}
