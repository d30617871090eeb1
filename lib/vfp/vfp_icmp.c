/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp/vfp_icmp.c: the ICMP errors sent to a VM (vfp_icmp.h): the
 * builders and the per-lcore budget.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "nd.h"
#include "vfp_icmp.h"
#include "vfp_router.h"

#define VFP_ICMP_QUOTE_MAX 548              /* RFC 1812 4.3.2.3: the error fits in 576 bytes */
#define VFP_ICMP6_QUOTE_MAX (1280 - 40 - 8) /* RFC 4443 2.4 (c): fits the minimum MTU */

bool
vfp_icmp_budget(struct vfp_lcore *lc)
{
	uint64_t now = rte_rdtsc();

	if (now - lc->icmp_window_tsc >= lc->tsc_hz) {
		lc->icmp_window_tsc = now;
		lc->icmp_in_window = 0;
	}
	if (lc->icmp_in_window >= VFP_ICMP_ERRORS_PER_S)
		return false;
	lc->icmp_in_window++;
	return true;
}

/* Copy @len bytes at @off of @m (a chain or not) to @dst. */
static void
copy_out(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *dst)
{
	const void *s = rte_pktmbuf_read(m, off, len, dst);

	if (s != dst)
		memcpy(dst, s, len);
}

/* An ICMPv4 error, or an ICMP packet that may be one (a fragment, or too
 * short to tell)? Echo and timestamp messages are not errors. */
static bool
icmp4_is_error(const struct vfp_pkt *pkt)
{
	if (pkt->key.proto != IPPROTO_ICMP)
		return false;
	if (!pkt->has_icmp)
		return true;
	switch (pkt->icmp_type) {
	case RTE_IP_ICMP_ECHO_REPLY:
	case RTE_IP_ICMP_ECHO_REQUEST:
	case 13: /* timestamp */
	case 14:
		return false;
	default:
		return true;
	}
}

/* A new mbuf (from @m's pool) for an ICMP error about @m: the Ethernet
 * header (to @m's source MAC, from the router MAC, @ethertype), room for
 * an IP header of @l3_len bytes at *@l3, then the ICMP header (@type,
 * @code, @word in bytes 4-7, checksum 0) at *@ic and @quote bytes of @m
 * from its IP header. The caller writes the IP header and the checksum.
 * NULL if no mbuf is left. */
static struct rte_mbuf *
error_frame(const struct vfp_program *p, const struct rte_mbuf *m, const struct vfp_pkt *pkt,
	uint16_t ethertype, uint32_t l3_len, uint32_t quote, uint8_t type, uint8_t code,
	rte_be32_t word, uint8_t **l3, struct rte_icmp_hdr **ic)
{
	uint32_t len = (uint32_t)sizeof(struct rte_ether_hdr) + l3_len +
		       (uint32_t)sizeof(struct rte_icmp_hdr) + quote;
	struct rte_mbuf *r = rte_pktmbuf_alloc(m->pool);
	struct rte_ether_hdr *eth;
	uint8_t *buf = r != NULL ? (uint8_t *)rte_pktmbuf_append(r, (uint16_t)len) : NULL;

	if (buf == NULL) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	eth = (struct rte_ether_hdr *)buf;
	copy_out(m, RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN, &eth->dst_addr); /* its source */
	eth->src_addr = p->hp.router_mac;
	eth->ether_type = rte_cpu_to_be_16(ethertype);
	*l3 = (uint8_t *)(eth + 1);
	*ic = (struct rte_icmp_hdr *)(*l3 + l3_len);
	memset(*ic, 0, sizeof(**ic));
	(*ic)->icmp_type = type;
	(*ic)->icmp_code = code;
	memcpy(&(*ic)->icmp_ident, &word, sizeof(word)); /* bytes 4-7 */
	copy_out(m, pkt->l3_off, quote, *ic + 1);
	return r;
}

struct rte_mbuf *
vfp_icmp4_error(const struct vfp_program *p, struct vfp_lcore *lc, const struct vfp_entry *vnic,
	const struct rte_mbuf *m, const struct vfp_pkt *pkt, uint8_t type, uint8_t code,
	rte_be32_t word)
{
	struct rte_ipv4_hdr oip_buf;
	const struct rte_ipv4_hdr *oip =
		rte_pktmbuf_read(m, pkt->l3_off, sizeof(oip_buf), &oip_buf);
	struct rte_ipv4_hdr *rip;
	struct rte_icmp_hdr *ric;
	struct rte_mbuf *r;
	uint32_t quote;
	uint8_t *l3;

	if (oip == NULL || vnic == NULL || icmp4_is_error(pkt) || pkt->later_fragment ||
		!vfp_icmp_budget(lc))
		return NULL;
	/* The datagram as its header says, not the frame's padding. */
	quote = RTE_MIN(rte_pktmbuf_pkt_len(m) - pkt->l3_off,
		(uint32_t)rte_be_to_cpu_16(oip->total_length));
	quote = RTE_MIN(quote, (uint32_t)VFP_ICMP_QUOTE_MAX);
	r = error_frame(
		p, m, pkt, RTE_ETHER_TYPE_IPV4, sizeof(*rip), quote, type, code, word, &l3, &ric);
	if (r == NULL)
		return NULL;
	rip = (struct rte_ipv4_hdr *)l3;
	memset(rip, 0, sizeof(*rip));
	rip->version_ihl = RTE_IPV4_VHL_DEF;
	rip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*rip) + sizeof(*ric) + quote));
	rip->time_to_live = 64;
	rip->next_proto_id = IPPROTO_ICMP;
	rip->src_addr = vnic->subnet->gateway;
	rip->dst_addr = oip->src_addr;
	rip->hdr_checksum = rte_ipv4_cksum(rip);
	ric->icmp_cksum = (uint16_t)~rte_raw_cksum(ric, sizeof(*ric) + quote);
	return r;
}

struct rte_mbuf *
vfp_icmp6_error(const struct vfp_program *p, struct vfp_lcore *lc, const struct vfp_entry *vnic,
	const struct rte_mbuf *m, const struct vfp_pkt *pkt, uint8_t type, uint8_t code,
	rte_be32_t word)
{
	struct rte_ipv6_hdr oip_buf;
	const struct rte_ipv6_hdr *oip =
		rte_pktmbuf_read(m, pkt->l3_off, sizeof(oip_buf), &oip_buf);
	struct rte_ipv6_hdr *rip;
	struct rte_icmp_hdr *ric;
	struct rte_mbuf *r;
	uint32_t quote;
	uint8_t *l3;

	if (oip == NULL || vnic == NULL ||
		(pkt->key.proto == IPPROTO_ICMPV6 && (!pkt->has_icmp || pkt->icmp_type < 128)) ||
		pkt->later_fragment || !vfp_icmp_budget(lc))
		return NULL;
	quote = RTE_MIN(rte_pktmbuf_pkt_len(m) - pkt->l3_off,
		(uint32_t)sizeof(*oip) + rte_be_to_cpu_16(oip->payload_len));
	quote = RTE_MIN(quote, (uint32_t)VFP_ICMP6_QUOTE_MAX);
	r = error_frame(
		p, m, pkt, RTE_ETHER_TYPE_IPV6, sizeof(*rip), quote, type, code, word, &l3, &ric);
	if (r == NULL)
		return NULL;
	rip = (struct rte_ipv6_hdr *)l3;
	memset(rip, 0, sizeof(*rip));
	rip->vtc_flow = RTE_BE32(0x60000000);
	rip->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*ric) + quote));
	rip->proto = IPPROTO_ICMPV6;
	rip->hop_limits = 64;
	if (vnic->subnet->has_v6 && !nd_is_link_local(oip->src_addr))
		memcpy(rip->src_addr, vnic->subnet->gateway6, 16);
	else
		vfp_router_link_local(&p->hp.router_mac, rip->src_addr);
	memcpy(rip->dst_addr, oip->src_addr, 16);
	ric->icmp_cksum = rte_ipv6_udptcp_cksum(rip, ric);
	return r;
}
