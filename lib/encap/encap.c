/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: VXLAN (RFC 7348) and NVGRE (RFC 7637) outer headers.
 *
 * Owns: building an outer header template once (Ethernet, optional 802.1Q,
 * IPv4 or IPv6, UDP+VXLAN or GRE+NVGRE key) and stamping it in front of an inner
 * frame with the per-packet fields patched; the ECMP entropy hash of an inner
 * frame; parsing and validating a received tunnel packet.
 *
 * Everything works on plain byte buffers that may sit at any alignment, so
 * wire fields are read and written with memcpy-based helpers rather than by
 * casting the buffer to DPDK header structs. Nothing here needs the EAL,
 * allocates, prints or loops over anything but header bytes.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_gre.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "encap.h"
#include "hnv_wire.h"

#define ETH_HLEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define VLAN_HLEN ((uint32_t)sizeof(struct rte_vlan_hdr))
#define IPV4_HLEN ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define IPV6_HLEN ((uint32_t)sizeof(struct rte_ipv6_hdr))
#define UDP_HLEN ((uint32_t)sizeof(struct rte_udp_hdr))
#define VXLAN_HLEN ((uint32_t)sizeof(struct rte_vxlan_hdr))
#define GRE_HLEN ((uint32_t)sizeof(struct rte_gre_hdr))
#define GRE_KEY_LEN 4u

#define DEFAULT_TTL 64
#define VXLAN_FLAG_I 0x08 /* first byte of the VXLAN header */
/* GRE flags/version word (RFC 2784, RFC 2890). */
#define GRE_FLAG_C 0x8000
#define GRE_FLAG_K 0x2000
#define GRE_FLAG_S 0x1000
/* Bits 0..5 (C, reserved, K, S, reserved): receivers must discard on unknown ones. */
#define GRE_FLAGS_CHECKED 0xfc00
#define GRE_VERSION_MASK 0x0007

static inline bool
vsid_valid(uint32_t vsid)
{
	return vsid >= ENCAP_VSID_MIN && vsid <= ENCAP_VSID_MAX;
}

/* Ethernet and optional 802.1Q tag; returns the offset of the IP header. */
static uint8_t
build_l2(uint8_t *b, const struct encap_outer *o)
{
	uint8_t off = 2 * RTE_ETHER_ADDR_LEN;

	memcpy(b, &o->dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(b + RTE_ETHER_ADDR_LEN, &o->src_mac, RTE_ETHER_ADDR_LEN);
	if (o->vlan_id != 0) {
		hnv_wr16(b + off, RTE_ETHER_TYPE_VLAN);
		hnv_wr16(b + off + 2, o->vlan_id); /* PCP 0, DEI 0 */
		off += VLAN_HLEN;
	}
	hnv_wr16(b + off, o->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	return (uint8_t)(off + 2);
}

/* IPv6 header with payload length 0, patched per packet; no extension
 * headers. */
static void
build_ipv6(uint8_t *b, const struct encap_outer *o, uint8_t proto)
{
	hnv_wr32(b, (6u << 28) | ((uint32_t)o->tos << 20) | (o->flow_label & 0xfffff));
	hnv_wr16(b + 4, 0);
	b[6] = proto;
	b[7] = o->ttl != 0 ? o->ttl : DEFAULT_TTL;
	memcpy(b + 8, o->src6, 16);
	memcpy(b + 24, o->dst6, 16);
}

/*
 * IPv4 header with total length 0: the checksum then covers only the fixed
 * fields, and stamping adds the real length into it (RFC 1624).
 */
static void
build_ipv4(uint8_t *b, const struct encap_outer *o, uint8_t proto)
{
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.type_of_service = o->tos,
		.total_length = 0,
		.packet_id = 0,
		.fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = o->ttl != 0 ? o->ttl : DEFAULT_TTL,
		.next_proto_id = proto,
		.hdr_checksum = 0,
		.src_addr = o->src_ip,
		.dst_addr = o->dst_ip,
	};

	ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(b, &ip, sizeof(ip));
}

static void
build_ip(uint8_t *b, const struct encap_outer *o, uint8_t proto)
{
	if (o->ipv6)
		build_ipv6(b, o, proto);
	else
		build_ipv4(b, o, proto);
}

static inline uint16_t
cksum_fold(uint32_t sum)
{
	sum = (sum >> 16) + (sum & 0xffff);
	sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

int
encap_template_build(struct encap_template *t, enum encap_type type, const struct encap_outer *o,
	uint32_t vsid, uint16_t entropy)
{
	uint8_t *l4;

	if (type != ENCAP_TYPE_VXLAN && type != ENCAP_TYPE_NVGRE)
		return -EINVAL;
	if (!vsid_valid(vsid) || o->vlan_id > 4094)
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->type = (uint8_t)type;
	t->ipv6 = o->ipv6;
	t->l3_off = build_l2(t->bytes, o);
	t->l4_off = (uint8_t)(t->l3_off + (o->ipv6 ? IPV6_HLEN : IPV4_HLEN));
	l4 = t->bytes + t->l4_off;

	if (type == ENCAP_TYPE_VXLAN) {
		build_ip(t->bytes + t->l3_off, o, IPPROTO_UDP);
		hnv_wr16(l4, entropy); /* source port */
		hnv_wr16(l4 + 2, o->vxlan_port != 0 ? o->vxlan_port : ENCAP_VXLAN_PORT);
		/* length patched per packet, checksum 0 (RFC 7348 5) */
		l4[UDP_HLEN] = VXLAN_FLAG_I;            /* flags, then 3 reserved bytes */
		hnv_wr32(l4 + UDP_HLEN + 4, vsid << 8); /* VNI, 1 reserved byte */
		t->len = (uint8_t)(t->l4_off + UDP_HLEN + VXLAN_HLEN);
		if (o->ipv6) /* length and checksum are still 0 here */
			t->udp6_sum = cksum_fold(rte_raw_cksum(t->bytes + t->l3_off + 8, 32) +
						 rte_cpu_to_be_16(IPPROTO_UDP) +
						 rte_raw_cksum(l4, UDP_HLEN + VXLAN_HLEN));
	} else {
		build_ip(t->bytes + t->l3_off, o, IPPROTO_GRE);
		hnv_wr16(l4, GRE_FLAG_K); /* only K, version 0 */
		hnv_wr16(l4 + 2, RTE_ETHER_TYPE_TEB);
		hnv_wr32(l4 + GRE_HLEN, (vsid << 8) | (entropy & 0xff)); /* VSID, FlowID */
		t->len = (uint8_t)(t->l4_off + GRE_HLEN + GRE_KEY_LEN);
	}
	return 0;
}

/* IPv6: the payload length, and the UDP length (the same) for VXLAN. */
static void
stamp6(const struct encap_template *t, uint8_t *dst, uint16_t inner_len)
{
	const uint16_t plen = (uint16_t)(t->len - t->l4_off + inner_len);

	memcpy(dst, t->bytes, t->len);
	hnv_wr16(dst + t->l3_off + 4, plen);
	if (t->type == ENCAP_TYPE_VXLAN)
		hnv_wr16(dst + t->l4_off + 4, plen);
}

void
encap_template_stamp(const struct encap_template *t, uint8_t *dst, uint16_t inner_len)
{
	uint8_t *ip = dst + t->l3_off;
	const uint16_t tot = (uint16_t)(t->len - t->l3_off + inner_len);
	const uint16_t old_tot = hnv_rd16(t->bytes + t->l3_off + 2);
	const uint16_t hc = hnv_rd16(t->bytes + t->l3_off + 10);
	uint32_t sum;

	if (t->ipv6) {
		stamp6(t, dst, inner_len);
		return;
	}
	memcpy(dst, t->bytes, t->len);
	hnv_wr16(ip + 2, tot);
	/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). */
	sum = (uint32_t)(uint16_t)~hc + (uint16_t)~old_tot + tot;
	hnv_wr16(ip + 10, (uint16_t)~cksum_fold(sum));
	if (t->type == ENCAP_TYPE_VXLAN)
		hnv_wr16(dst + t->l4_off + 4, (uint16_t)(tot - IPV4_HLEN));
}

void
encap_template_stamp_nocksum(const struct encap_template *t, uint8_t *dst, uint16_t inner_len)
{
	const uint16_t tot = (uint16_t)(t->len - t->l3_off + inner_len);

	if (t->ipv6) {
		stamp6(t, dst, inner_len);
		return;
	}
	memcpy(dst, t->bytes, t->len);
	hnv_wr16(dst + t->l3_off + 2, tot);
	hnv_wr16(dst + t->l3_off + 10, 0);
	if (t->type == ENCAP_TYPE_VXLAN)
		hnv_wr16(dst + t->l4_off + 4, (uint16_t)(tot - IPV4_HLEN));
}

/* RFC 8200 8.1: the pseudo-header (addresses, upper-layer length, next
 * header 17), the UDP and VXLAN headers, then the inner frame, which
 * starts 16 bytes (an even number) into the UDP header, so that its sum
 * adds as it is. Every sum is rte_raw_cksum's: of 16-bit words as they lie
 * in memory, so that the folded result is stored as it is. */
void
encap_template_udp6_cksum(const struct encap_template *t, uint8_t *dst, uint16_t inner_sum)
{
	uint8_t *udp = dst + t->l4_off;
	uint16_t ulen, ck;

	if (!t->ipv6 || t->type != ENCAP_TYPE_VXLAN)
		return;
	/* Like rte_raw_cksum(), words as they lie in memory (the sum is
	 * byte-order independent, RFC 1071); the UDP length counts twice, in
	 * the pseudo-header and in the header. */
	memcpy(&ulen, udp + 4, 2);
	ck = (uint16_t)~cksum_fold((uint32_t)t->udp6_sum + ulen * 2u + inner_sum);
	if (ck == 0)
		ck = 0xffff;
	memcpy(udp + 6, &ck, 2);
}

/*
 * ECMP entropy. The exact byte sequence hashed, which other tools reimplement
 * and must match bit for bit:
 *
 *   crc = CRC32C(seq), reflected polynomial 0x82f63b78, initial value
 *         0xffffffff, no final inversion (= rte_hash_crc(seq, n, 0xffffffff)).
 *
 *   1. If len < 14: seq = frame[0 .. len) (whatever part of the MACs exists).
 *   2. EtherType E = frame[12..13]. While fewer than two tags were skipped and
 *      E is 0x8100 or 0x88a8 and the frame holds the next EtherType (4 bytes
 *      further), skip the tag: E = the 2 bytes 4 further on. L3 starts right
 *      after E.
 *   3. IPv4, if E == 0x0800, at least 20 bytes of L3 are present, the version
 *      is 4 and IHL >= 5:
 *        seq = src ip (4) | dst ip (4) | protocol (1)                 9 bytes
 *      and, if protocol is 6, 17 or 132, the packet is not a fragment (MF
 *      clear and offset 0) and the 4 bytes at L3 + IHL*4 are present:
 *        seq |= src port (2) | dst port (2)                         13 bytes
 *   4. Otherwise:
 *        seq = dst MAC (6) | src MAC (6) | E (2)                    14 bytes
 *
 * All fields are copied as they are on the wire (network byte order).
 */
uint32_t
encap_flow_hash(const struct encap_flow_fields *f)
{
	/* Aligned, because rte_hash_crc() loads 8/4/2 bytes at a time. */
	union {
		uint64_t align;
		uint8_t b[40];
	} seq;
	uint32_t n;

	if (f->is_ipv6) {
		memcpy(seq.b, f->src6, 16);
		memcpy(seq.b + 16, f->dst6, 16);
		seq.b[32] = f->proto;
		n = 33;
		if (f->has_ports) {
			memcpy(seq.b + 33, &f->sport, 2);
			memcpy(seq.b + 35, &f->dport, 2);
			n = 37;
		}
	} else if (f->is_ipv4) {
		memcpy(seq.b, &f->src_ip, 4);
		memcpy(seq.b + 4, &f->dst_ip, 4);
		seq.b[8] = f->proto;
		n = 9;
		if (f->has_ports) {
			memcpy(seq.b + 9, &f->sport, 2);
			memcpy(seq.b + 11, &f->dport, 2);
			n = 13;
		}
	} else {
		memcpy(seq.b, &f->dst_mac, RTE_ETHER_ADDR_LEN);
		memcpy(seq.b + RTE_ETHER_ADDR_LEN, &f->src_mac, RTE_ETHER_ADDR_LEN);
		memcpy(seq.b + 12, &f->ethertype, 2);
		n = 14;
	}
	return rte_hash_crc(seq.b, n, 0xffffffff);
}

uint32_t
encap_inner_hash(const uint8_t *frame, uint32_t len)
{
	struct encap_flow_fields f;
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN, tags;
	uint16_t etype;

	if (len < ETH_HLEN) {
		union {
			uint64_t align;
			uint8_t b[16];
		} seq;

		memcpy(seq.b, frame, len);
		return rte_hash_crc(seq.b, len, 0xffffffff);
	}
	memset(&f, 0, sizeof(f));
	etype = hnv_rd16(frame + off);
	for (tags = 0; tags < 2; tags++) {
		if (etype != RTE_ETHER_TYPE_VLAN && etype != RTE_ETHER_TYPE_QINQ)
			break;
		if (len < off + VLAN_HLEN + 2)
			break;
		off += VLAN_HLEN;
		etype = hnv_rd16(frame + off);
	}
	off += 2; /* start of L3 */

	if (etype == RTE_ETHER_TYPE_IPV4 && len >= off + IPV4_HLEN && (frame[off] >> 4) == 4 &&
		(frame[off] & 0xf) >= 5) {
		const uint8_t *ip = frame + off;
		const uint32_t l4 = off + (uint32_t)(ip[0] & 0xf) * 4;
		const uint16_t frag = hnv_rd16(ip + 6);

		f.is_ipv4 = true;
		memcpy(&f.src_ip, ip + 12, 4);
		memcpy(&f.dst_ip, ip + 16, 4);
		f.proto = ip[9];
		if ((f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP || f.proto == IPPROTO_SCTP) &&
			(frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0 &&
			len >= l4 + 4) {
			f.has_ports = true;
			memcpy(&f.sport, frame + l4, 2);
			memcpy(&f.dport, frame + l4 + 2, 2);
		}
	} else if (etype == RTE_ETHER_TYPE_IPV6 && len >= off + 40 && (frame[off] >> 4) == 6) {
		const uint8_t *ip = frame + off;

		/* The upper layer right after the fixed header; with extension
		 * headers the protocol is theirs and there are no ports. */
		f.is_ipv6 = true;
		memcpy(f.src6, ip + 8, 16);
		memcpy(f.dst6, ip + 24, 16);
		f.proto = ip[6];
		if ((f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP || f.proto == IPPROTO_SCTP) &&
			len >= off + 40 + 4) {
			f.has_ports = true;
			memcpy(&f.sport, ip + 40, 2);
			memcpy(&f.dport, ip + 42, 2);
		}
	} else {
		memcpy(&f.dst_mac, frame, RTE_ETHER_ADDR_LEN);
		memcpy(&f.src_mac, frame + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
		f.ethertype = rte_cpu_to_be_16(etype);
	}
	return encap_flow_hash(&f);
}

/* UDP to port @port carrying VXLAN; @p l4 is inside [frame, frame + end). */
static enum encap_parse_err
parse_vxlan(
	const uint8_t *frame, uint32_t l4, uint32_t end, uint16_t port, struct encap_rx_info *ri)
{
	const uint8_t *udp = frame + l4;
	uint32_t udp_len;

	if (end - l4 < UDP_HLEN)
		return ENCAP_ERR_TRUNCATED;
	if (hnv_rd16(udp + 2) != port)
		return ENCAP_ERR_NOT_TUNNEL;
	udp_len = hnv_rd16(udp + 4);
	if (udp_len > end - l4)
		return ENCAP_ERR_TRUNCATED;
	if (udp_len != end - l4)
		return ENCAP_ERR_BAD_IP;
	if (udp_len < UDP_HLEN + VXLAN_HLEN)
		return ENCAP_ERR_TRUNCATED;
	if ((udp[UDP_HLEN] & VXLAN_FLAG_I) == 0)
		return ENCAP_ERR_BAD_HEADER;
	ri->type = ENCAP_TYPE_VXLAN;
	ri->vsid = hnv_rd32(udp + UDP_HLEN + 4) >> 8;
	ri->flow_id = 0;
	ri->hdr_len = (uint16_t)(l4 + UDP_HLEN + VXLAN_HLEN);
	return ENCAP_OK;
}

/* GRE carrying NVGRE: K set, C and S and reserved 1..5 clear, version 0, 0x6558. */
static enum encap_parse_err
parse_nvgre(const uint8_t *frame, uint32_t l4, uint32_t end, struct encap_rx_info *ri)
{
	const uint8_t *gre = frame + l4;
	uint32_t key;

	if (end - l4 < GRE_HLEN)
		return ENCAP_ERR_TRUNCATED;
	if ((hnv_rd16(gre) & (GRE_FLAGS_CHECKED | GRE_VERSION_MASK)) != GRE_FLAG_K)
		return ENCAP_ERR_BAD_HEADER;
	if (hnv_rd16(gre + 2) != RTE_ETHER_TYPE_TEB)
		return ENCAP_ERR_BAD_HEADER;
	if (end - l4 < GRE_HLEN + GRE_KEY_LEN)
		return ENCAP_ERR_TRUNCATED;
	key = hnv_rd32(gre + GRE_HLEN);
	ri->type = ENCAP_TYPE_NVGRE;
	ri->vsid = key >> 8;
	ri->flow_id = (uint8_t)key;
	ri->hdr_len = (uint16_t)(l4 + GRE_HLEN + GRE_KEY_LEN);
	return ENCAP_OK;
}

enum encap_parse_err
encap_parse(const uint8_t *frame, uint32_t len, struct encap_rx_info *info)
{
	return encap_parse_port(frame, len, ENCAP_VXLAN_PORT, info);
}

enum encap_parse_err
encap_parse_port(
	const uint8_t *frame, uint32_t len, uint16_t vxlan_port, struct encap_rx_info *info)
{
	return encap_parse_head(frame, len, len, vxlan_port, ENCAP_CKSUM_VERIFY, info);
}

/* The tunnel in the payload of an outer header, its protocol @proto at
 * @l4, ending at @end; the inner frame after it. */
static enum encap_parse_err
parse_tunnel(const uint8_t *frame, uint8_t proto, uint32_t l4, uint32_t end, uint16_t vxlan_port,
	struct encap_rx_info *ri)
{
	enum encap_parse_err err;

	if (proto == IPPROTO_UDP)
		err = parse_vxlan(frame, l4, end, vxlan_port, ri);
	else if (proto == IPPROTO_GRE)
		err = parse_nvgre(frame, l4, end, ri);
	else
		err = ENCAP_ERR_NOT_TUNNEL;
	if (err != ENCAP_OK)
		return err;
	if (!vsid_valid(ri->vsid))
		return ENCAP_ERR_BAD_VSID;
	if (end - ri->hdr_len < ETH_HLEN)
		return ENCAP_ERR_TRUNCATED;
	ri->inner_len = (uint16_t)(end - ri->hdr_len);
	ri->l4_off = (uint16_t)l4;
	return ENCAP_OK;
}

/* An IPv6 outer header at @l3: no extension headers (a fragment of a
 * tunnel packet, or one with options, is not a tunnel we take). */
static enum encap_parse_err
parse_ipv6(const uint8_t *frame, uint32_t l3, uint32_t len, uint16_t vxlan_port,
	struct encap_rx_info *ri)
{
	const uint8_t *ip = frame + l3;
	enum encap_parse_err err;
	uint32_t plen;

	if (len - l3 < IPV6_HLEN)
		return ENCAP_ERR_TRUNCATED;
	if ((ip[0] >> 4) != 6 || ip[8] == 0xff) /* version; a multicast source */
		return ENCAP_ERR_BAD_IP;
	plen = hnv_rd16(ip + 4);
	if (plen > len - l3 - IPV6_HLEN)
		return ENCAP_ERR_TRUNCATED;
	err = parse_tunnel(frame, ip[6], l3 + IPV6_HLEN, l3 + IPV6_HLEN + plen, vxlan_port, ri);
	if (err != ENCAP_OK)
		return err;
	/* RFC 8200 8.1: over IPv6 a UDP checksum of 0 is not one. */
	if (ri->type == ENCAP_TYPE_VXLAN && hnv_rd16(frame + ri->l4_off + 6) == 0)
		return ENCAP_ERR_BAD_IP;
	ri->ipv6 = true;
	ri->l3_off = (uint16_t)l3;
	memcpy(ri->src6, ip + 8, 16);
	memcpy(ri->dst6, ip + 24, 16);
	return ENCAP_OK;
}

/* Every read below is at an offset the frame's length allows and below
 * ENCAP_HEAD_MAX, so a head of min(len, ENCAP_HEAD_MAX) bytes is enough. */
enum encap_parse_err
encap_parse_head(const uint8_t *frame, uint32_t head, uint32_t len, uint16_t vxlan_port,
	enum encap_ip_cksum cksum, struct encap_rx_info *info)
{
	struct encap_rx_info ri = {0};
	enum encap_parse_err err;
	uint32_t l3 = ETH_HLEN, ihl, tot, end;
	uint16_t etype;
	const uint8_t *ip;

	if (head < RTE_MIN(len, (uint32_t)ENCAP_HEAD_MAX) || head > len)
		return ENCAP_ERR_TRUNCATED;
	if (len < ETH_HLEN)
		return ENCAP_ERR_TRUNCATED;
	etype = hnv_rd16(frame + 12);
	if (etype == RTE_ETHER_TYPE_VLAN) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return ENCAP_ERR_TRUNCATED;
		ri.vlan_id = hnv_rd16(frame + 14) & RTE_VLAN_ID_MASK;
		etype = hnv_rd16(frame + 16);
		l3 += VLAN_HLEN;
	}
	if (etype == RTE_ETHER_TYPE_IPV6) {
		err = parse_ipv6(frame, l3, len, vxlan_port, &ri);
		if (err == ENCAP_OK)
			*info = ri;
		return err;
	}
	if (etype != RTE_ETHER_TYPE_IPV4)
		return ENCAP_ERR_NOT_TUNNEL;

	if (len - l3 < IPV4_HLEN)
		return ENCAP_ERR_TRUNCATED;
	ip = frame + l3;
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	tot = hnv_rd16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < IPV4_HLEN)
		return ENCAP_ERR_BAD_IP;
	if (ihl > len - l3 || tot > len - l3)
		return ENCAP_ERR_TRUNCATED;
	if (tot < ihl)
		return ENCAP_ERR_BAD_IP;
	if (cksum == ENCAP_CKSUM_BAD ||
		(cksum == ENCAP_CKSUM_VERIFY && rte_raw_cksum(ip, ihl) != 0xffff))
		return ENCAP_ERR_BAD_IP;
	if (hnv_rd16(ip + 6) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return ENCAP_ERR_BAD_IP;
	/* No PA is multicast, broadcast or in 240.0.0.0/4, where hnv_pa.h
	 * names IPv6 PAs: such a source must not pass for one of those. */
	if (ip[12] >= 224)
		return ENCAP_ERR_BAD_IP;
	/* Past the IPv4 total length is only Ethernet padding. */
	end = l3 + tot;

	err = parse_tunnel(frame, ip[9], l3 + ihl, end, vxlan_port, &ri);
	if (err != ENCAP_OK)
		return err;
	ri.l3_off = (uint16_t)l3;
	memcpy(&ri.src_ip, ip + 12, 4);
	memcpy(&ri.dst_ip, ip + 16, 4);
	*info = ri;
	return ENCAP_OK;
}

const char *
encap_parse_strerror(enum encap_parse_err err)
{
	switch (err) {
	case ENCAP_OK:
		return "ok";
	case ENCAP_ERR_NOT_TUNNEL:
		return "not a VXLAN/NVGRE packet";
	case ENCAP_ERR_TRUNCATED:
		return "truncated";
	case ENCAP_ERR_BAD_IP:
		return "bad outer IP header";
	case ENCAP_ERR_BAD_HEADER:
		return "bad VXLAN/NVGRE header";
	case ENCAP_ERR_BAD_VSID:
		return "VSID out of range";
	}
	return "unknown error";
}

const char *
encap_type_name(enum encap_type type)
{
	switch (type) {
	case ENCAP_TYPE_VXLAN:
		return "vxlan";
	case ENCAP_TYPE_NVGRE:
		return "nvgre";
	}
	return "unknown";
}
