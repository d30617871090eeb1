/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: flooding (vfp_flood.c). Inbound: a tunnelled broadcast or
 * multicast frame from the overlay is delivered to every local VM of its
 * VSID. Outbound, unicast replication (R7): a VM's broadcast or multicast
 * becomes one unicast copy per other VM of its VSID, which the pipeline
 * then forwards as it would any unicast packet from that VM.
 */
#ifndef HNV_VFP_FLOOD_H
#define HNV_VFP_FLOOD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* Deliver tunnelled frame @m (parsed as @pkt, received on uplink @port),
 * decapsulated, to every local VM of its VSID; or drop it. */
void vfp_flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt);

/* May VM broadcast @m from @port make its copies (one per other VM of the
 * VSID) within the subnet's flood_limit this second, on this lcore? If
 * not, it is dropped (flood_limit, or unknown_dst when there is no other
 * VM) and false returned. */
bool vfp_flood_admit(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* Make the next copies of VM broadcast @m (parsed as @pkt) from @port,
 * from target *@next on, into @out/@meta (at most @max): each a header
 * segment with the target's MAC (and, for IPv4, address, checksums
 * patched) chained to an indirect mbuf of @m's payload, and the flow key
 * of a unicast packet from @port to that target. Advances *@next; returns
 * how many were made (0: none left). A copy that finds no mbuf is counted
 * as mbuf_exhausted on @port. @m itself stays the caller's to free. */
unsigned int vfp_flood_copies(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt, uint32_t *next, struct rte_mbuf **out,
	struct vfp_pkt *meta, unsigned int max);

#endif /* HNV_VFP_FLOOD_H */
