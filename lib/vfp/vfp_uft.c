/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the unified flow table (UFT).
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

#include "vfp_private.h"

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

/* Insert @f (filled, key set, not yet visible). If the key is present with
 * a current entry, @f is released and *current is the entry that stays,
 * unless @replace_drop and that entry is a cached drop, which @f replaces.
 * Returns 0 (inserted, *current = f), -EEXIST, or -ENOSPC (table full: @f
 * is released, nothing inserted). */
int
vfp_uft_insert(
	struct vfp_switch *sw, struct vfp_flow *f, bool replace_drop, struct vfp_flow **current)
{
	struct vfp_uft *u = &sw->uft;
	void *data;
	int rc;

	rte_spinlock_lock(&u->wlock);
	if (rte_hash_lookup_data(u->h, &f->key, &data) >= 0) {
		struct vfp_flow *old = data;

		if (vfp_flow_current(sw, old) && !(replace_drop && old->kind == VFP_XP_DROP)) {
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

static const char *const kind_names[] = {
	[VFP_XP_DROP] = "drop",
	[VFP_XP_FORWARD] = "forward",
	[VFP_XP_ENCAP] = "encap",
	[VFP_XP_DECAP] = "decap",
};

static const char *const tcp_names[] = {
	[VFP_TCP_NONE] = "-",
	[VFP_TCP_SYN] = "syn",
	[VFP_TCP_ESTABLISHED] = "established",
	[VFP_TCP_CLOSING] = "closing",
};

unsigned int
vfp_switch_visit_flows(
	const struct vfp_switch *sw, unsigned int max, vfp_flow_visit_fn fn, void *ctx)
{
	const struct vfp_uft *u = &sw->uft;
	uint64_t now = rte_get_tsc_cycles();
	unsigned int n = 0;

	for (uint32_t i = 0; i < u->pool_size && n < max; i++) {
		const struct vfp_flow *f = &u->flows[i];
		struct vfp_flow_info info;

		if (__atomic_load_n(&f->in_use, __ATOMIC_ACQUIRE) != VFP_FLOW_LIVE)
			continue;
		memset(&info, 0, sizeof(info));
		info.in_port = f->key.in_port;
		info.dir = (enum vfp_dir)f->key.dir;
		info.vsid = f->key.vsid;
		info.src_ip = f->key.src_ip;
		info.dst_ip = f->key.dst_ip;
		info.proto = f->key.proto;
		info.sport = rte_be_to_cpu_16(f->key.sport);
		info.dport = rte_be_to_cpu_16(f->key.dport);
		info.action = f->kind < RTE_DIM(kind_names) && kind_names[f->kind]
				      ? kind_names[f->kind]
				      : "?";
		info.out_port = f->out_port;
		info.state = f->tcp_state < RTE_DIM(tcp_names) ? tcp_names[f->tcp_state] : "?";
		info.reverse = f->flags & VFP_FLOW_REVERSE;
		info.packets = f->packets;
		info.bytes = f->bytes;
		info.idle_ms = (now - f->last_tsc) * 1000 / sw->tsc_hz;
		fn(ctx, &info);
		n++;
	}
	return n;
}
