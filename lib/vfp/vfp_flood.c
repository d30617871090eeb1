/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: flooding.
 *
 * Inbound: broadcast and multicast from the overlay reach the local VMs of
 * their VSID only, after the same tunnel checks as unicast
 * (vfp_vnet_tunnel_ok): the same mbuf is queued once per port with its
 * reference count raised, so no copy is made.
 *
 * Outbound, unicast replication (R7): a VM's broadcast or subnet multicast
 * (ARP is the proxy's, IGMP is refused at ingress) reaches every other VM
 * of its VSID as a unicast copy whose destination MAC and IP address
 * (IPv4; IPv6 when that VM has one) are that VM's, the IPv4 header and
 * UDP/TCP/ICMPv6 checksums patched. A copy is a small header segment (Ethernet, IPv4, the L4
 * header) chained to an indirect mbuf of the original's payload: copies
 * share the payload. The pipeline forwards each copy as a unicast packet
 * of the sender (flow cache, layers, transposition), so ACLs apply per
 * copy, local VMs get it directly and remote ones encapsulated to their
 * PA. Storm control: a VM's packet makes its copies only if they fit in
 * its subnet's flood_limit for this second on this lcore; else it is
 * dropped whole as flood_limit.
 */
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_apply.h"
#include "vfp_flood.h"
#include "vfp_vnet.h"

void
vfp_flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);
	const struct vfp_entry *src;
	enum hnv_drop_reason why;

	if (s == NULL) {
		vfp_drop(lc, port, m, HNV_DROP_UNKNOWN_VNI);
		return;
	}
	if (!vfp_vnet_tunnel_ok(p, s, k, &src, &why)) {
		vfp_drop(lc, port, m, why);
		return;
	}
	if (s->n_local == 0) {
		vfp_drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	lc->stats[port].decapsulated++;
	vfp_mbuf_truncate(m, (uint32_t)pkt->hdr_len + pkt->inner_len); /* padding */
	rte_pktmbuf_adj(m, pkt->hdr_len);
	if (s->n_local > 1) /* every segment: each is freed on its own */
		rte_pktmbuf_refcnt_update(m, (int16_t)(s->n_local - 1));
	for (uint16_t i = 0; i < s->n_local; i++)
		vfp_enqueue(lc, s->local_ports[i], m);
}

bool
vfp_flood_admit(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct vfp_subnet *s = p->ports[port].vnic->subnet;
	const struct vfp_ca_list *remote = vfp_subnet_remote(s);
	/* The sender is local. */
	uint32_t copies = s->n_local - 1u + (remote != NULL ? remote->n : 0);
	uint64_t now;

	if (copies == 0) {
		vfp_drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return false;
	}
	now = rte_rdtsc();
	if (now - lc->flood[port].window_tsc >= lc->tsc_hz) {
		lc->flood[port].window_tsc = now;
		lc->flood[port].copies = 0;
	}
	if (copies > s->flood_limit - RTE_MIN(s->flood_limit, lc->flood[port].copies)) {
		vfp_drop(lc, port, m, HNV_DROP_FLOOD_LIMIT);
		return false;
	}
	lc->flood[port].copies += copies;
	return true;
}

/* The bytes of @m that a copy rewrites: Ethernet, and for IPv4 the header
 * and the L4 header whose checksum covers the destination address. */
static uint32_t
header_len(const struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t len = sizeof(struct rte_ether_hdr);
	uint8_t proto = pkt->key.proto;

	if (pkt->is_ipv4) {
		ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, pkt->l3_off);
		len = pkt->l3_off + (uint32_t)(ip->version_ihl & 0xf) * 4;
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
			proto = 0; /* a later fragment has no L4 header */
	} else if (pkt->is_ipv6) {
		len = pkt->l4_off;
		if (pkt->later_fragment)
			proto = 0;
	}
	if (pkt->is_ipv4 || pkt->is_ipv6)
		len += proto == IPPROTO_UDP      ? sizeof(struct rte_udp_hdr)
		       : proto == IPPROTO_TCP    ? sizeof(struct rte_tcp_hdr)
		       : proto == IPPROTO_ICMPV6 ? 4u /* type, code, checksum */
						 : 0u;
	return RTE_MIN(len, (uint32_t)rte_pktmbuf_data_len(m));
}

/* The L4 checksum field of the header segment at @h (@len bytes), for a
 * pseudo-header that covers the addresses; NULL if there is none. */
static uint8_t *
l4_cksum(uint8_t *h, uint32_t len, uint32_t l4, uint8_t proto)
{
	if (proto == IPPROTO_UDP && len >= l4 + sizeof(struct rte_udp_hdr))
		return h + l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	if (proto == IPPROTO_TCP && len >= l4 + sizeof(struct rte_tcp_hdr))
		return h + l4 + offsetof(struct rte_tcp_hdr, cksum);
	if (proto == IPPROTO_ICMPV6 && len >= l4 + 4)
		return h + l4 + 2;
	return NULL;
}

/* The one's complement sum at @at (unaligned) after @from became @to. */
static void
patch4(uint8_t *at, rte_be32_t from, rte_be32_t to, bool udp)
{
	rte_be16_t sum;

	memcpy(&sum, at, 2);
	if (udp && sum == 0)
		return; /* UDP checksum 0 means none (IPv4): it stays so */
	sum = vfp_csum_replace4(sum, from, to);
	if (udp && sum == 0)
		sum = 0xffff; /* ... and never becomes 0 */
	memcpy(at, &sum, 2);
}

/* The header segment at @h (@len bytes) addressed to @t: its MAC, and its
 * IPv4 (or, if it has one, IPv6) address, checksums patched. */
static void
readdress(uint8_t *h, uint32_t len, const struct vfp_pkt *pkt, const struct vfp_entry *t)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)h;
	uint8_t *sum;

	eth->dst_addr = t->mac;
	if (pkt->is_ipv4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + pkt->l3_off);
		uint32_t l4 = pkt->l3_off + (uint32_t)(ip->version_ihl & 0xf) * 4;

		sum = l4_cksum(h, len, l4, ip->next_proto_id);
		if (sum != NULL)
			patch4(sum, ip->dst_addr, t->ip, ip->next_proto_id == IPPROTO_UDP);
		ip->hdr_checksum = vfp_csum_replace4(ip->hdr_checksum, ip->dst_addr, t->ip);
		ip->dst_addr = t->ip;
	} else if (pkt->is_ipv6 && t->has_ip6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(h + pkt->l3_off);

		sum = l4_cksum(h, len, pkt->l4_off, pkt->later_fragment ? 0 : pkt->key.proto);
		for (unsigned int w = 0; sum != NULL && w < 4; w++) {
			rte_be32_t from, to;

			memcpy(&from, ip6->dst_addr + 4 * w, 4);
			memcpy(&to, t->ip6 + 4 * w, 4);
			/* IPv6 UDP always has a checksum: the 0 case is IPv4's. */
			patch4(sum, from, to, false);
		}
		if (sum != NULL && pkt->key.proto == IPPROTO_UDP) {
			rte_be16_t v;

			memcpy(&v, sum, 2);
			if (v == 0) {
				v = 0xffff;
				memcpy(sum, &v, 2);
			}
		}
		memcpy(ip6->dst_addr, t->ip6, 16);
	}
}

/* A copy of @m for @t: a header segment of @hlen bytes, then @m's payload. */
static struct rte_mbuf *
copy_for(struct rte_mbuf *m, uint32_t hlen, const struct vfp_pkt *pkt, const struct vfp_entry *t)
{
	struct rte_mbuf *h = rte_pktmbuf_alloc(m->pool), *pay;
	uint8_t *buf;

	if (h == NULL)
		return NULL;
	buf = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)hlen);
	if (buf == NULL) {
		rte_pktmbuf_free(h);
		return NULL;
	}
	memcpy(buf, rte_pktmbuf_mtod(m, const uint8_t *), hlen);
	readdress(buf, hlen, pkt, t);
	if (rte_pktmbuf_pkt_len(m) > hlen) {
		pay = rte_pktmbuf_clone(m, m->pool);
		if (pay == NULL || rte_pktmbuf_adj(pay, (uint16_t)hlen) == NULL ||
			rte_pktmbuf_chain(h, pay) != 0) {
			rte_pktmbuf_free(pay);
			rte_pktmbuf_free(h);
			return NULL;
		}
	}
	return h;
}

unsigned int
vfp_flood_copies(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, uint32_t *next, struct rte_mbuf **out,
	struct vfp_pkt *meta, unsigned int max)
{
	const struct vfp_subnet *s = p->ports[port].vnic->subnet;
	/* One load: a derived program's publish may replace the list
	 * (the old one stays until our next quiescent state). */
	const struct vfp_ca_list *remote = vfp_subnet_remote(s);
	uint32_t total = s->n_local + (remote != NULL ? remote->n : 0), hlen = header_len(m, pkt);
	unsigned int n = 0;

	while (*next < total && n < max) {
		uint32_t i = (*next)++;
		const struct vfp_entry *t;
		struct rte_mbuf *c;

		if (i < s->n_local) {
			if (s->local_ports[i] == port)
				continue;
			t = p->ports[s->local_ports[i]].vnic;
		} else {
			t = remote->e[i - s->n_local];
		}
		c = copy_for(m, hlen, pkt, t);
		if (c == NULL) {
			lc->stats[port].drops[HNV_DROP_MBUF_EXHAUSTED]++;
			continue;
		}
		meta[n] = *pkt;
		meta[n].key.dst_mac = t->mac;
		if (pkt->is_ipv4)
			meta[n].key.dst_ip = t->ip;
		else if (pkt->is_ipv6 && t->has_ip6)
			memcpy(meta[n].key.dst6, t->ip6, 16);
		out[n++] = c;
	}
	return n;
}
