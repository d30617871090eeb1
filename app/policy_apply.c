/* SPDX-License-Identifier: BSD-3-Clause
 * app: turning a policy into the running program (D5, R20).
 *
 * Owns: the policy in force and its status (generation, when and from
 * which file it was applied, the last error), the first program at
 * start-up (loaded and compiled on the main lcore before anything
 * forwards, or, with --policy-fallback, the last good policy when the
 * file is broken), and reloads: the policy loader (lib/policy's
 * policy_loader.c) reads, validates and compiles the file on its own
 * thread, with plan_ports() deciding the switch port of each policy
 * port there, and hnv_policy_apply_result(), on the main lcore, opens
 * the ports the new policy adds, publishes the program by RCU, polls the
 * added ports and closes the removed ones (ports.c). A bad file changes
 * nothing: the running policy stays, and the message names the file, the
 * JSON path and the problem. Only the uplink cannot change at run time.
 * The loader keeps the policy in force (seeded with the first, told of
 * each result applied): it reads a change of the mappings alone against
 * it, and keeps its text as the last good one (--state-dir).
 *
 * app->policy is read by the main lcore only (control loop and shell),
 * which is what lets a reload free the old one; the status fields are
 * also read by telemetry, under app->status_lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "hnv_app.h"
#include "hnv_port.h"
#include "policy_compile.h"
#include "policy_loader.h"

/* Team member @i of @pol's uplinks: opened by this apply before the first
 * publish, else the running one (a reload may not change the team). */
static const struct hnv_swport *
member_port(const struct hnv_app *app, const struct hnv_policy *pol,
	const struct hnv_port_change *pc, unsigned int i)
{
	if (app->policy_ids != NULL)
		return &app->ports[app->policy_ids[app->policy->host.uplinks[i]]];
	return &app->ports[pc->ids[pol->host.uplinks[i]]];
}

/* The compile environment for @pol on the switch ports of @pc, against the
 * uplinks as they are now (their MACs, their checksum offloads). */
static void
fill_env(struct hnv_app *app, const struct hnv_policy *pol, const struct hnv_port_change *pc,
	struct hnv_compile_env *env)
{
	env->port_ids = pc->ids;
	env->n_port_ids = pc->n_ids;
	env->tx_ipv4_cksum = true;
	for (unsigned int i = 0; i < pol->host.n_uplinks; i++) {
		const struct hnv_swport *sp = member_port(app, pol, pc, i);

		hnv_port_mac(sp->eth_port, &env->uplink_macs[i]);
		/* One program for all members: offloaded only if all can. */
		env->tx_ipv4_cksum &= sp->tx_ipv4_cksum;
	}
	env->table_size = app->table_size;
	/* The main lcore's socket, as the first program's: the loader
	 * thread, which also runs this, is no EAL lcore. */
	env->socket_id = (int)rte_lcore_to_socket_id(rte_get_main_lcore());
}

/* Make @prog, compiled from @pol, the switch's program, and @pol's flow
 * timeouts its timeouts. On failure @prog is freed and @err says why. */
static int
publish(struct hnv_app *app, const struct hnv_policy *pol, struct vfp_program *prog, char *err,
	size_t errlen)
{
	int rc = vfp_switch_publish(app->sw, prog);

	if (rc != 0) {
		vfp_program_free(prog);
		if (rc == -ENOSPC)
			snprintf(err, errlen,
				"%s: the switch has no room for the VSIDs or PA next hops of this "
				"policy beside the running one",
				pol->source);
		else
			snprintf(err, errlen, "%s: cannot publish the program: %s", pol->source,
				strerror(-rc));
		return rc;
	}
	vfp_switch_set_timeouts(app->sw, &pol->timeouts);
	return 0;
}

/* The policy in force is now @pol (from @from, @len bytes): its status,
 * and its text kept as the last good policy (the loader has it). */
static void
now_in_force(struct hnv_app *app, struct hnv_policy *pol, const char *from, size_t len)
{
	char state[1024], when[64];
	struct tm tm;
	json_t *st;
	char *js;

	hnv_policy_free(app->policy);
	app->policy = pol;
	pthread_mutex_lock(&app->status_lock);
	app->generation++;
	app->applied_at = time(NULL);
	snprintf(app->applied_from, sizeof(app->applied_from), "%s", from);
	app->underlay_mtu = hnv_policy_underlay_mtu(pol);
	app->vxlan_port = pol->host.vxlan_port;
	pthread_mutex_unlock(&app->status_lock);
	if (app->loader == NULL)
		return;
	gmtime_r(&app->applied_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	st = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "generation",
		(json_int_t)app->generation, "applied_at", when, "source", from, "policy",
		app->policy_path, "bytes", (json_int_t)len, "vm_nics", (json_int_t)pol->n_vnics,
		"mappings", (json_int_t)pol->n_mappings);
	js = st != NULL ? json_dumps(st, JSON_INDENT(1)) : NULL;
	snprintf(state, sizeof(state), "%s\n", js != NULL ? js : "{}");
	free(js);
	json_decref(st);
	hnv_loader_persist(app->loader, state);
}

/* A reload failed with @err: the running policy stays. */
static void
rejected(struct hnv_app *app, const char *err)
{
	pthread_mutex_lock(&app->status_lock);
	app->reload_failures++;
	snprintf(app->last_error, sizeof(app->last_error), "%s", err);
	app->last_error_at = time(NULL);
	pthread_mutex_unlock(&app->status_lock);
	fprintf(stderr, "dpdk-hnv: policy not reloaded, keeping the running one: %s\n", err);
}

int
hnv_policy_apply_first(struct hnv_app *app, const char *from, char *text, size_t len)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_compile_env env = {0};
	struct hnv_port_change pc;
	struct vfp_program *prog;
	struct hnv_policy *pol = app->policy;
	int rc;

	rc = hnv_ports_prepare(app, pol, &pc, err, sizeof(err));
	if (rc == 0) {
		fill_env(app, pol, &pc, &env);
		rc = hnv_policy_compile(pol, &env, app->sw, &prog, err, sizeof(err));
		if (rc == 0)
			rc = publish(app, pol, prog, err, sizeof(err));
		if (rc != 0)
			hnv_ports_abort(app, &pc);
	}
	if (rc != 0) {
		fprintf(stderr, "dpdk-hnv: %s\n", err);
		free(text);
		return -EINVAL;
	}
	hnv_ports_commit(app, &pc);
	/* The loader keeps the mappings from now on (it reads the text
	 * again, to diff the next file against it). */
	free(pol->mappings);
	pol->mappings = NULL;
	if (app->loader != NULL)
		hnv_loader_seed(app->loader, text, len);
	else
		free(text);
	app->policy = NULL; /* now_in_force frees the one in force: none yet */
	now_in_force(app, pol, from, len);
	return 0;
}

int
hnv_loader_plan_ports(void *arg, const struct hnv_policy *pol, struct hnv_compile_env *env,
	void **plan, char *err, size_t errlen)
{
	struct hnv_app *app = arg;
	struct hnv_port_change *pc = calloc(1, sizeof(*pc));
	int rc;

	if (pc == NULL) {
		snprintf(err, errlen, "%s: out of memory", pol->source);
		return -ENOMEM;
	}
	rc = hnv_ports_plan(app, pol, pc, err, errlen);
	if (rc != 0) {
		free(pc);
		return rc;
	}
	fill_env(app, pol, pc, env);
	*plan = pc;
	return 0;
}

void
hnv_loader_unplan_ports(void *arg, void *plan)
{
	hnv_ports_abort(arg, plan); /* nothing was opened: frees the change */
	free(plan);
}

/* A reload that changes the underlay MTU sets it on the uplink's device
 * before the program that sizes frames by it is published (@back: after
 * that publish failed, the running policy's again). */
static int
uplink_mtu(struct hnv_app *app, const struct hnv_policy *pol, bool back, char *err, size_t errlen)
{
	char why[256];
	int rc = 0;

	if (app->policy == NULL)
		return 0; /* the first policy: the uplinks were opened with it */
	/* Each team member (the same in both policies: a reload may not
	 * change the team). */
	for (unsigned int i = 0; rc == 0 && i < pol->host.n_uplinks; i++) {
		unsigned int port = pol->host.uplinks[i];
		uint16_t want = hnv_uplink_mtu(&pol->ports[port]);
		uint16_t cur = hnv_uplink_mtu(&app->policy->ports[app->policy->host.uplinks[i]]);
		const struct hnv_swport *sp =
			&app->ports[app->policy_ids[app->policy->host.uplinks[i]]];

		if (cur == want)
			continue;
		rc = hnv_port_set_mtu(sp->eth_port, back ? cur : want, why, sizeof(why));
		if (rc != 0 && err != NULL) {
			int n = snprintf(err, errlen, "%s: $.ports[%u].mtu: ", pol->source, port);

			if (n > 0 && (size_t)n < errlen)
				strlcpy(err + n, why, errlen - (size_t)n);
		}
	}
	/* A member refused: all go back to the running policy's MTU (those
	 * not changed yet keep it), all or nothing. */
	for (unsigned int j = 0; rc != 0 && !back && j < pol->host.n_uplinks; j++)
		(void)hnv_port_set_mtu(
			app->ports[app->policy_ids[app->policy->host.uplinks[j]]].eth_port,
			hnv_uplink_mtu(&app->policy->ports[app->policy->host.uplinks[j]]), why,
			sizeof(why));
	return rc;
}

void
hnv_policy_apply_result(struct hnv_app *app, struct hnv_load_result *r)
{
	struct hnv_port_change *pc = r->plan;
	double t0 = (double)rte_get_tsc_cycles(), publish_s;
	int rc = r->rc;

	if (rc == -ECANCELED)
		return; /* stopping */
	if (rc == 0)
		rc = hnv_ports_open(app, r->pol, pc, r->err, sizeof(r->err));
	if (rc == 0)
		rc = uplink_mtu(app, r->pol, false, r->err, sizeof(r->err));
	if (rc == 0) {
		rc = publish(app, r->pol, r->prog, r->err, sizeof(r->err));
		r->prog = NULL; /* published, or freed by publish */
		if (rc != 0)
			(void)uplink_mtu(app, r->pol, true, NULL, 0);
	}
	if (rc != 0) {
		if (pc != NULL)
			hnv_ports_abort(app, pc);
		rejected(app, r->err);
		return;
	}
	hnv_ports_commit(app, pc); /* frees the change's arrays */
	publish_s = ((double)rte_get_tsc_cycles() - t0) / (double)rte_get_tsc_hz();
	r->applied = true;
	now_in_force(app, r->pol, app->policy_path, r->text_len);
	r->pol = NULL;
	app->reloads++;
	if (r->incremental)
		printf("dpdk-hnv: policy reloaded from %s (generation %" PRIu64
		       ", incremental: %zu mapping%s changed: read %.4f s, compile %.4f s, "
		       "publish %.4f s)\n",
			app->policy_path, app->generation, r->changed, r->changed == 1 ? "" : "s",
			r->load_s, r->compile_s, publish_s);
	else
		printf("dpdk-hnv: policy reloaded from %s (generation %" PRIu64
		       ": load %.3f s, compile %.3f s, publish %.3f s)\n",
			app->policy_path, app->generation, r->load_s, r->compile_s, publish_s);
	fflush(stdout);
}

int
hnv_reload_policy(struct hnv_app *app)
{
	if (app->loader == NULL)
		return -ENODEV;
	hnv_loader_request(app->loader);
	return 0;
}
