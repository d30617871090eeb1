/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: flooding (vfp_flood.c): a tunnelled broadcast or multicast
 * frame from the overlay is delivered to every local VM of its VSID.
 * Unicast replication of VM broadcast will live here too.
 */
#ifndef HNV_VFP_FLOOD_H
#define HNV_VFP_FLOOD_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* Deliver tunnelled frame @m (parsed as @pkt, received on uplink @port),
 * decapsulated, to every local VM of its VSID; or drop it. */
void vfp_flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt);

#endif /* HNV_VFP_FLOOD_H */
