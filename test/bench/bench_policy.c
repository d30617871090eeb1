/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: policy at cloud scale, in one run (docs/performance.md).
 *
 *   bench_policy [--quick] [--gen PATH-TO-gen_policy.py] [--dir DIR]
 *   bench_policy --one FILE     (one policy file, in this process: for a profiler)
 *   bench_policy --reload N     (only the reloads while forwarding, N mappings)
 *
 * For policies of 10k, 100k and 1M mappings with 1k and 2k VM NICs
 * (test/scale/gen_policy.py writes them into DIR), each in a child
 * process of its own so that its peak memory is its own: the time to read
 * and validate the file (hnv_policy_load), to compile it into a program
 * (hnv_policy_compile) and to publish that program, and the peak RSS.
 * The baseline printed beside each is the time to read the file's bytes
 * (the floor of any loader) and jansson's time to build a tree of the
 * same file, which is what loading cost before the mappings were
 * streamed. --quick runs the 10k and 100k sizes only.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench_frame.h"
#include "hnv_policy.h"
#include "policy_compile.h"
#include "policy_loader.h"
#include "vfp.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
peak_mb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0;
}

/* Read all of @path; seconds. */
static double
read_bytes(const char *path, size_t *len)
{
	double t0 = now_s();
	char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*len += (size_t)n;
	close(fd);
	return now_s() - t0;
}

/* jansson's tree of @path, in a child of its own (its peak memory is not
 * the case's); seconds, or -1. */
static double
tree_time(const char *path)
{
	int fds[2], st;
	double t = -1;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		json_error_t je;
		double t0 = now_s();
		json_t *root = json_load_file(path, 0, &je);

		t = now_s() - t0;
		json_decref(root);
		_exit(write(fds[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &t, sizeof(t)) != sizeof(t))
		t = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return t;
}

/* One case, in a child: prints one line. */
static int
run_case(const char *path, unsigned int mappings, unsigned int vnics, double t_tree)
{
	char *eal[] = {"bench_policy", "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.*:error", "--no-huge", "-m", "6144", NULL};
	char err[HNV_POLICY_ERR_MAX];
	struct vfp_switch_params sp = {.flow_capacity = 1024, .n_lcores = 1};
	struct hnv_compile_env env = {.uplink_mtu = 1500};
	struct vfp_program *prog;
	struct hnv_policy *pol;
	struct vfp_switch *sw;
	double t_read, t_load, t_compile, t_publish, t0, rss_load;
	size_t len;

	t_read = read_bytes(path, &len);
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	t0 = now_s();
	if (hnv_policy_load(path, &pol, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t_load = now_s() - t0;
	rss_load = peak_mb();
	sw = vfp_switch_create(&sp);
	if (sw == NULL)
		return 1;
	env.socket_id = (int)rte_socket_id();
	t0 = now_s();
	if (hnv_policy_compile(pol, &env, sw, &prog, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t_compile = now_s() - t0;
	t0 = now_s();
	if (vfp_switch_publish(sw, prog) != 0)
		return 1;
	t_publish = now_s() - t0;
	printf("%9u %6u %7.1f | %7.3f %7.3f %7.3f %7.3f | %7.3f %8.3f | %7.0f %7.0f\n", mappings,
		vnics, (double)len / 1e6, t_load, t_compile, t_publish,
		t_load + t_compile + t_publish, t_read, t_tree, rss_load, peak_mb());
	fflush(stdout);
	vfp_switch_free(sw);
	hnv_policy_free(pol);
	rte_eal_cleanup();
	return 0;
}

/* ---- reloads while forwarding ------------------------------------------ */

#define N_STEADY 64 /* unaffected flows: mappings 2, 4, ..., 128 */
#define MOVER 1000  /* the mapping that moves (tenant 0, as vm0) */
#define MOVED_PA RTE_IPV4(172, 31, 0, 9)
#define BURST 32
#define LATENCY_ROUNDS 7
#define STORM_S 3

/* What the worker saw; the main thread reads it. */
struct rl {
	struct vfp_switch *sw;
	struct rte_mempool *mp;
	struct rte_mbuf *tmpl[N_STEADY + 1]; /* [0]: to the mover */
	_Atomic bool stop;
	_Atomic uint32_t want_pa;  /* host order: the mover's PA the main thread expects */
	_Atomic uint64_t seen_tsc; /* first packet to the mover at want_pa */
	_Atomic uint64_t sent, sent_mover;
	_Atomic uint64_t ok, wrong, ok_mover;
	/* The main thread's: where the last published reload's time went. */
	uint64_t taken_tsc;       /* its result came back from the loader */
	double load_s, compile_s; /* the loader's steps */
	double publish_s;         /* vfp_switch_publish */
	bool incremental;
};

static struct rl rl;

static uint32_t
steady_pa(unsigned int j)
{
	return RTE_IPV4(172, 16, 0, 2) + j % 4096; /* as gen_policy.py */
}

/* The frame from vm0 (VSID 5001) to mapping @j of gen_policy.py's scheme
 * (two tenants: mapping j is in tenant j % 2, CA 10.0.1.0 + j / 2). */
static struct rte_mbuf *
frame_to(struct rte_mempool *mp, unsigned int j)
{
	const struct rte_ether_addr src = {{0x02, 0x50, 0, 0, 0, 0}};
	const struct rte_ether_addr dst = {
		{0x02, 0, (uint8_t)(j >> 24), (uint8_t)(j >> 16), (uint8_t)(j >> 8), (uint8_t)j}};
	struct rte_mbuf *m = bench_udp_frame(
		mp, &src, &dst, RTE_IPV4(10, 0, 0, 2), RTE_IPV4(10, 0, 1, 0) + j / 2);
	struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 14 + 20);

	udp->src_port = rte_cpu_to_be_16(1000);
	udp->dst_port = rte_cpu_to_be_16(2000);
	return m;
}

/* The uplink: check each packet's outer destination against its flow's PA. */
static uint16_t
rl_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)ctx;
	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint32_t pa = rte_be_to_cpu_32(*(const rte_be32_t *)(b + 30));
		unsigned int j = (unsigned int)b[50 + 4] << 8 | b[50 + 5];

		if (j == MOVER) {
			if (pa == atomic_load(&rl.want_pa)) {
				uint64_t zero = 0;

				atomic_fetch_add(&rl.ok_mover, 1);
				atomic_compare_exchange_strong(&rl.seen_tsc, &zero, rte_rdtsc());
			}
		} else if (pa == steady_pa(j)) {
			atomic_fetch_add(&rl.ok, 1);
		} else {
			atomic_fetch_add(&rl.wrong, 1);
		}
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static int
rl_worker(void *arg)
{
	struct vfp_lcore *lc = arg;
	struct rte_mbuf *burst[BURST];
	unsigned int next = 1;

	while (!atomic_load(&rl.stop)) {
		unsigned int i;

		for (i = 0; i < BURST; i++) {
			/* One packet in 32 to the mover, the rest round the others. */
			unsigned int t = i == 0 ? 0 : next;

			if (i != 0)
				next = next % N_STEADY + 1;
			burst[i] = rte_pktmbuf_copy(rl.tmpl[t], rl.mp, 0, UINT32_MAX);
			if (burst[i] == NULL)
				break;
		}
		atomic_fetch_add(&rl.sent_mover, i > 0);
		atomic_fetch_add(&rl.sent, i > 0 ? i - 1 : 0);
		vfp_process_burst(rl.sw, lc, 1, burst, (uint16_t)i);
		vfp_lcore_flush(lc);
		vfp_lcore_quiescent(rl.sw, lc);
		rte_pause();
	}
	vfp_lcore_offline(rl.sw, lc);
	return 0;
}

/* The plan of a policy whose ports are 0..n-1, switch ports alike. */
static int
rl_plan(void *arg, const struct hnv_policy *pol, struct hnv_compile_env *env, void **plan,
	char *err, size_t errlen)
{
	(void)arg;
	(void)pol;
	(void)err;
	(void)errlen;
	env->uplink_mtu = 1500;
	env->socket_id = 0;
	*plan = NULL;
	return 0;
}

/* What dpdk-hnv's control loop does, for @ms milliseconds or until @until
 * says so: the watch, the loader, publishing. Counts what it published. */
static unsigned int
rl_serve(struct hnv_loader *ld, int wfd, const char *name, double ms, bool (*until)(void))
{
	uint64_t end = rte_get_tsc_cycles() + (uint64_t)(ms * rte_get_tsc_hz() / 1000);
	unsigned int published = 0;

	while (rte_get_tsc_cycles() < end && (until == NULL || !until())) {
		struct pollfd pfd[2] = {
			{.fd = wfd, .events = POLLIN}, {.fd = hnv_loader_fd(ld), .events = POLLIN}};
		struct hnv_load_result *r;

		(void)poll(pfd, 2, 1);
		if (hnv_policy_watch_changed(wfd, name))
			hnv_loader_request(ld);
		r = hnv_loader_take(ld);
		if (r == NULL)
			continue;
		rl.taken_tsc = rte_get_tsc_cycles();
		if (r->rc == 0 && vfp_switch_publish(rl.sw, r->prog) == 0) {
			rl.publish_s = (double)(rte_get_tsc_cycles() - rl.taken_tsc) /
				       (double)rte_get_tsc_hz();
			rl.load_s = r->load_s;
			rl.compile_s = r->compile_s;
			rl.incremental = r->incremental;
			r->prog = NULL;
			r->applied = true;
			published++;
		} else if (r->rc != 0) {
			fprintf(stderr, "reload: %s\n", r->err);
		}
		hnv_loader_done(ld, r);
	}
	return published;
}

static bool
mover_seen(void)
{
	return atomic_load(&rl.seen_tsc) != 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One size, in a child: rename-to-first-packet latency, then a storm of
 * 100 reloads a second while the flows run. */
static int
run_reload(const char *dir, const char *gen, unsigned int mappings)
{
	char *eal[] = {"bench_policy", "--no-pci", "--no-shconf", "-l", "0-1",
		"--log-level=lib.*:error", "--no-huge", "-m", "4096", NULL};
	char live[256], a[272], b[272], tmp[272], prev[272], cmd[4096], err[HNV_POLICY_ERR_MAX],
		name[256];
	struct vfp_switch_params sp = {.flow_capacity = 65536, .n_lcores = 1};
	struct hnv_compile_env env = {.uplink_mtu = 1500};
	double lat[LATENCY_ROUNDS], step[4][LATENCY_ROUNDS]; /* taken, load, compile, publish */
	unsigned int n_incremental = 0;
	struct hnv_loader_params lp = {0};
	struct hnv_loader *ld;
	struct vfp_program *prog;
	struct hnv_policy *pol;
	char *text = NULL;
	size_t text_len = 0;
	struct hnv_policy_load_opts lo = {.text = &text, .text_len = &text_len};
	struct vfp_lcore *lc;
	unsigned int published = 0, requested = 0;
	int wfd;

	snprintf(live, sizeof(live), "%s/bench_reload_%u.json", dir, mappings);
	snprintf(a, sizeof(a), "%s.a", live);
	snprintf(b, sizeof(b), "%s.b", live);
	snprintf(prev, sizeof(prev), "%s.prev", live);
	snprintf(cmd, sizeof(cmd),
		"/usr/bin/python3 %s %s %u 2 --tenants 2 && /usr/bin/python3 %s %s %u 2 --tenants "
		"2 "
		"--move %u 172.31.0.9 && cp %s %s",
		gen, a, mappings, gen, b, mappings, MOVER, a, live);
	if (system(cmd) != 0)
		return 1;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		return 1;
	rl.mp = rte_pktmbuf_pool_create("rl", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	rl.sw = vfp_switch_create(&sp);
	if (rl.mp == NULL || rl.sw == NULL ||
		hnv_policy_load_ex(live, &lo, &pol, err, sizeof(err)) != 0 ||
		hnv_policy_compile(pol, &env, rl.sw, &prog, err, sizeof(err)) != 0 ||
		vfp_switch_publish(rl.sw, prog) != 0) {
		fprintf(stderr, "reload set-up: %s\n", err);
		return 1;
	}
	hnv_policy_free(pol);
	for (unsigned int t = 0; t <= N_STEADY; t++)
		rl.tmpl[t] = frame_to(rl.mp, t == 0 ? MOVER : 2 * t);
	atomic_store(&rl.want_pa, steady_pa(MOVER));
	lc = vfp_lcore_create(rl.sw, 0, rl_tx, NULL);
	lp.path = live;
	lp.sw = rl.sw;
	lp.plan = rl_plan;
	ld = hnv_loader_create(&lp, err, sizeof(err));
	wfd = hnv_policy_watch_open(live, name, sizeof(name));
	if (lc == NULL || ld == NULL || wfd < 0)
		return 1;
	hnv_loader_seed(ld, text, text_len); /* as dpdk-hnv does with its first policy */
	rte_eal_remote_launch(rl_worker, lc, 1);
	rl_serve(ld, wfd, name, 200, NULL); /* warm: flows cached */
	while (hnv_loader_busy(ld))         /* the seed read */
		rl_serve(ld, wfd, name, 50, NULL);
	for (unsigned int r = 0; r < LATENCY_ROUNDS; r++) {
		const char *next = r % 2 == 0 ? b : a;
		uint64_t t0;

		snprintf(tmp, sizeof(tmp), "%s.tmp", live);
		snprintf(cmd, sizeof(cmd), "cp %s %s", next, tmp);
		if (system(cmd) != 0)
			return 1;
		atomic_store(&rl.want_pa, r % 2 == 0 ? MOVED_PA : steady_pa(MOVER));
		atomic_store(&rl.seen_tsc, 0);
		t0 = rte_rdtsc();
		/* The file replaced stays linked until the round ends: the
		 * last link's rename frees its page cache in the writer's
		 * rename() (40 ms for 89 MB), which is the writer's cost and,
		 * on this two-core machine, time the main thread cannot
		 * see the event in. */
		if (link(live, prev) != 0 || rename(tmp, live) != 0)
			return 1;
		rl_serve(ld, wfd, name, 30000, mover_seen);
		lat[r] = mover_seen() ? (double)(atomic_load(&rl.seen_tsc) - t0) * 1e3 /
						(double)rte_get_tsc_hz()
				      : -1;
		step[0][r] = (double)(rl.taken_tsc - t0) * 1e3 / (double)rte_get_tsc_hz();
		step[1][r] = rl.load_s * 1e3;
		step[2][r] = rl.compile_s * 1e3;
		step[3][r] = rl.publish_s * 1e3;
		n_incremental += rl.incremental;
		rl_serve(ld, wfd, name, 50, NULL);
		unlink(prev);
	}
	/* The storm: a rename every 10 ms for STORM_S seconds. */
	for (unsigned int i = 0; i < 100 * STORM_S; i++) {
		snprintf(cmd, sizeof(cmd), "%s", i % 2 == 0 ? b : a);
		if (link(cmd, tmp) != 0 || rename(tmp, live) != 0)
			return 1;
		requested++;
		published += rl_serve(ld, wfd, name, 10, NULL);
	}
	while (hnv_loader_busy(ld)) /* the last one, outside the count */
		rl_serve(ld, wfd, name, 100, NULL);
	rl_serve(ld, wfd, name, 100, NULL);
	atomic_store(&rl.stop, true);
	rte_eal_mp_wait_lcore();
	vfp_lcore_quiescent(rl.sw, lc);
	{
		uint64_t sent = atomic_load(&rl.sent), ok = atomic_load(&rl.ok);
		uint64_t wrong = atomic_load(&rl.wrong);

		qsort(lat, LATENCY_ROUNDS, sizeof(lat[0]), cmp_double);
		for (unsigned int k = 0; k < RTE_DIM(step); k++)
			qsort(step[k], LATENCY_ROUNDS, sizeof(step[k][0]), cmp_double);
		printf("%9u | %8.1f %8.1f | %5u %5u | %10" PRIu64 " %10" PRIu64 " %6" PRIu64 "\n",
			mappings, lat[LATENCY_ROUNDS / 2], lat[LATENCY_ROUNDS - 1], requested,
			published, sent, sent - ok - wrong, wrong);
		printf("%9s   medians (ms): rename to result %.1f, of it load %.1f and compile "
		       "%.1f; publish %.1f; %u of %u incremental\n",
			"", step[0][LATENCY_ROUNDS / 2], step[1][LATENCY_ROUNDS / 2],
			step[2][LATENCY_ROUNDS / 2], step[3][LATENCY_ROUNDS / 2], n_incremental,
			LATENCY_ROUNDS);
	}
	fflush(stdout);
	hnv_loader_destroy(ld);
	close(wfd);
	unlink(live);
	unlink(a);
	unlink(b);
	return 0;
}

int
main(int argc, char **argv)
{
	static const unsigned int sizes[] = {10000, 100000, 1000000};
	static const unsigned int nics[] = {1000, 2000};
	const char *gen = "test/scale/gen_policy.py", *dir = "/tmp";
	unsigned int reload_only = 0;
	bool quick = false;
	int c;

	static const struct option opts[] = {{"quick", no_argument, NULL, 'q'},
		{"gen", required_argument, NULL, 'g'}, {"dir", required_argument, NULL, 'd'},
		{"one", required_argument, NULL, 'o'}, {"reload", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'q')
			quick = true;
		else if (c == 'g')
			gen = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'o')
			return run_case(optarg, 0, 0, -1);
		else if (c == 'r')
			reload_only = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (reload_only != 0)
		goto reloads;
	printf("policy load, validate, compile and publish (seconds), one core; peak RSS (MB)\n");
	printf("%9s %6s %7s | %7s %7s %7s %7s | %7s %8s | %7s %7s\n", "mappings", "nics", "MB",
		"load", "compile", "publish", "total", "read", "jansson", "rss@ld", "rss");
	for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
		if (quick && sizes[i] > 100000)
			break;
		for (unsigned int j = 0; j < RTE_DIM(nics); j++) {
			char path[512], cmd[1024];
			double t_tree;
			pid_t pid;
			int st;

			snprintf(path, sizeof(path), "%s/bench_policy_%u_%u.json", dir, sizes[i],
				nics[j]);
			snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s %u %u", gen, path,
				sizes[i], nics[j]);
			if (system(cmd) != 0) {
				fprintf(stderr, "cannot generate %s\n", path);
				return 1;
			}
			t_tree = tree_time(path);
			fflush(stdout);
			pid = fork();
			if (pid == 0)
				_exit(run_case(path, sizes[i], nics[j], t_tree));
			if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
				WEXITSTATUS(st) != 0) {
				fprintf(stderr, "case %u/%u failed\n", sizes[i], nics[j]);
				return 1;
			}
			unlink(path);
		}
	}
reloads:
	printf("\nreloads while forwarding (one worker; a mapping of the policy moves):\n"
	       "  latency: rename of the file to the first packet sent to the new PA (ms)\n"
	       "  storm: %u renames in %u s, each of the file with the mapping moved back or "
	       "forth;\n"
	       "  the other %u flows' packets, and those lost or sent to a wrong PA\n",
		100 * STORM_S, STORM_S, N_STEADY);
	printf("%9s | %8s %8s | %5s %5s | %10s %10s %6s\n", "mappings", "median", "max", "renames",
		"applied", "sent", "lost", "wrong");
	for (unsigned int i = 0; i < RTE_DIM(sizes); i++) {
		pid_t pid;
		int st;

		if (quick && sizes[i] > 100000)
			break;
		if (reload_only != 0 && sizes[i] != reload_only)
			continue;
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(run_reload(dir, gen, sizes[i]));
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "reload case %u failed\n", sizes[i]);
			return 1;
		}
	}
	return 0;
}
