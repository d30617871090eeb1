/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_json.c: the JSON reading toolkit (policy_json.h).
 *
 * Owns: building the one failure message of a load, "<source>: <JSON path>:
 * <problem>", from the path stack in struct ctx; type- and range-checking
 * jansson values; parsing and formatting IPv4 and IPv6 addresses, prefixes
 * and MACs.
 * The address parsers are strict on purpose (no inet_aton short forms, no
 * leading zeros in a prefix length): a policy means one thing only.
 * The problem text of a message is escaped in one place, pj_fail, because it
 * quotes policy strings (names, unknown keys, malformed values) and the
 * message ends up in the operator's log: a name holding ESC or a newline
 * must not be able to rewrite a terminal line or forge a log line.
 * Nothing here prints, exits or touches DPDK state.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hnv_net.h"
#include "hnv_pa.h"
#include "policy_json.h"

/* ---- messages and the JSON path ---------------------------------------- */

size_t
pj_path_push_index(struct ctx *c, size_t i)
{
	size_t old = c->path_len, n = 0;
	char digits[24];

	do
		digits[n++] = (char)('0' + i % 10);
	while ((i /= 10) != 0);
	if (old + n + 3 > sizeof(c->path))
		return pj_path_push(c, "[]");
	c->path[c->path_len++] = '[';
	while (n > 0)
		c->path[c->path_len++] = digits[--n];
	c->path[c->path_len++] = ']';
	c->path[c->path_len] = '\0';
	return old;
}

size_t
pj_path_push(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->path_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->path_len = RTE_MIN(old + (size_t)n, sizeof(c->path) - 1);
	return old;
}

void
pj_path_pop(struct ctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

/* Printable ASCII other than the backslash passes; everything else, UTF-8
 * included (it can carry bidi overrides and line separators), is \xHH. The
 * backslash is doubled so that an escape in a message is never ambiguous. */
char *
hnv_policy_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (size == 0)
		return dst;
	for (const unsigned char *s = (const unsigned char *)src; *s != '\0'; s++) {
		char e[4];
		size_t n;

		if (*s == '\\') {
			e[0] = e[1] = '\\';
			n = 2;
		} else if (*s >= 0x20 && *s < 0x7f) {
			e[0] = (char)*s;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[*s >> 4];
			e[3] = hex[*s & 0xf];
			n = 4;
		}
		if (o + n >= size)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}

int
pj_fail(struct ctx *c, const char *key, const char *fmt, ...)
{
	char msg[HNV_POLICY_ERR_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err == NULL || c->errlen == 0)
		return -EINVAL;
	/* The source and the path are the caller's and ours; only the problem
	 * quotes the policy. */
	n = snprintf(c->err, c->errlen, "%s: %s%s%s: ", c->source, c->path, key ? "." : "",
		key ? key : "");
	if (n >= 0 && (size_t)n < c->errlen)
		hnv_policy_escape(c->err + n, c->errlen - (size_t)n, msg);
	return -EINVAL;
}

int
pj_fail_nomem(struct ctx *c)
{
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "%s: out of memory", c->source);
	return -ENOMEM;
}

const char *
pj_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

int
pj_fail_type(struct ctx *c, const char *key, const json_t *v, const char *want)
{
	return pj_fail(c, key, "expected %s, got %s", want, pj_type_name(v));
}

/* ---- address helpers ---------------------------------------------------- */

struct ip_str
pj_ip_fmt(rte_be32_t ip)
{
	struct ip_str r;

	hnv_ipv4_format(r.s, sizeof(r.s), ip);
	return r;
}

struct ip6_str
pj_ip6_fmt(const uint8_t a[16])
{
	struct ip6_str r;

	if (inet_ntop(AF_INET6, a, r.s, sizeof(r.s)) == NULL)
		snprintf(r.s, sizeof(r.s), "?");
	return r;
}

bool
pj_ip6_in_prefix(const uint8_t a[16], const uint8_t prefix[16], unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(a, prefix, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ prefix[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

void
pj_ip6_mask(uint8_t out[16], const uint8_t a[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (len >= 8 * (i + 1))
			out[i] = a[i];
		else if (len > 8 * i)
			out[i] = a[i] & (uint8_t)(0xff << (8 - (len - 8 * i)));
		else
			out[i] = 0;
	}
}

struct mac_str
pj_mac_fmt(const struct rte_ether_addr *m)
{
	struct mac_str r;

	hnv_mac_format(r.s, sizeof(r.s), m);
	return r;
}

uint32_t
pj_mask_of(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* Dotted quad only, as inet_pton(AF_INET) reads it: four decimal octets of
 * at most 255, no leading zeros, nothing before or after (no short forms,
 * no octal). Written out because it runs twice per mapping of a policy of
 * a million (test_policy_scale holds it to inet_pton). */
static bool
ipv4_parse(const char *s, rte_be32_t *out)
{
	uint32_t a = 0;

	for (int k = 0; k < 4; k++) {
		unsigned int v = 0, n = 0;

		if (k > 0 && *s++ != '.')
			return false;
		for (; *s >= '0' && *s <= '9'; s++, n++) {
			if (n > 0 && v == 0)
				return false; /* a leading zero */
			v = v * 10 + (unsigned int)(*s - '0');
			if (v > 255)
				return false;
		}
		if (n == 0)
			return false;
		a = a << 8 | v;
	}
	if (*s != '\0')
		return false;
	*out = rte_cpu_to_be_32(a);
	return true;
}

/* "ADDR/N" split at the slash: ADDR into @buf (of @size), N (one to
 * @digits decimal digits, no leading zero) into *@len. */
static bool
prefix_split(const char *s, char *buf, size_t size, unsigned int digits, unsigned int *len)
{
	const char *slash = strchr(s, '/'), *d;
	unsigned int n = 0;
	size_t alen;

	if (slash == NULL)
		return false;
	alen = (size_t)(slash - s);
	if (alen >= size)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	d = slash + 1;
	if (d[0] == '\0' || strlen(d) > digits || (d[0] == '0' && d[1] != '\0'))
		return false;
	for (; *d != '\0'; d++) {
		if (!isdigit((unsigned char)*d))
			return false;
		n = n * 10 + (unsigned int)(*d - '0');
	}
	*len = n;
	return true;
}

/* "A.B.C.D/N", N one or two decimal digits without a leading zero. */
static bool
prefix_parse(const char *s, rte_be32_t *addr, uint8_t *len)
{
	char buf[INET_ADDRSTRLEN];
	unsigned int n;

	if (!prefix_split(s, buf, sizeof(buf), 2, &n) || !ipv4_parse(buf, addr))
		return false;
	*len = (uint8_t)n;
	return true;
}

/* "X:X::X/N", N one to three decimal digits without a leading zero (its
 * range is the caller's: *@len may be up to 999 here). */
static bool
prefix6_parse(const char *s, uint8_t addr[16], unsigned int *len)
{
	char buf[INET6_ADDRSTRLEN];

	return prefix_split(s, buf, sizeof(buf), 3, len) && inet_pton(AF_INET6, buf, addr) == 1;
}

static int
hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly "xx:xx:xx:xx:xx:xx", hex digits in either case. */
static bool
mac_parse(const char *s, struct rte_ether_addr *m)
{
	unsigned int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		const char *q = s + 3 * i;
		int hi = hex_val(q[0]), lo = hex_val(q[1]);

		if (hi < 0 || lo < 0 || (i < RTE_ETHER_ADDR_LEN - 1 && q[2] != ':'))
			return false;
		m->addr_bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Usable as a host address on the underlay: not 0/8, loopback, multicast or
 * class E (which holds the limited broadcast). */
bool
pj_ipv4_is_unicast(rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip);

	return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 28) < 0xe;
}

/* ---- typed value readers ------------------------------------------------ */

int
pj_check_fields(struct ctx *c, json_t *obj, const struct field *f, size_t n)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v)
	{
		for (i = 0; i < n; i++)
			if (strcmp(key, f[i].name) == 0)
				break;
		if (i == n)
			return pj_fail(c, NULL, "unknown field '%s'", key);
	}
	for (i = 0; i < n; i++)
		if (f[i].required && json_object_get(obj, f[i].name) == NULL)
			return pj_fail(c, NULL, "missing required field '%s'", f[i].name);
	return 0;
}

int
pj_v_str(struct ctx *c, const char *key, const json_t *v, char *dst, size_t size)
{
	size_t len;

	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	len = json_string_length(v);
	if (len == 0)
		return pj_fail(c, key, "must not be empty");
	if (len >= size)
		return pj_fail(c, key, "'%s' is longer than %zu characters", json_string_value(v),
			size - 1);
	memcpy(dst, json_string_value(v), len + 1);
	return 0;
}

int
pj_v_int(struct ctx *c, const char *key, const json_t *v, const char *what, long long min,
	long long max, long long *out)
{
	long long n;

	if (!json_is_integer(v))
		return pj_fail_type(c, key, v, "integer");
	n = json_integer_value(v);
	if (n < min || n > max)
		return pj_fail(c, key, "%s %lld out of range %lld..%lld", what, n, min, max);
	*out = n;
	return 0;
}

int
pj_v_ipv4(struct ctx *c, const char *key, const json_t *v, rte_be32_t *out)
{
	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	return pj_s_ipv4(c, key, json_string_value(v), out);
}

int
pj_s_ipv4(struct ctx *c, const char *key, const char *s, rte_be32_t *out)
{
	if (!ipv4_parse(s, out))
		return pj_fail(c, key, "malformed IPv4 address '%s'", s);
	return 0;
}

int
pj_v_prefix(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, uint8_t max_len,
	rte_be32_t *addr, uint8_t *len)
{
	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	if (!prefix_parse(json_string_value(v), addr, len))
		return pj_fail(
			c, key, "malformed prefix '%s' (expected A.B.C.D/N)", json_string_value(v));
	if (*len < min_len || *len > max_len)
		return pj_fail(
			c, key, "prefix length %u out of range %u..%u", *len, min_len, max_len);
	return 0;
}

int
pj_v_ipv6(struct ctx *c, const char *key, const json_t *v, uint8_t out[16])
{
	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	if (inet_pton(AF_INET6, json_string_value(v), out) != 1)
		return pj_fail(c, key, "malformed IPv6 address '%s'", json_string_value(v));
	return 0;
}

struct pa_str
pj_pa_fmt(rte_be32_t pa)
{
	struct pa_str r;

	hnv_pa_format(r.s, sizeof(r.s), pa);
	return r;
}

bool
pj_ip6_is_pa(const uint8_t a[16])
{
	static const uint8_t zero[16], mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return false;
	if (memcmp(a, zero, 15) == 0 && a[15] <= 1) /* :: and ::1 */
		return false;
	return memcmp(a, mapped, sizeof(mapped)) != 0;
}

/* An IPv6 PA, interned. */
static int
pa6_of(struct ctx *c, const char *key, const uint8_t a[16], rte_be32_t *out)
{
	if (!pj_ip6_is_pa(a))
		return pj_fail(c, key,
			"%s is not a unicast IPv6 address a PA can have (not ::, ::1, multicast, "
			"link-local or IPv4-mapped)",
			pj_ip6_fmt(a).s);
	if (hnv_pa6_intern(a, out) != 0)
		return pj_fail(c, key,
			"%s is one IPv6 PA too many: this process has seen %u distinct ones, "
			"its most (restart to forget those no longer used)",
			pj_ip6_fmt(a).s, HNV_PA6_MAX);
	return 0;
}

int
pj_s_pa(struct ctx *c, const char *key, const char *s, rte_be32_t *out)
{
	uint8_t a[16];

	if (strchr(s, ':') == NULL) {
		if (!ipv4_parse(s, out))
			return pj_fail(c, key, "malformed PA '%s' (expected IPv4 or IPv6)", s);
		if (!pj_ipv4_is_unicast(*out))
			return pj_fail(
				c, key, "%s is not a unicast IPv4 address", pj_ip_fmt(*out).s);
		return 0;
	}
	if (inet_pton(AF_INET6, s, a) != 1)
		return pj_fail(c, key, "malformed PA '%s' (expected IPv4 or IPv6)", s);
	return pa6_of(c, key, a, out);
}

int
pj_v_pa(struct ctx *c, const char *key, const json_t *v, rte_be32_t *out)
{
	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	return pj_s_pa(c, key, json_string_value(v), out);
}

int
pj_v_pa_prefix(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, rte_be32_t *pa,
	uint8_t *len)
{
	uint8_t a[16];
	unsigned int n = 0;

	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	if (strchr(json_string_value(v), ':') == NULL)
		return pj_v_prefix(c, key, v, min_len, 32, pa, len);
	if (!prefix6_parse(json_string_value(v), a, &n))
		return pj_fail(c, key, "malformed prefix '%s' (expected A.B.C.D/N or X:X::X/N)",
			json_string_value(v));
	if (n < min_len || n > 128)
		return pj_fail(c, key, "prefix length %u out of range %u..128", n, min_len);
	*len = (uint8_t)n;
	return pa6_of(c, key, a, pa);
}

int
pj_v_prefix6(struct ctx *c, const char *key, const json_t *v, uint8_t min_len, uint8_t max_len,
	uint8_t addr[16], uint8_t *len)
{
	unsigned int n = 0;

	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	if (!prefix6_parse(json_string_value(v), addr, &n))
		return pj_fail(c, key, "malformed IPv6 prefix '%s' (expected X:X::X/N)",
			json_string_value(v));
	if (n < min_len || n > max_len)
		return pj_fail(c, key, "prefix length %u out of range %u..%u", n, min_len, max_len);
	*len = (uint8_t)n;
	return 0;
}

/* A unicast, non-zero MAC (everything the policy names is one station). */
int
pj_v_mac(struct ctx *c, const char *key, const json_t *v, struct rte_ether_addr *out)
{
	if (!json_is_string(v))
		return pj_fail_type(c, key, v, "string");
	return pj_s_mac(c, key, json_string_value(v), out);
}

int
pj_s_mac(struct ctx *c, const char *key, const char *s, struct rte_ether_addr *out)
{
	if (!mac_parse(s, out))
		return pj_fail(
			c, key, "malformed MAC address '%s' (expected xx:xx:xx:xx:xx:xx)", s);
	if (rte_is_zero_ether_addr(out))
		return pj_fail(c, key, "MAC address must not be all-zero");
	if (rte_is_multicast_ether_addr(out))
		return pj_fail(c, key, "%s is not a unicast MAC address", pj_mac_fmt(out).s);
	return 0;
}

/* Fetch @key of @obj and type-check it as an array of @min..@max entries. */
int
pj_get_array(struct ctx *c, json_t *obj, const char *key, size_t min, size_t max, json_t **arr)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	if (!json_is_array(v))
		return pj_fail_type(c, key, v, "array");
	n = json_array_size(v);
	if (n < min)
		return pj_fail(
			c, key, "needs at least %zu %s", min, min == 1 ? "entry" : "entries");
	if (n > max)
		return pj_fail(c, key, "has %zu entries, at most %zu allowed", n, max);
	*arr = v;
	return 0;
}

/* Call @fn on each element of @arr (the value of field @key), which must be
 * objects; the element's path ("$.ports[1]") is pushed around the call. */
int
pj_walk_objects(struct ctx *c, const char *key, json_t *arr, elem_fn fn)
{
	size_t outer = pj_path_push(c, ".%s", key);
	size_t i;
	json_t *v;
	int rc = 0;

	json_array_foreach(arr, i, v)
	{
		size_t inner = pj_path_push(c, "[%zu]", i);

		rc = json_is_object(v) ? fn(c, v, i) : pj_fail_type(c, NULL, v, "object");
		pj_path_pop(c, inner);
		if (rc != 0)
			break;
	}
	pj_path_pop(c, outer);
	return rc;
}

int
pj_with_object(struct ctx *c, json_t *obj, const char *key, int (*fn)(struct ctx *, json_t *))
{
	json_t *v = json_object_get(obj, key);
	size_t old;
	int rc;

	if (!json_is_object(v))
		return pj_fail_type(c, key, v, "object");
	old = pj_path_push(c, ".%s", key);
	rc = fn(c, v);
	pj_path_pop(c, old);
	return rc;
}

/* calloc that leaves an empty array NULL instead of a zero-size block. */
int
pj_alloc_array(struct ctx *c, size_t n, size_t size, void **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = calloc(n, size);
	return *out == NULL ? pj_fail_nomem(c) : 0;
}
