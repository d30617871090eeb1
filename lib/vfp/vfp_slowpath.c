/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the slow path: walking the layers for the first packet of a flow
 * (R16, R17, R19) and composing the result into one flow entry.
 *
 *   packet from VM port P:  P's layers, OUT, ascending priority
 *                           -> routing (the VNet MAP action found the
 *                              destination: local port Q, or a remote PA)
 *                           -> Q's layers, IN, descending  (hairpin only)
 *   packet from the uplink: ingress checks (tunnel kind of the VSID, inner
 *                           source hosted by the outer source PA), routing
 *                           by inner destination MAC to local port Q
 *                           -> Q's layers, IN, descending (PA routing, then
 *                              VNet DECAP, then ACL)
 *
 * In each layer, each group of the packet's direction and IP family
 * contributes the actions of its first matching rule (lowest priority
 * number); a layer in which no group matched applies its default. BLOCK
 * ends the walk, unless the packet is a reply of an allowed stateful flow
 * ("established"), which ACLs let through (R9, stateful ACLs).
 *
 * The result is a struct vfp_flow: what to do to every packet of the flow
 * (drop, forward, encapsulate with a complete outer header, decapsulate)
 * plus the generations of everything it was built from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "vfp_private.h"

struct walk {
	const struct vfp_program *p;
	const struct vfp_pkt *pkt;
	bool established;
	bool count;
	struct vfp_trace *trace;

	bool dropped;
	enum hnv_drop_reason drop;
	bool stateless_allow; /* an ALLOW without VFP_RULE_STATEFUL decided */
	bool mapped;          /* a MAP action ran */
	const struct vfp_entry *dst;
	bool decap;
	uint8_t set;             /* VFP_XSET_* */
	uint16_t counter, meter; /* VFP_NONE or the last COUNT / METER id */
	struct rte_ether_addr set_src_mac, set_dst_mac;
	rte_be32_t set_src_ip, set_dst_ip;
};

void
vfp_format_ip(char *buf, size_t size, rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip);

	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void trace_step(struct walk *w, uint16_t port, enum vfp_dir dir, const char *layer,
	const char *group, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void
trace_step(struct walk *w, uint16_t port, enum vfp_dir dir, const char *layer, const char *group,
	const char *rule, const char *fmt, ...)
{
	struct vfp_trace *t = w->trace;
	va_list ap;

	if (t == NULL || t->n == VFP_TRACE_MAX)
		return;
	t->step[t->n].port = port;
	t->step[t->n].dir = dir;
	snprintf(t->step[t->n].layer, sizeof(t->step[0].layer), "%s", layer);
	snprintf(t->step[t->n].group, sizeof(t->step[0].group), "%s", group);
	snprintf(t->step[t->n].rule, sizeof(t->step[0].rule), "%s", rule);
	va_start(ap, fmt);
	vsnprintf(t->step[t->n].action, sizeof(t->step[0].action), fmt, ap);
	va_end(ap);
	t->n++;
}

static void
walk_drop(struct walk *w, enum hnv_drop_reason r)
{
	if (!w->dropped) {
		w->dropped = true;
		w->drop = r;
	}
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
	if (f & (VFP_MATCH_SRC_IP | VFP_MATCH_DST_IP | VFP_MATCH_PROTO | VFP_MATCH_SRC_PORT |
			VFP_MATCH_DST_PORT)) {
		if (!pkt->is_ipv4)
			return false;
		if ((f & VFP_MATCH_SRC_IP) && (k->src_ip & m->src_mask) != m->src_ip)
			return false;
		if ((f & VFP_MATCH_DST_IP) && (k->dst_ip & m->dst_mask) != m->dst_ip)
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

/* The inner source of a tunnelled packet must be a CA that the outer
 * source PA hosts (anti-spoofing of the underlay). */
static bool
decap_source_ok(const struct walk *w)
{
	const struct vfp_flow_key *k = &w->pkt->key;
	const struct vfp_entry *src = vfp_l2_lookup(w->p, k->vsid, &k->src_mac);

	return src != NULL && src->kind == VFP_ENTRY_REMOTE && src->pa == k->outer_src;
}

static void
do_map(struct walk *w, uint16_t port, enum vfp_dir dir, const char *layer, const char *group,
	const char *rule)
{
	const struct vfp_flow_key *k = &w->pkt->key;
	const struct vfp_entry *self = w->p->ports[port].vnic;
	const struct vfp_entry *e;
	char ip[16];

	if (dir != VFP_DIR_OUT)
		return;
	w->mapped = true;
	if (rte_is_same_ether_addr(&k->dst_mac, &w->p->hp.router_mac)) {
		trace_step(
			w, port, dir, layer, group, rule, "map: router MAC, routing not enabled");
		walk_drop(w, HNV_DROP_NO_ROUTE);
		return;
	}
	e = vfp_l2_lookup(w->p, k->vsid, &k->dst_mac);
	if (e == NULL || e == self) {
		trace_step(w, port, dir, layer, group, rule, "map: destination MAC not in VSID %u",
			k->vsid);
		walk_drop(w, HNV_DROP_UNKNOWN_DST);
		return;
	}
	w->dst = e;
	if (e->kind == VFP_ENTRY_LOCAL) {
		trace_step(w, port, dir, layer, group, rule, "map: local port %u", e->port);
	} else {
		vfp_format_ip(ip, sizeof(ip), e->pa);
		trace_step(w, port, dir, layer, group, rule, "map: %s to PA %s",
			encap_type_name((enum encap_type)e->subnet->encap), ip);
	}
}

/* Apply the actions of the rule that a group chose. Returns false when the
 * walk must stop. */
static bool
apply_rule(struct walk *w, uint16_t port, enum vfp_dir dir, const struct vfp_layer *layer,
	const struct vfp_group *g, const struct vfp_rule *r)
{
	const char *rn = r->spec.name;

	for (unsigned int i = 0; i < r->spec.n_actions; i++) {
		const struct vfp_action *a = &r->spec.actions[i];

		switch (a->type) {
		case VFP_ACT_ALLOW:
			if (!(r->spec.flags & VFP_RULE_STATEFUL))
				w->stateless_allow = true;
			trace_step(w, port, dir, layer->name, g->name, rn, "allow%s",
				(r->spec.flags & VFP_RULE_STATEFUL) ? " (stateful)" : "");
			break;
		case VFP_ACT_BLOCK:
			if (w->established) {
				trace_step(w, port, dir, layer->name, g->name, rn,
					"block overridden: reply of an allowed flow");
				break;
			}
			trace_step(w, port, dir, layer->name, g->name, rn, "block");
			walk_drop(w, HNV_DROP_ACL_DENY);
			return false;
		case VFP_ACT_MAP:
			do_map(w, port, dir, layer->name, g->name, rn);
			if (w->dropped)
				return false;
			break;
		case VFP_ACT_DECAP:
			if (dir != VFP_DIR_IN || w->pkt->key.dir != VFP_DIR_IN)
				break; /* nothing to strip on a hairpinned packet */
			w->decap = true;
			trace_step(w, port, dir, layer->name, g->name, rn, "decap");
			break;
		case VFP_ACT_ROUTE_PA:
			if (w->dst != NULL && w->dst->kind == VFP_ENTRY_REMOTE &&
				w->trace != NULL) {
				char nh[16];

				vfp_format_ip(nh, sizeof(nh), w->p->sw->neigh[w->dst->neigh].ip);
				trace_step(w, port, dir, layer->name, g->name, rn,
					"route-pa: outer Ethernet from next hop %s", nh);
			}
			break;
		case VFP_ACT_SET_MAC:
			if (a->set & VFP_SET_SRC) {
				w->set |= VFP_XSET_SRC_MAC;
				w->set_src_mac = a->src_mac;
			}
			if (a->set & VFP_SET_DST) {
				w->set |= VFP_XSET_DST_MAC;
				w->set_dst_mac = a->dst_mac;
			}
			trace_step(w, port, dir, layer->name, g->name, rn, "set-mac");
			break;
		case VFP_ACT_COUNT:
			w->counter = a->id;
			trace_step(w, port, dir, layer->name, g->name, rn, "count: %s",
				w->p->counter_names[a->id]);
			break;
		case VFP_ACT_METER:
			w->meter = a->id;
			trace_step(w, port, dir, layer->name, g->name, rn, "meter: %s",
				w->p->meters[a->id].name);
			break;
		case VFP_ACT_SET_IP:
			if (a->set & VFP_SET_SRC) {
				w->set |= VFP_XSET_SRC_IP;
				w->set_src_ip = a->src_ip;
			}
			if (a->set & VFP_SET_DST) {
				w->set |= VFP_XSET_DST_IP;
				w->set_dst_ip = a->dst_ip;
			}
			trace_step(w, port, dir, layer->name, g->name, rn, "set-ip");
			break;
		default:
			break;
		}
	}
	return true;
}

/* Walk port @port's layers in direction @dir. */
static void
walk_port(struct walk *w, uint16_t port, enum vfp_dir dir)
{
	const struct vfp_port *pp = &w->p->ports[port];

	for (unsigned int n = 0; n < pp->n_layers && !w->dropped; n++) {
		unsigned int li = dir == VFP_DIR_OUT ? n : pp->n_layers - 1 - n;
		struct vfp_layer *layer = pp->layers[pp->order[li]];
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
			if (!apply_rule(w, port, dir, layer, g, r))
				return;
			if (r->spec.flags & VFP_RULE_TERMINATE)
				break;
		}
		if (any)
			continue;
		if (w->count)
			__atomic_fetch_add(&layer->defaulted, 1, __ATOMIC_RELAXED);
		if (layer->default_block && !w->established) {
			trace_step(w, port, dir, layer->name, "", "", "default: block");
			walk_drop(w, HNV_DROP_ACL_DENY);
			return;
		}
		trace_step(w, port, dir, layer->name, "", "", "default: %s",
			layer->default_block ? "block overridden: reply of an allowed flow"
					     : "allow");
	}
}

static void
set_deps(struct vfp_switch *sw, struct vfp_flow *f, const uint16_t *slots, const uint32_t *gens,
	unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		f->dep_slot[i] = slots[i];
		f->dep_gen[i] = gens[i];
	}
	for (; i < VFP_FLOW_DEPS; i++) {
		f->dep_slot[i] = VFP_SLOT_NONE;
		f->dep_gen[i] = 0;
	}
	(void)sw;
}

static uint8_t
timeout_class(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return VFP_TO_TCP;
	case IPPROTO_UDP:
		return VFP_TO_UDP;
	case IPPROTO_ICMP:
		return VFP_TO_ICMP;
	default:
		return VFP_TO_OTHER;
	}
}

/* Initial TCP state from the first packet's flags. */
static uint8_t
tcp_state_of(const struct vfp_pkt *pkt)
{
	if (!pkt->is_ipv4 || pkt->key.proto != IPPROTO_TCP)
		return VFP_TCP_NONE;
	if (pkt->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		return VFP_TCP_CLOSING;
	if (pkt->tcp_flags & RTE_TCP_SYN_FLAG)
		return VFP_TCP_SYN;
	return VFP_TCP_ESTABLISHED;
}

/* The routing step for a packet from the uplink: its local destination. */
static const struct vfp_entry *
route_inbound(struct walk *w)
{
	const struct vfp_flow_key *k = &w->pkt->key;
	const struct vfp_entry *e = vfp_l2_lookup(w->p, k->vsid, &k->dst_mac);

	return e != NULL && e->kind == VFP_ENTRY_LOCAL ? e : NULL;
}

/* The ECMP entropy of a flow: the same bytes, in the same order, that
 * encap_inner_hash() takes from a frame (lib/encap/encap.c), taken from the
 * flow key so that a reply's entry can be built without a frame. */
static uint32_t
flow_entropy(const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	union {
		uint64_t align; /* rte_hash_crc loads 8 bytes at a time */
		uint8_t b[16];
	} u;
	uint8_t *seq = u.b;
	uint32_t n;

	if (pkt->is_ipv4) {
		memcpy(seq, &k->src_ip, 4);
		memcpy(seq + 4, &k->dst_ip, 4);
		seq[8] = k->proto;
		n = 9;
		if (pkt->has_l4) {
			memcpy(seq + 9, &k->sport, 2);
			memcpy(seq + 11, &k->dport, 2);
			n = 13;
		}
	} else {
		memcpy(seq, &k->dst_mac, 6);
		memcpy(seq + 6, &k->src_mac, 6);
		memcpy(seq + 12, &k->ethertype, 2);
		n = 14;
	}
	return rte_hash_crc(seq, n, 0xffffffff);
}

static void
compose_encap(struct vfp_switch *sw, struct walk *w, struct vfp_verdict *v)
{
	const struct vfp_program *p = w->p;
	const struct vfp_entry *e = w->dst;
	struct vfp_flow *f = &v->flow;
	struct encap_outer o = {0};
	struct rte_ether_addr nh;
	uint32_t hash;
	char ip[16];

	if (!arp_proxy_neigh_lookup(&sw->neigh[e->neigh], &nh)) {
		/* Transient: not cached; the caller solicits the next hop. */
		f->kind = VFP_XP_DROP;
		f->drop_reason = HNV_DROP_NEXTHOP_UNRESOLVED;
		v->cacheable = false;
		v->solicit_neigh = (int16_t)e->neigh;
		if (w->trace != NULL)
			snprintf(w->trace->result, sizeof(w->trace->result),
				"drop nexthop_unresolved (the PA next hop is being resolved)");
		return;
	}
	o.src_mac = p->hp.uplink_mac;
	o.dst_mac = nh;
	o.vlan_id = p->hp.vlan;
	o.src_ip = p->hp.pa[0];
	o.dst_ip = e->pa;
	/* The entropy comes from the flow key itself, so it is the same for
	 * every packet of the flow and is computed once, here. */
	hash = flow_entropy(w->pkt);
	encap_template_build(&f->tmpl, (enum encap_type)e->subnet->encap, &o, e->vsid,
		e->subnet->encap == ENCAP_TYPE_VXLAN ? encap_vxlan_sport(hash) : (uint8_t)hash);
	f->kind = VFP_XP_ENCAP;
	f->out_port = p->hp.uplink;
	if (w->trace != NULL) {
		vfp_format_ip(ip, sizeof(ip), e->pa);
		snprintf(w->trace->result, sizeof(w->trace->result),
			"encap %s vni %u to PA %s via next hop %02x:%02x:%02x:%02x:%02x:%02x, out "
			"port %u",
			encap_type_name((enum encap_type)e->subnet->encap), e->vsid, ip,
			nh.addr_bytes[0], nh.addr_bytes[1], nh.addr_bytes[2], nh.addr_bytes[3],
			nh.addr_bytes[4], nh.addr_bytes[5], p->hp.uplink);
	}
}

void
vfp_slow_path(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_pkt *pkt,
	bool established, bool count, struct vfp_trace *trace, struct vfp_verdict *v)
{
	const struct vfp_flow_key *k = &pkt->key;
	struct vfp_flow *f = &v->flow;
	struct walk w = {
		.p = p,
		.pkt = pkt,
		.established = established,
		.count = count,
		.trace = trace,
		.counter = VFP_NONE,
		.meter = VFP_NONE,
	};
	const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);
	uint16_t slots[VFP_FLOW_DEPS];
	uint32_t gens[VFP_FLOW_DEPS];
	unsigned int n_deps = 0;
	uint16_t dst_port = VFP_MAX_PORTS;

	memset(v, 0, sizeof(*v));
	v->cacheable = true;
	v->solicit_neigh = -1;
	/* Generations are bumped only after every worker moved to the new
	 * program (vfp_switch_publish), so these are never newer than @p. */
	f->gen_global = vfp_gen(sw, VFP_SLOT_GLOBAL);
	slots[n_deps] = (uint16_t)VFP_SLOT_PORT(k->in_port);
	gens[n_deps] = vfp_gen(sw, slots[n_deps]);
	n_deps++;
	if (s != NULL) {
		slots[n_deps] = s->slot;
		gens[n_deps] = vfp_gen(sw, s->slot);
		n_deps++;
	}

	if (s == NULL) {
		walk_drop(&w, HNV_DROP_UNKNOWN_VNI);
	} else if (k->dir == VFP_DIR_OUT) {
		walk_port(&w, k->in_port, VFP_DIR_OUT);
		if (!w.dropped && !w.mapped)
			walk_drop(&w, HNV_DROP_NO_RULE);
		if (!w.dropped && w.dst->kind == VFP_ENTRY_LOCAL) {
			dst_port = w.dst->port;
			walk_port(&w, dst_port, VFP_DIR_IN);
		}
	} else {
		const struct vfp_entry *d;

		/* Ingress on the uplink: the tunnel must be the VSID's kind and
		 * the inner source a CA that the sending PA hosts; then routing. */
		if (k->encap != s->encap) {
			walk_drop(&w, HNV_DROP_ENCAP_MISMATCH);
		} else if (!decap_source_ok(&w)) {
			trace_step(&w, k->in_port, VFP_DIR_IN, "uplink", "", "",
				"inner source not hosted by the outer source PA");
			walk_drop(&w, HNV_DROP_SPOOFED_PA);
		} else if ((d = route_inbound(&w)) == NULL) {
			walk_drop(&w, HNV_DROP_UNKNOWN_DST);
		} else {
			dst_port = d->port;
			walk_port(&w, dst_port, VFP_DIR_IN);
			if (!w.dropped && !w.decap)
				walk_drop(&w, HNV_DROP_NO_RULE);
		}
	}
	if (dst_port < VFP_MAX_PORTS) {
		slots[n_deps] = (uint16_t)VFP_SLOT_PORT(dst_port);
		gens[n_deps] = vfp_gen(sw, slots[n_deps]);
		n_deps++;
	}

	f->key = *k;
	f->counter = w.dropped ? VFP_NONE : w.counter;
	f->meter = w.dropped ? VFP_NONE : w.meter;
	f->to_class = timeout_class(pkt->is_ipv4 ? k->proto : 0);
	f->tcp_state = w.dropped ? VFP_TCP_NONE : tcp_state_of(pkt);
	if (w.dropped) {
		f->kind = VFP_XP_DROP;
		f->drop_reason = (uint8_t)w.drop;
		/* Only policy verdicts are worth a table entry, and only for a
		 * while: validation drops (unknown VNI, spoofing, no destination)
		 * cost a few lookups to recompute, and caching what a sender
		 * controls would let it fill the table. */
		v->cacheable = w.drop == HNV_DROP_ACL_DENY;
		f->to_class = VFP_TO_DROP;
		if (trace != NULL)
			snprintf(trace->result, sizeof(trace->result), "drop %s",
				hnv_drop_name(w.drop));
	} else if (k->dir == VFP_DIR_OUT && w.dst->kind == VFP_ENTRY_REMOTE) {
		slots[n_deps] = (uint16_t)VFP_SLOT_NEIGH(w.dst->neigh);
		gens[n_deps] = vfp_gen(sw, slots[n_deps]);
		n_deps++;
		compose_encap(sw, &w, v);
	} else {
		f->kind = k->dir == VFP_DIR_OUT ? VFP_XP_FORWARD : VFP_XP_DECAP;
		f->out_port = dst_port;
		if (trace != NULL)
			snprintf(trace->result, sizeof(trace->result), "%s to port %u",
				f->kind == VFP_XP_FORWARD ? "forward" : "decap", dst_port);
	}
	set_deps(sw, f, slots, gens, n_deps);
	if (w.set != 0 && f->kind != VFP_XP_DROP) {
		f->set = w.set;
		f->set_src_mac = w.set_src_mac;
		f->set_dst_mac = w.set_dst_mac;
		f->set_src_ip = w.set_src_ip;
		f->set_dst_ip = w.set_dst_ip;
	}
	if (f->kind != VFP_XP_DROP && !w.stateless_allow) {
		/* Replies need an entry of their own only where a layer could
		 * refuse them: a port with a BLOCK rule or a blocking default. */
		bool guarded = (k->dir == VFP_DIR_OUT && p->ports[k->in_port].can_block) ||
			       (dst_port < VFP_MAX_PORTS && p->ports[dst_port].can_block);

		f->flags |= VFP_FLOW_STATEFUL;
		v->reverse_wanted = guarded && pkt->is_ipv4 &&
				    (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
					    k->proto == IPPROTO_ICMP);
	}
	if (trace != NULL) {
		trace->dropped = f->kind == VFP_XP_DROP;
		trace->drop = (enum hnv_drop_reason)f->drop_reason;
	}
}

void
vfp_reverse_key(const struct vfp_program *p, const struct vfp_flow_key *k, uint16_t dst_port,
	const struct vfp_entry *remote, struct vfp_flow_key *r)
{
	memset(r, 0, sizeof(*r));
	r->vsid = k->vsid;
	r->src_ip = k->dst_ip;
	r->dst_ip = k->src_ip;
	r->sport = k->dport;
	r->dport = k->sport;
	r->src_mac = k->dst_mac;
	r->dst_mac = k->src_mac;
	r->ethertype = k->ethertype;
	r->proto = k->proto;
	if (remote != NULL) {
		/* The reply comes back over the overlay from the remote PA. */
		r->dir = VFP_DIR_IN;
		r->in_port = p->hp.uplink;
		r->outer_src = remote->pa;
		r->encap = remote->subnet->encap;
	} else {
		/* The reply is sent by the VM on the destination port. */
		r->dir = VFP_DIR_OUT;
		r->in_port = dst_port;
	}
}

/* Would a packet with key @k be the reply of an allowed stateful flow? */
bool
vfp_is_reply(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_flow_key *k)
{
	const struct vfp_entry *d = vfp_l2_lookup(p, k->vsid, &k->dst_mac);
	const struct vfp_flow *f;
	struct vfp_flow_key r;

	if (d == NULL || (k->dir == VFP_DIR_IN && d->kind != VFP_ENTRY_LOCAL))
		return false;
	if (k->dir == VFP_DIR_IN || d->kind == VFP_ENTRY_LOCAL)
		vfp_reverse_key(p, k, d->port, NULL, &r);
	else
		vfp_reverse_key(p, k, 0, d, &r);
	f = vfp_uft_lookup(&sw->uft, &r);
	return f != NULL && f->kind != VFP_XP_DROP && (f->flags & VFP_FLOW_STATEFUL) &&
	       vfp_flow_current(sw, f);
}
