/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: VXLAN (RFC 7348) and NVGRE (RFC 7637) outer headers.
 *
 * Owns: building an outer header template once (Ethernet, optional 802.1Q,
 * IPv4 or IPv6, UDP+VXLAN or GRE+NVGRE key) and stamping it in front of an
 * inner frame with the per-packet fields (IPv4 total length and checksum or
 * IPv6 payload length, UDP length and, over IPv6, UDP checksum) patched; the ECMP entropy hash of
 * an inner frame; parsing and validating a received tunnel packet. Works on byte buffers so that it
 * needs no EAL and no mbufs; knows nothing of policy, JSON or ports.
 */
#ifndef HNV_ENCAP_H
#define HNV_ENCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define ENCAP_VXLAN_PORT 4789
#define ENCAP_VSID_MIN 4096u
#define ENCAP_VSID_MAX ((1u << 24) - 2)
/* Outer header sizes over IPv4 and over IPv6, untagged; an 802.1Q tag adds 4. */
#define ENCAP_VXLAN_HDR_LEN (14 + 20 + 8 + 8)
#define ENCAP_NVGRE_HDR_LEN (14 + 20 + 8)
#define ENCAP_IPV6_EXTRA (40 - 20) /* an IPv6 outer header's bytes beyond IPv4's */
#define ENCAP_VXLAN6_HDR_LEN (ENCAP_VXLAN_HDR_LEN + ENCAP_IPV6_EXTRA)
#define ENCAP_NVGRE6_HDR_LEN (ENCAP_NVGRE_HDR_LEN + ENCAP_IPV6_EXTRA)
#define ENCAP_MAX_HDR_LEN (ENCAP_VXLAN6_HDR_LEN + 4)
/* Dynamic port range used for the VXLAN entropy source port (RFC 7348 5). */
#define ENCAP_SPORT_BASE 49152u
#define ENCAP_SPORT_MASK 0x3fffu

enum encap_type {
	ENCAP_TYPE_VXLAN = 0,
	ENCAP_TYPE_NVGRE = 1,
};

/** Addresses of one tunnel: everything the outer header needs but the VNI. */
struct encap_outer {
	struct rte_ether_addr src_mac; /**< our uplink MAC */
	struct rte_ether_addr dst_mac; /**< PA next hop MAC */
	uint16_t vlan_id;              /**< 0 = untagged, else 1..4094 */
	uint16_t vxlan_port;           /**< VXLAN UDP destination port, 0 = 4789 */
	rte_be32_t src_ip;             /**< our PA (IPv4) */
	rte_be32_t dst_ip;             /**< remote PA (IPv4) */
	uint8_t ttl;                   /**< IPv4 TTL or IPv6 hop limit; 0 means 64 */
	uint8_t tos;                   /**< IPv4 TOS or IPv6 traffic class */
	bool ipv6;                     /**< an IPv6 outer header, from src6 to dst6 */
	uint8_t src6[16], dst6[16];
	uint32_t flow_label; /**< IPv6: 20 bits, the flow's entropy (RFC 6438) */
};

/**
 * A precomputed outer header. The IPv4 checksum in bytes[] is computed with
 * total length 0, so that stamping only adds the real length into it.
 */
struct encap_template {
	uint8_t bytes[ENCAP_MAX_HDR_LEN];
	uint8_t len;    /**< bytes used */
	uint8_t l3_off; /**< offset of the IPv4 or IPv6 header */
	uint8_t l4_off; /**< offset of UDP (VXLAN) or GRE (NVGRE) */
	uint8_t type;   /**< enum encap_type */
	uint8_t ipv6;   /**< the outer header is IPv6 */
	/** IPv6 VXLAN: the one's complement sum of what the UDP checksum
	 * covers that no packet changes (addresses, next header, ports,
	 * VXLAN header), folded; the lengths and the frame are added per packet. */
	uint16_t udp6_sum;
};

/** Result of parsing a received packet on the PA side. */
struct encap_rx_info {
	uint8_t type;       /**< enum encap_type */
	uint32_t vsid;      /**< VNI or TNI (24 bits) */
	uint8_t flow_id;    /**< NVGRE FlowID, 0 for VXLAN */
	uint16_t vlan_id;   /**< outer 802.1Q VLAN, 0 if untagged */
	rte_be32_t src_ip;  /**< outer source (remote PA), IPv4 */
	rte_be32_t dst_ip;  /**< outer destination (should be our PA), IPv4 */
	uint16_t hdr_len;   /**< bytes to strip to reach the inner frame */
	uint16_t inner_len; /**< inner frame length per the outer IPv4 total
				 length or IPv6 payload length (excludes any
				 Ethernet padding) */
	bool ipv6;          /**< the outer header is IPv6: src6, dst6 */
	uint8_t src6[16], dst6[16];
	uint16_t l3_off; /**< offset of the outer IP header */
	uint16_t l4_off; /**< offset of the outer UDP or GRE header */
};

/** Why encap_parse() refused a packet; 0 is success. */
enum encap_parse_err {
	ENCAP_OK = 0,
	ENCAP_ERR_NOT_TUNNEL, /**< a well-formed packet that is not VXLAN/NVGRE */
	ENCAP_ERR_TRUNCATED,  /**< shorter than its headers claim */
	ENCAP_ERR_BAD_IP,     /**< IPv4 version/IHL/length/checksum/fragment or
				 a source no PA can have; IPv6 version, a
				 multicast source, or a UDP checksum of 0 */
	ENCAP_ERR_BAD_HEADER, /**< VXLAN I flag missing, NVGRE bits or protocol wrong */
	ENCAP_ERR_BAD_VSID,   /**< VNI/TNI outside 4096 .. 2^24-2 */
};

/**
 * Build the outer header template for one tunnel.
 *
 * @param t      template to fill
 * @param type   ENCAP_TYPE_VXLAN or ENCAP_TYPE_NVGRE
 * @param o      outer addresses
 * @param vsid   VNI / TNI, 24 bits
 * @param entropy for VXLAN the UDP source port (host order); for NVGRE the
 *               8-bit FlowID in the low byte
 * @return 0, or -EINVAL on a bad VSID, VLAN or type
 */
int encap_template_build(struct encap_template *t, enum encap_type type,
	const struct encap_outer *o, uint32_t vsid, uint16_t entropy);

/**
 * Write the template at @p dst (which must have t->len bytes, directly in
 * front of the inner frame) and patch the IPv4 total length and the IPv4
 * checksum (incrementally), or the IPv6 payload length, and, for VXLAN, the
 * UDP length. The outer UDP checksum is left 0: RFC 7348 allows that over
 * IPv4; over IPv6 (RFC 8200) encap_template_udp6_cksum() must fill it.
 *
 * @param inner_len length of the inner Ethernet frame without FCS
 */
void encap_template_stamp(const struct encap_template *t, uint8_t *dst, uint16_t inner_len);

/**
 * Fill the UDP checksum of an IPv6 VXLAN header stamped at @p dst, given
 * @p inner_sum, the 16-bit one's complement sum of the inner frame (as
 * rte_raw_cksum() or rte_raw_cksum_mbuf() give it). A computed 0 is sent
 * as 0xffff. A no-op for any other template.
 */
void encap_template_udp6_cksum(const struct encap_template *t, uint8_t *dst, uint16_t inner_sum);

/** encap_template_stamp() for a NIC that computes the outer IPv4
 * checksum (RTE_MBUF_F_TX_IP_CKSUM): the same bytes, the checksum left 0. */
void encap_template_stamp_nocksum(const struct encap_template *t, uint8_t *dst, uint16_t inner_len);

/**
 * ECMP entropy of an inner Ethernet frame: a CRC32C (as rte_hash_crc, seed
 * 0xffffffff, no final inversion) over, for IPv4 and IPv6, the source and
 * destination addresses, the protocol byte (IPv6: the next header after the
 * fixed header) and, for TCP/UDP/SCTP, the two ports; for any other frame
 * the destination MAC, source MAC and EtherType. VLAN tags on the inner
 * frame are skipped.
 *
 * @return the 32-bit hash
 */
uint32_t encap_inner_hash(const uint8_t *frame, uint32_t len);

/** The fields the ECMP entropy is taken from, as on the wire. */
struct encap_flow_fields {
	bool is_ipv4;
	bool is_ipv6;
	bool has_ports; /**< TCP/UDP/SCTP, not a fragment, ports present */
	rte_be32_t src_ip, dst_ip;
	uint8_t src6[16], dst6[16]; /**< when IPv6 */
	uint8_t proto;
	rte_be16_t sport, dport;
	struct rte_ether_addr dst_mac, src_mac; /**< when not IP */
	rte_be16_t ethertype;                   /**< when not IP */
};

/**
 * The ECMP entropy of a flow from its fields, exactly as
 * encap_inner_hash() computes it from a frame of that flow (so that an
 * entry can be built for a flow, say the replies of another, without a
 * frame): IPv4 or IPv6 addresses, protocol and TCP/UDP/SCTP ports, else
 * the MACs and EtherType. (For IPv6 with extension headers the frame-based
 * hash stops at the first one; the engine's flow fields name the upper
 * layer: both are stable per flow, they just differ.)
 * @return the 32-bit hash
 */
uint32_t encap_flow_hash(const struct encap_flow_fields *f);

/** VXLAN UDP source port for a hash: 49152 + (hash & 0x3fff). */
static inline uint16_t
encap_vxlan_sport(uint32_t hash)
{
	return (uint16_t)(ENCAP_SPORT_BASE + (hash & ENCAP_SPORT_MASK));
}

/**
 * Parse the outer headers of a frame received on the PA side: Ethernet,
 * optional one 802.1Q tag, IPv4 without options or with, or IPv6 without
 * extension headers, then UDP to port 4789 carrying VXLAN, or GRE carrying
 * NVGRE (K bit, protocol 0x6558, no C/S bits). Validates the IPv4 header
 * checksum; over IPv6 refuses a UDP checksum of 0 but leaves verifying any
 * other to the caller, who has the whole packet (info->l4_off).
 *
 * @return ENCAP_OK and @p info filled, or an enum encap_parse_err
 */
enum encap_parse_err encap_parse(const uint8_t *frame, uint32_t len, struct encap_rx_info *info);

/** encap_parse() with VXLAN on UDP port @p vxlan_port (host order) instead
 * of 4789; UDP to any other port is ENCAP_ERR_NOT_TUNNEL. */
enum encap_parse_err encap_parse_port(
	const uint8_t *frame, uint32_t len, uint16_t vxlan_port, struct encap_rx_info *info);

/** The longest outer header encap_parse() reads, with the inner Ethernet
 * header after it: Ethernet, 802.1Q, IPv4 with 40 bytes of options, UDP and
 * VXLAN (GRE and its key are shorter), inner Ethernet. */
#define ENCAP_HEAD_MAX (14 + 4 + 60 + 8 + 8 + 14)

/** What the receiving NIC said of the outer IPv4 header checksum. */
enum encap_ip_cksum {
	ENCAP_CKSUM_VERIFY = 0, /**< nothing: encap_parse verifies it */
	ENCAP_CKSUM_GOOD,       /**< the NIC verified it */
	ENCAP_CKSUM_BAD,        /**< the NIC found it wrong: ENCAP_ERR_BAD_IP */
};

/** encap_parse_port() of a frame of @p len bytes of which only the first
 * @p head are at @p frame (a multi-segment packet's first segment): @p head
 * must be at least min(@p len, ENCAP_HEAD_MAX), or the frame is
 * ENCAP_ERR_TRUNCATED; lengths are checked against @p len. The outer IPv4
 * checksum is verified, or taken as @p cksum says (at the same point of
 * the checks, so a frame gets the same error either way). */
enum encap_parse_err encap_parse_head(const uint8_t *frame, uint32_t head, uint32_t len,
	uint16_t vxlan_port, enum encap_ip_cksum cksum, struct encap_rx_info *info);

/** Human-readable name of an encap_parse_err. */
const char *encap_parse_strerror(enum encap_parse_err err);

/** "vxlan" or "nvgre". */
const char *encap_type_name(enum encap_type type);

#endif /* HNV_ENCAP_H */
