/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the miss handler: walking the layers for the first packet of a
 * flow (R16, R17, R19) and composing the result into finished flow
 * entries: the flow's own and, where a layer could refuse the replies of
 * an allowed stateful flow, the entry of those replies.
 *
 *   packet from VM port P:  P's layers, OUT, ascending priority
 *                           -> the destination an action chose (MAP: a
 *                              local port Q, or a remote PA whose outer
 *                              header ROUTE_PA built; for a packet to the
 *                              router MAC, ROUTE's target VM)
 *                           -> Q's layers, IN, descending  (hairpin only)
 *   packet from the uplink: the tunnel checks and the local destination Q
 *                           (vfp_vnet_ingress)
 *                           -> Q's layers, IN, descending (PA routing, then
 *                              VNet DECAP, then ACL)
 *
 * In each layer, each group of the packet's direction and IP family
 * contributes the actions of its first matching rule (lowest priority
 * number); a layer in which no group matched applies its default. BLOCK
 * ends the walk, unless the packet is a reply of an allowed stateful flow
 * ("established"), which ACLs let through (R9, stateful ACLs). Feature
 * actions are dispatched through feature_ops (vfp_walk.h).
 *
 * A flow entry records the generations of what it was built from: the
 * global slot, the ports whose layers it crossed, its VSID, its PA next
 * hop. Generations are bumped only after every worker moved to a new
 * program (vfp_switch_publish), so those read here are never newer than
 * the program walked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>

#include "hnv_net.h"
#include "vfp_router.h"
#include "vfp_vnet.h"
#include "vfp_walk.h"

/* The feature actions, by action type. A new feature adds its own. */
static const struct vfp_action_ops *const feature_ops[] = {
	[VFP_ACT_MAP] = &vfp_vnet_map,
	[VFP_ACT_DECAP] = &vfp_vnet_decap,
	[VFP_ACT_ROUTE_PA] = &vfp_vnet_route_pa,
	[VFP_ACT_ROUTE] = &vfp_router_route,
};

void
vfp_walk_trace(struct vfp_walk *w, const struct vfp_step *at, const char *fmt, ...)
{
	struct vfp_trace *t = w->trace;
	va_list ap;

	if (t == NULL || t->n == VFP_TRACE_MAX)
		return;
	t->step[t->n].port = at->port;
	t->step[t->n].dir = at->dir;
	snprintf(t->step[t->n].layer, sizeof(t->step[0].layer), "%s", at->layer);
	snprintf(t->step[t->n].group, sizeof(t->step[0].group), "%s", at->group);
	snprintf(t->step[t->n].rule, sizeof(t->step[0].rule), "%s", at->rule);
	va_start(ap, fmt);
	vsnprintf(t->step[t->n].action, sizeof(t->step[0].action), fmt, ap);
	va_end(ap);
	t->n++;
}

void
vfp_walk_drop(struct vfp_walk *w, enum hnv_drop_reason r)
{
	if (!w->dropped) {
		w->dropped = true;
		w->drop = r;
	}
}

void
vfp_walk_depend(struct vfp_walk *w, uint16_t slot)
{
	for (unsigned int i = 0; i < w->n_deps; i++)
		if (w->dep_slot[i] == slot)
			return;
	if (w->n_deps == VFP_FLOW_DEPS) {
		/* The walks of today need fewer; a flow that needed more could
		 * not tell when it is stale, so it must not be cached. */
		w->uncacheable = true;
		return;
	}
	w->dep_slot[w->n_deps] = slot;
	w->dep_gen[w->n_deps] = vfp_gen(w->sw, slot);
	w->n_deps++;
}

static bool
in_range(uint16_t v, uint16_t lo, uint16_t hi)
{
	return v >= lo && v <= hi;
}

static bool
has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static bool
rule_matches(const struct vfp_match *m, const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	uint32_t f = m->fields;

	if ((f & VFP_MATCH_PORT) && m->port != k->in_port)
		return false;
	if ((f & VFP_MATCH_VSID) && m->vsid != k->vsid)
		return false;
	if ((f & VFP_MATCH_SRC_MAC) && !rte_is_same_ether_addr(&m->src_mac, &k->src_mac))
		return false;
	if ((f & VFP_MATCH_DST_MAC) && !rte_is_same_ether_addr(&m->dst_mac, &k->dst_mac))
		return false;
	if ((f & VFP_MATCH_ETHERTYPE) && rte_cpu_to_be_16(m->ethertype) != k->ethertype)
		return false;
	if (f & (VFP_MATCH_SRC_IP | VFP_MATCH_DST_IP)) {
		if (!pkt->is_ipv4)
			return false;
		if ((f & VFP_MATCH_SRC_IP) && (k->src_ip & m->src_mask) != m->src_ip)
			return false;
		if ((f & VFP_MATCH_DST_IP) && (k->dst_ip & m->dst_mask) != m->dst_ip)
			return false;
	}
	if (f & (VFP_MATCH_SRC_IP6 | VFP_MATCH_DST_IP6)) {
		if (!pkt->is_ipv6)
			return false;
		if ((f & VFP_MATCH_SRC_IP6) && !vfp_in_prefix6(k->src6, m->src6, m->src6_len))
			return false;
		if ((f & VFP_MATCH_DST_IP6) && !vfp_in_prefix6(k->dst6, m->dst6, m->dst6_len))
			return false;
	}
	if (f & (VFP_MATCH_PROTO | VFP_MATCH_SRC_PORT | VFP_MATCH_DST_PORT)) {
		if (!pkt->is_ipv4 && !pkt->is_ipv6)
			return false;
		if ((f & VFP_MATCH_PROTO) && m->proto != k->proto)
			return false;
		if (f & (VFP_MATCH_SRC_PORT | VFP_MATCH_DST_PORT)) {
			if (!has_ports(k->proto))
				return false;
			if ((f & VFP_MATCH_SRC_PORT) &&
				!in_range(rte_be_to_cpu_16(k->sport), m->sport_lo, m->sport_hi))
				return false;
			if ((f & VFP_MATCH_DST_PORT) &&
				!in_range(rte_be_to_cpu_16(k->dport), m->dport_lo, m->dport_hi))
				return false;
		}
	}
	return true;
}

static bool
family_matches(uint8_t family, const struct vfp_pkt *pkt)
{
	switch (family) {
	case VFP_FAMILY_IPV4:
		return pkt->is_ipv4;
	case VFP_FAMILY_IPV6:
		return pkt->key.ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6);
	default:
		return true;
	}
}

/* The generic actions. Returns false when the walk must stop. */
static bool
generic_action(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_rule *r,
	const struct vfp_action *a)
{
	switch (a->type) {
	case VFP_ACT_ALLOW:
		if (!(r->spec.flags & VFP_RULE_STATEFUL))
			w->stateless_allow = true;
		vfp_walk_trace(
			w, at, "allow%s", (r->spec.flags & VFP_RULE_STATEFUL) ? " (stateful)" : "");
		return true;
	case VFP_ACT_BLOCK:
		if (w->established) {
			vfp_walk_trace(w, at, "block overridden: reply of an allowed flow");
			return true;
		}
		vfp_walk_trace(w, at, "block");
		vfp_walk_drop(w, HNV_DROP_ACL_DENY);
		return false;
	case VFP_ACT_SET_MAC:
		if (a->set & VFP_SET_SRC) {
			w->set |= VFP_XSET_SRC_MAC;
			w->set_src_mac = a->src_mac;
		}
		if (a->set & VFP_SET_DST) {
			w->set |= VFP_XSET_DST_MAC;
			w->set_dst_mac = a->dst_mac;
		}
		vfp_walk_trace(w, at, "set-mac");
		return true;
	case VFP_ACT_SET_IP:
		if (a->set & VFP_SET_SRC) {
			w->set |= VFP_XSET_SRC_IP;
			w->set_src_ip = a->src_ip;
		}
		if (a->set & VFP_SET_DST) {
			w->set |= VFP_XSET_DST_IP;
			w->set_dst_ip = a->dst_ip;
		}
		vfp_walk_trace(w, at, "set-ip");
		return true;
	case VFP_ACT_COUNT:
		w->counter = a->id;
		vfp_walk_trace(w, at, "count: %s", w->p->counter_names[a->id]);
		return true;
	case VFP_ACT_METER:
		w->meter = a->id;
		vfp_walk_trace(w, at, "meter: %s", w->p->meters[a->id].name);
		return true;
	default:
		return true; /* vfp_rule_add admits no other type */
	}
}

/* Apply the actions of the rule that a group chose. Returns false when the
 * walk must stop. */
static bool
apply_rule(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_rule *r)
{
	for (unsigned int i = 0; i < r->spec.n_actions; i++) {
		const struct vfp_action *a = &r->spec.actions[i];
		const struct vfp_action_ops *ops =
			a->type < RTE_DIM(feature_ops) ? feature_ops[a->type] : NULL;
		bool go_on = ops != NULL ? ops->apply(w, at, a) : generic_action(w, at, r, a);

		if (!go_on || w->dropped)
			return false;
	}
	return true;
}

/* Walk port @port's layers in direction @dir. */
static void
walk_port(struct vfp_walk *w, uint16_t port, enum vfp_dir dir)
{
	const struct vfp_port *pp = &w->p->ports[port];

	vfp_walk_depend(w, (uint16_t)VFP_SLOT_PORT(port));
	for (unsigned int n = 0; n < pp->n_layers && !w->dropped; n++) {
		unsigned int li = dir == VFP_DIR_OUT ? n : pp->n_layers - 1 - n;
		struct vfp_layer *layer = pp->layers[pp->order[li]];
		struct vfp_step at = {port, dir, layer->name, "", ""};
		bool any = false;

		if (w->count)
			__atomic_fetch_add(&layer->hits, 1, __ATOMIC_RELAXED);
		for (unsigned int gi = 0; gi < layer->n_groups; gi++) {
			const struct vfp_group *g = &layer->groups[layer->order[gi]];
			struct vfp_rule *r = NULL;

			if (g->dir != dir || !family_matches(g->family, w->pkt))
				continue;
			for (unsigned int ri = 0; ri < g->n_rules; ri++)
				if (rule_matches(&g->rules[ri].spec.match, w->pkt)) {
					r = &g->rules[ri];
					break;
				}
			if (r == NULL)
				continue;
			any = true;
			if (w->count)
				__atomic_fetch_add(&r->hits, 1, __ATOMIC_RELAXED);
			at.group = g->name;
			at.rule = r->spec.name;
			if (!apply_rule(w, &at, r))
				return;
			if (r->spec.flags & VFP_RULE_TERMINATE)
				break;
		}
		if (any)
			continue;
		at.group = "";
		at.rule = "";
		if (w->count)
			__atomic_fetch_add(&layer->defaulted, 1, __ATOMIC_RELAXED);
		if (layer->default_block && !w->established) {
			vfp_walk_trace(w, &at, "default: block");
			vfp_walk_drop(w, HNV_DROP_ACL_DENY);
			return;
		}
		vfp_walk_trace(w, &at, "default: %s",
			layer->default_block ? "block overridden: reply of an allowed flow"
					     : "allow");
	}
}

static uint8_t
timeout_class(const struct vfp_pkt *pkt)
{
	if (!pkt->is_ipv4 && !pkt->is_ipv6)
		return VFP_TO_OTHER;
	switch (pkt->key.proto) {
	case IPPROTO_TCP:
		return VFP_TO_TCP;
	case IPPROTO_UDP:
		return VFP_TO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return VFP_TO_ICMP;
	default:
		return VFP_TO_OTHER;
	}
}

/* Initial TCP state from the first packet's flags. */
static uint8_t
tcp_state_of(const struct vfp_pkt *pkt)
{
	if ((!pkt->is_ipv4 && !pkt->is_ipv6) || pkt->key.proto != IPPROTO_TCP)
		return VFP_TCP_NONE;
	if (pkt->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		return VFP_TCP_CLOSING;
	if (pkt->tcp_flags & RTE_TCP_SYN_FLAG)
		return VFP_TCP_SYN;
	return VFP_TCP_ESTABLISHED;
}

/* The walk proper: the layers of the ports the packet crosses. */
static void
walk(struct vfp_walk *w, const struct vfp_subnet *s)
{
	const struct vfp_flow_key *k = &w->pkt->key;

	if (s == NULL) {
		vfp_walk_drop(w, HNV_DROP_UNKNOWN_VNI);
		return;
	}
	vfp_walk_depend(w, s->slot);
	if (k->dir == VFP_DIR_OUT) {
		walk_port(w, k->in_port, VFP_DIR_OUT);
		if (w->dropped)
			return;
		if (w->dst == NULL)
			vfp_walk_drop(w, w->to_router ? HNV_DROP_NO_ROUTE : HNV_DROP_NO_RULE);
		else if (w->dst->kind == VFP_ENTRY_LOCAL)
			walk_port(w, w->dst->port, VFP_DIR_IN);
		else if (!w->routed && w->solicit_nh < 0)
			vfp_walk_drop(w, HNV_DROP_NO_RULE); /* no layer routed it to the PA */
	} else {
		if (!vfp_vnet_ingress(w, s))
			return;
		walk_port(w, w->dst->port, VFP_DIR_IN);
		if (!w->dropped && !w->decap)
			vfp_walk_drop(w, HNV_DROP_NO_RULE);
	}
}

/* The transposition of a walk that did not drop. */
static void
compose(struct vfp_walk *w, struct vfp_verdict *v)
{
	const struct vfp_entry *e = w->dst;
	struct vfp_flow *f = &v->flow;
	struct vfp_trace *t = w->trace;
	char ip[HNV_PA_FMT_SIZE], mac[HNV_MAC_FMT_SIZE];

	if (e->kind == VFP_ENTRY_LOCAL) {
		f->kind = w->pkt->key.dir == VFP_DIR_OUT ? VFP_XP_FORWARD : VFP_XP_DECAP;
		f->out_port = e->port;
		if (t != NULL)
			snprintf(t->result, sizeof(t->result), "%s to port %u",
				f->kind == VFP_XP_FORWARD ? "forward" : "decap", e->port);
	} else if (!w->routed) {
		/* Transient: not cached; the caller solicits the next hop. */
		f->kind = VFP_XP_DROP;
		f->drop_reason = HNV_DROP_NEXTHOP_UNRESOLVED;
		v->cacheable = false;
		v->solicit_nh = w->solicit_nh;
		if (t != NULL)
			snprintf(t->result, sizeof(t->result),
				"drop nexthop_unresolved (the PA next hop is being resolved)");
		return;
	} else {
		f->kind = VFP_XP_ENCAP;
		f->out_port = w->uplink;
		f->tmpl = w->tmpl;
		if (t != NULL)
			snprintf(t->result, sizeof(t->result),
				"encap %s vni %u to PA %s via next hop %s, out port %u",
				encap_type_name((enum encap_type)e->subnet->encap), e->vsid,
				hnv_pa_format(ip, sizeof(ip), e->pa),
				hnv_mac_format(mac, sizeof(mac), &w->nh_mac), w->uplink);
	}
	f->counter = w->counter;
	f->meter = w->meter;
	f->tcp_state = tcp_state_of(w->pkt);
	f->set = w->set;
	if (w->set != 0) {
		f->set_src_mac = w->set_src_mac;
		f->set_dst_mac = w->set_dst_mac;
		f->set_src_ip = w->set_src_ip;
		f->set_dst_ip = w->set_dst_ip;
	}
}

/* Walk for @pkt and fill @v's flow entry. Returns the walk's destination
 * when the flow is allowed and stateful and a layer of the ports it
 * crosses could refuse its replies (their entry is wanted), else NULL. */
static const struct vfp_entry *
miss_one(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_pkt *pkt,
	bool established, bool count, struct vfp_trace *trace, struct vfp_verdict *v)
{
	const struct vfp_flow_key *k = &pkt->key;
	struct vfp_flow *f = &v->flow;
	struct vfp_walk w = {
		.sw = sw,
		.p = p,
		.pkt = pkt,
		.established = established,
		.count = count,
		.trace = trace,
		.solicit_nh = -1,
		.counter = VFP_NONE,
		.meter = VFP_NONE,
	};
	bool guarded;

	memset(v, 0, sizeof(*v));
	v->cacheable = true;
	v->solicit_nh = -1;
	f->gen_global = vfp_gen(sw, VFP_SLOT_GLOBAL);
	walk(&w, vfp_subnet_lookup(p, k->vsid));

	f->key = *k;
	f->counter = VFP_NONE;
	f->meter = VFP_NONE;
	f->to_class = timeout_class(pkt);
	for (unsigned int i = 0; i < VFP_FLOW_DEPS; i++) {
		f->dep_slot[i] = i < w.n_deps ? w.dep_slot[i] : VFP_NONE;
		f->dep_gen[i] = i < w.n_deps ? w.dep_gen[i] : 0;
	}
	if (trace != NULL)
		trace->dropped = false;
	if (w.dropped) {
		f->kind = VFP_XP_DROP;
		f->drop_reason = (uint8_t)w.drop;
		/* Only policy verdicts are worth a table entry, and only for a
		 * while: validation drops (unknown VNI, spoofing, no destination)
		 * cost a few lookups to recompute, and caching what a sender
		 * controls would let it fill the table. */
		v->cacheable = w.drop == HNV_DROP_ACL_DENY || w.drop == HNV_DROP_ROUTE_DROP;
		f->to_class = VFP_TO_DROP;
		if (trace != NULL)
			snprintf(trace->result, sizeof(trace->result), "drop %s",
				hnv_drop_name(w.drop));
	} else {
		compose(&w, v);
	}
	if (w.uncacheable)
		v->cacheable = false;
	if (trace != NULL) {
		trace->dropped = f->kind == VFP_XP_DROP;
		trace->drop = (enum hnv_drop_reason)f->drop_reason;
	}
	if (f->kind == VFP_XP_DROP || w.stateless_allow)
		return NULL;
	f->flags |= VFP_FLOW_STATEFUL;
	/* Replies need an entry of their own only where a layer could refuse
	 * them: a port with a BLOCK rule or a blocking default. */
	guarded = (k->dir == VFP_DIR_OUT && p->ports[k->in_port].can_block) ||
		  (w.dst->kind == VFP_ENTRY_LOCAL && p->ports[w.dst->port].can_block);
	if (!guarded || !(pkt->is_ipv4 || pkt->is_ipv6) ||
		!(k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
			(pkt->is_ipv4 && k->proto == IPPROTO_ICMP) ||
			(pkt->is_ipv6 && k->proto == IPPROTO_ICMPV6)))
		return NULL;
	return w.dst;
}

void
vfp_miss_handle(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_pkt *pkt,
	bool established, bool count, struct vfp_trace *trace, struct vfp_verdict *v)
{
	const struct vfp_entry *dst = miss_one(sw, p, pkt, established, count, trace, v);
	struct vfp_verdict rv;
	struct vfp_pkt r;

	if (dst == NULL || !v->cacheable)
		return;
	/* The replies' entry, walked as a reply (ACLs let it through) and
	 * without moving the hit counters: it is not a packet. */
	memset(&r, 0, sizeof(r));
	vfp_reply_key(p, &pkt->key, dst, &r.key);
	r.is_ipv4 = pkt->is_ipv4;
	r.is_ipv6 = pkt->is_ipv6;
	r.has_l4 = pkt->has_l4;
	miss_one(sw, p, &r, true, false, NULL, &rv);
	if (rv.flow.kind == VFP_XP_DROP || !rv.cacheable)
		return;
	v->has_reply = true;
	v->reply = rv.flow;
	v->reply.flags |= VFP_FLOW_REVERSE;
	v->reply.tcp_state = v->flow.tcp_state;
}
