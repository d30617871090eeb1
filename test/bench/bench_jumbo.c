/* SPDX-License-Identifier: BSD-3-Clause
 * test/bench: encapsulation and decapsulation by frame size, on one core,
 * in one run: 64-byte frames (the baseline every other figure is a ratio
 * to), 1500-byte IP packets, and 9000-byte IP packets (jumbo frames, mbuf
 * chains of 2 KB segments, as a scattering NIC or a vhost-user dequeue
 * delivers them), each way over VXLAN on a 9100-byte underlay.
 *
 *   bench_jumbo [--seconds S] [--rounds R] [--huge]
 *
 * One flow per workload, all hits (each is warmed first, and its first
 * output checked: the outer header's length fields, or the VM's frame,
 * byte for byte), bursts of 32 through vfp_process_burst. The transmit
 * callback undoes what the engine did so that the same mbufs go round
 * again: it strips the outer header of an encapsulated packet and puts it
 * back on a decapsulated one, inside every figure alike (the 64-byte run
 * pays it too). Figures are medians over R interleaved rounds (default 7,
 * about S seconds in all, default 2); ratios are medians of the per-round
 * ratios. The "NIC checksum" rows run the same on a switch whose uplink
 * computes the outer IPv4 checksum on transmit (encapsulation leaves it 0
 * and marks the mbuf) and verified it on receive (the mbufs say
 * RTE_MBUF_F_RX_IP_CKSUM_GOOD, so decapsulation does not check it): what
 * the engine saves where the uplink offers the offload (net_tap here).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "encap.h"
#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

#define BURST 32
#define POOL 4095
#define SEG 2048 /* bytes per segment of a chain: one 2 KB buffer */
#define MAX_ROUNDS 64
#define FRAME_MAX 9100

static const char policy_json[] =
	"{\"version\":1,"
	"\"host\":{\"name\":\"bench\",\"uplink\":\"uplink\",\"pa\":[\"192.168.2.20/24\"],"
	"\"mac\":\"02:00:00:02:00:20\",\"gateway\":\"192.168.2.1\","
	"\"gateway_mac\":\"02:00:00:02:00:01\"},"
	"\"ports\":[{\"name\":\"uplink\",\"device\":\"u\",\"mtu\":9100},"
	"{\"name\":\"web\",\"device\":\"w\"}],"
	"\"routing_domains\":[{\"rdid\":1,\"subnets\":[{\"vsid\":5001,\"prefix\":\"10.1.0.0/"
	"16\"}]}],"
	"\"vm_nics\":[{\"name\":\"web\",\"mac\":\"02:50:01:00:00:12\",\"ip\":\"10.1.1.12\","
	"\"vsid\":5001,\"port\":\"web\"}],"
	"\"mappings\":[{\"vsid\":5001,\"ca\":\"10.1.1.11\",\"mac\":\"02:50:01:00:00:11\","
	"\"pa\":\"192.168.1.10\"}]}";

enum { PORT_UPLINK, PORT_WEB };

struct workload {
	const char *name;
	uint16_t ip_len; /* of the VM's packet */
	bool decap;      /* from the uplink; else from the VM */
	bool offload;    /* on the switch whose uplink does the outer checksum */
	uint32_t in_len; /* the frame as received */
	struct rte_mbuf *burst[BURST];
	uint8_t outer[ENCAP_VXLAN_HDR_LEN]; /* decap: put back by the callback */
	double mpps[MAX_ROUNDS], cycles[MAX_ROUNDS], ratio[MAX_ROUNDS];
};

static struct workload *current;
static unsigned int n_sent;
static uint8_t first_out[FRAME_MAX + ENCAP_VXLAN_HDR_LEN];
static uint32_t first_len;

/* Undo the engine's work on each packet: strip the outer header it
 * prepended, or put back the one it stripped. The first packet of a run
 * is kept for the caller to check. */
static uint16_t
bench_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct workload *w = current;

	(void)ctx;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (n_sent == 0 && first_len == 0) {
			first_len = rte_pktmbuf_pkt_len(m);
			if (first_len <= sizeof(first_out))
				memcpy(first_out, rte_pktmbuf_read(m, 0, first_len, first_out),
					first_len);
		}
		if (port == PORT_UPLINK)
			rte_pktmbuf_adj(m, ENCAP_VXLAN_HDR_LEN);
		else
			memcpy(rte_pktmbuf_prepend(m, ENCAP_VXLAN_HDR_LEN), w->outer,
				ENCAP_VXLAN_HDR_LEN);
		w->burst[n_sent++ % BURST] = m;
	}
	return n;
}

/* The VM's UDP packet of @ip_len bytes, web -> sql or back, into @buf. */
static uint32_t
vm_frame(uint8_t *buf, uint16_t ip_len, bool to_web)
{
	const struct rte_ether_addr web = {{0x02, 0x50, 0x01, 0x00, 0x00, 0x12}};
	const struct rte_ether_addr sql = {{0x02, 0x50, 0x01, 0x00, 0x00, 0x11}};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	memset(buf, 0, 14u + ip_len);
	for (uint32_t i = 42; i < 14u + ip_len; i++)
		buf[i] = (uint8_t)i;
	eth->src_addr = to_web ? sql : web;
	eth->dst_addr = to_web ? web : sql;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(to_web ? RTE_IPV4(10, 1, 1, 11) : RTE_IPV4(10, 1, 1, 12));
	ip->dst_addr = rte_cpu_to_be_32(to_web ? RTE_IPV4(10, 1, 1, 12) : RTE_IPV4(10, 1, 1, 11));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = RTE_BE16(7000);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - 20));
	return 14u + ip_len;
}

/* @len bytes of @data as a chain of SEG-byte segments. */
static struct rte_mbuf *
chain(struct rte_mempool *mp, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL;

	for (uint32_t off = 0; off < len; off += SEG) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint16_t k = (uint16_t)RTE_MIN(len - off, (uint32_t)SEG);

		if (m == NULL)
			rte_exit(EXIT_FAILURE, "mbuf pool empty\n");
		memcpy(rte_pktmbuf_append(m, k), data + off, k);
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			rte_exit(EXIT_FAILURE, "cannot chain\n");
	}
	return head;
}

static uint64_t
run(struct vfp_switch *sw, struct vfp_lcore *lc, struct workload *w, uint64_t bursts)
{
	uint16_t port = w->decap ? PORT_UPLINK : PORT_WEB;
	uint64_t t0;

	current = w;
	t0 = rte_rdtsc_precise();
	for (uint64_t b = 0; b < bursts; b++) {
		n_sent = 0;
		vfp_process_burst(sw, lc, port, w->burst, BURST);
		vfp_lcore_flush(lc);
		vfp_lcore_quiescent(sw, lc);
		if (n_sent != BURST)
			rte_exit(EXIT_FAILURE, "%s: %u of %u packets sent\n", w->name, n_sent,
				BURST);
	}
	return rte_rdtsc_precise() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	char *eal_small[] = {argv[0], "--no-pci", "--no-shconf", "-l", "0",
		"--log-level=lib.*:error", "--no-huge", "-m", "512", NULL};
	char *eal_huge[] = {
		argv[0], "--no-pci", "--in-memory", "-l", "0", "--log-level=lib.*:error", NULL};
	static struct workload w[] = {
		{.name = "encap 64 B", .ip_len = 46},
		{.name = "encap 1500 B", .ip_len = 1500},
		{.name = "encap 9000 B", .ip_len = 9000},
		{.name = "encap 1500 B, NIC checksum", .ip_len = 1500, .offload = true},
		{.name = "encap 9000 B, NIC checksum", .ip_len = 9000, .offload = true},
		{.name = "decap 64 B", .ip_len = 46, .decap = true},
		{.name = "decap 1500 B", .ip_len = 1500, .decap = true},
		{.name = "decap 9000 B", .ip_len = 9000, .decap = true},
		{.name = "decap 1500 B, NIC checksum",
			.ip_len = 1500,
			.decap = true,
			.offload = true},
		{.name = "decap 9000 B, NIC checksum",
			.ip_len = 9000,
			.decap = true,
			.offload = true},
	};
	enum { ENCAP_BASE = 0, DECAP_BASE = 5 };
	static uint8_t frame[FRAME_MAX], tunnel[FRAME_MAX + ENCAP_VXLAN_HDR_LEN];
	struct vfp_switch_params sp = {.flow_capacity = 65536, .n_lcores = 1};
	struct hnv_compile_env env = {0};
	char err[HNV_POLICY_ERR_MAX];
	unsigned int rounds = 7, r;
	struct vfp_program *prog;
	struct hnv_policy *pol;
	struct rte_mempool *mp;
	struct vfp_switch *sws[2]; /* software checksums; the uplink's */
	struct vfp_lcore *lcs[2];
	double seconds = 2.0;
	bool huge = false;
	uint64_t hz;
	int c;

	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},
		{"huge", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	while ((c = getopt_long(argc, argv, "s:r:H", opts, NULL)) != -1) {
		if (c == 'H')
			huge = true;
		else if (c == 's')
			seconds = strtod(optarg, NULL);
		else if (c == 'r')
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || seconds <= 0) {
		fprintf(stderr, "--rounds must be 1..%u and --seconds above 0\n", MAX_ROUNDS);
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
	for (unsigned int k = 0; k < 2; k++) {
		env.tx_ipv4_cksum = k == 1;
		if ((sws[k] = vfp_switch_create(&sp)) == NULL ||
			hnv_policy_compile(pol, &env, sws[k], &prog, err, sizeof(err)) != 0) {
			fprintf(stderr, "set-up failed: %s\n", err);
			return 2;
		}
		vfp_switch_publish(sws[k], prog);
		if ((lcs[k] = vfp_lcore_create(sws[k], 0, bench_tx, NULL)) == NULL)
			rte_exit(EXIT_FAILURE, "cannot create the lcore\n");
	}
	mp = rte_pktmbuf_pool_create("bench", POOL, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "cannot create the pool\n");

	for (unsigned int i = 0; i < RTE_DIM(w); i++) {
		uint32_t len = vm_frame(frame, w[i].ip_len, w[i].decap);
		const uint8_t *in = frame;

		if (w[i].decap) {
			struct encap_outer o = {
				.src_mac = {{0x02, 0, 0, 0x02, 0, 0x01}},
				.dst_mac = {{0x02, 0, 0, 0x02, 0, 0x20}},
				.src_ip = RTE_BE32(RTE_IPV4(192, 168, 1, 10)),
				.dst_ip = RTE_BE32(RTE_IPV4(192, 168, 2, 20)),
			};
			struct encap_template t;

			if (encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, 5001, 0x1234) != 0)
				rte_exit(EXIT_FAILURE, "cannot build the tunnel header\n");
			memcpy(tunnel, t.bytes, t.len);
			memcpy(tunnel + t.len, frame, len);
			encap_template_stamp(&t, tunnel, (uint16_t)len);
			memcpy(w[i].outer, tunnel, ENCAP_VXLAN_HDR_LEN);
			in = tunnel;
			len += t.len;
		}
		w[i].in_len = len;
		for (unsigned int k = 0; k < BURST; k++) {
			w[i].burst[k] = chain(mp, in, len);
			if (w[i].decap && w[i].offload)
				w[i].burst[k]->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		}
		/* Warm (the flow is made) and check the first output. */
		first_len = 0;
		run(sws[w[i].offload], lcs[w[i].offload], &w[i], 1);
		if (!w[i].decap && (rte_ipv4_cksum((const struct rte_ipv4_hdr *)(first_out + 14)) ==
					   0) == w[i].offload)
			rte_exit(EXIT_FAILURE, "%s: the outer checksum is %s\n", w[i].name,
				w[i].offload ? "there" : "wrong");
		if (w[i].decap ? first_len != len - ENCAP_VXLAN_HDR_LEN ||
					 memcmp(first_out, frame, first_len) != 0
			       : first_len != len + ENCAP_VXLAN_HDR_LEN ||
					 rte_be_to_cpu_16(
						 ((const struct rte_ipv4_hdr *)(first_out + 14))
							 ->total_length) != len + 36 ||
					 memcmp(first_out + ENCAP_VXLAN_HDR_LEN, frame, len) != 0)
			rte_exit(EXIT_FAILURE, "%s: the first output is wrong (%u bytes)\n",
				w[i].name, first_len);
	}

	printf("dpdk-hnv bench_jumbo: one flow each way over VXLAN, underlay MTU 9100, bursts "
	       "of %u, one core, %.2f GHz TSC, %s pages; a 9000-byte frame is a chain of %u "
	       "segments\n",
		BURST, hz / 1e9, huge ? "huge" : "4 KB", (9014 + SEG - 1) / SEG);
	for (r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < RTE_DIM(w); i++) {
			/* About the same time per workload: fewer bursts of big frames. */
			uint64_t bursts = (uint64_t)(seconds / rounds / RTE_DIM(w) * 20e6 / BURST) *
						  64 / RTE_MAX(64u, w[i].ip_len / 4u) +
					  1;
			uint64_t cyc = run(sws[w[i].offload], lcs[w[i].offload], &w[i], bursts);
			double pkts = (double)bursts * BURST;

			w[i].cycles[r] = (double)cyc / pkts;
			w[i].mpps[r] = pkts / ((double)cyc / (double)hz) / 1e6;
		}
		for (unsigned int i = 0; i < RTE_DIM(w); i++) {
			const struct workload *base = &w[w[i].decap ? DECAP_BASE : ENCAP_BASE];

			w[i].ratio[r] = w[i].mpps[r] / base->mpps[r];
		}
	}
	printf("%-27s %9s %9s %11s %13s\n", "workload", "Mpps", "Gbit/s", "cycles/pkt",
		"x 64 B rate");
	for (unsigned int i = 0; i < RTE_DIM(w); i++) {
		double mpps = median(w[i].mpps, rounds);

		printf("%-27s %9.2f %9.2f %11.1f %13.2f\n", w[i].name, mpps,
			mpps * 1e6 * (14.0 + w[i].ip_len) * 8 / 1e9, median(w[i].cycles, rounds),
			median(w[i].ratio, rounds));
	}
	printf("(Gbit/s counts the VM's frames: the inner Ethernet frame, without the outer "
	       "header)\n");
	for (unsigned int i = 0; i < RTE_DIM(w); i++)
		rte_pktmbuf_free_bulk(w[i].burst, BURST);
	for (unsigned int k = 0; k < 2; k++) {
		vfp_lcore_free(sws[k], lcs[k]);
		vfp_switch_free(sws[k]);
	}
	hnv_policy_free(pol);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
