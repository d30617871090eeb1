/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: the 60-byte UDP/IPv4 frame of a VM that the benchmarks
 * send through the pipeline (bench_uft, bench_policy).
 */
#ifndef HNV_BENCH_FRAME_H
#define HNV_BENCH_FRAME_H

#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

/* A frame from @src (@sip) to @dst (@dip), UDP 0 -> 0 (the benchmark sets
 * the ports), host-order addresses; NULL if @mp is empty. */
static inline struct rte_mbuf *
bench_udp_frame(struct rte_mempool *mp, const struct rte_ether_addr *src,
	const struct rte_ether_addr *dst, uint32_t sip, uint32_t dip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t d[60] = {0};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	if (m == NULL)
		return NULL;
	eth->src_addr = *src;
	eth->dst_addr = *dst;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(20 + 8 + 18);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_len = rte_cpu_to_be_16(8 + 18);
	memcpy(rte_pktmbuf_append(m, sizeof(d)), d, sizeof(d));
	return m;
}

#endif /* HNV_BENCH_FRAME_H */
