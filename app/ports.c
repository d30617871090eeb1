/* SPDX-License-Identifier: BSD-3-Clause
 * app: the switch ports' lifecycle (R20, and VMs that come and go).
 *
 * Owns: the switch port ids (struct hnv_swport, app->ports), the device
 * behind each (an ethdev the policy names, or a vhost-user port made with
 * hnv_vhost.h), and which worker polls which (port, queue) pair (each
 * worker's struct hnv_rxlist).
 *
 * A port keeps its id for as long as the policy has it, whatever else a
 * reload adds or removes: its counters, its flows and its generation slot
 * are per id, so the other ports' flows keep hitting. A reload is a
 * plan/open/commit sequence around the publish of the new program:
 *   plan     find the id of every port of the new policy, and a free id
 *            for each new one. Changes nothing, so the policy loader's
 *            thread runs it (under app->port_lock) before it compiles.
 *   open     open the device of each new port (a vhost-user socket, or an
 *            ethdev started) under its id. Nothing polls it yet and no
 *            program names it.
 *   commit   (the program is published) deal the new ports' queues to the
 *            workers and drop the removed ports' queues, by publishing new
 *            receive lists; after a grace period nothing polls a removed
 *            port or holds a packet for it (workers flush every loop), so
 *            its device is closed and its id retired: its name and
 *            counters stay for show ports and telemetry until the id is
 *            needed again.
 *   abort    (the program was refused) close what open opened.
 * A queue never moves from one worker to another (two workers would poll
 * it during the grace period): new queues go to the workers with the
 * fewest, removed ones just disappear.
 *
 * Threads: everything here runs on the main lcore, except plan (the
 * loader thread, while the main lcore changes no port: it does that only
 * between loads) and the vhost-user link callback (the vhost-user events
 * thread), which only sets the switch's link state of its port.
 * Telemetry walks the names under app->port_lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "hnv_app.h"
#include "hnv_port.h"
#include "hnv_vhost.h"
#include "policy_index.h"

static bool
same_cfg(const struct hnv_port_cfg *a, const struct hnv_port_cfg *b)
{
	return strcmp(a->device, b->device) == 0 && a->is_vhost == b->is_vhost &&
	       (!a->is_vhost || (strcmp(a->vhost.socket, b->vhost.socket) == 0 &&
					a->vhost.client == b->vhost.client &&
					a->vhost.queues == b->vhost.queues));
}

static bool
live(const struct hnv_swport *sp)
{
	return sp->kind == HNV_PORT_ETHDEV || sp->kind == HNV_PORT_VHOST;
}

int
hnv_port_find(const struct hnv_app *app, const char *name)
{
	for (uint16_t id = 0; id < app->n_ports; id++)
		if (live(&app->ports[id]) && strcmp(app->ports[id].cfg.name, name) == 0)
			return id;
	return -1;
}

const char *
hnv_port_name(const struct hnv_app *app, uint16_t id)
{
	return id < app->n_ports && app->ports[id].kind != HNV_PORT_FREE ? app->ports[id].cfg.name
									 : "?";
}

uint16_t
hnv_uplink_ethdev(const struct hnv_app *app)
{
	return app->ports[app->policy_ids[app->policy->host.uplink]].eth_port;
}

void
hnv_ports_poll_team(struct hnv_app *app)
{
	const struct hnv_policy *pol = app->policy;

	if (pol == NULL || app->policy_ids == NULL || pol->host.n_uplinks < 2)
		return;
	for (unsigned int i = 0; i < pol->host.n_uplinks; i++) {
		const struct hnv_swport *sp = &app->ports[app->policy_ids[pol->host.uplinks[i]]];
		struct rte_eth_link link;

		if (sp->kind != HNV_PORT_ETHDEV ||
			rte_eth_link_get_nowait(sp->eth_port, &link) != 0)
			continue;
		vfp_switch_set_link(app->sw, sp->id, link.link_status == RTE_ETH_LINK_UP);
	}
}

int
hnv_port_link(const struct hnv_app *app, uint16_t id, struct hnv_link_info *li)
{
	const struct hnv_swport *sp = &app->ports[id];

	memset(li, 0, sizeof(*li));
	if (id >= app->n_ports || !live(sp))
		return -ENOENT;
	if (sp->kind == HNV_PORT_VHOST) {
		struct hnv_vhost_info vi;
		int rc = hnv_vhost_info(sp->vh, &vi);

		if (rc != 0)
			return rc;
		li->is_vhost = true;
		li->up = vi.up;
		snprintf(li->device, sizeof(li->device), "%s", sp->cfg.vhost.socket);
		li->client = sp->cfg.vhost.client;
		li->nb_rxq = vi.txq_enabled; /* the guest's transmit rings are ours to receive */
		li->nb_txq = vi.rxq_enabled;
		for (unsigned int q = 0; q < HNV_LINK_QUEUES && q < HNV_VHOST_MAX_QUEUES; q++) {
			li->q_rx[q] = vi.q_rx[q];
			li->q_tx[q] = vi.q_tx[q];
		}
		li->features = vi.features;
		li->connects = vi.connects;
		li->disconnects = vi.disconnects;
		li->csum_completed = vi.csum_completed;
		li->tso_frames = vi.tso_frames;
		li->offload_errors = vi.offload_errors;
	} else {
		struct hnv_port_state st;
		int rc = hnv_port_state(sp->eth_port, &st);

		if (rc != 0)
			return rc;
		li->up = st.up;
		snprintf(li->device, sizeof(li->device), "%s", st.name);
		li->speed = st.speed;
		li->nb_rxq = st.nb_rxq;
		li->nb_txq = st.nb_txq;
		for (unsigned int q = 0; q < HNV_LINK_QUEUES && q < HNV_PORT_QUEUES_SHOWN; q++) {
			li->q_rx[q] = st.q_rx[q];
			li->q_tx[q] = st.q_tx[q];
		}
	}
	return 0;
}

/* The vhost-user events thread: a guest came or went. */
static void
on_vhost_state(void *arg, bool up)
{
	struct hnv_swport *sp = arg;

	atomic_store(&sp->up, up);
	vfp_switch_set_link(sp->app->sw, sp->id, up);
	printf("dpdk-hnv: port %s: guest %s\n", sp->cfg.name, up ? "connected" : "disconnected");
	fflush(stdout);
}

/* The counters of @id as the workers have them, without its base. */
static void
raw_counters(const struct hnv_app *app, uint16_t id, struct vfp_port_stats *st)
{
	struct vfp_lcore *lcs[HNV_MAX_WORKERS];
	unsigned int n = hnv_app_lcores(app, lcs);

	memset(st, 0, sizeof(*st));
	if (n != 0 && lcs[0] != NULL) /* the lcores exist from the first publish on */
		vfp_stats_sum(lcs, n, id, st);
}

/* Returns once no worker is inside a receive or transmit call. @arg is
 * the port, as for on_vhost_state. */
static void
quiesce(void *arg)
{
	vfp_switch_synchronize(((struct hnv_swport *)arg)->app->sw);
}

/* Open the device of policy port @cfg as switch port @sp. */
static int
open_device(struct hnv_app *app, struct hnv_swport *sp, const struct hnv_port_cfg *cfg,
	bool is_uplink, const struct rte_ether_addr *mac, char *err, size_t errlen)
{
	if (cfg->is_vhost) {
		const struct hnv_vhost_params vp = {
			.socket = cfg->vhost.socket,
			.client = cfg->vhost.client,
			/* A queue pair per worker: every worker may send to the VM. */
			.queues = cfg->vhost.queues ? cfg->vhost.queues : (uint16_t)app->n_workers,
			.mp = app->mp,
			.on_state = on_vhost_state,
			.quiesce = quiesce,
			.arg = sp,
		};

		/* Down until a guest connects: what is sent before is port_down. */
		atomic_store(&sp->up, false);
		vfp_switch_set_link(app->sw, sp->id, false);
		sp->app = app;
		sp->cfg = *cfg;
		sp->vh = hnv_vhost_create(&vp, err, errlen);
		if (sp->vh == NULL)
			return -EINVAL;
		sp->nb_rxq = vp.queues;
		sp->kind = HNV_PORT_VHOST;
	} else {
		struct hnv_port_conf pc = {
			.nb_rxq = (uint16_t)app->n_workers,
			.nb_txq = (uint16_t)app->n_workers,
			.nb_rxd = HNV_PORT_DESC,
			.nb_txd = HNV_PORT_DESC,
			.mp = app->mp,
			.mac = is_uplink ? mac : NULL,
			.mtu = is_uplink ? hnv_uplink_mtu(cfg) : cfg->mtu,
			.cksum_offload = is_uplink && !app->no_offload,
		};
		int rc = hnv_port_open(cfg->device, &pc, &sp->eth_port, err, errlen);

		if (rc != 0)
			return rc;
		vfp_switch_set_link(app->sw, sp->id, true);
		sp->cfg = *cfg;
		sp->nb_rxq = pc.nb_rxq;
		sp->linearize = !pc.multi_seg;
		sp->tx_ipv4_cksum = pc.tx_ipv4_cksum;
		sp->kind = HNV_PORT_ETHDEV;
	}
	/* A guest drains its ring in bursts of its own: give it a few more
	 * tries before a frame is dropped, as OVS does for its vhost ports
	 * (tx-retries). The lcores exist from the first publish on. */
	for (unsigned int w = 0; w < app->n_workers; w++)
		if (app->workers[w]->lc != NULL)
			vfp_lcore_set_tx_retries(app->workers[w]->lc, sp->id,
				sp->kind == HNV_PORT_VHOST ? HNV_VHOST_TX_RETRIES : 0);
	return 0;
}

static void
close_device(struct hnv_swport *sp, bool final)
{
	if (sp->kind == HNV_PORT_VHOST) {
		hnv_vhost_destroy(sp->vh);
		sp->vh = NULL;
	} else if (sp->kind == HNV_PORT_ETHDEV) {
		/* An EAL device stays: a later reload may add it back. */
		if (final)
			hnv_port_close(sp->eth_port);
		else
			hnv_port_stop(sp->eth_port);
	}
}

/* The live ports by name, device and vhost-user socket, so that plan()
 * finds a port's id, or the port that holds a device, without a scan of
 * every port for every port of the policy (O(ports), not O(ports^2)). */
struct live_index {
	struct pidx name, dev, sock;
};

/* @src as a zero-padded key of @len bytes in @key. */
static const void *
key_of(char *key, size_t len, const char *src)
{
	strncpy(key, src, len);
	return key;
}

static void
live_index_free(struct live_index *li)
{
	pidx_free(&li->name);
	pidx_free(&li->dev);
	pidx_free(&li->sock);
}

static int
live_index_init(struct live_index *li, const struct hnv_app *app)
{
	char k[PIDX_KEY_MAX];

	memset(li, 0, sizeof(*li));
	if (pidx_init(&li->name, HNV_NAME_MAX, app->n_ports) != 0 ||
		pidx_init(&li->dev, HNV_DEVICE_MAX, app->n_ports) != 0 ||
		pidx_init(&li->sock, HNV_SOCKET_MAX, app->n_ports) != 0)
		goto nomem;
	for (uint16_t id = 0; id < app->n_ports; id++) {
		const struct hnv_swport *sp = &app->ports[id];
		int64_t r;

		if (!live(sp))
			continue;
		r = pidx_put(&li->name, key_of(k, HNV_NAME_MAX, sp->cfg.name), id);
		if (r >= -1)
			r = sp->cfg.is_vhost
				    ? pidx_put(&li->sock,
					      key_of(k, HNV_SOCKET_MAX, sp->cfg.vhost.socket), id)
				    : pidx_put(&li->dev, key_of(k, HNV_DEVICE_MAX, sp->cfg.device),
					      id);
		if (r < -1)
			goto nomem;
	}
	return 0;
nomem:
	live_index_free(li);
	return -ENOMEM;
}

/* The id of the live port named @name, or -1. */
static int
live_by_name(const struct live_index *li, const char *name)
{
	char k[PIDX_KEY_MAX];

	return (int)pidx_get(&li->name, key_of(k, HNV_NAME_MAX, name));
}

/* The live port that has @cfg's device or socket, or NULL. */
static const struct hnv_swport *
holder(const struct hnv_app *app, const struct live_index *li, const struct hnv_port_cfg *cfg)
{
	char k[PIDX_KEY_MAX];
	int64_t id = cfg->is_vhost
			     ? pidx_get(&li->sock, key_of(k, HNV_SOCKET_MAX, cfg->vhost.socket))
			     : pidx_get(&li->dev, key_of(k, HNV_DEVICE_MAX, cfg->device));

	return id < 0 ? NULL : &app->ports[id];
}

/* A switch port id for a new port: a never used (or forgotten) one first,
 * else a retired one (whose counters are dropped then). -1 if none. A
 * taken id's counters start from a base (see prepare), so a forgotten id
 * needs no reset. @taken marks the ids this plan gave out; the cursors
 * move forward only, so one plan's searches cost O(VFP_MAX_PORTS). */
static int
take_id(const struct hnv_app *app, const bool *taken, uint32_t *next_free, uint32_t *next_retired)
{
	for (; *next_free < VFP_MAX_PORTS; (*next_free)++) {
		uint16_t id = (uint16_t)*next_free;

		if (!taken[id] && app->ports[id].kind == HNV_PORT_FREE)
			return id;
	}
	for (; *next_retired < VFP_MAX_PORTS; (*next_retired)++) {
		uint16_t id = (uint16_t)*next_retired;

		if (!taken[id] && app->ports[id].kind == HNV_PORT_REMOVED)
			return id;
	}
	return -1;
}

static void
change_free(struct hnv_port_change *pc)
{
	free(pc->ids);
	free(pc->added);
	free(pc->added_idx);
	free(pc->removed);
	memset(pc, 0, sizeof(*pc));
}

/* hnv_ports_plan, under app->port_lock. */
static int
plan(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc, char *err,
	size_t errlen)
{
	char name[4 * HNV_NAME_MAX], why[512];
	uint32_t next_free = 0, next_retired = 0;
	struct live_index li;
	bool *taken;
	unsigned int i;
	int rc = 0;

	if (pol->n_ports > VFP_MAX_PORTS) {
		snprintf(err, errlen, "%s: $.ports: %u ports, at most %u are supported",
			pol->source, pol->n_ports, VFP_MAX_PORTS);
		return -ENOSPC;
	}
	if (app->policy_ids != NULL) {
		const struct hnv_host_cfg *ch = &app->policy->host;
		bool same = ch->n_uplinks == pol->host.n_uplinks;

		for (i = 0; same && i < ch->n_uplinks; i++) {
			const struct hnv_port_cfg *cur = &app->policy->ports[ch->uplinks[i]];
			const struct hnv_port_cfg *up = &pol->ports[pol->host.uplinks[i]];

			same = strcmp(cur->name, up->name) == 0 && same_cfg(cur, up);
		}
		if (!same) {
			snprintf(err, errlen,
				"%s: $.host.uplink: the uplink changed (from '%s'%s); restart "
				"dpdk-hnv to change it",
				pol->source,
				hnv_policy_escape(
					name, sizeof(name), app->policy->ports[ch->uplink].name),
				ch->n_uplinks > 1 ? " and its team" : "");
			return -EINVAL;
		}
	}
	pc->ids = calloc(pol->n_ports, sizeof(*pc->ids));
	pc->added = calloc(pol->n_ports, sizeof(*pc->added));
	pc->added_idx = calloc(pol->n_ports, sizeof(*pc->added_idx));
	pc->removed = calloc(app->n_ports + 1, sizeof(*pc->removed));
	/* Ids this plan gives to the policy's ports, kept or new. */
	taken = calloc(VFP_MAX_PORTS, sizeof(*taken));
	if (pc->ids == NULL || pc->added == NULL || pc->added_idx == NULL || pc->removed == NULL ||
		taken == NULL || live_index_init(&li, app) != 0) {
		free(taken);
		snprintf(err, errlen, "%s: out of memory", pol->source);
		return -ENOMEM;
	}
	/* Kept ports first: a new port must not take a kept one's device. */
	for (i = 0; i < pol->n_ports; i++) {
		const struct hnv_port_cfg *cfg = &pol->ports[i];
		int id = live_by_name(&li, cfg->name);

		pc->ids[i] = VFP_MAX_PORTS;
		if (id < 0)
			continue;
		if (!same_cfg(&app->ports[id].cfg, cfg)) {
			snprintf(err, errlen,
				"%s: $.ports[%u]: port '%s' changed its device or vhost_user "
				"settings; remove it in one reload and add it back in the next",
				pol->source, i, hnv_policy_escape(name, sizeof(name), cfg->name));
			rc = -EINVAL;
			goto out;
		}
		pc->ids[i] = (uint16_t)id;
		taken[id] = true;
	}
	for (i = 0; i < pol->n_ports; i++) {
		const struct hnv_port_cfg *cfg = &pol->ports[i];
		const struct hnv_swport *h;
		int id;

		if (pc->ids[i] != VFP_MAX_PORTS)
			continue;
		h = holder(app, &li, cfg);
		if (h != NULL) {
			snprintf(err, errlen,
				"%s: $.ports[%u]: port '%s' wants the %s of port '%s', which this "
				"reload removes; remove it in one reload and add the new port in "
				"the next",
				pol->source, i, hnv_policy_escape(name, sizeof(name), cfg->name),
				cfg->is_vhost ? "socket" : "device",
				hnv_policy_escape(why, sizeof(why), h->cfg.name));
			rc = -EBUSY;
			goto out;
		}
		id = take_id(app, taken, &next_free, &next_retired);
		if (id < 0) {
			snprintf(err, errlen, "%s: $.ports[%u]: no free switch port (%u in use)",
				pol->source, i, VFP_MAX_PORTS);
			rc = -ENOSPC;
			goto out;
		}
		taken[id] = true;
		pc->ids[i] = (uint16_t)id;
		pc->added_idx[pc->n_added] = (uint16_t)i;
		pc->added[pc->n_added++] = (uint16_t)id;
	}
	/* Live ports the new policy does not name go. */
	for (uint16_t id = 0; id < app->n_ports; id++)
		if (live(&app->ports[id]) && !taken[id])
			pc->removed[pc->n_removed++] = id;
	for (i = 0; i < pol->n_ports; i++)
		pc->n_ids = (uint16_t)RTE_MAX(pc->n_ids, pc->ids[i] + 1);
out:
	live_index_free(&li);
	free(taken);
	return rc;
}

int
hnv_ports_plan(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen)
{
	int rc;

	memset(pc, 0, sizeof(*pc));
	pthread_mutex_lock(&app->port_lock);
	rc = plan(app, pol, pc, err, errlen);
	pthread_mutex_unlock(&app->port_lock);
	if (rc != 0)
		change_free(pc);
	return rc;
}

int
hnv_ports_open(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen)
{
	char name[4 * HNV_NAME_MAX], why[512];

	for (; pc->n_opened < pc->n_added; pc->n_opened++) {
		uint16_t id = pc->added[pc->n_opened], i = pc->added_idx[pc->n_opened];
		const struct hnv_port_cfg *cfg = &pol->ports[i];
		struct hnv_swport *sp = &app->ports[id];
		struct hnv_swport fresh = {.id = id};
		char msg[256];
		int rc, member;

		/* A retired id: its counters go, what it counts now starts
		 * at zero (nothing uses the id, so its sum stays still). */
		raw_counters(app, id, &fresh.base);
		pthread_mutex_lock(&app->port_lock);
		*sp = fresh;
		pthread_mutex_unlock(&app->port_lock);
		member = hnv_policy_uplink_member(pol, i);
		rc = open_device(app, sp, cfg, member >= 0,
			member >= 0 && pol->host.has_mac ? &pol->host.macs[member] : NULL, msg,
			sizeof(msg));
		if (rc != 0) {
			sp->kind = HNV_PORT_FREE;
			snprintf(err, errlen, "%s: $.ports[%u] '%s': %s", pol->source, i,
				hnv_policy_escape(name, sizeof(name), cfg->name),
				hnv_policy_escape(why, sizeof(why), msg));
			return rc;
		}
	}
	return 0;
}

int
hnv_ports_prepare(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen)
{
	int rc = hnv_ports_plan(app, pol, pc, err, errlen);

	if (rc == 0 && (rc = hnv_ports_open(app, pol, pc, err, errlen)) != 0)
		hnv_ports_abort(app, pc);
	return rc;
}

/* Publish new receive lists for every worker: the current ones without the
 * queues of @pc's removed ports, plus the queues of its added ports. */
static int
publish_rxlists(struct hnv_app *app, const struct hnv_port_change *pc)
{
	struct hnv_rxlist *next[HNV_MAX_WORKERS], *old[HNV_MAX_WORKERS];
	unsigned int added = 0, w;
	bool any_old = false;

	for (unsigned int k = 0; k < pc->n_added; k++)
		added += app->ports[pc->added[k]].nb_rxq;
	for (w = 0; w < app->n_workers; w++) {
		const struct hnv_rxlist *cur = atomic_load(&app->workers[w]->rx);
		unsigned int n = cur != NULL ? cur->n : 0;

		next[w] = malloc(sizeof(*next[w]) + sizeof(next[w]->q[0]) * (n + added));
		if (next[w] == NULL) {
			while (w-- > 0)
				free(next[w]);
			return -ENOMEM;
		}
		next[w]->n = 0;
		for (unsigned int j = 0; j < n; j++) {
			bool gone = false;

			for (unsigned int k = 0; k < pc->n_removed; k++)
				gone |= cur->q[j].port == pc->removed[k];
			if (!gone)
				next[w]->q[next[w]->n++] = cur->q[j];
		}
	}
	for (unsigned int k = 0; k < pc->n_added; k++) {
		const struct hnv_swport *sp = &app->ports[pc->added[k]];

		for (uint16_t q = 0; q < sp->nb_rxq; q++) {
			unsigned int best = 0;

			for (w = 1; w < app->n_workers; w++)
				if (next[w]->n < next[best]->n)
					best = w;
			next[best]->q[next[best]->n].port = sp->id;
			next[best]->q[next[best]->n].queue = q;
			next[best]->n++;
		}
	}
	for (w = 0; w < app->n_workers; w++) {
		old[w] = atomic_exchange(&app->workers[w]->rx, next[w]);
		any_old |= old[w] != NULL;
	}
	/* Before the first launch nothing reads the lists (and waiting for
	 * workers that have not started would never end). */
	if (any_old)
		vfp_switch_synchronize(app->sw);
	for (w = 0; w < app->n_workers; w++)
		free(old[w]);
	return 0;
}

void
hnv_ports_commit(struct hnv_app *app, struct hnv_port_change *pc)
{
	unsigned int k;

	/* Stragglers to a removed port are port_down, never sent. */
	for (k = 0; k < pc->n_removed; k++)
		vfp_switch_set_link(app->sw, pc->removed[k], false);
	if (publish_rxlists(app, pc) != 0) {
		/* Out of memory for a few hundred bytes: keep polling what
		 * is polled now; the removed ports stay open, unnamed by
		 * the program. */
		fprintf(stderr, "dpdk-hnv: warning: cannot update the workers' receive "
				"lists; added ports are not polled\n");
		pc->n_removed = 0;
	}
	/* The grace period of publish_rxlists (there are old lists once
	 * anything was published, so it waited) covers the removed ports:
	 * their queues were in the lists it retired, their links were down
	 * before it began, and the published program names them nowhere. */
	for (k = 0; k < pc->n_removed; k++) {
		struct hnv_swport *sp = &app->ports[pc->removed[k]];

		close_device(sp, false);
		pthread_mutex_lock(&app->port_lock);
		sp->kind = HNV_PORT_REMOVED;
		pthread_mutex_unlock(&app->port_lock);
		printf("dpdk-hnv: port %s removed\n", sp->cfg.name);
	}
	pthread_mutex_lock(&app->port_lock);
	for (k = 0; k < pc->n_added; k++) {
		app->n_ports = (uint16_t)RTE_MAX(app->n_ports, pc->added[k] + 1);
		if (app->policy_ids != NULL)
			printf("dpdk-hnv: port %s added\n", app->ports[pc->added[k]].cfg.name);
	}
	free(app->policy_ids);
	app->policy_ids = pc->ids;
	pc->ids = NULL;
	pthread_mutex_unlock(&app->port_lock);
	fflush(stdout);
	change_free(pc);
}

void
hnv_ports_abort(struct hnv_app *app, struct hnv_port_change *pc)
{
	for (unsigned int k = 0; k < pc->n_opened; k++) {
		struct hnv_swport *sp = &app->ports[pc->added[k]];

		close_device(sp, false);
		pthread_mutex_lock(&app->port_lock);
		sp->kind = HNV_PORT_FREE;
		pthread_mutex_unlock(&app->port_lock);
	}
	change_free(pc);
}

unsigned int
hnv_ports_forget_removed(struct hnv_app *app)
{
	unsigned int n = 0;

	pthread_mutex_lock(&app->port_lock);
	for (uint16_t id = 0; id < app->n_ports; id++)
		if (app->ports[id].kind == HNV_PORT_REMOVED) {
			app->ports[id].kind = HNV_PORT_FREE;
			n++;
		}
	pthread_mutex_unlock(&app->port_lock);
	return n;
}

void
hnv_ports_close(struct hnv_app *app)
{
	for (uint16_t id = 0; id < app->n_ports; id++) {
		struct hnv_swport *sp = &app->ports[id];

		if (live(sp))
			close_device(sp, true);
		sp->kind = HNV_PORT_FREE;
	}
	for (unsigned int w = 0; w < app->n_workers; w++)
		free(atomic_exchange(&app->workers[w]->rx, NULL));
	free(app->policy_ids);
	app->policy_ids = NULL;
}
