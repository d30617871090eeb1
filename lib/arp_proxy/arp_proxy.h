/* SPDX-License-Identifier: BSD-3-Clause
 * lib/arp_proxy: ARP for the VM side and the PA side.
 *
 * Owns: parsing an ARP request out of an Ethernet frame, turning a request
 * into the reply in place from a lookup result (R8), building an ARP request
 * (to resolve the PA next hop, R12), and a tiny neighbor cache for PA next
 * hops that workers update lock-free. Works on byte buffers; knows nothing of
 * flows, layers or ports.
 */
#ifndef HNV_ARP_PROXY_H
#define HNV_ARP_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

/** Fields of an Ethernet/IPv4 ARP packet that the proxy needs. */
struct arp_proxy_pkt {
	uint16_t op;               /**< host order: 1 request, 2 reply */
	struct rte_ether_addr sha; /**< sender hardware address */
	rte_be32_t spa;            /**< sender protocol address */
	struct rte_ether_addr tha;
	rte_be32_t tpa;  /**< target protocol address */
	uint16_t l2_len; /**< 14, or 18 with one 802.1Q tag */
};

/** Why arp_proxy_parse() refused a frame. */
enum arp_proxy_err {
	ARP_PROXY_OK = 0,
	ARP_PROXY_NOT_ARP,   /**< EtherType is not ARP */
	ARP_PROXY_MALFORMED, /**< truncated, or not Ethernet/IPv4 (htype 1, ptype 0x0800, 6/4) */
};

/**
 * Parse an ARP frame (Ethernet, optional one 802.1Q tag, ARP).
 * @return ARP_PROXY_OK with @p out filled, or an arp_proxy_err
 */
enum arp_proxy_err arp_proxy_parse(const uint8_t *frame, uint32_t len, struct arp_proxy_pkt *out);

/**
 * True for a request that is gratuitous (sender IP == target IP) or an
 * ARP probe (sender IP 0.0.0.0); such requests are never answered.
 */
bool arp_proxy_is_gratuitous(const struct arp_proxy_pkt *p);

/**
 * Turn the ARP request in @p frame (parsed into @p req) into the reply, in
 * place: Ethernet destination = requester, source = @p mac; ARP op 2,
 * sender = (@p mac, req->tpa), target = (req->sha, req->spa). Any VLAN tag
 * is kept. The frame length does not change.
 */
void arp_proxy_reply_in_place(
	uint8_t *frame, const struct arp_proxy_pkt *req, const struct rte_ether_addr *mac);

/**
 * Write a broadcast ARP request for @p tpa from (@p sha, @p spa) at @p buf,
 * 802.1Q-tagged when @p vlan_id is not 0, padded to 60 bytes.
 * @return the frame length (60 or 64), or -ENOSPC if @p size is too small
 */
int arp_proxy_build_request(uint8_t *buf, uint32_t size, const struct rte_ether_addr *sha,
	rte_be32_t spa, rte_be32_t tpa, uint16_t vlan_id);

/**
 * A neighbor cache entry for one PA next hop. Written by whichever lcore sees
 * the ARP reply, read by all workers: the MAC and the valid bit live in one
 * 64-bit word updated atomically.
 */
struct arp_proxy_neigh {
	rte_be32_t ip;
	uint64_t word;         /**< bit 63 valid, bits 0..47 MAC; use the helpers */
	uint64_t last_request; /**< TSC of the last request we sent, for rate limiting */
};

/** Set the entry's address to @p ip and mark it unresolved. */
void arp_proxy_neigh_init(struct arp_proxy_neigh *n, rte_be32_t ip);

/** Record @p mac for the entry (atomic store). */
void arp_proxy_neigh_update(struct arp_proxy_neigh *n, const struct rte_ether_addr *mac);

/** Read the MAC (atomic load). @return true if resolved */
bool arp_proxy_neigh_lookup(const struct arp_proxy_neigh *n, struct rte_ether_addr *mac);

/**
 * Rate limiter for resolution: true (and the timestamp updated) if no request
 * was sent within @p interval TSC cycles of @p now.
 */
bool arp_proxy_neigh_should_request(struct arp_proxy_neigh *n, uint64_t now, uint64_t interval);

#endif /* HNV_ARP_PROXY_H */
