/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_route.c: the extra routes of a routing domain
 * ($.routing_domains[].routes), beyond the document's one default gateway
 * per subnet (R6).
 *
 * Owns: reading a domain's routes (a prefix and a next hop: a CA of the
 * domain, the appliance VM that gets the packets, or "drop") and checking
 * their next hops once the VM NICs and mappings are known, since the
 * document names those after the routing domains. Prefixes are unique
 * within a domain; a route may equal or lie inside a subnet's prefix (it
 * then takes that traffic, as a user-defined route does in public clouds).
 */
#include <string.h>

#include "policy_acl.h"

int
policy_opt_bool(struct ctx *c, json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return pj_fail_type(c, key, v, "boolean");
	*out = json_is_true(v);
	return 0;
}

static int
parse_next_hop(struct ctx *c, const json_t *v, struct hnv_route_cfg *r)
{
	if (json_is_string(v) && strcmp(json_string_value(v), "drop") == 0) {
		r->drop = true;
		return 0;
	}
	if (json_is_string(v) && strchr(json_string_value(v), '.') == NULL)
		return pj_fail(c, "next_hop",
			"unknown next hop '%s' (expected an IPv4 CA or \"drop\")",
			json_string_value(v));
	return pj_v_ipv4(c, "next_hop", v, &r->next_hop);
}

static int
parse_route(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {{"prefix", true}, {"next_hop", true}};
	struct hnv_policy *p = c->p;
	struct hnv_route_cfg *r = &p->routes[p->n_routes];
	unsigned int first = p->n_routes - (unsigned int)i; /* this domain's first route */
	uint32_t mask;
	int rc;

	r->rdid = p->rds[p->n_rds - 1].rdid;
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_prefix(c, "prefix", json_object_get(o, "prefix"), 0, 32, &r->prefix,
			&r->prefix_len);
	if (rc != 0)
		return rc;
	mask = pj_mask_of(r->prefix_len);
	if ((rte_be_to_cpu_32(r->prefix) & ~mask) != 0)
		return pj_fail(c, "prefix", "%s/%u has host bits set (network is %s/%u)",
			pj_ip_fmt(r->prefix).s, r->prefix_len,
			pj_ip_fmt(rte_cpu_to_be_32(rte_be_to_cpu_32(r->prefix) & mask)).s,
			r->prefix_len);
	for (unsigned int k = first; k < p->n_routes; k++)
		if (p->routes[k].prefix == r->prefix && p->routes[k].prefix_len == r->prefix_len)
			return pj_fail(c, "prefix",
				"duplicate route %s/%u (also at "
				"$.routing_domains[%u].routes[%u].prefix)",
				pj_ip_fmt(r->prefix).s, r->prefix_len, p->n_rds - 1, k - first);
	rc = parse_next_hop(c, json_object_get(o, "next_hop"), r);
	if (rc == 0)
		p->n_routes++;
	return rc;
}

int
route_parse(struct ctx *c, json_t *o)
{
	json_t *routes;
	int rc;

	if (json_object_get(o, "routes") == NULL)
		return 0;
	rc = pj_get_array(c, o, "routes", 0, SIZE_MAX, &routes);
	return rc != 0 ? rc : pj_walk_objects(c, "routes", routes, parse_route);
}

/* The next hop of route @r: a CA of a subnet of its domain. */
static int
resolve_one(struct ctx *c, struct hnv_route_cfg *r)
{
	const struct hnv_policy *p = c->p;
	const struct hnv_subnet_cfg *s = NULL;
	uint32_t a = rte_be_to_cpu_32(r->next_hop);

	for (unsigned int i = 0; i < p->n_subnets && s == NULL; i++) {
		const struct hnv_subnet_cfg *t = &p->subnets[i];
		uint32_t m = pj_mask_of(t->prefix_len);

		if (t->rdid == r->rdid && (a & m) == rte_be_to_cpu_32(t->prefix))
			s = t;
	}
	if (s == NULL)
		return pj_fail(c, "next_hop", "%s is in none of the subnets of routing domain %u",
			pj_ip_fmt(r->next_hop).s, r->rdid);
	if (r->next_hop == s->gateway)
		return pj_fail(c, "next_hop", "%s is the gateway address of VSID %u",
			pj_ip_fmt(r->next_hop).s, s->vsid);
	if (!policy_is_ca(c, s->vsid, r->next_hop))
		return pj_fail(c, "next_hop",
			"%s is no VM of VSID %u (no VM NIC or mapping has that CA)",
			pj_ip_fmt(r->next_hop).s, s->vsid);
	r->nh_vsid = s->vsid;
	return 0;
}

int
route_resolve(struct ctx *c)
{
	struct hnv_policy *p = c->p;
	unsigned int rd = 0, j = 0;

	for (unsigned int k = 0; k < p->n_routes; k++) {
		struct hnv_route_cfg *r = &p->routes[k];
		size_t old;
		int rc;

		/* Its JSON path: routes are stored domain after domain. */
		if (k > 0 && p->routes[k - 1].rdid != r->rdid)
			j = 0;
		while (rd < p->n_rds && p->rds[rd].rdid != r->rdid)
			rd++;
		if (!r->drop) {
			old = pj_path_push(c, ".routing_domains[%u].routes[%u]", rd, j);
			rc = resolve_one(c, r);
			if (rc != 0)
				return rc;
			pj_path_pop(c, old);
		}
		j++;
	}
	return 0;
}
