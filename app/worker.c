/* SPDX-License-Identifier: BSD-3-Clause
 * app: the worker loop, and the workers' lcore state (struct vfp_lcore):
 * set up and torn down here, and handed to the rest of the app only by
 * hnv_app_lcores(), so how a worker holds it is this file's business.
 *
 * Threading model: each worker lcore polls the (port, rx queue) pairs of its
 * receive list, which ports.c deals so that no two workers poll the same
 * queue and replaces whole when a reload adds or removes ports (the worker
 * reads it once per loop, so a grace period retires the old one), and owns
 * one tx queue (its index) on every port. A port is an ethdev or a
 * vhost-user port (hnv_vhost.h); the receive list and the transmit
 * callback pick the call by the port's kind. Run to completion: rx burst ->
 * vfp_process_burst -> the lcore's tx buffers, flushed once per loop. The
 * only state a worker writes is its own engine state (struct vfp_lcore:
 * counters, tx buffers), flow table entries (inserts under the table's writer lock; the
 * hit counters of the flows it handles) and the switch's next-hop cache
 * (atomic words). After each loop it reports an RCU quiescent state, which
 * is what lets the control plane publish a new program and free deleted
 * flows. Worker 0 also
 * solicits unresolved PA next hops every 100 ms, since it has a tx queue
 * and the control lcore does not.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "hnv_app.h"
#include "hnv_vhost.h"

static uint16_t
worker_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct hnv_worker *w = ctx;
	const struct hnv_swport *sp = &w->app->ports[port];

	if (sp->kind == HNV_PORT_VHOST)
		return hnv_vhost_tx(sp->vh, w->txq, pkts, n);
	if (sp->kind == HNV_PORT_ETHDEV) {
		/* A replicated copy is a chain; a device that cannot send one
		 * gets it in one segment (the header mbuf has the room for
		 * frames of the usual MTU; a longer one goes as it is). */
		if (unlikely(sp->linearize))
			for (uint16_t i = 0; i < n; i++)
				if (pkts[i]->nb_segs > 1)
					(void)rte_pktmbuf_linearize(pkts[i]);
		return rte_eth_tx_burst(sp->eth_port, w->txq, pkts, n);
	}
	return 0; /* gone: the program no longer names it */
}

static inline uint16_t
worker_rx(const struct hnv_swport *sp, uint16_t queue, struct rte_mbuf **pkts)
{
	if (sp->kind == HNV_PORT_VHOST)
		return hnv_vhost_rx(sp->vh, queue, pkts, VFP_BURST);
	return rte_eth_rx_burst(sp->eth_port, queue, pkts, VFP_BURST);
}

int
hnv_worker_main(void *arg)
{
	struct hnv_worker *w = arg;
	struct hnv_app *app = w->app;
	struct vfp_switch *sw = app->sw;
	struct rte_mbuf *pkts[VFP_BURST];
	uint64_t hk_period = rte_get_tsc_hz() / 10, next_hk = 0;
	uint64_t ra_period = rte_get_tsc_hz() * VFP_RA_INTERVAL_S, next_ra = 0;

	while (!atomic_load_explicit(&app->quit, memory_order_relaxed)) {
		const struct hnv_rxlist *rl = atomic_load_explicit(&w->rx, memory_order_acquire);
		unsigned int n_rx = rl != NULL ? rl->n : 0;

		for (unsigned int i = 0; i < n_rx; i++) {
			uint16_t port = rl->q[i].port;
			uint16_t n = worker_rx(&app->ports[port], rl->q[i].queue, pkts);

			if (n == 0)
				continue;
			atomic_store_explicit(
				&w->last_rx_tsc, rte_get_tsc_cycles(), memory_order_relaxed);
			vfp_process_burst(sw, w->lc, port, pkts, n);
		}
		if (w->housekeeping) {
			uint64_t now = rte_get_tsc_cycles();

			if (now >= next_hk) {
				vfp_neigh_solicit(sw, w->lc, app->mp);
				next_hk = now + hk_period;
			}
			/* The first advertisements go out at once: guests that
			 * came up before us learn their router without asking. */
			if (now >= next_ra) {
				vfp_router_advertise(sw, w->lc, app->mp);
				next_ra = now + ra_period;
			}
		}
		vfp_lcore_flush(w->lc);
		/* No reference into the flow table, the program or the
		 * receive list survives this point: a grace period can end
		 * here. */
		vfp_lcore_quiescent(sw, w->lc);
	}
	vfp_lcore_flush(w->lc);
	/* Offline: the control plane may publish while the app stops; the
	 * counters stay readable until hnv_workers_detach. */
	vfp_lcore_offline(sw, w->lc);
	return 0;
}

unsigned int
hnv_app_lcores(const struct hnv_app *app, struct vfp_lcore **lcs)
{
	for (unsigned int i = 0; i < app->n_workers; i++)
		lcs[i] = app->workers[i]->lc;
	return app->n_workers;
}

int
hnv_workers_attach(struct hnv_app *app)
{
	for (unsigned int i = 0; i < app->n_workers; i++) {
		struct hnv_worker *w = app->workers[i];

		w->lc = vfp_lcore_create(app->sw, w->txq, worker_tx, w);
		if (w->lc == NULL)
			return -ENOMEM;
		/* As ports.c does for the ports it adds later (see there). */
		for (uint16_t port = 0; port < app->n_ports; port++)
			if (app->ports[port].kind == HNV_PORT_VHOST)
				vfp_lcore_set_tx_retries(w->lc, port, HNV_VHOST_TX_RETRIES);
	}
	return 0;
}

void
hnv_workers_detach(struct hnv_app *app)
{
	for (unsigned int i = 0; i < app->n_workers; i++) {
		vfp_lcore_free(app->sw, app->workers[i]->lc);
		app->workers[i]->lc = NULL;
	}
}
