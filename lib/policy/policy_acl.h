/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_acl.h: what policy.c and policy_acl.c share.
 * Private to lib/policy: not installed, not part of hnv_policy.h.
 *
 * policy_acl.c reads the "acls" and "flow_timeouts" sections, policy_route.c
 * the routing domains' "routes", policy_ipv6.c the IPv6 fields of subnets,
 * VM NICs and mappings; policy.c walks
 * the document and lends it the VSID lookup the other sections use, so an ACL
 * reports a bad VSID in the same words as a VM NIC does.
 */
#ifndef HNV_POLICY_ACL_H
#define HNV_POLICY_ACL_H

#include <jansson.h>

#include "hnv_policy.h"
#include "policy_json.h"

/* ---- policy_acl.c ------------------------------------------------------- */

/** Read $.acls[@i] (an elem_fn for the optional "acls" array) into acls[n_acls]. */
int acl_parse(struct ctx *c, json_t *o, size_t i);

/** Set the flow timeout defaults, then read the optional $.flow_timeouts of @root. */
int acl_parse_flow_timeouts(struct ctx *c, json_t *root);

/* ---- policy_route.c, policy_dhcp.c ------------------------------------- */

/** Read the optional "routes" of routing domain @o (the last one read) into
 * routes[n_routes...]: prefixes and next hops as written; the next hops are
 * checked by route_resolve. */
int route_parse(struct ctx *c, json_t *o);

/** Once VM NICs and mappings are read: every route's next hop must be a CA
 * of its routing domain; records its VSID. */
int route_resolve(struct ctx *c);

/** Read the optional "dhcp" object of @subnet (the subnet being read,
 * subnets[n_subnets]) into its model; sets *@has_dhcp when present. */
int dhcp_parse_subnet(struct ctx *c, json_t *subnet, bool *has_dhcp);

/** Read an optional boolean field @key of @o into *@out (left as is when absent). */
int policy_opt_bool(struct ctx *c, json_t *o, const char *key, bool *out);

/* ---- policy_ipv6.c ------------------------------------------------------ */

/** Read the optional "prefix6" and "gateway6" of subnet @o into @s (the
 * subnet being read, its VSID and RDID set, not yet counted in n_subnets). */
int ipv6_parse_subnet(struct ctx *c, json_t *o, struct hnv_subnet_cfg *s);

/** Read the optional "ipv6" of VM NIC or mapping @o, a CA of subnet @s (the
 * entry being read, not yet counted); sets *@has_ipv6 when present. */
int ipv6_parse_ca(
	struct ctx *c, json_t *o, const struct hnv_subnet_cfg *s, bool *has_ipv6, uint8_t ip6[16]);

/* ---- policy.c ----------------------------------------------------------- */

/** Read field "vsid" of @o: in range and a VSID of some subnet, returned in *@s. */
int policy_find_vsid(struct ctx *c, json_t *o, const struct hnv_subnet_cfg **s);

/** "$.vm_nics[i]" or "$.mappings[i]" of @where (an index, PIDX_MAPPING
 * set for a mapping), for "also at". */
void policy_where_path(uint32_t where, char *buf, size_t size);

/** Put @p key into index @p ix with the entry being read (c->where) as
 * its value, unless it is there; in a delta read, it must not be in
 * @p base either unless the delta replaces the entry that has it.
 * @return as pidx_put: the value it already had, -1 if it was added,
 *         below -1 on ENOMEM */
int64_t policy_claim(struct ctx *c, struct pidx *ix, const struct pidx *base, const void *key);

/** Is @ip a CA of a VM NIC or mapping of @vsid read so far? */
bool policy_is_ca(const struct ctx *c, uint32_t vsid, rte_be32_t ip);

/** "$.routing_domains[i].subnets[j]" of accepted subnet @k, for "also at". */
void policy_subnet_path(const struct hnv_policy *p, unsigned int k, char *buf, size_t size);

#endif /* HNV_POLICY_ACL_H */
