/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: flow aging (control plane): idle timeouts by protocol and TCP
 * state, the incremental sweep that deletes idle and stale flows, and
 * flushing the table.
 *
 * Time: workers stamp last_tsc with their own clock reads, so a flow may
 * carry a stamp later than the sweep's @now (read before a worker's hit).
 * Idle time is therefore a signed difference, and a stamp from the
 * sweep's future means busy, never "idle for 2^64 cycles".
 */
#include <rte_common.h>

#include "vfp_sw.h"

#define DEFAULT(v, d) ((v) != 0 ? (v) : (d))

void
vfp_switch_set_timeouts(struct vfp_switch *sw, const struct vfp_timeouts *t)
{
	uint64_t hz = sw->tsc_hz;
	uint64_t est = (uint64_t)DEFAULT(t->tcp_established, 3600) * hz;
	uint64_t other = (uint64_t)DEFAULT(t->other, 60) * hz;

	sw->timeout_tsc[VFP_TOI_OTHER] = other;
	sw->timeout_tsc[VFP_TOI_UDP] = (uint64_t)DEFAULT(t->udp, 60) * hz;
	sw->timeout_tsc[VFP_TOI_ICMP] = (uint64_t)DEFAULT(t->icmp, 30) * hz;
	sw->timeout_tsc[VFP_TOI_TCP_NONE] = est;
	sw->timeout_tsc[VFP_TOI_TCP_SYN] = (uint64_t)DEFAULT(t->tcp_syn, 30) * hz;
	sw->timeout_tsc[VFP_TOI_TCP_EST] = est;
	sw->timeout_tsc[VFP_TOI_TCP_CLOSING] = (uint64_t)DEFAULT(t->tcp_closing, 10) * hz;
	sw->timeout_tsc[VFP_TOI_DROP] = RTE_MIN(other, (uint64_t)VFP_DROP_TIMEOUT_S * hz);
}

uint64_t
vfp_flow_timeout(const struct vfp_switch *sw, const struct vfp_flow *f)
{
	switch (f->to_class) {
	case VFP_TO_UDP:
		return sw->timeout_tsc[VFP_TOI_UDP];
	case VFP_TO_ICMP:
		return sw->timeout_tsc[VFP_TOI_ICMP];
	case VFP_TO_TCP:
		return sw->timeout_tsc[VFP_TOI_TCP_NONE + RTE_MIN(f->tcp_state, VFP_TCP_CLOSING)];
	case VFP_TO_DROP:
		return sw->timeout_tsc[VFP_TOI_DROP];
	default:
		return sw->timeout_tsc[VFP_TOI_OTHER];
	}
}

/* Has @f been idle longer than its timeout at @now? */
static bool
expired(const struct vfp_switch *sw, const struct vfp_flow *f, uint64_t now)
{
	int64_t idle = (int64_t)(now - __atomic_load_n(&f->last_tsc, __ATOMIC_RELAXED));

	return idle > 0 && (uint64_t)idle > vfp_flow_timeout(sw, f);
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
		if ((expired(sw, f, now) || !vfp_flow_current(sw, f)) && vfp_uft_delete(u, f))
			deleted++;
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
