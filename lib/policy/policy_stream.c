/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_stream.c: reading the "mappings" array of a large
 * policy without building a JSON tree of it.
 *
 * Owns: finding the top-level "mappings" array in the text of a policy
 * (policy_split), and walking its elements one by one (policy_stream).
 * A cloud host's policy is mostly mappings (a million CA->PA entries is
 * 90 MB of JSON), and a jansson tree of them costs 2 s and 800 MB; the
 * rest of the document is small and is parsed by jansson as before, with
 * the array cut out ("mappings": [] and as many newlines and spaces as it
 * took, so that jansson's line and column of anything after it stay
 * true).
 *
 * Each element of the ordinary form, an object of the four keys vsid,
 * ca, mac and pa in any order, an integer and three plain ASCII strings,
 * is scanned here, without a jansson value; any other element
 * (other keys, escapes, non-ASCII, odd numbers) is handed to jansson as
 * it is. Either way the element goes through the same parse_mapping as
 * a tree's element would, so the rules and messages are the same. Text
 * this scanner does not follow (a syntax error, most likely) makes the
 * caller parse the whole document with jansson instead, which gives the
 * error its line and column.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy_stream.h"

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

#define SPLIT_CANCEL_EVERY (1u << 20) /* bytes scanned between looks at the cancel flag */

/* The bytes skip_value stops at: quotes, backslashes, brackets, commas and
 * newlines (which it counts). */
static const bool special[256] = {
	['"'] = true,
	['\\'] = true,
	['{'] = true,
	['}'] = true,
	['['] = true,
	[']'] = true,
	[','] = true,
	['\n'] = true,
};

/* The end of the value starting at @p (any JSON value, not checked beyond
 * its strings and brackets), or NULL; its newlines are added to *@lines and
 * the start of its last line is *@bol. */
static const char *
skip_value(
	const char *p, const char *end, size_t *lines, const char **bol, const atomic_bool *cancel)
{
	const char *check = p + SPLIT_CANCEL_EVERY;
	unsigned int depth = 0;
	bool in_string = false;

	for (; p < end; p++) {
		if (p >= check) {
			if (cancel != NULL && atomic_load(cancel))
				return NULL;
			check = p + SPLIT_CANCEL_EVERY;
		}
		while (p < end && !special[(unsigned char)*p])
			p++;
		if (p == end)
			break;
		switch (*p) {
		case '\n':
			(*lines)++;
			*bol = p + 1;
			continue;
		case '\\':
			p += in_string; /* the escaped byte */
			continue;
		case '"':
			in_string = !in_string;
			if (!in_string && depth == 0)
				return p + 1;
			continue;
		default:
			break;
		}
		if (in_string)
			continue;
		if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p; /* a scalar ended by its container */
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0) {
			return p; /* ',' after a scalar */
		}
	}
	return depth == 0 && !in_string ? p : NULL;
}

/* The end of the string starting at @p ('"'), or NULL. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The end of the mappings array starting at @v if it is the document's
 * last member: the text ends with "] }" (any blanks), or NULL. Its lines
 * are counted into *@lines, *@bol the start of its last one (memchr: this
 * spares a scan of the array byte by byte). */
static const char *
guess_last(const char *text, const char *v, const char *end, size_t *lines, const char **bol)
{
	const char *q = end;

	while (q > v && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	if (q == v || q[-1] != '}')
		return NULL;
	q--;
	while (q > v && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	if (q == v || q[-1] != ']' || q - 1 == v)
		return NULL;
	(void)text;
	*lines = 0;
	*bol = v;
	for (const char *nl = v; (nl = memchr(nl, '\n', (size_t)(q - nl))) != NULL; nl++) {
		(*lines)++;
		*bol = nl + 1;
	}
	return q;
}

int
policy_split(const char *text, size_t len, bool guess, const atomic_bool *cancel,
	struct policy_split *out)
{
	const char *p = text, *end = text + len, *key, *v, *vend = NULL, *bol = NULL;
	size_t lines = 0, col, n;
	char *doc;

	memset(out, 0, sizeof(*out));
	p = skip_ws(p, end);
	if (p == end || *p != '{')
		return -ENOENT;
	p = skip_ws(p + 1, end);
	while (p < end && *p == '"') {
		key = p + 1;
		p = skip_string(p, end);
		if (p == NULL)
			return -ENOENT;
		p = skip_ws(p, end);
		if (p == end || *p != ':')
			return -ENOENT;
		v = skip_ws(p + 1, end);
		lines = 0;
		bol = v;
		if (guess && v < end && *v == '[' && p - key >= 9 &&
			memcmp(key, "mappings\"", 9) == 0 && skip_ws(key + 9, end) == p &&
			(vend = guess_last(text, v, end, &lines, &bol)) != NULL) {
			out->guessed = true;
			out->array = v;
			out->array_len = (size_t)(vend - v);
			break;
		}
		vend = skip_value(v, end, &lines, &bol, cancel);
		if (vend == NULL)
			return cancel != NULL && atomic_load(cancel) ? -ECANCELED : -ENOENT;
		/* skip_value counts brackets, not which: an array "closed" by a
		 * '}' is jansson's to report. */
		if (p - key >= 9 && memcmp(key, "mappings\"", 9) == 0 &&
			skip_ws(key + 9, end) == p && v < end && *v == '[' && vend[-1] == ']') {
			out->array = v;
			out->array_len = (size_t)(vend - v);
			break;
		}
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else
			break;
	}
	if (out->array == NULL)
		return -ENOENT;
	/* The document without the array: "[]", then the array's newlines,
	 * then spaces up to its last line's end, so positions after it hold. */
	col = (size_t)(vend - bol);
	n = (size_t)(out->array - text) + 2 + lines + col + (size_t)(end - vend);
	doc = malloc(n + 1);
	if (doc == NULL)
		return -ENOMEM;
	memcpy(doc, text, (size_t)(out->array - text));
	out->doc_len = (size_t)(out->array - text);
	memcpy(doc + out->doc_len, "[]", 2);
	out->doc_len += 2;
	memset(doc + out->doc_len, '\n', lines);
	out->doc_len += lines;
	/* The "[]" took two columns of the array's first line when it has one. */
	n = lines == 0 ? (col >= 2 ? col - 2 : 0) : col;
	memset(doc + out->doc_len, ' ', n);
	out->doc_len += n;
	memcpy(doc + out->doc_len, vend, (size_t)(end - vend));
	out->doc_len += (size_t)(end - vend);
	doc[out->doc_len] = '\0';
	out->doc = doc;
	return 0;
}

/* Scan a plain string (printable ASCII, no escapes) at @p into @dst. */
static const char *
scan_string(const char *p, const char *end, char *dst)
{
	const char *s = p + 1;

	if (p >= end || *p != '"')
		return NULL;
	for (p = s; p < end && *p != '"'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '\\')
			return NULL;
	if (p == end || p - s > POLICY_TEXT_MAX)
		return NULL;
	memcpy(dst, s, (size_t)(p - s));
	dst[p - s] = '\0';
	return p + 1;
}

/* Scan an element of the ordinary form at @p ('{') into @t; its end, or
 * NULL if it is of another form (jansson reads those). */
static const char *
scan_element(const char *p, const char *end, struct policy_mapping_text *t)
{
	unsigned int seen = 0;

	p = skip_ws(p + 1, end);
	while (p < end && *p == '"') {
		const char *k = p + 1, *ke = memchr(k, '"', (size_t)(end - k));
		unsigned int bit;
		char *dst = NULL;

		if (ke == NULL)
			return NULL;
		if (ke - k == 4 && memcmp(k, "vsid", 4) == 0)
			bit = 1;
		else if (ke - k == 2 && memcmp(k, "ca", 2) == 0)
			bit = 2, dst = t->ca;
		else if (ke - k == 3 && memcmp(k, "mac", 3) == 0)
			bit = 4, dst = t->mac;
		else if (ke - k == 2 && memcmp(k, "pa", 2) == 0)
			bit = 8, dst = t->pa;
		else
			return NULL;
		if (seen & bit)
			return NULL;
		seen |= bit;
		p = skip_ws(ke + 1, end);
		if (p == end || *p != ':')
			return NULL;
		p = skip_ws(p + 1, end);
		if (dst == NULL) {
			const char *d = p;
			long long n = 0;

			while (p < end && *p >= '0' && *p <= '9' && p - d < 12)
				n = n * 10 + (*p++ - '0');
			/* Not 0-prefixed, not a real, not too long: jansson's. */
			if (p == d || p - d >= 12 || (*d == '0' && p - d > 1) ||
				(p < end && (*p == '.' || *p == 'e' || *p == 'E' ||
						    (*p >= '0' && *p <= '9'))))
				return NULL;
			t->vsid = n;
		} else {
			p = scan_string(p, end, dst);
			if (p == NULL)
				return NULL;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			if (p == end || *p != '"')
				return NULL; /* a trailing comma: jansson's to report */
			continue;
		}
		break;
	}
	if (seen != 15 || p == end || *p != '}')
		return NULL;
	return p + 1;
}

int
policy_stream(
	struct ctx *c, const struct policy_split *sp, policy_elem_fn fn, size_t *n_out, bool *retry)
{
	return policy_stream_range(
		c, sp->array + 1, sp->array + sp->array_len - 1, 0, fn, n_out, retry);
}

const char *
policy_element_end(const char *p, const char *end, const char **next)
{
	const char *bol = p, *e;
	size_t lines = 0;

	e = p < end && *p != ',' && *p != ']' && *p != '}' ? skip_value(p, end, &lines, &bol, NULL)
							   : NULL;
	if (e == NULL || e == p)
		return NULL;
	p = skip_ws(e, end);
	if (p == end) {
		*next = end;
		return e;
	}
	if (*p != ',')
		return NULL;
	p = skip_ws(p + 1, end);
	if (p == end)
		return NULL; /* a trailing comma */
	*next = p;
	return e;
}

int
policy_stream_range(struct ctx *c, const char *p, const char *end, size_t first, policy_elem_fn fn,
	size_t *n_out, bool *retry)
{
	struct policy_mapping_text t;
	size_t i = first;
	int rc = 0;

	*retry = false;
	p = skip_ws(p, end);
	while (rc == 0 && p < end) {
		const char *next = *p == '{' ? scan_element(p, end, &t) : NULL;

		if (next != NULL) {
			c->elem_start = p;
			c->elem_end = next;
			rc = fn(c, NULL, &t, i++);
		} else {
			json_error_t je;
			json_t *elem = json_loadb(p, (size_t)(end - p),
				JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
				&je);

			if (elem == NULL) {
				*retry = true; /* jansson on the whole text says where */
				break;
			}
			next = p + je.position;
			c->elem_start = p;
			c->elem_end = next;
			rc = fn(c, elem, NULL, i++);
			json_decref(elem);
		}
		p = skip_ws(next, end);
		if (rc == 0 && p < end) {
			if (*p != ',') {
				*retry = true;
				break;
			}
			p = skip_ws(p + 1, end);
			if (p == end) {
				*retry = true; /* a trailing comma */
				break;
			}
		}
	}
	*n_out = i - first;
	return rc;
}
