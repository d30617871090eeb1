/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/hnv_vhost.h: vhost-user ports of VM NICs, driven through DPDK's
 * rte_vhost library directly rather than as net_vhost ethdevs (Debian's
 * DPDK has RTE_MAX_ETHPORTS=32; we need about a thousand VM ports).
 *
 * Owns: one vhost-user socket per port (server or reconnecting client),
 * following its guest as it comes and goes, receiving from and sending to
 * its queues, and the port's counters. Knows nothing of policy.
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
 * connecting (client). Guest offloads are off for now: the guest sends
 * finished frames (no partial checksums, no GSO). rte_vhost 22.11 takes
 * at most 1024 sockets, and polls at most 1023 listening sockets and guest
 * connections together: prefer client ports in numbers (see hnv_vhost.c).
 *
 * @param p       what to create; the socket path is copied
 * @param err     a message on failure (may be NULL)
 * @param errlen  size of @p err
 * @return the port, or NULL with errno set (EINVAL bad parameters, ENOENT
 *         missing directory, EEXIST a non-socket file at the path or the path
 *         already registered, ENOMEM, EIO rte_vhost refused) and a message
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
 * Receive up to @p n frames the guest sent on its tx queue @p q. Only one
 * thread may poll a given @p q. Costs one load when no guest is up.
 *
 * @return how many mbufs were stored in @p pkts (from params.mp); 0 if no
 *         guest is up, @p q is not offered, or the guest has not enabled it
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
	uint64_t q_rx[HNV_VHOST_MAX_QUEUES]; /**< packets received per queue since created */
	uint64_t q_tx[HNV_VHOST_MAX_QUEUES]; /**< packets sent per guest rx ring since created */
	uint64_t connects;                   /**< times a guest came up */
	uint64_t disconnects;                /**< times it went down */
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
