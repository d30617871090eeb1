/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the switch (vfp_switch_*): program publication, grace periods
 * for the control plane (vfp_switch_synchronize), generations, and the
 * switch-side resources programs share: generation slots for VSIDs and PA
 * next-hop entries.
 *
 * Why generations: a flow entry is a cached result of walking the layers
 * with one program. When a new program is published, each flow must learn
 * whether what it was built from changed, without the control plane
 * touching a million entries. Every flow records, at creation, the
 * generation of the global slot, of its ports' layers, of its VSID's
 * mappings and of its PA next hop; publishing compares the fingerprints of
 * the old and new programs and bumps only the slots that differ; a hit on a
 * flow with an old generation re-walks the layers for that flow alone.
 * Ports are compared one by one, a port that only one program has counting
 * as unused in the other, so that a VM's port coming or going re-walks the
 * flows through that port and no others.
 *
 * Why binding at publish: compiling a policy must leave no trace when the
 * result is refused. A program lists the VSIDs and next hops it needs;
 * vfp_switch_publish gives it slots and entries (the ones the running
 * program uses for the same VSID or next-hop address, else free ones) and
 * counts the reference; freeing a published program drops its references,
 * and the last one frees the slot or entry. Two programs are alive at most
 * (the one in force and its successor), so there is room for two full
 * programs.
 *
 * Ordering: publish binds, stores the new program, waits for a grace
 * period (after which no worker can still be walking the old one), and
 * only then bumps the generations. A flow built from the old program
 * therefore always carries an old generation; a flow built from the new
 * program before the bump is re-walked once, harmlessly.
 *
 * A derived program (vfp_derive.c) shares the old program's CA tables, so
 * its publish changes what workers walking the old program read: after
 * binding, it copies its new next hops into the old program, applies its
 * keys (a moved CA's data pointer replaced in one store, the deleted keys
 * removed with their slots still taken), stores the new replication lists,
 * and only then the program; the grace period and the bumps follow as
 * above, and only after them are the deleted keys' slots, the retired
 * entries and the old lists freed. A worker walking the old program
 * during the apply may therefore find a new entry (its next hop is bound
 * and copied, so the walk is sound) or still the old one; either way its
 * flow records the generation of the entry's bucket from before the bump,
 * and the bucket is bumped if the mapping changed at all (its fingerprint,
 * vfp_entry_fingerprint), so the flow is re-walked with the new program on
 * its next packet. A flow cannot
 * record the bumped generation having seen the old entry: a walk that
 * began before the store of the new program ends before the grace period
 * does, and a walk that began after it sees only the new keys. What a
 * flow keeps is bytes (its transposition), never an entry, so a retired
 * entry's slot is reusable once no walk can hold it.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vfp_derive.h"
#include "vfp_sw.h"

struct vfp_switch *
vfp_switch_create(const struct vfp_switch_params *params)
{
	static const struct vfp_timeouts defaults; /* all 0: the defaults */
	struct vfp_switch *sw;
	size_t qsz;
	uint32_t cap;

	if (params == NULL || params->n_lcores == 0 || params->n_lcores > VFP_MAX_LCORES) {
		rte_errno = EINVAL;
		return NULL;
	}
	cap = params->flow_capacity ? params->flow_capacity : VFP_DEFAULT_FLOWS;
	sw = rte_zmalloc_socket("vfp_switch", sizeof(*sw), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (sw == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	sw->n_lcores = params->n_lcores;
	sw->socket_id = params->socket_id;
	sw->tsc_hz = rte_get_tsc_hz();
	qsz = rte_rcu_qsbr_get_memsize(params->n_lcores);
	sw->qsbr = rte_zmalloc_socket("vfp_qsbr", qsz, RTE_CACHE_LINE_SIZE, params->socket_id);
	if (sw->qsbr == NULL || rte_rcu_qsbr_init(sw->qsbr, params->n_lcores) != 0)
		goto fail;
	if (vfp_uft_init(&sw->uft, cap, params->socket_id, sw->qsbr) != 0)
		goto fail;
	vfp_switch_set_timeouts(sw, &defaults);
	return sw;
fail:
	vfp_uft_fini(&sw->uft);
	rte_free(sw->qsbr);
	rte_free(sw);
	rte_errno = ENOMEM;
	return NULL;
}

void
vfp_switch_free(struct vfp_switch *sw)
{
	if (sw == NULL)
		return;
	vfp_program_free(sw->prog);
	vfp_uft_fini(&sw->uft);
	rte_free(sw->qsbr);
	rte_free(sw);
}

void
vfp_switch_set_link(struct vfp_switch *sw, uint16_t port, bool up)
{
	if (port >= VFP_MAX_PORTS ||
		__atomic_exchange_n(&sw->port_down[port], !up, __ATOMIC_RELAXED) == !up)
		return;
	/* A team member went down or came back: every tunnelled flow is
	 * pinned again among the members that are up (its entry depends on
	 * its next hop's entry, which is what is bumped). */
	if (__atomic_load_n(&sw->team_port[port], __ATOMIC_RELAXED))
		for (unsigned int i = 0; i < VFP_SW_NEIGH; i++)
			if (sw->neigh[i].refs != 0)
				vfp_gen_bump(sw, (uint16_t)VFP_SLOT_NEIGH(i));
}

const struct vfp_program *
vfp_switch_program(const struct vfp_switch *sw)
{
	return __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ */
/* VSID slots and next-hop entries                                    */

static unsigned int
free_vsid_slots(const struct vfp_switch *sw)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VFP_SW_VSIDS; i++)
		n += sw->vsid_refs[i] == 0;
	return n;
}

static unsigned int
free_neighs(const struct vfp_switch *sw)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < VFP_SW_NEIGH; i++)
		n += sw->neigh[i].refs == 0;
	return n;
}

/* The slot of @vsid in the running program @old, or VFP_NONE. */
static uint16_t
old_vsid_slot(const struct vfp_program *old, uint32_t vsid)
{
	const struct vfp_subnet *s = old != NULL ? vfp_subnet_lookup(old, vsid) : NULL;

	return s != NULL ? s->slot : VFP_NONE;
}

/* The entry of next hop @nh (its address, on its team member) in the
 * running program @old, or VFP_NONE. */
static uint16_t
old_neigh_slot(const struct vfp_program *old, const struct vfp_nexthop *nh)
{
	if (old == NULL)
		return VFP_NONE;
	for (unsigned int i = 0; i < old->n_nh; i++)
		if (old->nh[i].ip == nh->ip && old->nh[i].member == nh->member)
			return old->nh[i].slot;
	return VFP_NONE;
}

static uint16_t
take_vsid_slot(struct vfp_switch *sw, uint16_t have)
{
	unsigned int i = 0;

	if (have == VFP_NONE) {
		while (sw->vsid_refs[i] != 0)
			i++;
		have = (uint16_t)(VFP_SLOT_VSID_BASE + i);
		/* Flows of whatever VSID held the slot before stay stale. */
		vfp_gen_bump(sw, have);
	}
	sw->vsid_refs[have - VFP_SLOT_VSID_BASE]++;
	return have;
}

/* A next-hop entry for @nh: the running program's for the same address,
 * else a free one, unresolved. The policy's MAC, if any, is set here. */
static uint16_t
take_neigh(struct vfp_switch *sw, const struct vfp_nexthop *nh, uint16_t have)
{
	struct vfp_neigh *e;

	if (have == VFP_NONE) {
		have = 0;
		while (sw->neigh[have].refs != 0)
			have++;
		arp_proxy_neigh_init(&sw->neigh[have].n, nh->ip);
		sw->neigh[have].pinned = false;
		sw->neigh[have].member = nh->member;
		vfp_gen_bump(sw, (uint16_t)VFP_SLOT_NEIGH(have));
	}
	e = &sw->neigh[have];
	e->refs++;
	if (nh->pinned) {
		vfp_neigh_learn(sw, have, &nh->mac);
	} else if (e->pinned) {
		/* The policy no longer fixes the MAC: resolve it afresh. */
		arp_proxy_neigh_init(&e->n, nh->ip);
		vfp_gen_bump(sw, (uint16_t)VFP_SLOT_NEIGH(have));
	}
	e->pinned = nh->pinned;
	return have;
}

/* Give @p slots and next-hop entries, sharing the running program's. */
static int
bind(struct vfp_switch *sw, struct vfp_program *p)
{
	const struct vfp_program *old = sw->prog;
	unsigned int need_vsid = 0, need_neigh = 0, i;

	if (p->bound)
		return -EINVAL;
	for (i = 0; i < p->n_subnets; i++)
		need_vsid += old_vsid_slot(old, p->subnets[i].vsid) == VFP_NONE;
	for (i = 0; i < p->n_nh; i++)
		need_neigh += old_neigh_slot(old, &p->nh[i]) == VFP_NONE;
	if (need_vsid > free_vsid_slots(sw) || need_neigh > free_neighs(sw))
		return -ENOSPC;
	for (i = 0; i < p->n_subnets; i++) {
		uint16_t slot = take_vsid_slot(sw, old_vsid_slot(old, p->subnets[i].vsid));

		/* A derived program's subnets are the running program's, slots
		 * included: no store into what workers read. */
		if (p->subnets[i].slot != slot)
			p->subnets[i].slot = slot;
	}
	for (i = 0; i < p->n_nh; i++)
		p->nh[i].slot = take_neigh(sw, &p->nh[i], old_neigh_slot(old, &p->nh[i]));
	p->bound = true;
	return 0;
}

void
vfp_switch_unbind(struct vfp_switch *sw, struct vfp_program *p)
{
	if (!p->bound)
		return;
	for (unsigned int i = 0; i < p->n_subnets; i++)
		sw->vsid_refs[p->subnets[i].slot - VFP_SLOT_VSID_BASE]--;
	for (unsigned int i = 0; i < p->n_nh; i++)
		sw->neigh[p->nh[i].slot].refs--;
	p->bound = false;
}

void
vfp_neigh_learn(struct vfp_switch *sw, uint16_t slot, const struct rte_ether_addr *mac)
{
	struct rte_ether_addr old;
	bool had = arp_proxy_neigh_lookup(&sw->neigh[slot].n, &old);

	if (had && rte_is_same_ether_addr(&old, mac))
		return;
	arp_proxy_neigh_update(&sw->neigh[slot].n, mac);
	/* Flows whose outer header names the old MAC are re-walked. */
	vfp_gen_bump(sw, (uint16_t)VFP_SLOT_NEIGH(slot));
}

/* ------------------------------------------------------------------ */
/* Publication                                                        */

/* The fingerprint of port @i of @p; a port beyond @p's n_ports is unused
 * there (@unused: the fingerprint of an unused port). */
static uint64_t
port_fp(const struct vfp_program *p, unsigned int i, uint64_t unused)
{
	return i < p->hp.n_ports ? p->ports[i].fingerprint : unused;
}

/* Bump the slots whose content differs between @old and @prog. */
static void
invalidate(struct vfp_switch *sw, const struct vfp_program *old, const struct vfp_program *prog)
{
	static const struct vfp_port unused_port; /* role UNUSED, no NIC, no layers */
	uint64_t unused;
	unsigned int i, n;

	if (old == NULL || old->fingerprint != prog->fingerprint) {
		vfp_gen_bump(sw, VFP_SLOT_GLOBAL);
		return;
	}
	/* Ports one by one, over the larger of the two programs: a port that
	 * appears or disappears re-walks the flows through it, no others. */
	unused = vfp_port_fingerprint(&unused_port);
	n = RTE_MAX(old->hp.n_ports, prog->hp.n_ports);
	for (i = 0; i < n; i++)
		if (port_fp(old, i, unused) != port_fp(prog, i, unused))
			vfp_gen_bump(sw, (uint16_t)VFP_SLOT_PORT(i));
	for (i = 0; i < prog->n_subnets; i++) {
		const struct vfp_subnet *s = &prog->subnets[i];
		const struct vfp_subnet *o = vfp_subnet_lookup(old, s->vsid);

		if (o == NULL || o->fingerprint != s->fingerprint)
			vfp_gen_bump(sw, s->slot);
	}
	for (i = 0; i < old->n_subnets; i++)
		if (vfp_subnet_lookup(prog, old->subnets[i].vsid) == NULL)
			vfp_gen_bump(sw, old->subnets[i].slot); /* a VSID removed */
	for (i = 0; i < VFP_MAP_BUCKETS; i++)
		if (old->map_fp[i] != prog->map_fp[i])
			vfp_gen_bump(sw, (uint16_t)VFP_SLOT_MAP(i));
}

int
vfp_switch_publish(struct vfp_switch *sw, struct vfp_program *prog)
{
	struct vfp_program *old = sw->prog;
	bool derived;
	int rc;

	if (prog == NULL || prog->sw != sw || prog->bound)
		return -EINVAL;
	derived = prog->delta != NULL;
	if (derived) {
		/* Its changes are against the program it was derived from. */
		if (old == NULL || old->seq != prog->base_seq)
			return -ESTALE;
		rc = vfp_derive_prepare(prog);
		if (rc != 0)
			return rc;
	}
	vfp_program_seal(prog);
	rc = bind(sw, prog);
	if (rc != 0)
		return rc;
	prog->seq = ++sw->n_published;
	/* From here on nothing fails. */
	if (derived)
		vfp_derive_apply(old, prog);
	for (unsigned int i = 0; old != NULL && i < old->hp.n_uplinks; i++)
		__atomic_store_n(&sw->team_port[old->hp.uplinks[i]], 0, __ATOMIC_RELAXED);
	for (unsigned int i = 0; prog->hp.n_uplinks > 1 && i < prog->hp.n_uplinks; i++)
		__atomic_store_n(&sw->team_port[prog->hp.uplinks[i]], 1, __ATOMIC_RELAXED);
	__atomic_store_n(&sw->prog, prog, __ATOMIC_RELEASE);
	/* Wait until no worker can still hold the old program. */
	vfp_switch_synchronize(sw);
	invalidate(sw, old, prog);
	if (derived)
		vfp_derive_finish(prog);
	vfp_program_free(old);
	return 0;
}

void
vfp_switch_synchronize(struct vfp_switch *sw)
{
	/* rte_rcu_qsbr_synchronize only reads the readers' counters and
	 * pauses: it needs no lcore id, so any thread may wait here. */
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
}

/* ------------------------------------------------------------------ */
/* Next hops, as the shell shows them                                 */

unsigned int
vfp_neigh_count(const struct vfp_switch *sw, unsigned int *resolved)
{
	const struct vfp_program *p = sw->prog;
	struct rte_ether_addr mac;
	unsigned int r = 0, n = p != NULL ? p->n_nh : 0;

	for (unsigned int i = 0; i < n; i++)
		if (arp_proxy_neigh_lookup(&sw->neigh[p->nh[i].slot].n, &mac))
			r++;
	if (resolved != NULL)
		*resolved = r;
	return n;
}

int
vfp_neigh_uplink(const struct vfp_switch *sw, unsigned int i)
{
	const struct vfp_program *p = sw->prog;

	if (p == NULL || i >= p->n_nh)
		return -ENOENT;
	return p->hp.uplinks[p->nh[i].member];
}

int
vfp_neigh_get(const struct vfp_switch *sw, unsigned int i, rte_be32_t *ip,
	struct rte_ether_addr *mac, bool *resolved)
{
	const struct vfp_program *p = sw->prog;

	if (p == NULL || i >= p->n_nh)
		return -ENOENT;
	*ip = p->nh[i].ip;
	memset(mac, 0, sizeof(*mac));
	*resolved = arp_proxy_neigh_lookup(&sw->neigh[p->nh[i].slot].n, mac);
	return 0;
}
