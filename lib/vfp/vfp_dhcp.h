/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the DHCPv4 responder (vfp_dhcp.c), private interface: a VM's
 * DHCP messages never leave the host; those of a VSID with DHCP in the
 * policy are answered from the VM NIC's CA and the subnet.
 */
#ifndef HNV_VFP_DHCP_H
#define HNV_VFP_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* Is the frame a VM's DHCP client message (parsed as @pkt: IPv4, UDP from
 * port 68 to 67)? Checked before port security's source address check,
 * since a client without an address sends from 0.0.0.0. */
static inline bool
vfp_dhcp_is_client(const struct vfp_pkt *pkt)
{
	return pkt->is_ipv4 && pkt->has_l4 && pkt->key.proto == IPPROTO_UDP &&
	       pkt->key.dport == RTE_BE16(67) && pkt->key.sport == RTE_BE16(68);
}

/* Answer DHCP message @m from VM port @port (a reply out of @port, or the
 * message absorbed or dropped under a named reason). */
void vfp_dhcp_answer(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m);

#endif /* HNV_VFP_DHCP_H */
