/* SPDX-License-Identifier: BSD-3-Clause
 * app: dpdk-hnv entry point.
 *
 * Owns: EAL and argument parsing; start-up (the policy file's first load,
 * the worker lcores, the mbuf pool, the port table, the switch, the signal
 * handlers); and shutdown (a clean stop on SIGINT/SIGTERM with final
 * per-port counters). Compiling and publishing the policy is
 * policy_apply.c's, opening ports and dealing their queues to the workers
 * ports.c's; the control loop that runs between start-up and shutdown is
 * control.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <jansson.h>

#include "hnv_app.h"
#include "hnv_port.h"
#include "policy_loader.h"

#define MBUF_MIN 8191
#define MBUF_CACHE 256

static struct hnv_app the_app;

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- --policy FILE [options]\n"
	       "       %s --check-policy FILE\n"
	       "\n"
	       "HNVv2 overlay forwarder: VM ports and an uplink, as named by the policy.\n"
	       "Ports are DPDK devices given to EAL (-a PCI address, --vdev net_af_packet0,...),\n"
	       "bound to policy ports by their ethdev name, or vhost-user ports that dpdk-hnv\n"
	       "creates for the policy's VM NICs. A reload may add and remove ports.\n"
	       "\n"
	       "  -p, --policy FILE      policy JSON (docs/policy.md); required\n"
	       "  -i, --interactive      run the shell on stdin (docs/shell.md)\n"
	       "  -s, --stats SECONDS    print per-port counters every SECONDS\n"
	       "      --idle-exit MS     stop once no port received for MS milliseconds\n"
	       "                         (for pcap replays)\n"
	       "      --table-size N     room for at least N CAs (default: what the policy\n"
	       "                         holds, and a quarter more)\n"
	       "      --flows N          capacity of the unified flow table (default 1048576)\n"
	       "      --state-dir DIR    keep the last applied policy and its state there\n"
	       "      --policy-fallback  if the policy file is broken at start, start from\n"
	       "                         the last good policy of --state-dir\n"
	       "      --no-offload       compute every checksum in software, even where the\n"
	       "                         uplink offers to (it does the outer IPv4 header's)\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "The policy file is watched: a change (or SIGHUP) reloads it; a bad file\n"
	       "leaves the running policy in place and says why.\n"
	       "--check-policy validates FILE as a reload would, without EAL, ports or root,\n"
	       "and exits 0 if it is good, 1 with the problem if not.\n",
		prog, prog);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno != 0 || end == s || *end != '\0' || *out > max) ? -EINVAL : 0;
}

static int
parse_args(struct hnv_app *app, int argc, char **argv)
{
	enum { OPT_IDLE = 256, OPT_TABLE, OPT_FLOWS, OPT_STATE, OPT_FALLBACK, OPT_NO_OFFLOAD };
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"interactive", no_argument, NULL, 'i'},
		{"stats", required_argument, NULL, 's'},
		{"idle-exit", required_argument, NULL, OPT_IDLE},
		{"table-size", required_argument, NULL, OPT_TABLE},
		{"flows", required_argument, NULL, OPT_FLOWS},
		{"state-dir", required_argument, NULL, OPT_STATE},
		{"policy-fallback", no_argument, NULL, OPT_FALLBACK},
		{"no-offload", no_argument, NULL, OPT_NO_OFFLOAD},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:is:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			app->policy_path = optarg;
			break;
		case 'i':
			app->interactive = true;
			break;
		case 's':
			if (parse_uint(optarg, 86400, &v) != 0)
				goto bad;
			app->stats_interval = (unsigned int)v;
			break;
		case OPT_IDLE:
			if (parse_uint(optarg, 3600000, &v) != 0)
				goto bad;
			app->idle_exit_ms = (unsigned int)v;
			break;
		case OPT_TABLE:
			if (parse_uint(optarg, 1u << 26, &v) != 0 || v < 16)
				goto bad;
			app->table_size = (uint32_t)v;
			break;
		case OPT_FLOWS:
			if (parse_uint(optarg, 1u << 26, &v) != 0 || v < 1024)
				goto bad;
			app->flow_capacity = (uint32_t)v;
			break;
		case OPT_STATE:
			app->state_dir = optarg;
			break;
		case OPT_FALLBACK:
			app->policy_fallback = true;
			break;
		case OPT_NO_OFFLOAD:
			app->no_offload = true;
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpdk-hnv: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (app->policy_path == NULL) {
		fprintf(stderr, "dpdk-hnv: --policy FILE is required (see --help)\n");
		return -EINVAL;
	}
	if (app->policy_fallback && app->state_dir == NULL) {
		fprintf(stderr, "dpdk-hnv: --policy-fallback needs --state-dir DIR\n");
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "dpdk-hnv: bad value '%s' for option %s\n", optarg, argv[optind - 1]);
	return -EINVAL;
}

/* The handlers only set flags, which the control loop and the workers poll.
 * atomic_bool is lock-free here (checked below), hence async-signal-safe. */
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "the signal flags need a lock-free atomic_bool");

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&the_app.quit, true);
}

static void
on_sighup(int sig)
{
	(void)sig;
	atomic_store(&the_app.reload, true);
}

/* SIGINT, SIGTERM and SIGHUP in @set. */
static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/* Without SA_RESTART: a signal must interrupt whatever the main lcore is
 * waiting in, not restart it, or SIGTERM could not stop a process stuck in
 * a system call (as it was in fopen() on a FIFO). */
static void
install_handlers(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_sighup;
	sigaction(SIGHUP, &sa, NULL);
}

static int
setup_workers(struct hnv_app *app)
{
	unsigned int lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		struct hnv_worker *w;

		if (i == HNV_MAX_WORKERS)
			break;
		w = rte_zmalloc_socket("hnv_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			(int)rte_lcore_to_socket_id(lcore));
		if (w == NULL)
			return -ENOMEM;
		w->app = app;
		w->lcore_id = lcore;
		w->txq = (uint16_t)i;
		w->housekeeping = i == 0;
		app->workers[i++] = w;
	}
	if (i == 0) {
		fprintf(stderr, "dpdk-hnv: need at least one worker lcore besides the main one "
				"(e.g. -l 0-1)\n");
		return -EINVAL;
	}
	app->n_workers = i;
	return 0;
}

/* The switch port table, and room for a file descriptor per vhost-user
 * port and guest (the soft limit is often 1024). */
static int
setup_ports(struct hnv_app *app)
{
	struct rlimit rl;

	app->ports =
		rte_zmalloc("hnv_ports", sizeof(*app->ports) * VFP_MAX_PORTS, RTE_CACHE_LINE_SIZE);
	if (app->ports == NULL) {
		fprintf(stderr, "dpdk-hnv: cannot allocate the port table\n");
		return -ENOMEM;
	}
	pthread_mutex_init(&app->port_lock, NULL);
	pthread_mutex_init(&app->status_lock, NULL);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return 0;
}

/* Enough mbufs to fill the rx and tx rings of every ethdev EAL has (a
 * reload may add any of them), every worker's cache and a burst in each
 * of its tx buffers, and some in flight. vhost-user ports hold no mbufs
 * in rings: a guest's frames are copied into mbufs as they are read, and
 * out of them as they are sent. */
static unsigned int
mbuf_count(const struct hnv_app *app)
{
	unsigned int ethdevs = rte_eth_dev_count_avail();
	unsigned int per_port = app->n_workers * 2 * HNV_PORT_DESC;
	unsigned int n = ethdevs * per_port +
			 app->n_workers * (MBUF_CACHE + VFP_BURST * (ethdevs + 16)) + 8192;

	return RTE_MAX(n, (unsigned int)MBUF_MIN);
}

/* The state directory exists (made if need be), or --state-dir is dropped
 * with a warning: forwarding does not depend on it. */
static void
check_state_dir(struct hnv_app *app)
{
	struct stat st;

	if (app->state_dir == NULL)
		return;
	if (mkdir(app->state_dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr,
			"dpdk-hnv: warning: cannot create %s (%s); the last good policy "
			"is not kept\n",
			app->state_dir, strerror(errno));
		app->state_dir = NULL;
	} else if (stat(app->state_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"dpdk-hnv: warning: %s is not a directory; the last good policy "
			"is not kept\n",
			app->state_dir);
		app->state_dir = NULL;
	}
}

/* What state.json of the state directory says of the last good policy,
 * for the message that starts from it. */
static void
describe_last_good(const struct hnv_app *app, char *buf, size_t size)
{
	char path[PATH_MAX];
	json_error_t je;
	json_t *st;

	snprintf(path, sizeof(path), "%s/state.json", app->state_dir);
	st = json_load_file(path, 0, &je);
	snprintf(buf, size, "%s", "");
	if (st != NULL)
		snprintf(buf, size, " (generation %lld, applied %s from %s)",
			(long long)json_integer_value(json_object_get(st, "generation")),
			json_string_value(json_object_get(st, "applied_at")) ?: "?",
			json_string_value(json_object_get(st, "source")) ?: "?");
	json_decref(st);
}

/* Load the policy file, or with --policy-fallback and a broken file, the
 * last good policy of the state directory. */
static int
load_first(struct hnv_app *app)
{
	struct hnv_policy_load_opts o = {
		.text = &app->policy_text, .text_len = &app->policy_text_len};
	char err[HNV_POLICY_ERR_MAX], err2[HNV_POLICY_ERR_MAX], how[PATH_MAX + 128];

	check_state_dir(app);
	if (hnv_policy_load_ex(app->policy_path, &o, &app->policy, err, sizeof(err)) == 0) {
		snprintf(app->policy_from, sizeof(app->policy_from), "%s", app->policy_path);
		return 0;
	}
	fprintf(stderr, "dpdk-hnv: %s\n", err);
	if (!app->policy_fallback || app->state_dir == NULL)
		return -EINVAL;
	hnv_loader_last_good_path(app->state_dir, app->policy_from, sizeof(app->policy_from));
	if (hnv_policy_load_ex(app->policy_from, &o, &app->policy, err2, sizeof(err2)) != 0) {
		fprintf(stderr, "dpdk-hnv: no last good policy to fall back to: %s\n", err2);
		return -EINVAL;
	}
	describe_last_good(app, how, sizeof(how));
	fprintf(stderr,
		"dpdk-hnv: warning: %s is broken; starting from the last good policy %s%s; "
		"fix the file and it is reloaded\n",
		app->policy_path, app->policy_from, how);
	return 0;
}

/* The policy loader, for reloads from now on. */
static int
start_loader(struct hnv_app *app)
{
	const struct hnv_loader_params lp = {
		.path = app->policy_path,
		.sw = app->sw,
		.plan = hnv_loader_plan_ports,
		.unplan = hnv_loader_unplan_ports,
		.arg = app,
		.state_dir = app->state_dir,
	};
	char err[256];

	app->loader = hnv_loader_create(&lp, err, sizeof(err));
	if (app->loader == NULL) {
		fprintf(stderr, "dpdk-hnv: %s\n", err);
		return -ENOMEM;
	}
	return 0;
}

/* The switch, then the ports and the first program. */
static int
start_switch(struct hnv_app *app)
{
	const struct hnv_policy *pol = app->policy;
	struct vfp_switch_params sp = {
		.flow_capacity = app->flow_capacity,
		.n_lcores = app->n_workers,
		.socket_id = (int)rte_socket_id(),
	};
	struct rte_ether_addr mac;
	int rc;

	app->sw = vfp_switch_create(&sp);
	if (app->sw == NULL) {
		fprintf(stderr, "dpdk-hnv: cannot create the switch (flow table of %u): %s\n",
			sp.flow_capacity ? sp.flow_capacity : VFP_DEFAULT_FLOWS,
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	if (start_loader(app) != 0)
		return -ENOMEM;
	rc = hnv_policy_apply_first(app, app->policy_from, app->policy_text, app->policy_text_len);
	app->policy_text = NULL;
	if (rc != 0)
		return -EINVAL;
	for (unsigned int i = 0; pol->host.has_mac && i < pol->host.n_uplinks; i++) {
		hnv_port_mac(app->ports[app->policy_ids[pol->host.uplinks[i]]].eth_port, &mac);
		if (!rte_is_same_ether_addr(&mac, &pol->host.macs[i]))
			fprintf(stderr,
				"dpdk-hnv: warning: %s cannot take MAC from host.mac; using it "
				"anyway\n",
				pol->ports[pol->host.uplinks[i]].device);
	}
	return 0;
}

/* dpdk-hnv --check-policy FILE: load and validate FILE as a reload would
 * (everything but opening its ports), for operators' pipelines. */
static int
check_policy(int argc, char **argv)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *pol;

	if (argc != 1) {
		fprintf(stderr, "dpdk-hnv: --check-policy takes one FILE (see --help)\n");
		return 1;
	}
	if (hnv_policy_load(argv[0], &pol, err, sizeof(err)) != 0) {
		fprintf(stderr, "dpdk-hnv: %s\n", err);
		return 1;
	}
	printf("dpdk-hnv: %s: ok: %u ports, %u subnets, %u VM NICs, %u mappings\n", argv[0],
		pol->n_ports, pol->n_subnets, pol->n_vnics, pol->n_mappings);
	hnv_policy_free(pol);
	return 0;
}

int
main(int argc, char **argv)
{
	struct hnv_app *app = &the_app;
	sigset_t stop;
	unsigned int i;
	int ret;

	/* --help and --check-policy work without EAL. */
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			usage(argv[0]);
			return 0;
		}
		if (strcmp(argv[k], "--check-policy") == 0)
			return check_policy(argc - k - 1, argv + k + 1);
	}
	/* Without SA_RESTART an interrupted system call fails with EINTR, and
	 * the threads EAL starts (workers, interrupts, telemetry) do not
	 * expect that: they are created with the stop signals blocked, so the
	 * signals only ever reach the main lcore. */
	stop_signals(&stop);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	ret = rte_eal_init(argc, argv);
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	if (ret < 0) {
		fprintf(stderr, "dpdk-hnv: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	argv[0] = "dpdk-hnv";
	if (parse_args(app, argc, argv) != 0)
		goto fail_eal;

	if (load_first(app) != 0)
		goto fail_eal;
	if (setup_workers(app) != 0 || setup_ports(app) != 0)
		goto fail;
	app->mp = rte_pktmbuf_pool_create("hnv_mbufs", mbuf_count(app), MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (app->mp == NULL) {
		fprintf(stderr, "dpdk-hnv: cannot create mbuf pool: %s\n", rte_strerror(rte_errno));
		goto fail;
	}
	if (start_switch(app) != 0)
		goto fail;
	if (hnv_workers_attach(app) != 0) {
		fprintf(stderr,
			"dpdk-hnv: cannot create the workers' engine state: %s (more memory: -m)\n",
			rte_strerror(rte_errno));
		goto fail;
	}
	if (hnv_telemetry_register(app) != 0)
		fprintf(stderr, "dpdk-hnv: warning: telemetry commands not registered\n");

	install_handlers();
	for (i = 0; i < app->n_workers; i++)
		atomic_store(&app->workers[i]->last_rx_tsc, rte_get_tsc_cycles());
	for (i = 0; i < app->n_workers; i++)
		rte_eal_remote_launch(hnv_worker_main, app->workers[i], app->workers[i]->lcore_id);

	hnv_control_loop(app);
	rte_eal_mp_wait_lcore();

	printf("dpdk-hnv: stopping; final counters:\n");
	hnv_stats_print(app, stdout);
	hnv_ports_close(app);
	hnv_workers_detach(app);
	vfp_switch_free(app->sw);
	hnv_policy_free(app->policy);
	rte_mempool_free(app->mp);
	for (i = 0; i < app->n_workers; i++)
		rte_free(app->workers[i]);
	rte_free(app->ports);
	rte_eal_cleanup();
	return 0;
fail:
	atomic_store(&app->quit, true);
	hnv_loader_destroy(app->loader);
	app->loader = NULL;
	if (app->ports != NULL)
		hnv_ports_close(app);
	if (app->sw != NULL)
		hnv_workers_detach(app);
	vfp_switch_free(app->sw);
	hnv_policy_free(app->policy);
fail_eal:
	rte_eal_cleanup();
	return 1;
}
