/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp_mt.c: the engine under concurrency.
 *
 * Owns: two worker lcores forwarding VM -> remote and remote -> VM traffic
 * over a few thousand flows (inserting, hitting, creating reply entries)
 * while the main lcore, as the control plane does, republishes programs
 * that change one VSID's mappings or one port's ACL, ages flows with a
 * clock far in the future, and flushes the table. Checks that nothing
 * crashes or deadlocks, that every packet is accounted for (received =
 * transmitted + dropped under a name), that no mbuf leaks, and that the
 * table's live count stays within its capacity. Run it under the sanitizer
 * build too (meson -Dsanitizers=address,undefined).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

#define N_WORKERS 2
#define BURST 32
#define N_FLOWS 3000
#define CAPACITY 4096 /* smaller than flows + replies: the table fills up */
#define PUBLISHES 12

/* Figure 8 from host 2; %s is the PA of Fabrikam's SQL VM and %s the
 * port ACL's denied destination port, so that two programs differ in one
 * VSID's mappings and in one port's layers. */
static const char policy_fmt[] =
	"{\"version\":1,"
	"\"host\":{\"name\":\"h2\",\"uplink\":\"uplink\",\"pa\":[\"192.168.2.20/24\"],"
	"\"mac\":\"02:00:00:02:00:20\",\"gateway\":\"192.168.2.1\","
	"\"gateway_mac\":\"02:00:00:02:00:01\"},"
	"\"ports\":[{\"name\":\"uplink\",\"device\":\"u\"},{\"name\":\"cweb\",\"device\":\"c\"},"
	"{\"name\":\"fweb\",\"device\":\"f\"}],"
	"\"routing_domains\":[{\"rdid\":1,\"subnets\":[{\"vsid\":5001,\"prefix\":\"10.1.1.0/"
	"24\"}]},"
	"{\"rdid\":2,\"subnets\":[{\"vsid\":6001,\"prefix\":\"10.1.1.0/24\"}]}],"
	"\"vm_nics\":[{\"name\":\"cweb\",\"mac\":\"02:50:01:00:00:12\",\"ip\":\"10.1.1.12\","
	"\"vsid\":5001,\"port\":\"cweb\"},{\"name\":\"fweb\",\"mac\":\"02:60:01:00:00:12\","
	"\"ip\":\"10.1.1.12\",\"vsid\":6001,\"port\":\"fweb\"}],"
	"\"mappings\":[{\"vsid\":5001,\"ca\":\"10.1.1.11\",\"mac\":\"02:50:01:00:00:11\","
	"\"pa\":\"192.168.1.10\"},{\"vsid\":6001,\"ca\":\"10.1.1.11\",\"mac\":\"02:60:01:00:00:"
	"11\","
	"\"pa\":\"%s\"}],"
	"\"acls\":[{\"name\":\"c\",\"port\":\"cweb\",\"rules\":[{\"name\":\"d\",\"priority\":1,"
	"\"direction\":\"out\",\"action\":\"deny\",\"protocol\":\"udp\",\"dst_ports\":\"%s\"}]}]}";

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

static const struct rte_ether_addr host_mac = {{0x02, 0, 0, 0x02, 0, 0x20}};
static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0x02, 0, 0x01}};
static const struct rte_ether_addr web_mac[2] = {
	{{0x02, 0x50, 0x01, 0, 0, 0x12}}, {{0x02, 0x60, 0x01, 0, 0, 0x12}}};
static const struct rte_ether_addr sql_mac[2] = {
	{{0x02, 0x50, 0x01, 0, 0, 0x11}}, {{0x02, 0x60, 0x01, 0, 0, 0x11}}};

static struct rte_mempool *pool;
static struct vfp_switch *sw;
static volatile bool stop;

struct worker {
	struct vfp_lcore *lc;
	unsigned int id;
	uint64_t sent;
	uint64_t received;
};

static struct worker *workers[N_WORKERS];

/* Packets the workers have taken so far (they are running). */
static uint64_t
received_so_far(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < N_WORKERS; i++)
		n += __atomic_load_n(&workers[i]->received, __ATOMIC_RELAXED);
	return n;
}

static uint16_t
count_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct worker *w = ctx;

	(void)port;
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	w->sent += n;
	return n;
}

static struct vfp_program *
compile(const char *fabrikam_pa, const char *denied_port)
{
	char json[4096], err[HNV_POLICY_ERR_MAX];
	struct hnv_compile_env env = {0};
	struct hnv_policy *pol;
	struct vfp_program *prog;

	snprintf(json, sizeof(json), policy_fmt, fabrikam_pa, denied_port);
	assert_int_equal(hnv_policy_parse(json, "mt", &pol, err, sizeof(err)), 0);
	assert_int_equal(hnv_policy_compile(pol, &env, sw, &prog, err, sizeof(err)), 0);
	hnv_policy_free(pol);
	return prog;
}

/* A UDP frame of tenant @t, flow @flow, from the web VM (out) or, tunnelled
 * from the SQL VM's host, to it (in). */
static struct rte_mbuf *
frame(unsigned int t, uint32_t flow, bool in)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t buf[128] = {0};
	uint8_t *inner = in ? buf + ENCAP_VXLAN_HDR_LEN : buf;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)inner;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	const uint16_t inner_len = 14 + 20 + 8 + 22;
	rte_be32_t web = IP4(10, 1, 1, 12), sql = IP4(10, 1, 1, 11);
	uint16_t a = (uint16_t)(1024 + flow), b = (uint16_t)(2000 + (flow % 7));

	if (m == NULL)
		return NULL;
	eth->src_addr = in ? sql_mac[t] : web_mac[t];
	eth->dst_addr = in ? web_mac[t] : sql_mac[t];
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(inner_len - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = in ? sql : web;
	ip->dst_addr = in ? web : sql;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(in ? b : a);
	udp->dst_port = rte_cpu_to_be_16(in ? a : b);
	udp->dgram_len = rte_cpu_to_be_16(inner_len - 34);
	if (in) {
		struct encap_outer o = {
			.src_mac = gw_mac,
			.dst_mac = host_mac,
			.src_ip = IP4(192, 168, 1, 10),
			.dst_ip = IP4(192, 168, 2, 20),
		};
		struct encap_template tm;

		encap_template_build(&tm, ENCAP_TYPE_VXLAN, &o, t == 0 ? 5001 : 6001, 50000);
		memcpy(buf, tm.bytes, tm.len);
		encap_template_stamp(&tm, buf, inner_len);
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(inner_len + (in ? ENCAP_VXLAN_HDR_LEN : 0))), buf,
		inner_len + (in ? ENCAP_VXLAN_HDR_LEN : 0));
	return m;
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[BURST];

	w->lc = vfp_lcore_create(sw, w->id, count_tx, w);
	if (w->lc == NULL)
		return -1;
	while (!stop) {
		/* Worker 0 is the VMs' side, worker 1 the uplink. */
		unsigned int t = (unsigned int)(rte_rand() & 1);
		uint16_t port = w->id == 0 ? (uint16_t)(1 + t) : 0;
		uint16_t n = 0;

		for (; n < BURST; n++) {
			pkts[n] = frame(t, (uint32_t)(rte_rand() % N_FLOWS), w->id == 1);
			if (pkts[n] == NULL)
				break;
		}
		__atomic_store_n(&w->received, w->received + n, __ATOMIC_RELAXED);
		vfp_process_burst(sw, w->lc, port, pkts, n);
		vfp_lcore_flush(w->lc);
		vfp_lcore_quiescent(sw, w->lc);
	}
	vfp_lcore_offline(sw, w->lc); /* freed once the test read its counters */
	return 0;
}

static void
test_workers_forward_while_control_plane_publishes_and_ages(void **state)
{
	const struct vfp_switch_params sp = {.flow_capacity = CAPACITY, .n_lcores = N_WORKERS};
	uint64_t end, hz = rte_get_tsc_hz();
	unsigned int lcore, i = 0, publishes = 0, capacity;
	uint64_t drops = 0, sent = 0, received = 0;

	(void)state;
	sw = vfp_switch_create(&sp);
	assert_non_null(sw);
	assert_int_equal(vfp_switch_publish(sw, compile("192.168.1.10", "9")), 0);
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (i == N_WORKERS)
			break;
		workers[i] = rte_zmalloc("w", sizeof(*workers[i]), RTE_CACHE_LINE_SIZE);
		workers[i]->id = i;
		assert_int_equal(rte_eal_remote_launch(worker_main, workers[i], lcore), 0);
		i++;
	}
	assert_int_equal(i, N_WORKERS);

	/* A fixed amount of work, not a time: publish waits for the workers'
	 * grace periods, which take as long as the scheduler says. */
	end = rte_get_tsc_cycles() + 60 * hz;
	while (publishes < PUBLISHES && rte_get_tsc_cycles() < end) {
		/* Let the workers forward between publishes however slow the
		 * scheduler makes them: a count of packets, not a time. */
		if (received_so_far() < (uint64_t)(publishes + 1) * 100) {
			rte_delay_ms(1);
			continue;
		}
		/* Alternate one VSID's mapping and one port's ACL. */
		publishes++;
		assert_int_equal(vfp_switch_publish(sw,
					 compile(publishes % 2 ? "192.168.1.11" : "192.168.1.10",
						 publishes % 3 ? "9" : "2001")),
			0);
		vfp_switch_age(sw, rte_get_tsc_cycles() + (publishes % 4 == 0 ? 1000 * hz : 0),
			CAPACITY / 4);
		if (publishes % 10 == 0)
			vfp_switch_flush_flows(sw);
		assert_true(vfp_switch_flow_count(sw, &capacity) <= capacity);
		rte_delay_ms(20);
	}
	stop = true;
	rte_eal_mp_wait_lcore();

	for (i = 0; i < N_WORKERS; i++) {
		struct worker *w = workers[i];

		for (uint16_t port = 0; port < 3; port++)
			for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
				drops += vfp_lcore_port_stats(w->lc, port)->drops[r];
		sent += w->sent;
		received += w->received;
		vfp_lcore_free(sw, w->lc);
		w->lc = NULL;
	}
	print_message("%u publishes, %" PRIu64 " packets: %" PRIu64 " sent, %" PRIu64 " dropped\n",
		publishes, received, sent, drops);
	assert_int_equal(publishes, PUBLISHES);
	assert_true(received > 1000);
	assert_true(sent > 0);
	assert_int_equal(received, sent + drops);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	vfp_switch_free(sw);
	for (i = 0; i < N_WORKERS; i++)
		rte_free(workers[i]);
}

static int
group_setup(void **state)
{
	/* Three lcores on whatever CPUs there are: the main one and two workers. */
	char *argv[] = {"test_vfp_mt", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--lcores", "0@0,(1,2)@(0-1)", "--log-level=lib.*:error", NULL};

	(void)state;
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("mt", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_forward_while_control_plane_publishes_and_ages),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
