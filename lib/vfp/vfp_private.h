/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: internal layout of a compiled program, shared by the builder
 * (vfp_program.c) and the data path (vfp_pipeline.c). Not installed, not
 * included outside lib/vfp.
 */
#ifndef HNV_VFP_PRIVATE_H
#define HNV_VFP_PRIVATE_H

#include <rte_hash.h>

#include "arp_proxy.h"
#include "encap.h"
#include "vfp.h"

#define VFP_MAX_NEIGH 64

/* Hash keys: fixed size, padding zeroed by the builders. */
struct vfp_l2_key {
	uint32_t vsid;
	struct rte_ether_addr mac;
	uint16_t pad;
};

struct vfp_ip_key {
	uint32_t vsid;
	rte_be32_t ip;
};

_Static_assert(sizeof(struct vfp_l2_key) == 12, "l2 key has hidden padding");
_Static_assert(sizeof(struct vfp_ip_key) == 8, "ip key has hidden padding");

enum vfp_entry_kind {
	VFP_ENTRY_LOCAL = 1, /* a VM NIC on one of our ports */
	VFP_ENTRY_REMOTE,    /* a CA behind another host's PA */
};

struct vfp_subnet;

/* One CA of a VSID, reachable through the L2 table (by MAC) and the ARP
 * table (by IP). Remote entries carry the tunnel template, precomputed but
 * for the next-hop MAC and the entropy field. */
struct vfp_entry {
	uint8_t kind;
	uint16_t port;  /* LOCAL: switch port */
	uint16_t neigh; /* REMOTE: index of the PA next hop */
	rte_be32_t pa;  /* REMOTE: the host's PA */
	uint32_t vsid;
	rte_be32_t ip;
	struct rte_ether_addr mac;
	const struct vfp_subnet *subnet;
	struct encap_template tmpl;
};

struct vfp_subnet {
	uint32_t vsid;
	uint32_t rdid;
	rte_be32_t prefix;
	uint8_t prefix_len;
	uint8_t encap; /* enum encap_type */
	rte_be32_t gateway;
	uint16_t n_local; /* local VM ports, for inbound flood delivery */
	uint16_t local_ports[VFP_MAX_PORTS];
};

struct vfp_port {
	uint8_t role;                 /* enum vfp_port_role */
	const struct vfp_entry *vnic; /* VM: the bound NIC */
};

struct vfp_program {
	struct vfp_host_params hp;
	uint16_t mtu;
	struct vfp_port ports[VFP_MAX_PORTS];

	struct rte_hash *subnet_h; /* vsid -> struct vfp_subnet * */
	struct rte_hash *l2_h;     /* (vsid, mac) -> struct vfp_entry * */
	struct rte_hash *arp_h;    /* (vsid, ip) -> struct vfp_entry * */

	unsigned int n_subnets, max_subnets;
	struct vfp_subnet *subnets;
	unsigned int n_entries, max_entries;
	struct vfp_entry *entries;

	unsigned int n_neigh;
	struct arp_proxy_neigh neigh[VFP_MAX_NEIGH]; /* written by workers, atomically */
	bool neigh_static[VFP_MAX_NEIGH];            /* configured MAC: never relearned */
};

/* Is @ip one of our PAs? */
static inline bool
vfp_is_our_pa(const struct vfp_program *p, rte_be32_t ip)
{
	for (unsigned int i = 0; i < p->hp.n_pa; i++)
		if (p->hp.pa[i] == ip)
			return true;
	return false;
}

static inline const struct vfp_subnet *
vfp_subnet_lookup(const struct vfp_program *p, uint32_t vsid)
{
	void *data;

	if (rte_hash_lookup_data(p->subnet_h, &vsid, &data) < 0)
		return NULL;
	return data;
}

static inline const struct vfp_entry *
vfp_l2_lookup(const struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac)
{
	struct vfp_l2_key k = {.vsid = vsid, .mac = *mac, .pad = 0};
	void *data;

	if (rte_hash_lookup_data(p->l2_h, &k, &data) < 0)
		return NULL;
	return data;
}

static inline const struct vfp_entry *
vfp_arp_lookup(const struct vfp_program *p, uint32_t vsid, rte_be32_t ip)
{
	struct vfp_ip_key k = {.vsid = vsid, .ip = ip};
	void *data;

	if (rte_hash_lookup_data(p->arp_h, &k, &data) < 0)
		return NULL;
	return data;
}

#endif /* HNV_VFP_PRIVATE_H */
