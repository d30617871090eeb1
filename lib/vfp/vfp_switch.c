/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the switch (vfp_switch_*): program publication, generations,
 * PA next hops, flow aging, and the readers' RCU registration.
 *
 * Why generations: a flow entry is a cached result of walking the layers
 * with one program. When a new program is published, each flow must learn
 * whether what it was built from changed, without the control plane
 * touching a million entries. Every flow records, at creation, the
 * generation of the global slot, of its ports' layers, of its VSID's
 * mappings and of its PA next hop; publishing compares the fingerprints of
 * the old and new programs and bumps only the slots that differ; a hit on a
 * flow with an old generation re-walks the layers for that flow alone.
 *
 * Ordering: publish stores the new program, waits for a grace period (after
 * which no worker can still be walking the old one), and only then bumps
 * the generations. A flow built from the old program therefore always
 * carries an old generation; a flow built from the new program before the
 * bump is re-walked once, harmlessly.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vfp_private.h"

static const struct vfp_timeouts default_timeouts = {
	.tcp_syn = 30,
	.tcp_established = 3600,
	.tcp_closing = 10,
	.udp = 60,
	.icmp = 30,
	.other = 60,
};

enum { TO_OTHER, TO_UDP, TO_ICMP, TO_TCP_NONE, TO_TCP_SYN, TO_TCP_EST, TO_TCP_CLOSING, TO_DROP };

struct vfp_switch *
vfp_switch_create(const struct vfp_switch_params *params)
{
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
	vfp_switch_set_timeouts(sw, &default_timeouts);
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
	vfp_uft_fini(&sw->uft);
	vfp_program_free(sw->prog);
	rte_free(sw->qsbr);
	rte_free(sw);
}

const struct vfp_program *
vfp_switch_program(const struct vfp_switch *sw)
{
	return __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
}

static void
bump(struct vfp_switch *sw, uint16_t slot)
{
	__atomic_fetch_add(&sw->gens[slot], 1, __ATOMIC_RELEASE);
}

/* Fingerprint of VSID @vsid in @p, or 0 if @p does not have it. */
static uint64_t
vsid_fingerprint(const struct vfp_program *p, uint32_t vsid)
{
	const struct vfp_subnet *s = p ? vfp_subnet_lookup(p, vsid) : NULL;

	return s ? s->fingerprint : 0;
}

int
vfp_switch_publish(struct vfp_switch *sw, struct vfp_program *prog)
{
	struct vfp_program *old = sw->prog;
	unsigned int i;

	if (prog == NULL || prog->sw != sw)
		return -EINVAL;
	vfp_program_seal(prog);
	__atomic_store_n(&sw->prog, prog, __ATOMIC_RELEASE);
	/* Wait until no worker can still hold the old program. */
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);

	if (old == NULL || old->fingerprint != prog->fingerprint) {
		bump(sw, VFP_SLOT_GLOBAL);
	} else {
		for (i = 0; i < VFP_MAX_PORTS; i++)
			if (old->ports[i].fingerprint != prog->ports[i].fingerprint)
				bump(sw, VFP_SLOT_PORT(i));
		for (i = 0; i < sw->n_vsid_slots; i++) {
			uint32_t vsid = sw->slot_vsid[i];

			if (vsid_fingerprint(old, vsid) != vsid_fingerprint(prog, vsid))
				bump(sw, (uint16_t)(VFP_SLOT_VSID_BASE + i));
		}
	}
	vfp_program_free(old);
	return 0;
}

void
vfp_switch_set_timeouts(struct vfp_switch *sw, const struct vfp_timeouts *t)
{
	const struct vfp_timeouts *d = &default_timeouts;
	uint64_t hz = sw->tsc_hz;

#define TO(field) ((uint64_t)(t->field ? t->field : d->field) * hz)
	sw->timeout_tsc[TO_OTHER] = TO(other);
	sw->timeout_tsc[TO_UDP] = TO(udp);
	sw->timeout_tsc[TO_ICMP] = TO(icmp);
	sw->timeout_tsc[TO_TCP_NONE] = TO(tcp_established);
	sw->timeout_tsc[TO_TCP_SYN] = TO(tcp_syn);
	sw->timeout_tsc[TO_TCP_EST] = TO(tcp_established);
	sw->timeout_tsc[TO_TCP_CLOSING] = TO(tcp_closing);
	sw->timeout_tsc[TO_DROP] = RTE_MIN(TO(other), (uint64_t)VFP_DROP_TIMEOUT_S * hz);
#undef TO
}

uint64_t
vfp_flow_timeout(const struct vfp_switch *sw, const struct vfp_flow *f)
{
	switch (f->to_class) {
	case VFP_TO_UDP:
		return sw->timeout_tsc[TO_UDP];
	case VFP_TO_ICMP:
		return sw->timeout_tsc[TO_ICMP];
	case VFP_TO_TCP:
		return sw->timeout_tsc[TO_TCP_NONE + f->tcp_state];
	case VFP_TO_DROP:
		return sw->timeout_tsc[TO_DROP];
	default:
		return sw->timeout_tsc[TO_OTHER];
	}
}

bool
vfp_flow_current(const struct vfp_switch *sw, const struct vfp_flow *f)
{
	if (f->gen_global != vfp_gen(sw, VFP_SLOT_GLOBAL))
		return false;
	for (unsigned int i = 0; i < VFP_FLOW_DEPS; i++)
		if (f->dep_slot[i] != VFP_SLOT_NONE && f->dep_gen[i] != vfp_gen(sw, f->dep_slot[i]))
			return false;
	return true;
}

int
vfp_switch_vsid_slot(struct vfp_switch *sw, uint32_t vsid)
{
	unsigned int i;

	for (i = 0; i < sw->n_vsid_slots; i++)
		if (sw->slot_vsid[i] == vsid)
			return (int)(VFP_SLOT_VSID_BASE + i);
	if (sw->n_vsid_slots == VFP_MAX_SUBNETS)
		return -ENOSPC;
	sw->slot_vsid[sw->n_vsid_slots] = vsid;
	return (int)(VFP_SLOT_VSID_BASE + sw->n_vsid_slots++);
}

int
vfp_switch_neigh_ref(struct vfp_switch *sw, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < sw->n_neigh; i++)
		if (sw->neigh[i].ip == ip)
			break;
	if (i == sw->n_neigh) {
		if (sw->n_neigh == VFP_MAX_NEIGH)
			return -ENOSPC;
		arp_proxy_neigh_init(&sw->neigh[i], ip);
		sw->n_neigh++;
	}
	if (mac != NULL) {
		vfp_switch_neigh_learn(sw, i, mac);
		sw->neigh_static[i] = true;
	}
	return (int)i;
}

void
vfp_switch_neigh_learn(struct vfp_switch *sw, unsigned int i, const struct rte_ether_addr *mac)
{
	struct rte_ether_addr old;
	bool had = arp_proxy_neigh_lookup(&sw->neigh[i], &old);

	if (had && rte_is_same_ether_addr(&old, mac))
		return;
	arp_proxy_neigh_update(&sw->neigh[i], mac);
	/* Flows whose outer header names the old MAC are re-walked. */
	bump(sw, (uint16_t)VFP_SLOT_NEIGH(i));
}

unsigned int
vfp_neigh_count(const struct vfp_switch *sw, unsigned int *resolved)
{
	struct rte_ether_addr mac;
	unsigned int r = 0;

	for (unsigned int i = 0; i < sw->n_neigh; i++)
		if (arp_proxy_neigh_lookup(&sw->neigh[i], &mac))
			r++;
	if (resolved != NULL)
		*resolved = r;
	return sw->n_neigh;
}

int
vfp_neigh_get(const struct vfp_switch *sw, unsigned int i, rte_be32_t *ip,
	struct rte_ether_addr *mac, bool *resolved)
{
	if (i >= sw->n_neigh)
		return -ENOENT;
	*ip = sw->neigh[i].ip;
	memset(mac, 0, sizeof(*mac));
	*resolved = arp_proxy_neigh_lookup(&sw->neigh[i], mac);
	return 0;
}

unsigned int
vfp_switch_age(struct vfp_switch *sw, uint64_t now, unsigned int budget)
{
	struct vfp_uft *u = &sw->uft;
	unsigned int deleted = 0;

	for (unsigned int n = 0; n < budget && n < u->pool_size; n++) {
		struct vfp_flow *f = &u->flows[u->age_cursor];

		u->age_cursor = (u->age_cursor + 1) % u->pool_size;
		if (__atomic_load_n(&f->in_use, __ATOMIC_ACQUIRE) != VFP_FLOW_LIVE)
			continue;
		/* Idle past its timeout, or built from something that changed:
		 * either way it would not be used as it is again. */
		if (now - __atomic_load_n(&f->last_tsc, __ATOMIC_RELAXED) >
				vfp_flow_timeout(sw, f) ||
			!vfp_flow_current(sw, f)) {
			if (vfp_uft_delete(u, f))
				deleted++;
		}
	}
	return deleted;
}

unsigned int
vfp_switch_flush_flows(struct vfp_switch *sw)
{
	struct vfp_uft *u = &sw->uft;
	unsigned int deleted = 0;

	for (uint32_t i = 0; i < u->pool_size; i++)
		if (__atomic_load_n(&u->flows[i].in_use, __ATOMIC_ACQUIRE) == VFP_FLOW_LIVE &&
			vfp_uft_delete(u, &u->flows[i]))
			deleted++;
	return deleted;
}

unsigned int
vfp_switch_flow_count(const struct vfp_switch *sw, unsigned int *capacity)
{
	if (capacity != NULL)
		*capacity = sw->uft.capacity;
	return __atomic_load_n(&sw->uft.n_live, __ATOMIC_RELAXED);
}

int
vfp_lcore_init(struct vfp_switch *sw, struct vfp_lcore *lc, unsigned int thread_id, vfp_tx_fn tx,
	void *ctx)
{
	if (thread_id >= sw->n_lcores)
		return -EINVAL;
	memset(lc, 0, sizeof(*lc));
	lc->tx = tx;
	lc->tx_ctx = ctx;
	lc->tsc_hz = rte_get_tsc_hz();
	lc->thread_id = thread_id;
	rte_rcu_qsbr_thread_register(sw->qsbr, thread_id);
	rte_rcu_qsbr_thread_online(sw->qsbr, thread_id);
	return 0;
}

void
vfp_lcore_fini(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_thread_offline(sw->qsbr, lc->thread_id);
	rte_rcu_qsbr_thread_unregister(sw->qsbr, lc->thread_id);
}

void
vfp_lcore_quiescent(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_quiescent(sw->qsbr, lc->thread_id);
}

void
vfp_lcore_offline(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_thread_offline(sw->qsbr, lc->thread_id);
}

void
vfp_lcore_online(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_thread_online(sw->qsbr, lc->thread_id);
}
