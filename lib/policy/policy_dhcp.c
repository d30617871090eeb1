/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_dhcp.c: a subnet's DHCP ($.routing_domains[].subnets[]
 * .dhcp), beyond the document: with it, dpdk-hnv answers the DHCP of the
 * subnet's VMs from the policy (each VM NIC gets its CA; the subnet gives
 * mask, gateway and broadcast address; this object the lease time, DNS
 * servers and domain name).
 *
 * Owns: reading and checking that object into the engine's struct
 * vfp_dhcp_params (one vocabulary: the model uses the engine's struct).
 */
#include <ctype.h>
#include <string.h>

#include "policy_acl.h"

#define LEASE_MIN 60
#define LEASE_DEFAULT 86400
#define DOMAIN_MAX 63

/* A DNS domain name: labels of letters, digits and hyphens, 1..63 bytes
 * each, joined by single dots; a hyphen neither starts nor ends a label. */
static bool
domain_ok(const char *d)
{
	size_t label = 0;

	for (const char *q = d;; q++) {
		if (*q == '.' || *q == '\0') {
			if (label == 0 || q[-1] == '-')
				return false;
			if (*q == '\0')
				return true;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*q) && !(*q == '-' && label > 0))
			return false;
		if (++label > 63)
			return false;
	}
}

static int
parse_dns(struct ctx *c, json_t *o, struct vfp_dhcp_params *d)
{
	json_t *arr, *v;
	size_t i;
	int rc;

	if (json_object_get(o, "dns_servers") == NULL)
		return 0;
	rc = pj_get_array(c, o, "dns_servers", 0, VFP_DHCP_MAX_DNS, &arr);
	if (rc != 0)
		return rc; /* arr is not set */
	json_array_foreach(arr, i, v)
	{
		size_t old;

		if (rc != 0)
			break;
		old = pj_path_push(c, ".dns_servers[%zu]", i);
		rc = pj_v_ipv4(c, NULL, v, &d->dns[i]);
		if (rc == 0 && !pj_ipv4_is_unicast(d->dns[i]))
			rc = pj_fail(c, NULL, "%s is not a unicast IPv4 address",
				pj_ip_fmt(d->dns[i]).s);
		pj_path_pop(c, old);
		d->n_dns = (unsigned int)i + 1;
	}
	return rc;
}

static int
parse_dhcp(struct ctx *c, json_t *o)
{
	static const struct field fields[] = {
		{"lease_time", false}, {"dns_servers", false}, {"domain_name", false}};
	struct vfp_dhcp_params *d = &c->p->subnets[c->p->n_subnets].dhcp;
	long long lease = LEASE_DEFAULT;
	json_t *v;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0 && (v = json_object_get(o, "lease_time")) != NULL)
		rc = pj_v_int(c, "lease_time", v, "lease time", LEASE_MIN, UINT32_MAX, &lease);
	d->lease_s = (uint32_t)lease;
	if (rc == 0)
		rc = parse_dns(c, o, d);
	if (rc == 0 && (v = json_object_get(o, "domain_name")) != NULL) {
		rc = pj_v_str(c, "domain_name", v, d->domain, DOMAIN_MAX + 1);
		if (rc == 0 && !domain_ok(d->domain))
			rc = pj_fail(c, "domain_name",
				"'%s' is not a domain name (labels of letters, digits and "
				"hyphens, joined by dots)",
				d->domain);
	}
	return rc;
}

int
dhcp_parse_subnet(struct ctx *c, json_t *subnet, bool *has_dhcp)
{
	if (json_object_get(subnet, "dhcp") == NULL)
		return 0;
	*has_dhcp = true;
	return pj_with_object(c, subnet, "dhcp", parse_dhcp);
}
