/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: IPv6 Neighbor Discovery for the VM side (vfp_nd.c), private
 * interface: the proxy that answers a VM's Neighbor Solicitations from the
 * policy, and the router's advertisements (solicited and periodic).
 */
#ifndef HNV_VFP_ND_H
#define HNV_VFP_ND_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* Is @pkt (IPv6) a Neighbor Discovery message (ICMPv6 133..136)? */
static inline bool
vfp_nd_is_nd(const struct vfp_pkt *pkt)
{
	return pkt->is_ipv6 && pkt->has_icmp && pkt->key.proto == 58 && pkt->icmp_type >= 133 &&
	       pkt->icmp_type <= 136;
}

/* Is @pkt (IPv6) a Multicast Listener Discovery message (ICMPv6 130..132,
 * 143)? */
static inline bool
vfp_nd_is_mld(const struct vfp_pkt *pkt)
{
	return pkt->is_ipv6 && pkt->has_icmp && pkt->key.proto == 58 &&
	       ((pkt->icmp_type >= 130 && pkt->icmp_type <= 132) || pkt->icmp_type == 143);
}

/* Handle ND message @m from VM port @port: a Neighbor Solicitation answered
 * from the policy (or not at all), a Router Solicitation with an RA, a VM's
 * own advertisements absorbed or refused. */
void vfp_nd_vm(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m);

#endif /* HNV_VFP_ND_H */
