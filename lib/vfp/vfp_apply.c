/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the apply and transmit stage: one packet, one flow entry, no
 * thinking. A hit meters and counts the packet, stamps the flow's last use
 * and TCP state, and applies the precomputed transposition: forward (with
 * rewrites), decapsulate (strip the tunnel), or encapsulate (prepend the
 * stored outer header and patch its lengths and checksum). The packet
 * ends in this lcore's transmit buffer of its output port, or freed under
 * the entry's drop reason.
 */
#include <stddef.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_apply.h"

void
vfp_flush_port(struct vfp_lcore *lc, uint16_t port)
{
	uint16_t n = lc->txb[port].n, sent, i;
	struct rte_mbuf **pkts = lc->txb[port].pkts;
	uint64_t bytes = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	sent = lc->tx(lc->tx_ctx, port, pkts, n);
	for (i = sent; i < n; i++) {
		bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		vfp_drop(lc, port, pkts[i], HNV_DROP_TX_FULL);
	}
	lc->stats[port].tx_packets += sent;
	lc->stats[port].tx_bytes += bytes;
	lc->txb[port].n = 0;
}

void
vfp_lcore_flush(struct vfp_lcore *lc)
{
	while (lc->dirty != 0) {
		uint16_t port = (uint16_t)__builtin_ctzll(lc->dirty);

		lc->dirty &= lc->dirty - 1;
		vfp_flush_port(lc, port);
	}
}

void
vfp_apply_qos_reset(struct vfp_lcore *lc, const struct vfp_program *p)
{
	memset(lc->counters, 0, sizeof(lc->counters));
	for (unsigned int i = 0; i < p->n_meters; i++)
		rte_meter_srtcm_config(&lc->meters[i],
			/* the profile is read-only; the API just lacks the const */
			(struct rte_meter_srtcm_profile *)(uintptr_t)&p->meters[i].profile);
	lc->qos_prog = p;
}

static inline rte_be16_t
csum_replace4(rte_be16_t sum, rte_be32_t from, rte_be32_t to)
{
	/* RFC 1624: HC' = ~(~HC + ~m + m') over 16-bit words. */
	uint32_t s = (uint16_t)~sum;

	s += (uint16_t) ~(from & 0xffff) + (uint16_t) ~(from >> 16);
	s += (to & 0xffff) + (to >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (rte_be16_t)~s;
}

/* The header checksum of @ip and the L4 checksum at @l4sum (NULL: none),
 * which covers the addresses too, for one address going from @from to @to. */
static void
fix_sums(struct rte_ipv4_hdr *ip, rte_be32_t from, rte_be32_t to, uint8_t *l4sum)
{
	rte_be16_t sum;

	ip->hdr_checksum = csum_replace4(ip->hdr_checksum, from, to);
	if (l4sum != NULL) {
		memcpy(&sum, l4sum, 2);
		sum = csum_replace4(sum, from, to);
		memcpy(l4sum, &sum, 2);
	}
}

/* L2 and L3 rewrites on the inner frame at @frame. */
static void
apply_rewrites(const struct vfp_flow *f, const struct vfp_pkt *pkt, uint8_t *frame, uint32_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4sum = NULL;
	uint32_t l4;

	if (f->set & VFP_XSET_SRC_MAC)
		eth->src_addr = f->set_src_mac;
	if (f->set & VFP_XSET_DST_MAC)
		eth->dst_addr = f->set_dst_mac;
	if (!(f->set & (VFP_XSET_SRC_IP | VFP_XSET_DST_IP)) || pkt->l3_off == 0)
		return;
	ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
	l4 = pkt->l3_off + (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (pkt->has_l4 && pkt->key.proto == IPPROTO_TCP && len >= l4 + sizeof(struct rte_tcp_hdr))
		l4sum = frame + l4 + offsetof(struct rte_tcp_hdr, cksum);
	else if (pkt->has_l4 && pkt->key.proto == IPPROTO_UDP &&
		 len >= l4 + sizeof(struct rte_udp_hdr) &&
		 ((struct rte_udp_hdr *)(frame + l4))->dgram_cksum != 0)
		l4sum = frame + l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	if (f->set & VFP_XSET_SRC_IP) {
		fix_sums(ip, ip->src_addr, f->set_src_ip, l4sum);
		ip->src_addr = f->set_src_ip;
	}
	if (f->set & VFP_XSET_DST_IP) {
		fix_sums(ip, ip->dst_addr, f->set_dst_ip, l4sum);
		ip->dst_addr = f->set_dst_ip;
	}
}

static inline void
tcp_track(struct vfp_flow *f, uint8_t flags)
{
	uint8_t st = f->tcp_state;

	if (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		st = VFP_TCP_CLOSING;
	else if (st == VFP_TCP_SYN && !(flags & RTE_TCP_SYN_FLAG))
		st = VFP_TCP_ESTABLISHED;
	if (st != f->tcp_state)
		f->tcp_state = st;
}

void
vfp_apply_flow(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
	const struct vfp_pkt *pkt, struct vfp_flow *f, uint64_t now)
{
	uint8_t *frame;
	uint32_t inner_len;
	uint8_t *hdr;

	if (unlikely(f->meter != VFP_NONE) &&
		rte_meter_srtcm_color_blind_check(&lc->meters[f->meter],
			(struct rte_meter_srtcm_profile *)(uintptr_t)&p->meters[f->meter].profile,
			now, rte_pktmbuf_pkt_len(m)) == RTE_COLOR_RED) {
		vfp_drop(lc, port, m, HNV_DROP_METER_RED);
		return;
	}
	if (unlikely(f->counter != VFP_NONE)) {
		lc->counters[f->counter].packets++;
		lc->counters[f->counter].bytes += rte_pktmbuf_pkt_len(m);
	}
	f->packets++;
	f->bytes += rte_pktmbuf_pkt_len(m);
	f->last_tsc = now;
	if (f->to_class == VFP_TO_TCP)
		tcp_track(f, pkt->tcp_flags);

	switch (f->kind) {
	case VFP_XP_FORWARD:
		if (unlikely(f->set))
			apply_rewrites(
				f, pkt, rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m));
		vfp_enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_DECAP:
		lc->stats[port].decapsulated++;
		rte_pktmbuf_trim(
			m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pkt->hdr_len - pkt->inner_len));
		rte_pktmbuf_adj(m, pkt->hdr_len);
		if (unlikely(f->set))
			apply_rewrites(
				f, pkt, rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m));
		vfp_enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_ENCAP:
		inner_len = rte_pktmbuf_pkt_len(m);
		if (unlikely(f->tmpl.len - f->tmpl.l3_off + inner_len > p->mtu)) {
			vfp_drop(lc, port, m, HNV_DROP_TOO_BIG);
			return;
		}
		frame = rte_pktmbuf_mtod(m, uint8_t *);
		if (unlikely(f->set))
			apply_rewrites(f, pkt, frame, inner_len);
		hdr = (uint8_t *)rte_pktmbuf_prepend(m, f->tmpl.len);
		if (unlikely(hdr == NULL)) {
			vfp_drop(lc, port, m, HNV_DROP_NO_HEADROOM);
			return;
		}
		encap_template_stamp(&f->tmpl, hdr, (uint16_t)inner_len);
		lc->stats[p->hp.uplink].encapsulated++;
		vfp_enqueue(lc, p->hp.uplink, m);
		return;
	default:
		vfp_drop(lc, port, m, (enum hnv_drop_reason)f->drop_reason);
		return;
	}
}
