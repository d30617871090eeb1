/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/hnv_vhost_offload.c: the software completion of a vhost-user
 * guest's transmit offloads, behind hnv_vhost_offload.h, for hnv_vhost.c.
 *
 * Owns: turning the frames rte_vhost dequeues with offload flags into the
 * finished frames a guest without offloads would have sent (partial
 * TCP/UDP checksums computed, TCP/IPv4 super-frames cut with rte_gso), the
 * per-queue stash of what one call could not return, the offload counters,
 * and HNV_VHOST_GSO_POOL. hnv_vhost.c owns the socket, the rte_vhost calls
 * and the threads; it calls us from hnv_vhost_rx (each burst it dequeues),
 * hnv_vhost_create (hnv_vhost_ol_create) and when a guest or the port goes
 * (hnv_vhost_ol_flush/destroy), and tells rte_vhost what we need
 * (HNV_VHOST_OL_DRIVER_FLAGS, HNV_VHOST_OL_FEATURES_OFF).
 *
 * What is offered. VIRTIO_NET_F_CSUM, HOST_TSO4 and HOST_ECN, completed
 * here, so the switch, which encapsulates frames towards other hosts or
 * hands them to local guests, never sees one. Not offered: HOST_TSO6
 * (rte_gso 22.11 cuts TCP/IPv4 only), HOST_UFO, and VIRTIO_NET_F_GSO, which
 * rte_vhost offers by default and which makes a Linux guest with CSUM turn
 * on TSO, TSO6 and TSO_ECN whatever the HOST_TSO bits say. The other way,
 * what we send a guest is always finished, and we cannot tell it we
 * verified a checksum: rte_vhost 22.11's enqueue never sets the virtio-net
 * header's VIRTIO_NET_HDR_F_DATA_VALID, whatever the mbuf's flags say, so
 * the guest verifies what it receives.
 *
 * What we get. With RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS rte_vhost 22.11
 * dequeues (vhost_dequeue_offload; checked against the installed
 * librte_vhost.so.23, 22.11.11):
 * - a header with flags and gso_type 0: no flag, nothing done;
 * - NEEDS_CSUM with csum_start <= the parsed L2+L3+L4 header length and an
 *   L4 of TCP, UDP or SCTP (rte_net_get_ptype): RTE_MBUF_F_RX_L4_CKSUM_NONE,
 *   the checksum field holds the guest's pseudo-header sum, packet_type set,
 *   l2_len/l3_len NOT set;
 * - NEEDS_CSUM otherwise (a tunnel, csum_start deeper than those headers):
 *   rte_vhost computes it itself, raw sum from csum_start to the end of the
 *   frame, written at csum_start + csum_offset if that is in the first mbuf
 *   (else left as is), csum_start past the frame ignored; no L4 flag;
 * - gso_type TCPV4 or TCPV6 (ECN bit ignored) with a TCP L4, gso_size != 0:
 *   RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE and tso_segsz =
 *   gso_size; UDP likewise; any other case no flag (the frame passes as a
 *   frame too big for its MTU).
 *
 * What we do. ol_run computes an L4_CKSUM_NONE frame's TCP/UDP checksum
 * over the IP header's L4 length (IPv4 and IPv6, mbuf chains), and cuts an
 * LRO frame with rte_gso_segment (direct pool = the port's mempool,
 * indirect pool = HNV_VHOST_GSO_POOL) into MSS-sized segments. rte_gso
 * does the header work: consecutive IP ids, advancing sequence numbers,
 * PSH/FIN on the last segment only. Its segments are a header mbuf chained
 * to indirect mbufs pointing into the super-frame; each segment's payload
 * is copied after its header, into the header's mbuf (or more direct mbufs
 * of the port's pool when MSS + headers exceed its data room), and the
 * indirect mbufs are freed at once. So what we return is what hnv_vhost_rx
 * promises (direct mbufs of the port's pool, sharing nothing), the
 * indirect mbufs are held only while one frame is cut (what GSO_POOL_SIZE
 * assumes), and the super-frame goes back to its pool at once rather than
 * when its last segment leaves the switch. Each segment then gets its IPv4
 * header checksum, its TCP checksum, and CWR cleared past the first
 * segment (rte_gso keeps it on all; Linux and TSO hardware set it on the
 * first only). The offload flags are cleared. A frame that cannot be
 * completed is dropped and counted (err; offload_errors of
 * hnv_vhost_info).
 *
 * The stash. One frame can become up to HNV_VHOST_TSO_MAX_SEGS: hnv_vhost_rx
 * dequeues at most the room its caller left into the queue's inbox, we
 * complete frames into the caller's array while it has room, and keep what
 * did not fit (the rest of one cut frame, and the dequeued frames after
 * it) in the queue's stash for the next call, which returns them first
 * (hnv_vhost_ol_take). Bounding the dequeue instead would need room for 128
 * segments per frame, i.e. one frame per call. Only the queue's poller
 * touches its stash and writes its counters; hnv_vhost.c flushes what is
 * left when the guest goes, after quiesce, when no worker can be inside.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "hnv_vhost.h"
#include "hnv_vhost_offload.h"

/* The indirect mbufs of rte_gso: a worker holds at most one per segment
 * plus one per input mbuf of the frame it cuts (~161 for 64 KB), and its
 * cache, so this serves some 40 workers cutting at once. */
#define GSO_POOL_SIZE 8191
#define GSO_POOL_CACHE 32

/* The ol_flags of guest offloads, cleared once completed. */
#define OFFLOAD_FLAGS                                                                              \
	(RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_IP_CKSUM_MASK |           \
		RTE_MBUF_F_TX_OFFLOAD_MASK)

/* One queue pair's stash and counters, a cache line apart from the next
 * queue's: only its poller touches them (and hnv_vhost_ol_flush once no
 * poller can be inside); any thread reads the counters. */
struct ol_queue {
	uint64_t csum;            /* partial checksums completed */
	uint64_t tso;             /* TSO frames cut */
	uint64_t err;             /* frames dropped, offload not completed */
	uint16_t seg_next, seg_n; /* segs[seg_next..seg_n-1]: finished, to return first */
	uint16_t raw_next, raw_n; /* raw[raw_next..raw_n-1]: dequeued, to complete next */
	struct rte_mbuf *raw[HNV_VHOST_OL_BURST];
	struct rte_mbuf *segs[HNV_VHOST_TSO_MAX_SEGS];
} __rte_cache_aligned;

struct hnv_vhost_ol {
	struct rte_mempool *mp;     /* the port's: frames, segments, copies */
	struct rte_mempool *gso_mp; /* HNV_VHOST_GSO_POOL */
	uint16_t queues;
	struct ol_queue q[]; /* one per queue pair the port polls */
};

/* Add to a counter only this worker writes, which others read. */
static inline void
count_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* ---- checksums ---- */

/* The TCP/UDP checksum of the L4 bytes [l4_off, l4_off + l4_len) of @m
 * (which may be a chain), with the IPv4 or IPv6 pseudo-header of the IP
 * header at l3_off, as the value to store. A result of 0 is sent as
 * 0xffff, as Linux's skb_checksum_help does (and UDP requires). */
static uint16_t
l4_cksum(const struct rte_mbuf *m, uint32_t ptype, uint32_t l3_off, uint32_t l4_off,
	uint32_t l4_len, uint8_t proto)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(m, const uint8_t *, l3_off);
	uint32_t sum;
	uint16_t raw = 0;

	if (RTE_ETH_IS_IPV4_HDR(ptype))
		sum = __rte_raw_cksum(&((const struct rte_ipv4_hdr *)l3)->src_addr, 8, 0);
	else
		sum = __rte_raw_cksum(((const struct rte_ipv6_hdr *)l3)->src_addr, 32, 0);
	sum += rte_cpu_to_be_16((uint16_t)proto);
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	/* The caller checked that the range is in the frame. */
	rte_raw_cksum_mbuf(m, l4_off, l4_len, &raw);
	sum += raw;
	raw = (uint16_t)~__rte_raw_cksum_reduce(sum);
	return raw == 0 ? 0xffff : raw;
}

/* Compute the TCP/UDP checksum of @m, which the guest left partial
 * (RTE_MBUF_F_RX_L4_CKSUM_NONE): over the L4 length its IP header gives,
 * IPv4 or IPv6 (extension headers included), the field in the first mbuf.
 * 0, or -1 for a frame we cannot complete (SCTP, malformed). */
static int
l4_complete(struct rte_mbuf *m)
{
	const uint32_t mask = RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK;
	struct rte_net_hdr_lens hl;
	uint32_t ptype = rte_net_get_ptype(m, &hl, mask);
	uint32_t l3_off = hl.l2_len, l4_off = l3_off + hl.l3_len, l4_len, field;
	uint8_t proto;

	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		proto = IPPROTO_TCP;
		field = offsetof(struct rte_tcp_hdr, cksum);
		break;
	case RTE_PTYPE_L4_UDP:
		proto = IPPROTO_UDP;
		field = offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	default:
		return -1;
	}
	if (l4_off + hl.l4_len > rte_pktmbuf_data_len(m))
		return -1;
	if (RTE_ETH_IS_IPV4_HDR(ptype)) {
		l4_len = rte_be_to_cpu_16(
			rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3_off)->total_length);
		if (l4_len < hl.l3_len)
			return -1;
		l4_len -= hl.l3_len;
	} else if (RTE_ETH_IS_IPV6_HDR(ptype)) {
		/* payload_len counts the extension headers; 0 is a jumbogram. */
		l4_len = rte_be_to_cpu_16(
			rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3_off)->payload_len);
		l4_len += sizeof(struct rte_ipv6_hdr);
		if (l4_len < hl.l3_len + hl.l4_len)
			return -1;
		l4_len -= hl.l3_len;
	} else {
		return -1;
	}
	if (l4_len < hl.l4_len || l4_off + l4_len > rte_pktmbuf_pkt_len(m))
		return -1;
	*rte_pktmbuf_mtod_offset(m, uint16_t *, l4_off + field) = 0;
	*rte_pktmbuf_mtod_offset(m, uint16_t *, l4_off + field) =
		l4_cksum(m, ptype, l3_off, l4_off, l4_len, proto);
	return 0;
}

/* ---- TSO ---- */

/* Copy the payload of @seg (a header mbuf then indirect mbufs, as rte_gso
 * makes them) after its header: into the header's mbuf, then into new
 * mbufs of @mp when it is full; free the indirect ones. 0, or -ENOMEM with
 * @seg a valid chain the caller frees. */
static int
seg_make_direct(struct rte_mbuf *seg, struct rte_mempool *mp)
{
	struct rte_mbuf *src = seg->next, *dst = seg, *s, *m;

	seg->next = NULL;
	seg->nb_segs = 1;
	seg->pkt_len = seg->data_len;
	for (s = src; s != NULL; s = s->next) {
		const uint8_t *from = rte_pktmbuf_mtod(s, const uint8_t *);
		uint32_t left = s->data_len;

		while (left != 0) {
			uint32_t k = rte_pktmbuf_tailroom(dst);

			if (k == 0) {
				m = rte_pktmbuf_alloc(mp);
				if (unlikely(m == NULL)) {
					rte_pktmbuf_free(src);
					return -ENOMEM;
				}
				dst->next = m;
				dst = m;
				seg->nb_segs++;
				k = rte_pktmbuf_tailroom(dst);
			}
			k = RTE_MIN(k, left);
			memcpy(rte_pktmbuf_mtod_offset(dst, uint8_t *, dst->data_len), from, k);
			dst->data_len = (uint16_t)(dst->data_len + k);
			seg->pkt_len += k;
			from += k;
			left -= k;
		}
	}
	rte_pktmbuf_free(src);
	return 0;
}

/* Finish segment @seg of a TCP/IPv4 frame whose headers @hl gives: IPv4
 * header checksum, CWR only on the @first, TCP checksum; no offload left.
 * rte_gso set total_length, the id, the sequence number, PSH and FIN. */
static void
tcp4_finish(struct rte_mbuf *seg, const struct rte_net_hdr_lens *hl, uint32_t ptype, bool first)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(seg, struct rte_ipv4_hdr *, hl->l2_len);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ip + hl->l3_len);
	uint32_t l4_off = hl->l2_len + hl->l3_len;

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (!first)
		th->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	th->cksum = 0;
	th->cksum = l4_cksum(seg, ptype, hl->l2_len, l4_off, seg->pkt_len - l4_off, IPPROTO_TCP);
	seg->ol_flags &= ~OFFLOAD_FLAGS;
	seg->tx_offload = 0;
}

/* Cut TSO frame @m (RTE_MBUF_F_RX_LRO, MSS in tso_segsz) into the finished
 * segments a guest without TSO would have sent, in @segs. @m is consumed.
 * Returns their number, or -1 (nothing in @segs) if it cannot be done. */
static int
tso_cut(const struct hnv_vhost_ol *ol, struct rte_mbuf *m, struct rte_mbuf **segs)
{
	const uint32_t mask = RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK;
	struct rte_net_hdr_lens hl;
	uint32_t ptype = rte_net_get_ptype(m, &hl, mask);
	uint32_t mss = m->tso_segsz, hdr, payload;
	struct rte_gso_ctx ctx;
	int k, i;

	hdr = (uint32_t)hl.l2_len + hl.l3_len + hl.l4_len;
	/* TCP/IPv4, not a fragment (the L4 type says), headers in the first
	 * mbuf (rte_gso copies them from there), some payload. */
	if (!RTE_ETH_IS_IPV4_HDR(ptype) || (ptype & RTE_PTYPE_L4_MASK) != RTE_PTYPE_L4_TCP ||
		mss == 0 || hdr > rte_pktmbuf_data_len(m) || hdr >= rte_pktmbuf_pkt_len(m))
		goto drop;
	payload = rte_pktmbuf_pkt_len(m) - hdr;
	if (payload <= mss) {
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, hl.l2_len)->total_length =
			rte_cpu_to_be_16((uint16_t)(rte_pktmbuf_pkt_len(m) - hl.l2_len));
		tcp4_finish(m, &hl, ptype, true);
		segs[0] = m;
		return 1;
	}
	if ((payload + mss - 1) / mss > HNV_VHOST_TSO_MAX_SEGS || hdr + mss > UINT16_MAX)
		goto drop;

	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	m->ol_flags |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4;
	ctx = (struct rte_gso_ctx){
		.direct_pool = ol->mp,
		.indirect_pool = ol->gso_mp,
		.flag = 0, /* incremental IP ids */
		.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO,
		.gso_size = (uint16_t)(hdr + mss),
	};
	/* On failure rte_gso frees the segments it made. */
	k = rte_gso_segment(m, &ctx, segs, HNV_VHOST_TSO_MAX_SEGS);
	if (k <= 0)
		goto drop;
	for (i = 0; i < k; i++) {
		if (seg_make_direct(segs[i], ol->mp) != 0)
			break;
		tcp4_finish(segs[i], &hl, ptype, i == 0);
	}
	/* The segments no longer point into it. */
	rte_pktmbuf_free(m);
	if (unlikely(i < k)) {
		rte_pktmbuf_free_bulk(segs, (unsigned int)k);
		return -1;
	}
	return k;
drop:
	rte_pktmbuf_free(m);
	return -1;
}

/* Complete the frames in @s->raw into @out, at most @room: segments that
 * do not fit stay in @s->segs, frames not reached in @s->raw. */
static uint16_t
ol_run(const struct hnv_vhost_ol *ol, struct ol_queue *s, struct rte_mbuf **out, uint16_t room)
{
	uint16_t w = 0, take;
	int k;

	while (w < room && s->raw_next < s->raw_n) {
		struct rte_mbuf *m = s->raw[s->raw_next++];
		uint64_t fl = m->ol_flags;

		if (likely(!(fl & (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK)))) {
			out[w++] = m;
			continue;
		}
		if (fl & RTE_MBUF_F_RX_LRO) {
			k = tso_cut(ol, m, s->segs);
			if (unlikely(k < 0)) {
				count_add(&s->err, 1);
				continue;
			}
			count_add(&s->tso, 1);
			take = (uint16_t)RTE_MIN(k, room - w);
			memcpy(out + w, s->segs, take * sizeof(*out));
			w = (uint16_t)(w + take);
			s->seg_next = take;
			s->seg_n = (uint16_t)k;
			continue;
		}
		if ((fl & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE) {
			if (unlikely(l4_complete(m) != 0)) {
				rte_pktmbuf_free(m);
				count_add(&s->err, 1);
				continue;
			}
			count_add(&s->csum, 1);
		}
		m->ol_flags &= ~OFFLOAD_FLAGS;
		out[w++] = m;
	}
	return w;
}

/* HNV_VHOST_GSO_POOL, made by the first port and kept for the process. */
static struct rte_mempool *
gso_pool_get(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct rte_mempool *mp;

	pthread_mutex_lock(&lock);
	if (mp == NULL)
		mp = rte_mempool_lookup(HNV_VHOST_GSO_POOL);
	if (mp == NULL)
		mp = rte_pktmbuf_pool_create(
			HNV_VHOST_GSO_POOL, GSO_POOL_SIZE, GSO_POOL_CACHE, 0, 0, SOCKET_ID_ANY);
	pthread_mutex_unlock(&lock);
	return mp;
}

/* ---- the interface of hnv_vhost_offload.h ---- */

struct hnv_vhost_ol *
hnv_vhost_ol_create(struct rte_mempool *mp, uint16_t queues, char *why, size_t whylen)
{
	struct hnv_vhost_ol *ol;

	ol = rte_zmalloc(
		"hnv_vhost_ol", sizeof(*ol) + queues * sizeof(ol->q[0]), RTE_CACHE_LINE_SIZE);
	if (ol == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ol->gso_mp = gso_pool_get();
	if (ol->gso_mp == NULL) {
		snprintf(why, whylen, "cannot create mempool " HNV_VHOST_GSO_POOL ": %s",
			rte_strerror(rte_errno));
		rte_free(ol);
		return NULL;
	}
	ol->mp = mp;
	ol->queues = queues;
	return ol;
}

void
hnv_vhost_ol_destroy(struct hnv_vhost_ol *ol)
{
	if (ol == NULL)
		return;
	hnv_vhost_ol_flush(ol);
	rte_free(ol);
}

void
hnv_vhost_ol_flush(struct hnv_vhost_ol *ol)
{
	struct ol_queue *s;
	uint16_t q;

	for (q = 0; q < ol->queues; q++) {
		s = &ol->q[q];
		rte_pktmbuf_free_bulk(
			s->segs + s->seg_next, (unsigned int)(s->seg_n - s->seg_next));
		rte_pktmbuf_free_bulk(s->raw + s->raw_next, (unsigned int)(s->raw_n - s->raw_next));
		s->seg_next = s->seg_n = s->raw_next = s->raw_n = 0;
	}
}

uint16_t
hnv_vhost_ol_take(struct hnv_vhost_ol *ol, uint16_t q, struct rte_mbuf **out, uint16_t room)
{
	struct ol_queue *s = &ol->q[q];
	uint16_t w = RTE_MIN((uint16_t)(s->seg_n - s->seg_next), room);

	memcpy(out, s->segs + s->seg_next, w * sizeof(*out));
	s->seg_next = (uint16_t)(s->seg_next + w);
	if (s->seg_next < s->seg_n)
		return w;
	s->seg_next = s->seg_n = 0;
	return (uint16_t)(w + ol_run(ol, s, out + w, (uint16_t)(room - w)));
}

struct rte_mbuf **
hnv_vhost_ol_inbox(struct hnv_vhost_ol *ol, uint16_t q)
{
	return ol->q[q].raw;
}

uint16_t
hnv_vhost_ol_complete(
	struct hnv_vhost_ol *ol, uint16_t q, uint16_t n, struct rte_mbuf **out, uint16_t room)
{
	struct ol_queue *s = &ol->q[q];

	s->raw_next = 0;
	s->raw_n = n;
	return ol_run(ol, s, out, room);
}

void
hnv_vhost_ol_stats(const struct hnv_vhost_ol *ol, struct hnv_vhost_ol_stats *sum)
{
	uint16_t q;

	memset(sum, 0, sizeof(*sum));
	for (q = 0; q < ol->queues; q++) {
		sum->csum += __atomic_load_n(&ol->q[q].csum, __ATOMIC_RELAXED);
		sum->tso += __atomic_load_n(&ol->q[q].tso, __ATOMIC_RELAXED);
		sum->err += __atomic_load_n(&ol->q[q].err, __ATOMIC_RELAXED);
	}
}
