/* SPDX-License-Identifier: BSD-3-Clause
 * app: turning a policy into the running program (D5, R20).
 *
 * Owns: compiling a policy for this process's ports and switch, publishing
 * the first program at start-up, and reloading the policy file (on a change,
 * SIGHUP or the shell's reload): parse and validate, compile, publish by RCU.
 * A bad file changes nothing: the running policy stays, and the message
 * names the file, the JSON path and the problem. Ports the new policy adds
 * are opened before it is compiled and polled once it is published; ports
 * it removes are closed after that (ports.c). Only the uplink cannot change
 * at run time.
 *
 * Everything here runs on the main lcore, which is what lets a reload free
 * the old app->policy: only the main lcore (control loop and shell) reads it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "hnv_app.h"
#include "hnv_port.h"
#include "policy_compile.h"

/* Compile @pol for the switch port ids of @pc, against the uplink as it is
 * now (MAC, MTU); not published. */
static int
compile(struct hnv_app *app, const struct hnv_policy *pol, const struct hnv_port_change *pc,
	struct vfp_program **out, char *err, size_t errlen)
{
	uint16_t uplink = app->ports[pc->ids[pol->host.uplink]].eth_port;
	struct hnv_compile_env env = {
		.port_ids = pc->ids,
		.n_port_ids = pc->n_ids,
	};

	hnv_port_mac(uplink, &env.uplink_mac);
	env.uplink_mtu = hnv_port_mtu(uplink);
	env.table_size = app->table_size;
	env.socket_id = (int)rte_socket_id();
	return hnv_policy_compile(pol, &env, app->sw, out, err, errlen);
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

/* Open the ports of @pol, compile it and publish: the program and ports
 * of @pol are running when this returns 0; nothing changed otherwise. */
static int
apply(struct hnv_app *app, const struct hnv_policy *pol, char *err, size_t errlen)
{
	struct hnv_port_change pc;
	struct vfp_program *prog;
	int rc;

	rc = hnv_ports_prepare(app, pol, &pc, err, errlen);
	if (rc != 0)
		return rc;
	rc = compile(app, pol, &pc, &prog, err, errlen);
	if (rc == 0)
		rc = publish(app, pol, prog, err, errlen);
	if (rc != 0) {
		hnv_ports_abort(app, &pc);
		return rc;
	}
	hnv_ports_commit(app, &pc);
	return 0;
}

int
hnv_policy_apply_first(struct hnv_app *app)
{
	char err[HNV_POLICY_ERR_MAX];

	if (apply(app, app->policy, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpdk-hnv: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

int
hnv_reload_policy(struct hnv_app *app)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *pol = NULL;
	int rc;

	rc = hnv_policy_load(app->policy_path, &pol, err, sizeof(err));
	if (rc == 0)
		rc = apply(app, pol, err, sizeof(err));
	if (rc != 0) {
		app->reload_failures++;
		fprintf(stderr, "dpdk-hnv: policy not reloaded, keeping the running one: %s\n",
			err);
		hnv_policy_free(pol);
		return rc;
	}
	hnv_policy_free(app->policy);
	app->policy = pol;
	app->reloads++;
	printf("dpdk-hnv: policy reloaded from %s\n", app->policy_path);
	fflush(stdout);
	return 0;
}
