/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_json.h: the toolkit policy.c and policy_acl.c read the
 * policy JSON with.
 * Private to lib/policy: not installed, not part of hnv_policy.h.
 *
 * Owns: the error/path context (struct ctx) and the one-message failure
 * format "<source>: <JSON path>[.<key>]: <problem>", with the problem text
 * escaped so that no policy string can put control bytes or a line break
 * into the operator's log (hnv_policy_escape); the typed value readers
 * that check a jansson value and report against the current path; and the
 * IPv4, IPv6, prefix and MAC helpers they and the validation rules share.
 * Knows nothing of the policy format itself: which fields an object has and
 * what they must satisfy is the business of policy.c and policy_acl.c.
 */
#ifndef HNV_POLICY_JSON_H
#define HNV_POLICY_JSON_H

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hnv_pa.h"
#include "hnv_policy.h"

#define PATH_LEN 160

struct policy_split;
struct policy_span;
struct pidx;

/* State of one load: where the message goes and the path being read. */
struct ctx {
	const char *source;
	char *err;
	size_t errlen;
	char path[PATH_LEN]; /* JSON path of the object being read, "$.host" */
	size_t path_len;
	struct hnv_policy *p;
	struct hnv_policy_index *ix;      /* p->index: the lookups of this load */
	uint32_t where;                   /* the VM NIC or mapping being read (PIDX_MAPPING) */
	const struct policy_split *split; /* the text's mappings, read by policy_stream */
	const atomic_bool *cancel;        /* set: stop with -ECANCELED */
	size_t mappings_cap;              /* room in p->mappings while streaming */
	bool retry;                       /* the stream lost its way: parse it whole */
	/* A delta read (policy_delta.c): what the new mappings must not
	 * collide with besides each other: the running policy's indexes,
	 * except the entries (where values) the delta replaces. */
	const struct hnv_policy_index *base_ix;
	const struct pidx *removed;
	/* Where each streamed element is (policy_stream sets elem_start and
	 * elem_end before it calls the element's reader); with keep_spans,
	 * stream_mapping keeps them in spans[], as offsets in @text. */
	const char *text, *elem_start, *elem_end;
	bool keep_spans;
	struct policy_span *spans;
	size_t spans_cap;
};

/* A field an object may carry. */
struct field {
	const char *name;
	bool required;
};

/* Reads element @i of an array of objects; walk_objects calls it. */
typedef int (*elem_fn)(struct ctx *c, json_t *obj, size_t i);

/* Formatted addresses, returned by value so a message can use several. */
struct ip_str {
	char s[INET_ADDRSTRLEN];
};

struct ip6_str {
	char s[INET6_ADDRSTRLEN];
};

struct pa_str {
	char s[HNV_PA_FMT_SIZE];
};

struct mac_str {
	char s[RTE_ETHER_ADDR_FMT_SIZE];
};

/* ---- messages and the JSON path ---------------------------------------- */

/** Append printf-style text to the path; returns the length to pass to path_pop. */
size_t pj_path_push(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Cut the path back to @old, a value path_push returned. */
void pj_path_pop(struct ctx *c, size_t old);

/** pj_path_push(c, "[%zu]", i), without printf: once per element of a
 * million-element array. */
size_t pj_path_push_index(struct ctx *c, size_t i);

/** Report a problem at the current path (or its field @key if not NULL); returns -EINVAL.
 * The formatted problem is passed through hnv_policy_escape, so callers quote policy
 * strings (values, unknown keys) raw and must not escape them themselves. */
int pj_fail(struct ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Report "expected @want, got <type of @v>" at @key; returns -EINVAL. */
int pj_fail_type(struct ctx *c, const char *key, const json_t *v, const char *want);

/** Report "<source>: out of memory"; returns -ENOMEM. */
int pj_fail_nomem(struct ctx *c);

/** The JSON type of @v as the messages name it ("object", "integer", ...). */
const char *pj_type_name(const json_t *v);

/* ---- address helpers ---------------------------------------------------- */

/** @ip (network order) as a dotted quad. */
struct ip_str pj_ip_fmt(rte_be32_t ip);

/** @a (16 bytes, network order) as inet_ntop writes it: RFC 5952, "fd00:5001::1". */
struct ip6_str pj_ip6_fmt(const uint8_t a[16]);

/** Is @a inside @prefix/@len, i.e. are their first @len bits (0..128) equal? */
bool pj_ip6_in_prefix(const uint8_t a[16], const uint8_t prefix[16], unsigned int len);

/** @a with every bit after the first @len (0..128) cleared, into @out. */
void pj_ip6_mask(uint8_t out[16], const uint8_t a[16], unsigned int len);

/** @m as "xx:xx:xx:xx:xx:xx", lower case. */
struct mac_str pj_mac_fmt(const struct rte_ether_addr *m);

/** The host-order netmask of a /@len prefix (0 for /0). */
uint32_t pj_mask_of(uint8_t len);

/** True if @ip can be a host address on the underlay: not 0/8, 127/8, multicast or class E. */
bool pj_ipv4_is_unicast(rte_be32_t ip);

/** @pa (hnv_pa.h: IPv4, or an IPv6 PA's handle) as an address. */
struct pa_str pj_pa_fmt(rte_be32_t pa);

/** True if @a can be an IPv6 PA: not ::, ::1, multicast, link-local
 * (fe80::/10) or IPv4-mapped (::ffff:0:0/96). */
bool pj_ip6_is_pa(const uint8_t a[16]);

/* ---- typed value readers ------------------------------------------------ */
/* v_* read a value already fetched; the message names the current path plus
 * @key (NULL for array elements, whose index is already on the path). All
 * return 0 or the negative errno of the failure they reported. */

/** A PA (hnv_pa.h) from string @s: an IPv4 unicast address, or an IPv6
 * address that pj_ip6_is_pa() takes (interned: *@out is its handle). */
int pj_s_pa(struct ctx *c, const char *key, const char *s, rte_be32_t *out);

/** pj_s_pa() of JSON value @v. */
int pj_v_pa(struct ctx *c, const char *key, const json_t *v, rte_be32_t *out);

/** A PA with its prefix length, "A.B.C.D/N" (N @min_len..32) or "X:X::X/N"
 * (N @min_len..128), the address as pj_v_pa() reads it. */
int pj_v_pa_prefix(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, rte_be32_t *pa,
	uint8_t *len);

/** Fail on a field of @obj not in @f[0..@n), or a required one missing. */
int pj_check_fields(struct ctx *c, json_t *obj, const struct field *f, size_t n);

/** Copy a non-empty string shorter than @size into @dst. */
int pj_v_str(struct ctx *c, const char *key, const json_t *v, char *dst, size_t size);

/** Read an integer in @min..@max; @what names it in the message ("VSID"). */
int pj_v_int(struct ctx *c, const char *key, const json_t *v, const char *what, long long min,
	long long max, long long *out);

/** Read a dotted-quad IPv4 address string. */
int pj_v_ipv4(struct ctx *c, const char *key, const json_t *v, rte_be32_t *out);

/** pj_v_ipv4 of a string already known to be one. */
int pj_s_ipv4(struct ctx *c, const char *key, const char *s, rte_be32_t *out);

/** Read "A.B.C.D/N" with N in @min_len..@max_len. */
int pj_v_prefix(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, uint8_t max_len,
	rte_be32_t *addr, uint8_t *len);

/** Read an IPv6 address string (inet_pton: hex groups, "::" once, no zone, no
 * prefix length) into @out, 16 bytes in network order. */
int pj_v_ipv6(struct ctx *c, const char *key, const json_t *v, uint8_t out[16]);

/** Read "X:X::X/N" with N in @min_len..@max_len (0..128), decimal without a
 * leading zero. Host bits are the caller's to check. */
int pj_v_prefix6(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, uint8_t max_len,
	uint8_t addr[16], uint8_t *len);

/** Read a unicast, non-zero MAC address "xx:xx:xx:xx:xx:xx". */
int pj_v_mac(struct ctx *c, const char *key, const json_t *v, struct rte_ether_addr *out);

/** pj_v_mac of a string already known to be one. */
int pj_s_mac(struct ctx *c, const char *key, const char *s, struct rte_ether_addr *out);

/** Fetch field @key of @obj as an array of @min..@max entries. */
int pj_get_array(struct ctx *c, json_t *obj, const char *key, size_t min, size_t max, json_t **arr);

/** Run @fn on each element of @arr (field @key), which must be objects. */
int pj_walk_objects(struct ctx *c, const char *key, json_t *arr, elem_fn fn);

/** Run @fn on the object at field @key of @obj, with ".@key" on the path. */
int pj_with_object(struct ctx *c, json_t *obj, const char *key, int (*fn)(struct ctx *, json_t *));

/** calloc @n elements of @size into *@out, NULL when @n is 0; fails with -ENOMEM. */
int pj_alloc_array(struct ctx *c, size_t n, size_t size, void **out);

#endif /* HNV_POLICY_JSON_H */
