/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: ARP on the data path: the ARP proxy for VMs (R8), ARP for our
 * PAs and learning of PA next hops on the uplink, and soliciting
 * unresolved next hops (R12); for IPv6 PAs the same with Neighbor
 * Discovery (RFC 4861), on the PA VLAN like everything else there. Next hops are those of the
 * program in force: a worker holds that program between quiescent states, so the next-hop entries
 * it names stay allocated while it uses them.
 */
#include <rte_arp.h>
#include <rte_cycles.h>

#include "nd.h"
#include "vfp_arp.h"

#define ND_UPLINK_MAX 256 /* longest uplink ND frame looked at (untagged) */

/* Make @m the untagged frame @frame of @len bytes, tagged with @vlan if
 * not 0. @m may be a replicated copy, a chain: its payload segment goes
 * back first (reset forgets it). */
static bool
put_frame(struct rte_mbuf *m, const uint8_t *frame, uint32_t len, uint16_t vlan)
{
	const uint32_t tag = vlan != 0 ? 4 : 0;
	uint8_t *b;

	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(len + tag));
	if (b == NULL)
		return false;
	memcpy(b, frame, 12);
	if (vlan != 0) {
		const rte_be16_t tpid = RTE_BE16(RTE_ETHER_TYPE_VLAN), tci = rte_cpu_to_be_16(vlan);

		memcpy(b + 12, &tpid, 2);
		memcpy(b + 14, &tci, 2);
	}
	memcpy(b + 12 + tag, frame + 12, len - 12);
	return true;
}

/* Learn (or refresh) the MAC of next hop @ip on @member from what it says
 * about itself, unless the policy fixed it: this program's policy, or the
 * one being published, which pins the shared entry before we see it.
 * True if a next hop took it. */
static bool
learn(struct vfp_switch *sw, const struct vfp_program *p, unsigned int member, rte_be32_t ip,
	const struct rte_ether_addr *mac)
{
	bool learned = false;

	if (!rte_is_unicast_ether_addr(mac))
		return false;
	for (unsigned int i = 0; i < p->n_nh; i++) {
		const struct vfp_nexthop *nh = &p->nh[i];

		if (nh->ip == ip && nh->member == member && !nh->pinned &&
			!sw->neigh[nh->slot].pinned) {
			vfp_neigh_learn(sw, nh->slot, mac);
			learned = true;
		}
	}
	return learned;
}

/* An uplink ARP or ND frame @m not answered: absorbed if it taught a next
 * hop, else dropped as @why. */
static void
absorb(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, bool learned,
	enum hnv_drop_reason why)
{
	if (learned) {
		lc->stats[port].consumed++;
		rte_pktmbuf_free(m);
		return;
	}
	vfp_drop(lc, port, m, why);
}

/* The Neighbor Solicitation for IPv6 next hop @nb from @member. */
static bool
nd_solicit(const struct vfp_program *p, const struct arp_proxy_neigh *nb, unsigned int member,
	struct rte_mbuf *m)
{
	uint8_t ns[ND_NS_FRAME_LEN];

	if (nd_build_ns(ns, sizeof(ns), &p->hp.uplink_macs[member],
		    hnv_pa6_addr(p->src_pa[1][member]), hnv_pa6_addr(nb->ip)) < 0)
		return false;
	return put_frame(m, ns, sizeof(ns), p->hp.vlans[member]);
}

bool
vfp_arp_solicit(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	unsigned int nh, struct rte_mbuf *m)
{
	struct arp_proxy_neigh *nb = &sw->neigh[p->nh[nh].slot].n;
	unsigned int member = p->nh[nh].member;
	uint16_t port = p->hp.uplinks[member];
	uint8_t *buf;
	int len;

	if (!arp_proxy_neigh_should_request(nb, rte_get_tsc_cycles(), lc->tsc_hz))
		return false;
	if (hnv_pa_is_v6(nb->ip)) {
		if (!nd_solicit(p, nb, member, m))
			return false;
		lc->stats[port].arp_requests++;
		vfp_enqueue(lc, port, m);
		return true;
	}
	/* The packet may be a replicated copy, a chain: its payload segment
	 * goes back first (reset forgets it). */
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, 64);
	if (buf == NULL)
		return false;
	/* From the member's own PA, MAC and VLAN, out of its port. */
	len = arp_proxy_build_request(
		buf, 64, &p->hp.uplink_macs[member], p->hp.pa[member], nb->ip, p->hp.vlans[member]);
	if (len < 0)
		return false;
	rte_pktmbuf_trim(m, (uint16_t)(64 - len));
	lc->stats[port].arp_requests++;
	vfp_enqueue(lc, port, m);
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
	for (unsigned int i = 0; i < p->n_nh; i++) {
		struct rte_mbuf *m;

		if (arp_proxy_neigh_lookup(&sw->neigh[p->nh[i].slot].n, &mac))
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			lc->stats[p->hp.uplink].drops[HNV_DROP_MBUF_EXHAUSTED]++;
			continue;
		}
		if (vfp_arp_solicit(sw, p, lc, i, m))
			sent++;
		else
			rte_pktmbuf_free(m);
	}
	return sent;
}

enum vfp_arp_vm_verdict
vfp_arp_vm_classify(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct arp_proxy_pkt *a, const struct rte_ether_addr **answer, enum hnv_drop_reason *why)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct vfp_entry *e;

	if (arp_proxy_parse(frame, len, a) != ARP_PROXY_OK) {
		*why = HNV_DROP_ARP_MALFORMED;
		return VFP_ARP_VM_DROP;
	}
	if (a->spa != vnic->ip && !(a->op == RTE_ARP_OP_REQUEST && a->spa == 0)) {
		*why = HNV_DROP_SPOOFED_IP;
		return VFP_ARP_VM_DROP;
	}
	if (a->op != RTE_ARP_OP_REQUEST)
		return VFP_ARP_VM_SWITCH;
	if (arp_proxy_is_gratuitous(a) || a->tpa == vnic->ip) {
		*why = HNV_DROP_ARP_GRATUITOUS;
		return VFP_ARP_VM_DROP;
	}
	if (a->tpa == vnic->subnet->gateway) {
		*answer = &p->hp.router_mac;
		return VFP_ARP_VM_ANSWER;
	}
	e = vfp_arp_lookup(p, vnic->vsid, a->tpa);
	if (e == NULL) {
		*why = HNV_DROP_ARP_NO_ENTRY;
		return VFP_ARP_VM_DROP;
	}
	*answer = &e->mac;
	return VFP_ARP_VM_ANSWER;
}

bool
vfp_arp_vm(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ether_addr *answer = NULL;
	enum hnv_drop_reason why = HNV_DROP_ARP_MALFORMED;
	struct arp_proxy_pkt a;

	switch (vfp_arp_vm_classify(p, port, frame, rte_pktmbuf_data_len(m), &a, &answer, &why)) {
	case VFP_ARP_VM_SWITCH:
		return true;
	case VFP_ARP_VM_ANSWER:
		arp_proxy_reply_in_place(frame, &a, answer);
		lc->stats[port].arp_replies++;
		vfp_enqueue(lc, port, m);
		return false;
	default:
		vfp_drop(lc, port, m, why);
		return false;
	}
}

void
vfp_arp_uplink(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf *m)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct arp_proxy_pkt a;
	bool learned = false;

	if (arp_proxy_parse(frame, rte_pktmbuf_data_len(m), &a) != ARP_PROXY_OK) {
		vfp_drop(lc, port, m, HNV_DROP_ARP_MALFORMED);
		return;
	}
	/* ARP names IPv4 addresses, never the words of IPv6 PAs (hnv_pa.h). */
	if (hnv_pa_is_v6(a.spa) || hnv_pa_is_v6(a.tpa)) {
		vfp_drop(lc, port, m, HNV_DROP_ARP_NOT_FOR_US);
		return;
	}
	learned = learn(sw, p, p->ports[port].member, a.spa, &a.sha);
	/* Each member answers for its own PA (and member 0 for PAs beyond the
	 * team's), with its MAC: a PA's traffic comes in where it goes out. */
	if (a.op == RTE_ARP_OP_REQUEST && vfp_pa_member(p, a.tpa) == p->ports[port].member &&
		!arp_proxy_is_gratuitous(&a)) {
		arp_proxy_reply_in_place(frame, &a, &p->hp.uplink_macs[p->ports[port].member]);
		lc->stats[port].arp_replies++;
		vfp_enqueue(lc, port, m);
		return;
	}
	absorb(lc, port, m, learned, HNV_DROP_ARP_NOT_FOR_US);
}

/* The frame of @m without its 802.1Q tag, if it has one (ingress checked
 * that it is the member's VLAN), in @buf when it had; NULL if too long. */
static const uint8_t *
untagged(struct rte_mbuf *m, uint8_t *buf, uint32_t *len)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	rte_be16_t et;

	*len = rte_pktmbuf_data_len(m);
	memcpy(&et, f + 12, 2);
	if (et != RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return f;
	if (*len < 18 || *len - 4 > ND_UPLINK_MAX)
		return NULL;
	memcpy(buf, f, 12);
	memcpy(buf + 12, f + 16, *len - 16);
	*len -= 4;
	return buf;
}

void
vfp_nd_uplink(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf *m)
{
	const unsigned int member = p->ports[port].member;
	const struct rte_ether_addr *mac = NULL;
	const uint8_t *self = NULL, *frame;
	uint8_t buf[ND_UPLINK_MAX], na[ND_NA_FRAME_LEN];
	rte_be32_t who, target;
	struct nd_pkt nd;
	bool learned = false;
	uint32_t len;

	frame = untagged(m, buf, &len);
	if (frame == NULL || nd_parse(frame, len, &nd) != ND_OK) {
		vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	/* Learn what a neighbour says of itself: an advertisement's target
	 * with its link-layer option, a solicitation's source with its own. */
	if (nd.kind == ND_NA && nd.has_tll) {
		self = nd.target;
		mac = &nd.tll;
	} else if (nd.kind == ND_NS && nd.has_sll && !nd_is_dad(&nd)) {
		self = nd.ip_src;
		mac = &nd.sll;
	}
	if (self != NULL && hnv_pa6_find(self, &who))
		learned = learn(sw, p, member, who, mac);
	/* Each member answers for its own PA, as with ARP. */
	if (nd.kind == ND_NS && hnv_pa6_find(nd.target, &target) &&
		vfp_pa_member(p, target) == (int)member &&
		nd_build_na(na, sizeof(na), &nd, &p->hp.uplink_macs[member], false) > 0 &&
		put_frame(m, na, sizeof(na), p->hp.vlans[member])) {
		lc->stats[port].nd_replies++;
		vfp_enqueue(lc, port, m);
		return;
	}
	absorb(lc, port, m, learned, HNV_DROP_ND_NOT_FOR_US);
}
