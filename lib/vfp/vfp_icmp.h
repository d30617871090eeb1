/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the ICMP errors the switch sends a VM about a packet the VM
 * sent: time exceeded (the router, vfp_router.c), and fragmentation needed
 * or packet too big (the underlay MTU, vfp_mtu.c).
 *
 * Owns the builders (a new mbuf quoting the packet, from the VM's gateway
 * address and the router MAC, to the VM's MAC) and the per-lcore budget
 * of VFP_ICMP_ERRORS_PER_S. Never about an ICMP error or a fragment other
 * than the first (RFC 1812 4.3.2.7, RFC 4443 2.4).
 */
#ifndef HNV_VFP_ICMP_H
#define HNV_VFP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

#define VFP_ICMP_ERRORS_PER_S 1000 /* per lcore, for all kinds together */

/* The types and codes sent. */
#define VFP_ICMP_DEST_UNREACH 3
#define VFP_ICMP_CODE_FRAG_NEEDED 4 /* the next-hop MTU in bytes 6-7 (RFC 1191) */
#define VFP_ICMP_TIME_EXCEEDED 11
#define VFP_ICMP6_PACKET_TOO_BIG 2 /* the MTU in bytes 4-7 (RFC 4443 3.2) */
#define VFP_ICMP6_TIME_EXCEEDED 3

/* Room for another ICMP error this second on @lc? Takes it if so. */
bool vfp_icmp_budget(struct vfp_lcore *lc);

/* The ICMPv4 error (@type, @code, @word: bytes 4-7 of the ICMP header, the
 * next-hop MTU of a "fragmentation needed") about IPv4 packet @m, which
 * VM @vnic sent (parsed as @pkt), in a new mbuf from @m's pool; NULL if
 * none may be sent (an ICMP error, a later fragment, no budget, no mbuf).
 * @m may be a chain; it is neither changed nor freed. */
struct rte_mbuf *vfp_icmp4_error(const struct vfp_program *p, struct vfp_lcore *lc,
	const struct vfp_entry *vnic, const struct rte_mbuf *m, const struct vfp_pkt *pkt,
	uint8_t type, uint8_t code, rte_be32_t word);

/* The same for IPv6 packet @m: an ICMPv6 error (@word: the MTU of a packet
 * too big) from the VM's IPv6 gateway, or the router's link-local address
 * when the VM wrote from its own link-local address or its subnet has no
 * IPv6 gateway. */
struct rte_mbuf *vfp_icmp6_error(const struct vfp_program *p, struct vfp_lcore *lc,
	const struct vfp_entry *vnic, const struct rte_mbuf *m, const struct vfp_pkt *pkt,
	uint8_t type, uint8_t code, rte_be32_t word);

#endif /* HNV_VFP_ICMP_H */
