/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: ARP on the data path (vfp_arp.c): the ARP proxy for VMs (R8),
 * ARP and, for IPv6 PAs, Neighbor Discovery for our PAs and learning of
 * PA next hops on the uplink, and soliciting unresolved next hops (R12).
 */
#ifndef HNV_VFP_ARP_H
#define HNV_VFP_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_sw.h"

/* What the ARP proxy does with a VM's ARP frame. */
enum vfp_arp_vm_verdict {
	VFP_ARP_VM_DROP = 0, /* *why says why */
	VFP_ARP_VM_ANSWER,   /* a request: reply in place with *answer */
	VFP_ARP_VM_SWITCH,   /* a reply: switched like any L2 frame of the VSID */
};

/* Decide, without side effects, what the proxy does with ARP @frame (@len
 * bytes) from the VM on @port; @a receives the parsed ARP. */
enum vfp_arp_vm_verdict vfp_arp_vm_classify(const struct vfp_program *p, uint16_t port,
	const uint8_t *frame, uint32_t len, struct arp_proxy_pkt *a,
	const struct rte_ether_addr **answer, enum hnv_drop_reason *why);

/* The ARP proxy for a VM's ARP frame @m on @port. Returns true for a VM's
 * ARP reply, which the caller switches like any L2 frame of its VSID;
 * everything else (answered, refused) ends here. */
bool vfp_arp_vm(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m);

/* An ARP frame @m from the uplink @port: answer for our PAs, learn the MACs
 * of next hops whose MAC the policy did not fix, drop the rest. */
void vfp_arp_uplink(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf *m);

/* An ND frame @m from the uplink @port: answer Neighbor Solicitations for
 * our IPv6 PAs, learn the MACs of IPv6 next hops whose MAC the policy did
 * not fix (from an advertisement's target or a solicitation's source),
 * drop the rest. */
void vfp_nd_uplink(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf *m);

/* Reuse @m (which is being dropped) as an ARP request (a Neighbor
 * Solicitation for an IPv6 next hop) for next hop @nh of
 * @p, sent out of the uplink at most once a second. Returns false (and
 * leaves @m to the caller) when it was not sent. */
bool vfp_arp_solicit(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	unsigned int nh, struct rte_mbuf *m);

#endif /* HNV_VFP_ARP_H */
