/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the per-packet data path.
 *
 * One burst from one port, in three passes:
 *
 *  1. parse (vfp_parse.c): port security and what is not per flow.
 *     VM port: source MAC and IPv4/ARP sender must be the NIC's; ARP
 *     requests go to the ARP proxy (R8); other broadcast is refused until
 *     unicast replication lands. Uplink: our MAC and VLAN, ARP for our PA
 *     and from next hops, tunnel header validation (encap_parse), our PA;
 *     inbound broadcast/multicast is delivered to the VSID's local VMs
 *     (the ARP and flooding work is in vfp_arp.c). Everything else
 *     becomes a flow key.
 *  2. one rte_hash bulk lookup of all the keys in the UFT (vfp_uft.c).
 *  3. per packet: a hit on a current entry applies its transposition
 *     (rewrite, prepend the precomputed outer header and patch two lengths
 *     and a checksum, or strip the tunnel) and queues the packet; a miss or
 *     a stale entry walks the layers (vfp_slowpath.c), inserts the result
 *     (and, for an allowed stateful flow, the entry of its replies) and
 *     applies it.
 *
 * Every packet ends queued on this lcore's tx buffers or freed under a
 * named drop reason. No locks on a hit, no allocation except the resolver
 * reusing a packet it drops anyway. The VSID is part of every key, which
 * keeps tenants with overlapping CAs apart (R22).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_private.h"

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

/* ------------------------------------------------------------------ */
/* Applying a flow                                                    */

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

/* L2 and L3 rewrites on the inner frame at @frame. */
static void
apply_rewrites(const struct vfp_flow *f, const struct vfp_pkt *pkt, uint8_t *frame, uint32_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;

	if (f->set & VFP_XSET_SRC_MAC)
		eth->src_addr = f->set_src_mac;
	if (f->set & VFP_XSET_DST_MAC)
		eth->dst_addr = f->set_dst_mac;
	if ((f->set & (VFP_XSET_SRC_IP | VFP_XSET_DST_IP)) && pkt->l3_off != 0) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
		uint32_t l4 = pkt->l3_off + (uint32_t)(ip->version_ihl & 0xf) * 4;
		uint8_t *l4sum = NULL; /* the TCP/UDP checksum covers the addresses too */
		rte_be16_t sum;

		if (pkt->has_l4 && pkt->key.proto == IPPROTO_TCP &&
			len >= l4 + sizeof(struct rte_tcp_hdr))
			l4sum = frame + l4 + offsetof(struct rte_tcp_hdr, cksum);
		else if (pkt->has_l4 && pkt->key.proto == IPPROTO_UDP &&
			 len >= l4 + sizeof(struct rte_udp_hdr) &&
			 ((struct rte_udp_hdr *)(frame + l4))->dgram_cksum != 0)
			l4sum = frame + l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
		if (f->set & VFP_XSET_SRC_IP) {
			ip->hdr_checksum =
				csum_replace4(ip->hdr_checksum, ip->src_addr, f->set_src_ip);
			if (l4sum != NULL) {
				memcpy(&sum, l4sum, 2);
				sum = csum_replace4(sum, ip->src_addr, f->set_src_ip);
				memcpy(l4sum, &sum, 2);
			}
			ip->src_addr = f->set_src_ip;
		}
		if (f->set & VFP_XSET_DST_IP) {
			ip->hdr_checksum =
				csum_replace4(ip->hdr_checksum, ip->dst_addr, f->set_dst_ip);
			if (l4sum != NULL) {
				memcpy(&sum, l4sum, 2);
				sum = csum_replace4(sum, ip->dst_addr, f->set_dst_ip);
				memcpy(l4sum, &sum, 2);
			}
			ip->dst_addr = f->set_dst_ip;
		}
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

/* The fast path proper: one packet, one flow entry. */
static inline void
apply_flow(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
	const struct vfp_pkt *pkt, struct vfp_flow *f, uint64_t now)
{
	uint8_t *frame;
	uint32_t inner_len;
	uint8_t *hdr;

	if (unlikely(f->meter != VFP_NONE) &&
		rte_meter_srtcm_color_blind_check(&lc->meters[f->meter],
			/* the profile is read-only; the API just lacks the const */
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

/* Put @v's flow in the table; the entry that stays is returned (NULL when
 * the table is full: the caller forwards from @v itself). */
static struct vfp_flow *
cache_flow(struct vfp_switch *sw, struct vfp_lcore *lc, const struct vfp_verdict *v, uint64_t now,
	bool replace_drop)
{
	struct vfp_flow *nf = vfp_uft_alloc(&sw->uft), *cur;
	uint32_t index;

	if (nf == NULL)
		return NULL;
	index = nf->index;
	*nf = v->flow;
	nf->index = index;
	nf->packets = 0;
	nf->bytes = 0;
	nf->last_tsc = now;
	switch (vfp_uft_insert(sw, nf, replace_drop, &cur)) {
	case 0:
		lc->uft.inserts++;
		return cur;
	case -EEXIST:
		return cur;
	default:
		return NULL;
	}
}

/* The entry of the replies of the allowed flow @fwd (built from @pkt). */
static void
cache_reverse(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	const struct vfp_pkt *pkt, const struct vfp_flow *fwd, uint64_t now)
{
	const struct vfp_entry *remote = NULL;
	const struct vfp_flow *have;
	struct vfp_verdict rv;
	struct vfp_pkt r;
	uint16_t dst_port = fwd->out_port;

	if (fwd->kind == VFP_XP_ENCAP)
		remote = vfp_l2_lookup(p, pkt->key.vsid, &pkt->key.dst_mac);
	memset(&r, 0, sizeof(r));
	vfp_reverse_key(p, &pkt->key, dst_port, remote, &r.key);
	/* A cached drop of the reply direction (say, an earlier unsolicited
	 * packet that an ACL refused) must give way to the allowed flow. */
	have = vfp_uft_lookup(&sw->uft, &r.key);
	if (have != NULL && have->kind != VFP_XP_DROP)
		return;
	r.is_ipv4 = pkt->is_ipv4;
	r.has_l4 = pkt->has_l4;
	vfp_slow_path(sw, p, &r, true, false, NULL, &rv);
	if (rv.flow.kind == VFP_XP_DROP || !rv.cacheable)
		return;
	rv.flow.flags |= VFP_FLOW_REVERSE;
	rv.flow.tcp_state = fwd->tcp_state;
	cache_flow(sw, lc, &rv, now, true);
}

static void
slow_path(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, uint64_t now)
{
	struct vfp_verdict v;
	struct vfp_flow *f = NULL;

	vfp_slow_path(sw, p, pkt, vfp_is_reply(sw, p, &pkt->key), true, NULL, &v);
	if (v.solicit_neigh >= 0) {
		lc->stats[port].drops[HNV_DROP_NEXTHOP_UNRESOLVED]++;
		if (!vfp_solicit_with(sw, p, lc, (unsigned int)v.solicit_neigh, m))
			rte_pktmbuf_free(m);
		return;
	}
	if (v.cacheable)
		f = cache_flow(sw, lc, &v, now, false);
	if (f == NULL) {
		/* Full table: forward from the slow path's result, uncached. */
		lc->uft.uncached++;
		f = &v.flow;
	} else if (v.reverse_wanted) {
		cache_reverse(sw, p, lc, pkt, f, now);
	}
	apply_flow(p, lc, port, m, pkt, f, now);
}

/* ------------------------------------------------------------------ */
/* Bursts                                                             */

/* Counter and meter ids belong to a program: start afresh with a new one. */
static void
qos_reset(struct vfp_lcore *lc, const struct vfp_program *p)
{
	memset(lc->counters, 0, sizeof(lc->counters));
	for (unsigned int i = 0; i < p->n_meters; i++)
		rte_meter_srtcm_config(&lc->meters[i],
			(struct rte_meter_srtcm_profile *)(uintptr_t)&p->meters[i].profile);
	lc->qos_prog = p;
}

void
vfp_process_burst(struct vfp_switch *sw, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf **pkts, uint16_t n)
{
	const struct vfp_program *p = __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
	struct vfp_port_stats *st = &lc->stats[port];
	struct vfp_pkt meta[VFP_BURST];
	const struct vfp_flow_key *keys[VFP_BURST];
	struct vfp_flow *found[VFP_BURST];
	int8_t what[VFP_BURST]; /* PARSE_* / 0 = flow / -1 = dropped */
	enum hnv_drop_reason why[VFP_BURST];
	uint64_t now = rte_rdtsc();
	unsigned int k = 0;
	bool walked = false; /* a slow path of this burst may have added flows */
	uint8_t role;

	if (unlikely(p == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			vfp_drop(lc, port, pkts[i], HNV_DROP_PORT_UNBOUND);
		return;
	}
	role = p->ports[port].role;
	if (unlikely(lc->qos_prog != p))
		qos_reset(lc, p);

	/* 1: parse every packet; collect the flow keys. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *frame;
		uint32_t len;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		st->rx_packets++;
		st->rx_bytes += rte_pktmbuf_pkt_len(m);
		if (unlikely(!rte_pktmbuf_is_contiguous(m)) && rte_pktmbuf_linearize(m) != 0) {
			what[i] = -1;
			why[i] = HNV_DROP_MALFORMED;
			continue;
		}
		frame = rte_pktmbuf_mtod(m, const uint8_t *);
		len = rte_pktmbuf_data_len(m);
		if (role == VFP_PORT_UPLINK) {
			what[i] = (int8_t)vfp_parse_uplink(p, port, frame, len, &meta[i], &why[i]);
		} else if (role == VFP_PORT_VM) {
			what[i] = (int8_t)vfp_parse_vm(p, port, frame, len, &meta[i], &why[i]);
		} else {
			what[i] = -1;
			why[i] = HNV_DROP_PORT_UNBOUND;
		}
		if (what[i] == 0)
			keys[k++] = &meta[i].key;
	}

	/* 2: one bulk lookup for the burst. */
	vfp_uft_lookup_bulk(&sw->uft, keys, k, found);
	for (unsigned int i = 0; i < k; i++)
		if (found[i] != NULL) {
			/* The hot line and the outer header template. */
			rte_prefetch0(found[i]);
			rte_prefetch0((const uint8_t *)found[i] + RTE_CACHE_LINE_SIZE);
		}

	/* 3: in arrival order, so that nothing is reordered. */
	k = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vfp_flow *f;

		switch (what[i]) {
		case 0:
			break;
		case PARSE_ARP:
			if (role == VFP_PORT_UPLINK) {
				vfp_arp_uplink(sw, p, lc, port, m);
				continue;
			}
			if (!vfp_arp_vm(p, lc, port, m))
				continue;
			/* A VM's ARP reply: an L2 flow of its VSID, looked up alone. */
			vfp_parse_inner(
				rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), &meta[i]);
			meta[i].key.vsid = p->ports[port].vnic->vsid;
			meta[i].key.in_port = port;
			meta[i].key.dir = VFP_DIR_OUT;
			f = vfp_uft_lookup(&sw->uft, &meta[i].key);
			goto flow;
		case PARSE_FLOOD:
			vfp_flood_inbound(p, lc, port, m, &meta[i]);
			continue;
		default:
			vfp_drop(lc, port, m, why[i]);
			continue;
		}
		f = found[k++];
		/* The bulk lookup predates this burst's inserts: a later packet
		 * of a flow that an earlier one just added looks again. */
		if (unlikely(walked) && (f == NULL || !vfp_flow_current(sw, f)))
			f = vfp_uft_lookup(&sw->uft, &meta[i].key);
	flow:
		if (likely(f != NULL && vfp_flow_current(sw, f))) {
			lc->uft.hits++;
			apply_flow(p, lc, port, m, &meta[i], f, now);
			continue;
		}
		if (f != NULL)
			lc->uft.stale++;
		lc->uft.misses++;
		walked = true;
		slow_path(sw, p, lc, port, m, &meta[i], now);
	}
}

void
vfp_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, uint16_t port,
	struct vfp_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int l = 0; l < n_lcores; l++) {
		const struct vfp_port_stats *s = &lcs[l]->stats[port];

		out->rx_packets += s->rx_packets;
		out->rx_bytes += s->rx_bytes;
		out->tx_packets += s->tx_packets;
		out->tx_bytes += s->tx_bytes;
		out->arp_replies += s->arp_replies;
		out->arp_requests += s->arp_requests;
		out->encapsulated += s->encapsulated;
		out->decapsulated += s->decapsulated;
		out->consumed += s->consumed;
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			out->drops[r] += s->drops[r];
	}
}

void
vfp_uft_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, struct vfp_uft_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int l = 0; l < n_lcores; l++) {
		out->hits += lcs[l]->uft.hits;
		out->misses += lcs[l]->uft.misses;
		out->stale += lcs[l]->uft.stale;
		out->inserts += lcs[l]->uft.inserts;
		out->uncached += lcs[l]->uft.uncached;
	}
}

int
vfp_trace_packet(struct vfp_switch *sw, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_trace *out)
{
	const struct vfp_program *p = __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
	enum hnv_drop_reason why;
	struct vfp_verdict v;
	struct vfp_pkt pkt;
	int rc;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -ENOENT;
	if (port >= p->hp.n_ports) {
		rc = -1;
		why = HNV_DROP_PORT_UNBOUND;
	} else if (p->ports[port].role == VFP_PORT_UPLINK) {
		rc = vfp_parse_uplink(p, port, frame, len, &pkt, &why);
	} else {
		rc = vfp_parse_vm(p, port, frame, len, &pkt, &why);
	}
	if (rc == PARSE_ARP) {
		snprintf(out->result, sizeof(out->result), "ARP: handled by the ARP proxy");
		return 0;
	}
	if (rc == PARSE_FLOOD) {
		snprintf(out->result, sizeof(out->result),
			"broadcast/multicast: delivered to every local VM of VSID %u",
			pkt.key.vsid);
		return 0;
	}
	if (rc < 0) {
		out->dropped = true;
		out->drop = why;
		snprintf(out->result, sizeof(out->result), "drop %s (before the layers)",
			hnv_drop_name(why));
		return 0;
	}
	vfp_slow_path(sw, p, &pkt, vfp_is_reply(sw, p, &pkt.key), false, out, &v);
	return 0;
}
