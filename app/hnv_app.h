/* SPDX-License-Identifier: BSD-3-Clause
 * app: state of the dpdk-hnv process shared by main, workers, stats and the
 * shell, and the functions each app file offers the others. The main lcore
 * is the control plane; every other lcore is a worker.
 *
 * Who calls whom (no file calls back into one that calls it):
 *   main.c -> policy_apply.c, ports.c, control.c, worker.c, stats.c,
 *             telemetry.c
 *   policy_apply.c -> ports.c
 *   control.c -> policy_apply.c, shell.c, stats.c
 *   shell*.c -> policy_apply.c, stats.c
 *   telemetry.c -> stats.c -> worker.c (hnv_app_lcores)
 */
#ifndef HNV_APP_H
#define HNV_APP_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "hnv_policy.h"
#include "vfp.h"

#define HNV_MAX_WORKERS 16

/** Transmit retries on a vhost-user port before a frame is tx_full. */
#define HNV_VHOST_TX_RETRIES 8

/** Descriptors of each rx and tx queue of an ethdev port. */
#define HNV_PORT_DESC 1024

struct hnv_vhost;

/** What is behind a switch port id. */
enum hnv_port_kind {
	HNV_PORT_FREE = 0, /**< never used, or forgotten */
	HNV_PORT_ETHDEV,   /**< a DPDK device named by the policy */
	HNV_PORT_VHOST,    /**< a vhost-user port we made (hnv_vhost.h) */
	HNV_PORT_REMOVED,  /**< a reload removed it: only its counters remain */
};

/** One switch port id (ports.c). Workers read kind, eth_port and vh of
 * the ports the published program and their receive lists name; ports.c
 * writes them only before a port is published and after a grace period
 * once it is not. */
struct hnv_swport {
	uint8_t kind; /* enum hnv_port_kind */
	uint16_t eth_port;
	bool linearize;     /* ethdev without MULTI_SEGS: chains are linearized */
	bool tx_ipv4_cksum; /* the uplink computes outer IPv4 checksums */
	struct hnv_vhost *vh;
	/* Control plane. */
	struct hnv_app *app; /* for the vhost-user link callback */
	uint16_t id;
	uint16_t nb_rxq;            /* receive queues polled */
	struct hnv_port_cfg cfg;    /* the policy port it was opened for */
	struct vfp_port_stats base; /* counters when the id was taken */
	_Atomic bool up;            /* vhost-user: a guest is connected */
};

/** The (port, queue) pairs one worker polls: replaced whole by ports.c,
 * freed after a grace period. */
struct hnv_rxlist {
	unsigned int n;
	struct {
		uint16_t port; /* switch port id */
		uint16_t queue;
	} q[];
};

/** One worker lcore: which (port, rx queue) pairs it polls and its tx queue.
 * Its lcore state (lc) is worker.c's: other files reach it only through
 * hnv_app_lcores(). */
struct hnv_worker {
	struct hnv_app *app;
	unsigned int lcore_id;
	uint16_t txq;
	struct hnv_rxlist *_Atomic rx; /* ports.c publishes, the worker reads */
	bool housekeeping;             /* also solicits PA next hops */
	_Atomic uint64_t last_rx_tsc;  /* written by the worker, read by --idle-exit */
	struct vfp_lcore *lc;          /* created by hnv_workers_attach */
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

	/* Switch ports (ports.c): ids 0..n_ports-1 have been used. */
	struct hnv_swport *ports; /* VFP_MAX_PORTS of them */
	uint16_t n_ports;
	uint16_t *policy_ids; /* switch port id of each app->policy port */
	/* Held by ports.c while it changes names or kinds, and by readers on
	 * other threads (telemetry) that walk the ports. */
	pthread_mutex_t port_lock;

	unsigned int n_workers;
	struct hnv_worker *workers[HNV_MAX_WORKERS];

	/* Set by signal handlers and read by other threads: lock-free atomics
	 * are both async-signal-safe and visible across lcores. */
	atomic_bool quit;   /* SIGINT/SIGTERM, quit, --idle-exit */
	atomic_bool reload; /* SIGHUP */
	unsigned int reloads, reload_failures;

	/* The policy loader (policy_apply.c) and the last good policy. */
	struct hnv_loader *loader;
	const char *state_dir; /* --state-dir; NULL: not kept */
	bool policy_fallback;  /* --policy-fallback */
	bool no_offload;       /* --no-offload: software does every checksum */
	/* The policy in force, for the shell and telemetry (under status_lock). */
	pthread_mutex_t status_lock;
	uint64_t generation;                 /* policies applied since start: 1, 2, ... */
	time_t applied_at;                   /* when the one in force was */
	char applied_from[PATH_MAX];         /* the file it was read from */
	uint16_t underlay_mtu, vxlan_port;   /* its uplink's MTU, its VXLAN port */
	char last_error[HNV_POLICY_ERR_MAX]; /* of the last rejected reload; "" none */
	time_t last_error_at;
	/* At start only: where the first policy came from, and its text. */
	char policy_from[PATH_MAX];
	char *policy_text;
	size_t policy_text_len;
};

/* ---- ports.c ------------------------------------------------------------- */

/** The ports a reload adds and removes: hnv_ports_plan gives them ids before
 * the program is compiled, hnv_ports_open opens the new ones, then
 * hnv_ports_commit (the program is published) or hnv_ports_abort (it is
 * not) finishes the change. */
struct hnv_port_change {
	uint16_t *ids;  /**< switch port id of each port of the new policy */
	uint16_t n_ids; /**< the new program's number of switch ports */
	unsigned int n_added, n_removed;
	uint16_t *added, *removed; /**< switch port ids */
	uint16_t *added_idx;       /**< the policy port of each added id */
	unsigned int n_opened;     /**< added ports whose device is open */
};

/**
 * The switch port id of every port of @p pol: ports the running policy has
 * keep their id, new ones get a free one; no device is touched. Safe on
 * the loader thread. @return 0, or negative with "SOURCE: $.ports[i]:
 * problem" in @p err
 */
int hnv_ports_plan(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen);

/** Open the devices of @p pc's added ports (not yet polled); on failure,
 * hnv_ports_abort closes what was opened. */
int hnv_ports_open(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen);

/**
 * hnv_ports_plan, then hnv_ports_open: find or open the port of every port
 * of @p pol. The uplink must be the running one.
 * @return 0, or negative with "SOURCE: $.ports[i]: problem" in @p err
 */
int hnv_ports_prepare(struct hnv_app *app, const struct hnv_policy *pol, struct hnv_port_change *pc,
	char *err, size_t errlen);

/** After the program compiled from the new policy is published: poll the
 * added ports (their queues dealt to the workers), and stop polling,
 * close and retire the removed ones (their counters stay readable). */
void hnv_ports_commit(struct hnv_app *app, struct hnv_port_change *pc);

/** The new program was not published: close the ports prepare opened. */
void hnv_ports_abort(struct hnv_app *app, struct hnv_port_change *pc);

/** Forget the ports reloads removed: their names and counters go, and
 * their ids are free again. @return how many were forgotten */
unsigned int hnv_ports_forget_removed(struct hnv_app *app);

/** Close every port (the workers have stopped). */
void hnv_ports_close(struct hnv_app *app);

/** The live switch port named @p name, or -1. */
int hnv_port_find(const struct hnv_app *app, const char *name);

/** The name of switch port @p id ("?" if none). */
const char *hnv_port_name(const struct hnv_app *app, uint16_t id);

#define HNV_LINK_QUEUES 16

/** A port's link as show links and /hnv/link report it. */
struct hnv_link_info {
	bool is_vhost;
	bool up;                     /**< link up; vhost-user: a guest is connected */
	char device[HNV_SOCKET_MAX]; /**< the ethdev name, or the socket path */
	bool client;                 /**< vhost-user: we connect to QEMU's socket */
	uint32_t speed;              /**< Mb/s, 0 if unknown */
	uint16_t nb_rxq, nb_txq;     /**< queues (vhost-user: the guest's enabled rings) */
	uint64_t q_rx[HNV_LINK_QUEUES], q_tx[HNV_LINK_QUEUES]; /**< packets per queue */
	uint64_t features;              /**< vhost-user: negotiated virtio features */
	uint64_t connects, disconnects; /**< vhost-user: guests seen */
	/** vhost-user: guest frames whose checksum dpdk-hnv completed, TSO
	 * frames it cut into segments, and frames dropped because their
	 * offload could not be completed. */
	uint64_t csum_completed, tso_frames, offload_errors;
};

/** Fill @p li for live switch port @p id. @return 0 or a negative errno */
int hnv_port_link(const struct hnv_app *app, uint16_t id, struct hnv_link_info *li);

/** The ethdev behind the uplink of the running policy. */
uint16_t hnv_uplink_ethdev(const struct hnv_app *app);

/** Control loop: the link of each member of a NIC team of two or more
 * uplinks, to the switch (vfp_switch_set_link), whose flows then move off
 * a member that went down and back when it returns. */
void hnv_ports_poll_team(struct hnv_app *app);

/* ---- policy_apply.c ------------------------------------------------------ */

/** Compile app->policy (read from @p from, whose bytes @p text, taken, are
 * kept as the last good policy) and publish it as the switch's first
 * program, with its flow timeouts.
 * @return 0, or negative with the reason printed */
int hnv_policy_apply_first(struct hnv_app *app, const char *from, char *text, size_t len);

/** Ask the loader to reload the policy file (as a change of it or SIGHUP
 * does); the outcome is printed when hnv_policy_apply_result applies it.
 * A load in flight is superseded. @return 0, or -ENODEV without a loader */
int hnv_reload_policy(struct hnv_app *app);

struct hnv_load_result;
struct hnv_compile_env;

/** The loader's plan callback (policy_loader.h): the switch port ids of
 * the policy's ports (hnv_ports_plan) and the compile environment. */
int hnv_loader_plan_ports(void *arg, const struct hnv_policy *pol, struct hnv_compile_env *env,
	void **plan, char *err, size_t errlen);

/** The loader's unplan callback: frees a plan that was not applied. */
void hnv_loader_unplan_ports(void *arg, void *plan);

/** Apply what the loader produced (main lcore): open the added ports,
 * publish, commit; or keep the running policy and report the error. */
void hnv_policy_apply_result(struct hnv_app *app, struct hnv_load_result *r);

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
