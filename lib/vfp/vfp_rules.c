/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the layers, groups and rules of a program's ports (R15, R16):
 * adding them in any order (kept sorted by priority beside stable ids),
 * validating rule actions, the fingerprint of a port's layers (what its
 * flows depend on), and whether a port can refuse a packet.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "vfp_prog.h"

static bool
name_ok(const char *name)
{
	return name != NULL && name[0] != '\0' && strlen(name) < VFP_NAME_MAX;
}

int
vfp_layer_add(struct vfp_program *p, uint16_t port, const char *name, uint16_t priority,
	bool default_block)
{
	struct vfp_port *pp;
	struct vfp_layer *layer;
	unsigned int i, at;

	if (vfp_program_is_derived(p) || port >= p->hp.n_ports || !name_ok(name))
		return -EINVAL;
	pp = &p->ports[port];
	if (pp->n_layers == VFP_MAX_LAYERS)
		return -ENOSPC;
	for (i = 0; i < pp->n_layers; i++)
		if (pp->layers[i]->priority == priority || strcmp(pp->layers[i]->name, name) == 0)
			return -EEXIST;
	layer = rte_zmalloc("vfp_layer", sizeof(*layer), RTE_CACHE_LINE_SIZE);
	if (layer == NULL)
		return -ENOMEM;
	strcpy(layer->name, name);
	layer->priority = priority;
	layer->default_block = default_block;
	/* Ids are stable; the walk order is kept sorted beside them. */
	for (at = 0; at < pp->n_layers && pp->layers[pp->order[at]]->priority < priority; at++)
		;
	memmove(&pp->order[at + 1], &pp->order[at], pp->n_layers - at);
	pp->order[at] = (uint8_t)pp->n_layers;
	pp->layers[pp->n_layers] = layer;
	return (int)pp->n_layers++;
}

int
vfp_group_add(struct vfp_program *p, uint16_t port, int layer, const char *name, uint16_t priority,
	enum vfp_dir dir, enum vfp_family family)
{
	struct vfp_layer *l;
	struct vfp_group *g;
	unsigned int i, at;

	if (vfp_program_is_derived(p) || port >= p->hp.n_ports || layer < 0 ||
		(unsigned int)layer >= p->ports[port].n_layers || !name_ok(name) ||
		dir > VFP_DIR_IN || family > VFP_FAMILY_IPV6)
		return -EINVAL;
	l = p->ports[port].layers[layer];
	if (l->n_groups == VFP_MAX_GROUPS)
		return -ENOSPC;
	for (i = 0; i < l->n_groups; i++)
		if (strcmp(l->groups[i].name, name) == 0)
			return -EEXIST;
	for (at = 0; at < l->n_groups && l->groups[l->order[at]].priority <= priority; at++)
		;
	memmove(&l->order[at + 1], &l->order[at], l->n_groups - at);
	l->order[at] = (uint8_t)l->n_groups;
	g = &l->groups[l->n_groups];
	memset(g, 0, sizeof(*g));
	strcpy(g->name, name);
	g->priority = priority;
	g->dir = dir;
	g->family = family;
	return (int)l->n_groups++;
}

static bool
action_ok(const struct vfp_program *p, const struct vfp_action *a)
{
	switch (a->type) {
	case VFP_ACT_COUNT:
		return a->id < p->n_counters;
	case VFP_ACT_METER:
		return a->id < p->n_meters;
	case VFP_ACT_ALLOW:
	case VFP_ACT_BLOCK:
	case VFP_ACT_MAP:
	case VFP_ACT_DECAP:
	case VFP_ACT_ROUTE_PA:
	case VFP_ACT_ROUTE:
		return true;
	case VFP_ACT_SET_MAC:
	case VFP_ACT_SET_IP:
		return a->set != 0 && (a->set & ~(VFP_SET_SRC | VFP_SET_DST)) == 0;
	default:
		return false;
	}
}

int
vfp_rule_add(struct vfp_program *p, uint16_t port, int layer, int group,
	const struct vfp_rule_spec *spec)
{
	struct vfp_layer *l;
	struct vfp_group *g;
	unsigned int i, at;

	if (vfp_program_is_derived(p) || port >= p->hp.n_ports || layer < 0 ||
		(unsigned int)layer >= p->ports[port].n_layers)
		return -EINVAL;
	l = p->ports[port].layers[layer];
	if (group < 0 || (unsigned int)group >= l->n_groups || spec == NULL ||
		!name_ok(spec->name) || spec->n_actions > VFP_MAX_ACTIONS ||
		spec->match.src6_len > 128 || spec->match.dst6_len > 128)
		return -EINVAL;
	for (i = 0; i < spec->n_actions; i++)
		if (!action_ok(p, &spec->actions[i]))
			return -EINVAL;
	g = &l->groups[group];
	for (i = 0; i < g->n_rules; i++)
		if (g->rules[i].spec.priority == spec->priority ||
			strcmp(g->rules[i].spec.name, spec->name) == 0)
			return -EEXIST;
	if (g->n_rules == g->max_rules) {
		unsigned int n = g->max_rules ? g->max_rules * 2 : 8;
		struct vfp_rule *r = rte_realloc(g->rules, n * sizeof(*r), RTE_CACHE_LINE_SIZE);

		if (r == NULL)
			return -ENOMEM;
		g->rules = r;
		g->max_rules = n;
	}
	for (at = 0; at < g->n_rules && g->rules[at].spec.priority < spec->priority; at++)
		;
	memmove(&g->rules[at + 1], &g->rules[at], (g->n_rules - at) * sizeof(g->rules[0]));
	memset(&g->rules[at], 0, sizeof(g->rules[at]));
	g->rules[at].spec = *spec;
	g->n_rules++;
	return (int)at;
}

/* Fingerprint of what a rule does, field by field (the caller's struct may
 * carry uninitialised padding). */
static uint64_t
rule_fp(uint64_t fp, const struct vfp_rule_spec *s)
{
	const struct vfp_match *m = &s->match;

	fp = vfp_fp_mix(fp, s->name, (uint32_t)strnlen(s->name, VFP_NAME_MAX));
	fp = VFP_FP_MIX(fp, s->priority);
	fp = VFP_FP_MIX(fp, s->flags);
	fp = VFP_FP_MIX(fp, m->fields);
	fp = VFP_FP_MIX(fp, m->port);
	fp = VFP_FP_MIX(fp, m->vsid);
	fp = VFP_FP_MIX(fp, m->src_mac);
	fp = VFP_FP_MIX(fp, m->dst_mac);
	fp = VFP_FP_MIX(fp, m->ethertype);
	fp = VFP_FP_MIX(fp, m->src_ip);
	fp = VFP_FP_MIX(fp, m->src_mask);
	fp = VFP_FP_MIX(fp, m->dst_ip);
	fp = VFP_FP_MIX(fp, m->dst_mask);
	fp = VFP_FP_MIX(fp, m->src6);
	fp = VFP_FP_MIX(fp, m->src6_len);
	fp = VFP_FP_MIX(fp, m->dst6);
	fp = VFP_FP_MIX(fp, m->dst6_len);
	fp = VFP_FP_MIX(fp, m->proto);
	fp = VFP_FP_MIX(fp, m->sport_lo);
	fp = VFP_FP_MIX(fp, m->sport_hi);
	fp = VFP_FP_MIX(fp, m->dport_lo);
	fp = VFP_FP_MIX(fp, m->dport_hi);
	for (unsigned int i = 0; i < s->n_actions; i++) {
		const struct vfp_action *a = &s->actions[i];

		fp = VFP_FP_MIX(fp, a->type);
		fp = VFP_FP_MIX(fp, a->set);
		fp = VFP_FP_MIX(fp, a->src_mac);
		fp = VFP_FP_MIX(fp, a->dst_mac);
		fp = VFP_FP_MIX(fp, a->src_ip);
		fp = VFP_FP_MIX(fp, a->dst_ip);
		fp = VFP_FP_MIX(fp, a->id);
	}
	return fp;
}

uint64_t
vfp_port_fingerprint(const struct vfp_port *pp)
{
	uint64_t fp = VFP_FP_MIX(0, pp->role);

	if (pp->vnic != NULL) {
		fp = VFP_FP_MIX(fp, pp->vnic->vsid);
		fp = VFP_FP_MIX(fp, pp->vnic->mac);
		fp = VFP_FP_MIX(fp, pp->vnic->ip);
		fp = VFP_FP_MIX(fp, pp->vnic->forwarding);
		fp = VFP_FP_MIX(fp, pp->vnic->has_ip6);
		fp = VFP_FP_MIX(fp, pp->vnic->ip6);
	}
	for (unsigned int l = 0; l < pp->n_layers; l++) {
		const struct vfp_layer *layer = pp->layers[pp->order[l]];

		fp = vfp_fp_mix(fp, layer->name, (uint32_t)strlen(layer->name));
		fp = VFP_FP_MIX(fp, layer->priority);
		fp = VFP_FP_MIX(fp, layer->default_block);
		for (unsigned int g = 0; g < layer->n_groups; g++) {
			const struct vfp_group *grp = &layer->groups[layer->order[g]];

			fp = vfp_fp_mix(fp, grp->name, (uint32_t)strlen(grp->name));
			fp = VFP_FP_MIX(fp, grp->priority);
			fp = VFP_FP_MIX(fp, grp->dir);
			fp = VFP_FP_MIX(fp, grp->family);
			for (unsigned int r = 0; r < grp->n_rules; r++)
				fp = rule_fp(fp, &grp->rules[r].spec);
		}
	}
	return fp;
}

/* Can any layer of the port refuse a packet (a BLOCK rule, a default
 * block)? Only then do its flows need reply entries. */
bool
vfp_port_can_block(const struct vfp_port *pp)
{
	for (unsigned int l = 0; l < pp->n_layers; l++) {
		const struct vfp_layer *layer = pp->layers[l];

		if (layer->default_block)
			return true;
		for (unsigned int g = 0; g < layer->n_groups; g++)
			for (unsigned int r = 0; r < layer->groups[g].n_rules; r++)
				for (unsigned int a = 0;
					a < layer->groups[g].rules[r].spec.n_actions; a++)
					if (layer->groups[g].rules[r].spec.actions[a].type ==
						VFP_ACT_BLOCK)
						return true;
	}
	return false;
}
