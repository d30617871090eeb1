/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: derived programs, private interface (vfp_derive.c). A derived
 * program shares its base's CA tables and keeps its remote-mapping
 * changes to itself: the builders of vfp_program.c see the tables through
 * it (vfp_delta_lookup) and record new entries and keys into it; the
 * publish of vfp_switch.c applies the changes in three steps around its
 * grace period (prepare, apply, finish).
 */
#ifndef HNV_VFP_DERIVE_H
#define HNV_VFP_DERIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfp_prog.h"

/* The CA tables, as struct vfp_cas counts their room. */
enum vfp_ca_table {
	VFP_CA_L2,  /* struct vfp_l2_key: p->l2_h */
	VFP_CA_ARP, /* struct vfp_ip_key: p->arp_h */
	VFP_CA_ND,  /* struct vfp_ip6_key: p->nd_h */
	VFP_CA_TABLES
};

/* The entry of @key in table @t as derived program @p sees it: its base's
 * tables less the keys it deleted, plus those it added (*@own: one of its
 * own entries, which it may still change). */
struct vfp_entry *vfp_delta_lookup(
	const struct vfp_program *p, enum vfp_ca_table t, const void *key, bool *own);

/* Is there room in the shared tables for the new entry (@vsid, @mac, @ip)
 * of @p (a free slot of the entries array, and a key of each table)?
 * @return 0 or -ENOSPC */
int vfp_delta_room(const struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac,
	rte_be32_t ip);

/* Write a new entry of @p for (@mac, @ip) of @s into a free slot and index
 * it in @p's view (vfp_delta_room said yes). @return 0, -ENOSPC, -ENOMEM */
int vfp_delta_add_entry(struct vfp_program *p, const struct vfp_subnet *s,
	const struct rte_ether_addr *mac, rte_be32_t ip, struct vfp_entry **out);

/* Index @p's own entry @e under IPv6 key @k too. @return 0, -ENOSPC, -ENOMEM */
int vfp_delta_set_nd(struct vfp_program *p, const struct vfp_ip6_key *k, struct vfp_entry *e);

/* Free the changes of @p, a derived program that was not published
 * (nothing if it was, or is a full program): the slots it wrote go back
 * to the free list. */
void vfp_delta_free(struct vfp_program *p);

/* vfp_switch_publish of derived program @p, whose base is the switch's
 * program @base: before binding, make its replication lists (-ENOMEM,
 * nothing changed); once bound, apply its changes to the shared tables
 * (cannot fail); after the grace period, free what only workers walking
 * @base could still use and retire the entries @p deleted. */
int vfp_derive_prepare(struct vfp_program *p);
void vfp_derive_apply(struct vfp_program *base, struct vfp_program *p);
void vfp_derive_finish(struct vfp_program *p);

#endif /* HNV_VFP_DERIVE_H */
