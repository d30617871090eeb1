/* SPDX-License-Identifier: BSD-3-Clause
 * app: the control plane loop on the main lcore (D5, R20).
 *
 * Owns: the loop and what it does every 10 ms: the shell's pending input,
 * the links of a NIC team's members, periodic counters (--stats), the idle exit (--idle-exit), a
 * slice of flow aging, and the policy file watch. The policy file's directory is watched with
 * inotify (editors and agents replace files by rename, so the file itself is not watched); a change
 * or SIGHUP asks the policy loader to load it again, and the loop applies what the loader produces
 * as soon as it is ready (it waits on the watch and the loader's descriptor, not just the tick).
 * Loading and compiling run on the loader's thread, so a large policy
 * never freezes the loop: the shell, counters, aging and signals go on.
 * The loop never waits on anything but its tick and the loader: the signal
 * handlers only set flags (app->quit, app->reload) that it reads every
 * tick, and the policy loader refuses FIFOs and devices instead of
 * blocking on them. On quit the loader is stopped first: a load in flight
 * is cancelled within milliseconds.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "hnv_app.h"
#include "policy_loader.h"

#define TICK_US 10000
#define AGE_SWEEP_TICKS 100 /* a full aging sweep about every second */

/* Has every worker been without input for @idle cycles at @now? A worker
 * may stamp last_rx_tsc after @now was read (and TSCs of different cores
 * need not agree exactly), so the stamp can be later than @now: the
 * unsigned difference would then wrap to a huge "idle" time and stop a
 * replay that still has input. The signed difference (GCC and Clang
 * convert modulo 2^64) is negative there, which counts as busy. */
static bool
all_idle(const struct hnv_app *app, uint64_t now, uint64_t idle)
{
	for (unsigned int i = 0; i < app->n_workers; i++) {
		uint64_t last =
			atomic_load_explicit(&app->workers[i]->last_rx_tsc, memory_order_relaxed);

		if ((int64_t)(now - last) < (int64_t)idle)
			return false;
	}
	return true;
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
	wfd = hnv_policy_watch_open(app->policy_path, name, sizeof(name));
	if (wfd < 0)
		fprintf(stderr,
			"dpdk-hnv: warning: cannot watch %s (%s); SIGHUP still reloads it\n",
			app->policy_path, strerror(errno));
	/* Only now: whoever waits for this line may change the policy file
	 * at once, and the watch must already see it. */
	printf("dpdk-hnv: forwarding: policy %s, %u ports, %u workers\n", app->policy_path,
		app->n_ports, app->n_workers);
	fflush(stdout);
	if (app->interactive) {
		shell = hnv_shell_open(app);
		if (shell == NULL)
			fprintf(stderr, "dpdk-hnv: cannot start the shell\n");
	}
	while (!atomic_load(&app->quit)) {
		struct pollfd pfd[2] = {{.fd = hnv_loader_fd(app->loader), .events = POLLIN},
			{.fd = wfd, .events = POLLIN}};
		struct hnv_load_result *r;
		uint64_t now;
		bool changed;

		if (shell != NULL && !hnv_shell_poll(shell))
			atomic_store(&app->quit, true);
		/* The watch is drained even when SIGHUP asks too: one reload
		 * covers both. */
		changed = wfd >= 0 && hnv_policy_watch_changed(wfd, name);
		if (atomic_exchange(&app->reload, false) || changed)
			hnv_reload_policy(app);
		r = hnv_loader_take(app->loader);
		if (r != NULL) {
			hnv_policy_apply_result(app, r);
			hnv_loader_done(app->loader, r);
		}
		hnv_ports_poll_team(app);
		now = rte_get_tsc_cycles();
		vfp_switch_age(app->sw, now, age_budget);
		if (app->stats_interval != 0 && now >= next_stats) {
			hnv_stats_print(app, stdout);
			next_stats = now + app->stats_interval * hz;
		}
		if (idle != 0 && all_idle(app, now, idle))
			atomic_store(&app->quit, true);
		/* The tick, cut short by a change of the policy file, a result
		 * of the loader or a signal: a reload starts, and is applied,
		 * as soon as it can be. */
		(void)poll(pfd, wfd >= 0 ? 2 : 1, TICK_US / 1000);
	}
	hnv_loader_destroy(app->loader);
	app->loader = NULL;
	if (shell != NULL)
		hnv_shell_close(shell);
	if (wfd >= 0)
		close(wfd);
}
