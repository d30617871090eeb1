/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: worker lcores' state (vfp_lcore_*): creation with RCU reader
 * registration, going offline and online, quiescent states, and read-only
 * access to the counters for the control plane.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "vfp_lc.h"
#include "vfp_sw.h"

struct vfp_lcore *
vfp_lcore_create(struct vfp_switch *sw, unsigned int thread_id, vfp_tx_fn tx, void *ctx)
{
	struct vfp_lcore *lc;

	if (sw == NULL || tx == NULL || thread_id >= sw->n_lcores) {
		rte_errno = EINVAL;
		return NULL;
	}
	lc = rte_zmalloc_socket("vfp_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, sw->socket_id);
	if (lc == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	lc->sw = sw;
	lc->tx = tx;
	lc->tx_ctx = ctx;
	lc->tsc_hz = rte_get_tsc_hz();
	lc->thread_id = thread_id;
	rte_rcu_qsbr_thread_register(sw->qsbr, thread_id);
	rte_rcu_qsbr_thread_online(sw->qsbr, thread_id);
	return lc;
}

void
vfp_lcore_free(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	if (lc == NULL)
		return;
	rte_rcu_qsbr_thread_offline(sw->qsbr, lc->thread_id);
	rte_rcu_qsbr_thread_unregister(sw->qsbr, lc->thread_id);
	rte_free(lc);
}

void
vfp_lcore_quiescent(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_quiescent(sw->qsbr, lc->thread_id);
}

void
vfp_lcore_offline(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_thread_offline(sw->qsbr, lc->thread_id);
}

void
vfp_lcore_online(struct vfp_switch *sw, struct vfp_lcore *lc)
{
	rte_rcu_qsbr_thread_online(sw->qsbr, lc->thread_id);
}

const struct vfp_port_stats *
vfp_lcore_port_stats(const struct vfp_lcore *lc, uint16_t port)
{
	return port < VFP_MAX_PORTS ? &lc->stats[port] : NULL;
}

int
vfp_lcore_set_tx_retries(struct vfp_lcore *lc, uint16_t port, unsigned int retries)
{
	if (port >= VFP_MAX_PORTS || retries > VFP_MAX_TX_RETRIES)
		return -EINVAL;
	lc->tx_retries[port] = (uint8_t)retries;
	return 0;
}

const struct vfp_uft_stats *
vfp_lcore_uft_stats(const struct vfp_lcore *lc)
{
	return &lc->uft;
}
