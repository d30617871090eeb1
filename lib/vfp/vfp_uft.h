/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the unified flow table as a mechanism (vfp_uft.c): keys to
 * entries on rte_hash, the entry pool, writers' lock and RCU-deferred
 * frees. What to insert and when is the flow cache stage's business
 * (vfp_flowcache.c).
 */
#ifndef HNV_VFP_UFT_H
#define HNV_VFP_UFT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "vfp_flow.h"

struct vfp_uft {
	struct rte_hash *h;     /* key -> struct vfp_flow * */
	struct vfp_flow *flows; /* the entry pool */
	struct rte_ring *free;  /* free entry indices */
	uint32_t capacity;      /* keys */
	uint32_t pool_size;     /* entries: capacity plus room for deferred frees */
	rte_spinlock_t wlock;   /* serialises writers (workers' inserts, aging) */
	uint32_t age_cursor;
	uint32_t n_live; /* keys in the table; rte_hash_count() also
			    counts deleted keys not yet reclaimed */
};

/* Keeping an entry when its key is inserted again: the caller's judgment
 * of the entry that is there (is it still current, may it be replaced). */
typedef bool (*vfp_uft_keep_fn)(const void *ctx, const struct vfp_flow *old);

/* Set up @u for @capacity keys on @socket, deferring frees through @qsbr.
 * Returns 0 or -ENOMEM (call vfp_uft_fini either way). */
int vfp_uft_init(struct vfp_uft *u, uint32_t capacity, int socket, struct rte_rcu_qsbr *qsbr);
void vfp_uft_fini(struct vfp_uft *u);

/* An entry from the pool (its index set), or NULL when the pool is empty. */
struct vfp_flow *vfp_uft_alloc(struct vfp_uft *u);
/* Give back an entry that was never inserted. */
void vfp_uft_release(struct vfp_uft *u, struct vfp_flow *f);

/* Insert @f (filled, key set, not yet visible). If the key is present and
 * @keep(@ctx, old) says so, @f is released and *current is the entry that
 * stays (-EEXIST); otherwise @f replaces it. Returns 0 (inserted, *current
 * = f), -EEXIST, or -ENOSPC (table full: @f released, *current NULL). */
int vfp_uft_insert(struct vfp_uft *u, struct vfp_flow *f, vfp_uft_keep_fn keep, const void *ctx,
	struct vfp_flow **current);

/* Look up @n keys at once; flows[i] is NULL for a miss. */
void vfp_uft_lookup_bulk(const struct vfp_uft *u, const struct vfp_flow_key **keys, unsigned int n,
	struct vfp_flow **flows);
struct vfp_flow *vfp_uft_lookup(const struct vfp_uft *u, const struct vfp_flow_key *key);

/* Delete @f if its key still maps to it; the entry is freed after a grace
 * period. Returns whether it was deleted. */
bool vfp_uft_delete(struct vfp_uft *u, struct vfp_flow *f);

#endif /* HNV_VFP_UFT_H */
