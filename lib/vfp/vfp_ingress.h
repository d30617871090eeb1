/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the ingress stage (vfp_ingress.c): a received frame becomes a
 * flow key, or is classified as ARP or inbound flooding, or is refused
 * under a named reason, after the port security of its port kind.
 */
#ifndef HNV_VFP_INGRESS_H
#define HNV_VFP_INGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "vfp_drop.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"

/* What a frame is. VFP_RX_DROP is 0 so that nothing forgotten can mean
 * "forward"; the reason of a drop always comes through *why. */
enum vfp_rx_class {
	VFP_RX_DROP = 0,
	VFP_RX_FLOW,      /* pkt->key is ready for the flow cache */
	VFP_RX_ARP,       /* for the ARP proxy (VM) or our PAs (uplink) */
	VFP_RX_FLOOD,     /* uplink: a tunnelled broadcast/multicast for local VMs */
	VFP_RX_ROUTER,    /* VM: an ICMP echo request to a gateway address */
	VFP_RX_REPLICATE, /* VM: a broadcast/multicast for the VSID's other VMs */
	VFP_RX_DHCP,      /* VM: a DHCP client message, for the responder */
	VFP_RX_ND,        /* IPv6 Neighbor Discovery: VM, for the proxy and router;
			     uplink, for our IPv6 PAs and next hops */
};

/* Classify a frame of @len bytes received on switch port @port of @p and
 * fill @pkt; on VFP_RX_DROP, *why says why. Its first @head bytes are at
 * @frame (all of them, or a chain's first segment, which must then hold at
 * least VFP_MBUF_HEAD of them: headers past @head are malformed). On the
 * uplink, @ol_flags (the mbuf's receive flags; 0 if none) may say the NIC
 * verified the outer IPv4 checksum, good or bad. */
enum vfp_rx_class vfp_ingress(const struct vfp_program *p, uint16_t port, const uint8_t *frame,
	uint32_t head, uint32_t len, uint64_t ol_flags, struct vfp_pkt *pkt,
	enum hnv_drop_reason *why);

/* The L2 flow key of a VM's ARP reply, which is switched like any frame
 * of its VSID (the proxy answers only requests). */
void vfp_ingress_vm_l2(const struct vfp_program *p, uint16_t port, const uint8_t *frame,
	uint32_t len, struct vfp_pkt *pkt);

/* L3/L4 of an untagged Ethernet frame of @len bytes into @pkt, of which
 * the first @head are at @frame. Returns false for an IPv4 EtherType with
 * a malformed IPv4 header (shorter than 20 bytes, version not 4, IHL < 5
 * or beyond the frame), a malformed IPv6 header chain, or headers that go
 * past @head when the frame goes on after it. */
bool vfp_parse_inner(const uint8_t *frame, uint32_t head, uint32_t len, struct vfp_pkt *pkt);

#endif /* HNV_VFP_INGRESS_H */
