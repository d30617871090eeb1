/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: policy at cloud scale, in one run (docs/performance.md).
 *
 *   bench_policy [--quick] [--gen PATH-TO-gen_policy.py] [--dir DIR]
 *   bench_policy --one FILE     (one policy file, in this process: for a profiler)
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "hnv_policy.h"
#include "policy_compile.h"
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

int
main(int argc, char **argv)
{
	static const unsigned int sizes[] = {10000, 100000, 1000000};
	static const unsigned int nics[] = {1000, 2000};
	const char *gen = "test/scale/gen_policy.py", *dir = "/tmp";
	bool quick = false;
	int c;

	static const struct option opts[] = {{"quick", no_argument, NULL, 'q'},
		{"gen", required_argument, NULL, 'g'}, {"dir", required_argument, NULL, 'd'},
		{"one", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'q')
			quick = true;
		else if (c == 'g')
			gen = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'o')
			return run_case(optarg, 0, 0, -1);
		else
			return 2;
	}
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
	return 0;
}
