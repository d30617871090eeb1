/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the per-packet data path: one burst from one port, stage by
 * stage, each stage calling only later ones.
 *
 *  1. ingress (vfp_ingress.c): parse and port security; a flow key, or ARP,
 *     or inbound flooding, or a named drop.
 *  2. flow cache (vfp_flowcache.c): one bulk lookup of the burst's keys.
 *  3. per packet, in arrival order (nothing is reordered):
 *     - ARP to the proxy (vfp_arp.c), flooding to the VSID's VMs
 *       (vfp_flood.c), pings of the router's addresses answered
 *       (vfp_router.c), a VM's DHCP answered (vfp_dhcp.c), its IPv6
 *       Neighbor Discovery answered (vfp_nd.c), drops counted;
 *     - a VM's broadcast: unicast replication (vfp_flood.c) makes one
 *       unicast copy per other VM of its VSID, and the copies take stages
 *       2 and 3 as a burst of their own, right here, before the next
 *       packet (so order is kept and ACLs apply per copy);
 *     - a hit on a current entry: apply it (vfp_apply.c);
 *     - a miss or a stale entry: the miss handler (vfp_miss.c) walks the
 *       layers and returns a finished verdict; an unresolved next hop turns
 *       the packet into an ARP request (vfp_arp.c); the flow cache caches
 *       the verdict (and the entry of its replies); apply.
 *
 * Every packet ends queued on this lcore's tx buffers or freed under a
 * named drop reason. No locks on a hit, no allocation except the resolver
 * reusing a packet it drops anyway. The VSID is part of every key, which
 * keeps tenants with overlapping CAs apart (R22).
 */
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "vfp_apply.h"
#include "vfp_arp.h"
#include "vfp_dhcp.h"
#include "vfp_flood.h"
#include "vfp_flowcache.h"
#include "vfp_ingress.h"
#include "vfp_mbuf.h"
#include "vfp_nd.h"
#include "vfp_router.h"
#include "vfp_walk.h"

/* ARP, DHCP and Neighbor Discovery read (and answer in) the whole message,
 * which is short: one in several segments is put in one, else dropped. */
/* Is the outer UDP checksum of VXLAN-over-IPv6 packet @m (parsed as
 * @pkt) right? Verified here, over every segment; receive offload flags
 * are not trusted for it, NICs differ on what they say of a tunnel. */
static bool
outer_udp6_ok(const struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const struct rte_ipv6_hdr *ip =
		rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pkt->outer6_l3);

	return rte_ipv6_udptcp_cksum_mbuf_verify(m, ip, pkt->outer6_l4) == 0;
}

static bool
whole(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	if (likely(m->nb_segs == 1) || rte_pktmbuf_linearize(m) == 0)
		return true;
	vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
	return false;
}

/* A packet that missed, or hit a stale entry. */
static void
miss(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, uint64_t now)
{
	struct vfp_verdict v;

	vfp_miss_handle(sw, p, pkt, vfp_cache_is_reply(sw, p, &pkt->key), true, NULL, &v);
	if (v.solicit_nh >= 0) {
		lc->stats[port].drops[HNV_DROP_NEXTHOP_UNRESOLVED]++;
		if (!vfp_arp_solicit(sw, p, lc, (unsigned int)v.solicit_nh, m))
			rte_pktmbuf_free(m);
		return;
	}
	vfp_apply_flow(p, lc, port, m, pkt, vfp_cache_insert(sw, lc, &v, now), now);
}

static void stages(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf **pkts, struct vfp_pkt *meta, const uint8_t *what,
	const enum hnv_drop_reason *why, uint16_t n, uint64_t now);

/* A VM's broadcast: its unicast copies take stages 2 and 3 as a burst of
 * their own from the same port; the original is freed (the copies hold
 * its payload). */
static void
replicate(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, uint64_t now)
{
	static const uint8_t flows[VFP_BURST] = {[0 ... VFP_BURST - 1] = VFP_RX_FLOW};
	struct rte_mbuf *copies[VFP_BURST];
	struct vfp_pkt meta[VFP_BURST];
	uint32_t next = 0;
	unsigned int n;

	if (!vfp_flood_admit(p, lc, port, m))
		return;
	lc->stats[port].replicated++;
	while ((n = vfp_flood_copies(p, lc, port, m, pkt, &next, copies, meta, VFP_BURST)) > 0)
		stages(sw, p, lc, port, copies, meta, flows, NULL, (uint16_t)n, now);
	rte_pktmbuf_free(m);
	/* Send the copies now: held to the end of the burst, a storm to many
	 * local VMs would keep more mbufs out than the pool's per-lcore cache
	 * holds, and every copy would then come cold from the ring. */
	vfp_lcore_flush(lc);
}

/* Stages 2 and 3 for @n packets of @port classified by stage 1. */
static void
stages(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf **pkts, struct vfp_pkt *meta, const uint8_t *what,
	const enum hnv_drop_reason *why, uint16_t n, uint64_t now)
{
	const struct vfp_flow_key *keys[VFP_BURST];
	struct vfp_flow *found[VFP_BURST];
	unsigned int k = 0;
	bool walked = false; /* a miss of this burst may have added flows */

	for (uint16_t i = 0; i < n; i++)
		if (what[i] == VFP_RX_FLOW)
			keys[k++] = &meta[i].key;

	/* 2: one bulk lookup for the burst. */
	vfp_cache_lookup_burst(sw, keys, k, found);

	/* 3: in arrival order. */
	k = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct vfp_flow *f;

		switch (what[i]) {
		case VFP_RX_FLOW:
			f = found[k++];
			/* The bulk lookup predates this burst's inserts: a later
			 * packet of a flow that an earlier one just added looks
			 * again. */
			if (unlikely(walked) && (f == NULL || !vfp_flow_current(sw, f)))
				f = vfp_cache_lookup(sw, &meta[i].key);
			break;
		case VFP_RX_ARP:
			if (!whole(lc, port, m))
				continue;
			if (p->ports[port].role == VFP_PORT_UPLINK) {
				vfp_arp_uplink(sw, p, lc, port, m);
				continue;
			}
			if (!vfp_arp_vm(p, lc, port, m))
				continue;
			/* A VM's ARP reply: an L2 flow of its VSID, looked up alone. */
			vfp_ingress_vm_l2(p, port, rte_pktmbuf_mtod(m, const uint8_t *),
				rte_pktmbuf_data_len(m), &meta[i]);
			f = vfp_cache_lookup(sw, &meta[i].key);
			break;
		case VFP_RX_FLOOD:
			vfp_flood_inbound(p, lc, port, m, &meta[i]);
			continue;
		case VFP_RX_ROUTER:
			vfp_router_echo(p, lc, port, m, &meta[i]);
			continue;
		case VFP_RX_DHCP:
			if (whole(lc, port, m))
				vfp_dhcp_answer(p, lc, port, m);
			continue;
		case VFP_RX_ND:
			if (!whole(lc, port, m))
				continue;
			if (p->ports[port].role == VFP_PORT_UPLINK)
				vfp_nd_uplink(sw, p, lc, port, m);
			else
				vfp_nd_vm(p, lc, port, m);
			continue;
		case VFP_RX_REPLICATE:
			replicate(sw, p, lc, port, m, &meta[i], now);
			walked = true; /* its copies may have added flows */
			continue;
		default:
			vfp_drop(lc, port, m, why[i]);
			continue;
		}
		if (likely(f != NULL && vfp_flow_current(sw, f))) {
			lc->uft.hits++;
			vfp_apply_flow(p, lc, port, m, &meta[i], f, now);
			continue;
		}
		if (f != NULL)
			lc->uft.stale++;
		lc->uft.misses++;
		walked = true;
		miss(sw, p, lc, port, m, &meta[i], now);
	}
}

void
vfp_process_burst(struct vfp_switch *sw, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf **pkts, uint16_t n)
{
	const struct vfp_program *p = __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
	struct vfp_port_stats *st = &lc->stats[port];
	struct vfp_pkt meta[VFP_BURST];
	uint8_t what[VFP_BURST]; /* enum vfp_rx_class */
	enum hnv_drop_reason why[VFP_BURST];
	uint64_t now = rte_rdtsc();

	if (unlikely(p == NULL)) {
		for (uint16_t i = 0; i < n; i++)
			vfp_drop(lc, port, pkts[i], HNV_DROP_PORT_UNBOUND);
		return;
	}
	vfp_apply_qos_sync(lc, p);

	/* 1: ingress. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		st->rx_packets++;
		st->rx_bytes += rte_pktmbuf_pkt_len(m);
		/* A chain stays one: only its headers need be in one piece. */
		if (unlikely(m->nb_segs > 1) && !vfp_mbuf_pullup(m, VFP_MBUF_HEAD)) {
			what[i] = VFP_RX_DROP;
			why[i] = HNV_DROP_MALFORMED;
			continue;
		}
		what[i] = (uint8_t)vfp_ingress(p, port, rte_pktmbuf_mtod(m, const uint8_t *),
			rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m), m->ol_flags, &meta[i],
			&why[i]);
		if (unlikely(meta[i].outer6_l4 != 0) &&
			(what[i] == VFP_RX_FLOW || what[i] == VFP_RX_FLOOD) &&
			!outer_udp6_ok(m, &meta[i])) {
			what[i] = VFP_RX_DROP;
			why[i] = HNV_DROP_TUNNEL_BAD_CKSUM;
		}
	}
	stages(sw, p, lc, port, pkts, meta, what, why, n, now);
}
