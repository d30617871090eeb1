/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: reloading a policy whose mappings changed by reading and
 * compiling only what changed (policy_delta.c), and the parts of policy.c
 * it is built on. Private to lib/policy (the loader uses it).
 *
 * A base is the policy last applied as the loader keeps it: its text,
 * where each element of its mappings array is in that text, its mappings
 * by a stable id (so that replacing some never renumbers the others in
 * the indexes), and its validation indexes, whole. A delta is a new text
 * against a base: the elements that its change touches, read again.
 */
#ifndef HNV_POLICY_DELTA_H
#define HNV_POLICY_DELTA_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hnv_policy.h"
#include "policy_index.h"
#include "policy_stream.h"
#include "vfp.h"

/** The policy last applied, kept to diff the next one against. */
struct policy_base {
	struct hnv_policy *pol; /**< NULL: no base (the next load is whole) */
	char *text;             /**< its text (also what --state-dir keeps) */
	size_t len;
	size_t text_cap;          /**< the size of text's buffer */
	size_t arr_open;          /**< offset of the mappings array's '[' */
	size_t arr_close;         /**< ... and of its ']' */
	uint32_t n;               /**< mappings, by position in the array */
	uint32_t *order;          /**< the id of the mapping at each position */
	struct policy_span *span; /**< where each position's element is in text */
	size_t pos_cap;           /**< room in order and span */
	size_t ids_cap;           /**< room in pol->mappings, by id */
	uint32_t n_ids;           /**< ids handed out (free ones included) */
	uint32_t *free_ids;       /**< ids of removed mappings, to reuse */
	uint32_t n_free;
	size_t free_cap;
};

/** Base positions [a, b) replaced by the delta's elements [first, first + n);
 * the positions after it move by @p shift bytes in the new text. */
struct policy_hunk {
	uint32_t a, b;
	size_t first, n;
	int64_t shift;
};

/** A new text against a base. */
struct policy_delta {
	char *text; /**< the new text (owned) */
	size_t len;
	size_t text_cap;           /**< the size of its buffer */
	struct policy_hunk *hunks; /**< the base positions it replaces, in order */
	size_t n_hunks;
	size_t n_add; /**< ... by these elements, in order */
	struct hnv_mapping_cfg *add;
	struct policy_span *add_span; /**< offsets in text */
	uint32_t *del;                /**< base ids that changed or went */
	size_t n_del;
	uint32_t *put; /**< indexes into add[] that are new or changed */
	size_t n_put;
	size_t n_changed;        /**< mappings added, removed or changed (a move is one) */
	unsigned int n_mappings; /**< of the new policy */
};

/**
 * Make @p b the base of @p pol (a policy from policy_parse_base, taken
 * over), whose text is @p text (taken over) with its mappings at
 * @p spans (taken over; NULL: they were not streamed, and the next load
 * is whole). @return 0, or -ENOMEM (and @p b is empty; all is freed)
 */
int policy_base_init(struct policy_base *b, struct hnv_policy *pol, char *text, size_t len,
	struct policy_span *spans, size_t arr_open, size_t arr_close);

/** Free all of @p b and leave it empty (a zeroed base is empty too). */
void policy_base_clear(struct policy_base *b);

/**
 * Read @p text (@p len bytes) against @p b: what differs must lie inside
 * the mappings array, and the elements it touches (widened to whole
 * elements) are read as a streamed load reads them and validated against
 * the base's indexes less the elements they replace.
 * @return 0 and @p d (which then owns @p text); 1 if the text must be
 *         loaded whole (a change elsewhere, a problem, a change the
 *         program cannot take in place: a whole load says what; @p text
 *         stays the caller's); -ENOMEM or -ECANCELED
 */
int policy_delta_read(const struct policy_base *b, char *text, size_t len,
	const atomic_bool *cancel, struct policy_delta *d);

/**
 * The program that is @p running (compiled from @p b's policy, in force)
 * with @p d's mappings removed and added (vfp_program_derive).
 * @return 0 and *@p out; 1 if the policy must be compiled whole (tables
 *         too small, a mapping a route or a forwarder refers to, ...)
 */
int policy_delta_compile(const struct policy_base *b, const struct policy_delta *d,
	const struct vfp_program *running, struct vfp_program **out);

/**
 * Make @p b the base of @p d's text, once the program of @p d is in force:
 * the replaced mappings leave the indexes, the new ones enter them, the
 * positions after them move. @p d's text goes to @p b, and @p b's old
 * text to @p d (d->text, d->text_cap: a buffer to read the next file into).
 * @return 0, or -ENOMEM (then @p b is empty: the next load is whole)
 */
int policy_base_commit(struct policy_base *b, struct policy_delta *d);

/** Free what @p d holds (a zeroed delta holds nothing). */
void policy_delta_free(struct policy_delta *d);

/* ---- policy.c ----------------------------------------------------------- */

/** The size policy_read_file gives a new buffer for a file of @p len
 * bytes: the file and a sixteenth more, for the next, slightly larger
 * version of it. */
size_t policy_read_cap(size_t len);

/** Read the regular file @p path whole (hnv_policy_load_ex's reading)
 * into *@p buf, a malloc'd buffer of *@p cap bytes that is reused when big
 * enough (a buffer read into before has its pages: no faults) or replaced
 * (NULL: a new one); the caller frees it, whatever the outcome.
 * @return 0 and the text, NUL-ended, of *@p out_len bytes in *@p buf, or a
 *         negative errno with @p err */
int policy_read_file(const char *path, const atomic_bool *cancel, char **buf, size_t *cap,
	size_t *out_len, char *err, size_t errlen);

/** Parse and validate @p text as hnv_policy_load does, keeping what a base
 * needs: the indexes whole, and (when the mappings were streamed) where
 * each element and the array are. @return as hnv_policy_load */
int policy_parse_base(const char *text, size_t len, const char *source, const atomic_bool *cancel,
	struct hnv_policy **out, struct policy_span **spans, size_t *arr_open, size_t *arr_close,
	char *err, size_t errlen);

/** Part of a text: bytes [from, to), and the elements read there. */
struct policy_range {
	size_t from, to;
	size_t n;
};

/**
 * Read the mapping elements in @p text's ranges (each part of an array:
 * see policy_stream_range), in order, as mappings of @p base, each valid on
 * its own, unique among themselves and against @p base's indexes but for
 * the entries whose where values are in @p removed.
 * @return 0 with the mappings, their spans, their count and each range's
 *         count; 1 if the scanner cannot follow the text; a negative errno
 *         (a problem: @p err) otherwise
 */
int policy_read_ranges(const struct hnv_policy *base, const char *text, struct policy_range *ranges,
	size_t n_ranges, const struct pidx *removed, const atomic_bool *cancel,
	struct hnv_mapping_cfg **out, struct policy_span **spans, size_t *n, char *err,
	size_t errlen);

/** A copy of @p p without its mappings (n_mappings says @p n_mappings),
 * which is what the loader hands its user. @return NULL on ENOMEM */
struct hnv_policy *policy_shell(const struct hnv_policy *p, unsigned int n_mappings);

#endif /* HNV_POLICY_DELTA_H */
