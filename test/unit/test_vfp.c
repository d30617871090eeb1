/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp.c: unit tests for lib/vfp.
 *
 * Owns: the program builder's error paths, and the per-packet pipeline on a
 * small hand-built program, driven with mbufs and a collecting transmit
 * callback: hairpin, VSID isolation, VXLAN/NVGRE encap fields, decap,
 * inbound flood with reference counts, MTU/headroom drops, next-hop
 * resolution and its rate limit, partial transmit, multi-segment input and
 * unbound ports. Every pipeline test checks every counter of every port and
 * that no mbuf is leaked. Needs EAL (started with --no-huge in the group
 * setup); the replay pcap tests cover the packet-level scenarios.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "vfp.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/*
 * The host: port 0 is the uplink, ports 1-4 are VMs, port 5 is unbound.
 * VSID_A (VXLAN) and VSID_B (NVGRE) overlap: VM3 has VM1's MAC and IP, R2
 * has R1's. R1 and R2 sit behind the gateway, R3 is on our PA link.
 */
enum { PORT_UPLINK, PORT_VM1, PORT_VM2, PORT_VM3, PORT_VM4, PORT_UNBOUND, N_PORTS };

#define VSID_A 5000u
#define VSID_B 6000u
#define PA_LOCAL IP4(192, 168, 1, 10)
#define PA_GW IP4(192, 168, 1, 1)
#define PA_ONLINK IP4(192, 168, 1, 30)
#define PA_R1 IP4(172, 16, 0, 20)
#define PA_R2 IP4(172, 16, 0, 30)
#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_VM2 IP4(10, 0, 0, 12)
#define IP_VM4 IP4(10, 0, 0, 14)
#define IP_R1 IP4(10, 0, 0, 21)
#define IP_R3 IP4(10, 0, 0, 23)

static const struct rte_ether_addr uplink_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0xfe}};
static const struct rte_ether_addr learned_gw_mac = {{0x02, 0, 0, 0, 0, 0xfd}};
static const struct rte_ether_addr router_mac = {{0x02, 0, 0, 0, 0, 0xaa}};
static const struct rte_ether_addr mac_vm1 = {{0x00, 0x15, 0x5d, 0, 0, 0x01}};
static const struct rte_ether_addr mac_vm2 = {{0x00, 0x15, 0x5d, 0, 0, 0x02}};
static const struct rte_ether_addr mac_vm4 = {{0x00, 0x15, 0x5d, 0, 0, 0x04}};
static const struct rte_ether_addr mac_r1 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x01}};
static const struct rte_ether_addr mac_r3 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x03}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;

#define MAC_VM3 mac_vm1
#define IP_VM3 IP_VM1
#define MAC_R2 mac_r1
#define IP_R2 IP_R1

#define MAX_SENT 128
#define FRAME_MAX 2048

static struct rte_mempool *pool;

/* ---- fixture: a program, an lcore, and a log of what it transmitted ---- */

struct tx_log {
	unsigned int n;
	uint16_t accept; /* most packets taken per tx call */
	uint16_t port[MAX_SENT];
	struct rte_mbuf *m[MAX_SENT];
};

struct fixture {
	struct vfp_lcore lc; /* first: rte_zmalloc gives it its cache alignment */
	struct vfp_program *p;
	struct tx_log log;
};

static uint16_t
collect(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct tx_log *log = ctx;
	uint16_t take = RTE_MIN(n, log->accept);

	for (uint16_t i = 0; i < take; i++) {
		assert_true(log->n < MAX_SENT);
		log->port[log->n] = port;
		log->m[log->n++] = pkts[i];
	}
	return take;
}

static struct vfp_host_params
host_params(void)
{
	struct vfp_host_params hp = {
	        .n_ports = N_PORTS,
	        .uplink = PORT_UPLINK,
	        .n_pa = 1,
	        .pa = {PA_LOCAL},
	        .pa_prefix_len = {24},
	        .uplink_mac = uplink_mac,
	        .gateway = PA_GW,
	        .has_gateway_mac = true,
	        .gateway_mac = gw_mac,
	        .router_mac = router_mac,
	        .table_size = 1024,
	        .socket_id = SOCKET_ID_ANY,
	};
	return hp;
}

static struct vfp_program *
build_program(bool static_gateway_mac)
{
	struct vfp_host_params hp = host_params();
	struct vfp_program *p;

	hp.has_gateway_mac = static_gateway_mac;
	p = vfp_program_create(&hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
	                         IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
	        0);
	assert_int_equal(vfp_program_add_subnet(p, VSID_B, 2, IP4(10, 0, 0, 0), 24,
	                         IP4(10, 0, 0, 1), ENCAP_TYPE_NVGRE),
	        0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, VSID_A, &mac_vm1, IP_VM1), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM2, VSID_A, &mac_vm2, IP_VM2), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM3, VSID_B, &MAC_VM3, IP_VM3), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM4, VSID_B, &mac_vm4, IP_VM4), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_B, IP_R2, &MAC_R2, PA_R2), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r3, PA_ONLINK), 0);
	return p;
}

static int
setup(void **state, bool static_gateway_mac)
{
	struct fixture *f = rte_zmalloc("test_vfp", sizeof(*f), RTE_CACHE_LINE_SIZE);

	if (f == NULL)
		return -1;
	f->p = build_program(static_gateway_mac);
	f->log.accept = UINT16_MAX;
	vfp_lcore_init(&f->lc, collect, &f->log);
	*state = f;
	return 0;
}

/* The gateway's MAC is configured: next hops behind it are resolved. */
static int
setup_static_gw(void **state)
{
	return setup(state, true);
}

/* The gateway's MAC must be learned by ARP. */
static int
setup_dynamic_gw(void **state)
{
	return setup(state, false);
}

static void
free_sent(struct fixture *f)
{
	for (unsigned int i = 0; i < f->log.n; i++)
		rte_pktmbuf_free(f->log.m[i]);
	f->log.n = 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free_sent(f);
	vfp_program_free(f->p);
	rte_free(f);
	return 0;
}

/* End of every pipeline test: once the transmitted mbufs are freed, every
 * mbuf the test allocated is back in the pool. */
static void
assert_no_leak(struct fixture *f)
{
	free_sent(f);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void
run(struct fixture *f, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	vfp_process_burst(f->p, &f->lc, port, pkts, n);
	vfp_lcore_flush(&f->lc);
}

static void
run1(struct fixture *f, uint16_t port, struct rte_mbuf *m)
{
	run(f, port, &m, 1);
}

static unsigned int
n_sent(const struct fixture *f, uint16_t port)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < f->log.n; i++)
		n += f->log.port[i] == port;
	return n;
}

/* The @idx-th mbuf transmitted on @port. */
static struct rte_mbuf *
sent(const struct fixture *f, uint16_t port, unsigned int idx)
{
	for (unsigned int i = 0; i < f->log.n; i++)
		if (f->log.port[i] == port && idx-- == 0)
			return f->log.m[i];
	fail_msg("no packet #%u on port %u", idx, port);
	return NULL;
}

static void
assert_frame(const struct rte_mbuf *m, const uint8_t *want, uint16_t len)
{
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), want, len);
}

/* ---- counters: every one of every port, exactly ---- */

struct want {
	uint64_t rx, tx, arp_replies, arp_requests, encapsulated, decapsulated, consumed;
	uint64_t drops[HNV_DROP_MAX];
};

#define assert_stats(f, ...) check_stats(f, (const struct want[N_PORTS]){__VA_ARGS__})

static void
check_counter(uint16_t port, const char *name, uint64_t got, uint64_t want)
{
	if (got != want)
		fail_msg("port %u %s: %" PRIu64 ", expected %" PRIu64, port, name, got, want);
}

static void
check_stats(const struct fixture *f, const struct want *w)
{
	for (uint16_t port = 0; port < N_PORTS; port++) {
		const struct vfp_port_stats *s = &f->lc.stats[port];

		check_counter(port, "rx_packets", s->rx_packets, w[port].rx);
		check_counter(port, "tx_packets", s->tx_packets, w[port].tx);
		check_counter(port, "arp_replies", s->arp_replies, w[port].arp_replies);
		check_counter(port, "arp_requests", s->arp_requests, w[port].arp_requests);
		check_counter(port, "encapsulated", s->encapsulated, w[port].encapsulated);
		check_counter(port, "decapsulated", s->decapsulated, w[port].decapsulated);
		check_counter(port, "consumed", s->consumed, w[port].consumed);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			check_counter(port, hnv_drop_name(r), s->drops[r], w[port].drops[r]);
	}
}

/* ---- frames ---- */

static struct rte_mbuf *
mbuf_at(const uint8_t *frame, uint16_t len, uint16_t headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	assert_non_null(m);
	m->data_off = headroom;
	d = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(d);
	memcpy(d, frame, len);
	return m;
}

static struct rte_mbuf *
mbuf_of(const uint8_t *frame, uint16_t len)
{
	return mbuf_at(frame, len, RTE_PKTMBUF_HEADROOM);
}

/* Ethernet + IPv4 + UDP to port 2000, @len bytes in all. */
static uint16_t
udp_frame(uint8_t *buf, uint16_t len, const struct rte_ether_addr *src,
        const struct rte_ether_addr *dst, rte_be32_t sip, rte_be32_t dip, uint16_t sport)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	const uint16_t l2 = sizeof(*eth);

	assert_true(len >= l2 + sizeof(*ip) + sizeof(*udp) && len <= FRAME_MAX);
	for (uint16_t i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - l2);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = RTE_BE16(2000);
	udp->dgram_len = rte_cpu_to_be_16(len - l2 - sizeof(*ip));
	udp->dgram_cksum = 0;
	return len;
}

/* An Ethernet/IPv4 ARP frame, padded to 60 bytes. */
static uint16_t
arp_frame(uint8_t *buf, uint16_t op, const struct rte_ether_addr *dst,
        const struct rte_ether_addr *sha, rte_be32_t spa, const struct rte_ether_addr *tha,
        rte_be32_t tpa)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(buf, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	eth->dst_addr = *dst;
	eth->src_addr = *sha;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *sha;
	arp->arp_data.arp_sip = spa;
	arp->arp_data.arp_tha = *tha;
	arp->arp_data.arp_tip = tpa;
	return RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
}

/* A tunnel packet from remote PA @src_pa to us carrying @inner. */
static uint16_t
tunnel_frame(uint8_t *buf, enum encap_type type, uint32_t vsid, rte_be32_t src_pa,
        const uint8_t *inner, uint16_t inner_len)
{
	const struct encap_outer o = {
	        .src_mac = gw_mac,
	        .dst_mac = uplink_mac,
	        .src_ip = src_pa,
	        .dst_ip = PA_LOCAL,
	};
	struct encap_template t;

	assert_int_equal(encap_template_build(&t, type, &o, vsid, 0x42), 0);
	memcpy(buf, t.bytes, t.len);
	memcpy(buf + t.len, inner, inner_len);
	encap_template_stamp(&t, buf, inner_len);
	return (uint16_t)(t.len + inner_len);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* Outer Ethernet + IPv4 of a packet we tunnelled; returns the L4 header. */
static const uint8_t *
assert_outer(const struct rte_mbuf *m, const struct rte_ether_addr *nh_mac, rte_be32_t dst_pa,
        uint8_t proto, uint16_t ip_len)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);

	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(*eth) + ip_len);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, nh_mac));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &uplink_mac));
	assert_int_equal(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_IPV4));
	assert_int_equal(ip->version_ihl, RTE_IPV4_VHL_DEF);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), ip_len);
	assert_int_equal(ip->next_proto_id, proto);
	assert_int_equal(ip->src_addr, PA_LOCAL);
	assert_int_equal(ip->dst_addr, dst_pa);
	assert_int_not_equal(ip->time_to_live, 0);
	/* Summed over a header with a correct checksum, the result is 0. */
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	return (const uint8_t *)(ip + 1);
}

static void
assert_vxlan(const struct rte_mbuf *m, const struct rte_ether_addr *nh_mac, rte_be32_t dst_pa,
        uint32_t vni, const uint8_t *inner, uint16_t inner_len)
{
	const uint16_t ip_len = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) +
	                        sizeof(struct rte_vxlan_hdr) + inner_len;
	const struct rte_udp_hdr *udp =
	        (const struct rte_udp_hdr *)assert_outer(m, nh_mac, dst_pa, IPPROTO_UDP, ip_len);
	const struct rte_vxlan_hdr *vx = (const struct rte_vxlan_hdr *)(udp + 1);
	const uint16_t sport = encap_vxlan_sport(encap_inner_hash(inner, inner_len));

	assert_int_equal(rte_be_to_cpu_16(udp->src_port), sport);
	assert_int_equal(udp->dst_port, RTE_BE16(ENCAP_VXLAN_PORT));
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), ip_len - sizeof(struct rte_ipv4_hdr));
	assert_int_equal(udp->dgram_cksum, 0);
	assert_int_equal(vx->vx_flags, RTE_BE32(0x08000000));
	assert_int_equal(rte_be_to_cpu_32(vx->vx_vni), vni << 8);
	assert_memory_equal(vx + 1, inner, inner_len);
}

/* ---- builder ---- */

static void
expect_create_einval(const struct vfp_host_params *hp)
{
	rte_errno = 0;
	assert_null(vfp_program_create(hp));
	assert_int_equal(rte_errno, EINVAL);
}

static void
test_create_rejects_bad_host_params(void **state)
{
	struct vfp_host_params hp;
	struct vfp_program *p;

	(void)state;
	expect_create_einval(NULL);
	hp = host_params();
	hp.n_ports = 0;
	expect_create_einval(&hp);
	hp = host_params();
	hp.n_ports = VFP_MAX_PORTS + 1;
	expect_create_einval(&hp);
	hp = host_params();
	hp.uplink = hp.n_ports;
	expect_create_einval(&hp);
	hp = host_params();
	hp.n_pa = 0;
	expect_create_einval(&hp);
	hp = host_params();
	hp.n_pa = VFP_MAX_PA + 1;
	expect_create_einval(&hp);
	hp = host_params();
	hp.vlan = 4095;
	expect_create_einval(&hp);

	hp = host_params();
	p = vfp_program_create(&hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_n_ports(p), N_PORTS);
	assert_int_equal(vfp_program_port_role(p, PORT_UPLINK), VFP_PORT_UPLINK);
	assert_int_equal(vfp_program_port_role(p, PORT_VM1), VFP_PORT_UNUSED);
	vfp_program_free(p);
	vfp_program_free(NULL);
}

/* A PA prefix length over 32 would make the on-link test shift by a
 * negative count. */
static void
test_create_rejects_pa_prefix_over_32(void **state)
{
	struct vfp_host_params hp = host_params();

	(void)state;
	hp.pa_prefix_len[0] = 33;
	expect_create_einval(&hp);
}

static void
test_add_subnet_rejects_reserved_vsid_and_duplicate(void **state)
{
	struct vfp_host_params hp = host_params();
	struct vfp_program *p = vfp_program_create(&hp);
	const rte_be32_t net = IP4(10, 0, 0, 0), gw = IP4(10, 0, 0, 1);

	(void)state;
	assert_non_null(p);
	assert_int_equal(
	        vfp_program_add_subnet(p, 4095, 1, net, 24, gw, ENCAP_TYPE_VXLAN), -EINVAL);
	assert_int_equal(
	        vfp_program_add_subnet(p, (1u << 24) - 1, 1, net, 24, gw, ENCAP_TYPE_VXLAN),
	        -EINVAL);
	assert_int_equal(vfp_program_add_subnet(p, 4096, 1, net, 24, gw, ENCAP_TYPE_VXLAN), 0);
	assert_int_equal(
	        vfp_program_add_subnet(p, (1u << 24) - 2, 1, net, 24, gw, ENCAP_TYPE_NVGRE), 0);
	assert_int_equal(
	        vfp_program_add_subnet(p, 4096, 2, net, 16, gw, ENCAP_TYPE_NVGRE), -EEXIST);
	vfp_program_free(p);
}

static void
test_add_vnic_rejects_conflicts_within_vsid_only(void **state)
{
	struct vfp_host_params hp = host_params();
	struct vfp_program *p = vfp_program_create(&hp);
	const rte_be32_t net = IP4(10, 0, 0, 0), gw = IP4(10, 0, 0, 1);

	(void)state;
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, net, 24, gw, ENCAP_TYPE_VXLAN), 0);
	assert_int_equal(vfp_program_add_subnet(p, VSID_B, 2, net, 24, gw, ENCAP_TYPE_NVGRE), 0);

	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, 7000, &mac_vm1, IP_VM1), -ENOENT);
	assert_int_equal(vfp_program_add_vnic(p, PORT_UPLINK, VSID_A, &mac_vm1, IP_VM1), -EINVAL);
	assert_int_equal(vfp_program_add_vnic(p, N_PORTS, VSID_A, &mac_vm1, IP_VM1), -EINVAL);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, VSID_A, &mac_vm1, IP_VM1), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, VSID_A, &mac_vm2, IP_VM2), -EEXIST);
	/* Same MAC, then same IP, as VM1 in its VSID. */
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM2, VSID_A, &mac_vm1, IP_VM2), -EEXIST);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM2, VSID_A, &mac_vm2, IP_VM1), -EEXIST);
	/* The failed calls did not claim port 2. */
	assert_int_equal(vfp_program_port_role(p, PORT_VM2), VFP_PORT_UNUSED);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM2, VSID_A, &mac_vm2, IP_VM2), 0);
	/* VM1's MAC and IP are free in another VSID. */
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM3, VSID_B, &mac_vm1, IP_VM1), 0);

	assert_int_equal(vfp_program_port_role(p, PORT_VM1), VFP_PORT_VM);
	assert_int_equal(vfp_program_port_role(p, PORT_VM3), VFP_PORT_VM);
	assert_int_equal(vfp_program_port_role(p, PORT_VM4), VFP_PORT_UNUSED);
	vfp_program_free(p);
}

static void
test_add_mapping_checks_pa_and_reachability(void **state)
{
	struct vfp_host_params hp = host_params();
	struct vfp_program *p;
	struct rte_ether_addr mac;
	unsigned int resolved;
	rte_be32_t ip;
	bool ok;

	(void)state;
	/* Without a gateway only on-link PAs are reachable. */
	hp.gateway = 0;
	hp.has_gateway_mac = false;
	p = vfp_program_create(&hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
	                         IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
	        0);
	assert_int_equal(vfp_program_add_mapping(p, 7000, IP_R1, &mac_r1, PA_R1), -ENOENT);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_LOCAL), -EINVAL);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, 0), -EINVAL);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), -EHOSTUNREACH);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r3, PA_ONLINK), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r1, PA_ONLINK), -EEXIST);
	assert_int_equal(vfp_neigh_count(p, &resolved), 1);
	assert_int_equal(resolved, 0);
	vfp_program_free(p);

	/* With one, off-link PAs share the gateway as next hop, resolved
	 * from the configured MAC. */
	hp = host_params();
	p = vfp_program_create(&hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
	                         IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
	        0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r3, PA_R2), 0);
	assert_int_equal(vfp_neigh_count(p, &resolved), 1);
	assert_int_equal(resolved, 1);
	assert_int_equal(vfp_neigh_get(p, 0, &ip, &mac, &ok), 0);
	assert_int_equal(ip, PA_GW);
	assert_true(ok);
	assert_true(rte_is_same_ether_addr(&mac, &gw_mac));
	assert_int_equal(vfp_neigh_get(p, 1, &ip, &mac, &ok), -ENOENT);
	vfp_program_free(p);
}

/* A rejected mapping must leave no next hop behind for the resolver to ARP. */
static void
test_failed_add_mapping_adds_no_next_hop(void **state)
{
	struct vfp_host_params hp = host_params();
	struct vfp_program *p = vfp_program_create(&hp);
	const struct rte_ether_addr multicast = {{0x01, 0, 0x5e, 0, 0, 1}};

	(void)state;
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
	                         IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
	        0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_neigh_count(p, NULL), 1);
	/* Duplicate CA, and a multicast MAC, each via a new on-link PA. */
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r3, PA_ONLINK), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &multicast, PA_ONLINK), -EINVAL);
	assert_int_equal(vfp_neigh_count(p, NULL), 1);
	vfp_program_free(p);
}

/* ---- pipeline ---- */

static void
test_hairpin_between_local_vms_keeps_frame(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_vm2, IP_VM1, IP_VM2, 1000);

	run1(f, PORT_VM1, mbuf_of(frame, len));

	assert_int_equal(f->log.n, 1);
	assert_frame(sent(f, PORT_VM2, 0), frame, len);
	assert_int_equal(f->lc.stats[PORT_VM1].rx_bytes, len);
	assert_int_equal(f->lc.stats[PORT_VM2].tx_bytes, len);
	assert_stats(f, [PORT_VM1] = {.rx = 1}, [PORT_VM2] = {.tx = 1});
	assert_no_leak(f);
}

static void
test_vm_in_other_vsid_is_unreachable(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len;

	/* VM3 (VSID_B) to VM2's MAC, which exists only in VSID_A. */
	len = udp_frame(frame, 80, &MAC_VM3, &mac_vm2, IP_VM3, IP_VM2, 1000);
	run1(f, PORT_VM3, mbuf_of(frame, len));
	/* VM1 (VSID_A) to VM4's MAC, which exists only in VSID_B. */
	len = udp_frame(frame, 80, &mac_vm1, &mac_vm4, IP_VM1, IP_VM4, 1000);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	/* VM3 to its own MAC: also VM1's, but VM1 is in the other VSID. */
	len = udp_frame(frame, 80, &MAC_VM3, &MAC_VM3, IP_VM3, IP_VM3, 1000);
	run1(f, PORT_VM3, mbuf_of(frame, len));

	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_VM1] = {.rx = 1, .drops = {[HNV_DROP_UNKNOWN_DST] = 1}},
	        [PORT_VM3] = {.rx = 2, .drops = {[HNV_DROP_UNKNOWN_DST] = 2}});
	assert_no_leak(f);
}

static void
test_vxlan_encap_sets_outer_headers_and_entropy(void **state)
{
	struct fixture *f = *state;
	uint8_t a[FRAME_MAX], b[FRAME_MAX];
	uint16_t la = udp_frame(a, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	uint16_t lb = udp_frame(b, 333, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1001);
	struct rte_mbuf *pkts[] = {mbuf_of(a, la), mbuf_of(b, lb)};

	run(f, PORT_VM1, pkts, 2);

	assert_int_equal(f->log.n, 2);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, a, la);
	assert_vxlan(sent(f, PORT_UPLINK, 1), &gw_mac, PA_R1, VSID_A, b, lb);
	assert_int_equal(f->lc.stats[PORT_UPLINK].tx_bytes, la + lb + 2 * ENCAP_VXLAN_HDR_LEN);
	assert_stats(f, [PORT_UPLINK] = {.tx = 2, .encapsulated = 2}, [PORT_VM1] = {.rx = 2});
	assert_no_leak(f);
}

static void
test_nvgre_encap_key_is_vsid_and_flow_id(void **state)
{
	struct fixture *f = *state;
	uint8_t inner[FRAME_MAX];
	uint16_t len = udp_frame(inner, 120, &MAC_VM3, &MAC_R2, IP_VM3, IP_R2, 4242);
	const uint16_t ip_len = sizeof(struct rte_ipv4_hdr) + 8 + len;
	const uint32_t hash = encap_inner_hash(inner, len);
	const uint8_t *gre;
	struct rte_mbuf *m;

	/* Same destination MAC as R1 in VSID_A, but VSID_B maps it to R2. */
	run1(f, PORT_VM3, mbuf_of(inner, len));

	assert_int_equal(f->log.n, 1);
	m = sent(f, PORT_UPLINK, 0);
	gre = assert_outer(m, &gw_mac, PA_R2, IPPROTO_GRE, ip_len);
	assert_int_equal(rd16(gre), 0x2000); /* K bit only, version 0 */
	assert_int_equal(rd16(gre + 2), RTE_ETHER_TYPE_TEB);
	assert_int_equal(rd32(gre + 4), VSID_B << 8 | (hash & 0xff));
	assert_memory_equal(gre + 8, inner, len);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1}, [PORT_VM3] = {.rx = 1});
	assert_no_leak(f);
}

static void
test_decap_delivers_exact_inner_frame_to_vsid_port(void **state)
{
	struct fixture *f = *state;
	uint8_t in_a[FRAME_MAX], in_b[FRAME_MAX], out_a[FRAME_MAX], out_b[FRAME_MAX];
	/* The same inner MAC pair in both VSIDs: VM1's port for VSID_A, VM3's
	 * for VSID_B. */
	uint16_t la = udp_frame(in_a, 90, &mac_r1, &mac_vm1, IP_R1, IP_VM1, 53);
	uint16_t lb = udp_frame(in_b, 91, &MAC_R2, &MAC_VM3, IP_R2, IP_VM3, 53);
	uint16_t oa = tunnel_frame(out_a, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, in_a, la);
	uint16_t ob = tunnel_frame(out_b, ENCAP_TYPE_NVGRE, VSID_B, PA_R2, in_b, lb);
	struct rte_mbuf *pkts[2];

	/* Ethernet padding after the VXLAN packet is not part of the inner frame. */
	memset(out_a + oa, 0xee, 6);
	pkts[0] = mbuf_of(out_a, oa + 6);
	pkts[1] = mbuf_of(out_b, ob);
	run(f, PORT_UPLINK, pkts, 2);

	assert_int_equal(f->log.n, 2);
	assert_frame(sent(f, PORT_VM1, 0), in_a, la);
	assert_frame(sent(f, PORT_VM3, 0), in_b, lb);
	assert_stats(f, [PORT_UPLINK] = {.rx = 2, .decapsulated = 2}, [PORT_VM1] = {.tx = 1},
	        [PORT_VM3] = {.tx = 1});
	assert_no_leak(f);
}

static void
test_inbound_broadcast_reaches_every_vm_of_its_vsid_only(void **state)
{
	struct fixture *f = *state;
	uint8_t in_a[FRAME_MAX], in_b[FRAME_MAX], out_a[FRAME_MAX], out_b[FRAME_MAX];
	uint16_t la = udp_frame(in_a, 70, &mac_r1, &bcast, IP_R1, IP4(10, 0, 0, 255), 67);
	uint16_t lb = udp_frame(in_b, 75, &MAC_R2, &bcast, IP_R2, IP4(10, 0, 0, 255), 68);
	uint16_t oa = tunnel_frame(out_a, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, in_a, la);
	uint16_t ob = tunnel_frame(out_b, ENCAP_TYPE_NVGRE, VSID_B, PA_R2, in_b, lb);

	run1(f, PORT_UPLINK, mbuf_of(out_a, oa));
	assert_int_equal(f->log.n, 2);
	/* One mbuf, shared by the two ports. */
	assert_ptr_equal(sent(f, PORT_VM1, 0), sent(f, PORT_VM2, 0));
	assert_int_equal(rte_mbuf_refcnt_read(sent(f, PORT_VM1, 0)), 2);
	assert_frame(sent(f, PORT_VM1, 0), in_a, la);
	assert_int_equal(n_sent(f, PORT_VM3) + n_sent(f, PORT_VM4), 0);

	run1(f, PORT_UPLINK, mbuf_of(out_b, ob));
	assert_int_equal(f->log.n, 4);
	assert_int_equal(n_sent(f, PORT_VM1) + n_sent(f, PORT_VM2), 2);
	assert_frame(sent(f, PORT_VM3, 0), in_b, lb);
	assert_frame(sent(f, PORT_VM4, 0), in_b, lb);
	assert_int_equal(rte_mbuf_refcnt_read(sent(f, PORT_VM3, 0)), 2);

	assert_stats(f, [PORT_UPLINK] = {.rx = 2, .decapsulated = 2}, [PORT_VM1] = {.tx = 1},
	        [PORT_VM2] = {.tx = 1}, [PORT_VM3] = {.tx = 1}, [PORT_VM4] = {.tx = 1});
	assert_no_leak(f);
}

static void
test_too_big_beyond_uplink_mtu(void **state)
{
	struct fixture *f = *state;
	/* VXLAN adds 36 bytes above the inner frame at L3 (IPv4, UDP, VXLAN). */
	const uint16_t max_inner = 1500 - 36;
	uint8_t frame[FRAME_MAX];
	struct rte_mbuf *pkts[2];

	pkts[0] = mbuf_of(frame, udp_frame(frame, max_inner, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1));
	pkts[1] = mbuf_of(
	        frame, udp_frame(frame, max_inner + 1, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1));
	run(f, PORT_VM1, pkts, 2);

	assert_int_equal(f->log.n, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(sent(f, PORT_UPLINK, 0)), 14 + 1500);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1},
	        [PORT_VM1] = {.rx = 2, .drops = {[HNV_DROP_TOO_BIG] = 1}});
	assert_no_leak(f);
}

static void
test_no_headroom_for_outer_header(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct rte_mbuf *pkts[] = {
	        mbuf_at(frame, len, ENCAP_VXLAN_HDR_LEN - 1),
	        mbuf_at(frame, len, ENCAP_VXLAN_HDR_LEN),
	};

	run(f, PORT_VM1, pkts, 2);

	assert_int_equal(f->log.n, 1);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, frame, len);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1},
	        [PORT_VM1] = {.rx = 2, .drops = {[HNV_DROP_NO_HEADROOM] = 1}});
	assert_no_leak(f);
}

/* The ARP request we expect for @tpa, byte for byte. */
static void
assert_arp_request(const struct rte_mbuf *m, rte_be32_t tpa)
{
	uint8_t want[64];
	uint16_t len =
	        arp_frame(want, RTE_ARP_OP_REQUEST, &bcast, &uplink_mac, PA_LOCAL, &zero_mac, tpa);

	assert_frame(m, want, len);
}

static void
test_unresolved_next_hop_sends_one_arp_request(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);

	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 1);
	assert_arp_request(sent(f, PORT_UPLINK, 0), PA_GW);

	/* Within the second: dropped, no second request. */
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 1);

	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .arp_requests = 1},
	        [PORT_VM1] = {.rx = 2, .drops = {[HNV_DROP_NEXTHOP_UNRESOLVED] = 2}});
	assert_no_leak(f);
}

static void
test_arp_reply_from_gateway_resolves_next_hop(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], reply[64];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	uint16_t rlen = arp_frame(reply, RTE_ARP_OP_REPLY, &uplink_mac, &learned_gw_mac, PA_GW,
	        &uplink_mac, PA_LOCAL);
	struct rte_ether_addr mac;
	unsigned int resolved;
	rte_be32_t ip;
	bool ok;

	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(n_sent(f, PORT_UPLINK), 1); /* the request */

	run1(f, PORT_UPLINK, mbuf_of(reply, rlen));
	assert_int_equal(vfp_neigh_count(f->p, &resolved), 2);
	assert_int_equal(resolved, 1);
	assert_int_equal(vfp_neigh_get(f->p, 0, &ip, &mac, &ok), 0);
	assert_int_equal(ip, PA_GW);
	assert_true(ok);
	assert_true(rte_is_same_ether_addr(&mac, &learned_gw_mac));

	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 2);
	assert_vxlan(sent(f, PORT_UPLINK, 1), &learned_gw_mac, PA_R1, VSID_A, frame, len);

	assert_stats(f,
	        [PORT_UPLINK] =
	                {.rx = 1, .tx = 2, .arp_requests = 1, .encapsulated = 1, .consumed = 1},
	        [PORT_VM1] = {.rx = 2, .drops = {[HNV_DROP_NEXTHOP_UNRESOLVED] = 1}});
	assert_no_leak(f);
}

static void
test_arp_reply_does_not_relearn_configured_gateway_mac(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], reply[64];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	uint16_t rlen = arp_frame(reply, RTE_ARP_OP_REPLY, &uplink_mac, &learned_gw_mac, PA_GW,
	        &uplink_mac, PA_LOCAL);

	/* The policy fixed the gateway's MAC: an ARP claiming another one is
	 * neither learned nor for us. */
	run1(f, PORT_UPLINK, mbuf_of(reply, rlen));
	run1(f, PORT_VM1, mbuf_of(frame, len));

	assert_int_equal(f->log.n, 1);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, frame, len);
	assert_stats(f,
	        [PORT_UPLINK] = {.rx = 1,
	                .tx = 1,
	                .encapsulated = 1,
	                .drops = {[HNV_DROP_ARP_NOT_FOR_US] = 1}},
	        [PORT_VM1] = {.rx = 1});
	assert_no_leak(f);
}

static void
test_neigh_solicit_asks_each_unresolved_next_hop_once(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	unsigned int resolved;

	assert_int_equal(vfp_neigh_count(f->p, &resolved), 2);
	assert_int_equal(resolved, 0);
	assert_int_equal(vfp_neigh_solicit(f->p, &f->lc, pool), 2);
	vfp_lcore_flush(&f->lc);
	assert_int_equal(f->log.n, 2);
	assert_arp_request(sent(f, PORT_UPLINK, 0), PA_GW);
	assert_arp_request(sent(f, PORT_UPLINK, 1), PA_ONLINK);

	/* Within the second: neither the control lcore nor a VM packet asks
	 * again. */
	assert_int_equal(vfp_neigh_solicit(f->p, &f->lc, pool), 0);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 2);

	assert_stats(f, [PORT_UPLINK] = {.tx = 2, .arp_requests = 2},
	        [PORT_VM1] = {.rx = 1, .drops = {[HNV_DROP_NEXTHOP_UNRESOLVED] = 1}});
	assert_no_leak(f);
}

static void
test_neigh_solicit_skips_resolved_next_hops(void **state)
{
	struct fixture *f = *state;

	/* The gateway's MAC is configured; only the on-link PA is asked for. */
	assert_int_equal(vfp_neigh_solicit(f->p, &f->lc, pool), 1);
	vfp_lcore_flush(&f->lc);
	assert_int_equal(f->log.n, 1);
	assert_arp_request(sent(f, PORT_UPLINK, 0), PA_ONLINK);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .arp_requests = 1});
	assert_no_leak(f);
}

static void
test_tx_full_drops_what_tx_did_not_take(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_vm2, IP_VM1, IP_VM2, 1000);
	struct rte_mbuf *pkts[5];

	for (unsigned int i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = mbuf_of(frame, len);
	f->log.accept = 2;
	run(f, PORT_VM1, pkts, RTE_DIM(pkts));

	assert_int_equal(f->log.n, 2);
	assert_int_equal(f->lc.stats[PORT_VM2].tx_bytes, 2 * len);
	/* Charged to the port that could not transmit. */
	assert_stats(f, [PORT_VM1] = {.rx = 5},
	        [PORT_VM2] = {.tx = 2, .drops = {[HNV_DROP_TX_FULL] = 3}});
	assert_no_leak(f);
}

static void
test_multi_segment_input_is_linearized(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 200, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct rte_mbuf *head = mbuf_of(frame, 40);

	assert_int_equal(rte_pktmbuf_chain(head, mbuf_of(frame + 40, len - 40)), 0);
	assert_int_equal(head->nb_segs, 2);
	run1(f, PORT_VM1, head);

	assert_int_equal(f->log.n, 1);
	/* The entropy comes from the whole inner headers, not the first 40 bytes. */
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, frame, len);
	assert_int_equal(f->lc.stats[PORT_VM1].rx_bytes, len);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1}, [PORT_VM1] = {.rx = 1});
	assert_no_leak(f);
}

static void
test_port_without_vm_drops_port_unbound(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 64, &mac_vm1, &mac_vm2, IP_VM1, IP_VM2, 1000);
	struct rte_mbuf *pkts[] = {mbuf_of(frame, len), mbuf_of(frame, len)};

	run(f, PORT_UNBOUND, pkts, 2);

	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_UNBOUND] = {.rx = 2, .drops = {[HNV_DROP_PORT_UNBOUND] = 2}});
	assert_no_leak(f);
}

/* ---- EAL ---- */

static int
group_setup(void **state)
{
	char *argv[] = {"test_vfp", "--no-huge", "-m", "128", "--no-pci", "--no-shconf", "-l", "0",
	        "--log-level=lib.*:error"};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create(
	        "test_vfp", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
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

#define PIPELINE(t, s) cmocka_unit_test_setup_teardown(t, s, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_create_rejects_bad_host_params),
	        cmocka_unit_test(test_add_subnet_rejects_reserved_vsid_and_duplicate),
	        cmocka_unit_test(test_add_vnic_rejects_conflicts_within_vsid_only),
	        cmocka_unit_test(test_add_mapping_checks_pa_and_reachability),
	        cmocka_unit_test(test_create_rejects_pa_prefix_over_32),
	        cmocka_unit_test(test_failed_add_mapping_adds_no_next_hop),
	        PIPELINE(test_hairpin_between_local_vms_keeps_frame, setup_static_gw),
	        PIPELINE(test_vm_in_other_vsid_is_unreachable, setup_static_gw),
	        PIPELINE(test_vxlan_encap_sets_outer_headers_and_entropy, setup_static_gw),
	        PIPELINE(test_nvgre_encap_key_is_vsid_and_flow_id, setup_static_gw),
	        PIPELINE(test_decap_delivers_exact_inner_frame_to_vsid_port, setup_static_gw),
	        PIPELINE(test_inbound_broadcast_reaches_every_vm_of_its_vsid_only, setup_static_gw),
	        PIPELINE(test_too_big_beyond_uplink_mtu, setup_static_gw),
	        PIPELINE(test_no_headroom_for_outer_header, setup_static_gw),
	        PIPELINE(test_unresolved_next_hop_sends_one_arp_request, setup_dynamic_gw),
	        PIPELINE(test_arp_reply_from_gateway_resolves_next_hop, setup_dynamic_gw),
	        PIPELINE(test_arp_reply_does_not_relearn_configured_gateway_mac, setup_static_gw),
	        PIPELINE(test_neigh_solicit_asks_each_unresolved_next_hop_once, setup_dynamic_gw),
	        PIPELINE(test_neigh_solicit_skips_resolved_next_hops, setup_static_gw),
	        PIPELINE(test_tx_full_drops_what_tx_did_not_take, setup_static_gw),
	        PIPELINE(test_multi_segment_input_is_linearized, setup_static_gw),
	        PIPELINE(test_port_without_vm_drops_port_unbound, setup_static_gw),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
