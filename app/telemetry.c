/* SPDX-License-Identifier: BSD-3-Clause
 * app: dpdk-hnv's counters over DPDK telemetry (dpdk-telemetry.py, or the
 * v2 socket /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2):
 *
 *   /hnv/ports[,FIRST]  the live switch ports: their number, and up to
 *                       500 names from the FIRST-th on (default 0)
 *   /hnv/port,NAME      one port's counters (as the counter block)
 *   /hnv/link,NAME      one port's link: device, up, queues and their
 *                       packets; for vhost-user the guest's features
 *   /hnv/drops          every drop reason and its total over all ports
 *   /hnv/uft            flow table size and hit/miss counters
 *   /hnv/policy         the policy in force: generation, when and from
 *                       which file it was applied, reloads, rejected
 *                       reloads, the last error, whether a load runs
 *
 * The callbacks run on the telemetry thread: they read the workers'
 * counters without locks (a value may be a packet behind) and the switch
 * ports under app->port_lock (a reload adds and removes them), never the
 * policy, which a reload frees; once the app is stopping (its memory is
 * about to be freed) they answer -EBUSY. A port a reload removed is still
 * answered by /hnv/port (with "removed": 1) until its id is taken again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "hnv_app.h"
#include "hnv_vhost.h"
#include "policy_loader.h"

/* rte_telemetry_register_cmd() of DPDK 22.11 passes callbacks no user
 * pointer, so the app they report on is kept here. */
static struct hnv_app *tel_app;

/* A telemetry array holds at most RTE_TEL_MAX_ARRAY_ENTRIES (512) values:
 * the names come a page at a time. */
#define PORTS_PAGE 500

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *names;
	unsigned long first = 0;
	unsigned int live = 0;
	char *end;

	(void)cmd;
	if (atomic_load(&tel_app->quit))
		return -EBUSY; /* stopping: the counters are being freed */
	if (params != NULL && *params != '\0') {
		first = strtoul(params, &end, 10);
		if (*end != '\0')
			return -EINVAL;
	}
	names = rte_tel_data_alloc();
	if (names == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&tel_app->port_lock);
	for (uint16_t p = 0; p < tel_app->n_ports; p++) {
		uint8_t kind = tel_app->ports[p].kind;

		if (kind != HNV_PORT_ETHDEV && kind != HNV_PORT_VHOST)
			continue;
		if (live >= first && live < first + PORTS_PAGE)
			rte_tel_data_add_array_string(names, tel_app->ports[p].cfg.name);
		live++;
	}
	pthread_mutex_unlock(&tel_app->port_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", live);
	rte_tel_data_add_dict_u64(d, "first", first);
	rte_tel_data_add_dict_container(d, "names", names, 0);
	return 0;
}

static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vfp_port_stats st;
	uint64_t drops = 0;
	int found = -1;
	bool removed = false;

	(void)cmd;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	if (params == NULL)
		return -EINVAL;
	/* The live port of that name, else the last removed one. */
	pthread_mutex_lock(&tel_app->port_lock);
	for (uint16_t p = 0; p < tel_app->n_ports; p++) {
		const struct hnv_swport *sp = &tel_app->ports[p];

		if (sp->kind == HNV_PORT_FREE || strcmp(sp->cfg.name, params) != 0)
			continue;
		if (found < 0 || removed) {
			found = p;
			removed = sp->kind == HNV_PORT_REMOVED;
		}
	}
	if (found >= 0)
		hnv_stats_port(tel_app, (uint16_t)found, &st);
	pthread_mutex_unlock(&tel_app->port_lock);
	if (found < 0)
		return -EINVAL;
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
		drops += st.drops[r];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "removed", removed ? 1 : 0);
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
	rte_tel_data_add_dict_u64(d, "icmp_sent", st.icmp_sent);
	rte_tel_data_add_dict_u64(d, "fragmented", st.fragmented);
	rte_tel_data_add_dict_u64(d, "replicated", st.replicated);
	rte_tel_data_add_dict_u64(d, "dhcp_replies", st.dhcp_replies);
	rte_tel_data_add_dict_u64(d, "nd_replies", st.nd_replies);
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
tel_link(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *qrx, *qtx;
	struct hnv_link_info li;
	char feats[512];
	int id, rc;

	(void)cmd;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	if (params == NULL)
		return -EINVAL;
	pthread_mutex_lock(&tel_app->port_lock);
	id = hnv_port_find(tel_app, params);
	rc = id < 0 ? -EINVAL : hnv_port_link(tel_app, (uint16_t)id, &li);
	pthread_mutex_unlock(&tel_app->port_lock);
	if (rc != 0)
		return -EINVAL;
	qrx = rte_tel_data_alloc();
	qtx = rte_tel_data_alloc();
	if (qrx == NULL || qtx == NULL) {
		rte_tel_data_free(qrx);
		rte_tel_data_free(qtx);
		return -ENOMEM;
	}
	rte_tel_data_start_array(qrx, RTE_TEL_U64_VAL);
	rte_tel_data_start_array(qtx, RTE_TEL_U64_VAL);
	for (unsigned int q = 0; q < li.nb_rxq && q < HNV_LINK_QUEUES; q++)
		rte_tel_data_add_array_u64(qrx, li.q_rx[q]);
	for (unsigned int q = 0; q < li.nb_txq && q < HNV_LINK_QUEUES; q++)
		rte_tel_data_add_array_u64(qtx, li.q_tx[q]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "kind", li.is_vhost ? "vhost-user" : "ethdev");
	rte_tel_data_add_dict_string(d, "device", li.device);
	rte_tel_data_add_dict_string(d, "status", li.up ? "UP" : "DOWN");
	rte_tel_data_add_dict_u64(d, "speed", li.speed);
	rte_tel_data_add_dict_container(d, "rxq_packets", qrx, 0);
	rte_tel_data_add_dict_container(d, "txq_packets", qtx, 0);
	if (li.is_vhost) {
		hnv_vhost_features_format(li.features, feats, sizeof(feats));
		rte_tel_data_add_dict_string(d, "mode", li.client ? "client" : "server");
		rte_tel_data_add_dict_u64(d, "features", li.features);
		rte_tel_data_add_dict_string(d, "feature_names", feats);
		rte_tel_data_add_dict_u64(d, "connects", li.connects);
		rte_tel_data_add_dict_u64(d, "disconnects", li.disconnects);
		rte_tel_data_add_dict_u64(d, "csum_completed", li.csum_completed);
		rte_tel_data_add_dict_u64(d, "tso_frames", li.tso_frames);
		rte_tel_data_add_dict_u64(d, "offload_errors", li.offload_errors);
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
	pthread_mutex_lock(&tel_app->port_lock);
	for (uint16_t p = 0; p < tel_app->n_ports; p++) {
		struct vfp_port_stats st;

		if (tel_app->ports[p].kind == HNV_PORT_FREE)
			continue;
		hnv_stats_port(tel_app, p, &st);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			total[r] += st.drops[r];
	}
	pthread_mutex_unlock(&tel_app->port_lock);
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

static int
tel_policy(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	if (atomic_load(&tel_app->quit))
		return -EBUSY;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&tel_app->status_lock);
	rte_tel_data_add_dict_u64(d, "generation", tel_app->generation);
	rte_tel_data_add_dict_u64(d, "applied_at", (uint64_t)tel_app->applied_at);
	rte_tel_data_add_dict_string(d, "applied_from", tel_app->applied_from);
	rte_tel_data_add_dict_u64(d, "reloads", tel_app->reloads);
	rte_tel_data_add_dict_u64(d, "rejected", tel_app->reload_failures);
	rte_tel_data_add_dict_string(d, "last_error", tel_app->last_error);
	rte_tel_data_add_dict_u64(d, "last_error_at", (uint64_t)tel_app->last_error_at);
	rte_tel_data_add_dict_u64(d, "underlay_mtu", tel_app->underlay_mtu);
	rte_tel_data_add_dict_u64(d, "vxlan_port", tel_app->vxlan_port);
	pthread_mutex_unlock(&tel_app->status_lock);
	rte_tel_data_add_dict_u64(
		d, "loading", tel_app->loader != NULL && hnv_loader_busy(tel_app->loader));
	return 0;
}

int
hnv_telemetry_register(struct hnv_app *app)
{
	int rc = 0;

	tel_app = app;
	rc |= rte_telemetry_register_cmd("/hnv/ports", tel_ports,
		"The live switch ports: total, and up to 500 names from FIRST. Parameter: FIRST");
	rc |= rte_telemetry_register_cmd(
		"/hnv/port", tel_port, "One port's counters. Parameter: port name");
	rc |= rte_telemetry_register_cmd("/hnv/link", tel_link,
		"One port's link, queues and (vhost-user) guest features. Parameter: port name");
	rc |= rte_telemetry_register_cmd(
		"/hnv/drops", tel_drops, "Every drop reason with its total over all ports");
	rc |= rte_telemetry_register_cmd(
		"/hnv/uft", tel_uft, "Flow table size and hit/miss counters");
	rc |= rte_telemetry_register_cmd("/hnv/policy", tel_policy,
		"The policy in force: generation, applied_at, applied_from, reloads, rejected, "
		"last_error, loading, underlay_mtu, vxlan_port");
	return rc == 0 ? 0 : -EINVAL;
}
