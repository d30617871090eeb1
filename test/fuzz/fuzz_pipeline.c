/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_pipeline: libFuzzer harness for the whole data path
 * (lib/vfp with lib/encap and lib/arp_proxy under it), with EAL.
 *
 * Owns: once (LLVMFuzzerInitialize) EAL with --no-huge, a switch, and the
 * program compiled from the figure-8 policy of host 2 (config/figure8-host2.json
 * with a static host MAC and gateway MAC, and an underlay MTU of 1000 so that
 * VM frames over 964 bytes take the fragmentation and ICMP paths, embedded
 * below), published; an
 * lcore whose transmit callback checks each mbuf and frees it. Per input:
 * the first byte picks the receiving port (% 3: 0 the uplink, 1 and 2 the VM
 * ports) and how the frame is cut into an mbuf chain (/ 3: the segment size
 * from seg_sizes[], the first of which is one whole buffer, as a
 * scattering NIC delivers a frame; and whether the first segment has no
 * headroom), the rest is the frame, passed to vfp_process_burst() as that
 * chain (so that headers split over segments, pulled up, and an outer
 * header in a segment of its own are all fuzzed with frames that parse);
 * after the flush no mbuf may be left in use (no leak),
 * then the lcore reports a quiescent state. The flow table persists across
 * inputs, so later inputs reach the fast path of flows earlier ones created.
 *
 * Property "malformed IPv4 is dropped" (malformed_check): a frame whose
 * EtherType is 0x0800 but whose IPv4 header is broken (the frame shorter
 * than 14 + 20 bytes, version not 4, IHL < 5, or IHL * 4 past the end of the
 * frame) must not be switched as a non-IP frame, which would take it past
 * source-IP anti-spoofing and the IPv4 ACLs. For a VM frame the frame itself
 * is judged, for an uplink tunnel frame its inner frame; the judgement is the
 * harness's own (ipv4_malformed), not the engine's parser. Such an input
 * must transmit nothing on any port and be counted as a drop: as
 * "malformed" (HNV_DROP_MALFORMED) on the receiving port when it reaches the
 * L3 check, that is when the checks the engine makes before it pass (VM:
 * the NIC's source MAC; uplink: our MAC, the PA VLAN, a tunnel that
 * encap_parse() of lib/encap accepts, our PA), else under whichever reason
 * refused it first. An uplink frame that encap_parse() refuses and whose own
 * IPv4 header is broken is held to the second form (a tunnel_* drop).
 * gen_corpus.py seeds such frames on both kinds of port.
 */
#include <inttypes.h>
#include <stdbool.h>
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
	"    { \"name\": \"uplink\", \"device\": \"net_af_packet0\", \"mtu\": 1000 },\n"
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

/* Addresses of the policy above, for the harness's own checks. */
static const uint8_t host_mac[RTE_ETHER_ADDR_LEN] = {0x02, 0x00, 0x00, 0x02, 0x00, 0x20};
static const uint8_t nic_mac[N_PORTS][RTE_ETHER_ADDR_LEN] = {
	[1] = {0x02, 0x50, 0x01, 0x00, 0x00, 0x12}, /* contoso-web */
	[2] = {0x02, 0x60, 0x01, 0x00, 0x00, 0x12}, /* fabrikam-web */
};
static const uint8_t our_pa[4] = {192, 168, 2, 20};

static struct vfp_switch *sw;
static struct vfp_lcore *lc;
static struct rte_mempool *mp;
static struct hnv_policy *pol;

/* What the transmit callback saw for the current input. */
static unsigned int tx_count;
static uint32_t tx_ports; /* bit per port */

/* The one place that reads the lcore's per-port counters. */
static const struct vfp_port_stats *
port_stats(uint16_t port)
{
	return vfp_lcore_port_stats(lc, port);
}

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
	tx_count += n;
	tx_ports |= 1u << port;
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
		const struct vfp_port_stats *st = port_stats(port);

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
	lc = vfp_lcore_create(sw, 0, tx_free, NULL);
	if (lc == NULL)
		die("lcore", rte_strerror(rte_errno));
	if (getenv("FUZZ_PIPELINE_STATS") != NULL)
		atexit(print_stats);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Property: malformed IPv4 is dropped                                */

/* Is @f an Ethernet frame of EtherType IPv4 whose IPv4 header is broken?
 * Written from the definition, independently of lib/vfp's parser. */
static bool
ipv4_malformed(const uint8_t *f, size_t len, const char **why)
{
	size_t ihl;

	if (len < 14 || f[12] != 0x08 || f[13] != 0x00)
		return false;
	if (len < 14 + 20) {
		*why = "frame shorter than 14 + 20 bytes";
		return true;
	}
	if (f[14] >> 4 != 4) {
		*why = "IP version not 4";
		return true;
	}
	ihl = (size_t)(f[14] & 0xf) * 4;
	if (ihl < 20) {
		*why = "IHL < 5";
		return true;
	}
	if (14 + ihl > len) {
		*why = "IHL * 4 past the end of the frame";
		return true;
	}
	return false;
}

enum malformed_class {
	WELL_FORMED,   /* not EtherType IPv4, or its IPv4 header is sound */
	REFUSED_FIRST, /* malformed, but an earlier check refuses the frame */
	AT_L3,         /* malformed, and it reaches the engine's L3 check */
};

/* Classify the input frame received on @port (see the file comment); @inner
 * tells whether the inner frame of a tunnel packet was judged. */
static enum malformed_class
malformed_class(uint16_t port, const uint8_t *f, size_t len, const char **why, bool *inner)
{
	struct encap_rx_info info;

	*inner = false;
	if (port != 0) {
		if (!ipv4_malformed(f, len, why))
			return WELL_FORMED;
		return memcmp(f + 6, nic_mac[port], RTE_ETHER_ADDR_LEN) == 0 ? AT_L3
									     : REFUSED_FIRST;
	}
	if (encap_parse(f, (uint32_t)len, &info) == ENCAP_OK) {
		*inner = true;
		if (!ipv4_malformed(f + info.hdr_len, info.inner_len, why))
			return WELL_FORMED;
		return memcmp(f, host_mac, RTE_ETHER_ADDR_LEN) == 0 && info.vlan_id == 0 &&
				       memcmp(&info.dst_ip, our_pa, 4) == 0
			       ? AT_L3
			       : REFUSED_FIRST;
	}
	return ipv4_malformed(f, len, why) ? REFUSED_FIRST : WELL_FORMED;
}

struct drop_snapshot {
	uint64_t d[N_PORTS][HNV_DROP_MAX];
};

static void
drop_snapshot(struct drop_snapshot *s)
{
	for (uint16_t port = 0; port < N_PORTS; port++)
		memcpy(s->d[port], port_stats(port)->drops, sizeof(s->d[port]));
}

/* After the input of class @c on @port went through the engine (the drop
 * counters were @before): nothing sent, and counted as the right drop. */
static void
malformed_check(enum malformed_class c, const char *why, bool inner, uint16_t port,
	const uint8_t *f, size_t len, const struct drop_snapshot *before)
{
	struct drop_snapshot after;
	uint64_t n_before = 0, n_after = 0;
	bool ok;

	if (c == WELL_FORMED)
		return;
	drop_snapshot(&after);
	for (uint16_t p = 0; p < N_PORTS; p++)
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
			n_before += before->d[p][r];
			n_after += after.d[p][r];
		}
	if (c == AT_L3)
		ok = tx_count == 0 &&
		     after.d[port][HNV_DROP_MALFORMED] == before->d[port][HNV_DROP_MALFORMED] + 1;
	else
		ok = tx_count == 0 && n_after > n_before;
	if (ok)
		return;
	fprintf(stderr,
		"fuzz_pipeline: property violated: %zu-byte frame on port %u whose %sframe has "
		"EtherType IPv4 and a malformed IPv4 header (%s)%s: %u mbuf(s) transmitted "
		"(ports mask 0x%x), drops counted:",
		len, port, inner ? "inner " : "", why, c == AT_L3 ? ", reaching the L3 check" : "",
		tx_count, tx_ports);
	for (uint16_t p = 0; p < N_PORTS; p++)
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			if (after.d[p][r] != before->d[p][r])
				fprintf(stderr, " port %u %s +%" PRIu64, p, hnv_drop_name(r),
					after.d[p][r] - before->d[p][r]);
	fprintf(stderr, "%s; expected nothing transmitted and %s\nframe:",
		n_after == n_before ? " none" : "",
		c == AT_L3 ? "\"malformed\" +1 on the receiving port" : "one drop");
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, " %02x", f[i]);
	fprintf(stderr, "\n");
	abort();
}

/* ------------------------------------------------------------------ */
/* Per input                                                          */

/* Segment sizes of the chains an input asks for; the first, one whole
 * buffer, is what a seed whose first byte is 0, 1 or 2 gets. */
static const uint16_t seg_sizes[] = {SEG_ROOM, 1, 13, 64, 100, 256, 600, 1500};

/* The frame as a chain of @seg-byte segments (one mbuf when it fits; at
 * most MAX_SEGS of them, longer ones when it would take more), the first
 * with no headroom if @bare. */
#define MAX_SEGS 256
static struct rte_mbuf *
frame_to_mbuf(const uint8_t *frame, size_t len, size_t seg, bool bare)
{
	struct rte_mbuf *head = NULL;
	size_t off = 0;

	if (len / seg >= MAX_SEGS)
		seg = len / MAX_SEGS + 1;
	do {
		size_t k = len - off < seg ? len - off : seg;
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		FUZZ_CHECK(m != NULL);
		if (head == NULL && bare)
			m->data_off = 0;
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
	struct drop_snapshot before;
	enum malformed_class mc;
	const char *why = "";
	bool inner;
	struct rte_mbuf *m;
	uint16_t port;
	unsigned int cut;

	if (size < 1 || size - 1 > 16 * SEG_ROOM)
		return -1; /* not added to the corpus */
	port = (uint16_t)(data[0] % N_PORTS);
	cut = data[0] / N_PORTS;
	mc = malformed_class(port, data + 1, size - 1, &why, &inner);
	drop_snapshot(&before);
	tx_count = 0;
	tx_ports = 0;
	m = frame_to_mbuf(data + 1, size - 1, seg_sizes[cut % RTE_DIM(seg_sizes)],
		(cut / RTE_DIM(seg_sizes)) & 1);

	vfp_process_burst(sw, lc, port, &m, 1);
	vfp_lcore_flush(lc);
	malformed_check(mc, why, inner, port, data + 1, size - 1, &before);
	if (rte_mempool_in_use_count(mp) != 0) {
		fprintf(stderr, "fuzz_pipeline: %u mbufs leaked (port %u, %zu-byte frame)\n",
			rte_mempool_in_use_count(mp), port, size - 1);
		abort();
	}
	vfp_lcore_quiescent(sw, lc);
	return 0;
}
