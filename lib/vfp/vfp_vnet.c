/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the virtual network feature (R4, R10, R11, R12, R13): MAP,
 * DECAP and ROUTE_PA, and the ingress checks of tunnelled packets.
 *
 *  MAP (vnet layer, out):  the destination MAC in the VSID's mapping
 *      space: a local VM NIC (hairpin, R14) or a CA behind a remote PA.
 *      An IP packet to the router MAC is left to the router layer
 *      (vfp_router.c), which picks the destination by address.
 *  ROUTE_PA (pa-route layer, out):  for a remote destination, the PA next
 *      hop (the PA itself on our PA subnets, else the gateway) and the
 *      complete outer header: Ethernet from the next hop's MAC, the PA
 *      VLAN, IPv4 from our PA, then UDP+VXLAN with the flow's entropy as
 *      source port, or GRE+NVGRE with it as FlowID. An unresolved next hop
 *      makes the verdict transient and asks for ARP.
 *  DECAP (vnet layer, in):  strip the tunnel of a packet from the uplink.
 *
 * A tunnelled packet enters only if its tunnel is the VSID's kind and the
 * sending PA hosts its inner source (anti-spoofing of the underlay); the
 * flooding of inbound broadcast applies the same check.
 */
#include <stdio.h>

#include "hnv_net.h"
#include "vfp_router.h"
#include "vfp_vnet.h"

bool
vfp_vnet_tunnel_ok(const struct vfp_program *p, const struct vfp_subnet *s,
	const struct vfp_flow_key *k, const struct vfp_entry **src, enum hnv_drop_reason *why)
{
	const struct vfp_entry *e;

	if (k->encap != s->encap) {
		*why = HNV_DROP_ENCAP_MISMATCH;
		return false;
	}
	if (rte_is_same_ether_addr(&k->src_mac, &p->hp.router_mac))
		return vfp_router_tunnel_ok(p, s, k, src, why);
	e = vfp_l2_lookup(p, k->vsid, &k->src_mac);
	if (e == NULL || e->kind != VFP_ENTRY_REMOTE || e->pa != k->outer_src) {
		*why = HNV_DROP_SPOOFED_PA;
		return false;
	}
	*src = e;
	return true;
}

bool
vfp_vnet_ingress(struct vfp_walk *w, const struct vfp_subnet *s)
{
	const struct vfp_flow_key *k = &w->pkt->key;
	const struct vfp_step at = {k->in_port, VFP_DIR_IN, "uplink", "", ""};
	const struct vfp_entry *d, *src;
	enum hnv_drop_reason why;

	if (!vfp_vnet_tunnel_ok(w->p, s, k, &src, &why)) {
		if (why == HNV_DROP_SPOOFED_PA)
			vfp_walk_trace(w, &at, "inner source not hosted by the outer source PA");
		vfp_walk_drop(w, why);
		return false;
	}
	/* The sender's mapping may move (R23); routed by the sender's host,
	 * the flow depends on its domain's routing too, which is in its own
	 * VSID's slot. */
	vfp_walk_depend(w, (uint16_t)VFP_SLOT_MAP(src->bucket));
	if (src->vsid != k->vsid)
		vfp_walk_trace(w, &at, "routed from VSID %u", src->vsid);
	d = vfp_l2_lookup(w->p, k->vsid, &k->dst_mac);
	if (d == NULL || d->kind != VFP_ENTRY_LOCAL) {
		vfp_walk_drop(w, HNV_DROP_UNKNOWN_DST);
		return false;
	}
	w->dst = d;
	return true;
}

static bool
map_apply(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_action *a)
{
	const struct vfp_flow_key *k = &w->pkt->key;
	const struct vfp_entry *self = w->p->ports[at->port].vnic;
	const struct vfp_entry *e;
	char ip[HNV_PA_FMT_SIZE];

	(void)a;
	if (at->dir != VFP_DIR_OUT)
		return true;
	if (rte_is_same_ether_addr(&k->dst_mac, &w->p->hp.router_mac)) {
		if (!w->pkt->is_ipv4 && !w->pkt->is_ipv6) {
			vfp_walk_trace(w, at, "map: router MAC, but the router routes IP only");
			vfp_walk_drop(w, HNV_DROP_NO_ROUTE);
			return false;
		}
		vfp_walk_trace(w, at, "map: router MAC, routed by address");
		w->to_router = true;
		return true;
	}
	e = vfp_l2_lookup(w->p, k->vsid, &k->dst_mac);
	if (e == NULL || e == self) {
		vfp_walk_trace(w, at, "map: destination MAC not in VSID %u", k->vsid);
		vfp_walk_drop(w, HNV_DROP_UNKNOWN_DST);
		return false;
	}
	w->dst = e;
	if (e->kind == VFP_ENTRY_REMOTE)
		vfp_walk_depend(w, (uint16_t)VFP_SLOT_MAP(e->bucket));
	if (e->kind == VFP_ENTRY_LOCAL)
		vfp_walk_trace(w, at, "map: local port %u", e->port);
	else
		vfp_walk_trace(w, at, "map: %s to PA %s",
			encap_type_name((enum encap_type)e->subnet->encap),
			hnv_pa_format(ip, sizeof(ip), e->pa));
	return true;
}

static bool
decap_apply(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_action *a)
{
	(void)a;
	if (at->dir != VFP_DIR_IN || w->pkt->key.dir != VFP_DIR_IN)
		return true; /* nothing to strip on a hairpinned packet */
	w->decap = true;
	vfp_walk_trace(w, at, "decap");
	return true;
}

/* The ECMP entropy of the flow, from its key: the same for every packet of
 * the flow, so it is computed once, here. */
static uint32_t
flow_entropy(const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	struct encap_flow_fields f = {
		.is_ipv4 = pkt->is_ipv4,
		.is_ipv6 = pkt->is_ipv6,
		.has_ports = pkt->has_l4,
		.src_ip = k->src_ip,
		.dst_ip = k->dst_ip,
		.proto = k->proto,
		.sport = k->sport,
		.dport = k->dport,
		.dst_mac = k->dst_mac,
		.src_mac = k->src_mac,
		.ethertype = k->ethertype,
	};

	if (pkt->is_ipv6) {
		memcpy(f.src6, k->src6, 16);
		memcpy(f.dst6, k->dst6, 16);
	}
	return encap_flow_hash(&f);
}

/* The team member a flow of entropy @hash leaves by: one of those whose
 * link is up, the same for as long as they stay up (so a flow is never
 * reordered); of all of them if none is (its packets go down with it). */
static unsigned int
team_member(const struct vfp_walk *w, uint32_t hash)
{
	const struct vfp_host_params *hp = &w->p->hp;
	uint8_t up[VFP_MAX_UPLINKS];
	unsigned int n = 0;

	if (hp->n_uplinks == 1)
		return 0;
	for (unsigned int m = 0; m < hp->n_uplinks; m++)
		if (!__atomic_load_n(&w->sw->port_down[hp->uplinks[m]], __ATOMIC_RELAXED))
			up[n++] = (uint8_t)m;
	/* The high bits: the low ones pick the VXLAN source port. */
	return n != 0 ? up[(hash >> 16) % n] : (hash >> 16) % hp->n_uplinks;
}

static bool
route_pa_apply(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_action *a)
{
	const struct vfp_program *p = w->p;
	const struct vfp_entry *e = w->dst;
	const struct vfp_nexthop *nh;
	struct encap_outer o = {0};
	char ip[HNV_PA_FMT_SIZE];
	unsigned int m;
	uint32_t hash;

	(void)a;
	if (at->dir != VFP_DIR_OUT || e == NULL || e->kind != VFP_ENTRY_REMOTE)
		return true;
	hash = flow_entropy(w->pkt);
	m = team_member(w, hash);
	nh = &p->nh[p->nh[e->nh].on[m]];
	vfp_walk_depend(w, (uint16_t)VFP_SLOT_NEIGH(nh->slot));
	if (!arp_proxy_neigh_lookup(&w->sw->neigh[nh->slot].n, &w->nh_mac)) {
		vfp_walk_trace(w, at, "route-pa: next hop %s unresolved",
			hnv_pa_format(ip, sizeof(ip), nh->ip));
		w->solicit_nh = (int16_t)p->nh[e->nh].on[m];
		return true;
	}
	o.src_mac = p->hp.uplink_macs[m];
	o.dst_mac = w->nh_mac;
	o.vlan_id = p->hp.vlans[m];
	o.vxlan_port = p->hp.vxlan_port;
	if (hnv_pa_is_v6(e->pa)) {
		o.ipv6 = true;
		memcpy(o.src6, hnv_pa6_addr(p->src_pa[1][m]), 16);
		memcpy(o.dst6, hnv_pa6_addr(e->pa), 16);
		o.flow_label = hash & 0xfffff; /* RFC 6438 */
	} else {
		o.src_ip = p->src_pa[0][m];
		o.dst_ip = e->pa;
	}
	w->uplink = p->hp.uplinks[m];
	encap_template_build(&w->tmpl, (enum encap_type)e->subnet->encap, &o, e->vsid,
		e->subnet->encap == ENCAP_TYPE_VXLAN ? encap_vxlan_sport(hash) : (uint8_t)hash);
	w->routed = true;
	vfp_walk_trace(w, at, "route-pa: outer Ethernet from next hop %s",
		hnv_pa_format(ip, sizeof(ip), nh->ip));
	return true;
}

const struct vfp_action_ops vfp_vnet_map = {.apply = map_apply};
const struct vfp_action_ops vfp_vnet_decap = {.apply = decap_apply};
const struct vfp_action_ops vfp_vnet_route_pa = {.apply = route_pa_apply};
