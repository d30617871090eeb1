/* SPDX-License-Identifier: BSD-3-Clause
 * app: dpdk-hnv's counters over DPDK telemetry (dpdk-telemetry.py, or the
 * v2 socket /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2):
 *
 *   /hnv/ports          the switch ports by name
 *   /hnv/port,NAME      one port's counters (as the counter block)
 *   /hnv/drops          every drop reason and its total over all ports
 *   /hnv/uft            flow table size and hit/miss counters
 *
 * The callbacks run on the telemetry thread: they read the workers'
 * counters without locks (a value may be a packet behind) and only the
 * port names copied at start-up, never the policy, which a reload frees;
 * once the app is stopping (its memory is about to be freed) they answer
 * -EBUSY.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "hnv_app.h"

/* rte_telemetry_register_cmd() of DPDK 22.11 passes callbacks no user
 * pointer, so the app they report on is kept here. */
static struct hnv_app *tel_app;

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	if (atomic_load(&tel_app->quit))
		return -EBUSY; /* stopping: the counters are being freed */
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (uint16_t p = 0; p < tel_app->n_ports; p++)
		rte_tel_data_add_array_string(d, tel_app->port_names[p]);
	return 0;
}

static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vfp_port_stats st;
	uint64_t drops = 0;
	uint16_t p;

	(void)cmd;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	if (params == NULL)
		return -EINVAL;
	for (p = 0; p < tel_app->n_ports; p++)
		if (strcmp(tel_app->port_names[p], params) == 0)
			break;
	if (p == tel_app->n_ports)
		return -EINVAL;
	hnv_stats_port(tel_app, p, &st);
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
		drops += st.drops[r];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", st.rx_packets);
	rte_tel_data_add_dict_u64(d, "tx_packets", st.tx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_bytes", st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "arp_replies", st.arp_replies);
	rte_tel_data_add_dict_u64(d, "arp_requests", st.arp_requests);
	rte_tel_data_add_dict_u64(d, "encapsulated", st.encapsulated);
	rte_tel_data_add_dict_u64(d, "decapsulated", st.decapsulated);
	rte_tel_data_add_dict_u64(d, "consumed", st.consumed);
	rte_tel_data_add_dict_u64(d, "tx_retries", st.tx_retries);
	rte_tel_data_add_dict_u64(d, "drops", drops);
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
		char name[64];

		if (st.drops[r] == 0)
			continue;
		snprintf(name, sizeof(name), "drop_%s", hnv_drop_name(r));
		rte_tel_data_add_dict_u64(d, name, st.drops[r]);
	}
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t total[HNV_DROP_MAX] = {0};

	(void)cmd;
	(void)params;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	for (uint16_t p = 0; p < tel_app->n_ports; p++) {
		struct vfp_port_stats st;

		hnv_stats_port(tel_app, p, &st);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			total[r] += st.drops[r];
	}
	rte_tel_data_start_dict(d);
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, hnv_drop_name(r), total[r]);
	return 0;
}

static int
tel_uft(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vfp_uft_stats us;
	unsigned int cap, n;

	(void)cmd;
	(void)params;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	n = vfp_switch_flow_count(tel_app->sw, &cap);
	hnv_stats_uft(tel_app, &us);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "flows", n);
	rte_tel_data_add_dict_u64(d, "capacity", cap);
	rte_tel_data_add_dict_u64(d, "hits", us.hits);
	rte_tel_data_add_dict_u64(d, "misses", us.misses);
	rte_tel_data_add_dict_u64(d, "stale", us.stale);
	rte_tel_data_add_dict_u64(d, "inserts", us.inserts);
	rte_tel_data_add_dict_u64(d, "uncached", us.uncached);
	return 0;
}

int
hnv_telemetry_register(struct hnv_app *app)
{
	int rc = 0;

	tel_app = app;
	rc |= rte_telemetry_register_cmd("/hnv/ports", tel_ports, "The switch ports, by name");
	rc |= rte_telemetry_register_cmd(
		"/hnv/port", tel_port, "One port's counters. Parameter: port name");
	rc |= rte_telemetry_register_cmd(
		"/hnv/drops", tel_drops, "Every drop reason with its total over all ports");
	rc |= rte_telemetry_register_cmd(
		"/hnv/uft", tel_uft, "Flow table size and hit/miss counters");
	return rc == 0 ? 0 : -EINVAL;
}
