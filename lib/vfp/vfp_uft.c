/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the unified flow table (UFT) as a mechanism; the flow cache
 * stage (vfp_flowcache.c) decides what goes in.
 *
 * Design:
 *  - DPDK's rte_hash (cuckoo, extendable buckets) maps a 48-byte flow key to
 *    a struct vfp_flow. Readers (workers on the fast path) are lock-free
 *    (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) and look up whole bursts with
 *    rte_hash_lookup_bulk_data.
 *  - Entries come from a preallocated pool (an array, with an rte_ring of
 *    free indices), so the miss path allocates nothing from the heap and
 *    aging can sweep the array without walking the hash.
 *  - Writers (workers inserting on a miss, the control plane aging) take one
 *    spinlock: inserts are already on the slow path, and the lock makes
 *    "insert unless present" atomic, so two lcores racing on one key never
 *    lose an entry.
 *  - A deleted key's slot and its entry are freed only after every reader
 *    passed a quiescent state: the hash's RCU defer queue
 *    (rte_hash_rcu_qsbr_add) calls uft_free_entry once it is safe.
 *  - Replacing a stale entry is delete + add under the lock; a reader that
 *    misses in between simply takes the slow path and finds the new entry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vfp_uft.h"

/* Entries beyond the key capacity: deleted ones wait a grace period. */
#define POOL_SLACK_MIN 1024

static void
uft_free_entry(void *p, void *key_data)
{
	struct vfp_uft *u = p;
	struct vfp_flow *f = key_data;

	__atomic_store_n(&f->in_use, 0, __ATOMIC_RELEASE);
	rte_ring_enqueue(u->free, (void *)(uintptr_t)f->index);
}

int
vfp_uft_init(struct vfp_uft *u, uint32_t capacity, int socket, struct rte_rcu_qsbr *qsbr)
{
	static unsigned int seq;
	struct rte_hash_parameters hp = {0};
	struct rte_hash_rcu_config rc = {0};
	char name[RTE_HASH_NAMESIZE];
	unsigned int id = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	uint32_t i;

	memset(u, 0, sizeof(*u));
	rte_spinlock_init(&u->wlock);
	u->capacity = capacity;
	u->pool_size = capacity + RTE_MAX(capacity / 8, (uint32_t)POOL_SLACK_MIN);

	snprintf(name, sizeof(name), "vfp_uft_%u", id);
	hp.name = name;
	hp.entries = capacity;
	hp.key_len = sizeof(struct vfp_flow_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	u->h = rte_hash_create(&hp);
	if (u->h == NULL)
		return -ENOMEM;

	rc.v = qsbr;
	rc.mode = RTE_HASH_QSBR_MODE_DQ;
	rc.dq_size = u->pool_size;
	rc.trigger_reclaim_limit = 32;
	rc.max_reclaim_size = 64;
	rc.key_data_ptr = u;
	rc.free_key_data_func = uft_free_entry;
	if (rte_hash_rcu_qsbr_add(u->h, &rc) != 0)
		return -ENOMEM;

	u->flows = rte_zmalloc_socket(
		"vfp_flows", sizeof(*u->flows) * u->pool_size, RTE_CACHE_LINE_SIZE, socket);
	snprintf(name, sizeof(name), "vfp_uftfree_%u", id);
	u->free = rte_ring_create(name, u->pool_size, socket, RING_F_EXACT_SZ);
	if (u->flows == NULL || u->free == NULL)
		return -ENOMEM;
	for (i = 0; i < u->pool_size; i++) {
		u->flows[i].index = i;
		rte_ring_enqueue(u->free, (void *)(uintptr_t)i);
	}
	return 0;
}

void
vfp_uft_fini(struct vfp_uft *u)
{
	rte_hash_free(u->h);
	rte_ring_free(u->free);
	rte_free(u->flows);
	memset(u, 0, sizeof(*u));
}

struct vfp_flow *
vfp_uft_alloc(struct vfp_uft *u)
{
	void *obj;

	if (rte_ring_dequeue(u->free, &obj) != 0)
		return NULL;
	return &u->flows[(uintptr_t)obj];
}

void
vfp_uft_release(struct vfp_uft *u, struct vfp_flow *f)
{
	f->in_use = 0;
	rte_ring_enqueue(u->free, (void *)(uintptr_t)f->index);
}

int
vfp_uft_insert(struct vfp_uft *u, struct vfp_flow *f, vfp_uft_keep_fn keep, const void *ctx,
	struct vfp_flow **current)
{
	void *data;
	int rc;

	rte_spinlock_lock(&u->wlock);
	if (rte_hash_lookup_data(u->h, &f->key, &data) >= 0) {
		struct vfp_flow *old = data;

		if (keep(ctx, old)) {
			rte_spinlock_unlock(&u->wlock);
			vfp_uft_release(u, f);
			*current = old;
			return -EEXIST;
		}
		if (rte_hash_del_key(u->h, &old->key) >= 0) {
			__atomic_store_n(&old->in_use, VFP_FLOW_DEAD, __ATOMIC_RELEASE);
			__atomic_fetch_sub(&u->n_live, 1, __ATOMIC_RELAXED);
		}
	}
	f->in_use = VFP_FLOW_LIVE;
	rc = rte_hash_add_key_data(u->h, &f->key, f);
	if (rc >= 0)
		__atomic_fetch_add(&u->n_live, 1, __ATOMIC_RELAXED);
	rte_spinlock_unlock(&u->wlock);
	if (rc < 0) {
		vfp_uft_release(u, f);
		*current = NULL;
		return -ENOSPC;
	}
	*current = f;
	return 0;
}

bool
vfp_uft_delete(struct vfp_uft *u, struct vfp_flow *f)
{
	void *data;
	bool done = false;

	rte_spinlock_lock(&u->wlock);
	/* Only if the key still maps to this very entry. */
	if (f->in_use == VFP_FLOW_LIVE && rte_hash_lookup_data(u->h, &f->key, &data) >= 0 &&
		data == f && rte_hash_del_key(u->h, &f->key) >= 0) {
		__atomic_store_n(&f->in_use, VFP_FLOW_DEAD, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&u->n_live, 1, __ATOMIC_RELAXED);
		done = true;
	}
	rte_spinlock_unlock(&u->wlock);
	return done;
}

void
vfp_uft_lookup_bulk(const struct vfp_uft *u, const struct vfp_flow_key **keys, unsigned int n,
	struct vfp_flow **flows)
{
	uint64_t hits = 0;

	if (n == 0)
		return;
	rte_hash_lookup_bulk_data(u->h, (const void **)keys, n, &hits, (void **)flows);
	for (unsigned int i = 0; i < n; i++)
		if (!(hits & (UINT64_C(1) << i)))
			flows[i] = NULL;
}

struct vfp_flow *
vfp_uft_lookup(const struct vfp_uft *u, const struct vfp_flow_key *key)
{
	void *data;

	return rte_hash_lookup_data(u->h, key, &data) >= 0 ? data : NULL;
}
