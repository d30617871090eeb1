/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the apply and transmit stage: executing a flow entry on a
 * packet (inline here: a hit is one lookup and this, per packet), and, in
 * vfp_apply.c, the lcore's transmit buffers, the rewrites and QoS state.
 *
 * A hit meters and counts the packet, stamps the flow's last use and TCP
 * state, and applies the precomputed transposition: forward (with
 * rewrites), decapsulate (strip the tunnel), or encapsulate (prepend the
 * stored outer header and patch its lengths and checksum). The packet
 * ends in this lcore's transmit buffer of its output port, or freed under
 * the entry's drop reason.
 */
#ifndef HNV_VFP_APPLY_H
#define HNV_VFP_APPLY_H

#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "vfp_flow.h"
#include "vfp_lc.h"
#include "vfp_mbuf.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"
#include "vfp_router.h"

/* The one's complement sum @sum after a 32-bit field went from @from to
 * @to (RFC 1624: HC' = ~(~HC + ~m + m')), all in network order. */
static inline rte_be16_t
vfp_csum_replace4(rte_be16_t sum, rte_be32_t from, rte_be32_t to)
{
	uint32_t s = (uint16_t)~sum;

	s += (uint16_t) ~(from & 0xffff) + (uint16_t) ~(from >> 16);
	s += (to & 0xffff) + (to >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (rte_be16_t)~s;
}

/* The same for a 16-bit field. */
static inline rte_be16_t
vfp_csum_replace2(rte_be16_t sum, rte_be16_t from, rte_be16_t to)
{
	uint32_t s = (uint16_t)~sum;

	s += (uint16_t)~from + (uint32_t)to;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (rte_be16_t)~s;
}

/* The L2 and L3 rewrites of @f on the inner frame at @frame (@len bytes),
 * checksums fixed incrementally; a routed flow's TTL decrement first.
 * Returns false, having changed nothing, when that TTL is 1 or 0. */
bool vfp_apply_rewrites(
	const struct vfp_flow *f, const struct vfp_pkt *pkt, uint8_t *frame, uint32_t len);

/* vfp_mtu.c: @m (from VM port @port, parsed as @pkt) would exceed the
 * underlay MTU encapsulated by @f: fragmented and sent (IPv4 without DF),
 * or dropped as too_big with an ICMP error to the VM (or ttl_exceeded, for
 * a routed packet whose TTL runs out). Consumes @m. */
void vfp_encap_too_big(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, const struct vfp_flow *f);

/* The UDP checksum of an IPv6 VXLAN packet @m, its header stamped at
 * @hdr (at the start of @m) in front of @inner_len bytes. */
void vfp_encap_udp6_cksum(
	struct rte_mbuf *m, const struct encap_template *t, uint8_t *hdr, uint16_t inner_len);

/* Write @t's outer header at @hdr (the start of @m), in front of @m's
 * @inner_len-byte frame, its lengths patched: the IPv4 checksum too, or,
 * for an uplink that computes it, left to the NIC (the same bytes on the
 * wire); over IPv6, the UDP checksum. */
static inline void
vfp_encap_stamp(const struct vfp_program *p, struct rte_mbuf *m, const struct encap_template *t,
	uint8_t *hdr, uint16_t inner_len)
{
	if (unlikely(t->ipv6)) {
		encap_template_stamp(t, hdr, inner_len);
		vfp_encap_udp6_cksum(m, t, hdr, inner_len);
		return;
	}
	if (likely(!p->hp.tx_ipv4_cksum)) {
		encap_template_stamp(t, hdr, inner_len);
		return;
	}
	encap_template_stamp_nocksum(t, hdr, inner_len);
	m->ol_flags = (m->ol_flags & ~RTE_MBUF_F_TX_OFFLOAD_MASK) | RTE_MBUF_F_TX_IPV4 |
		      RTE_MBUF_F_TX_IP_CKSUM;
	m->l2_len = t->l3_off;
	m->l3_len = sizeof(struct rte_ipv4_hdr);
}

/* TCP state from a packet's flags: SYN until the handshake's third packet,
 * CLOSING from a FIN or RST on. */
static inline void
vfp_apply_tcp_track(struct vfp_flow *f, uint8_t flags)
{
	uint8_t st = f->tcp_state;

	if (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		st = VFP_TCP_CLOSING;
	else if (st == VFP_TCP_SYN && !(flags & RTE_TCP_SYN_FLAG))
		st = VFP_TCP_ESTABLISHED;
	if (st != f->tcp_state)
		f->tcp_state = st;
}

/* Apply entry @f to packet @m (parsed as @pkt, received on @port) at
 * @now: meter, count, track TCP, rewrite, then queue it or drop it. The
 * fast path proper, inline in the burst loop. */
static inline void
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
		vfp_apply_tcp_track(f, pkt->tcp_flags);

	switch (f->kind) {
	case VFP_XP_FORWARD:
		if (unlikely(f->set) &&
			unlikely(!vfp_apply_rewrites(
				f, pkt, rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m)))) {
			vfp_router_ttl_exceeded(p, lc, port, m, pkt);
			return;
		}
		vfp_enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_DECAP:
		lc->stats[port].decapsulated++;
		if (unlikely(rte_pktmbuf_pkt_len(m) != (uint32_t)pkt->hdr_len + pkt->inner_len))
			vfp_mbuf_truncate(m, (uint32_t)pkt->hdr_len + pkt->inner_len); /* padding */
		rte_pktmbuf_adj(m, pkt->hdr_len);
		if (unlikely(f->set))
			(void)vfp_apply_rewrites(f, pkt, rte_pktmbuf_mtod(m, uint8_t *),
				rte_pktmbuf_data_len(m)); /* never routed: no TTL to refuse */
		vfp_enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_ENCAP:
		inner_len = rte_pktmbuf_pkt_len(m);
		if (unlikely(f->tmpl.len - f->tmpl.l3_off + inner_len > p->mtu)) {
			vfp_encap_too_big(p, lc, port, m, pkt, f);
			return;
		}
		frame = rte_pktmbuf_mtod(m, uint8_t *);
		if (unlikely(f->set) &&
			unlikely(!vfp_apply_rewrites(f, pkt, frame, rte_pktmbuf_data_len(m)))) {
			vfp_router_ttl_exceeded(p, lc, port, m, pkt);
			return;
		}
		hdr = vfp_mbuf_prepend(&m, f->tmpl.len);
		if (unlikely(hdr == NULL)) {
			vfp_drop(lc, port, m, HNV_DROP_NO_HEADROOM);
			return;
		}
		vfp_encap_stamp(p, m, &f->tmpl, hdr, (uint16_t)inner_len);
		lc->stats[f->out_port].encapsulated++;
		vfp_enqueue(lc, f->out_port, m);
		return;
	default:
		vfp_drop(lc, port, m, (enum hnv_drop_reason)f->drop_reason);
		return;
	}
}

/* Start @lc's counters and meters afresh for program @p. */
void vfp_apply_qos_reset(struct vfp_lcore *lc, const struct vfp_program *p);

/* Counter and meter ids belong to a program: start afresh when @lc first
 * sees @p. */
static inline void
vfp_apply_qos_sync(struct vfp_lcore *lc, const struct vfp_program *p)
{
	if (unlikely(lc->qos_prog != p))
		vfp_apply_qos_reset(lc, p);
}

#endif /* HNV_VFP_APPLY_H */
