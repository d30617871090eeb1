/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: parsing a received frame into a flow key (vfp_parse_*), with the
 * port security of a VM port (its source MAC, its IPv4/ARP sender, no
 * 802.1Q) and the validation of the uplink's outer headers (our MAC and
 * VLAN, encap_parse, our PA). What is not a flow packet comes back as
 * PARSE_ARP (for the ARP proxy) or PARSE_FLOOD (inbound broadcast), or as a
 * drop with its named reason.
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "vfp_private.h"

/* ------------------------------------------------------------------ */
/* Parsing                                                            */

/* L3/L4 of an untagged Ethernet frame into the key (EtherType, IPv4
 * addresses, protocol, ports or ICMP echo id, TCP flags). */
int
vfp_parse_inner(const uint8_t *frame, uint32_t len, struct vfp_pkt *pkt)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	struct vfp_flow_key *k = &pkt->key;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, l4;

	k->src_mac = eth->src_addr;
	k->dst_mac = eth->dst_addr;
	k->ethertype = eth->ether_type;
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return 0;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (len < sizeof(*eth) + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return -HNV_DROP_MALFORMED;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || len < sizeof(*eth) + ihl)
		return -HNV_DROP_MALFORMED;
	pkt->is_ipv4 = 1;
	pkt->l3_off = sizeof(*eth);
	k->src_ip = ip->src_addr;
	k->dst_ip = ip->dst_addr;
	k->proto = ip->next_proto_id;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return 0; /* a fragment: no ports, all fragments one flow */
	l4 = sizeof(*eth) + ihl;
	switch (k->proto) {
	case IPPROTO_TCP:
		if (len >= l4 + sizeof(struct rte_tcp_hdr))
			pkt->tcp_flags = ((const struct rte_tcp_hdr *)(frame + l4))->tcp_flags;
		/* fall through */
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (len >= l4 + 4) {
			memcpy(&k->sport, frame + l4, 2);
			memcpy(&k->dport, frame + l4 + 2, 2);
			pkt->has_l4 = 1;
		}
		break;
	case IPPROTO_ICMP:
		/* Echo request and reply share the identifier: one flow each way. */
		if (len >= l4 + sizeof(struct rte_icmp_hdr)) {
			const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(frame + l4);

			if (ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
				ic->icmp_type == RTE_IP_ICMP_ECHO_REPLY) {
				k->sport = ic->icmp_ident;
				k->dport = ic->icmp_ident;
			}
		}
		break;
	default:
		break;
	}
	return 0;
}

int
vfp_parse_vm(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	*why = HNV_DROP_MALFORMED;
	if (vnic == NULL) {
		*why = HNV_DROP_PORT_UNBOUND;
		return -1;
	}
	if (len < sizeof(*eth))
		return -1;
	if (!rte_is_same_ether_addr(&eth->src_addr, &vnic->mac)) {
		*why = HNV_DROP_SPOOFED_MAC;
		return -1;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
		*why = HNV_DROP_VM_TAGGED;
		return -1;
	}
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return PARSE_ARP;
	rc = vfp_parse_inner(frame, len, pkt);
	if (rc < 0) {
		*why = (enum hnv_drop_reason) - rc;
		return -1;
	}
	if (pkt->is_ipv4 && pkt->key.src_ip != vnic->ip) {
		*why = HNV_DROP_SPOOFED_IP;
		return -1;
	}
	if (!rte_is_unicast_ether_addr(&eth->dst_addr)) {
		*why = HNV_DROP_FLOOD_UNSUPPORTED;
		return -1;
	}
	pkt->key.vsid = vnic->vsid;
	pkt->key.in_port = port;
	pkt->key.dir = VFP_DIR_OUT;
	return 0;
}

static const enum hnv_drop_reason parse_drop[] = {
	[ENCAP_ERR_NOT_TUNNEL] = HNV_DROP_NOT_TUNNEL,
	[ENCAP_ERR_TRUNCATED] = HNV_DROP_TUNNEL_TRUNCATED,
	[ENCAP_ERR_BAD_IP] = HNV_DROP_TUNNEL_BAD_IP,
	[ENCAP_ERR_BAD_HEADER] = HNV_DROP_TUNNEL_BAD_HEADER,
	[ENCAP_ERR_BAD_VSID] = HNV_DROP_TUNNEL_BAD_VSID,
};

int
vfp_parse_uplink(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	struct encap_rx_info info;
	enum encap_parse_err err;
	uint16_t ethertype, vlan = 0;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	*why = HNV_DROP_MALFORMED;
	if (len < sizeof(*eth))
		return -1;
	ethertype = eth->ether_type;
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*vh))
			return -1;
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		ethertype = vh->eth_proto;
	}
	if (vlan != p->hp.vlan) {
		*why = HNV_DROP_WRONG_VLAN;
		return -1;
	}
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return PARSE_ARP;
	if (!rte_is_same_ether_addr(&eth->dst_addr, &p->hp.uplink_mac)) {
		*why = HNV_DROP_NOT_OUR_MAC;
		return -1;
	}
	err = encap_parse(frame, len, &info);
	if (err != ENCAP_OK) {
		*why = (unsigned int)err < RTE_DIM(parse_drop) ? parse_drop[err]
							       : HNV_DROP_MALFORMED;
		return -1;
	}
	if (!vfp_is_our_pa(p, info.dst_ip)) {
		*why = HNV_DROP_NOT_OUR_PA;
		return -1;
	}
	rc = vfp_parse_inner(frame + info.hdr_len, info.inner_len, pkt);
	if (rc < 0) {
		*why = (enum hnv_drop_reason) - rc;
		return -1;
	}
	pkt->hdr_len = info.hdr_len;
	pkt->inner_len = info.inner_len;
	pkt->key.vsid = info.vsid;
	pkt->key.outer_src = info.src_ip;
	pkt->key.encap = info.type;
	pkt->key.in_port = port;
	pkt->key.dir = VFP_DIR_IN;
	if (!rte_is_unicast_ether_addr(&pkt->key.dst_mac))
		return PARSE_FLOOD;
	return 0;
}
