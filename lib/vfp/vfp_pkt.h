/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the flow key and the parsed packet. The ingress stage fills a
 * struct vfp_pkt per received frame; every later stage reads it. The key
 * is everything the miss handler looks at, so two packets with one key
 * always get the same verdict.
 */
#ifndef HNV_VFP_PKT_H
#define HNV_VFP_PKT_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

/* The UFT key. Fixed size, padding zeroed; network order where the wire
 * has it. 64 bytes: room for IPv6 addresses, and rte_hash has vectorised
 * compares for 16/32/48/64 byte keys (memcmp otherwise). An IPv4 address
 * is the first 4 bytes of its 16, the rest zero. */
struct vfp_flow_key {
	uint32_t vsid;
	rte_be32_t outer_src; /* IN from the uplink: the sender's PA, else 0 */
	union {
		rte_be32_t src_ip; /* IPv4 */
		uint8_t src6[16];  /* IPv6 */
	};
	union {
		rte_be32_t dst_ip;
		uint8_t dst6[16];
	};
	rte_be16_t sport; /* TCP/UDP/SCTP ports; ICMP(v6) echo: the id in both */
	rte_be16_t dport;
	struct rte_ether_addr src_mac;
	struct rte_ether_addr dst_mac;
	rte_be16_t ethertype;
	uint8_t proto;
	uint8_t dir; /* enum vfp_dir */
	uint16_t in_port;
	uint8_t encap;  /* IN: enum encap_type of the tunnel */
	uint8_t pad[1]; /* to 64 bytes: rte_hash compares those with SIMD */
} __rte_aligned(8);     /* rte_hash_crc loads 8 bytes at a time */

_Static_assert(sizeof(struct vfp_flow_key) == 64, "flow key has hidden padding");

/* A parsed packet: its key and what the per-packet work needs. */
struct vfp_pkt {
	struct vfp_flow_key key;
	uint16_t hdr_len;   /* IN: tunnel header bytes before the inner frame */
	uint16_t inner_len; /* IN: inner frame length per the outer IPv4 header */
	uint16_t l3_off;    /* offset of the inner IP header in the inner frame, 0 = not IP */
	uint16_t l4_off;    /* IPv6: offset of the upper-layer header (after extensions) */
	uint8_t tcp_flags;
	uint8_t is_ipv4;
	uint8_t is_ipv6;
	uint8_t has_l4;         /* sport/dport were read (TCP/UDP/SCTP, not a fragment) */
	uint8_t has_icmp;       /* an unfragmented ICMP header is in the frame: icmp_type */
	uint8_t later_fragment; /* a fragment other than the first (no L4 header) */
	uint8_t icmp_type;
	/* IN, VXLAN over IPv6: the offsets of the outer IPv6 and UDP headers,
	 * whose checksum stage 1 verifies over the whole packet; else 0. */
	uint8_t outer6_l3, outer6_l4;
};

/* The key of the replies to a flow with key @k: addresses and ports
 * swapped, arriving on @in_port in direction @dir (from the uplink, with
 * the remote host's @outer_src PA and tunnel type @encap, or from a VM). */
static inline void
vfp_key_reverse(const struct vfp_flow_key *k, uint16_t in_port, uint8_t dir, rte_be32_t outer_src,
	uint8_t encap, struct vfp_flow_key *r)
{
	memset(r, 0, sizeof(*r)); /* the padding is part of the hashed key */
	r->vsid = k->vsid;
	r->outer_src = outer_src;
	memcpy(r->src6, k->dst6, sizeof(r->src6));
	memcpy(r->dst6, k->src6, sizeof(r->dst6));
	r->sport = k->dport;
	r->dport = k->sport;
	r->src_mac = k->dst_mac;
	r->dst_mac = k->src_mac;
	r->ethertype = k->ethertype;
	r->proto = k->proto;
	r->dir = dir;
	r->in_port = in_port;
	r->encap = encap;
}

#endif /* HNV_VFP_PKT_H */
