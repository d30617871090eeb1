/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_pipeline: libFuzzer harness for the whole data path
 * (lib/vfp with lib/encap and lib/arp_proxy under it), with EAL.
 *
 * Owns: once (LLVMFuzzerInitialize) EAL with --no-huge, a switch, and the
 * program compiled from the figure-8 policy of host 2 (config/figure8-host2.json
 * with a static host MAC and gateway MAC, embedded below), published; an
 * lcore whose transmit callback checks each mbuf and frees it. Per input:
 * the first byte picks the receiving port (% 3: 0 the uplink, 1 and 2 the VM
 * ports), the rest is one frame, put in an mbuf (a chain of them when it is
 * longer than one segment, as a scattering NIC delivers it) and passed to
 * vfp_process_burst(); after the flush no mbuf may be left in use (no leak),
 * then the lcore reports a quiescent state. The flow table persists across
 * inputs, so later inputs reach the fast path of flows earlier ones created.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "fuzz_common.h"
#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

#define N_PORTS 3
#define SEG_ROOM 2048 /* data room per segment after the headroom */
#define POOL_SIZE 1023

static const char policy_json[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"host\": {\n"
	"    \"name\": \"host2\",\n"
	"    \"uplink\": \"uplink\",\n"
	"    \"pa\": [\"192.168.2.20/24\"],\n"
	"    \"mac\": \"02:00:00:02:00:20\",\n"
	"    \"gateway\": \"192.168.2.1\",\n"
	"    \"gateway_mac\": \"02:00:00:02:00:01\"\n"
	"  },\n"
	"  \"ports\": [\n"
	"    { \"name\": \"uplink\", \"device\": \"net_af_packet0\" },\n"
	"    { \"name\": \"contoso-web\", \"device\": \"net_af_packet1\" },\n"
	"    { \"name\": \"fabrikam-web\", \"device\": \"net_af_packet2\" }\n"
	"  ],\n"
	"  \"routing_domains\": [\n"
	"    { \"rdid\": 1, \"name\": \"contoso\",\n"
	"      \"subnets\": [ { \"vsid\": 5001, \"prefix\": \"10.1.1.0/24\", \"encap\": \"vxlan\" "
	"} ] },\n"
	"    { \"rdid\": 2, \"name\": \"fabrikam\",\n"
	"      \"subnets\": [ { \"vsid\": 6001, \"prefix\": \"10.1.1.0/24\", \"encap\": \"vxlan\" "
	"} ] }\n"
	"  ],\n"
	"  \"vm_nics\": [\n"
	"    { \"name\": \"contoso-web\", \"mac\": \"02:50:01:00:00:12\", \"ip\": \"10.1.1.12\", "
	"\"vsid\": 5001, \"port\": \"contoso-web\" },\n"
	"    { \"name\": \"fabrikam-web\", \"mac\": \"02:60:01:00:00:12\", \"ip\": \"10.1.1.12\", "
	"\"vsid\": 6001, \"port\": \"fabrikam-web\" }\n"
	"  ],\n"
	"  \"mappings\": [\n"
	"    { \"vsid\": 5001, \"ca\": \"10.1.1.11\", \"mac\": \"02:50:01:00:00:11\", \"pa\": "
	"\"192.168.1.10\" },\n"
	"    { \"vsid\": 6001, \"ca\": \"10.1.1.11\", \"mac\": \"02:60:01:00:00:11\", \"pa\": "
	"\"192.168.1.10\" }\n"
	"  ]\n"
	"}\n";

static struct vfp_switch *sw;
static struct vfp_lcore lc;
static struct rte_mempool *mp;
static struct hnv_policy *pol;

static void __attribute__((noreturn)) die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_pipeline: %s: %s\n", what, why);
	exit(2);
}

/* Transmit: every mbuf the engine hands out must be well formed; free it. */
static uint16_t
tx_free(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)ctx;
	FUZZ_CHECK(port < N_PORTS);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		rte_mbuf_sanity_check(m, 1); /* panics (aborts) when broken */
		FUZZ_CHECK(m->pool == mp);
		FUZZ_CHECK(rte_pktmbuf_pkt_len(m) >= 14);
		rte_pktmbuf_free(m);
	}
	return n;
}

/* FUZZ_PIPELINE_STATS=1: print the non-zero port counters at exit, to see
 * what a corpus reaches (decap, encap, ARP, which drops). */
static void
print_stats(void)
{
	for (uint16_t port = 0; port < N_PORTS; port++) {
		const struct vfp_port_stats *st = &lc.stats[port];

		fprintf(stderr,
			"port %u: rx %" PRIu64 " tx %" PRIu64 " encap %" PRIu64 " decap %" PRIu64
			" arp_replies %" PRIu64 " consumed %" PRIu64 "\n",
			port, st->rx_packets, st->tx_packets, st->encapsulated, st->decapsulated,
			st->arp_replies, st->consumed);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			if (st->drops[r] != 0)
				fprintf(stderr, "  drop %s %" PRIu64 "\n", hnv_drop_name(r),
					st->drops[r]);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_argv[] = {(*argv)[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "-l",
		"0", "--log-level=lib.*:error", NULL};
	struct vfp_switch_params sp = {.flow_capacity = 4096, .n_lcores = 1};
	struct hnv_compile_env env = {0};
	struct vfp_program *prog = NULL;
	char err[HNV_POLICY_ERR_MAX];

	(void)argc;
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0)
		die("EAL", rte_strerror(rte_errno));
	if (hnv_policy_parse(policy_json, "figure8-host2", &pol, err, sizeof(err)) != 0)
		die("policy", err);
	sw = vfp_switch_create(&sp);
	if (sw == NULL)
		die("switch", rte_strerror(rte_errno));
	if (hnv_policy_compile(pol, &env, sw, &prog, err, sizeof(err)) != 0)
		die("compile", err);
	if (vfp_program_n_ports(prog) != N_PORTS ||
		vfp_program_port_role(prog, 0) != VFP_PORT_UPLINK)
		die("compile", "unexpected port layout");
	if (vfp_switch_publish(sw, prog) != 0)
		die("publish", "failed");
	mp = rte_pktmbuf_pool_create(
		"fuzz", POOL_SIZE, 0, 0, RTE_PKTMBUF_HEADROOM + SEG_ROOM, SOCKET_ID_ANY);
	if (mp == NULL)
		die("mempool", rte_strerror(rte_errno));
	if (vfp_lcore_init(sw, &lc, 0, tx_free, NULL) != 0)
		die("lcore", "init failed");
	if (getenv("FUZZ_PIPELINE_STATS") != NULL)
		atexit(print_stats);
	return 0;
}

/* The frame in one mbuf, or a chain of SEG_ROOM-sized segments. */
static struct rte_mbuf *
frame_to_mbuf(const uint8_t *frame, size_t len)
{
	struct rte_mbuf *head = NULL;
	size_t off = 0;

	do {
		size_t k = len - off < SEG_ROOM ? len - off : SEG_ROOM;
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		FUZZ_CHECK(m != NULL);
		FUZZ_CHECK(k == 0 || rte_pktmbuf_append(m, (uint16_t)k) != NULL);
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), frame + off, k);
		if (head == NULL)
			head = m;
		else
			FUZZ_CHECK(rte_pktmbuf_chain(head, m) == 0);
		off += k;
	} while (off < len);
	return head;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;
	uint16_t port;

	if (size < 1 || size - 1 > 16 * SEG_ROOM)
		return -1; /* not added to the corpus */
	port = (uint16_t)(data[0] % N_PORTS);
	m = frame_to_mbuf(data + 1, size - 1);

	vfp_process_burst(sw, &lc, port, &m, 1);
	vfp_lcore_flush(&lc);
	if (rte_mempool_in_use_count(mp) != 0) {
		fprintf(stderr, "fuzz_pipeline: %u mbufs leaked (port %u, %zu-byte frame)\n",
			rte_mempool_in_use_count(mp), port, size - 1);
		abort();
	}
	vfp_lcore_quiescent(sw, &lc);
	return 0;
}
