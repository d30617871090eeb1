/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: the HNV policy -> VFP program compiler (policy_compile.h).
 *
 * Validation already happened in policy.c; what can still fail here is what
 * depends on the engine (capacity, a PA off every PA subnet with no gateway),
 * and those errors carry the JSON path of the object that caused them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>

#include "policy_compile.h"

static int
fail(char *err, size_t errlen, const struct hnv_policy *pol, const char *path, int rc)
{
	const char *why;

	if (rc == -ENOMEM) {
		/* Not the policy's fault: say so rather than blame a JSON path. */
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
				"%s: out of memory building the program (give EAL more with -m, "
				"or hugepages)",
				pol->source);
		return rc;
	}
	switch (rc) {
	case -EHOSTUNREACH:
		why = "PA is on none of our PA subnets of its family and host.gateway (gateway6 "
		      "for IPv6) is not set";
		break;
	case -ENOSPC:
		why = "table full";
		break;
	case -EEXIST:
		why = "duplicate entry";
		break;
	case -ENOENT:
		why = "unknown VSID";
		break;
	default:
		why = strerror(-rc);
		break;
	}
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s: %s", pol->source, path, why);
	return rc;
}

/* A group of @dir holding one catch-all rule @name with the one @action. */
static int
group_of_one(struct vfp_program *p, uint16_t port, int layer, const char *group_name, uint8_t dir,
	const char *name, uint8_t action)
{
	int group = vfp_group_add(p, port, layer, group_name, 10, dir, VFP_FAMILY_ANY);
	struct vfp_rule_spec r;

	if (group < 0)
		return group;
	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.priority = 1;
	r.n_actions = 1;
	r.actions[0].type = action;
	return vfp_rule_add(p, port, layer, group, &r);
}

static rte_be32_t
mask_be(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
}

/* One ACL rule (R9) as a VFP rule. */
static void
acl_rule_spec(const struct hnv_acl_rule_cfg *a, struct vfp_rule_spec *r)
{
	struct vfp_match *m = &r->match;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", a->name);
	r->priority = a->priority;
	r->flags = a->stateful ? VFP_RULE_STATEFUL : 0;
	r->n_actions = 1;
	r->actions[0].type = a->action == HNV_ACL_DENY ? VFP_ACT_BLOCK : VFP_ACT_ALLOW;
	if (a->src_len > 0) {
		m->fields |= VFP_MATCH_SRC_IP;
		m->src_mask = mask_be(a->src_len);
		m->src_ip = a->src_prefix & m->src_mask;
	}
	if (a->dst_len > 0) {
		m->fields |= VFP_MATCH_DST_IP;
		m->dst_mask = mask_be(a->dst_len);
		m->dst_ip = a->dst_prefix & m->dst_mask;
	}
	/* IPv6 prefixes: the model's have their host bits zero already. */
	if (a->src6_len > 0) {
		m->fields |= VFP_MATCH_SRC_IP6;
		memcpy(m->src6, a->src6, sizeof(m->src6));
		m->src6_len = a->src6_len;
	}
	if (a->dst6_len > 0) {
		m->fields |= VFP_MATCH_DST_IP6;
		memcpy(m->dst6, a->dst6, sizeof(m->dst6));
		m->dst6_len = a->dst6_len;
	}
	if (a->protocol >= 0) {
		m->fields |= VFP_MATCH_PROTO;
		m->proto = (uint8_t)a->protocol;
	}
	if (a->src_port_lo != 0 || a->src_port_hi != 65535) {
		m->fields |= VFP_MATCH_SRC_PORT;
		m->sport_lo = a->src_port_lo;
		m->sport_hi = a->src_port_hi;
	}
	if (a->dst_port_lo != 0 || a->dst_port_hi != 65535) {
		m->fields |= VFP_MATCH_DST_PORT;
		m->dport_lo = a->dst_port_lo;
		m->dport_hi = a->dst_port_hi;
	}
}

/* Does rule @a belong in a group of @family? A rule with addresses belongs
 * to their family only; one without (protocol or ports only, or none: "deny
 * all" must deny IPv6 too) to both. */
static bool
acl_rule_in_family(const struct hnv_acl_rule_cfg *a, enum vfp_family family)
{
	switch (a->family) {
	case HNV_ACL_FAMILY_IPV4:
		return family == VFP_FAMILY_IPV4;
	case HNV_ACL_FAMILY_IPV6:
		return family == VFP_FAMILY_IPV6;
	default:
		return true;
	}
}

/* One direction of an ACL as a group of @family, in file order with the
 * rules' own priorities (unique per direction, so per group too). */
static int
acl_group_family(struct vfp_program *p, uint16_t port, int layer, const char *name, uint16_t prio,
	enum vfp_dir dir, enum vfp_family family, const struct hnv_acl_cfg *acl)
{
	int group = vfp_group_add(p, port, layer, name, prio, dir, family);
	if (group < 0)
		return group;
	for (unsigned int i = 0; i < acl->n_rules; i++) {
		struct vfp_rule_spec r;
		int rc;

		if (acl->rules[i].direction != dir || !acl_rule_in_family(&acl->rules[i], family))
			continue;
		acl_rule_spec(&acl->rules[i], &r);
		rc = vfp_rule_add(p, port, layer, group, &r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The ACL's rules of one direction: an IPv4 group and an IPv6 group
 * ("<name>-v6"), each with the rules of its family and those without
 * addresses. */
static int
acl_group(struct vfp_program *p, uint16_t port, int layer, const char *name, uint16_t prio,
	enum vfp_dir dir, const struct hnv_acl_cfg *acl)
{
	char v6[VFP_NAME_MAX];
	int rc = acl_group_family(p, port, layer, name, prio, dir, VFP_FAMILY_IPV4, acl);

	if (rc < 0)
		return rc;
	snprintf(v6, sizeof(v6), "%s-v6", name);
	return acl_group_family(p, port, layer, v6, prio, dir, VFP_FAMILY_IPV6, acl);
}

static const struct hnv_acl_cfg *
find_acl(const struct hnv_policy *pol, bool on_vsid, uint32_t vsid, uint16_t port)
{
	for (unsigned int i = 0; i < pol->n_acls; i++) {
		const struct hnv_acl_cfg *a = &pol->acls[i];

		if (a->on_vsid == on_vsid && (on_vsid ? a->vsid == vsid : a->port == port))
			return a;
	}
	return NULL;
}

/* The switch port id of policy port @i. */
static uint16_t
port_id(const struct hnv_compile_env *env, uint16_t i)
{
	return env->port_ids != NULL ? env->port_ids[i] : i;
}

/* The layers of the VM port of @v (see policy_compile.h). */
static int
port_layers(struct vfp_program *p, const struct hnv_policy *pol, const struct hnv_compile_env *env,
	const struct hnv_vnic_cfg *v)
{
	const struct hnv_acl_cfg *vacl = find_acl(pol, true, v->vsid, 0);
	const struct hnv_acl_cfg *pacl = find_acl(pol, false, 0, v->port);
	uint16_t port = port_id(env, v->port);
	int layer, rc;

	if (vacl != NULL || pacl != NULL) {
		layer = vfp_layer_add(p, port, "acl", HNV_LAYER_ACL, false);
		if (layer < 0)
			return layer;
		if (vacl != NULL &&
			((rc = acl_group(p, port, layer, "vsid-out", 10, VFP_DIR_OUT, vacl)) < 0 ||
				(rc = acl_group(p, port, layer, "vsid-in", 10, VFP_DIR_IN, vacl)) <
					0))
			return rc;
		if (pacl != NULL &&
			((rc = acl_group(p, port, layer, "port-out", 20, VFP_DIR_OUT, pacl)) < 0 ||
				(rc = acl_group(p, port, layer, "port-in", 20, VFP_DIR_IN, pacl)) <
					0))
			return rc;
	}

	layer = vfp_layer_add(p, port, "vnet", HNV_LAYER_VNET, false);
	if (layer < 0)
		return layer;
	if ((rc = group_of_one(p, port, layer, "vnet-out", VFP_DIR_OUT, "map", VFP_ACT_MAP)) < 0 ||
		(rc = group_of_one(p, port, layer, "vnet-in", VFP_DIR_IN, "decap", VFP_ACT_DECAP)) <
			0)
		return rc;

	layer = vfp_layer_add(p, port, "router", HNV_LAYER_ROUTER, false);
	if (layer < 0)
		return layer;
	rc = group_of_one(p, port, layer, "router-out", VFP_DIR_OUT, "route", VFP_ACT_ROUTE);
	if (rc < 0)
		return rc;

	layer = vfp_layer_add(p, port, "pa-route", HNV_LAYER_PA_ROUTE, false);
	if (layer < 0)
		return layer;
	rc = group_of_one(p, port, layer, "pa-out", VFP_DIR_OUT, "route", VFP_ACT_ROUTE_PA);
	return rc < 0 ? rc : 0;
}

/* The CA tables of the program: the policy's VM NICs and mappings with a
 * quarter more and 1024 beside (what the policy holds is known; the room
 * is for what the next reload adds before it compiles its own), and at
 * least what the environment asks. */
static void
table_sizes(
	const struct hnv_policy *pol, const struct hnv_compile_env *env, struct vfp_host_params *hp)
{
	uint64_t n = (uint64_t)pol->n_vnics + pol->n_mappings, n6 = 0;

	for (unsigned int i = 0; i < pol->n_vnics; i++)
		n6 += pol->vnics[i].has_ipv6;
	for (unsigned int i = 0; i < pol->n_mappings; i++)
		n6 += pol->mappings[i].has_ipv6;
	n = RTE_MAX(n + n / 4 + 1024, (uint64_t)env->table_size);
	n6 = n6 + n6 / 4 + 1024;
	hp->table_size = (uint32_t)RTE_MIN(n, (uint64_t)UINT32_MAX / 2);
	hp->table6_size = (uint32_t)RTE_MIN(n6, (uint64_t)hp->table_size);
	hp->route_capacity = pol->n_subnets + pol->n_routes + 16;
}

int
hnv_policy_compile(const struct hnv_policy *pol, const struct hnv_compile_env *env,
	struct vfp_switch *sw, struct vfp_program **out, char *err, size_t errlen)
{
	const struct hnv_host_cfg *h = &pol->host;
	struct vfp_host_params hp = {0};
	struct vfp_program *p;
	char path[64];
	unsigned int i;
	int rc;

	if (pol->n_ports > VFP_MAX_PORTS ||
		(env->port_ids != NULL && env->n_port_ids > VFP_MAX_PORTS))
		return fail(err, errlen, pol, "$.ports", -ENOSPC);
	hp.n_ports = env->port_ids != NULL ? env->n_port_ids : (uint16_t)pol->n_ports;
	hp.uplink = port_id(env, h->uplink);
	hp.n_uplinks = (uint16_t)h->n_uplinks;
	for (unsigned int i = 0; i < h->n_uplinks; i++) {
		hp.uplinks[i] = port_id(env, h->uplinks[i]);
		hp.uplink_macs[i] = h->has_mac ? h->macs[i] : env->uplink_macs[i];
		hp.vlans[i] = h->vlans[i];
	}
	hp.n_pa = h->n_pa;
	memcpy(hp.pa, h->pa, sizeof(h->pa[0]) * h->n_pa);
	memcpy(hp.pa_prefix_len, h->pa_prefix_len, sizeof(h->pa_prefix_len[0]) * h->n_pa);
	hp.uplink_mac = hp.uplink_macs[0];
	hp.vlan = h->vlan;
	hp.vxlan_port = h->vxlan_port;
	hp.tx_ipv4_cksum = env->tx_ipv4_cksum;
	hp.uplink_mtu = env->uplink_mtu != 0 ? env->uplink_mtu : hnv_policy_underlay_mtu(pol);
	hp.gateway = h->gateway;
	hp.gateway6 = h->gateway6;
	hp.has_gateway_mac = h->has_gateway_mac;
	hp.gateway_mac = h->gateway_mac;
	hp.router_mac = h->router_mac;
	table_sizes(pol, env, &hp);
	hp.socket_id = env->socket_id;

	p = vfp_program_create(sw, &hp);
	if (p == NULL && rte_errno == ENOMEM) {
		snprintf(err, errlen,
			"%s: not enough memory for the program's tables of %u CAs (about %zu MB; "
			"give EAL more with -m or more hugepages)",
			pol->source, hp.table_size, vfp_program_mem_estimate(&hp) >> 20);
		return -ENOMEM;
	}
	if (p == NULL)
		return fail(err, errlen, pol, "$.host", -rte_errno);

	for (i = 0; i < pol->n_subnets; i++) {
		const struct hnv_subnet_cfg *s = &pol->subnets[i];

		rc = vfp_program_add_subnet(
			p, s->vsid, s->rdid, s->prefix, s->prefix_len, s->gateway, s->encap);
		if (rc == 0)
			rc = vfp_program_set_flood_limit(p, s->vsid, s->flood_limit);
		if (rc == 0 && s->has_dhcp)
			rc = vfp_program_set_dhcp(p, s->vsid, &s->dhcp);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.routing_domains[?].subnets[vsid=%u]",
				s->vsid);
			goto error;
		}
	}
	for (i = 0; i < pol->n_subnets; i++) {
		const struct hnv_subnet_cfg *s = &pol->subnets[i];

		rc = s->has_prefix6 ? vfp_program_set_subnet6(
					      p, s->vsid, s->prefix6, s->prefix6_len, s->gateway6)
				    : 0;
		if (rc < 0) {
			snprintf(path, sizeof(path),
				"$.routing_domains[?].subnets[vsid=%u].prefix6", s->vsid);
			goto error;
		}
	}
	for (i = 0; i < pol->n_vnics; i++) {
		const struct hnv_vnic_cfg *v = &pol->vnics[i];

		rc = vfp_program_add_vnic(p, port_id(env, v->port), v->vsid, &v->mac, v->ip);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.vm_nics[%u]", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_mappings; i++) {
		const struct hnv_mapping_cfg *m = &pol->mappings[i];

		if (i % 4096 == 0 && env->cancel != NULL && atomic_load(env->cancel)) {
			vfp_program_free(p);
			snprintf(err, errlen, "%s: cancelled", pol->source);
			return -ECANCELED;
		}
		rc = vfp_program_add_mapping(p, m->vsid, m->ca, &m->mac, m->pa);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.mappings[%u]", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_vnics; i++) {
		rc = pol->vnics[i].ip_forwarding ? vfp_program_set_ip_forwarding(
							   p, pol->vnics[i].vsid, pol->vnics[i].ip)
						 : 0;
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.vm_nics[%u].ip_forwarding", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_mappings; i++) {
		const struct hnv_mapping_cfg *m = &pol->mappings[i];

		rc = m->ip_forwarding ? vfp_program_set_ip_forwarding(p, m->vsid, m->ca) : 0;
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.mappings[%u].ip_forwarding", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_vnics; i++) {
		const struct hnv_vnic_cfg *v = &pol->vnics[i];

		rc = v->has_ipv6 ? vfp_program_set_ipv6(p, v->vsid, v->ip, v->ipv6) : 0;
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.vm_nics[%u].ipv6", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_mappings; i++) {
		const struct hnv_mapping_cfg *m = &pol->mappings[i];

		rc = m->has_ipv6 ? vfp_program_set_ipv6(p, m->vsid, m->ca, m->ipv6) : 0;
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.mappings[%u].ipv6", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_routes; i++) {
		const struct hnv_route_cfg *r = &pol->routes[i];

		rc = vfp_program_add_route(p, r->rdid, r->prefix, r->prefix_len, r->nh_vsid,
			r->drop ? 0 : r->next_hop);
		if (rc < 0) {
			unsigned int j = 0; /* its index within its domain */

			while (j < i && pol->routes[i - j - 1].rdid == r->rdid)
				j++;
			snprintf(path, sizeof(path), "$.routing_domains[rdid=%u].routes[%u]",
				r->rdid, j);
			goto error;
		}
	}
	for (i = 0; i < pol->n_vnics; i++) {
		rc = port_layers(p, pol, env, &pol->vnics[i]);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.vm_nics[%u]", i);
			goto error;
		}
	}
	*out = p;
	return 0;
error:
	vfp_program_free(p);
	return fail(err, errlen, pol, path, rc);
}
