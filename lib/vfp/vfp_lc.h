/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the layout of a worker's state (struct vfp_lcore, opaque outside
 * lib/vfp; vfp_lcore.c creates it): counters, transmit buffers, QoS state.
 * Touched only by its lcore; the control plane reads the counters. The
 * inline helpers here are how every stage frees-and-counts or queues a
 * packet; the apply and transmit stage (vfp_apply.c) flushes the buffers.
 */
#ifndef HNV_VFP_LC_H
#define HNV_VFP_LC_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_meter.h>

#include "vfp.h"

struct vfp_program;

struct vfp_lcore {
	const struct vfp_switch *sw; /* for the ports' link state */
	vfp_tx_fn tx;
	void *tx_ctx;
	uint64_t tsc_hz;
	unsigned int thread_id; /* RCU reader id */
	uint64_t dirty;         /* bit per port with buffered packets */
	struct {
		uint16_t n;
		struct rte_mbuf *pkts[VFP_TX_BUF];
	} txb[VFP_MAX_PORTS];
	struct vfp_port_stats stats[VFP_MAX_PORTS];
	uint8_t tx_retries[VFP_MAX_PORTS]; /* vfp_lcore_set_tx_retries */
	struct vfp_uft_stats uft;
	/* Counters and meter state of the program in force (reset when a new
	 * program is seen: ids are per program). */
	const struct vfp_program *qos_prog;
	struct {
		uint64_t packets, bytes;
	} counters[VFP_MAX_COUNTERS];
	struct rte_meter_srtcm meters[VFP_MAX_METERS];
} __rte_cache_aligned;

_Static_assert(VFP_MAX_PORTS <= 64, "the dirty mask has a bit per port");

/* vfp_apply.c: transmit what @port's buffer holds. */
void vfp_flush_port(struct vfp_lcore *lc, uint16_t port);

/* Free @m, counted under @r on @port. */
static inline void
vfp_drop(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, enum hnv_drop_reason r)
{
	lc->stats[port].drops[r]++;
	rte_pktmbuf_free(m);
}

/* Queue @m for transmission out of @port. */
static inline void
vfp_enqueue(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	if (lc->txb[port].n == VFP_TX_BUF)
		vfp_flush_port(lc, port);
	lc->txb[port].pkts[lc->txb[port].n++] = m;
	lc->dirty |= UINT64_C(1) << port;
}

#endif /* HNV_VFP_LC_H */
