/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the one list of reasons a packet is dropped.
 *
 * Every drop anywhere on the data path is counted under exactly one of these
 * names, per port and per lcore; the shell, the final counters and the
 * telemetry show the names. Add a reason here, never a silent drop.
 */
#ifndef HNV_VFP_DROP_H
#define HNV_VFP_DROP_H

/* X-macro: enum suffix, name shown to operators, one-line meaning. */
#define HNV_FOREACH_DROP(_)                                                                        \
	_(MALFORMED, "malformed", "frame too short or bad L2/L3 header")                           \
	_(SPOOFED_MAC, "spoofed_mac", "VM sent with a source MAC that is not its own")             \
	_(SPOOFED_IP, "spoofed_ip", "VM sent IP/ARP with a source address not its own")            \
	_(VM_TAGGED, "vm_tagged", "VM sent an 802.1Q-tagged frame")                                \
	_(PORT_UNBOUND, "port_unbound", "frame on a port with no VM NIC bound")                    \
	_(ARP_NO_ENTRY, "arp_no_entry", "ARP request for an address the policy does not know")     \
	_(ARP_GRATUITOUS, "arp_gratuitous", "gratuitous ARP or ARP probe, absorbed")               \
	_(ARP_MALFORMED, "arp_malformed", "ARP that is not Ethernet/IPv4 or is truncated")         \
	_(ARP_NOT_FOR_US, "arp_not_for_us", "ARP on the uplink not for one of our PAs")            \
	_(ND_NOT_FOR_US, "nd_not_for_us",                                                          \
		"Neighbor Discovery on the uplink not for or from a PA we know")                   \
	_(FLOOD_UNSUPPORTED, "flood_unsupported",                                                  \
		"VM IGMP or MLD (multicast groups are not tracked)")                               \
	_(ND_NO_ENTRY, "nd_no_entry",                                                              \
		"Neighbor Solicitation for an address the policy does not know")                   \
	_(ND_ROGUE_RA, "nd_rogue_ra",                                                              \
		"Router Advertisement from a VM (only the router advertises)")                     \
	_(DHCP_DISABLED, "dhcp_disabled", "VM DHCP in a VSID whose policy has no dhcp")            \
	_(DHCP_UNKNOWN_CLIENT, "dhcp_unknown_client",                                              \
		"VM DHCP for a hardware address not its own")                                      \
	_(FLOOD_LIMIT, "flood_limit",                                                              \
		"VM broadcast/multicast over its subnet's copies per second")                      \
	_(NO_ROUTE, "no_route", "routed packet with no route in its routing domain")               \
	_(ROUTE_DROP, "route_drop", "routed packet matched a route whose action is drop")          \
	_(TO_ROUTER, "to_router", "packet for a gateway address other than an ICMP echo request")  \
	_(TTL_EXCEEDED, "ttl_exceeded", "routed packet whose TTL would reach 0 (ICMP sent back)")  \
	_(ACL_DENY, "acl_deny", "denied by an ACL rule or a layer's default")                      \
	_(NO_RULE, "no_rule", "no layer gave the packet a destination")                            \
	_(METER_RED, "meter_red", "over the rate of a meter (QoS)")                                \
	_(UNKNOWN_DST, "unknown_dst",                                                              \
		"no VM or mapping with this MAC (routed: address) in the VSID")                    \
	_(NEXTHOP_UNRESOLVED, "nexthop_unresolved", "PA next hop MAC not resolved yet")            \
	_(NO_HEADROOM, "no_headroom",                                                              \
		"no headroom for the outer header, no mbuf for a header segment")                  \
	_(TOO_BIG, "too_big", "encapsulated frame would exceed the uplink MTU")                    \
	_(NOT_OUR_MAC, "not_our_mac", "uplink frame to another MAC")                               \
	_(WRONG_VLAN, "wrong_vlan", "uplink frame not on the PA VLAN")                             \
	_(NOT_TUNNEL, "not_tunnel", "uplink frame that is neither ARP nor VXLAN/NVGRE")            \
	_(TUNNEL_TRUNCATED, "tunnel_truncated", "tunnel packet shorter than its headers")          \
	_(TUNNEL_BAD_IP, "tunnel_bad_ip",                                                          \
		"outer IP header invalid, fragmented or from a source no PA has")                  \
	_(TUNNEL_BAD_CKSUM, "tunnel_bad_cksum", "outer UDP checksum wrong (VXLAN over IPv6)")      \
	_(TUNNEL_BAD_HEADER, "tunnel_bad_header", "VXLAN I flag or NVGRE K/protocol wrong")        \
	_(TUNNEL_BAD_VSID, "tunnel_bad_vsid", "VNI/TNI outside 4096..2^24-2")                      \
	_(NOT_OUR_PA, "not_our_pa", "tunnel packet to a PA that is not ours")                      \
	_(UNKNOWN_VNI, "unknown_vni", "tunnel packet for a VSID not in the policy")                \
	_(ENCAP_MISMATCH, "encap_mismatch", "VXLAN for an NVGRE VSID or the reverse")              \
	_(SPOOFED_PA, "spoofed_pa", "inner source not mapped to the outer source PA")              \
	_(INNER_TAGGED, "inner_tagged", "tunnelled frame carries an 802.1Q tag (VMs send none)")   \
	_(TX_FULL, "tx_full", "transmit queue full")                                               \
	_(PORT_DOWN, "port_down", "output port's link is down (a VM port: no guest connected)")    \
	_(MBUF_EXHAUSTED, "mbuf_exhausted", "no mbuf to build a packet")

enum hnv_drop_reason {
#define HNV_DROP_ENUM(sym, name, help) HNV_DROP_##sym,
	HNV_FOREACH_DROP(HNV_DROP_ENUM)
#undef HNV_DROP_ENUM
		HNV_DROP_MAX
};

/** Operator-facing name of a drop reason ("unknown_vni"), or "?" if out of range. */
const char *hnv_drop_name(enum hnv_drop_reason r);

/** One-line description of a drop reason. */
const char *hnv_drop_help(enum hnv_drop_reason r);

#endif /* HNV_VFP_DROP_H */
