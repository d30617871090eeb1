/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the apply and transmit stage (vfp_apply.c): executing a flow
 * entry on a packet, and the lcore's transmit buffers.
 */
#ifndef HNV_VFP_APPLY_H
#define HNV_VFP_APPLY_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_flow.h"
#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* Apply entry @f to packet @m (parsed as @pkt, received on @port) at
 * @now: meter, count, track TCP, rewrite, then queue it or drop it. */
void vfp_apply_flow(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, struct vfp_flow *f, uint64_t now);

/* Start @lc's counters and meters afresh for program @p. */
void vfp_apply_qos_reset(struct vfp_lcore *lc, const struct vfp_program *p);

/* Counter and meter ids belong to a program: start afresh when @lc first
 * sees @p. */
static inline void
vfp_apply_qos_sync(struct vfp_lcore *lc, const struct vfp_program *p)
{
	if (unlikely(lc->qos_prog != p))
		vfp_apply_qos_reset(lc, p);
}

#endif /* HNV_VFP_APPLY_H */
