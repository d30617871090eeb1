/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the switch's layout (vfp_switch.c): the published program, RCU,
 * the UFT, flow timeouts, the generation slots by which flows notice that
 * what they were built from changed, and the PA next-hop entries shared by
 * the programs that need them. Slots and next-hop entries are
 * reference-counted by the published programs (at most two at a time:
 * the one in force and the one being swapped in) and freed with the last.
 */
#ifndef HNV_VFP_SW_H
#define HNV_VFP_SW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "arp_proxy.h"
#include "vfp_flow.h"
#include "vfp_prog.h"
#include "vfp_uft.h"

/* Room for two programs' worth of distinct VSIDs and next hops: the old and
 * the new program hold their references at the same time during a swap. */
#define VFP_SW_NEIGH (2 * VFP_MAX_NEIGH)
#define VFP_SW_VSIDS (2 * VFP_MAX_SUBNETS)

/* Generation slots. A flow records the generation of each slot it depends
 * on; a hit on a flow whose generations are not all current re-walks. */
#define VFP_SLOT_GLOBAL 0                           /* host parameters */
#define VFP_SLOT_PORT(p) (1 + (p))                  /* a port's layers */
#define VFP_SLOT_NEIGH(n) (1 + VFP_MAX_PORTS + (n)) /* a next-hop entry's MAC */
#define VFP_SLOT_VSID_BASE (1 + VFP_MAX_PORTS + VFP_SW_NEIGH)
/* The remote mappings, by bucket (vfp_entry.bucket): a flow that used a
 * remote CA depends on its bucket, so a changed mapping re-walks the flows
 * of about 1/VFP_MAP_BUCKETS of the remote CAs, not its whole VSID. */
#define VFP_SLOT_MAP(b) (VFP_SLOT_VSID_BASE + VFP_SW_VSIDS + (b))
#define VFP_N_SLOTS (VFP_SLOT_VSID_BASE + VFP_SW_VSIDS + VFP_MAP_BUCKETS)

_Static_assert(VFP_N_SLOTS < VFP_NONE, "slot ids must fit in 16 bits");

/* Timeouts by class, TCP by state (see vfp_aging.c). */
enum {
	VFP_TOI_OTHER,
	VFP_TOI_UDP,
	VFP_TOI_ICMP,
	VFP_TOI_TCP_NONE,
	VFP_TOI_TCP_SYN,
	VFP_TOI_TCP_EST,
	VFP_TOI_TCP_CLOSING,
	VFP_TOI_DROP,
	VFP_TOI_N
};

/* A PA next hop as the data path sees it. */
struct vfp_neigh {
	struct arp_proxy_neigh n; /* IP, MAC (atomic word), request rate limit */
	uint8_t member;           /* the team member it is resolved on */
	uint16_t refs;            /* published programs using it; 0 = free */
	bool pinned;              /* MAC fixed by the policy in force */
};

struct vfp_switch {
	struct vfp_program *prog; /* published; read with an acquire load */
	uint64_t n_published;     /* publishes so far: a program's seq (vfp_derive.c) */
	struct rte_rcu_qsbr *qsbr;
	unsigned int n_lcores;
	int socket_id;
	struct vfp_uft uft;
	uint64_t timeout_tsc[VFP_TOI_N];
	uint64_t tsc_hz;

	/* Generations, by slot; bumped by the control plane (publish) and by
	 * workers (next-hop MAC changes). */
	uint32_t gens[VFP_N_SLOTS];
	uint16_t vsid_refs[VFP_SW_VSIDS];
	uint8_t port_down[VFP_MAX_PORTS]; /* vfp_switch_set_link; read by workers */
	uint8_t team_port[VFP_MAX_PORTS]; /* a member of the published program's team of 2+ */
	struct vfp_neigh neigh[VFP_SW_NEIGH];
};

static inline uint32_t
vfp_gen(const struct vfp_switch *sw, uint16_t slot)
{
	return __atomic_load_n(&sw->gens[slot], __ATOMIC_ACQUIRE);
}

static inline void
vfp_gen_bump(struct vfp_switch *sw, uint16_t slot)
{
	__atomic_fetch_add(&sw->gens[slot], 1, __ATOMIC_RELEASE);
}

/* Was @f built from what is in force now? */
static inline bool
vfp_flow_current(const struct vfp_switch *sw, const struct vfp_flow *f)
{
	if (f->gen_global != vfp_gen(sw, VFP_SLOT_GLOBAL))
		return false;
	for (unsigned int i = 0; i < VFP_FLOW_DEPS; i++)
		if (f->dep_slot[i] != VFP_NONE && f->dep_gen[i] != vfp_gen(sw, f->dep_slot[i]))
			return false;
	return true;
}

/* vfp_switch.c: program resources. Unbinding is vfp_program_free's part. */
void vfp_switch_unbind(struct vfp_switch *sw, struct vfp_program *p);

/* vfp_switch.c: record a MAC learned for next-hop entry @slot (workers);
 * flows whose outer header names the old MAC are re-walked. */
void vfp_neigh_learn(struct vfp_switch *sw, uint16_t slot, const struct rte_ether_addr *mac);

/* vfp_aging.c: the idle timeout of @f in TSC cycles. */
uint64_t vfp_flow_timeout(const struct vfp_switch *sw, const struct vfp_flow *f);

#endif /* HNV_VFP_SW_H */
