/* SPDX-License-Identifier: BSD-3-Clause
 * app: state of the dpdk-hnv process shared by main, workers, stats and the
 * shell. The main lcore is the control plane; every other lcore is a worker.
 */
#ifndef HNV_APP_H
#define HNV_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "hnv_policy.h"
#include "vfp.h"

#define HNV_MAX_WORKERS 16

#define HNV_MAX_RXQ_PER_WORKER (VFP_MAX_PORTS * 4)

/** One worker lcore: which (port, rx queue) pairs it polls and its tx queue. */
struct hnv_worker {
	struct hnv_app *app;
	unsigned int lcore_id;
	uint16_t txq;
	uint16_t n_rx;
	struct {
		uint16_t port; /* switch port */
		uint16_t queue;
	} rx[HNV_MAX_RXQ_PER_WORKER];
	bool housekeeping; /* also solicits PA next hops */
	uint64_t last_rx_tsc;
	struct vfp_lcore lc;
};

struct hnv_app {
	const char *policy_path;
	bool interactive;
	unsigned int stats_interval; /* seconds, 0 = off */
	unsigned int idle_exit_ms;   /* 0 = off */
	uint32_t table_size;

	struct hnv_policy *policy;
	uint32_t flow_capacity;

	struct vfp_switch *sw; /* flow table and the published program */
	struct rte_mempool *mp;
	uint16_t n_ports;
	uint16_t eth_port[VFP_MAX_PORTS]; /* switch port -> ethdev port id */
	uint16_t nb_rxq[VFP_MAX_PORTS];   /* rx queues set up per switch port */
	char port_names[VFP_MAX_PORTS][HNV_NAME_MAX]; /* fixed at start (telemetry) */

	unsigned int n_workers;
	struct hnv_worker *workers[HNV_MAX_WORKERS];

	volatile bool quit;
	volatile bool reload; /* SIGHUP */
	unsigned int reloads, reload_failures;
};

/** Compile @p pol for this app's ports and switch (not published). */
int hnv_compile(struct hnv_app *app, const struct hnv_policy *pol, struct vfp_program **out,
	char *err, size_t errlen);

/** The control loop of the main lcore (control.c): counters, idle exit,
 * the shell, flow aging, policy reload on change or SIGHUP. */
void hnv_control_loop(struct hnv_app *app);

/** Register the /hnv/... telemetry commands (telemetry.c). @return 0 or -EINVAL */
int hnv_telemetry_register(struct hnv_app *app);

/** Reload the policy file now. @return 0, or negative with the reason printed */
int hnv_reload_policy(struct hnv_app *app);

/** Worker main loop (rte_eal_remote_launch entry); @p arg is a hnv_worker. */
int hnv_worker_main(void *arg);

/** Print the per-port counter block (see docs/shell.md) to @p f. */
void hnv_stats_print(const struct hnv_app *app, FILE *f);

/** Print the flow table's size and the workers' hit/miss counters. */
void hnv_stats_print_uft(const struct hnv_app *app, FILE *f);

/** Print the PA next hops and whether they are resolved. */
void hnv_stats_print_neighbors(const struct hnv_app *app, FILE *f);

struct cmdline;

/** Start the interactive shell on stdin. @return the shell, or NULL */
struct cmdline *hnv_shell_open(struct hnv_app *app);

/** Handle pending input without blocking. @return false once the user quit */
bool hnv_shell_poll(struct cmdline *cl);

/** Stop the shell and restore the terminal. */
void hnv_shell_close(struct cmdline *cl);

#endif /* HNV_APP_H */
