/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: multi-segment packets (mbuf chains). A jumbo frame, or any
 * frame a port receives into several buffers, is processed as a chain:
 * only its headers must be contiguous, which vfp_mbuf_pullup() makes them;
 * tunnel padding is cut across segments; an outer header goes in the
 * first segment's headroom, or in a new first segment when there is none.
 */
#ifndef HNV_VFP_MBUF_H
#define HNV_VFP_MBUF_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/* The bytes of a chained frame the ingress stage reads in place: the
 * longest outer header and inner Ethernet header (108 bytes), an inner
 * IPv4 header with options and a TCP header fit, as do IPv6 and its
 * extension headers up to 88 bytes. */
#define VFP_MBUF_HEAD 256u

/* The slow branch of vfp_mbuf_pullup(): bytes to move. */
bool vfp_mbuf_pullup_move(struct rte_mbuf *m, uint32_t len);

/* Make the first min(@len, packet length) bytes of @m contiguous in its
 * first segment, moving bytes up from the segments after it into its
 * tailroom and freeing segments that end up empty. Returns false when the
 * first segment cannot take them (too little tailroom, or a buffer shared
 * with another packet); @m is then still whole and carries the same bytes.
 * Inline: a jumbo frame's first segment mostly holds them already. */
static inline bool
vfp_mbuf_pullup(struct rte_mbuf *m, uint32_t len)
{
	if (likely(m->data_len >= RTE_MIN(len, rte_pktmbuf_pkt_len(m))))
		return true;
	return vfp_mbuf_pullup_move(m, len);
}

/* Cut @m to its first @len bytes, across segments (rte_pktmbuf_trim
 * trims the last segment only): segments wholly past @len are freed. */
void vfp_mbuf_truncate(struct rte_mbuf *m, uint32_t len);

/* A new segment from @m's pool holding @len bytes of room, chained in
 * front of @m (the slow branch of vfp_mbuf_prepend()); NULL if the pool is
 * empty. */
struct rte_mbuf *vfp_mbuf_head_seg(struct rte_mbuf *m, uint16_t len);

/* @len bytes in front of @*m's data: in its headroom, or else in a new first
 * segment from @*m's pool, which then becomes @*m. Returns where they
 * start, or NULL (and @*m unchanged) when neither has the room. */
static inline uint8_t *
vfp_mbuf_prepend(struct rte_mbuf **m, uint16_t len)
{
	uint8_t *hdr = (uint8_t *)rte_pktmbuf_prepend(*m, len);
	struct rte_mbuf *h;

	if (likely(hdr != NULL))
		return hdr;
	h = vfp_mbuf_head_seg(*m, len);
	if (h == NULL)
		return NULL;
	*m = h;
	return rte_pktmbuf_mtod(h, uint8_t *);
}

#endif /* HNV_VFP_MBUF_H */
