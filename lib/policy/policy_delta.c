/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_delta.c: a reload that reads and compiles only the
 * mappings that changed (policy_delta.h).
 *
 * Owns: the base the loader keeps, the diff of a new text against it, the
 * derived program, and bringing the base up to date once that program is
 * in force. A host agent changes a large policy a few mappings at a time
 * (a VM starts, stops or moves elsewhere: R23), and rewrites the file
 * with the rest byte for byte as it was; so the two texts share a prefix
 * and a suffix, and what lies between, widened to whole elements of the
 * mappings array, is all that is read again. Reading costs the bytes'
 * comparison and the changed elements; the program is the running one
 * with those mappings removed and added (vfp_program_derive), whose
 * flows other than the changed mappings' keep their entries.
 *
 * Whatever this does not handle is left to a whole load, which also
 * gives every message: a change outside the mappings array, text the
 * scanner does not follow, a new mapping with a problem, a mapping with
 * ip_forwarding, a route's next hop that goes, tables that would be full,
 * or a change of half the mappings or more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "policy_delta.h"

#define CMP_BLOCK 4096

int
policy_base_init(struct policy_base *b, struct hnv_policy *pol, char *text, size_t len,
	struct policy_span *spans, size_t arr_open, size_t arr_close)
{
	uint32_t n = pol->n_mappings;

	memset(b, 0, sizeof(*b));
	b->pol = pol;
	b->text = text;
	b->len = len;
	b->span = spans;
	b->arr_open = arr_open;
	b->arr_close = arr_close;
	b->n = n;
	b->n_ids = n;
	b->ids_cap = n;
	b->pos_cap = n;
	/* Ids are positions to begin with: the load's "where" values. */
	b->order = malloc(sizeof(*b->order) * RTE_MAX(n, 1u));
	if (b->order == NULL) {
		policy_base_clear(b);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		b->order[i] = i;
	return 0;
}

void
policy_base_clear(struct policy_base *b)
{
	hnv_policy_free(b->pol);
	free(b->text);
	free(b->order);
	free(b->span);
	free(b->free_ids);
	memset(b, 0, sizeof(*b));
}

void
policy_delta_free(struct policy_delta *d)
{
	free(d->text);
	free(d->hunks);
	free(d->add);
	free(d->add_span);
	free(d->del);
	free(d->put);
	memset(d, 0, sizeof(*d));
}

static size_t
common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;

	while (i + CMP_BLOCK <= n && memcmp(a + i, b + i, CMP_BLOCK) == 0)
		i += CMP_BLOCK;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* The common suffix of @a (@la bytes) and @b (@lb), at most @n bytes. */
static size_t
common_suffix(const char *a, size_t la, const char *b, size_t lb, size_t n)
{
	size_t i = 0;

	while (i + CMP_BLOCK <= n &&
		memcmp(a + la - i - CMP_BLOCK, b + lb - i - CMP_BLOCK, CMP_BLOCK) == 0)
		i += CMP_BLOCK;
	while (i < n && a[la - 1 - i] == b[lb - 1 - i])
		i++;
	return i;
}

static uint64_t
span_end(const struct policy_span *s)
{
	return s->start + s->len;
}

/* The last position whose element starts at or before @off, or 0. */
static uint32_t
position_at(const struct policy_base *b, size_t off)
{
	uint32_t lo = 0, hi = b->n; /* the answer is below hi */

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->span[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The base positions the hunks of @d replace, in order (their count is
 * the return value, @out may be NULL to count them only). */
static size_t
replaced(const struct policy_base *b, const struct policy_delta *d, uint32_t *out)
{
	size_t n = 0;

	for (size_t h = 0; h < d->n_hunks; h++)
		for (uint32_t k = d->hunks[h].a; k < d->hunks[h].b; k++, n++)
			if (out != NULL)
				out[n] = b->order[k];
	return n;
}

/* Split the replaced and the new mappings into those that are the same
 * on both sides (an element read again because it neighbours a change)
 * and the rest, which the program must change: d->del and d->put. */
static int
changed_only(const struct policy_base *b, struct policy_delta *d)
{
	size_t n_old = replaced(b, d, NULL);
	struct pidx same;
	uint32_t *old = malloc(sizeof(*old) * RTE_MAX(n_old, (size_t)1));
	bool *kept = calloc(RTE_MAX(n_old, (size_t)1), sizeof(*kept));
	int rc = kept != NULL && old != NULL
			 ? pidx_init(&same, sizeof(struct hnv_mapping_cfg), n_old)
			 : -ENOMEM;

	d->del = malloc(sizeof(*d->del) * RTE_MAX(n_old, (size_t)1));
	d->put = malloc(sizeof(*d->put) * RTE_MAX(d->n_add, (size_t)1));
	if (rc != 0 || d->del == NULL || d->put == NULL) {
		if (rc == 0)
			pidx_free(&same);
		free(kept);
		free(old);
		return -ENOMEM;
	}
	replaced(b, d, old);
	/* The model's structs are zeroed before they are filled, padding
	 * included, so equal mappings are equal bytes. */
	for (size_t k = 0; k < n_old; k++)
		if (pidx_put(&same, &b->pol->mappings[old[k]], (uint32_t)k) < -1)
			rc = -ENOMEM;
	for (size_t j = 0; rc == 0 && j < d->n_add; j++) {
		int64_t k = pidx_get(&same, &d->add[j]);

		if (k >= 0 && !kept[k])
			kept[k] = true;
		else
			d->put[d->n_put++] = (uint32_t)j;
	}
	for (size_t k = 0; rc == 0 && k < n_old; k++)
		if (!kept[k])
			d->del[d->n_del++] = old[k];
	pidx_free(&same);
	free(kept);
	free(old);
	/* A mapping removed and added with the same key is one that changed
	 * (moved, most likely). */
	d->n_changed = d->n_del + d->n_put;
	if (rc == 0 && d->n_del > 0 && d->n_put > 0 &&
		(rc = pidx_init(&same, sizeof(struct pidx_mac_key), d->n_del)) == 0) {
		for (size_t k = 0; k < d->n_del; k++) {
			const struct hnv_mapping_cfg *m = &b->pol->mappings[d->del[k]];
			struct pidx_mac_key mk = {.vsid = m->vsid};

			memcpy(mk.mac, m->mac.addr_bytes, sizeof(mk.mac));
			if (pidx_put(&same, &mk, 0) < -1)
				rc = -ENOMEM;
		}
		for (size_t j = 0; j < d->n_put; j++) {
			const struct hnv_mapping_cfg *m = &d->add[d->put[j]];
			struct pidx_mac_key mk = {.vsid = m->vsid};

			memcpy(mk.mac, m->mac.addr_bytes, sizeof(mk.mac));
			d->n_changed -= pidx_get(&same, &mk) >= 0;
		}
		pidx_free(&same);
	}
	return rc;
}

/* Can the running program take @d in place? Not a mapping with
 * ip_forwarding (the router's forwarders), not a route's next hop that
 * goes or moves. */
static bool
program_can_take(const struct policy_base *b, const struct policy_delta *d)
{
	const struct hnv_policy *p = b->pol;

	for (size_t i = 0; i < d->n_put; i++)
		if (d->add[d->put[i]].ip_forwarding)
			return false;
	for (size_t i = 0; i < d->n_del; i++) {
		const struct hnv_mapping_cfg *m = &p->mappings[d->del[i]];

		if (m->ip_forwarding)
			return false;
		for (unsigned int r = 0; r < p->n_routes; r++)
			if (!p->routes[r].drop && p->routes[r].nh_vsid == m->vsid &&
				p->routes[r].next_hop == m->ca)
				return false;
	}
	return true;
}

/* The walk of policy_delta_read over the elements the change may touch. */
struct walk {
	const struct policy_base *b;
	const char *text; /* the new text */
	uint32_t i1;      /* the base positions [.., i1) of the region */
	size_t nend;      /* its end in the new text */
	struct policy_hunk *hunks;
	size_t n_hunks, cap;
	struct policy_range *ranges; /* of each hunk, in the new text */
	size_t must_read;            /* a hunk that must hold an element (SIZE_MAX: none) */
	size_t open_end;             /* the hunk that runs to the end (SIZE_MAX: none) */
};

#define RESYNC_CANDIDATES 8  /* base elements tried at each new element */
#define RESYNC_ELEMENTS 4096 /* new elements scanned before a hunk runs to the end */
#define NOT_HERE SIZE_MAX

static size_t
skip_blanks(const struct walk *w, size_t q)
{
	while (q < w->nend && (w->text[q] == ' ' || w->text[q] == '\t' || w->text[q] == '\n' ||
				      w->text[q] == '\r'))
		q++;
	return q;
}

/* If base element @j is at @q in the new text byte for byte, with what
 * follows it up to the next base element, where the new text goes on
 * (the region's last element: itself, then the region's end or a comma,
 * where it goes on); else NOT_HERE. */
static size_t
old_at(const struct walk *w, uint32_t j, size_t q)
{
	const struct policy_base *b = w->b;
	size_t s = b->span[j].start, l;

	if (j + 1 < w->i1) {
		l = b->span[j + 1].start - s;
		return q + l <= w->nend && memcmp(b->text + s, w->text + q, l) == 0 ? q + l
										    : NOT_HERE;
	}
	l = b->span[j].len;
	if (q + l > w->nend || memcmp(b->text + s, w->text + q, l) != 0)
		return NOT_HERE;
	q = skip_blanks(w, q + l);
	return q == w->nend || w->text[q] == ',' ? q : NOT_HERE;
}

/* Base positions [a, b) replaced by the new text [from, to); base
 * elements after it are @shift bytes further in the new text. */
static int
hunk_add(struct walk *w, uint32_t a, uint32_t b, size_t from, size_t to, int64_t shift)
{
	if (w->n_hunks == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct policy_hunk *h = realloc(w->hunks, cap * sizeof(*h));
		struct policy_range *r = h != NULL ? realloc(w->ranges, cap * sizeof(*r)) : NULL;

		if (h != NULL)
			w->hunks = h;
		if (r == NULL)
			return -ENOMEM;
		w->ranges = r;
		w->cap = cap;
	}
	w->hunks[w->n_hunks] = (struct policy_hunk){.a = a, .b = b, .shift = shift};
	w->ranges[w->n_hunks] = (struct policy_range){.from = from, .to = to};
	w->n_hunks++;
	return 0;
}

/* Walk base positions [k, i1) against the new text from @pos: a base
 * element found byte for byte where it would be (blanks before it aside)
 * is unchanged; at one that is not, the new elements are scanned until
 * one of the next few base elements is found again, and what lies
 * between is a hunk, read again. Any split is right (the hunks are read,
 * the rest is the base's own bytes), a poor one only reads more.
 * @return 0, 1 (text the scanner cannot follow), -ENOMEM */
static int
walk(struct walk *w, uint32_t k, size_t pos, int64_t shift)
{
	const struct policy_base *b = w->b;
	int64_t moved = 0; /* of the base elements after the last hunk */

	w->must_read = w->open_end = NOT_HERE;
	while (k < w->i1) {
		size_t q = skip_blanks(w, pos), last = pos, np = old_at(w, k, q);
		uint32_t j = k;
		bool found = false;

		if (np != NOT_HERE) {
			/* Unchanged; if blanks before it changed, it and those
			 * after it moved by another amount. */
			if ((int64_t)q - (int64_t)b->span[k].start != moved) {
				moved = (int64_t)q - (int64_t)b->span[k].start;
				if (hunk_add(w, k, k, q, q, moved) != 0)
					return -ENOMEM;
			}
			pos = np;
			k++;
			continue;
		}
		for (unsigned int m = 0; !found && m <= RESYNC_ELEMENTS; m++) {
			for (j = k; j < RTE_MIN(k + RESYNC_CANDIDATES, w->i1); j++)
				if ((m > 0 || j > k) && (np = old_at(w, j, q)) != NOT_HERE) {
					found = true;
					break;
				}
			if (!found) {
				const char *next, *e;

				if (q >= w->nend)
					break;
				e = policy_element_end(w->text + q, w->text + w->nend, &next);
				if (e == NULL)
					return 1;
				last = (size_t)(e - w->text);
				q = (size_t)(next - w->text);
			}
		}
		if (!found) { /* to the end of the region */
			w->open_end = w->n_hunks;
			return hunk_add(w, k, w->i1, pos, w->nend, shift);
		}
		moved = (int64_t)q - (int64_t)b->span[j].start;
		if (hunk_add(w, k, j, pos, last, moved) != 0)
			return -ENOMEM;
		pos = np;
		k = j + 1;
	}
	/* All of the region's base elements found: new ones after the last? */
	pos = skip_blanks(w, pos);
	if (pos < w->nend) {
		if (w->text[pos] != ',')
			return 1;
		w->must_read = w->n_hunks;
		return hunk_add(w, w->i1, w->i1, pos + 1, w->nend, shift);
	}
	return moved != shift ? hunk_add(w, w->i1, w->i1, w->nend, w->nend, shift) : 0;
}

int
policy_delta_read(const struct policy_base *b, char *text, size_t len, const atomic_bool *cancel,
	struct policy_delta *d)
{
	size_t pre, suf, old_end, r0, r1, n_old = 0, n_new = 0;
	int64_t shift = (int64_t)len - (int64_t)b->len;
	char err[HNV_POLICY_ERR_MAX];
	struct walk w = {.b = b, .text = text};
	struct pidx removed;
	uint32_t i0;
	int rc;

	memset(d, 0, sizeof(*d));
	if (b->pol == NULL || b->span == NULL || b->n == 0)
		return 1;
	pre = common_prefix(b->text, text, RTE_MIN(b->len, len));
	suf = common_suffix(b->text, b->len, text, len, RTE_MIN(b->len, len) - pre);
	old_end = b->len - suf;
	/* The change [pre, old_end) of the old text, strictly inside the
	 * array's brackets (an unchanged text is an empty change there too). */
	if (pre == b->len && len == b->len)
		pre = old_end = b->arr_close;
	if (pre <= b->arr_open || old_end > b->arr_close)
		return 1;
	/* Widen it to the elements it touches, at least one: from the start
	 * of the last element that starts at or before it, to the end of
	 * the first that ends at or after its end. */
	i0 = position_at(b, pre);
	w.i1 = i0 + 1;
	while (w.i1 < b->n && span_end(&b->span[w.i1 - 1]) < old_end)
		w.i1++;
	r0 = RTE_MIN((size_t)b->span[i0].start, pre);
	r1 = RTE_MAX((size_t)span_end(&b->span[w.i1 - 1]), old_end);
	w.nend = (size_t)((int64_t)r1 + shift);
	rc = walk(&w, i0, r0, shift);
	d->hunks = w.hunks;
	d->n_hunks = w.n_hunks;
	for (size_t h = 0; rc == 0 && h < w.n_hunks; h++) {
		n_old += w.hunks[h].b - w.hunks[h].a;
		n_new += w.ranges[h].to - w.ranges[h].from;
	}
	/* As much work as a whole load, or more: read it whole. */
	if (rc == 0 && (n_old > b->n / 2 + 1024 || n_new > b->len / 2 + 65536))
		rc = 1;
	if (rc == 0)
		rc = pidx_init(&removed, sizeof(uint32_t), n_old);
	if (rc == 0) {
		for (size_t h = 0; h < w.n_hunks; h++)
			for (uint32_t k = w.hunks[h].a; k < w.hunks[h].b; k++)
				if (pidx_put(&removed, &(uint32_t){PIDX_MAPPING | b->order[k]}, 0) <
					-1)
					rc = -ENOMEM;
		if (rc == 0)
			rc = policy_read_ranges(b->pol, text, w.ranges, w.n_hunks, &removed, cancel,
				&d->add, &d->add_span, &d->n_add, err, sizeof(err));
		pidx_free(&removed);
		if (rc > 0 || (rc < 0 && rc != -ENOMEM && rc != -ECANCELED))
			rc = 1; /* a problem: the whole load's message says which */
	}
	for (size_t h = 0, first = 0; rc == 0 && h < w.n_hunks; h++) {
		d->hunks[h].first = first;
		d->hunks[h].n = w.ranges[h].n;
		first += w.ranges[h].n;
		/* No element between a comma and a bracket, or two commas: a
		 * syntax error, the whole load's to report. Only a hunk at the
		 * region's end can be so: one before a base element ends where
		 * that element's comma is the base's. */
		if (w.ranges[h].n == 0 &&
			(h == w.must_read ||
				(h == w.open_end && !(w.hunks[h].a == 0 && w.i1 == b->n))))
			rc = 1;
	}
	free(w.ranges);
	if (rc == 0) {
		d->n_mappings = b->n - (unsigned int)n_old + (unsigned int)d->n_add;
		rc = changed_only(b, d);
	}
	if (rc == 0 && !program_can_take(b, d))
		rc = 1;
	if (rc != 0) {
		policy_delta_free(d);
		return rc;
	}
	d->text = text;
	d->len = len;
	return 0;
}

int
policy_delta_compile(const struct policy_base *b, const struct policy_delta *d,
	const struct vfp_program *running, struct vfp_program **out)
{
	struct vfp_program *p = vfp_program_derive(running);
	int rc = p != NULL ? 0 : 1;

	for (size_t i = 0; rc == 0 && i < d->n_del; i++) {
		const struct hnv_mapping_cfg *m = &b->pol->mappings[d->del[i]];

		rc = vfp_program_del_mapping(p, m->vsid, &m->mac);
	}
	for (size_t i = 0; rc == 0 && i < d->n_put; i++) {
		const struct hnv_mapping_cfg *m = &d->add[d->put[i]];

		rc = vfp_program_add_mapping(p, m->vsid, m->ca, &m->mac, m->pa);
		if (rc == 0 && m->has_ipv6)
			rc = vfp_program_set_ipv6(p, m->vsid, m->ca, m->ipv6);
	}
	if (rc != 0) {
		vfp_program_free(p);
		return 1; /* the whole compile says why, or sizes the tables anew */
	}
	*out = p;
	return 0;
}

/* The index keys of mapping @m, where value @where. */
static int
index_mapping(
	struct hnv_policy_index *ix, const struct hnv_mapping_cfg *m, uint32_t where, bool add)
{
	struct pidx_mac_key mk = {.vsid = m->vsid};
	struct pidx_ca_key ck = {.vsid = m->vsid, .ip = m->ca};
	struct pidx_ca6_key k6 = {.vsid = m->vsid};

	memcpy(mk.mac, m->mac.addr_bytes, sizeof(mk.mac));
	memcpy(k6.ip6, m->ipv6, sizeof(k6.ip6));
	if (!add) {
		pidx_del(&ix->mac, &mk);
		pidx_del(&ix->ca, &ck);
		if (m->has_ipv6)
			pidx_del(&ix->ca6, &k6);
		return 0;
	}
	/* Validated against these indexes: a key already there is a bug. */
	if (pidx_put(&ix->mac, &mk, where) != -1 || pidx_put(&ix->ca, &ck, where) != -1 ||
		(m->has_ipv6 && pidx_put(&ix->ca6, &k6, where) != -1))
		return -ENOMEM;
	return 0;
}

/* Room for @n more ids of mappings in @b. */
static int
ids_room(struct policy_base *b, size_t n)
{
	struct hnv_mapping_cfg *m;
	size_t cap;

	if (b->n_free + (b->ids_cap - b->n_ids) >= n)
		return 0;
	cap = RTE_MAX(2 * b->ids_cap, b->n_ids + n);
	if (cap >= PIDX_MAPPING)
		return -ENOMEM;
	m = realloc(b->pol->mappings, cap * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	memset(m + b->ids_cap, 0, (cap - b->ids_cap) * sizeof(*m));
	b->pol->mappings = m;
	b->ids_cap = cap;
	return 0;
}

static int
free_room(struct policy_base *b, size_t n)
{
	uint32_t *f;
	size_t cap;

	if (b->n_free + n <= b->free_cap)
		return 0;
	cap = RTE_MAX(2 * b->free_cap, b->n_free + n);
	f = realloc(b->free_ids, cap * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	b->free_ids = f;
	b->free_cap = cap;
	return 0;
}

int
policy_base_commit(struct policy_base *b, struct policy_delta *d)
{
	struct hnv_policy_index *ix = b->pol->index;
	size_t n_old = replaced(b, d, NULL), n_new = b->n - n_old + d->n_add, out = 0;
	uint32_t *order = NULL, cursor = 0;
	struct policy_span *span = NULL;
	int64_t shift = 0;
	int rc;

	rc = ids_room(b, d->n_add);
	if (rc == 0)
		rc = free_room(b, n_old);
	if (rc == 0) {
		order = malloc(sizeof(*order) * RTE_MAX(n_new, (size_t)1));
		span = malloc(sizeof(*span) * RTE_MAX(n_new, (size_t)1));
		if (order == NULL || span == NULL)
			rc = -ENOMEM;
	}
	if (rc != 0)
		goto fail;
	/* The replaced elements leave the indexes and free their ids first,
	 * since a new element may take a key one of them had. */
	for (size_t h = 0; h < d->n_hunks; h++)
		for (uint32_t k = d->hunks[h].a; k < d->hunks[h].b; k++) {
			index_mapping(ix, &b->pol->mappings[b->order[k]], 0, false);
			b->free_ids[b->n_free++] = b->order[k];
		}
	/* The positions, in order: the base's that stay (their offsets moved
	 * by the hunks before them) and the new ones, which take ids. */
	for (size_t h = 0; h <= d->n_hunks; h++) {
		uint32_t upto = h < d->n_hunks ? d->hunks[h].a : b->n;

		for (; cursor < upto; cursor++, out++) {
			order[out] = b->order[cursor];
			span[out] = b->span[cursor];
			span[out].start = (uint64_t)((int64_t)span[out].start + shift);
		}
		if (h == d->n_hunks)
			break;
		for (size_t j = d->hunks[h].first; j < d->hunks[h].first + d->hunks[h].n;
			j++, out++) {
			uint32_t id = b->n_free > 0 ? b->free_ids[--b->n_free] : b->n_ids++;

			memcpy(&b->pol->mappings[id], &d->add[j],
				sizeof(d->add[j])); /* padding too */
			order[out] = id;
			span[out] = d->add_span[j];
			rc = index_mapping(ix, &d->add[j], PIDX_MAPPING | id, true);
			if (rc != 0)
				goto fail;
		}
		cursor = d->hunks[h].b;
		shift = d->hunks[h].shift;
	}
	free(b->order);
	free(b->span);
	b->order = order;
	b->span = span;
	b->pos_cap = RTE_MAX(n_new, (size_t)1);
	b->n = (uint32_t)n_new;
	b->pol->n_mappings = (unsigned int)n_new;
	b->arr_close = (size_t)((int64_t)b->arr_close + (int64_t)d->len - (int64_t)b->len);
	RTE_SWAP(b->text, d->text);
	RTE_SWAP(b->text_cap, d->text_cap);
	b->len = d->len;
	d->len = 0;
	return 0;
fail:
	free(order);
	free(span);
	policy_base_clear(b);
	return -ENOMEM;
}
