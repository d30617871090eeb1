/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the flow cache stage: what goes into the UFT (vfp_uft.c is the
 * table itself) and what a hit may use.
 *
 * An entry is current while the generations it recorded are (vfp_sw.h);
 * a stale entry is replaced by the next insert of its key. Two lcores that
 * miss on one key race to insert: the first current entry stays and the
 * other lcore applies it. The entry of an allowed flow's replies replaces
 * a cached drop of that direction (an unsolicited packet that an ACL
 * refused earlier), but never a current allowed entry.
 */
#include <errno.h>

#include <rte_prefetch.h>

#include "vfp_flowcache.h"
#include "vfp_router.h"

void
vfp_cache_lookup_burst(const struct vfp_switch *sw, const struct vfp_flow_key **keys,
	unsigned int n, struct vfp_flow **found)
{
	vfp_uft_lookup_bulk(&sw->uft, keys, n, found);
	for (unsigned int i = 0; i < n; i++)
		if (found[i] != NULL) {
			/* The hot line and the outer header template. */
			rte_prefetch0(found[i]);
			rte_prefetch0((const uint8_t *)found[i] + RTE_CACHE_LINE_SIZE);
		}
}

struct vfp_flow *
vfp_cache_lookup(const struct vfp_switch *sw, const struct vfp_flow_key *key)
{
	return vfp_uft_lookup(&sw->uft, key);
}

bool
vfp_cache_is_reply(
	const struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_flow_key *k)
{
	const struct vfp_entry *d;
	const struct vfp_flow *f;
	struct vfp_flow_key r;

	if (vfp_key_to_router(p, k)) {
		/* Routed: the flow it would answer came from the owner of
		 * the destination address, wherever that is. */
		const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);

		d = s == NULL ? NULL
		    : k->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4)
			    ? vfp_router_owner(p, s->space, k->dst_ip)
		    : k->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6)
			    ? vfp_router_owner6(p, s->space, k->dst6)
			    : NULL;
	} else {
		d = vfp_l2_lookup(p, k->vsid, &k->dst_mac);
	}

	if (d == NULL || (k->dir == VFP_DIR_IN && d->kind != VFP_ENTRY_LOCAL))
		return false;
	/* The flow this one would answer came from the destination. */
	vfp_reply_key(p, k, d, &r);
	f = vfp_uft_lookup(&sw->uft, &r);
	return f != NULL && f->kind != VFP_XP_DROP && (f->flags & VFP_FLOW_STATEFUL) &&
	       vfp_flow_current(sw, f);
}

static bool
keep_current(const void *ctx, const struct vfp_flow *old)
{
	return vfp_flow_current(ctx, old);
}

static bool
keep_current_allowed(const void *ctx, const struct vfp_flow *old)
{
	return old->kind != VFP_XP_DROP && vfp_flow_current(ctx, old);
}

/* Put a copy of @src in the table; the entry that stays, or NULL if full. */
static struct vfp_flow *
insert(struct vfp_switch *sw, struct vfp_lcore *lc, const struct vfp_flow *src, uint64_t now,
	vfp_uft_keep_fn keep)
{
	struct vfp_flow *nf = vfp_uft_alloc(&sw->uft), *cur;
	uint32_t index;

	if (nf == NULL)
		return NULL;
	index = nf->index;
	*nf = *src;
	nf->index = index;
	nf->packets = 0;
	nf->bytes = 0;
	nf->last_tsc = now;
	switch (vfp_uft_insert(&sw->uft, nf, keep, sw, &cur)) {
	case 0:
		lc->uft.inserts++;
		return cur;
	case -EEXIST:
		return cur;
	default:
		return NULL;
	}
}

struct vfp_flow *
vfp_cache_insert(struct vfp_switch *sw, struct vfp_lcore *lc, struct vfp_verdict *v, uint64_t now)
{
	struct vfp_flow *f;

	if (!v->cacheable)
		return &v->flow;
	f = insert(sw, lc, &v->flow, now, keep_current);
	if (f == NULL) {
		/* Full table: forward from the verdict itself, uncached. */
		lc->uft.uncached++;
		return &v->flow;
	}
	if (v->has_reply)
		insert(sw, lc, &v->reply, now, keep_current_allowed);
	return f;
}
