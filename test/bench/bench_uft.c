/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: cycles per packet of the VFP fast path (UFT hit) and slow
 * path (miss: layer walk, insert, reverse entry), and fast-path throughput
 * with many active flows against a single flow, on one core, in one run.
 *
 *   bench_uft [--flows N] [--seconds S] [--rounds R] [--huge]
 *
 * --huge runs on hugepages (reserve about 4 GB of them first), as a
 * production deployment does; the default, 4 KB pages, suffers TLB misses
 * on a flow table of a million flows.
 *
 * Workload: VM -> remote CA over VXLAN through the full HNV layer set (an
 * ACL layer with a few rules, vnet, pa-route), UDP, one burst of 32 at a
 * time through vfp_process_burst; the transmit callback strips the outer
 * header again so the same mbufs are reused. That restore and the port
 * rewrite that picks each packet's flow are inside every figure alike, and
 * measured alone as the "harness" baseline.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_udp.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "bench_frame.h"
#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

#define BURST 32
#define POOL 8191

/* Precomputed sequences of flow ids, so that every many-flow run pays the
 * same (sequential, cheap) cost to choose its flows: one flow, uniform over
 * N, Zipf(1) over N. */
#define SEQ_LEN (1u << 22)
enum { SEQ_ONE, SEQ_UNIFORM, SEQ_ZIPF, N_SEQ };
static uint32_t *seqs[N_SEQ];

/* Runs are interleaved in this many rounds, and each ratio is the median of
 * its per-round ratios: a neighbour's load on a shared machine then weighs
 * on both sides of a ratio alike instead of on whichever run it overlapped. */
#define DEFAULT_ROUNDS 7
#define MAX_ROUNDS 64

static const char policy_json[] =
	"{\"version\":1,"
	"\"host\":{\"name\":\"bench\",\"uplink\":\"uplink\",\"pa\":[\"192.168.2.20/24\"],"
	"\"mac\":\"02:00:00:02:00:20\",\"gateway\":\"192.168.2.1\","
	"\"gateway_mac\":\"02:00:00:02:00:01\"},"
	"\"ports\":[{\"name\":\"uplink\",\"device\":\"u\"},{\"name\":\"web\",\"device\":\"w\"}],"
	"\"routing_domains\":[{\"rdid\":1,\"subnets\":[{\"vsid\":5001,\"prefix\":\"10.1.0.0/"
	"16\"}]}],"
	"\"vm_nics\":[{\"name\":\"web\",\"mac\":\"02:50:01:00:00:12\",\"ip\":\"10.1.1.12\","
	"\"vsid\":5001,\"port\":\"web\"}],"
	"\"mappings\":[{\"vsid\":5001,\"ca\":\"10.1.1.11\",\"mac\":\"02:50:01:00:00:11\","
	"\"pa\":\"192.168.1.10\"}],"
	"\"acls\":[{\"name\":\"web\",\"port\":\"web\",\"rules\":["
	"{\"name\":\"no-ssh\",\"priority\":10,\"direction\":\"out\",\"action\":\"deny\","
	"\"protocol\":\"tcp\",\"dst_ports\":\"22\"},"
	"{\"name\":\"no-smb\",\"priority\":20,\"direction\":\"out\",\"action\":\"deny\","
	"\"protocol\":\"tcp\",\"dst_ports\":\"445\"},"
	"{\"name\":\"udp\",\"priority\":30,\"direction\":\"out\",\"action\":\"allow\","
	"\"protocol\":\"udp\",\"dst\":\"10.1.0.0/16\"},"
	"{\"name\":\"in\",\"priority\":100,\"direction\":\"in\",\"action\":\"deny\","
	"\"protocol\":\"tcp\",\"dst_ports\":\"23\"}]}]}";

static unsigned int sent;

/* Take the packets back: strip the outer header so they can go again. */
static uint16_t
bench_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf **out = ctx;

	(void)port;
	for (uint16_t i = 0; i < n; i++) {
		rte_pktmbuf_adj(pkts[i], ENCAP_VXLAN_HDR_LEN);
		out[sent++ % BURST] = pkts[i];
	}
	return n;
}

static struct rte_mbuf *
make_frame(struct rte_mempool *mp)
{
	const struct rte_ether_addr src = {{0x02, 0x50, 0x01, 0x00, 0x00, 0x12}};
	const struct rte_ether_addr dst = {{0x02, 0x50, 0x01, 0x00, 0x00, 0x11}};

	return bench_udp_frame(mp, &src, &dst, RTE_IPV4(10, 1, 1, 12), RTE_IPV4(10, 1, 1, 11));
}

/* Flow i: UDP ports from i (65536 * 16 distinct pairs before repeats). */
static inline void
set_flow(struct rte_mbuf *m, uint32_t i)
{
	struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 14 + 20);

	udp->src_port = rte_cpu_to_be_16((uint16_t)(1024 + (i >> 16) * 4096 + (i & 0xfff)));
	udp->dst_port =
		rte_cpu_to_be_16((uint16_t)(1024 + ((i >> 12) & 0xf) * 4096 + ((i >> 16) & 0xfff)));
}

struct run {
	struct vfp_switch *sw;
	struct vfp_lcore *lc;
	struct rte_mbuf *burst[BURST];
};

/* Send @npkts packets whose flows come from @pick; returns TSC cycles. */
static uint64_t
run(struct run *r, uint64_t npkts, uint32_t (*pick)(uint64_t, void *), void *arg, bool engine)
{
	uint64_t t0 = rte_rdtsc_precise();

	for (uint64_t done = 0; done < npkts; done += BURST) {
		for (unsigned int i = 0; i < BURST; i++)
			set_flow(r->burst[i], pick(done + i, arg));
		if (engine) {
			sent = 0;
			vfp_process_burst(r->sw, r->lc, 1, r->burst, BURST);
			vfp_lcore_flush(r->lc);
			vfp_lcore_quiescent(r->sw, r->lc); /* as a worker does per loop */
		}
	}
	return rte_rdtsc_precise() - t0;
}

static uint32_t
pick_one(uint64_t n, void *arg)
{
	(void)n;
	(void)arg;
	return 7;
}

static uint32_t
pick_seq(uint64_t n, void *arg)
{
	return (uint32_t)(*(uint64_t *)arg + n);
}

/* The floor under any UFT: DPDK's rte_hash alone, with the UFT's key size
 * and flags, as many keys as the UFT holds, looked up 32 at a time. */
static struct rte_hash *
raw_hash_create(uint32_t nkeys)
{
	struct rte_hash_parameters hp = {
		.name = "bench_raw",
		.entries = nkeys + 4096,
		.key_len = 48,
		.hash_func = rte_hash_crc,
		.extra_flag =
			RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h = rte_hash_create(&hp);

	for (uint64_t i = 0; h != NULL && i < nkeys; i++) {
		uint64_t k[6] = {i, 0, 0, 0, 0, 0};

		rte_hash_add_key_data(h, k, (void *)(uintptr_t)(i + 1));
	}
	return h;
}

/* Cycles per key of @bursts bulk lookups in @h of the keys @seq names
 * (seq == NULL: one key over and over). */
static double
raw_hash_run(struct rte_hash *h, const uint32_t *seq, uint64_t bursts)
{
	static uint64_t keys[BURST][6];
	const void *kp[BURST];
	void *data[BURST];
	uint64_t hits, t0 = rte_rdtsc_precise();

	for (uint64_t b = 0; b < bursts; b++) {
		for (unsigned int i = 0; i < BURST; i++) {
			keys[i][0] = seq != NULL ? seq[(b * BURST + i) & (SEQ_LEN - 1)] : 7;
			kp[i] = keys[i];
		}
		rte_hash_lookup_bulk_data(h, kp, BURST, &hits, data);
	}
	return (double)(rte_rdtsc_precise() - t0) / (double)(bursts * BURST);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (sorts them). */
static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint32_t
pick_seq_table(uint64_t n, void *arg)
{
	return ((const uint32_t *)arg)[n & (SEQ_LEN - 1)];
}

static void
fill_uniform(uint32_t *seq, uint32_t nflows)
{
	for (uint32_t i = 0; i < SEQ_LEN; i++)
		seq[i] = (uint32_t)(rte_rand() % nflows);
}

/* Zipf(s = 1) over nflows by inverting the CDF: a few flows carry most of
 * the packets, as in real traffic. */
static void
fill_zipf(uint32_t *seq, uint32_t nflows)
{
	double *cdf = malloc(sizeof(double) * nflows), h = 0;

	for (uint32_t i = 0; i < nflows; i++)
		cdf[i] = (h += 1.0 / (i + 1));
	for (uint32_t i = 0; i < SEQ_LEN; i++) {
		double u = (double)rte_rand() / (double)UINT64_MAX * h;
		uint32_t lo = 0, hi = nflows - 1;

		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* Scatter the ranks over the table. */
		seq[i] = (uint32_t)(((uint64_t)lo * 2654435761u) % nflows);
	}
	free(cdf);
}

int
main(int argc, char **argv)
{
	char *eal_small[] = {argv[0], "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.*:error", "--no-huge", "-m", "4096", NULL};
	char *eal_huge[] = {
		argv[0], "--no-pci", "--in-memory", "-l", "0", "--log-level=lib.*:error", NULL};
	bool huge = false;
	struct vfp_lcore *lc;
	uint32_t nflows = 1u << 20, i;
	double seconds = 2.0;
	struct hnv_compile_env env = {0};
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *pol;
	struct vfp_program *prog;
	struct vfp_uft_stats us;
	struct vfp_lcore *lcs[1];
	struct rte_mempool *mp;
	struct run r;
	uint64_t hz, n, c_harness, c_one, c_miss, miss_base;
	unsigned int rounds = DEFAULT_ROUNDS;
	int c;

	static const struct option opts[] = {
		{"flows", required_argument, NULL, 'f'},
		{"seconds", required_argument, NULL, 's'},
		{"huge", no_argument, NULL, 'H'},
		{"rounds", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	while ((c = getopt_long(argc, argv, "f:s:Hr:", opts, NULL)) != -1) {
		if (c == 'H')
			huge = true;
		else if (c == 'f')
			nflows = (uint32_t)strtoul(optarg, NULL, 10);
		else if (c == 's')
			seconds = strtod(optarg, NULL);
		else if (c == 'r')
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || nflows < 1) {
		fprintf(stderr, "--rounds must be 1..%u and --flows at least 1\n", MAX_ROUNDS);
		return 2;
	}
	if ((huge ? rte_eal_init(RTE_DIM(eal_huge) - 1, eal_huge)
		  : rte_eal_init(RTE_DIM(eal_small) - 1, eal_small)) < 0)
		return 2;
	hz = rte_get_tsc_hz();
	if (hnv_policy_parse(policy_json, "bench", &pol, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	/* Room for every flow and its reply entry, plus the miss run. */
	struct vfp_switch_params sp = {.flow_capacity = 2 * nflows + 4 * 65536, .n_lcores = 1};
	r.sw = vfp_switch_create(&sp);
	if (r.sw == NULL || hnv_policy_compile(pol, &env, r.sw, &prog, err, sizeof(err)) != 0) {
		fprintf(stderr, "set-up failed: %s\n", err);
		return 2;
	}
	vfp_switch_publish(r.sw, prog);
	lc = vfp_lcore_create(r.sw, 0, bench_tx, r.burst);
	if (lc == NULL)
		rte_exit(EXIT_FAILURE, "cannot create the lcore\n");
	lcs[0] = lc;
	r.lc = lc;
	mp = rte_pktmbuf_pool_create("bench", POOL, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	for (i = 0; i < BURST; i++)
		r.burst[i] = make_frame(mp);

	n = (uint64_t)(seconds * 20e6) / BURST * BURST; /* about `seconds` at 20 Mpps */
	printf("dpdk-hnv bench_uft: VM -> remote VXLAN, UDP, bursts of %u, one core, %.2f GHz TSC, "
	       "%s pages\n",
		BURST, hz / 1e9, huge ? "huge" : "4 KB");

	/* Harness alone: the per-packet port rewrite, no engine. */
	c_harness = run(&r, n, pick_one, NULL, false);

	/* Single flow, all hits. */
	run(&r, BURST, pick_one, NULL, true);
	c_one = run(&r, n, pick_one, NULL, true);

	/* Misses: every packet a new flow (walk, insert, reverse insert). */
	uint64_t base = 1u << 24, nmiss = 4 * 65536;
	miss_base = vfp_lcore_uft_stats(lc)->misses;
	c_miss = run(&r, nmiss, pick_seq, &base, true);
	if (vfp_lcore_uft_stats(lc)->misses - miss_base != nmiss)
		printf("warning: %" PRIu64 " of %" PRIu64 " miss-run packets missed\n",
			vfp_lcore_uft_stats(lc)->misses - miss_base, nmiss);
	vfp_switch_flush_flows(r.sw);

	/* Many flows: populate, then hits over all of them, interleaved by
	 * round with the single-flow run and with rte_hash alone. */
	uint64_t zero = 0;
	run(&r, (uint64_t)nflows, pick_seq, &zero, true);
	for (i = 0; i < N_SEQ; i++)
		seqs[i] = malloc(sizeof(uint32_t) * SEQ_LEN);
	fill_uniform(seqs[SEQ_ONE], 1);
	fill_uniform(seqs[SEQ_UNIFORM], nflows);
	fill_zipf(seqs[SEQ_ZIPF], nflows);

	unsigned int cap, count = vfp_switch_flow_count(r.sw, &cap);
	struct rte_hash *raw = raw_hash_create(count);
	uint64_t per = n / rounds / BURST * BURST, raw_bursts = per / BURST;
	uint64_t hits0 = vfp_lcore_uft_stats(lc)->hits, miss0 = vfp_lcore_uft_stats(lc)->misses;
	double one[MAX_ROUNDS], uni[MAX_ROUNDS], zipf[MAX_ROUNDS], h1[MAX_ROUNDS], hn[MAX_ROUNDS];
	double q_uni[MAX_ROUNDS], q_zipf[MAX_ROUNDS], q_raw[MAX_ROUNDS], q_ceil[MAX_ROUNDS];

	if (raw == NULL) {
		fprintf(stderr, "rte_hash_create failed for %u keys\n", count);
		return 2;
	}
	for (unsigned int k = 0; k < rounds; k++) {
		one[k] = (double)run(&r, per, pick_seq_table, seqs[SEQ_ONE], true) / per;
		uni[k] = (double)run(&r, per, pick_seq_table, seqs[SEQ_UNIFORM], true) / per;
		zipf[k] = (double)run(&r, per, pick_seq_table, seqs[SEQ_ZIPF], true) / per;
		h1[k] = raw_hash_run(raw, NULL, raw_bursts);
		hn[k] = raw_hash_run(raw, seqs[SEQ_UNIFORM], raw_bursts);
		q_uni[k] = one[k] / uni[k];
		q_zipf[k] = one[k] / zipf[k];
		q_raw[k] = h1[k] / hn[k];
		/* The best share any fast path over this rte_hash could keep: its
		 * single-flow cost plus only what rte_hash itself adds at N. */
		q_ceil[k] = one[k] / (one[k] + hn[k] - h1[k]);
	}
	vfp_uft_stats_sum(lcs, 1, &us);

	double cpp_h = (double)c_harness / n;
	double cpp_one = (double)c_one / n;
	double cpp_miss = (double)c_miss / nmiss;
	double m_one = median(one, rounds), m_uni = median(uni, rounds);
	double m_zipf = median(zipf, rounds), m_h1 = median(h1, rounds), m_hn = median(hn, rounds);
	double r_uni = median(q_uni, rounds), r_zipf = median(q_zipf, rounds);
	double r_raw = median(q_raw, rounds), r_ceil = median(q_ceil, rounds);

	printf("  %-34s %8.1f cycles/pkt\n", "harness only (baseline)", cpp_h);
	printf("  %-34s %8.1f cycles/pkt  %7.2f Mpps\n", "UFT hit, 1 flow", cpp_one,
		hz / cpp_one / 1e6);
	printf("  %-34s %8.1f cycles/pkt  %7.2f Mpps\n", "UFT miss (walk + insert + reverse)",
		cpp_miss, hz / cpp_miss / 1e6);
	printf("  median of %u interleaved rounds of %" PRIu64 " packets (or keys) each:\n", rounds,
		per);
	printf("  %-34s %8.1f cycles/pkt  %7.2f Mpps  (baseline of the ratios)\n",
		"UFT hit, 1 flow via sequence", m_one, hz / m_one / 1e6);
	printf("  %-34s %8.1f cycles/pkt  %7.2f Mpps\n", "UFT hit, N flows, uniform", m_uni,
		hz / m_uni / 1e6);
	printf("  %-34s %8.1f cycles/pkt  %7.2f Mpps\n", "UFT hit, N flows, Zipf(1)", m_zipf,
		hz / m_zipf / 1e6);
	printf("  %-34s %8.1f cycles/key\n", "rte_hash alone, 1 key", m_h1);
	printf("  %-34s %8.1f cycles/key\n", "rte_hash alone, N keys, uniform", m_hn);
	printf("  N = %u active flows, %u UFT entries (flows and their reply entries), "
	       "rte_hash alone with as many 48-byte keys; %" PRIu64 " hits, %" PRIu64
	       " misses in the N-flow runs\n",
		nflows, count, vfp_lcore_uft_stats(lc)->hits - hits0,
		vfp_lcore_uft_stats(lc)->misses - miss0);
	printf("  miss / hit cost:                  %5.1fx  (target >= 5x)   %s\n",
		cpp_miss / cpp_one, cpp_miss / cpp_one >= 5 ? "met" : "NOT MET");
	printf("  N flows uniform / 1 flow:         %5.1f%%  (target >= 70%%) %s\n", 100.0 * r_uni,
		r_uni >= 0.7 ? "met" : "NOT MET");
	printf("  N flows Zipf(1) / 1 flow:         %5.1f%%  (target >= 70%%) %s\n", 100.0 * r_zipf,
		r_zipf >= 0.7 ? "met" : "NOT MET");
	printf("  rte_hash alone, N keys / 1 key:   %5.1f%%\n", 100.0 * r_raw);
	printf("  ceiling over rte_hash:            %5.1f%%  (1-flow cost / (1-flow cost + what "
	       "rte_hash alone adds at N))\n",
		100.0 * r_ceil);
	rte_hash_free(raw);
	for (i = 0; i < N_SEQ; i++)
		free(seqs[i]);

	vfp_lcore_free(r.sw, lc);
	for (i = 0; i < BURST; i++)
		rte_pktmbuf_free(r.burst[i]);
	vfp_switch_free(r.sw);
	hnv_policy_free(pol);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
