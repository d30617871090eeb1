/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: tracing a packet from a 5-tuple (vfp_trace_tuple), for the
 * shell: builds the frame a VM would send and hands it to
 * vfp_trace_packet(), which walks the slow path without side effects.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_private.h"

int
vfp_trace_tuple(struct vfp_switch *sw, uint16_t port, uint8_t proto, uint16_t sport,
	rte_be32_t dst_ip, uint16_t dport, struct vfp_trace *out)
{
	const struct vfp_program *p = vfp_switch_program(sw);
	uint8_t frame[14 + 20 + 20] = {0};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	const struct vfp_entry *vnic, *dst;
	uint32_t mask;

	if (p == NULL)
		return -ENOENT;
	if (port >= p->hp.n_ports || p->ports[port].vnic == NULL)
		return -EINVAL;
	vnic = p->ports[port].vnic;
	mask = rte_cpu_to_be_32(
		vnic->subnet->prefix_len ? ~0u << (32 - vnic->subnet->prefix_len) : 0);
	dst = (dst_ip & mask) == vnic->subnet->prefix ? vfp_arp_lookup(p, vnic->vsid, dst_ip)
						      : NULL;
	if ((dst_ip & mask) == vnic->subnet->prefix && dst == NULL &&
		dst_ip != vnic->subnet->gateway) {
		char ip[16];

		memset(out, 0, sizeof(*out));
		vfp_format_ip(ip, sizeof(ip), dst_ip);
		snprintf(out->result, sizeof(out->result),
			"no CA %s in VSID %u: the ARP proxy does not answer, the VM cannot send",
			ip, vnic->vsid);
		out->dropped = true;
		out->drop = HNV_DROP_ARP_NO_ENTRY;
		return 0;
	}
	eth->src_addr = vnic->mac;
	eth->dst_addr = dst != NULL ? dst->mac : p->hp.router_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(40);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = vnic->ip;
	ip->dst_addr = dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)l4;

		ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		ic->icmp_ident = rte_cpu_to_be_16(sport);
	} else {
		rte_be16_t sp = rte_cpu_to_be_16(sport), dp = rte_cpu_to_be_16(dport);

		memcpy(l4, &sp, 2);
		memcpy(l4 + 2, &dp, 2);
		if (proto == IPPROTO_TCP)
			l4[13] = RTE_TCP_SYN_FLAG;
	}
	return vfp_trace_packet(sw, port, frame, sizeof(frame), out);
}
