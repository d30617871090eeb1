/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: the streamed "mappings" array of a policy text
 * (policy_stream.c).
 */
#ifndef HNV_POLICY_STREAM_H
#define HNV_POLICY_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "policy_json.h"

/** A policy text with its top-level "mappings" array cut out. */
struct policy_split {
	const char *array; /**< the array in the original text, '[' .. ']' */
	size_t array_len;
	char *doc; /**< the text with "[]" in its place (malloc'd, NUL-ended) */
	size_t doc_len;
	bool guessed; /**< the array's end was taken to be the text's last ']' */
};

/** Where an element of the mappings array is in the text. */
struct policy_span {
	uint64_t start; /**< offset of its first byte */
	uint64_t len;   /**< its length, up to its last byte ('}') */
};

#define POLICY_TEXT_MAX 64 /* the longest string the scanner reads itself */

/** An element of the ordinary form, as the scanner read it: an object of
 * exactly vsid (a non-negative integer), ca, mac and pa (plain strings). */
struct policy_mapping_text {
	long long vsid;
	char ca[POLICY_TEXT_MAX + 1], mac[POLICY_TEXT_MAX + 1], pa[POLICY_TEXT_MAX + 1];
};

/** Reads one element of the array: @p elem as jansson read it (not to be
 * kept), or, for one of the ordinary form, @p text (and @p elem NULL). */
typedef int (*policy_elem_fn)(
	struct ctx *c, json_t *elem, const struct policy_mapping_text *text, size_t i);

/**
 * Find the top-level "mappings" array of @p text and make the document
 * without it. With @p guess, a "mappings" that looks like the last member
 * (the text ends with "] }") is taken to end there without scanning it
 * (out->guessed): right only if the stream of its elements ends there too,
 * and a build on it counts only if it succeeds (else split again without
 * the guess).
 * @return 0; -ENOENT if the text has no such array where this scanner
 *         can see it (parse it whole); -ENOMEM; -ECANCELED once @p cancel
 *         (if not NULL) is seen set
 */
int policy_split(const char *text, size_t len, bool guess, const atomic_bool *cancel,
	struct policy_split *out);

/**
 * Call @p fn for each element of @p sp's array, in order, with its index;
 * stop at the first non-zero return, which is returned. *@p n_out is the
 * number of elements @p fn was called for. *@p retry is set, and 0
 * returned, when the array's text is not valid JSON where this scanner
 * looks (jansson on the whole text gives the message).
 */
int policy_stream(struct ctx *c, const struct policy_split *sp, policy_elem_fn fn, size_t *n_out,
	bool *retry);

/**
 * policy_stream over the text [@p p, @p end) of part of an array: blanks,
 * then elements separated by commas (none at either end), then blanks;
 * none at all is fine. Indexes start at @p first; *@p n_out counts the
 * elements of this range.
 */
int policy_stream_range(struct ctx *c, const char *p, const char *end, size_t first,
	policy_elem_fn fn, size_t *n_out, bool *retry);

/**
 * The end of the array element (any JSON value, checked only as far as
 * its strings and brackets) at @p p, before @p end; *@p next is where the
 * next element starts (after blanks, a comma and blanks), or @p end when
 * only blanks follow. @return NULL if there is no element at @p p the
 * scanner can follow, or what follows is neither
 */
const char *policy_element_end(const char *p, const char *end, const char **next);

/**
 * Parse and validate @p text as hnv_policy_parse does, but from a jansson
 * tree of the whole text, never streaming the mappings: the reference the
 * fuzz harness holds the streamed reading to.
 */
int policy_parse_tree(
	const char *text, const char *source, struct hnv_policy **out, char *err, size_t errlen);

#endif /* HNV_POLICY_STREAM_H */
