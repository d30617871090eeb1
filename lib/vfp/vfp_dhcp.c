/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the DHCPv4 responder (beyond the document; what OVN's native
 * DHCP does). A VM's DHCP client message is answered here and never
 * forwarded or replicated:
 *  - the client must be the port's VM NIC (chaddr = its MAC; the source
 *    MAC was checked at ingress), else dhcp_unknown_client;
 *  - its VSID must have DHCP in the policy (vfp_program_set_dhcp), else
 *    dhcp_disabled;
 *  - DISCOVER gets an OFFER and REQUEST an ACK (or a NAK for another
 *    address) of the NIC's CA with the subnet's mask, broadcast address and
 *    gateway (also the server identifier), the lease time, DNS servers and
 *    domain of the policy, and the interface MTU that fits the overlay;
 *    INFORM an ACK; RELEASE, DECLINE and a REQUEST for another server are
 *    absorbed (consumed).
 * The reply is written over the request's mbuf (lib/dhcp builds it) and
 * sent back out of the port from the router MAC.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "dhcp.h"
#include "vfp_dhcp.h"

int
vfp_program_set_dhcp(struct vfp_program *p, uint32_t vsid, const struct vfp_dhcp_params *d)
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);

	if (vfp_program_is_derived(p))
		return -EINVAL;
	if (s == NULL)
		return -ENOENT;
	if (d == NULL || d->lease_s == 0 || d->n_dns > VFP_DHCP_MAX_DNS ||
		memchr(d->domain, '\0', sizeof(d->domain)) == NULL)
		return -EINVAL;
	if (s->dhcp == NULL) {
		s->dhcp = rte_zmalloc_socket(
			"vfp_dhcp", sizeof(*s->dhcp), RTE_CACHE_LINE_SIZE, p->hp.socket_id);
		if (s->dhcp == NULL)
			return -ENOMEM;
	}
	*s->dhcp = *d;
	return 0;
}

/* The IPv4 MTU a VM of @s can send with: what the uplink carries once the
 * VSID's tunnel header is added (over IPv6 if the host has IPv6 PAs), at
 * most VFP_VM_MTU_MAX. */
static uint16_t
vm_mtu(const struct vfp_program *p, const struct vfp_subnet *s)
{
	uint16_t hdr = vfp_tunnel_overhead(p, s->encap);

	return p->mtu > hdr + 68 ? (uint16_t)RTE_MIN(p->mtu - hdr, VFP_VM_MTU_MAX) : 0;
}

void
vfp_dhcp_answer(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	const struct vfp_subnet *s = vnic->subnet;
	uint32_t mask = s->prefix_len == 0 ? 0 : ~0u << (32 - s->prefix_len);
	struct dhcp_lease lease = {0};
	struct dhcp_request req;
	uint8_t *buf;
	int len;

	if (dhcp_parse(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &req) !=
		DHCP_OK) {
		vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	if (!rte_is_same_ether_addr(&req.chaddr, &vnic->mac)) {
		vfp_drop(lc, port, m, HNV_DROP_DHCP_UNKNOWN_CLIENT);
		return;
	}
	if (s->dhcp == NULL) {
		vfp_drop(lc, port, m, HNV_DROP_DHCP_DISABLED);
		return;
	}
	lease.yiaddr = vnic->ip;
	lease.netmask = rte_cpu_to_be_32(mask);
	lease.router = s->gateway;
	lease.server_id = s->gateway;
	lease.server_mac = p->hp.router_mac;
	lease.lease_s = s->dhcp->lease_s;
	lease.n_dns = s->dhcp->n_dns;
	memcpy(lease.dns, s->dhcp->dns, sizeof(lease.dns[0]) * s->dhcp->n_dns);
	memcpy(lease.domain, s->dhcp->domain, sizeof(lease.domain));
	lease.mtu = vm_mtu(p, s);
	lease.broadcast = rte_cpu_to_be_32(rte_be_to_cpu_32(s->prefix) | ~mask);
	/* The request is parsed: its mbuf becomes the reply. */
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, DHCP_REPLY_MAX);
	len = buf != NULL ? dhcp_build_reply(buf, DHCP_REPLY_MAX, &req, &lease) : -ENOSPC;
	if (len == -ENOMSG) {
		lc->stats[port].consumed++;
		rte_pktmbuf_free(m);
		return;
	}
	if (len < 0) {
		vfp_drop(lc, port, m, HNV_DROP_MALFORMED);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(DHCP_REPLY_MAX - len));
	lc->stats[port].dhcp_replies++;
	vfp_enqueue(lc, port, m);
}
