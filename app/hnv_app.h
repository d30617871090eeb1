/* SPDX-License-Identifier: BSD-3-Clause
 * app: state of the dpdk-hnv process shared by main, workers, stats and the
 * shell, and the functions each app file offers the others. The main lcore
 * is the control plane; every other lcore is a worker.
 *
 * Who calls whom (no file calls back into one that calls it):
 *   main.c -> policy_apply.c, control.c, worker.c, stats.c, telemetry.c
 *   control.c -> policy_apply.c, shell.c, stats.c
 *   shell*.c -> policy_apply.c, stats.c
 *   telemetry.c -> stats.c -> worker.c (hnv_app_lcores)
 */
#ifndef HNV_APP_H
#define HNV_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "hnv_policy.h"
#include "vfp.h"

#define HNV_MAX_WORKERS 16

/** Transmit retries on a vhost-user port before a frame is tx_full. */
#define HNV_VHOST_TX_RETRIES 8

#define HNV_MAX_RXQ_PER_WORKER (VFP_MAX_PORTS * 4)

/** One worker lcore: which (port, rx queue) pairs it polls and its tx queue.
 * Its lcore state (lc) is worker.c's: other files reach it only through
 * hnv_app_lcores(). */
struct hnv_worker {
	struct hnv_app *app;
	unsigned int lcore_id;
	uint16_t txq;
	uint16_t n_rx;
	struct {
		uint16_t port; /* switch port */
		uint16_t queue;
	} rx[HNV_MAX_RXQ_PER_WORKER];
	bool housekeeping;            /* also solicits PA next hops */
	_Atomic uint64_t last_rx_tsc; /* written by the worker, read by --idle-exit */
	struct vfp_lcore *lc;         /* created by hnv_workers_attach */
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
	uint16_t eth_port[VFP_MAX_PORTS];             /* switch port -> ethdev port id */
	uint16_t nb_rxq[VFP_MAX_PORTS];               /* rx queues set up per switch port */
	char port_names[VFP_MAX_PORTS][HNV_NAME_MAX]; /* fixed at start (telemetry) */

	unsigned int n_workers;
	struct hnv_worker *workers[HNV_MAX_WORKERS];

	/* Set by signal handlers and read by other threads: lock-free atomics
	 * are both async-signal-safe and visible across lcores. */
	atomic_bool quit;   /* SIGINT/SIGTERM, quit, --idle-exit */
	atomic_bool reload; /* SIGHUP */
	unsigned int reloads, reload_failures;
};

/* ---- policy_apply.c ------------------------------------------------------ */

/** Compile app->policy and publish it as the switch's first program, with
 * its flow timeouts. @return 0, or negative with the reason printed */
int hnv_policy_apply_first(struct hnv_app *app);

/** Reload the policy file now: parse, check the ports are unchanged,
 * compile, publish. On failure the running policy stays.
 * @return 0, or negative with the reason printed */
int hnv_reload_policy(struct hnv_app *app);

/* ---- control.c ----------------------------------------------------------- */

/** The control loop of the main lcore: counters, idle exit, the shell, flow
 * aging, policy reload on change or SIGHUP. Prints "dpdk-hnv: forwarding"
 * once the policy file is watched. Returns once app->quit is set. */
void hnv_control_loop(struct hnv_app *app);

/* ---- worker.c ------------------------------------------------------------ */

/**
 * Create every worker's engine state (online RCU readers of the switch):
 * after the first publish, before the workers are launched.
 * @return 0 or -ENOMEM
 */
int hnv_workers_attach(struct hnv_app *app);

/** Free every worker's engine state (the workers have stopped). */
void hnv_workers_detach(struct hnv_app *app);

/** Worker main loop (rte_eal_remote_launch entry); @p arg is a hnv_worker. */
int hnv_worker_main(void *arg);

/** Put every worker's lcore state into @p lcs (room for HNV_MAX_WORKERS),
 * in worker order. The one place outside the worker loop that reaches a
 * worker's struct vfp_lcore. @return the number of workers */
unsigned int hnv_app_lcores(const struct hnv_app *app, struct vfp_lcore **lcs);

/* ---- stats.c ------------------------------------------------------------- */

/** Sum @p port's counters over all workers into @p st. Reads no policy, so
 * the telemetry thread may call it while a reload runs. */
void hnv_stats_port(const struct hnv_app *app, uint16_t port, struct vfp_port_stats *st);

/** Sum the workers' flow table counters into @p us (no policy either). */
void hnv_stats_uft(const struct hnv_app *app, struct vfp_uft_stats *us);

/** Print the per-port counter block (see docs/shell.md) to @p f. */
void hnv_stats_print(const struct hnv_app *app, FILE *f);

/** Print the flow table's size and the workers' hit/miss counters. */
void hnv_stats_print_uft(const struct hnv_app *app, FILE *f);

/** Print the PA next hops and whether they are resolved. */
void hnv_stats_print_neighbors(const struct hnv_app *app, FILE *f);

/* ---- telemetry.c --------------------------------------------------------- */

/** Register the /hnv/... telemetry commands. @return 0 or -EINVAL */
int hnv_telemetry_register(struct hnv_app *app);

/* ---- shell.c ------------------------------------------------------------- */

struct cmdline;

/** Start the interactive shell on stdin; its commands act on @p app.
 * @return the shell, or NULL */
struct cmdline *hnv_shell_open(struct hnv_app *app);

/** Handle pending input without blocking. @return false once the user quit */
bool hnv_shell_poll(struct cmdline *cl);

/** Stop the shell and restore the terminal. */
void hnv_shell_close(struct cmdline *cl);

#endif /* HNV_APP_H */
