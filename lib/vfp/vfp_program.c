/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: building a compiled program (vfp_program_*).
 *
 * Owns the tables of a program: subnets by VSID, CAs by (VSID, MAC) and by
 * (VSID, IP), the PA next-hop list, and the precomputed outer header of each
 * remote CA. Everything here runs on the control plane before a program is
 * published; workers only read the result.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "vfp_private.h"

#define VFP_DEFAULT_TABLE 65536
#define VFP_MAX_SUBNETS 4096

static struct rte_hash *
table_create(const char *what, uint32_t entries, uint32_t key_len, int socket)
{
	static unsigned int seq;
	struct rte_hash_parameters hp = {0};
	char name[RTE_HASH_NAMESIZE];

	/* rte_hash names are global to the process; programs come and go. */
	snprintf(name, sizeof(name), "vfp_%s_%u", what,
	        __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	hp.name = name;
	hp.entries = entries;
	hp.key_len = key_len;
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	return rte_hash_create(&hp);
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

struct vfp_program *
vfp_program_create(const struct vfp_host_params *hp)
{
	struct vfp_program *p;
	uint32_t size;

	if (hp == NULL || hp->n_ports == 0 || hp->n_ports > VFP_MAX_PORTS ||
	        hp->uplink >= hp->n_ports || hp->n_pa == 0 || hp->n_pa > VFP_MAX_PA ||
	        hp->vlan > 4094) {
		rte_errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < hp->n_pa; i++) {
		if (hp->pa_prefix_len[i] > 32) {
			rte_errno = EINVAL;
			return NULL;
		}
	}
	p = rte_zmalloc_socket("vfp_program", sizeof(*p), RTE_CACHE_LINE_SIZE, hp->socket_id);
	if (p == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	p->hp = *hp;
	p->mtu = hp->uplink_mtu ? hp->uplink_mtu : 1500;
	size = hp->table_size ? hp->table_size : VFP_DEFAULT_TABLE;
	p->ports[hp->uplink].role = VFP_PORT_UPLINK;
	p->max_entries = size;
	p->max_subnets = VFP_MAX_SUBNETS;
	p->entries = rte_zmalloc_socket(
	        "vfp_entries", sizeof(*p->entries) * size, RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->subnets = rte_zmalloc_socket("vfp_subnets", sizeof(*p->subnets) * p->max_subnets,
	        RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->subnet_h = table_create("sn", p->max_subnets, sizeof(uint32_t), hp->socket_id);
	p->l2_h = table_create("l2", size, sizeof(struct vfp_l2_key), hp->socket_id);
	p->arp_h = table_create("arp", size, sizeof(struct vfp_ip_key), hp->socket_id);
	if (p->entries == NULL || p->subnets == NULL || p->subnet_h == NULL || p->l2_h == NULL ||
	        p->arp_h == NULL) {
		vfp_program_free(p);
		rte_errno = ENOMEM;
		return NULL;
	}
	return p;
}

void
vfp_program_free(struct vfp_program *p)
{
	if (p == NULL)
		return;
	rte_hash_free(p->subnet_h);
	rte_hash_free(p->l2_h);
	rte_hash_free(p->arp_h);
	rte_free(p->entries);
	rte_free(p->subnets);
	rte_free(p);
}

int
vfp_program_add_subnet(struct vfp_program *p, uint32_t vsid, uint32_t rdid, rte_be32_t prefix,
        uint8_t prefix_len, rte_be32_t gateway, enum encap_type encap)
{
	struct vfp_subnet *s;
	int rc;

	if (vsid < ENCAP_VSID_MIN || vsid > ENCAP_VSID_MAX || prefix_len > 32 ||
	        (encap != ENCAP_TYPE_VXLAN && encap != ENCAP_TYPE_NVGRE))
		return -EINVAL;
	if (vfp_subnet_lookup(p, vsid) != NULL)
		return -EEXIST;
	if (p->n_subnets == p->max_subnets)
		return -ENOSPC;
	s = &p->subnets[p->n_subnets];
	s->vsid = vsid;
	s->rdid = rdid;
	s->prefix = prefix;
	s->prefix_len = prefix_len;
	s->gateway = gateway;
	s->encap = encap;
	rc = rte_hash_add_key_data(p->subnet_h, &vsid, s);
	if (rc < 0)
		return rc;
	p->n_subnets++;
	return 0;
}

/* Can (vsid, mac, ip) become a new entry? */
static int
entry_check(const struct vfp_program *p, const struct vfp_subnet *s,
        const struct rte_ether_addr *mac, rte_be32_t ip)
{
	if (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	if (vfp_l2_lookup(p, s->vsid, mac) != NULL || vfp_arp_lookup(p, s->vsid, ip) != NULL)
		return -EEXIST;
	if (p->n_entries == p->max_entries)
		return -ENOSPC;
	return 0;
}

/* Claim a new entry and index it by (vsid, mac) and (vsid, ip). */
static int
entry_add(struct vfp_program *p, const struct vfp_subnet *s, const struct rte_ether_addr *mac,
        rte_be32_t ip, struct vfp_entry **out)
{
	struct vfp_l2_key lk = {.vsid = s->vsid, .mac = *mac, .pad = 0};
	struct vfp_ip_key ik = {.vsid = s->vsid, .ip = ip};
	struct vfp_entry *e;
	int rc;

	rc = entry_check(p, s, mac, ip);
	if (rc < 0)
		return rc;
	e = &p->entries[p->n_entries];
	memset(e, 0, sizeof(*e));
	e->vsid = s->vsid;
	e->ip = ip;
	e->mac = *mac;
	e->subnet = s;
	rc = rte_hash_add_key_data(p->l2_h, &lk, e);
	if (rc < 0)
		return rc;
	rc = rte_hash_add_key_data(p->arp_h, &ik, e);
	if (rc < 0) {
		rte_hash_del_key(p->l2_h, &lk);
		return rc;
	}
	p->n_entries++;
	*out = e;
	return 0;
}

int
vfp_program_add_vnic(struct vfp_program *p, uint16_t port, uint32_t vsid,
        const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);
	struct vfp_entry *e;
	int rc;

	if (port >= p->hp.n_ports || port == p->hp.uplink)
		return -EINVAL;
	if (s == NULL)
		return -ENOENT;
	if (p->ports[port].role != VFP_PORT_UNUSED)
		return -EEXIST;
	rc = entry_add(p, s, mac, ip, &e);
	if (rc < 0)
		return rc;
	e->kind = VFP_ENTRY_LOCAL;
	e->port = port;
	p->ports[port].role = VFP_PORT_VM;
	p->ports[port].vnic = e;
	s->local_ports[s->n_local++] = port;
	return 0;
}

/* Index of the neighbor through which @pa is reached, created on demand. */
static int
neigh_for(struct vfp_program *p, rte_be32_t pa)
{
	rte_be32_t nh = 0;
	unsigned int i;

	for (i = 0; i < p->hp.n_pa; i++) {
		uint32_t m = rte_cpu_to_be_32(prefix_mask(p->hp.pa_prefix_len[i]));

		if ((pa & m) == (p->hp.pa[i] & m)) {
			nh = pa;
			break;
		}
	}
	if (nh == 0)
		nh = p->hp.gateway;
	if (nh == 0)
		return -EHOSTUNREACH;
	for (i = 0; i < p->n_neigh; i++)
		if (p->neigh[i].ip == nh)
			return (int)i;
	if (p->n_neigh == VFP_MAX_NEIGH)
		return -ENOSPC;
	arp_proxy_neigh_init(&p->neigh[p->n_neigh], nh);
	if (nh == p->hp.gateway && p->hp.has_gateway_mac) {
		arp_proxy_neigh_update(&p->neigh[p->n_neigh], &p->hp.gateway_mac);
		p->neigh_static[p->n_neigh] = true;
	}
	return (int)p->n_neigh++;
}

int
vfp_program_add_mapping(struct vfp_program *p, uint32_t vsid, rte_be32_t ca,
        const struct rte_ether_addr *mac, rte_be32_t pa)
{
	const struct vfp_subnet *s = vfp_subnet_lookup(p, vsid);
	struct encap_outer o = {0};
	struct vfp_entry *e;
	int nh, rc;

	if (s == NULL)
		return -ENOENT;
	if (pa == 0 || vfp_is_our_pa(p, pa))
		return -EINVAL;
	/* Check before neigh_for() so that a refused mapping leaves no next hop. */
	rc = entry_check(p, s, mac, ca);
	if (rc < 0)
		return rc;
	nh = neigh_for(p, pa);
	if (nh < 0)
		return nh;
	rc = entry_add(p, s, mac, ca, &e);
	if (rc < 0)
		return rc;
	e->kind = VFP_ENTRY_REMOTE;
	e->pa = pa;
	e->neigh = (uint16_t)nh;
	/* Everything but the next-hop MAC (resolved at run time) and the
	 * per-flow entropy is fixed now. */
	o.src_mac = p->hp.uplink_mac;
	o.vlan_id = p->hp.vlan;
	o.src_ip = p->hp.pa[0];
	o.dst_ip = pa;
	return encap_template_build(&e->tmpl, (enum encap_type)s->encap, &o, vsid, 0);
}

enum vfp_port_role
vfp_program_port_role(const struct vfp_program *p, uint16_t port)
{
	return port < VFP_MAX_PORTS ? (enum vfp_port_role)p->ports[port].role : VFP_PORT_UNUSED;
}

uint16_t
vfp_program_n_ports(const struct vfp_program *p)
{
	return p->hp.n_ports;
}
