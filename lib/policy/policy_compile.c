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

#include <rte_errno.h>

#include "policy_compile.h"

static int
fail(char *err, size_t errlen, const struct hnv_policy *pol, const char *path, int rc)
{
	const char *why;

	switch (rc) {
	case -EHOSTUNREACH:
		why = "PA is on none of our PA subnets and host.gateway is not set";
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

int
hnv_policy_compile(const struct hnv_policy *pol, const struct hnv_compile_env *env,
        struct vfp_program **out, char *err, size_t errlen)
{
	const struct hnv_host_cfg *h = &pol->host;
	struct vfp_host_params hp = {0};
	struct vfp_program *p;
	char path[64];
	unsigned int i;
	int rc;

	if (pol->n_ports > VFP_MAX_PORTS)
		return fail(err, errlen, pol, "$.ports", -ENOSPC);
	hp.n_ports = (uint16_t)pol->n_ports;
	hp.uplink = h->uplink;
	hp.n_pa = h->n_pa;
	memcpy(hp.pa, h->pa, sizeof(h->pa[0]) * h->n_pa);
	memcpy(hp.pa_prefix_len, h->pa_prefix_len, sizeof(h->pa_prefix_len[0]) * h->n_pa);
	hp.uplink_mac = h->has_mac ? h->mac : env->uplink_mac;
	hp.vlan = h->vlan;
	hp.uplink_mtu = env->uplink_mtu;
	hp.gateway = h->gateway;
	hp.has_gateway_mac = h->has_gateway_mac;
	hp.gateway_mac = h->gateway_mac;
	hp.router_mac = h->router_mac;
	hp.table_size = env->table_size;
	hp.socket_id = env->socket_id;

	p = vfp_program_create(&hp);
	if (p == NULL)
		return fail(err, errlen, pol, "$.host", -rte_errno);

	for (i = 0; i < pol->n_subnets; i++) {
		const struct hnv_subnet_cfg *s = &pol->subnets[i];

		rc = vfp_program_add_subnet(p, s->vsid, s->rdid, s->prefix, s->prefix_len,
		        s->gateway,
		        s->encap == HNV_ENCAP_NVGRE ? ENCAP_TYPE_NVGRE : ENCAP_TYPE_VXLAN);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.routing_domains[?].subnets[vsid=%u]",
			        s->vsid);
			goto error;
		}
	}
	for (i = 0; i < pol->n_vnics; i++) {
		const struct hnv_vnic_cfg *v = &pol->vnics[i];

		rc = vfp_program_add_vnic(p, v->port, v->vsid, &v->mac, v->ip);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.vm_nics[%u]", i);
			goto error;
		}
	}
	for (i = 0; i < pol->n_mappings; i++) {
		const struct hnv_mapping_cfg *m = &pol->mappings[i];

		rc = vfp_program_add_mapping(p, m->vsid, m->ca, &m->mac, m->pa);
		if (rc < 0) {
			snprintf(path, sizeof(path), "$.mappings[%u]", i);
			goto error;
		}
	}
	*out = p;
	return 0;
error:
	vfp_program_free(p);
	return fail(err, errlen, pol, path, rc);
}
