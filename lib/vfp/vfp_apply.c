/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the apply and transmit stage, its out-of-line parts: the
 * transmit buffers, the QoS state of a new program, and the L2/L3
 * rewrites. Applying an entry itself is inline in vfp_apply.h: it runs for
 * every packet, inside the burst loop.
 */
#include <stddef.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_apply.h"
#include "vfp_sw.h"

void
vfp_flush_port(struct vfp_lcore *lc, uint16_t port)
{
	uint16_t n = lc->txb[port].n, sent, i;
	struct rte_mbuf **pkts = lc->txb[port].pkts;
	uint64_t bytes = 0;

	if (n == 0)
		return;
	lc->txb[port].n = 0;
	if (unlikely(__atomic_load_n(&lc->sw->port_down[port], __ATOMIC_RELAXED))) {
		for (i = 0; i < n; i++)
			vfp_drop(lc, port, pkts[i], HNV_DROP_PORT_DOWN);
		return;
	}
	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	sent = lc->tx(lc->tx_ctx, port, pkts, n);
	/* Bounded: a peer that stopped draining costs a few calls and at most
	 * VFP_MAX_TX_RETRIES short waits, never a stalled worker. A peer that
	 * drains in bursts of its own (a guest's virtio ring) needs a moment
	 * between tries: back-to-back retries find its ring as full as before. */
	for (i = 0; sent < n && i < lc->tx_retries[port]; i++) {
		uint16_t more;

		lc->stats[port].tx_retries++;
		more = lc->tx(lc->tx_ctx, port, pkts + sent, (uint16_t)(n - sent));
		if (more == 0)
			rte_delay_us_block(VFP_TX_RETRY_WAIT_US);
		sent += more;
	}
	for (i = sent; i < n; i++) {
		bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		vfp_drop(lc, port, pkts[i], HNV_DROP_TX_FULL);
	}
	lc->stats[port].tx_packets += sent;
	lc->stats[port].tx_bytes += bytes;
}

void
vfp_lcore_flush(struct vfp_lcore *lc)
{
	/* In the order the ports got their first packet; a flush sends and
	 * never queues, so the list does not grow under us. */
	for (uint16_t i = 0; i < lc->n_dirty; i++)
		vfp_flush_port(lc, lc->dirty[i]);
	lc->n_dirty = 0;
}

void
vfp_apply_qos_reset(struct vfp_lcore *lc, const struct vfp_program *p)
{
	memset(lc->counters, 0, sizeof(lc->counters));
	for (unsigned int i = 0; i < p->n_meters; i++)
		rte_meter_srtcm_config(&lc->meters[i],
			/* the profile is read-only; the API just lacks the const */
			(struct rte_meter_srtcm_profile *)(uintptr_t)&p->meters[i].profile);
	lc->qos_prog = p;
}

/* The header checksum of @ip and the L4 checksum at @l4sum (NULL: none),
 * which covers the addresses too, for one address going from @from to @to. */
static void
fix_sums(struct rte_ipv4_hdr *ip, rte_be32_t from, rte_be32_t to, uint8_t *l4sum)
{
	rte_be16_t sum;

	ip->hdr_checksum = vfp_csum_replace4(ip->hdr_checksum, from, to);
	if (l4sum != NULL) {
		memcpy(&sum, l4sum, 2);
		sum = vfp_csum_replace4(sum, from, to);
		memcpy(l4sum, &sum, 2);
	}
}

bool
vfp_apply_rewrites(
	const struct vfp_flow *f, const struct vfp_pkt *pkt, uint8_t *frame, uint32_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4sum = NULL;
	uint32_t l4;

	if ((f->set & VFP_XSET_TTL) && pkt->is_ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(frame + pkt->l3_off);

		if (ip6->hop_limits <= 1)
			return false;
		ip6->hop_limits--; /* IPv6 has no header checksum */
	} else if ((f->set & VFP_XSET_TTL) && pkt->is_ipv4) {
		uint32_t sum;

		ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
		if (ip->time_to_live <= 1)
			return false;
		/* TTL is the high byte of its 16-bit word: one less there is
		 * 0x0100 more in the checksum (RFC 1624), end-around carry. */
		ip->time_to_live--;
		sum = (uint32_t)rte_be_to_cpu_16(ip->hdr_checksum) + 0x0100;
		ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)(sum + (sum >> 16)));
	}
	if (f->set & VFP_XSET_SRC_MAC)
		eth->src_addr = f->set_src_mac;
	if (f->set & VFP_XSET_DST_MAC)
		eth->dst_addr = f->set_dst_mac;
	if (!(f->set & (VFP_XSET_SRC_IP | VFP_XSET_DST_IP)) || !pkt->is_ipv4)
		return true;
	ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
	l4 = pkt->l3_off + (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (pkt->has_l4 && pkt->key.proto == IPPROTO_TCP && len >= l4 + sizeof(struct rte_tcp_hdr))
		l4sum = frame + l4 + offsetof(struct rte_tcp_hdr, cksum);
	else if (pkt->has_l4 && pkt->key.proto == IPPROTO_UDP &&
		 len >= l4 + sizeof(struct rte_udp_hdr) &&
		 ((struct rte_udp_hdr *)(frame + l4))->dgram_cksum != 0)
		l4sum = frame + l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	if (f->set & VFP_XSET_SRC_IP) {
		fix_sums(ip, ip->src_addr, f->set_src_ip, l4sum);
		ip->src_addr = f->set_src_ip;
	}
	if (f->set & VFP_XSET_DST_IP) {
		fix_sums(ip, ip->dst_addr, f->set_dst_ip, l4sum);
		ip->dst_addr = f->set_dst_ip;
	}
	return true;
}

void
vfp_encap_udp6_cksum(
	struct rte_mbuf *m, const struct encap_template *t, uint8_t *hdr, uint16_t inner_len)
{
	uint16_t sum = 0;

	if (t->type != ENCAP_TYPE_VXLAN)
		return;
	/* The inner frame may span segments; the header is in the first. */
	if (rte_raw_cksum_mbuf(m, t->len, inner_len, &sum) != 0)
		sum = 0; /* cannot happen: @m holds the header and the frame */
	encap_template_udp6_cksum(t, hdr, sum);
}
