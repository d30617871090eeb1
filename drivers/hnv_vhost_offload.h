/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/hnv_vhost_offload.h: private to drivers/, the interface between a
 * vhost-user port (hnv_vhost.c) and the software completion of its guest's
 * transmit offloads (hnv_vhost_offload.c).
 *
 * Owns: the per-port offload state (struct hnv_vhost_ol, opaque: the
 * per-queue stash of dequeued frames and cut segments, the offload
 * counters, the pools rte_gso uses), and what rte_vhost must be told so
 * that the frames it dequeues are the ones this completion expects.
 *
 * The port registers its socket with HNV_VHOST_OL_DRIVER_FLAGS and disables
 * HNV_VHOST_OL_FEATURES_OFF; hnv_vhost_rx takes what waits in a queue's
 * stash (hnv_vhost_ol_take), dequeues into its inbox (hnv_vhost_ol_inbox)
 * and completes that (hnv_vhost_ol_complete). The functions of queue q are
 * called only by q's poller, or by the control plane once no poller can be
 * inside (hnv_vhost_ol_flush/destroy); hnv_vhost_ol_stats from any thread.
 */
#ifndef HNV_VHOST_OFFLOAD_H
#define HNV_VHOST_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

/* Most frames one hnv_vhost_ol_complete takes: rte_vhost's MAX_PKT_BURST. */
#define HNV_VHOST_OL_BURST 32

/* rte_vhost_driver_register flags the completion relies on: compliant
 * offload flags put what the guest's virtio-net header asks in rx ol_flags
 * (RTE_MBUF_F_RX_L4_CKSUM_NONE, RTE_MBUF_F_RX_LRO), not tx ones. */
#define HNV_VHOST_OL_DRIVER_FLAGS RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS

/* Guest -> host offloads we do not complete, so must not offer
 * (rte_vhost_driver_disable_features): CSUM, HOST_TSO4 and HOST_ECN stay
 * on, as do mergeable rx buffers and the host -> guest features. */
#define HNV_VHOST_OL_FEATURES_OFF                                                                  \
	((1ULL << VIRTIO_NET_F_GSO) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                           \
		(1ULL << VIRTIO_NET_F_HOST_UFO))

/* The offload state of one port (opaque). */
struct hnv_vhost_ol;

/* What a port's offload completion did, summed over its queues. */
struct hnv_vhost_ol_stats {
	uint64_t csum; /* partial checksums completed */
	uint64_t tso;  /* TSO frames cut */
	uint64_t err;  /* frames dropped, offload not completed */
};

/*
 * Make the offload state of a port with @queues queue pairs (at most
 * HNV_VHOST_MAX_QUEUES), whose frames and segments come from @mp, and
 * HNV_VHOST_GSO_POOL if the process has none yet. Control plane.
 *
 * @return the state, or NULL with a message in @why ("out of memory",
 *         "cannot create mempool ..."; the caller names the port)
 */
struct hnv_vhost_ol *hnv_vhost_ol_create(
	struct rte_mempool *mp, uint16_t queues, char *why, size_t whylen);

/*
 * Free what the stashes hold and the state (HNV_VHOST_GSO_POOL stays).
 * Control plane, when no poller can be inside. NULL is ignored.
 */
void hnv_vhost_ol_destroy(struct hnv_vhost_ol *ol);

/*
 * Free what the stashes hold (the guest is gone): control plane, when no
 * poller can be inside.
 */
void hnv_vhost_ol_flush(struct hnv_vhost_ol *ol);

/*
 * Move what waits in queue @q's stash into @out, at most @room: the cut
 * segments first, then the dequeued frames not reached yet, completed.
 * Returns less than @room only once the stash is empty.
 *
 * @return how many mbufs were stored in @out
 */
uint16_t hnv_vhost_ol_take(
	struct hnv_vhost_ol *ol, uint16_t q, struct rte_mbuf **out, uint16_t room);

/*
 * The array of HNV_VHOST_OL_BURST entries to dequeue queue @q's frames into
 * before hnv_vhost_ol_complete; only while its stash is empty (after a
 * hnv_vhost_ol_take or hnv_vhost_ol_complete that returned less than it
 * was given room for).
 */
struct rte_mbuf **hnv_vhost_ol_inbox(struct hnv_vhost_ol *ol, uint16_t q);

/*
 * Complete the @n frames just dequeued into hnv_vhost_ol_inbox(@ol, @q)
 * into @out, at most @room: a partial TCP/UDP checksum computed, a TSO
 * frame cut into finished segments, no offload flag left. A frame that
 * cannot be completed is freed and counted. What does not fit waits in the
 * stash for hnv_vhost_ol_take; less than @room is returned only once the
 * stash is empty.
 *
 * @return how many mbufs were stored in @out
 */
uint16_t hnv_vhost_ol_complete(
	struct hnv_vhost_ol *ol, uint16_t q, uint16_t n, struct rte_mbuf **out, uint16_t room);

/* Read the counters of @ol, summed over its queues (any thread). */
void hnv_vhost_ol_stats(const struct hnv_vhost_ol *ol, struct hnv_vhost_ol_stats *sum);

#endif
