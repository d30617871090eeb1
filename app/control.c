/* SPDX-License-Identifier: BSD-3-Clause
 * app: the control plane loop on the main lcore (D5, R20).
 *
 * Every 10 ms: the shell's pending input, periodic counters (--stats),
 * the idle exit (--idle-exit), a slice of flow aging, and the policy file
 * watch. The policy file's directory is watched with inotify (editors and
 * agents replace files by rename, so the file itself is not watched); a
 * change or SIGHUP reloads it: parse and validate, compile, publish by RCU.
 * A bad file changes nothing: the running policy stays, and the message
 * names the file, the JSON path and the problem. Port bindings cannot
 * change at run time (the devices are opened at start), so a policy whose
 * ports differ is refused the same way.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "hnv_app.h"
#include "policy_compile.h"

#define TICK_US 10000
#define AGE_SWEEP_TICKS 100 /* a full aging sweep about every second */

static bool
same_ports(const struct hnv_policy *a, const struct hnv_policy *b)
{
	if (a->n_ports != b->n_ports || a->host.uplink != b->host.uplink)
		return false;
	for (unsigned int i = 0; i < a->n_ports; i++)
		if (strcmp(a->ports[i].name, b->ports[i].name) != 0 ||
			strcmp(a->ports[i].device, b->ports[i].device) != 0)
			return false;
	return true;
}

int
hnv_reload_policy(struct hnv_app *app)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *pol = NULL;
	struct vfp_program *prog;
	struct vfp_timeouts to;
	int rc;

	rc = hnv_policy_load(app->policy_path, &pol, err, sizeof(err));
	if (rc == 0 && !same_ports(app->policy, pol)) {
		snprintf(err, sizeof(err),
			"%s: $.ports: the ports or the uplink changed; restart dpdk-hnv to rebind "
			"devices",
			app->policy_path);
		rc = -EINVAL;
	}
	if (rc == 0) {
		rc = hnv_compile(app, pol, &prog, err, sizeof(err));
	}
	if (rc != 0) {
		app->reload_failures++;
		fprintf(stderr, "dpdk-hnv: policy not reloaded, keeping the running one: %s\n",
			err);
		hnv_policy_free(pol);
		return rc;
	}
	vfp_switch_publish(app->sw, prog);
	hnv_policy_flow_timeouts(pol, &to);
	vfp_switch_set_timeouts(app->sw, &to);
	hnv_policy_free(app->policy);
	app->policy = pol;
	app->reloads++;
	printf("dpdk-hnv: policy reloaded from %s\n", app->policy_path);
	fflush(stdout);
	return 0;
}

/* An inotify watch on the policy file's directory; -1 if unavailable. */
static int
watch_open(const char *path, char *name, size_t size)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	snprintf(name, size, "%s", basename(base));
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dirname(dir), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Did the policy file change since the last call? */
static bool
watch_changed(int fd, const char *name)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len > 0 && strcmp(ev->name, name) == 0)
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

void
hnv_control_loop(struct hnv_app *app)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t next_stats = rte_get_tsc_cycles() + app->stats_interval * hz;
	uint64_t idle = app->idle_exit_ms * hz / 1000;
	unsigned int capacity, age_budget;
	struct cmdline *shell = NULL;
	char name[NAME_MAX + 1];
	int wfd;

	vfp_switch_flow_count(app->sw, &capacity);
	age_budget = capacity / AGE_SWEEP_TICKS + 1;
	wfd = watch_open(app->policy_path, name, sizeof(name));
	if (wfd < 0)
		fprintf(stderr,
			"dpdk-hnv: warning: cannot watch %s (%s); SIGHUP still reloads it\n",
			app->policy_path, strerror(errno));
	if (app->interactive) {
		shell = hnv_shell_open(app);
		if (shell == NULL)
			fprintf(stderr, "dpdk-hnv: cannot start the shell\n");
	}
	while (!app->quit) {
		uint64_t now;

		if (shell != NULL && !hnv_shell_poll(shell))
			app->quit = true;
		if ((wfd >= 0 && watch_changed(wfd, name)) || app->reload) {
			app->reload = false;
			hnv_reload_policy(app);
		}
		now = rte_get_tsc_cycles();
		vfp_switch_age(app->sw, now, age_budget);
		if (app->stats_interval != 0 && now >= next_stats) {
			hnv_stats_print(app, stdout);
			next_stats = now + app->stats_interval * hz;
		}
		if (idle != 0) {
			bool all_idle = true;

			for (unsigned int i = 0; i < app->n_workers; i++)
				if (now - app->workers[i]->last_rx_tsc < idle)
					all_idle = false;
			if (all_idle)
				app->quit = true;
		}
		usleep(TICK_US);
	}
	if (shell != NULL)
		hnv_shell_close(shell);
	if (wfd >= 0)
		close(wfd);
}
