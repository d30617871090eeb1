/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the per-packet data path of the first slice.
 *
 * Owns what a worker does with each received packet:
 *
 *   VM port:  anti-spoofing (source MAC, source IPv4/ARP sender) ->
 *             ARP request? answered by the ARP proxy from the policy (R8) ->
 *             L2 lookup of the destination MAC inside the port's VSID (R4) ->
 *             local VM: hairpin to its port (R14) |
 *             remote CA: precomputed VXLAN/NVGRE header + next-hop MAC +
 *             per-flow entropy, out of the uplink (R10, R12, R13).
 *   uplink:   ARP for our PA answered, next-hop ARP learned ->
 *             outer headers validated (encap_parse) -> our PA? known VSID?
 *             inner source mapped to the outer source PA? -> decap -> inner
 *             destination MAC: the local VM's port, or every local VM of the
 *             VSID for broadcast/multicast.
 *
 * Every packet ends queued on this lcore's tx buffers or freed under a named
 * drop reason. No locks, no allocation except the resolver reusing a packet
 * it drops anyway. The VSID is part of every lookup key, which is what keeps
 * tenants with overlapping CAs apart (R22).
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_prefetch.h>

#include "vfp_private.h"

static inline void
drop(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, enum hnv_drop_reason r)
{
	lc->stats[port].drops[r]++;
	rte_pktmbuf_free(m);
}

static void
flush_port(struct vfp_lcore *lc, uint16_t port)
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
		drop(lc, port, pkts[i], HNV_DROP_TX_FULL);
	}
	lc->stats[port].tx_packets += sent;
	lc->stats[port].tx_bytes += bytes;
	lc->txb[port].n = 0;
}

static inline void
enqueue(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	if (lc->txb[port].n == VFP_TX_BUF)
		flush_port(lc, port);
	lc->txb[port].pkts[lc->txb[port].n++] = m;
	lc->dirty |= UINT64_C(1) << port;
}

void
vfp_lcore_init(struct vfp_lcore *lc, vfp_tx_fn tx, void *ctx)
{
	memset(lc, 0, sizeof(*lc));
	lc->tx = tx;
	lc->tx_ctx = ctx;
	lc->tsc_hz = rte_get_tsc_hz();
}

void
vfp_lcore_flush(struct vfp_lcore *lc)
{
	while (lc->dirty != 0) {
		uint16_t port = (uint16_t)__builtin_ctzll(lc->dirty);

		lc->dirty &= lc->dirty - 1;
		flush_port(lc, port);
	}
}

/* Rewrite @m (which is being dropped) into an ARP request for next hop @n
 * and send it out of the uplink, at most once a second per next hop. */
static bool
solicit_with(const struct vfp_program *p, struct vfp_lcore *lc, struct arp_proxy_neigh *n,
        struct rte_mbuf *m)
{
	uint8_t *buf;
	int len;

	if (!arp_proxy_neigh_should_request(n, rte_get_tsc_cycles(), lc->tsc_hz))
		return false;
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (buf == NULL)
		return false;
	len = arp_proxy_build_request(buf, 64, &p->hp.uplink_mac, p->hp.pa[0], n->ip, p->hp.vlan);
	if (len < 0)
		return false;
	rte_pktmbuf_trim(m, (uint16_t)(64 - len));
	lc->stats[p->hp.uplink].arp_requests++;
	enqueue(lc, p->hp.uplink, m);
	return true;
}

static void
vm_encap(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
        const struct vfp_entry *e)
{
	struct arp_proxy_neigh *n = (struct arp_proxy_neigh *)(uintptr_t)&p->neigh[e->neigh];
	const struct encap_template *t = &e->tmpl;
	uint32_t inner_len = rte_pktmbuf_pkt_len(m);
	struct rte_ether_addr nh_mac;
	uint32_t hash;
	uint8_t *hdr;

	if (!arp_proxy_neigh_lookup(n, &nh_mac)) {
		lc->stats[port].drops[HNV_DROP_NEXTHOP_UNRESOLVED]++;
		if (!solicit_with(p, lc, n, m))
			rte_pktmbuf_free(m);
		return;
	}
	if (t->len - t->l3_off + inner_len > p->mtu) {
		drop(lc, port, m, HNV_DROP_TOO_BIG);
		return;
	}
	hash = encap_inner_hash(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m));
	hdr = (uint8_t *)rte_pktmbuf_prepend(m, t->len);
	if (hdr == NULL) {
		drop(lc, port, m, HNV_DROP_NO_HEADROOM);
		return;
	}
	encap_template_stamp(t, hdr, (uint16_t)inner_len);
	memcpy(hdr, &nh_mac, RTE_ETHER_ADDR_LEN);
	if (t->type == ENCAP_TYPE_VXLAN) {
		rte_be16_t sport = rte_cpu_to_be_16(encap_vxlan_sport(hash));

		memcpy(hdr + t->l4_off, &sport, sizeof(sport));
	} else {
		hdr[t->l4_off + 7] = (uint8_t)hash; /* NVGRE FlowID */
	}
	lc->stats[p->hp.uplink].encapsulated++;
	enqueue(lc, p->hp.uplink, m);
}

static void
vm_arp(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
        const struct vfp_entry *vnic, uint8_t *frame, uint32_t len, bool *forward)
{
	const struct rte_ether_addr *answer;
	const struct vfp_entry *e;
	struct arp_proxy_pkt a;

	*forward = false;
	if (arp_proxy_parse(frame, len, &a) != ARP_PROXY_OK) {
		drop(lc, port, m, HNV_DROP_ARP_MALFORMED);
		return;
	}
	if (a.spa != vnic->ip && !(a.op == RTE_ARP_OP_REQUEST && a.spa == 0)) {
		drop(lc, port, m, HNV_DROP_SPOOFED_IP);
		return;
	}
	if (a.op != RTE_ARP_OP_REQUEST) {
		*forward = true; /* a VM's reply to a remote requester goes by L2 */
		return;
	}
	if (arp_proxy_is_gratuitous(&a) || a.tpa == vnic->ip) {
		drop(lc, port, m, HNV_DROP_ARP_GRATUITOUS);
		return;
	}
	if (a.tpa == vnic->subnet->gateway) {
		answer = &p->hp.router_mac;
	} else {
		e = vfp_arp_lookup(p, vnic->vsid, a.tpa);
		if (e == NULL) {
			drop(lc, port, m, HNV_DROP_ARP_NO_ENTRY);
			return;
		}
		answer = &e->mac;
	}
	arp_proxy_reply_in_place(frame, &a, answer);
	lc->stats[port].arp_replies++;
	enqueue(lc, port, m);
}

static void
vm_rx(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	uint32_t len = rte_pktmbuf_data_len(m);
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const struct vfp_entry *e;
	bool forward;

	if (len < sizeof(*eth)) {
		drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	if (!rte_is_same_ether_addr(&eth->src_addr, &vnic->mac)) {
		drop(lc, port, m, HNV_DROP_SPOOFED_MAC);
		return;
	}
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		vm_arp(p, lc, port, m, vnic, frame, len, &forward);
		if (!forward)
			return;
		break;
	case RTE_BE16(RTE_ETHER_TYPE_IPV4): {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*ip) || (ip->version_ihl >> 4) != 4) {
			drop(lc, port, m, HNV_DROP_MALFORMED);
			return;
		}
		if (ip->src_addr != vnic->ip) {
			drop(lc, port, m, HNV_DROP_SPOOFED_IP);
			return;
		}
		break;
	}
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
		drop(lc, port, m, HNV_DROP_VM_TAGGED);
		return;
	default:
		break;
	}
	if (!rte_is_unicast_ether_addr(&eth->dst_addr)) {
		drop(lc, port, m, HNV_DROP_FLOOD_UNSUPPORTED);
		return;
	}
	if (rte_is_same_ether_addr(&eth->dst_addr, &p->hp.router_mac)) {
		drop(lc, port, m, HNV_DROP_NO_ROUTE);
		return;
	}
	e = vfp_l2_lookup(p, vnic->vsid, &eth->dst_addr);
	if (e == NULL || e == vnic) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	if (e->kind == VFP_ENTRY_LOCAL)
		enqueue(lc, e->port, m);
	else
		vm_encap(p, lc, port, m, e);
}

static void
uplink_arp(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
        uint8_t *frame, uint32_t len)
{
	struct arp_proxy_neigh *n;
	struct arp_proxy_pkt a;
	bool learned = false;

	if (arp_proxy_parse(frame, len, &a) != ARP_PROXY_OK) {
		drop(lc, port, m, HNV_DROP_ARP_MALFORMED);
		return;
	}
	/* Learn (or refresh) a next hop from anything it says about itself,
	 * unless the policy fixed its MAC. */
	for (unsigned int i = 0; i < p->n_neigh; i++) {
		n = (struct arp_proxy_neigh *)(uintptr_t)&p->neigh[i];
		if (n->ip == a.spa && !p->neigh_static[i] && rte_is_unicast_ether_addr(&a.sha)) {
			arp_proxy_neigh_update(n, &a.sha);
			learned = true;
		}
	}
	if (a.op == RTE_ARP_OP_REQUEST && vfp_is_our_pa(p, a.tpa) && !arp_proxy_is_gratuitous(&a)) {
		arp_proxy_reply_in_place(frame, &a, &p->hp.uplink_mac);
		lc->stats[port].arp_replies++;
		enqueue(lc, port, m);
		return;
	}
	if (learned) {
		lc->stats[port].consumed++;
		rte_pktmbuf_free(m);
		return;
	}
	drop(lc, port, m, HNV_DROP_ARP_NOT_FOR_US);
}

static const enum hnv_drop_reason parse_drop[] = {
        [ENCAP_ERR_NOT_TUNNEL] = HNV_DROP_NOT_TUNNEL,
        [ENCAP_ERR_TRUNCATED] = HNV_DROP_TUNNEL_TRUNCATED,
        [ENCAP_ERR_BAD_IP] = HNV_DROP_TUNNEL_BAD_IP,
        [ENCAP_ERR_BAD_HEADER] = HNV_DROP_TUNNEL_BAD_HEADER,
        [ENCAP_ERR_BAD_VSID] = HNV_DROP_TUNNEL_BAD_VSID,
};

/* Deliver a decapsulated broadcast/multicast frame to every local VM of the
 * VSID: the same mbuf, once per port, with its reference count raised. */
static void
flood_local(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, const struct vfp_subnet *s)
{
	if (s->n_local == 0) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	if (s->n_local > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(s->n_local - 1));
	for (uint16_t i = 0; i < s->n_local; i++)
		enqueue(lc, s->local_ports[i], m);
}

static void
uplink_rx(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const struct rte_ether_hdr *inner;
	const struct vfp_subnet *s;
	const struct vfp_entry *e;
	struct encap_rx_info info;
	enum encap_parse_err err;
	uint16_t ethertype, vlan = 0;

	if (len < sizeof(*eth)) {
		drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	ethertype = eth->ether_type;
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*vh)) {
			drop(lc, port, m, HNV_DROP_MALFORMED);
			return;
		}
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		ethertype = vh->eth_proto;
	}
	if (vlan != p->hp.vlan) {
		drop(lc, port, m, HNV_DROP_WRONG_VLAN);
		return;
	}
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		uplink_arp(p, lc, port, m, frame, len);
		return;
	}
	if (!rte_is_same_ether_addr(&eth->dst_addr, &p->hp.uplink_mac)) {
		drop(lc, port, m, HNV_DROP_NOT_OUR_MAC);
		return;
	}
	err = encap_parse(frame, len, &info);
	if (err != ENCAP_OK) {
		drop(lc, port, m,
		        (unsigned int)err < RTE_DIM(parse_drop) ? parse_drop[err]
		                                                : HNV_DROP_MALFORMED);
		return;
	}
	if (!vfp_is_our_pa(p, info.dst_ip)) {
		drop(lc, port, m, HNV_DROP_NOT_OUR_PA);
		return;
	}
	s = vfp_subnet_lookup(p, info.vsid);
	if (s == NULL) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_VNI);
		return;
	}
	if (s->encap != info.type) {
		drop(lc, port, m, HNV_DROP_ENCAP_MISMATCH);
		return;
	}
	inner = (const struct rte_ether_hdr *)(frame + info.hdr_len);
	e = vfp_l2_lookup(p, info.vsid, &inner->src_addr);
	if (e == NULL || e->kind != VFP_ENTRY_REMOTE || e->pa != info.src_ip) {
		drop(lc, port, m, HNV_DROP_SPOOFED_PA);
		return;
	}
	lc->stats[port].decapsulated++;
	/* Inner frame length is what the outer IP header says, not what the
	 * wire padded it to. */
	rte_pktmbuf_trim(m, (uint16_t)(len - info.hdr_len - info.inner_len));
	rte_pktmbuf_adj(m, info.hdr_len);
	if (!rte_is_unicast_ether_addr(&inner->dst_addr)) {
		flood_local(lc, port, m, s);
		return;
	}
	e = vfp_l2_lookup(p, info.vsid, &inner->dst_addr);
	if (e == NULL || e->kind != VFP_ENTRY_LOCAL) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	enqueue(lc, e->port, m);
}

void
vfp_process_burst(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
        struct rte_mbuf **pkts, uint16_t n)
{
	struct vfp_port_stats *st = &lc->stats[port];
	uint8_t role = p->ports[port].role;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		st->rx_packets++;
		st->rx_bytes += rte_pktmbuf_pkt_len(m);
		if (unlikely(!rte_pktmbuf_is_contiguous(m)) && rte_pktmbuf_linearize(m) != 0) {
			drop(lc, port, m, HNV_DROP_MALFORMED);
			continue;
		}
		if (role == VFP_PORT_UPLINK)
			uplink_rx(p, lc, port, m);
		else if (role == VFP_PORT_VM)
			vm_rx(p, lc, port, m);
		else
			drop(lc, port, m, HNV_DROP_PORT_UNBOUND);
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

unsigned int
vfp_neigh_solicit(const struct vfp_program *p, struct vfp_lcore *lc, struct rte_mempool *mp)
{
	struct rte_ether_addr mac;
	unsigned int sent = 0;

	for (unsigned int i = 0; i < p->n_neigh; i++) {
		struct arp_proxy_neigh *n = (struct arp_proxy_neigh *)(uintptr_t)&p->neigh[i];
		struct rte_mbuf *m;

		if (arp_proxy_neigh_lookup(n, &mac))
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			lc->stats[p->hp.uplink].drops[HNV_DROP_MBUF_EXHAUSTED]++;
			continue;
		}
		if (solicit_with(p, lc, n, m))
			sent++;
		else
			rte_pktmbuf_free(m);
	}
	return sent;
}

unsigned int
vfp_neigh_count(const struct vfp_program *p, unsigned int *resolved)
{
	struct rte_ether_addr mac;
	unsigned int r = 0;

	for (unsigned int i = 0; i < p->n_neigh; i++)
		if (arp_proxy_neigh_lookup(&p->neigh[i], &mac))
			r++;
	if (resolved != NULL)
		*resolved = r;
	return p->n_neigh;
}

int
vfp_neigh_get(const struct vfp_program *p, unsigned int i, rte_be32_t *ip,
        struct rte_ether_addr *mac, bool *resolved)
{
	if (i >= p->n_neigh)
		return -ENOENT;
	*ip = p->neigh[i].ip;
	memset(mac, 0, sizeof(*mac));
	*resolved = arp_proxy_neigh_lookup(&p->neigh[i], mac);
	return 0;
}
