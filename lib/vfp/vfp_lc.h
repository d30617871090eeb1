/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the layout of a worker's state (struct vfp_lcore, opaque outside
 * lib/vfp; vfp_lcore.c creates it): counters, transmit buffers, QoS state.
 * Touched only by its lcore; the control plane reads the counters. The
 * inline helpers here are how every stage frees-and-counts or queues a
 * packet; the apply and transmit stage (vfp_apply.c) flushes the buffers,
 * port by port in the order of the dirty list.
 */
#ifndef HNV_VFP_LC_H
#define HNV_VFP_LC_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_meter.h>

#include "vfp.h"

struct vfp_program;

/*
 * Size: with VFP_MAX_PORTS 2048 and VFP_TX_BUF 64, struct vfp_lcore is
 * 1,912,448 bytes (1.8 MiB, x86-64): txb[] 2048 x 520 = 1,064,960 (64 mbuf
 * pointers per port), stats[] 2048 x 392 = 802,816, the replication
 * budgets flood[] 2048 x 16 = 32 KiB, the dirty list 4 KiB, tx_retries[]
 * 2 KiB, QoS state under 6 KiB. One per worker lcore,
 * allocated once: accepted as the price of a fixed buffer per port (the
 * per-packet path never allocates), and only the buffers and counters of
 * the ports a burst touches come into the cache.
 */
struct vfp_lcore {
	const struct vfp_switch *sw; /* for the ports' link state */
	vfp_tx_fn tx;
	void *tx_ctx;
	uint64_t tsc_hz;
	unsigned int thread_id; /* RCU reader id */
	/* The ports with buffered packets, in the order they got their first
	 * one since the last flush; each port at most once. */
	uint16_t n_dirty;
	uint16_t dirty[VFP_MAX_PORTS];
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
	/* Unicast replication: the copies each VM port's broadcasts made in
	 * the current one-second window (storm control, vfp_flood.c). */
	struct {
		uint64_t window_tsc;
		uint32_t copies;
	} flood[VFP_MAX_PORTS];
	/* The router's ICMP errors sent in the current one-second window. */
	uint64_t icmp_window_tsc;
	uint32_t icmp_in_window;
} __rte_cache_aligned;

_Static_assert(VFP_MAX_PORTS <= UINT16_MAX, "port ids and n_dirty are 16 bits");
_Static_assert(VFP_TX_BUF <= UINT16_MAX, "txb[].n is 16 bits");

/* vfp_apply.c: transmit what @port's buffer holds. The port stays on the
 * dirty list: only vfp_enqueue (buffer full) and vfp_lcore_flush (which
 * empties the list) call it. */
void vfp_flush_port(struct vfp_lcore *lc, uint16_t port);

/* Free @m, counted under @r on @port. */
static inline void
vfp_drop(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, enum hnv_drop_reason r)
{
	lc->stats[port].drops[r]++;
	rte_pktmbuf_free(m);
}

/* Queue @m for transmission out of @port. A port joins the dirty list
 * with its first packet; a full buffer is sent at once, and the port keeps
 * its place on the list for the packet that follows. */
static inline void
vfp_enqueue(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	uint16_t n = lc->txb[port].n;

	if (unlikely(n == VFP_TX_BUF)) {
		vfp_flush_port(lc, port);
		n = 0;
	} else if (n == 0) {
		lc->dirty[lc->n_dirty++] = port;
	}
	lc->txb[port].pkts[n] = m;
	lc->txb[port].n = (uint16_t)(n + 1);
}

#endif /* HNV_VFP_LC_H */
