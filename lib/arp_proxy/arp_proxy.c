/* SPDX-License-Identifier: BSD-3-Clause
 * lib/arp_proxy: ARP for the VM side and the PA side.
 *
 * Owns: parsing an Ethernet/IPv4 ARP frame (optional one 802.1Q tag), turning
 * a request into its reply in place (R8), building a broadcast ARP request to
 * resolve a PA next hop (R12), and the lock-free neighbor cache entry that
 * workers share.
 *
 * Frames are byte buffers at any alignment, so fields are accessed through
 * memcpy and byte offsets (taken from the DPDK structs), never by casting the
 * buffer to struct rte_arp_hdr, which is declared 2-byte aligned.
 *
 * Neighbor word layout (struct arp_proxy_neigh.word), fixed:
 *   bit 63        valid (resolved)
 *   bits 62..48   zero
 *   bits 47..0    MAC, addr_bytes[0] in bits 47..40 down to addr_bytes[5] in
 *                 bits 7..0 (i.e. the MAC read as a big-endian 48-bit number)
 * The word is the only thing readers look at, so one atomic store publishes
 * the MAC and the valid bit together and a reader never sees half a MAC.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "arp_proxy.h"
#include "hnv_wire.h"

#define ETH_HLEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define VLAN_HLEN ((uint32_t)sizeof(struct rte_vlan_hdr))
#define ARP_LEN ((uint32_t)sizeof(struct rte_arp_hdr))
#define ARP_FRAME_MIN 60u /* minimum Ethernet frame without FCS */

/* Offsets inside the ARP header. */
#define OFF_HRD offsetof(struct rte_arp_hdr, arp_hardware)
#define OFF_PRO offsetof(struct rte_arp_hdr, arp_protocol)
#define OFF_HLN offsetof(struct rte_arp_hdr, arp_hlen)
#define OFF_PLN offsetof(struct rte_arp_hdr, arp_plen)
#define OFF_OP offsetof(struct rte_arp_hdr, arp_opcode)
#define OFF_DATA offsetof(struct rte_arp_hdr, arp_data)
#define OFF_SHA (OFF_DATA + offsetof(struct rte_arp_ipv4, arp_sha))
#define OFF_SPA (OFF_DATA + offsetof(struct rte_arp_ipv4, arp_sip))
#define OFF_THA (OFF_DATA + offsetof(struct rte_arp_ipv4, arp_tha))
#define OFF_TPA (OFF_DATA + offsetof(struct rte_arp_ipv4, arp_tip))

#define NEIGH_VALID (UINT64_C(1) << 63)

enum arp_proxy_err
arp_proxy_parse(const uint8_t *frame, uint32_t len, struct arp_proxy_pkt *out)
{
	uint32_t l2 = ETH_HLEN;
	uint16_t etype;
	const uint8_t *arp;

	if (len < ETH_HLEN)
		return ARP_PROXY_MALFORMED;
	etype = hnv_rd16(frame + 12);
	if (etype == RTE_ETHER_TYPE_VLAN) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return ARP_PROXY_MALFORMED;
		etype = hnv_rd16(frame + 16);
		l2 += VLAN_HLEN;
	}
	if (etype != RTE_ETHER_TYPE_ARP)
		return ARP_PROXY_NOT_ARP;
	if (len - l2 < ARP_LEN)
		return ARP_PROXY_MALFORMED;
	arp = frame + l2;
	if (hnv_rd16(arp + OFF_HRD) != RTE_ARP_HRD_ETHER ||
		hnv_rd16(arp + OFF_PRO) != RTE_ETHER_TYPE_IPV4 ||
		arp[OFF_HLN] != RTE_ETHER_ADDR_LEN || arp[OFF_PLN] != 4)
		return ARP_PROXY_MALFORMED;

	out->op = hnv_rd16(arp + OFF_OP);
	memcpy(&out->sha, arp + OFF_SHA, RTE_ETHER_ADDR_LEN);
	memcpy(&out->spa, arp + OFF_SPA, 4);
	memcpy(&out->tha, arp + OFF_THA, RTE_ETHER_ADDR_LEN);
	memcpy(&out->tpa, arp + OFF_TPA, 4);
	out->l2_len = (uint16_t)l2;
	return ARP_PROXY_OK;
}

bool
arp_proxy_is_gratuitous(const struct arp_proxy_pkt *p)
{
	return p->spa == p->tpa || p->spa == 0;
}

void
arp_proxy_reply_in_place(
	uint8_t *frame, const struct arp_proxy_pkt *req, const struct rte_ether_addr *mac)
{
	uint8_t *arp = frame + req->l2_len;

	/* Copy from @p req, not from the frame: the frame is being overwritten. */
	memcpy(frame, &req->sha, RTE_ETHER_ADDR_LEN);
	memcpy(frame + RTE_ETHER_ADDR_LEN, mac, RTE_ETHER_ADDR_LEN);
	hnv_wr16(arp + OFF_OP, RTE_ARP_OP_REPLY);
	memcpy(arp + OFF_SHA, mac, RTE_ETHER_ADDR_LEN);
	memcpy(arp + OFF_SPA, &req->tpa, 4);
	memcpy(arp + OFF_THA, &req->sha, RTE_ETHER_ADDR_LEN);
	memcpy(arp + OFF_TPA, &req->spa, 4);
}

int
arp_proxy_build_request(uint8_t *buf, uint32_t size, const struct rte_ether_addr *sha,
	rte_be32_t spa, rte_be32_t tpa, uint16_t vlan_id)
{
	const uint32_t len = ARP_FRAME_MIN + (vlan_id != 0 ? VLAN_HLEN : 0);
	uint32_t off = 2 * RTE_ETHER_ADDR_LEN;
	uint8_t *arp;

	if (size < len)
		return -ENOSPC;
	memset(buf, 0, len);
	memset(buf, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(buf + RTE_ETHER_ADDR_LEN, sha, RTE_ETHER_ADDR_LEN);
	if (vlan_id != 0) {
		hnv_wr16(buf + off, RTE_ETHER_TYPE_VLAN);
		hnv_wr16(buf + off + 2, vlan_id & RTE_VLAN_ID_MASK); /* PCP 0, DEI 0 */
		off += VLAN_HLEN;
	}
	hnv_wr16(buf + off, RTE_ETHER_TYPE_ARP);
	arp = buf + off + 2;
	hnv_wr16(arp + OFF_HRD, RTE_ARP_HRD_ETHER);
	hnv_wr16(arp + OFF_PRO, RTE_ETHER_TYPE_IPV4);
	arp[OFF_HLN] = RTE_ETHER_ADDR_LEN;
	arp[OFF_PLN] = 4;
	hnv_wr16(arp + OFF_OP, RTE_ARP_OP_REQUEST);
	memcpy(arp + OFF_SHA, sha, RTE_ETHER_ADDR_LEN);
	memcpy(arp + OFF_SPA, &spa, 4);
	/* tha stays 00:00:00:00:00:00 (RFC 826: unknown) */
	memcpy(arp + OFF_TPA, &tpa, 4);
	return (int)len;
}

void
arp_proxy_neigh_init(struct arp_proxy_neigh *n, rte_be32_t ip)
{
	n->ip = ip;
	n->last_request = 0;
	__atomic_store_n(&n->word, 0, __ATOMIC_RELEASE);
}

void
arp_proxy_neigh_update(struct arp_proxy_neigh *n, const struct rte_ether_addr *mac)
{
	uint64_t w = NEIGH_VALID;
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		w |= (uint64_t)mac->addr_bytes[i] << (8 * (RTE_ETHER_ADDR_LEN - 1 - i));
	__atomic_store_n(&n->word, w, __ATOMIC_RELEASE);
}

bool
arp_proxy_neigh_lookup(const struct arp_proxy_neigh *n, struct rte_ether_addr *mac)
{
	const uint64_t w = __atomic_load_n(&n->word, __ATOMIC_ACQUIRE);
	unsigned int i;

	if ((w & NEIGH_VALID) == 0)
		return false;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(w >> (8 * (RTE_ETHER_ADDR_LEN - 1 - i)));
	return true;
}

/*
 * last_request 0 means "never sent". A @p now earlier than the stored stamp
 * (TSC skew between lcores) counts as "just sent". The compare-exchange makes
 * exactly one of several racing lcores send the request.
 */
bool
arp_proxy_neigh_should_request(struct arp_proxy_neigh *n, uint64_t now, uint64_t interval)
{
	uint64_t last = __atomic_load_n(&n->last_request, __ATOMIC_RELAXED);

	if (last != 0 && (now < last || now - last < interval))
		return false;
	return __atomic_compare_exchange_n(
		&n->last_request, &last, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
