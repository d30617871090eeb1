/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the per-packet data path.
 *
 * One burst from one port, in three passes:
 *
 *  1. parse: port security and protocol handling that is not per flow.
 *     VM port: source MAC and IPv4/ARP sender must be the NIC's; ARP
 *     requests go to the ARP proxy (R8); other broadcast is refused until
 *     unicast replication lands. Uplink: our MAC and VLAN, ARP for our PA
 *     and from next hops, tunnel header validation (encap_parse), our PA;
 *     inbound broadcast/multicast is delivered to the VSID's local VMs.
 *     Everything else becomes a flow key.
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

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_private.h"

/* Parse results besides "a flow packet" (0) and a drop (< 0). */
#define PARSE_ARP 1
#define PARSE_FLOOD 2

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
vfp_lcore_flush(struct vfp_lcore *lc)
{
	while (lc->dirty != 0) {
		uint16_t port = (uint16_t)__builtin_ctzll(lc->dirty);

		lc->dirty &= lc->dirty - 1;
		flush_port(lc, port);
	}
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */

/* L3/L4 of an untagged Ethernet frame into the key (EtherType, IPv4
 * addresses, protocol, ports or ICMP echo id, TCP flags). */
static int
parse_inner(const uint8_t *frame, uint32_t len, struct vfp_pkt *pkt)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	struct vfp_flow_key *k = &pkt->key;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, l4;

	k->src_mac = eth->src_addr;
	k->dst_mac = eth->dst_addr;
	k->ethertype = eth->ether_type;
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return 0;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (len < sizeof(*eth) + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return -HNV_DROP_MALFORMED;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || len < sizeof(*eth) + ihl)
		return -HNV_DROP_MALFORMED;
	pkt->is_ipv4 = 1;
	pkt->l3_off = sizeof(*eth);
	k->src_ip = ip->src_addr;
	k->dst_ip = ip->dst_addr;
	k->proto = ip->next_proto_id;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return 0; /* a fragment: no ports, all fragments one flow */
	l4 = sizeof(*eth) + ihl;
	switch (k->proto) {
	case IPPROTO_TCP:
		if (len >= l4 + sizeof(struct rte_tcp_hdr))
			pkt->tcp_flags = ((const struct rte_tcp_hdr *)(frame + l4))->tcp_flags;
		/* fall through */
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (len >= l4 + 4) {
			memcpy(&k->sport, frame + l4, 2);
			memcpy(&k->dport, frame + l4 + 2, 2);
			pkt->has_l4 = 1;
		}
		break;
	case IPPROTO_ICMP:
		/* Echo request and reply share the identifier: one flow each way. */
		if (len >= l4 + sizeof(struct rte_icmp_hdr)) {
			const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(frame + l4);

			if (ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
				ic->icmp_type == RTE_IP_ICMP_ECHO_REPLY) {
				k->sport = ic->icmp_ident;
				k->dport = ic->icmp_ident;
			}
		}
		break;
	default:
		break;
	}
	return 0;
}

int
vfp_parse_vm(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	*why = HNV_DROP_MALFORMED;
	if (vnic == NULL) {
		*why = HNV_DROP_PORT_UNBOUND;
		return -1;
	}
	if (len < sizeof(*eth))
		return -1;
	if (!rte_is_same_ether_addr(&eth->src_addr, &vnic->mac)) {
		*why = HNV_DROP_SPOOFED_MAC;
		return -1;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
		*why = HNV_DROP_VM_TAGGED;
		return -1;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return PARSE_ARP;
	rc = parse_inner(frame, len, pkt);
	if (rc < 0) {
		*why = (enum hnv_drop_reason) - rc;
		return -1;
	}
	if (pkt->is_ipv4 && pkt->key.src_ip != vnic->ip) {
		*why = HNV_DROP_SPOOFED_IP;
		return -1;
	}
	if (!rte_is_unicast_ether_addr(&eth->dst_addr)) {
		*why = HNV_DROP_FLOOD_UNSUPPORTED;
		return -1;
	}
	pkt->key.vsid = vnic->vsid;
	pkt->key.in_port = port;
	pkt->key.dir = VFP_DIR_OUT;
	return 0;
}

static const enum hnv_drop_reason parse_drop[] = {
	[ENCAP_ERR_NOT_TUNNEL] = HNV_DROP_NOT_TUNNEL,
	[ENCAP_ERR_TRUNCATED] = HNV_DROP_TUNNEL_TRUNCATED,
	[ENCAP_ERR_BAD_IP] = HNV_DROP_TUNNEL_BAD_IP,
	[ENCAP_ERR_BAD_HEADER] = HNV_DROP_TUNNEL_BAD_HEADER,
	[ENCAP_ERR_BAD_VSID] = HNV_DROP_TUNNEL_BAD_VSID,
};

int
vfp_parse_uplink(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	struct encap_rx_info info;
	enum encap_parse_err err;
	uint16_t ethertype, vlan = 0;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	*why = HNV_DROP_MALFORMED;
	if (len < sizeof(*eth))
		return -1;
	ethertype = eth->ether_type;
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*vh))
			return -1;
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		ethertype = vh->eth_proto;
	}
	if (vlan != p->hp.vlan) {
		*why = HNV_DROP_WRONG_VLAN;
		return -1;
	}
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return PARSE_ARP;
	if (!rte_is_same_ether_addr(&eth->dst_addr, &p->hp.uplink_mac)) {
		*why = HNV_DROP_NOT_OUR_MAC;
		return -1;
	}
	err = encap_parse(frame, len, &info);
	if (err != ENCAP_OK) {
		*why = (unsigned int)err < RTE_DIM(parse_drop) ? parse_drop[err]
							       : HNV_DROP_MALFORMED;
		return -1;
	}
	if (!vfp_is_our_pa(p, info.dst_ip)) {
		*why = HNV_DROP_NOT_OUR_PA;
		return -1;
	}
	rc = parse_inner(frame + info.hdr_len, info.inner_len, pkt);
	if (rc < 0) {
		*why = (enum hnv_drop_reason) - rc;
		return -1;
	}
	pkt->hdr_len = info.hdr_len;
	pkt->inner_len = info.inner_len;
	pkt->key.vsid = info.vsid;
	pkt->key.outer_src = info.src_ip;
	pkt->key.encap = info.type;
	pkt->key.in_port = port;
	pkt->key.dir = VFP_DIR_IN;
	if (!rte_is_unicast_ether_addr(&pkt->key.dst_mac))
		return PARSE_FLOOD;
	return 0;
}

/* ------------------------------------------------------------------ */
/* ARP, next-hop resolution, inbound flooding                         */

/* Rewrite @m (which is being dropped) into an ARP request for next hop @n
 * and send it out of the uplink, at most once a second per next hop. */
static bool
solicit_with(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	unsigned int n, struct rte_mbuf *m)
{
	struct arp_proxy_neigh *nb = &sw->neigh[n];
	uint8_t *buf;
	int len;

	if (!arp_proxy_neigh_should_request(nb, rte_get_tsc_cycles(), lc->tsc_hz))
		return false;
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (buf == NULL)
		return false;
	len = arp_proxy_build_request(buf, 64, &p->hp.uplink_mac, p->hp.pa[0], nb->ip, p->hp.vlan);
	if (len < 0)
		return false;
	rte_pktmbuf_trim(m, (uint16_t)(64 - len));
	lc->stats[p->hp.uplink].arp_requests++;
	enqueue(lc, p->hp.uplink, m);
	return true;
}

unsigned int
vfp_neigh_solicit(struct vfp_switch *sw, struct vfp_lcore *lc, struct rte_mempool *mp)
{
	const struct vfp_program *p = __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
	struct rte_ether_addr mac;
	unsigned int sent = 0;

	if (p == NULL)
		return 0;
	for (unsigned int i = 0; i < sw->n_neigh; i++) {
		struct rte_mbuf *m;

		if (arp_proxy_neigh_lookup(&sw->neigh[i], &mac))
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			lc->stats[p->hp.uplink].drops[HNV_DROP_MBUF_EXHAUSTED]++;
			continue;
		}
		if (solicit_with(sw, p, lc, i, m))
			sent++;
		else
			rte_pktmbuf_free(m);
	}
	return sent;
}

/* The ARP proxy for a VM (R8). Returns true for a VM's ARP reply, which is
 * switched like any L2 frame of its VSID; everything else ends here. */
static bool
vm_arp(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ether_addr *answer;
	const struct vfp_entry *e;
	struct arp_proxy_pkt a;

	if (arp_proxy_parse(frame, rte_pktmbuf_data_len(m), &a) != ARP_PROXY_OK) {
		drop(lc, port, m, HNV_DROP_ARP_MALFORMED);
		return false;
	}
	if (a.spa != vnic->ip && !(a.op == RTE_ARP_OP_REQUEST && a.spa == 0)) {
		drop(lc, port, m, HNV_DROP_SPOOFED_IP);
		return false;
	}
	if (a.op != RTE_ARP_OP_REQUEST)
		return true;
	if (arp_proxy_is_gratuitous(&a) || a.tpa == vnic->ip) {
		drop(lc, port, m, HNV_DROP_ARP_GRATUITOUS);
		return false;
	}
	if (a.tpa == vnic->subnet->gateway) {
		answer = &p->hp.router_mac;
	} else {
		e = vfp_arp_lookup(p, vnic->vsid, a.tpa);
		if (e == NULL) {
			drop(lc, port, m, HNV_DROP_ARP_NO_ENTRY);
			return false;
		}
		answer = &e->mac;
	}
	arp_proxy_reply_in_place(frame, &a, answer);
	lc->stats[port].arp_replies++;
	enqueue(lc, port, m);
	return false;
}

static void
uplink_arp(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct arp_proxy_pkt a;
	bool learned = false;

	if (arp_proxy_parse(frame, rte_pktmbuf_data_len(m), &a) != ARP_PROXY_OK) {
		drop(lc, port, m, HNV_DROP_ARP_MALFORMED);
		return;
	}
	/* Learn (or refresh) a next hop from anything it says about itself,
	 * unless the policy fixed its MAC. */
	for (unsigned int i = 0; i < sw->n_neigh; i++) {
		if (sw->neigh[i].ip == a.spa && !sw->neigh_static[i] &&
			rte_is_unicast_ether_addr(&a.sha)) {
			vfp_switch_neigh_learn(sw, i, &a.sha);
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

/* Deliver a decapsulated broadcast/multicast frame to every local VM of the
 * VSID: the same mbuf, once per port, with its reference count raised. */
static void
flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m,
	const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);
	const struct vfp_entry *src;

	if (s == NULL) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_VNI);
		return;
	}
	if (s->encap != k->encap) {
		drop(lc, port, m, HNV_DROP_ENCAP_MISMATCH);
		return;
	}
	src = vfp_l2_lookup(p, k->vsid, &k->src_mac);
	if (src == NULL || src->kind != VFP_ENTRY_REMOTE || src->pa != k->outer_src) {
		drop(lc, port, m, HNV_DROP_SPOOFED_PA);
		return;
	}
	if (s->n_local == 0) {
		drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	lc->stats[port].decapsulated++;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pkt->hdr_len - pkt->inner_len));
	rte_pktmbuf_adj(m, pkt->hdr_len);
	if (s->n_local > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(s->n_local - 1));
	for (uint16_t i = 0; i < s->n_local; i++)
		enqueue(lc, s->local_ports[i], m);
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
		drop(lc, port, m, HNV_DROP_METER_RED);
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
		enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_DECAP:
		lc->stats[port].decapsulated++;
		rte_pktmbuf_trim(
			m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pkt->hdr_len - pkt->inner_len));
		rte_pktmbuf_adj(m, pkt->hdr_len);
		if (unlikely(f->set))
			apply_rewrites(
				f, pkt, rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m));
		enqueue(lc, f->out_port, m);
		return;
	case VFP_XP_ENCAP:
		inner_len = rte_pktmbuf_pkt_len(m);
		if (unlikely(f->tmpl.len - f->tmpl.l3_off + inner_len > p->mtu)) {
			drop(lc, port, m, HNV_DROP_TOO_BIG);
			return;
		}
		frame = rte_pktmbuf_mtod(m, uint8_t *);
		if (unlikely(f->set))
			apply_rewrites(f, pkt, frame, inner_len);
		hdr = (uint8_t *)rte_pktmbuf_prepend(m, f->tmpl.len);
		if (unlikely(hdr == NULL)) {
			drop(lc, port, m, HNV_DROP_NO_HEADROOM);
			return;
		}
		encap_template_stamp(&f->tmpl, hdr, (uint16_t)inner_len);
		lc->stats[p->hp.uplink].encapsulated++;
		enqueue(lc, p->hp.uplink, m);
		return;
	default:
		drop(lc, port, m, (enum hnv_drop_reason)f->drop_reason);
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
		if (!solicit_with(sw, p, lc, (unsigned int)v.solicit_neigh, m))
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
			drop(lc, port, pkts[i], HNV_DROP_PORT_UNBOUND);
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
				uplink_arp(sw, p, lc, port, m);
				continue;
			}
			if (!vm_arp(p, lc, port, m))
				continue;
			/* A VM's ARP reply: an L2 flow of its VSID, looked up alone. */
			parse_inner(
				rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), &meta[i]);
			meta[i].key.vsid = p->ports[port].vnic->vsid;
			meta[i].key.in_port = port;
			meta[i].key.dir = VFP_DIR_OUT;
			f = vfp_uft_lookup(&sw->uft, &meta[i].key);
			goto flow;
		case PARSE_FLOOD:
			flood_inbound(p, lc, port, m, &meta[i]);
			continue;
		default:
			drop(lc, port, m, why[i]);
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
