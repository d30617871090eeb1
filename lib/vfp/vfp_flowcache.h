/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the flow cache stage (vfp_flowcache.c): finding the entries of
 * a burst's keys, telling current entries from stale ones, recognising the
 * replies of allowed flows, and caching the miss handler's verdicts (with
 * the entry of the replies).
 */
#ifndef HNV_VFP_FLOWCACHE_H
#define HNV_VFP_FLOWCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfp_lc.h"
#include "vfp_sw.h"
#include "vfp_walk.h"

/* Look up @n keys; found[i] is the entry of keys[i] or NULL. The entries
 * found are prefetched for the apply stage. */
void vfp_cache_lookup_burst(const struct vfp_switch *sw, const struct vfp_flow_key **keys,
	unsigned int n, struct vfp_flow **found);

/* The entry of @key, or NULL. */
struct vfp_flow *vfp_cache_lookup(const struct vfp_switch *sw, const struct vfp_flow_key *key);

/* Would a packet with key @k be the reply of an allowed stateful flow
 * whose entry is current? */
bool vfp_cache_is_reply(
	const struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_flow_key *k);

/* Cache verdict @v (made at @now) and, if it has one, the entry of its
 * replies. Returns the entry to apply: the cached one (this lcore's or
 * another's that got there first), or @v's own flow when the verdict is
 * not to be cached or the table is full (counted as uncached). */
struct vfp_flow *vfp_cache_insert(
	struct vfp_switch *sw, struct vfp_lcore *lc, struct vfp_verdict *v, uint64_t now);

#endif /* HNV_VFP_FLOWCACHE_H */
