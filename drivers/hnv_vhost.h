/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/hnv_vhost.h: vhost-user ports of VM NICs, driven through DPDK's
 * rte_vhost library directly rather than as net_vhost ethdevs (Debian's
 * DPDK has RTE_MAX_ETHPORTS=32; we need about a thousand VM ports).
 *
 * Owns: one vhost-user socket per port (server or reconnecting client),
 * following its guest as it comes and goes, receiving from and sending to
 * its queues, completing the guest's transmit offloads (partial checksums,
 * TCP/IPv4 segmentation) so that the rest of the switch sees only finished
 * frames, and the port's counters. Knows nothing of policy. Implemented by
 * hnv_vhost.c (the port) and hnv_vhost_offload.c (the offload completion,
 * private to drivers/ behind hnv_vhost_offload.h).
 *
 * Threads: hnv_vhost_create/destroy/info are control plane;
 * hnv_vhost_rx/tx are called by worker lcores; the callbacks are called by
 * rte_vhost's threads (and by hnv_vhost_destroy, for a connected guest).
 */
#ifndef HNV_VHOST_H
#define HNV_VHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/** Most queue pairs one port polls and offers. */
#define HNV_VHOST_MAX_QUEUES 16

/** Most segments a guest's TSO frame is cut into: a 64 KB TCP/IPv4 frame at
 *  MSS 536 (the smallest IPv4 path MTU) needs 123. A frame that would need
 *  more is dropped and counted in offload_errors. */
#define HNV_VHOST_TSO_MAX_SEGS 128

/** Name of the mempool of indirect mbufs, one per process, that every port
 *  uses to cut TSO frames (rte_gso). The first hnv_vhost_create makes it;
 *  it stays until the process ends. Each worker holds a few of them only
 *  while it cuts one frame. */
#define HNV_VHOST_GSO_POOL "hnv_vhost_gso"

/** A vhost-user port (opaque). */
struct hnv_vhost;

/** Called from the vhost-user events thread when a guest becomes ready to
 *  carry traffic (up) or goes away (down). */
typedef void (*hnv_vhost_state_cb)(void *arg, bool up);

/** Returns only once no thread is inside hnv_vhost_rx/hnv_vhost_tx for any port
 *  (the app passes an RCU grace period of its workers). */
typedef void (*hnv_vhost_quiesce_fn)(void *arg);

/** How to create a port. */
struct hnv_vhost_params {
	const char *socket; /**< unix socket path, absolute, < 108 bytes */
	/** Connect to a socket QEMU made, reconnect whenever it goes away; else
	 *  we are the server (an old socket file is replaced). */
	bool client;
	uint16_t queues;              /**< queue pairs we poll/offer, 1..HNV_VHOST_MAX_QUEUES */
	struct rte_mempool *mp;       /**< receive mbufs */
	hnv_vhost_state_cb on_state;  /**< may be NULL */
	hnv_vhost_quiesce_fn quiesce; /**< required */
	void *arg;                    /**< for both callbacks */
};

/**
 * Create a vhost-user port on @p p->socket and start listening (server) or
 * connecting (client).
 *
 * Guest transmit offloads offered: VIRTIO_NET_F_CSUM (partial TCP/UDP
 * checksums, IPv4 and IPv6), VIRTIO_NET_F_HOST_TSO4 and HOST_ECN (TCP/IPv4
 * super-frames, ECN-aware). hnv_vhost_rx completes them in software. Not
 * offered: HOST_TSO6 (a guest segments TCP/IPv6 itself), HOST_UFO, and the
 * legacy VIRTIO_NET_F_GSO (it would make a Linux guest use TSO6 too).
 * Mergeable rx buffers and the guest receive features stay as rte_vhost
 * offers them; what we send a guest is always finished, and rte_vhost 22.11
 * cannot tell it a checksum was verified (no VIRTIO_NET_HDR_F_DATA_VALID).
 *
 * rte_vhost 22.11 takes at most 1024 sockets, and polls at most 1023
 * listening sockets and guest connections together: prefer client ports in
 * numbers (see hnv_vhost.c).
 *
 * @param p       what to create; the socket path is copied
 * @param err     a message on failure (may be NULL)
 * @param errlen  size of @p err
 * @return the port, or NULL with errno set (EINVAL bad parameters, ENOENT
 *         missing directory, EEXIST a non-socket file at the path or the path
 *         already registered, ENOMEM out of memory or no HNV_VHOST_GSO_POOL,
 *         EIO rte_vhost refused) and a message
 */
struct hnv_vhost *hnv_vhost_create(const struct hnv_vhost_params *p, char *err, size_t errlen);

/**
 * Destroy a port: disconnect its guest (on_state(false) and quiesce are
 * called from this thread if one was up), remove a server's socket file,
 * free everything. Control plane, after the workers stopped polling it.
 *
 * @param v  the port; NULL is ignored
 */
void hnv_vhost_destroy(struct hnv_vhost *v);

/**
 * Receive up to @p n frames the guest sent on its tx queue @p q, finished:
 * a partial L4 checksum is computed, a TSO frame is cut into the segments a
 * guest without TSO would have sent, and no offload flag is left in
 * ol_flags (nor l2_len..tso_segsz). A frame that fits params.mp's data room
 * comes as one direct mbuf; a bigger one (a large-MTU guest, or a segment
 * of a large MSS) as a chain of direct mbufs. A frame whose offload cannot
 * be completed is dropped and counted (offload_errors). Segments of a TSO
 * frame that do not fit in @p n wait in the queue for the next call, which
 * returns them first. Only one thread may poll a given @p q. Costs one load
 * when no guest is up.
 *
 * @return how many mbufs were stored in @p pkts (from params.mp); 0 if no
 *         guest is up, @p q is not offered, or the guest has not enabled it
 *         and nothing of it was waiting
 */
uint16_t hnv_vhost_rx(struct hnv_vhost *v, uint16_t q, struct rte_mbuf **pkts, uint16_t n);

/**
 * Send @p n frames to the guest's rx queue for worker @p q: queue @p q if
 * the guest enabled it, else one of the enabled ones (q modulo their
 * number), which two workers may then share. rte_vhost copies the frames.
 *
 * @return how many were taken, pkts[0..ret-1], which are FREED; the caller
 *         keeps pkts[ret..n-1]. 0 if no guest is up or it enabled no rx queue.
 */
uint16_t hnv_vhost_tx(struct hnv_vhost *v, uint16_t q, struct rte_mbuf **pkts, uint16_t n);

/** What an operator asks of a port. */
struct hnv_vhost_info {
	bool up;           /**< a guest is ready to carry traffic */
	int vid;           /**< rte_vhost device id, -1 when none */
	uint64_t features; /**< negotiated virtio features, 0 when none */
	uint16_t queues;   /**< queue pairs offered */
	/** Guest rx rings (we send to) and tx rings (we poll) it enabled, of
	 *  its first 16 pairs. */
	uint16_t rxq_enabled, txq_enabled;
	/** Frames hnv_vhost_rx returned per queue since created (a TSO frame
	 *  counts as its segments). */
	uint64_t q_rx[HNV_VHOST_MAX_QUEUES];
	uint64_t q_tx[HNV_VHOST_MAX_QUEUES]; /**< packets sent per guest rx ring since created */
	uint64_t connects;                   /**< times a guest came up */
	uint64_t disconnects;                /**< times it went down */
	uint64_t csum_completed;             /**< guest frames whose partial checksum we computed */
	uint64_t tso_frames;                 /**< guest TSO frames cut into segments */
	/** Guest frames dropped because their offload could not be completed:
	 *  malformed, not offered (TSO6, UFO, SCTP checksum), more than
	 *  HNV_VHOST_TSO_MAX_SEGS segments, or out of mbufs. */
	uint64_t offload_errors;
};

/**
 * Read a port's state and counters (control plane, any thread).
 *
 * @return 0, or -EINVAL if @p v or @p info is NULL
 */
int hnv_vhost_info(const struct hnv_vhost *v, struct hnv_vhost_info *info);

/**
 * Write the names of the virtio-net features set in @p features ("csum
 * guest_csum ... mrg_rxbuf ... version_1 ...", space separated, lowest bit
 * first; unknown bits as "bit<N>") into @p buf.
 *
 * @return chars written like snprintf: the length of the whole string, even
 *         if @p size cut it short
 */
int hnv_vhost_features_format(uint64_t features, char *buf, size_t size);

#endif
