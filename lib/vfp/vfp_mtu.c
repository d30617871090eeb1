/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp/vfp_mtu.c: a VM's packet that would exceed the underlay MTU once
 * encapsulated (the slow branch of vfp_apply_flow's encapsulation).
 *
 * In the order a router decides (RFC 1812 5.3.1, 4.2.2.6): a routed packet
 * whose TTL runs out gets a time exceeded; an IPv4 packet without DF is
 * fragmented (rte_ip_frag) so that every fragment fits once encapsulated,
 * and each goes out with the flow's outer header; anything else is dropped
 * as too_big, and the VM gets an ICMP "fragmentation needed" (IPv4 with
 * DF) or "packet too big" (IPv6) that says the largest inner packet that
 * fits: the underlay MTU less the outer headers and the inner Ethernet
 * header (1450 for VXLAN on a 1500-byte underlay). The errors share the
 * router's budget (vfp_icmp.h); all fragments of a packet use its flow's
 * entropy, so they take one path and are never reordered.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "vfp_apply.h"
#include "vfp_icmp.h"

/* Fragments of one packet: a 9000-byte packet at the smallest underlay MTU
 * (576 less 50 of VXLAN: fragments of 524 bytes of IP, 504 of data) makes 18. */
#define VFP_MAX_FRAGS 64

/* Would a routed flow's TTL (or hop limit) decrement refuse @m? */
static bool
ttl_expires(const struct vfp_flow *f, const struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const uint8_t *ttl;
	uint8_t buf;

	if (!(f->set & VFP_XSET_TTL))
		return false;
	ttl = rte_pktmbuf_read(m, pkt->l3_off + (pkt->is_ipv6 ? 7u : 8u), 1, &buf);
	return ttl != NULL && *ttl <= 1;
}

/* Fragment IPv4 packet @m (not DF, checked) so that each fragment has at
 * most @mtu bytes of IP, and send each encapsulated by @f. */
static void
fragment(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
	const struct vfp_pkt *pkt, const struct vfp_flow *f, uint32_t mtu)
{
	struct rte_mbuf *frags[VFP_MAX_FRAGS];
	uint8_t l2[RTE_ETHER_HDR_LEN];
	struct rte_ipv4_hdr ipb;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_read(m, pkt->l3_off, sizeof(ipb), &ipb);
	uint32_t l2_len = pkt->l3_off, ihl, tot;
	int32_t n;

	ihl = ip != NULL ? (uint32_t)(ip->version_ihl & 0xf) * 4 : 0;
	tot = ip != NULL ? rte_be_to_cpu_16(ip->total_length) : 0;
	/* Fragments carry their data in multiples of 8 bytes. */
	if (ip == NULL || l2_len != sizeof(l2) || tot < ihl ||
		l2_len + tot > rte_pktmbuf_pkt_len(m) || mtu < ihl + 8) {
		vfp_drop(lc, port, m, HNV_DROP_TOO_BIG);
		return;
	}
	if (unlikely(f->set))
		(void)vfp_apply_rewrites(f, pkt, rte_pktmbuf_mtod(m, uint8_t *),
			rte_pktmbuf_data_len(m)); /* the TTL was checked */
	memcpy(l2, rte_pktmbuf_mtod(m, const uint8_t *), sizeof(l2));
	/* The datagram only: no Ethernet header, no padding. */
	vfp_mbuf_truncate(m, l2_len + tot);
	rte_pktmbuf_adj(m, (uint16_t)l2_len);
	n = rte_ipv4_fragment_packet(
		m, frags, RTE_DIM(frags), (uint16_t)(ihl + ((mtu - ihl) & ~7u)), m->pool, m->pool);
	/* The fragments hold references to @m's data: free ours. */
	rte_pktmbuf_free(m);
	if (n < 0) {
		lc->stats[port].drops[n == -ENOMEM ? HNV_DROP_MBUF_EXHAUSTED : HNV_DROP_TOO_BIG]++;
		return;
	}
	lc->stats[port].fragmented++;
	for (int32_t i = 0; i < n; i++) {
		struct rte_mbuf *fr = frags[i];
		struct rte_ipv4_hdr *fip = rte_pktmbuf_mtod(fr, struct rte_ipv4_hdr *);
		uint8_t *hdr;

		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
		hdr = vfp_mbuf_prepend(&fr, (uint16_t)(f->tmpl.len + sizeof(l2)));
		if (unlikely(hdr == NULL)) {
			vfp_drop(lc, port, fr, HNV_DROP_NO_HEADROOM);
			continue;
		}
		memcpy(hdr + f->tmpl.len, l2, sizeof(l2));
		vfp_encap_stamp(
			p, fr, &f->tmpl, hdr, (uint16_t)(rte_pktmbuf_pkt_len(fr) - f->tmpl.len));
		lc->stats[f->out_port].encapsulated++;
		vfp_enqueue(lc, f->out_port, fr);
	}
}

void
vfp_encap_too_big(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, const struct vfp_flow *f)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	/* The largest inner IP packet that fits. */
	uint32_t over = (uint32_t)(f->tmpl.len - f->tmpl.l3_off) + pkt->l3_off;
	uint32_t mtu = p->mtu > over ? p->mtu - over : 0;
	struct rte_ipv4_hdr ipb;
	const struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r = NULL;

	if (ttl_expires(f, m, pkt)) {
		vfp_router_ttl_exceeded(p, lc, port, m, pkt);
		return;
	}
	if (pkt->is_ipv4 && (ip = rte_pktmbuf_read(m, pkt->l3_off, sizeof(ipb), &ipb)) != NULL &&
		!(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
		fragment(p, lc, port, m, pkt, f, mtu);
		return;
	}
	lc->stats[port].drops[HNV_DROP_TOO_BIG]++;
	if (pkt->is_ipv4)
		r = vfp_icmp4_error(p, lc, vnic, m, pkt, VFP_ICMP_DEST_UNREACH,
			VFP_ICMP_CODE_FRAG_NEEDED, rte_cpu_to_be_32(mtu & 0xffff));
	else if (pkt->is_ipv6)
		r = vfp_icmp6_error(
			p, lc, vnic, m, pkt, VFP_ICMP6_PACKET_TOO_BIG, 0, rte_cpu_to_be_32(mtu));
	rte_pktmbuf_free(m);
	if (r != NULL) {
		lc->stats[port].icmp_sent++;
		vfp_enqueue(lc, port, r);
	}
}
