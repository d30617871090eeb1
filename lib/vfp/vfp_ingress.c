/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the ingress stage: parse a received frame into a flow key, with
 * the port security of its port kind.
 *
 *  VM port:  the source MAC and the IPv4/ARP sender must be the NIC's
 *            (the IPv4 source may be any for a NIC with ip_forwarding; a
 *            DHCP client message may come from 0.0.0.0 and goes to the
 *            responder, never further); no
 *            802.1Q; ARP goes to the ARP proxy (R8); an ICMP echo request
 *            to a gateway address goes to the router; other broadcast and
 *            multicast goes to unicast replication (IGMP is refused).
 *  Uplink:   our VLAN; ARP for our PAs and from next hops; our MAC; valid
 *            tunnel headers (encap_parse) to one of our PAs; an untagged,
 *            well-formed inner frame; inbound broadcast/multicast is handed
 *            to flooding.
 *
 * A frame whose EtherType says IPv4 but whose IPv4 header is broken is
 * malformed on both port kinds: taking it as a non-IP frame would let it
 * past the source-IP check and every IPv4 ACL.
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "vfp_dhcp.h"
#include "vfp_ingress.h"
#include "vfp_nd.h"
#include "vfp_router.h"

/* The upper layer of a packet: ports (TCP/UDP/SCTP), the ICMP or ICMPv6
 * type and the echo identifier (in both port fields: one flow each way).
 * A frame too short for them has none; but one whose bytes go on past the
 * @len read here (a chain whose headers do not fit the first segment) is
 * refused, false, rather than taken for a packet without ports. */
static bool
parse_l4(const uint8_t *frame, uint32_t len, bool cut, uint32_t l4, uint8_t echo_req,
	uint8_t echo_rep, struct vfp_pkt *pkt)
{
	struct vfp_flow_key *k = &pkt->key;

	if (unlikely(cut) && len < l4 + sizeof(struct rte_tcp_hdr))
		return false;
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
	case IPPROTO_ICMPV6:
		if (len >= l4 + sizeof(struct rte_icmp_hdr)) {
			const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)(frame + l4);

			pkt->has_icmp = 1;
			pkt->icmp_type = ic->icmp_type;
			if (ic->icmp_type == echo_req || ic->icmp_type == echo_rep) {
				k->sport = ic->icmp_ident;
				k->dport = ic->icmp_ident;
			}
		}
		break;
	default:
		break;
	}
	return true;
}

/* IPv6 at @l3: the addresses, then the extension headers up to the upper
 * layer (at most VFP_IPV6_EXT_MAX of them; a later fragment has no ports).
 * False for a truncated or malformed header. */
#define VFP_IPV6_EXT_MAX 4
static bool
parse_ipv6(const uint8_t *frame, uint32_t len, bool cut, uint32_t l3, struct vfp_pkt *pkt)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(frame + l3);
	struct vfp_flow_key *k = &pkt->key;
	uint32_t off = l3 + sizeof(*ip);
	uint8_t nh;

	if (len < off || (ip->vtc_flow & RTE_BE32(0xf0000000)) != RTE_BE32(0x60000000))
		return false;
	pkt->is_ipv6 = 1;
	pkt->l3_off = (uint16_t)l3;
	memcpy(k->src6, ip->src_addr, 16);
	memcpy(k->dst6, ip->dst_addr, 16);
	nh = ip->proto;
	for (int n = 0; n < VFP_IPV6_EXT_MAX; n++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			if (len < off + 8)
				return false;
			nh = frame[off];
			off += 8u * (frame[off + 1] + 1u);
		} else if (nh == IPPROTO_FRAGMENT) {
			const struct rte_ipv6_fragment_ext *fe =
				(const struct rte_ipv6_fragment_ext *)(frame + off);

			if (len < off + sizeof(*fe))
				return false;
			k->proto = fe->next_header;
			pkt->l4_off = (uint16_t)(off + sizeof(*fe));
			/* A fragment: no ports, all fragments one flow (as IPv4). */
			pkt->later_fragment = (fe->frag_data & RTE_BE16(0xfff8)) != 0;
			return true;
		} else {
			break;
		}
	}
	if (off > len)
		return false;
	k->proto = nh;
	pkt->l4_off = (uint16_t)off;
	return parse_l4(frame, len, cut, off, 128, 129, pkt);
}

bool
vfp_parse_inner(const uint8_t *frame, uint32_t head, uint32_t len, struct vfp_pkt *pkt)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	struct vfp_flow_key *k = &pkt->key;
	const struct rte_ipv4_hdr *ip;
	bool cut = head < len;
	uint32_t ihl;

	len = RTE_MIN(head, len); /* from here on: what may be read */

	k->src_mac = eth->src_addr;
	k->dst_mac = eth->dst_addr;
	k->ethertype = eth->ether_type;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return parse_ipv6(frame, len, cut, sizeof(*eth), pkt);
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return true;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	if (len < sizeof(*eth) + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return false;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || len < sizeof(*eth) + ihl)
		return false;
	pkt->is_ipv4 = 1;
	pkt->l3_off = sizeof(*eth);
	k->src_ip = ip->src_addr;
	k->dst_ip = ip->dst_addr;
	k->proto = ip->next_proto_id;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		pkt->later_fragment =
			(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0;
		return true; /* a fragment: no ports, all fragments one flow */
	}
	pkt->l4_off = (uint16_t)(sizeof(*eth) + ihl);
	return parse_l4(frame, len, cut, pkt->l4_off, RTE_IP_ICMP_ECHO_REQUEST,
		RTE_IP_ICMP_ECHO_REPLY, pkt);
}

static bool
is_tagged(rte_be16_t ethertype)
{
	return ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
	       ethertype == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

static enum vfp_rx_class
refuse(enum hnv_drop_reason *why, enum hnv_drop_reason r)
{
	*why = r;
	return VFP_RX_DROP;
}

static void
vm_key(const struct vfp_entry *vnic, uint16_t port, struct vfp_pkt *pkt)
{
	pkt->key.vsid = vnic->vsid;
	pkt->key.in_port = port;
	pkt->key.dir = VFP_DIR_OUT;
}

static enum vfp_rx_class
ingress_vm(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t head,
	uint32_t len, struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;

	if (vnic == NULL)
		return refuse(why, HNV_DROP_PORT_UNBOUND);
	if (head < RTE_MIN(len, (uint32_t)sizeof(*eth)) || len < sizeof(*eth))
		return refuse(why, HNV_DROP_MALFORMED);
	if (!rte_is_same_ether_addr(&eth->src_addr, &vnic->mac))
		return refuse(why, HNV_DROP_SPOOFED_MAC);
	if (is_tagged(eth->ether_type))
		return refuse(why, HNV_DROP_VM_TAGGED);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return VFP_RX_ARP;
	if (!vfp_parse_inner(frame, head, len, pkt))
		return refuse(why, HNV_DROP_MALFORMED);
	if (pkt->is_ipv6) {
		/* ND first: duplicate address detection sends from ::. A
		 * unicast Neighbor Advertisement answers a solicitation from
		 * the overlay (a host without a proxy): it is switched. */
		if (vfp_nd_is_nd(pkt) &&
			!(pkt->icmp_type == 136 && rte_is_unicast_ether_addr(&eth->dst_addr))) {
			vm_key(vnic, port, pkt);
			return VFP_RX_ND;
		}
		if (vfp_nd_is_mld(pkt))
			return refuse(why, HNV_DROP_FLOOD_UNSUPPORTED);
		if (!vnic->forwarding && memcmp(pkt->key.src6, vnic->ll6, 16) != 0 &&
			!(vnic->has_ip6 && memcmp(pkt->key.src6, vnic->ip6, 16) == 0))
			return refuse(why, HNV_DROP_SPOOFED_IP);
	}
	/* DHCP first: a client without an address sends from 0.0.0.0. */
	if (vfp_dhcp_is_client(pkt) && (pkt->key.src_ip == 0 || pkt->key.src_ip == vnic->ip)) {
		vm_key(vnic, port, pkt);
		return VFP_RX_DHCP;
	}
	if (pkt->is_ipv4 && pkt->key.src_ip != vnic->ip && !vnic->forwarding)
		return refuse(why, HNV_DROP_SPOOFED_IP);
	vm_key(vnic, port, pkt);
	if (!rte_is_unicast_ether_addr(&eth->dst_addr)) {
		/* IGMP: multicast groups are not tracked (MLD was refused above). */
		if (pkt->is_ipv4 && pkt->key.proto == IPPROTO_IGMP)
			return refuse(why, HNV_DROP_FLOOD_UNSUPPORTED);
		return VFP_RX_REPLICATE;
	}
	if (pkt->has_icmp && rte_is_same_ether_addr(&eth->dst_addr, &p->hp.router_mac) &&
		((pkt->is_ipv4 && pkt->icmp_type == RTE_IP_ICMP_ECHO_REQUEST &&
			 (pkt->key.dst_ip == vnic->subnet->gateway ||
				 vfp_router_owns(p, vnic->subnet->space, pkt->key.dst_ip))) ||
			(pkt->is_ipv6 && pkt->icmp_type == 128 &&
				vfp_router_owns6(p, vnic->subnet, pkt->key.dst6))))
		return VFP_RX_ROUTER;
	return VFP_RX_FLOW;
}

void
vfp_ingress_vm_l2(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	vfp_parse_inner(frame, len, len, pkt); /* not IPv4: only the L2 fields */
	vm_key(p->ports[port].vnic, port, pkt);
}

static const enum hnv_drop_reason tunnel_drop[] = {
	[ENCAP_ERR_NOT_TUNNEL] = HNV_DROP_NOT_TUNNEL,
	[ENCAP_ERR_TRUNCATED] = HNV_DROP_TUNNEL_TRUNCATED,
	[ENCAP_ERR_BAD_IP] = HNV_DROP_TUNNEL_BAD_IP,
	[ENCAP_ERR_BAD_HEADER] = HNV_DROP_TUNNEL_BAD_HEADER,
	[ENCAP_ERR_BAD_VSID] = HNV_DROP_TUNNEL_BAD_VSID,
};

/* Does the uplink frame with its IPv6 header at @l3 carry Neighbor
 * Discovery (ICMPv6 133..136 right after the fixed header)? Its own
 * checks are vfp_nd_uplink's. */
static bool
uplink_is_nd(const uint8_t *frame, uint32_t head, uint32_t l3)
{
	return head > l3 + 40 && (frame[l3] >> 4) == 6 && frame[l3 + 6] == 58 &&
	       frame[l3 + 40] >= 133 && frame[l3 + 40] <= 136;
}

/* The outer addresses of a tunnel packet as PAs (hnv_pa.h): false if it
 * is not to one of ours. An IPv6 source never interned is no one's. */
static bool
outer_pas(const struct vfp_program *p, const struct encap_rx_info *info, rte_be32_t *src)
{
	rte_be32_t dst;

	if (!info->ipv6) { /* an IPv4 address never names an IPv6 PA */
		*src = info->src_ip;
		return !hnv_pa_is_v6(info->dst_ip) && vfp_is_our_pa(p, info->dst_ip);
	}
	if (!hnv_pa6_find(info->dst6, &dst) || !vfp_is_our_pa(p, dst))
		return false;
	if (!hnv_pa6_find(info->src6, src))
		*src = HNV_PA6_UNKNOWN;
	return true;
}

/* What the NIC's receive flags say of a frame's outer IPv4 checksum. */
static enum encap_ip_cksum
rx_cksum(uint64_t ol_flags)
{
	switch (ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE: /* the header is sound, its checksum field aside */
		return ENCAP_CKSUM_GOOD;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return ENCAP_CKSUM_BAD;
	default:
		return ENCAP_CKSUM_VERIFY;
	}
}

static enum vfp_rx_class
ingress_uplink(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t head,
	uint32_t len, uint64_t ol_flags, struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const struct rte_ether_hdr *inner;
	struct encap_rx_info info;
	enum encap_parse_err err;
	uint16_t ethertype, vlan = 0;
	uint32_t l3 = sizeof(*eth);
	rte_be32_t src;

	if (head < RTE_MIN(len, (uint32_t)ENCAP_HEAD_MAX) || len < sizeof(*eth))
		return refuse(why, HNV_DROP_MALFORMED);
	ethertype = eth->ether_type;
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (len < sizeof(*eth) + sizeof(*vh))
			return refuse(why, HNV_DROP_MALFORMED);
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		ethertype = vh->eth_proto;
		l3 += sizeof(*vh);
	}
	if (vlan != p->hp.vlans[p->ports[port].member])
		return refuse(why, HNV_DROP_WRONG_VLAN);
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return VFP_RX_ARP;
	/* Before the MAC check: solicitations go to a multicast group. */
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6) && uplink_is_nd(frame, head, l3))
		return VFP_RX_ND;
	if (!rte_is_same_ether_addr(&eth->dst_addr, &p->hp.uplink_macs[p->ports[port].member]))
		return refuse(why, HNV_DROP_NOT_OUR_MAC);
	err = encap_parse_head(frame, head, len, p->hp.vxlan_port, rx_cksum(ol_flags), &info);
	if (err != ENCAP_OK)
		return refuse(why, (unsigned int)err < RTE_DIM(tunnel_drop) ? tunnel_drop[err]
									    : HNV_DROP_MALFORMED);
	if (!outer_pas(p, &info, &src))
		return refuse(why, HNV_DROP_NOT_OUR_PA);
	/* VMs may not send tagged frames, so none may arrive for them. */
	inner = (const struct rte_ether_hdr *)(frame + info.hdr_len);
	if (is_tagged(inner->ether_type))
		return refuse(why, HNV_DROP_INNER_TAGGED);
	if (!vfp_parse_inner(frame + info.hdr_len, head - info.hdr_len, info.inner_len, pkt))
		return refuse(why, HNV_DROP_MALFORMED);
	pkt->hdr_len = info.hdr_len;
	pkt->inner_len = info.inner_len;
	pkt->key.vsid = info.vsid;
	pkt->key.outer_src = src;
	pkt->key.encap = info.type;
	if (info.ipv6 && info.type == ENCAP_TYPE_VXLAN) {
		pkt->outer6_l3 = (uint8_t)info.l3_off;
		pkt->outer6_l4 = (uint8_t)info.l4_off;
	}
	/* Whichever team member it came in by: one flow, one reply entry. */
	pkt->key.in_port = p->hp.uplink;
	pkt->key.dir = VFP_DIR_IN;
	if (!rte_is_unicast_ether_addr(&pkt->key.dst_mac))
		return VFP_RX_FLOOD;
	return VFP_RX_FLOW;
}

enum vfp_rx_class
vfp_ingress(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t head,
	uint32_t len, uint64_t ol_flags, struct vfp_pkt *pkt, enum hnv_drop_reason *why)
{
	memset(pkt, 0, sizeof(*pkt));
	if (port >= p->hp.n_ports)
		return refuse(why, HNV_DROP_PORT_UNBOUND);
	switch (p->ports[port].role) {
	case VFP_PORT_UPLINK:
		return ingress_uplink(p, port, frame, head, len, ol_flags, pkt, why);
	case VFP_PORT_VM:
		return ingress_vm(p, port, frame, head, len, pkt, why);
	default:
		return refuse(why, HNV_DROP_PORT_UNBOUND);
	}
}
