/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_ipv6.c: the IPv6 side of subnets and CAs (dual stack):
 * $.routing_domains[].subnets[].prefix6 and .gateway6, and the "ipv6" of
 * $.vm_nics[] and $.mappings[].
 *
 * Owns: every validation rule of those fields (docs/policy.md is the
 * reference; keep the two in step). They are all optional: a subnet without
 * prefix6 is IPv4 only, and only the VMs of a subnet with prefix6 may have
 * an IPv6 CA, always beside their IPv4 one.
 *
 * An IPv6 prefix is a global or unique-local unicast network: the ranges a
 * host already has meaning for (multicast, link-local, loopback and
 * unspecified, IPv4-mapped) are refused, since the router owns the subnet's
 * link-local address itself and a VM's CA must be routable. Its length is
 * 8..112 (the engine's router keys on 112 bits of an address). There is no
 * broadcast address in IPv6; the prefix address itself (the subnet-router
 * anycast address, RFC 4291) is no CA and no gateway.
 *
 * Called from policy.c while a subnet, a VM NIC or a mapping is read, with
 * the same conventions: first failure stops, one message.
 */
#include <string.h>

#include "policy_acl.h"
#include "policy_index.h"

#define PREFIX6_LEN_MIN 8
#define PREFIX6_LEN_MAX 112

/* Ranges an IPv6 subnet must not overlap. */
static const struct {
	uint8_t prefix[16];
	uint8_t len;
	const char *what;
} reserved6[] = {
	{{0xff}, 8, "multicast ff00::/8"},
	{{0xfe, 0x80}, 10, "link-local fe80::/10"},
	{{0}, 127, "unspecified and loopback ::/127"},
	{{[10] = 0xff, [11] = 0xff}, 96, "IPv4-mapped ::ffff:0:0/96"},
};

/* A network address, not reserved, no overlap with another prefix6 of the
 * same RDID (the router routes IPv6 between them by destination). */
static int
check_prefix6(struct ctx *c, const struct hnv_subnet_cfg *s)
{
	const struct hnv_policy *p = c->p;
	uint8_t net[16];
	char where[96];
	unsigned int k;

	pj_ip6_mask(net, s->prefix6, s->prefix6_len);
	if (memcmp(net, s->prefix6, sizeof(net)) != 0)
		return pj_fail(c, "prefix6", "%s/%u has host bits set (network is %s/%u)",
			pj_ip6_fmt(s->prefix6).s, s->prefix6_len, pj_ip6_fmt(net).s,
			s->prefix6_len);
	for (k = 0; k < RTE_DIM(reserved6); k++)
		if (pj_ip6_in_prefix(s->prefix6, reserved6[k].prefix,
			    RTE_MIN(s->prefix6_len, reserved6[k].len)))
			return pj_fail(c, "prefix6", "%s/%u overlaps %s", pj_ip6_fmt(s->prefix6).s,
				s->prefix6_len, reserved6[k].what);
	for (k = 0; k < p->n_subnets; k++) {
		const struct hnv_subnet_cfg *o = &p->subnets[k];

		if (o->rdid != s->rdid || !o->has_prefix6 ||
			!pj_ip6_in_prefix(
				s->prefix6, o->prefix6, RTE_MIN(o->prefix6_len, s->prefix6_len)))
			continue;
		policy_subnet_path(p, k, where, sizeof(where));
		return pj_fail(c, "prefix6", "%s/%u overlaps %s/%u of VSID %u (at %s.prefix6)",
			pj_ip6_fmt(s->prefix6).s, s->prefix6_len, pj_ip6_fmt(o->prefix6).s,
			o->prefix6_len, o->vsid, where);
	}
	return 0;
}

/* @ip is a host address of the IPv6 prefix of @s: inside, not the prefix. */
static int
check_in_subnet6(
	struct ctx *c, const char *key, const uint8_t ip[16], const struct hnv_subnet_cfg *s)
{
	const char *what;

	if (!pj_ip6_in_prefix(ip, s->prefix6, s->prefix6_len))
		what = "is outside";
	else if (memcmp(ip, s->prefix6, 16) == 0)
		what = "is the prefix address of";
	else
		return 0;
	return pj_fail(c, key, "%s %s subnet %s/%u of VSID %u", pj_ip6_fmt(ip).s, what,
		pj_ip6_fmt(s->prefix6).s, s->prefix6_len, s->vsid);
}

int
ipv6_parse_subnet(struct ctx *c, json_t *o, struct hnv_subnet_cfg *s)
{
	const json_t *prefix6 = json_object_get(o, "prefix6");
	const json_t *gateway6 = json_object_get(o, "gateway6");
	int rc;

	if (prefix6 == NULL) {
		if (gateway6 != NULL)
			return pj_fail(c, "gateway6", "gateway6 requires prefix6");
		return 0;
	}
	rc = pj_v_prefix6(c, "prefix6", prefix6, PREFIX6_LEN_MIN, PREFIX6_LEN_MAX, s->prefix6,
		&s->prefix6_len);
	if (rc == 0)
		rc = check_prefix6(c, s);
	if (rc != 0)
		return rc;
	s->has_prefix6 = true;
	/* As R6 for IPv4: the lowest address after the prefix's own. */
	memcpy(s->gateway6, s->prefix6, sizeof(s->gateway6));
	s->gateway6[15] |= 1;
	if (gateway6 == NULL)
		return 0;
	rc = pj_v_ipv6(c, "gateway6", gateway6, s->gateway6);
	return rc != 0 ? rc : check_in_subnet6(c, "gateway6", s->gateway6, s);
}

/* An IPv6 CA is unique within its VSID across vm_nics and mappings. */
static int
check_unique_ca6(struct ctx *c, uint32_t vsid, const uint8_t ip[16])
{
	struct pidx_ca6_key k = {.vsid = vsid};
	char where[48];
	int64_t w;

	memcpy(k.ip6, ip, sizeof(k.ip6));
	w = policy_claim(c, &c->ix->ca6, c->base_ix != NULL ? &c->base_ix->ca6 : NULL, &k);
	if (w < -1)
		return pj_fail_nomem(c);
	if (w < 0)
		return 0;
	policy_where_path((uint32_t)w, where, sizeof(where));
	return pj_fail(c, "ipv6", "duplicate CA %s in VSID %u (also at %s.ipv6)", pj_ip6_fmt(ip).s,
		vsid, where);
}

int
ipv6_parse_ca(
	struct ctx *c, json_t *o, const struct hnv_subnet_cfg *s, bool *has_ipv6, uint8_t ip6[16])
{
	const json_t *v = json_object_get(o, "ipv6");
	int rc;

	if (v == NULL)
		return 0;
	rc = pj_v_ipv6(c, "ipv6", v, ip6);
	if (rc != 0)
		return rc;
	if (!s->has_prefix6)
		return pj_fail(c, "ipv6", "VSID %u has no prefix6", s->vsid);
	rc = check_in_subnet6(c, "ipv6", ip6, s);
	if (rc == 0 && memcmp(ip6, s->gateway6, 16) == 0)
		rc = pj_fail(c, "ipv6", "%s is the gateway6 address of VSID %u", pj_ip6_fmt(ip6).s,
			s->vsid);
	if (rc == 0)
		rc = check_unique_ca6(c, s->vsid, ip6);
	if (rc == 0)
		*has_ipv6 = true;
	return rc;
}
