/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: derived programs (vfp_program_derive, vfp_program_del_mapping):
 * a reload whose only change is a few remote mappings (CA -> PA), made in
 * the running program's tables instead of a new program of a million CAs.
 *
 * What is shared: a derived program is a copy of its base's struct whose
 * pointers (the CA hashes and entries array, subnets and their hash, ports
 * and layers, routing tables) are its base's; its inline arrays (next
 * hops, forwarders, spaces) are copies. struct vfp_cas counts the programs
 * that point to the shared parts; the last one freed frees them. Its own:
 * the struct, its map_fp, and its changes (struct vfp_delta below), which
 * nothing of the base sees until vfp_switch_publish.
 *
 * Changes: one record per key of the three CA tables it changes, holding
 * the key's entry in the base (old, NULL if none) and in this program
 * (new, NULL once deleted); its lookups (vfp_delta_lookup) read the
 * records first, then the base's tables. The entries it adds are written
 * into free slots of the shared entries array at once (no key points to
 * them, so no worker reads them); the entries whose mappings it deletes
 * (retired) stay intact until the grace period of its publish is over.
 * Its map_fp follows: each retired entry's fingerprint is xored out of its
 * bucket, each added one's in, so that publishing re-walks the flows of the
 * buckets that changed only.
 *
 * Publish (vfp_switch.c calls the three steps): prepare makes the new
 * replication list of each VSID it changes (its old list less the retired
 * entries, a moved one replaced in place, the added ones at the end);
 * once bound, apply copies the next hops it appended into the base (a
 * worker still walking the base may meet a new entry), adds its keys (a
 * key the base has gets its data pointer replaced in one atomic store:
 * a moved CA is never missing), deletes the others (their key slots stay
 * taken) and stores the new lists; after the switch's grace period,
 * finish frees the deleted keys' slots, gives the retired entries' slots
 * to the free list (kind VFP_ENTRY_FREE) and frees the old lists.
 *
 * Room: keys deleted by a program hold their slots until its publish is
 * over, so its adds count against the tables' capacity as if none were
 * deleted, and a move needs a free entry slot: vfp_program_add_mapping
 * says -ENOSPC rather than publish fail half-way. A chain of derived
 * programs keeps the next hops of the mappings it deleted (a full compile
 * drops them); the slots of retired entries are reused.
 *
 * Staleness: a derived program remembers its base by the base's publish
 * count (seq), not by its address, which a later program may reuse.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vfp_derive.h"
#include "vfp_sw.h"

#define KEY_WORDS 3 /* the longest key, struct vfp_ip6_key, in 8-byte words */

_Static_assert(sizeof(struct vfp_ip6_key) <= KEY_WORDS * sizeof(uint64_t), "keys fit");

/* A key of a CA table that a derived program changes. */
struct vfp_delta_rec {
	uint64_t key[KEY_WORDS]; /* zero-padded; aligned for rte_hash_crc */
	struct vfp_entry *old;   /* its entry in the base's table; NULL: none */
	struct vfp_entry *new;   /* its entry in this program; NULL: deleted */
	int32_t pos;             /* deleted by the apply: its slot, freed by finish */
	uint8_t table;           /* enum vfp_ca_table */
	bool placed;             /* prepare: new has its place in a replication list */
};

/* A VSID's replication list, replaced at publish. */
struct vfp_list_swap {
	struct vfp_subnet *s;
	struct vfp_ca_list *list, *old;
};

struct vfp_delta {
	unsigned int n_rec, max_rec;
	struct vfp_delta_rec *rec;
	uint32_t mask;                 /* of index, whose size is a power of two */
	uint32_t *index;               /* open addressing: 1 + a record's number, 0: empty */
	uint32_t n_new[VFP_CA_TABLES]; /* keys the base's tables do not have */
	unsigned int n_added, max_added;
	struct vfp_entry **added; /* the entries it wrote, in the order added */
	unsigned int n_retired, max_retired;
	struct vfp_entry **retired; /* the base's entries whose mappings it deleted */
	unsigned int n_swaps;
	struct vfp_list_swap *swaps; /* made by prepare */
};

static const uint32_t key_len[VFP_CA_TABLES] = {
	sizeof(struct vfp_l2_key), sizeof(struct vfp_ip_key), sizeof(struct vfp_ip6_key)};

static struct rte_hash *
table_of(const struct vfp_program *p, unsigned int t)
{
	return t == VFP_CA_L2 ? p->l2_h : t == VFP_CA_ARP ? p->arp_h : p->nd_h;
}

bool
vfp_program_is_derived(const struct vfp_program *p)
{
	return p != NULL && p->base_seq != 0;
}

/* ---- records of changed keys ------------------------------------------ */

static void
key_load(unsigned int t, const void *key, uint64_t k[KEY_WORDS])
{
	memset(k, 0, KEY_WORDS * sizeof(uint64_t));
	memcpy(k, key, key_len[t]);
}

static uint32_t
key_hash(unsigned int t, const uint64_t k[KEY_WORDS])
{
	return rte_hash_crc(k, KEY_WORDS * sizeof(uint64_t), t);
}

static struct vfp_delta_rec *
rec_find(const struct vfp_delta *d, unsigned int t, const uint64_t k[KEY_WORDS])
{
	if (d->index == NULL)
		return NULL;
	for (uint32_t i = key_hash(t, k) & d->mask; d->index[i] != 0; i = (i + 1) & d->mask) {
		struct vfp_delta_rec *r = &d->rec[d->index[i] - 1];

		if (r->table == t && memcmp(r->key, k, sizeof(r->key)) == 0)
			return r;
	}
	return NULL;
}

static void
index_put(struct vfp_delta *d, unsigned int n)
{
	const struct vfp_delta_rec *r = &d->rec[n];
	uint32_t i = key_hash(r->table, r->key) & d->mask;

	while (d->index[i] != 0)
		i = (i + 1) & d->mask;
	d->index[i] = n + 1;
}

/* Room for @n more records (the index at most half full). */
static int
rec_reserve(struct vfp_program *p, unsigned int n)
{
	struct vfp_delta *d = p->delta;
	unsigned int need = d->n_rec + n;

	if (need > d->max_rec) {
		unsigned int max = RTE_MAX(2 * d->max_rec, RTE_MAX(need, 16u));
		struct vfp_delta_rec *r =
			rte_realloc_socket(d->rec, sizeof(*r) * max, 0, p->hp.socket_id);

		if (r == NULL)
			return -ENOMEM;
		d->rec = r;
		d->max_rec = max;
	}
	if (d->index == NULL || 2 * need > d->mask + 1) {
		uint32_t size = rte_align32pow2(4 * need);
		uint32_t *index = rte_zmalloc_socket(
			"vfp_delta_index", sizeof(*index) * size, 0, p->hp.socket_id);

		if (index == NULL)
			return -ENOMEM;
		rte_free(d->index);
		d->index = index;
		d->mask = size - 1;
		for (unsigned int i = 0; i < d->n_rec; i++)
			index_put(d, i);
	}
	return 0;
}

/* Key @key of table @t is @e in @p now (NULL: deleted); room reserved. */
static void
rec_put(struct vfp_program *p, unsigned int t, const void *key, struct vfp_entry *e)
{
	struct vfp_delta *d = p->delta;
	struct vfp_delta_rec *r;
	uint64_t k[KEY_WORDS];
	void *data;

	key_load(t, key, k);
	r = rec_find(d, t, k);
	if (r == NULL) {
		r = &d->rec[d->n_rec];
		memset(r, 0, sizeof(*r));
		memcpy(r->key, k, sizeof(r->key));
		r->table = (uint8_t)t;
		r->pos = -1;
		r->old = rte_hash_lookup_data(table_of(p, t), k, &data) >= 0 ? data : NULL;
		r->new = r->old;
		index_put(d, d->n_rec++);
	}
	if (r->old == NULL && r->new != NULL)
		d->n_new[t]--;
	r->new = e;
	if (r->old == NULL && r->new != NULL)
		d->n_new[t]++;
}

/* The entry @p gave key @key of table @t, or NULL (unchanged or deleted). */
static struct vfp_entry *
rec_new(const struct vfp_program *p, unsigned int t, const void *key)
{
	const struct vfp_delta_rec *r;
	uint64_t k[KEY_WORDS];

	key_load(t, key, k);
	r = rec_find(p->delta, t, k);
	return r != NULL ? r->new : NULL;
}

struct vfp_entry *
vfp_delta_lookup(const struct vfp_program *p, enum vfp_ca_table t, const void *key, bool *own)
{
	const struct vfp_delta_rec *r;
	uint64_t k[KEY_WORDS];
	void *data;

	key_load(t, key, k);
	r = rec_find(p->delta, t, k);
	/* A record's new entry is always one the program wrote. */
	*own = r != NULL && r->new != NULL;
	if (r != NULL)
		return r->new;
	return rte_hash_lookup_data(table_of(p, t), k, &data) >= 0 ? data : NULL;
}

/* Room for @need entry pointers in *@a. */
static int
ptrs_room(struct vfp_entry ***a, unsigned int *max, unsigned int need, int socket)
{
	struct vfp_entry **n;
	unsigned int m;

	if (need <= *max)
		return 0;
	m = RTE_MAX(2 * *max, RTE_MAX(need, 16u));
	n = rte_realloc_socket(*a, sizeof(*n) * m, 0, socket);
	if (n == NULL)
		return -ENOMEM;
	*a = n;
	*max = m;
	return 0;
}

/* ---- slots of the shared entries array -------------------------------- */

static bool
slot_free(const struct vfp_cas *c)
{
	return c->n_free > 0 || c->n_entries < c->max_entries;
}

/* Promise that one more slot may come back: the free list gets room for it,
 * so that giving it back (slot_give) cannot fail. */
static int
slot_owe(struct vfp_cas *c, int socket)
{
	unsigned int need = c->n_free + c->n_owed + 1;

	if (need > c->max_free) {
		unsigned int max = RTE_MAX(2 * c->max_free, RTE_MAX(need, 64u));
		uint32_t *f = rte_realloc_socket(c->free, sizeof(*f) * max, 0, socket);

		if (f == NULL)
			return -ENOMEM;
		c->free = f;
		c->max_free = max;
	}
	c->n_owed++;
	return 0;
}

/* A free slot (slot_free said there is one). */
static struct vfp_entry *
slot_take(struct vfp_cas *c)
{
	if (c->n_free > 0)
		return &c->entries[c->free[--c->n_free]];
	return &c->entries[c->n_entries++];
}

/* Give back slot @e as promised: no key points to it and no worker can
 * hold it. The last slot written lowers the high-water mark instead, so
 * that a refused program leaves the array as it found it. */
static void
slot_give(struct vfp_cas *c, struct vfp_entry *e)
{
	uint32_t i = (uint32_t)(e - c->entries);

	memset(e, 0, sizeof(*e)); /* VFP_ENTRY_FREE */
	c->n_owed--;
	if (i + 1 == c->n_entries)
		c->n_entries--;
	else
		c->free[c->n_free++] = i;
}

/* ---- building ----------------------------------------------------------- */

struct vfp_program *
vfp_program_derive(const struct vfp_program *base)
{
	struct vfp_program *d;
	struct vfp_delta *delta;
	uint64_t *map_fp;
	int socket;

	if (base == NULL || !base->bound || base->sw->prog != base) {
		rte_errno = EINVAL;
		return NULL;
	}
	socket = base->hp.socket_id;
	d = rte_malloc_socket("vfp_program", sizeof(*d), RTE_CACHE_LINE_SIZE, socket);
	map_fp = rte_malloc_socket(
		"vfp_map_fp", sizeof(*map_fp) * VFP_MAP_BUCKETS, RTE_CACHE_LINE_SIZE, socket);
	delta = rte_zmalloc_socket("vfp_delta", sizeof(*delta), 0, socket);
	if (d == NULL || map_fp == NULL || delta == NULL) {
		rte_free(d);
		rte_free(map_fp);
		rte_free(delta);
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Shallow: the pointers are the base's, the inline arrays copies. */
	memcpy(d, base, sizeof(*d));
	memcpy(map_fp, base->map_fp, sizeof(*map_fp) * VFP_MAP_BUCKETS);
	d->bound = false;
	d->seq = 0;
	d->base_seq = base->seq;
	d->delta = delta;
	d->map_fp = map_fp;
	d->cas->refs++;
	return d;
}

/* Is key @key of table @t new to the base's table (so that it needs a
 * slot), rather than one the base has, whose data an add replaces? */
static bool
key_needs_room(const struct vfp_program *p, unsigned int t, const void *key)
{
	const struct vfp_delta_rec *r;
	uint64_t k[KEY_WORDS];

	key_load(t, key, k);
	r = rec_find(p->delta, t, k);
	return r == NULL || r->old == NULL;
}

/* Would one more new key overflow table @t? The keys this program deletes
 * keep their slots until the grace period of its publish is over: they
 * count. */
static bool
table_full(const struct vfp_program *p, unsigned int t)
{
	int32_t n = rte_hash_count(table_of(p, t));

	return (uint64_t)RTE_MAX(n, 0) + p->delta->n_new[t] >= p->cas->cap[t];
}

int
vfp_delta_room(
	const struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct vfp_l2_key lk = {.vsid = vsid, .mac = *mac, .pad = 0};
	struct vfp_ip_key ik = {.vsid = vsid, .ip = ip};

	if (!slot_free(p->cas))
		return -ENOSPC;
	if (key_needs_room(p, VFP_CA_L2, &lk) && table_full(p, VFP_CA_L2))
		return -ENOSPC;
	if (key_needs_room(p, VFP_CA_ARP, &ik) && table_full(p, VFP_CA_ARP))
		return -ENOSPC;
	return 0;
}

int
vfp_delta_add_entry(struct vfp_program *p, const struct vfp_subnet *s,
	const struct rte_ether_addr *mac, rte_be32_t ip, struct vfp_entry **out)
{
	struct vfp_l2_key lk = {.vsid = s->vsid, .mac = *mac, .pad = 0};
	struct vfp_ip_key ik = {.vsid = s->vsid, .ip = ip};
	struct vfp_delta *d = p->delta;
	struct vfp_entry *e;
	int rc;

	rc = rec_reserve(p, 2);
	if (rc == 0)
		rc = ptrs_room(&d->added, &d->max_added, d->n_added + 1, p->hp.socket_id);
	if (rc == 0 && !slot_free(p->cas))
		rc = -ENOSPC;
	if (rc == 0)
		rc = slot_owe(p->cas, p->hp.socket_id);
	if (rc < 0)
		return rc;
	e = slot_take(p->cas);
	vfp_entry_init(e, s, mac, ip);
	rec_put(p, VFP_CA_L2, &lk, e);
	rec_put(p, VFP_CA_ARP, &ik, e);
	d->added[d->n_added++] = e;
	*out = e;
	return 0;
}

int
vfp_delta_set_nd(struct vfp_program *p, const struct vfp_ip6_key *k, struct vfp_entry *e)
{
	int rc;

	if (key_needs_room(p, VFP_CA_ND, k) && table_full(p, VFP_CA_ND))
		return -ENOSPC;
	rc = rec_reserve(p, 1);
	if (rc < 0)
		return rc;
	rec_put(p, VFP_CA_ND, k, e);
	return 0;
}

int
vfp_program_del_mapping(struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac)
{
	struct vfp_l2_key lk = {.vsid = vsid, .pad = 0};
	struct vfp_ip6_key nk = {.vsid = vsid};
	struct vfp_ip_key ik = {.vsid = vsid};
	struct vfp_delta *d;
	struct vfp_entry *e;
	bool own;
	int rc;

	if (p == NULL || p->delta == NULL || mac == NULL)
		return -EINVAL; /* not derived, or published */
	d = p->delta;
	lk.mac = *mac;
	e = vfp_delta_lookup(p, VFP_CA_L2, &lk, &own);
	if (e == NULL || e->kind != VFP_ENTRY_REMOTE)
		return -ENOENT;
	if (e->pinned)
		return -EBUSY; /* a route or a forwarder points to it */
	rc = rec_reserve(p, 3);
	if (rc == 0 && !own)
		rc = ptrs_room(&d->retired, &d->max_retired, d->n_retired + 1, p->hp.socket_id);
	if (rc == 0 && !own)
		rc = slot_owe(p->cas, p->hp.socket_id);
	if (rc < 0)
		return rc;
	ik.ip = e->ip;
	rec_put(p, VFP_CA_L2, &lk, NULL);
	rec_put(p, VFP_CA_ARP, &ik, NULL);
	if (e->has_ip6) {
		memcpy(nk.ip6, e->ip6, sizeof(nk.ip6));
		rec_put(p, VFP_CA_ND, &nk, NULL);
	}
	p->map_fp[e->bucket] ^= vfp_entry_fingerprint(e);
	if (!own) {
		d->retired[d->n_retired++] = e;
		return 0;
	}
	/* One of its own, never seen by a worker: its slot goes back now. */
	for (unsigned int i = d->n_added; i-- > 0;) {
		if (d->added[i] == e) {
			memmove(&d->added[i], &d->added[i + 1], sizeof(e) * (d->n_added - i - 1));
			d->n_added--;
			break;
		}
	}
	slot_give(p->cas, e);
	return 0;
}

/* ---- freeing ------------------------------------------------------------ */

static void
lists_drop(struct vfp_delta *d)
{
	for (unsigned int i = 0; i < d->n_swaps; i++)
		rte_free(d->swaps[i].list);
	rte_free(d->swaps);
	d->swaps = NULL;
	d->n_swaps = 0;
}

static void
delta_release(struct vfp_program *p)
{
	struct vfp_delta *d = p->delta;

	rte_free(d->rec);
	rte_free(d->index);
	rte_free(d->added);
	rte_free(d->retired);
	rte_free(d->swaps);
	rte_free(d);
	p->delta = NULL;
}

void
vfp_delta_free(struct vfp_program *p)
{
	struct vfp_delta *d = p->delta;

	if (d == NULL)
		return;
	/* Last written first: the free list and the high-water mark become
	 * what they were (unless another program took slots meanwhile). */
	for (unsigned int i = d->n_added; i-- > 0;)
		slot_give(p->cas, d->added[i]);
	p->cas->n_owed -= d->n_retired; /* they stay the base's */
	lists_drop(d);
	delta_release(p);
}

/* ---- publish -------------------------------------------------------- */

/* An entry of the changes, sorted by subnet. */
struct ent_ref {
	uint32_t sn;  /* its subnet's index */
	uint32_t seq; /* its order in the changes */
	const struct vfp_entry *e;
};

static int
by_subnet_then_order(const void *a, const void *b)
{
	const struct ent_ref *x = a, *y = b;

	if (x->sn != y->sn)
		return x->sn < y->sn ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
by_subnet_then_address(const void *a, const void *b)
{
	const struct ent_ref *x = a, *y = b;

	if (x->sn != y->sn)
		return x->sn < y->sn ? -1 : 1;
	return (uintptr_t)x->e < (uintptr_t)y->e ? -1 : (uintptr_t)x->e > (uintptr_t)y->e;
}

/* Is @e among the @n entries of @r, sorted by address? */
static bool
among(const struct ent_ref *r, unsigned int n, const struct vfp_entry *e)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r[mid].e == e)
			return true;
		if ((uintptr_t)r[mid].e < (uintptr_t)e)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Claim a place in a replication list for @e, an entry @p added: false if
 * it has one. */
static bool
place(struct vfp_program *p, const struct vfp_entry *e)
{
	struct vfp_l2_key lk = {.vsid = e->vsid, .mac = e->mac, .pad = 0};
	struct vfp_delta_rec *r;
	uint64_t k[KEY_WORDS];

	key_load(VFP_CA_L2, &lk, k);
	r = rec_find(p->delta, VFP_CA_L2, k);
	if (r == NULL || r->placed)
		return false;
	r->placed = true;
	return true;
}

/* The entry that takes retired @x's place: the one @p gave its MAC, else
 * its CA (a move); NULL if none or it has a place already. */
static const struct vfp_entry *
replacement(struct vfp_program *p, const struct vfp_entry *x)
{
	struct vfp_l2_key lk = {.vsid = x->vsid, .mac = x->mac, .pad = 0};
	struct vfp_ip_key ik = {.vsid = x->vsid, .ip = x->ip};
	const struct vfp_entry *y = rec_new(p, VFP_CA_L2, &lk);

	if (y != NULL && place(p, y))
		return y;
	y = rec_new(p, VFP_CA_ARP, &ik);
	return y != NULL && place(p, y) ? y : NULL;
}

/* The new replication list of @s: its list less the @nr retired entries of
 * @ret (sorted by address), each replaced in place by its replacement,
 * then the @na added entries of @add without a place yet, in order. */
static int
list_make(struct vfp_program *p, struct vfp_subnet *s, const struct ent_ref *ret, unsigned int nr,
	const struct ent_ref *add, unsigned int na)
{
	struct vfp_delta *d = p->delta;
	struct vfp_ca_list *old = s->remote, *l = NULL;
	uint32_t n0 = old != NULL ? old->n : 0;
	uint32_t max = n0 - RTE_MIN(n0, nr) + na; /* each retired one is in the list */

	if (max > 0) {
		l = rte_malloc_socket("vfp_ca_list", sizeof(*l) + sizeof(l->e[0]) * max,
			RTE_CACHE_LINE_SIZE, p->hp.socket_id);
		if (l == NULL)
			return -ENOMEM;
		l->max = max;
		l->n = 0;
		for (uint32_t i = 0; i < n0; i++) {
			const struct vfp_entry *x = old->e[i];

			if (nr > 0 && among(ret, nr, x))
				x = replacement(p, x);
			if (x != NULL && l->n < max)
				l->e[l->n++] = x;
		}
		for (unsigned int i = 0; i < na; i++)
			if (place(p, add[i].e) && l->n < max)
				l->e[l->n++] = add[i].e;
	}
	d->swaps[d->n_swaps].s = s;
	d->swaps[d->n_swaps].list = l;
	d->swaps[d->n_swaps].old = old;
	d->n_swaps++;
	return 0;
}

int
vfp_derive_prepare(struct vfp_program *p)
{
	struct vfp_delta *d = p->delta;
	unsigned int nr = d->n_retired, na = d->n_added, i = 0, j = 0;
	struct ent_ref *ret, *add;
	int rc = 0;

	/* Again after a publish that failed: from the start. */
	lists_drop(d);
	for (unsigned int k = 0; k < d->n_rec; k++)
		d->rec[k].placed = false;
	if (nr + na == 0)
		return 0;
	ret = rte_malloc_socket("vfp_refs", sizeof(*ret) * (nr + na), 0, p->hp.socket_id);
	d->swaps =
		rte_zmalloc_socket("vfp_swaps", sizeof(*d->swaps) * (nr + na), 0, p->hp.socket_id);
	if (ret == NULL || d->swaps == NULL) {
		rte_free(ret);
		lists_drop(d);
		return -ENOMEM;
	}
	add = ret + nr;
	for (unsigned int k = 0; k < nr; k++)
		ret[k] = (struct ent_ref){
			(uint32_t)(d->retired[k]->subnet - p->subnets), k, d->retired[k]};
	for (unsigned int k = 0; k < na; k++)
		add[k] = (struct ent_ref){
			(uint32_t)(d->added[k]->subnet - p->subnets), k, d->added[k]};
	qsort(ret, nr, sizeof(*ret), by_subnet_then_address);
	qsort(add, na, sizeof(*add), by_subnet_then_order);
	/* Subnet by subnet, in both arrays at once. */
	while (rc == 0 && (i < nr || j < na)) {
		uint32_t sn = j == na || (i < nr && ret[i].sn <= add[j].sn) ? ret[i].sn : add[j].sn;
		unsigned int i2 = i, j2 = j;

		while (i2 < nr && ret[i2].sn == sn)
			i2++;
		while (j2 < na && add[j2].sn == sn)
			j2++;
		rc = list_make(p, &p->subnets[sn], ret + i, i2 - i, add + j, j2 - j);
		i = i2;
		j = j2;
	}
	rte_free(ret);
	if (rc < 0)
		lists_drop(d);
	return rc;
}

void
vfp_derive_apply(struct vfp_program *base, struct vfp_program *p)
{
	struct vfp_delta *d = p->delta;
	unsigned int i;
	int rc;

	/* A worker still walking the base may find a new entry: its next hop
	 * must be there, bound. The base's n_nh stays, and with it the
	 * references it drops when freed. */
	for (i = base->n_nh; i < p->n_nh; i++)
		base->nh[i] = p->nh[i];
	/* Adds first, while the deleted keys still hold their buckets: the
	 * room vfp_delta_room counted is then the room there is, and no add
	 * can fail. A key the base has (a move) gets its data replaced in one
	 * atomic store: a worker finds the old entry or the new one. */
	for (i = 0; i < d->n_rec; i++) {
		const struct vfp_delta_rec *r = &d->rec[i];

		if (r->new == NULL)
			continue;
		rc = rte_hash_add_key_data(table_of(p, r->table), r->key, r->new);
		RTE_VERIFY(rc == 0);
	}
	for (i = 0; i < d->n_rec; i++) {
		struct vfp_delta_rec *r = &d->rec[i];

		if (r->new != NULL || r->old == NULL)
			continue;
		/* Lock-free: the slot stays taken until finish frees it. */
		r->pos = rte_hash_del_key(table_of(p, r->table), r->key);
		RTE_VERIFY(r->pos >= 0);
	}
	for (i = 0; i < d->n_swaps; i++)
		__atomic_store_n(&d->swaps[i].s->remote, d->swaps[i].list, __ATOMIC_RELEASE);
}

void
vfp_derive_finish(struct vfp_program *p)
{
	struct vfp_delta *d = p->delta;
	unsigned int i;

	for (i = 0; i < d->n_rec; i++)
		if (d->rec[i].pos >= 0)
			rte_hash_free_key_with_position(
				table_of(p, d->rec[i].table), d->rec[i].pos);
	for (i = 0; i < d->n_retired; i++)
		slot_give(p->cas, d->retired[i]);
	/* The entries it added are in force: a later program retires them. */
	p->cas->n_owed -= d->n_added;
	for (i = 0; i < d->n_swaps; i++)
		rte_free(d->swaps[i].old);
	delta_release(p);
}
