/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: IPv6 Neighbor Discovery on the VM side (beyond the document's
 * IPv4; the ARP proxy's counterpart, R8 for IPv6). Packets are built by
 * lib/arp_proxy/nd.c; this file decides.
 *
 *  Neighbor Solicitation from a VM (target T, in its VSID):
 *   - T is the router's (its link-local address from the router MAC, or a
 *     gateway6 of the domain): a Neighbor Advertisement with the R flag,
 *     from the router MAC;
 *   - T is the IPv6 CA of a VM NIC or mapping of the VSID, or the
 *     link-local address of one of its MACs: an NA with that VM's MAC;
 *   - T is the sender's own (duplicate address detection, or a VM asking
 *     for itself): absorbed (consumed), nothing is taken;
 *   - anything else: no answer (nd_no_entry), as for ARP.
 *  Router Solicitation: a Router Advertisement (vfp_nd_advertise), to the
 *   sender. Periodic advertisements: vfp_router_advertise (vfp.h).
 *  A VM's multicast Neighbor Advertisement (unsolicited): absorbed, the
 *   switch knows the answer; a unicast one (to a solicitation from the
 *   overlay) is switched like any frame, by the ingress stage. A VM's
 *   Router Advertisement: refused (nd_rogue_ra): only the distributed
 *   router advertises.
 *
 * The RA: router lifetime 1800 s, hop limit 64, the MTU that fits the
 * VSID's tunnel, the subnet's prefix on-link without autoconfiguration
 * (addresses come from the policy, which anti-spoofing enforces).
 */
#include <string.h>

#include <rte_cycles.h>

#include "nd.h"
#include "vfp_nd.h"
#include "vfp_router.h"
#include "vfp_sw.h"

#define RA_ROUTER_LIFETIME_S 1800
#define RA_VALID_S 2592000    /* 30 days, RFC 4861's default */
#define RA_PREFERRED_S 604800 /* 7 days */

/* The MAC whose modified EUI-64 link-local address is @ip, if it is one. */
static bool
mac_of_link_local(const uint8_t ip[16], struct rte_ether_addr *mac)
{
	static const uint8_t ll[8] = {0xfe, 0x80};

	if (memcmp(ip, ll, 8) != 0 || ip[11] != 0xff || ip[12] != 0xfe)
		return false;
	mac->addr_bytes[0] = ip[8] ^ 0x02;
	mac->addr_bytes[1] = ip[9];
	mac->addr_bytes[2] = ip[10];
	mac->addr_bytes[3] = ip[13];
	mac->addr_bytes[4] = ip[14];
	mac->addr_bytes[5] = ip[15];
	return true;
}

/* The RA of subnet @s (which has an IPv6 prefix). */
static void
ra_params(const struct vfp_program *p, const struct vfp_subnet *s, struct nd_ra_params *ra)
{
	uint16_t hdr = vfp_tunnel_overhead(p, s->encap);

	memset(ra, 0, sizeof(*ra));
	ra->router_mac = p->hp.router_mac;
	vfp_router_link_local(&p->hp.router_mac, ra->router_ll);
	ra->cur_hop_limit = 64;
	ra->router_lifetime_s = RA_ROUTER_LIFETIME_S;
	ra->mtu = p->mtu >= 1280 + hdr ? (uint16_t)RTE_MIN(p->mtu - hdr, VFP_VM_MTU_MAX) : 0;
	ra->n_prefixes = 1;
	memcpy(ra->prefixes[0].prefix, s->prefix6, 16);
	ra->prefixes[0].len = s->prefix6_len;
	ra->prefixes[0].on_link = true;
	ra->prefixes[0].autonomous = false;
	ra->prefixes[0].valid_s = RA_VALID_S;
	ra->prefixes[0].preferred_s = RA_PREFERRED_S;
}

/* Rewrite @m as the RA of @s to @dst_mac / @dst_ip; false if it failed. */
static bool
write_ra(const struct vfp_program *p, const struct vfp_subnet *s, struct rte_mbuf *m,
	const struct rte_ether_addr *dst_mac, const uint8_t dst_ip[16])
{
	struct nd_ra_params ra;
	uint8_t *buf;
	int len;

	ra_params(p, s, &ra);
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, ND_RA_FRAME_MAX);
	if (buf == NULL)
		return false;
	len = nd_build_ra(buf, ND_RA_FRAME_MAX, &ra, dst_mac, dst_ip);
	if (len < 0)
		return false;
	rte_pktmbuf_trim(m, (uint16_t)(ND_RA_FRAME_MAX - len));
	return true;
}

/* Who answers NS target @t for VM @self: the MAC, or NULL; *@router for
 * the router's own addresses, *@own for the VM's own. */
static const struct rte_ether_addr *
ns_answer(const struct vfp_program *p, const struct vfp_entry *self, const uint8_t t[16],
	bool *router, bool *own)
{
	const struct vfp_entry *e;
	struct rte_ether_addr mac;

	*router = false;
	*own = false;
	if (vfp_router_owns6(p, self->subnet, t)) {
		*router = true;
		return &p->hp.router_mac;
	}
	if (mac_of_link_local(t, &mac))
		e = vfp_l2_lookup(p, self->vsid, &mac);
	else
		e = vfp_nd_lookup(p, self->vsid, t);
	if (e == NULL)
		return NULL;
	if (e == self) {
		*own = true;
		return NULL;
	}
	return &e->mac;
}

void
vfp_nd_vm(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct rte_ether_addr *mac;
	struct rte_ether_addr dst_mac;
	uint8_t dst_ip[16];
	struct nd_pkt nd;
	bool router, own;
	uint8_t *buf;
	int len;

	if (nd_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &nd) != ND_OK) {
		vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	switch (nd.kind) {
	case ND_NS:
		mac = ns_answer(p, vnic, nd.target, &router, &own);
		if (own) {
			lc->stats[port].consumed++;
			rte_pktmbuf_free(m);
			return;
		}
		if (mac == NULL) {
			vfp_drop(lc, port, m, HNV_DROP_ND_NO_ENTRY);
			return;
		}
		rte_pktmbuf_reset(m);
		buf = (uint8_t *)rte_pktmbuf_append(m, ND_NA_FRAME_LEN);
		len = buf != NULL ? nd_build_na(buf, ND_NA_FRAME_LEN, &nd, mac, router) : -ENOSPC;
		if (len < 0) {
			vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
			return;
		}
		lc->stats[port].nd_replies++;
		vfp_enqueue(lc, port, m);
		return;
	case ND_RS:
		if (!vnic->subnet->has_v6) {
			vfp_drop(lc, port, m, HNV_DROP_ND_NO_ENTRY);
			return;
		}
		nd_ra_dst_for_rs(&nd, &dst_mac, dst_ip);
		if (!write_ra(p, vnic->subnet, m, &dst_mac, dst_ip)) {
			vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
			return;
		}
		lc->stats[port].nd_replies++;
		vfp_enqueue(lc, port, m);
		return;
	case ND_NA:
		lc->stats[port].consumed++;
		rte_pktmbuf_free(m);
		return;
	default: /* ND_RA */
		vfp_drop(lc, port, m, HNV_DROP_ND_ROGUE_RA);
		return;
	}
}

unsigned int
vfp_router_advertise(struct vfp_switch *sw, struct vfp_lcore *lc, struct rte_mempool *mp)
{
	static const struct rte_ether_addr all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};
	const struct vfp_program *p = __atomic_load_n(&sw->prog, __ATOMIC_ACQUIRE);
	unsigned int sent = 0;

	if (p == NULL)
		return 0;
	for (uint16_t port = 0; port < p->hp.n_ports; port++) {
		const struct vfp_entry *vnic = p->ports[port].vnic;
		struct rte_mbuf *m;

		/* Not to a port that is down (no guest): the RA would only be
		 * counted as port_down; the guest asks when it comes. */
		if (p->ports[port].role != VFP_PORT_VM || vnic == NULL || !vnic->subnet->has_v6 ||
			__atomic_load_n(&sw->port_down[port], __ATOMIC_RELAXED))
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			lc->stats[p->hp.uplink].drops[HNV_DROP_MBUF_EXHAUSTED]++;
			break;
		}
		if (!write_ra(p, vnic->subnet, m, &all_nodes_mac, nd_all_nodes)) {
			rte_pktmbuf_free(m);
			continue;
		}
		lc->stats[port].nd_replies++;
		vfp_enqueue(lc, port, m);
		sent++;
	}
	return sent;
}
