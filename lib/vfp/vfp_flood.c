/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: flooding. Inbound broadcast and multicast from the overlay reach
 * the local VMs of their VSID only, after the same tunnel checks as unicast
 * (vfp_vnet_tunnel_ok): the same mbuf is queued once per port with its
 * reference count raised, so no copy is made.
 */
#include "vfp_flood.h"
#include "vfp_vnet.h"

void
vfp_flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const struct vfp_flow_key *k = &pkt->key;
	const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);
	const struct vfp_entry *src;
	enum hnv_drop_reason why;

	if (s == NULL) {
		vfp_drop(lc, port, m, HNV_DROP_UNKNOWN_VNI);
		return;
	}
	if (!vfp_vnet_tunnel_ok(p, s, k, &src, &why)) {
		vfp_drop(lc, port, m, why);
		return;
	}
	if (s->n_local == 0) {
		vfp_drop(lc, port, m, HNV_DROP_UNKNOWN_DST);
		return;
	}
	lc->stats[port].decapsulated++;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pkt->hdr_len - pkt->inner_len));
	rte_pktmbuf_adj(m, pkt->hdr_len);
	if (s->n_local > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(s->n_local - 1));
	for (uint16_t i = 0; i < s->n_local; i++)
		vfp_enqueue(lc, s->local_ports[i], m);
}
