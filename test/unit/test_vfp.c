/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp.c: unit tests for lib/vfp: the builder and the
 * per-packet pipeline.
 *
 * Owns: the program builder's error paths (host, subnets, NICs, mappings,
 * layers, groups, rules, publication), and the per-packet pipeline on a
 * small hand-built program published on a switch of its own, driven with
 * mbufs and a collecting transmit callback: hairpin, VSID isolation,
 * VXLAN/NVGRE encap fields, decap, inbound flood with reference counts,
 * MTU/headroom drops, next-hop resolution and its rate limit, partial
 * transmit, multi-segment input, unbound ports; and the layer walk: the
 * order of layers by direction, of groups in a layer, one rule per group,
 * and how ACL, VNet and PA-routing layers compose; and the port limits on
 * a host of 1100 ports (forwarding between ports beyond 64 and 1024, a
 * flood to 1000 ports, more than 64 ports' transmit buffers flushed in one
 * go, in the order they filled). Every pipeline test checks every counter
 * of every port and that no mbuf is leaked.
 * test_vfp_uft.c covers the flow table (hits, state, aging, invalidation,
 * trace). Needs EAL (started with --no-huge in the group setup). The
 * fixture, the host and the frame builders are in vfp_test_util.c.
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
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "vfp_test_util.h"

/*
 * The host: port 0 is the uplink, ports 1-4 are VMs, port 5 is unbound.
 * VSID_A (VXLAN) and VSID_B (NVGRE) overlap: VM3 has VM1's MAC and IP, R2
 * has R1's. R1 and R2 sit behind the gateway, R3 is on our PA link.
 */
enum { PORT_UPLINK, PORT_VM1, PORT_VM2, PORT_VM3, PORT_VM4, PORT_UNBOUND, N_PORTS };

#define VSID_A 5000u
#define VSID_B 6000u
#define PA_ONLINK IP4(192, 168, 1, 30)
#define PA_R1 IP4(172, 16, 0, 20)
#define PA_R2 IP4(172, 16, 0, 30)
#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_VM2 IP4(10, 0, 0, 12)
#define IP_VM4 IP4(10, 0, 0, 14)
#define IP_R1 IP4(10, 0, 0, 21)
#define IP_R3 IP4(10, 0, 0, 23)

static const struct rte_ether_addr learned_gw_mac = {{0x02, 0, 0, 0, 0, 0xfd}};
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

/* ---- the program; the fixture around it is in vfp_test_util.c ---- */

static uint16_t uplink_mtu; /* of the programs build_program() makes; 0: 1500 */
static bool tx_ipv4_cksum;  /* ... and whether their uplink computes outer checksums */
static bool team;           /* ... and whether PORT_UNBOUND is a second uplink (a NIC team) */

/* The team's second member: its own PA, MAC and VLAN. */
#define PA_LOCAL2 IP4(192, 168, 1, 11)
#define TEAM_VLAN 30
static const struct rte_ether_addr team_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const rte_be32_t PA_LOCAL_BE = PA_LOCAL, PA_LOCAL2_BE = PA_LOCAL2;

static struct vfp_program *
build_program(struct vfp_switch *sw, bool static_gateway_mac)
{
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p;

	hp.has_gateway_mac = static_gateway_mac;
	hp.uplink_mtu = uplink_mtu;
	hp.tx_ipv4_cksum = tx_ipv4_cksum;
	if (team) {
		hp.n_uplinks = 2;
		hp.uplinks[0] = PORT_UPLINK;
		hp.uplinks[1] = PORT_UNBOUND;
		hp.uplink_macs[0] = uplink_mac;
		hp.uplink_macs[1] = team_mac;
		hp.vlans[1] = TEAM_VLAN;
		hp.n_pa = 2;
		hp.pa[1] = PA_LOCAL2;
		hp.pa_prefix_len[1] = 24;
	}
	p = vfp_program_create(sw, &hp);
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
	for (uint16_t port = PORT_VM1; port <= PORT_VM4; port++)
		add_std_layers(p, port);
	return p;
}

static int
setup(void **state, bool static_gateway_mac)
{
	struct fixture *f = fixture_new("test_vfp", 4096);

	if (f == NULL)
		return -1;
	fixture_start(f, build_program(f->sw, static_gateway_mac));
	*state = f;
	return 0;
}
/* The gateway's MAC is configured: next hops behind it are resolved. */
static int
setup_static_gw(void **state)
{
	uplink_mtu = 0;
	tx_ipv4_cksum = false;
	return setup(state, true);
}

/* setup_static_gw() with a jumbo underlay: 9100 bytes, room for a VM's
 * 9000-byte packets and their outer headers. */
static int
setup_jumbo(void **state)
{
	uplink_mtu = 9100;
	tx_ipv4_cksum = false;
	return setup(state, true);
}

/* setup_static_gw() with an uplink that computes outer IPv4 checksums. */
static int
setup_cksum_offload(void **state)
{
	uplink_mtu = 0;
	tx_ipv4_cksum = true;
	return setup(state, true);
}

/* setup_static_gw() with a NIC team: PORT_UPLINK (PA_LOCAL, untagged) and
 * PORT_UNBOUND (PA_LOCAL2, team_mac, VLAN TEAM_VLAN). */
static int
setup_team(void **state)
{
	int rc;

	uplink_mtu = 0;
	tx_ipv4_cksum = false;
	team = true;
	rc = setup(state, true);
	team = false;
	return rc;
}

/* setup_team() with the gateway's MAC learned by ARP, on each member. */
static int
setup_team_dynamic(void **state)
{
	int rc;

	uplink_mtu = 0;
	tx_ipv4_cksum = false;
	team = true;
	rc = setup(state, false);
	team = false;
	return rc;
}

/* The gateway's MAC must be learned by ARP. */
static int
setup_dynamic_gw(void **state)
{
	uplink_mtu = 0;
	tx_ipv4_cksum = false;
	return setup(state, false);
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

/* Every counter of ports 0..@n_ports-1 is as @w says. */
static void
check_stats_n(const struct fixture *f, const struct want *w, uint16_t n_ports)
{
	for (uint16_t port = 0; port < n_ports; port++) {
		const struct vfp_port_stats *s = PORT_STATS(f, port);

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

static void
check_stats(const struct fixture *f, const struct want *w)
{
	check_stats_n(f, w, N_PORTS);
}

/* ---- frames ---- */

/* Ethernet + IPv4 + UDP to port 2000, @len bytes in all. */
static uint16_t
udp_frame(uint8_t *buf, uint16_t len, const struct rte_ether_addr *src,
	const struct rte_ether_addr *dst, rte_be32_t sip, rte_be32_t dip, uint16_t sport)
{
	return l4_frame(buf, len, IPPROTO_UDP, src, dst, sip, dip, sport, 2000, 0);
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

/* Builder tests get a switch of their own in *state. */
static int
setup_switch(void **state)
{
	*state = switch_new(1024);
	return 0;
}

static int
teardown_switch(void **state)
{
	vfp_switch_free(*state);
	return 0;
}

static void
test_switch_create_rejects_bad_params(void **state)
{
	struct vfp_switch_params sp = {.flow_capacity = 1024, .n_lcores = 0};
	struct vfp_switch *sw;
	unsigned int cap;

	(void)state;
	rte_errno = 0;
	assert_null(vfp_switch_create(NULL));
	assert_int_equal(rte_errno, EINVAL);
	rte_errno = 0;
	assert_null(vfp_switch_create(&sp));
	assert_int_equal(rte_errno, EINVAL);
	sp.n_lcores = VFP_MAX_LCORES + 1;
	rte_errno = 0;
	assert_null(vfp_switch_create(&sp));
	assert_int_equal(rte_errno, EINVAL);

	sp.n_lcores = VFP_MAX_LCORES;
	sw = vfp_switch_create(&sp);
	assert_non_null(sw);
	assert_int_equal(vfp_switch_flow_count(sw, &cap), 0);
	assert_int_equal(cap, 1024);
	assert_null(vfp_switch_program(sw));
	vfp_switch_free(sw);
	vfp_switch_free(NULL);
}

static void
expect_create_einval(struct vfp_switch *sw, const struct vfp_host_params *hp)
{
	rte_errno = 0;
	assert_null(vfp_program_create(sw, hp));
	assert_int_equal(rte_errno, EINVAL);
}

static void
test_create_rejects_bad_host_params(void **state)
{
	struct vfp_switch *sw = *state;
	struct vfp_host_params hp;
	struct vfp_program *p;

	expect_create_einval(sw, NULL);
	hp = host_params(N_PORTS);
	expect_create_einval(NULL, &hp);
	hp = host_params(N_PORTS);
	hp.n_ports = 0;
	expect_create_einval(sw, &hp);
	hp = host_params(N_PORTS);
	hp.n_ports = VFP_MAX_PORTS + 1;
	expect_create_einval(sw, &hp);
	hp = host_params(N_PORTS);
	hp.uplink = hp.n_ports;
	expect_create_einval(sw, &hp);
	hp = host_params(N_PORTS);
	hp.n_pa = 0;
	expect_create_einval(sw, &hp);
	hp = host_params(N_PORTS);
	hp.n_pa = VFP_MAX_PA + 1;
	expect_create_einval(sw, &hp);
	hp = host_params(N_PORTS);
	hp.vlan = 4095;
	expect_create_einval(sw, &hp);

	hp = host_params(N_PORTS);
	p = vfp_program_create(sw, &hp);
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
	struct vfp_switch *sw = *state;
	struct vfp_host_params hp = host_params(N_PORTS);

	hp.pa_prefix_len[0] = 33;
	expect_create_einval(sw, &hp);
}

static void
test_add_subnet_rejects_reserved_vsid_and_duplicate(void **state)
{
	struct vfp_switch *sw = *state;
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);
	const rte_be32_t net = IP4(10, 0, 0, 0), gw = IP4(10, 0, 0, 1);

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
	struct vfp_switch *sw = *state;
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);
	const rte_be32_t net = IP4(10, 0, 0, 0), gw = IP4(10, 0, 0, 1);

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
	struct vfp_switch *sw = switch_new(1024);
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p;
	struct rte_ether_addr mac;
	unsigned int resolved;
	rte_be32_t ip;
	bool ok;

	/* Without a gateway only on-link PAs are reachable. */
	hp.gateway = 0;
	hp.has_gateway_mac = false;
	p = vfp_program_create(sw, &hp);
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
	/* Compiling writes nothing into the switch; publishing binds. */
	assert_int_equal(vfp_neigh_count(sw, NULL), 0);
	assert_int_equal(vfp_switch_publish(sw, p), 0);
	assert_int_equal(vfp_neigh_count(sw, &resolved), 1);
	assert_int_equal(resolved, 0);
	vfp_switch_free(sw);

	/* With one, off-link PAs share the gateway as next hop, resolved
	 * from the configured MAC. */
	sw = switch_new(1024);
	hp = host_params(N_PORTS);
	p = vfp_program_create(sw, &hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
				 IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r3, PA_R2), 0);
	assert_int_equal(vfp_switch_publish(sw, p), 0);
	assert_int_equal(vfp_neigh_count(sw, &resolved), 1);
	assert_int_equal(resolved, 1);
	assert_int_equal(vfp_neigh_get(sw, 0, &ip, &mac, &ok), 0);
	assert_int_equal(ip, PA_GW);
	assert_true(ok);
	assert_true(rte_is_same_ether_addr(&mac, &gw_mac));
	assert_int_equal(vfp_neigh_get(sw, 1, &ip, &mac, &ok), -ENOENT);
	vfp_switch_free(sw);
	(void)state;
}

/* A rejected mapping must leave no next hop behind for the resolver to ARP. */
static void
test_failed_add_mapping_adds_no_next_hop(void **state)
{
	struct vfp_switch *sw = switch_new(1024);
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);
	const struct rte_ether_addr multicast = {{0x01, 0, 0x5e, 0, 0, 1}};

	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
				 IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	/* Duplicate CA, and a multicast MAC, each via a new on-link PA. */
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r3, PA_ONLINK), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R3, &multicast, PA_ONLINK), -EINVAL);
	assert_int_equal(vfp_switch_publish(sw, p), 0);
	assert_int_equal(vfp_neigh_count(sw, NULL), 1);
	vfp_switch_free(sw);
	(void)state;
}

static void
test_layer_group_rule_add_validate(void **state)
{
	struct vfp_switch *sw = *state;
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(sw, &hp);
	struct vfp_rule_spec r = rule_spec("allow", 5, 0, VFP_ACT_ALLOW);
	char name[VFP_NAME_MAX + 1];
	int l0, l1, g;

	assert_non_null(p);
	memset(name, 'x', VFP_NAME_MAX);
	name[VFP_NAME_MAX] = '\0';
	assert_int_equal(vfp_layer_add(p, N_PORTS, "acl", 10, false), -EINVAL);
	assert_int_equal(vfp_layer_add(p, PORT_VM1, "", 10, false), -EINVAL);
	assert_int_equal(vfp_layer_add(p, PORT_VM1, name, 10, false), -EINVAL);
	/* Ids are in the order added, whatever the priorities. */
	l0 = vfp_layer_add(p, PORT_VM1, "late", 30, false);
	l1 = vfp_layer_add(p, PORT_VM1, "early", 10, true);
	assert_int_equal(l0, 0);
	assert_int_equal(l1, 1);
	assert_int_equal(vfp_layer_add(p, PORT_VM1, "late", 40, false), -EEXIST);
	assert_int_equal(vfp_layer_add(p, PORT_VM1, "other", 10, false), -EEXIST);
	/* Another port has layers of its own. */
	assert_int_equal(vfp_layer_add(p, PORT_VM2, "late", 30, false), 0);
	for (int i = 2; i < VFP_MAX_LAYERS; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		assert_int_equal(vfp_layer_add(p, PORT_VM1, name, (uint16_t)(100 + i), false), i);
	}
	assert_int_equal(vfp_layer_add(p, PORT_VM1, "one-too-many", 200, false), -ENOSPC);

	assert_int_equal(
		vfp_group_add(p, PORT_VM1, 99, "g", 1, VFP_DIR_OUT, VFP_FAMILY_ANY), -EINVAL);
	assert_int_equal(
		vfp_group_add(p, PORT_VM1, l0, "g", 1, (enum vfp_dir)7, VFP_FAMILY_ANY), -EINVAL);
	assert_int_equal(
		vfp_group_add(p, PORT_VM1, l0, "g", 1, VFP_DIR_OUT, (enum vfp_family)9), -EINVAL);
	g = vfp_group_add(p, PORT_VM1, l0, "g", 1, VFP_DIR_OUT, VFP_FAMILY_IPV4);
	assert_int_equal(g, 0);
	assert_int_equal(
		vfp_group_add(p, PORT_VM1, l0, "g", 2, VFP_DIR_IN, VFP_FAMILY_ANY), -EEXIST);

	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g + 1, &r), -EINVAL);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, NULL), -EINVAL);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), 0);
	/* Priority or name taken in the group. */
	r = rule_spec("other", 5, 0, VFP_ACT_BLOCK);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EEXIST);
	r = rule_spec("allow", 6, 0, VFP_ACT_BLOCK);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EEXIST);
	/* A rewrite must say what it rewrites; unknown actions are refused. */
	r = rule_spec("set", 7, 0, VFP_ACT_SET_MAC);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EINVAL);
	r.actions[0].set = 0x4;
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EINVAL);
	r = rule_spec("bad", 7, 0, (enum vfp_action_type)0);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EINVAL);
	r = rule_spec("many", 7, 0, VFP_ACT_ALLOW);
	r.n_actions = VFP_MAX_ACTIONS + 1;
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), -EINVAL);
	/* A lower priority goes first: its id is its position. */
	r = rule_spec("first", 1, 0, VFP_ACT_BLOCK);
	assert_int_equal(vfp_rule_add(p, PORT_VM1, l0, g, &r), 0);
	vfp_program_free(p);
}

/* A program belongs to the switch it was built for. */
static void
test_publish_rejects_program_of_other_switch(void **state)
{
	struct vfp_switch *sw = *state, *other = switch_new(1024);
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(other, &hp);

	assert_non_null(p);
	assert_int_equal(vfp_switch_publish(sw, p), -EINVAL);
	assert_int_equal(vfp_switch_publish(sw, NULL), -EINVAL);
	assert_null(vfp_switch_program(sw));
	assert_int_equal(vfp_switch_publish(other, p), 0);
	assert_ptr_equal(vfp_switch_program(other), p);
	vfp_switch_free(other); /* frees the published program */
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
	assert_int_equal(PORT_STATS(f, PORT_VM1)->rx_bytes, len);
	assert_int_equal(PORT_STATS(f, PORT_VM2)->tx_bytes, len);
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
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->tx_bytes, la + lb + 2 * ENCAP_VXLAN_HDR_LEN);
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

/* Set DF on the IPv4 packet of @frame, checksum redone. */
static void
set_df(uint8_t *frame)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN);

	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* VXLAN adds 36 bytes above the inner frame at L3 (IPv4, UDP, VXLAN): on a
 * 1500-byte underlay the VM's IP packets may have 1450 bytes. */
#define MAX_INNER (1500 - 36)

static void
test_too_big_with_df_gets_frag_needed(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], orig[FRAME_MAX];
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_icmp_hdr *ic;
	struct rte_mbuf *pkts[2], *m;
	uint16_t len;

	udp_frame(frame, MAX_INNER, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1);
	set_df(frame);
	pkts[0] = mbuf_of(frame, MAX_INNER);
	len = udp_frame(frame, MAX_INNER + 1, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1);
	set_df(frame);
	memcpy(orig, frame, len);
	pkts[1] = mbuf_of(frame, len);
	run(f, PORT_VM1, pkts, 2);

	assert_int_equal(f->log.n, 2);
	assert_int_equal(rte_pktmbuf_pkt_len(sent(f, PORT_UPLINK, 0)), 14 + 1500);
	/* The ICMP "fragmentation needed" to the VM, from its gateway, with
	 * the inner MTU (RFC 1191) and the start of the packet (RFC 1812). */
	m = sent(f, PORT_VM1, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 20 + 8 + 548);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	ic = (const struct rte_icmp_hdr *)(ip + 1);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &mac_vm1));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &router_mac));
	assert_int_equal(ip->src_addr, IP4(10, 0, 0, 1));
	assert_int_equal(ip->dst_addr, IP_VM1);
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(ic->icmp_type, 3);
	assert_int_equal(ic->icmp_code, 4);
	assert_int_equal(rte_be_to_cpu_16(ic->icmp_seq_nb), 1450); /* bytes 6-7 */
	assert_int_equal(ic->icmp_ident, 0);
	assert_int_equal((uint16_t)~rte_raw_cksum(ic, 8 + 548), 0);
	assert_memory_equal(ic + 1, orig + 14, 548);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1},
		[PORT_VM1] = {.rx = 2, .tx = 1, .drops = {[HNV_DROP_TOO_BIG] = 1}});
	assert_int_equal(PORT_STATS(f, PORT_VM1)->icmp_sent, 1);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->fragmented, 0);
	free_sent(f);
	assert_no_leak(f);
}

/* The bytes of the @len-byte packet @m, a chain or not. */
static void
read_all(const struct rte_mbuf *m, uint8_t *buf, uint32_t len)
{
	const void *p;

	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	p = rte_pktmbuf_read(m, 0, len, buf);
	assert_non_null(p);
	if (p != buf)
		memcpy(buf, p, len);
}

static void
test_too_big_without_df_is_fragmented(void **state)
{
	struct fixture *f = *state;
	/* 1600 bytes of IP: 1424 (a multiple of 8 in 1450 - 20) and 156. */
	const uint16_t ip_len = 1600, first = 1424;
	uint8_t frame[FRAME_MAX], out[2][FRAME_MAX];
	const struct rte_ipv4_hdr *a, *b;
	uint16_t len = udp_frame(frame, 14 + ip_len, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1);
	uint32_t la = 14 + 50 + 20 + first, lb = 14 + 50 + 20 + (ip_len - 20 - first);

	run1(f, PORT_VM1, mbuf_of(frame, len));

	assert_int_equal(n_sent(f, PORT_UPLINK), 2);
	read_all(sent(f, PORT_UPLINK, 0), out[0], la);
	read_all(sent(f, PORT_UPLINK, 1), out[1], lb);
	/* One outer header (the flow's entropy) on both, lengths each its own. */
	assert_memory_equal(out[0], out[1], 14 + 2);          /* Ethernet, IPv4 version, TOS */
	assert_memory_equal(out[0] + 18, out[1] + 18, 6);     /* id, DF, TTL, protocol */
	assert_memory_equal(out[0] + 26, out[1] + 26, 8 + 2); /* addresses, UDP source port */
	assert_memory_equal(out[0] + 42, out[1] + 42, 8);     /* VXLAN */
	assert_int_equal(rte_be_to_cpu_16(*(const rte_be16_t *)(out[1] + 16)), lb - 14);
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(out[0] + 14)), 0);
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(out[1] + 14)), 0);
	/* The inner Ethernet header on each, then the fragments. */
	assert_memory_equal(out[0] + 50, frame, 14);
	assert_memory_equal(out[1] + 50, frame, 14);
	a = (const struct rte_ipv4_hdr *)(out[0] + 64);
	b = (const struct rte_ipv4_hdr *)(out[1] + 64);
	assert_int_equal(rte_be_to_cpu_16(a->total_length), 20 + first);
	assert_int_equal(rte_be_to_cpu_16(a->fragment_offset), RTE_IPV4_HDR_MF_FLAG);
	assert_int_equal(rte_be_to_cpu_16(b->total_length), ip_len - first);
	assert_int_equal(rte_be_to_cpu_16(b->fragment_offset), first / 8);
	assert_int_equal(rte_ipv4_cksum(a), 0);
	assert_int_equal(rte_ipv4_cksum(b), 0);
	assert_int_equal(a->packet_id, b->packet_id);
	assert_int_equal(a->src_addr, IP_VM1);
	assert_int_equal(b->dst_addr, IP_R1);
	/* The data, cut where the offsets say. */
	assert_memory_equal(out[0] + 84, frame + 34, first);
	assert_memory_equal(out[1] + 84, frame + 34 + first, ip_len - 20 - first);
	assert_stats(f, [PORT_UPLINK] = {.tx = 2, .encapsulated = 2}, [PORT_VM1] = {.rx = 1});
	assert_int_equal(PORT_STATS(f, PORT_VM1)->fragmented, 1);
	free_sent(f);
	assert_no_leak(f);
}

static void
test_outer_header_in_a_segment_of_its_own_without_headroom(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], a[FRAME_MAX], b[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct rte_mbuf *pkts[] = {
		/* 2 short: a frame a NIC places at an odd address would be unusual */
		mbuf_at(frame, len, ENCAP_VXLAN_HDR_LEN - 2),
		mbuf_at(frame, len, ENCAP_VXLAN_HDR_LEN),
	};
	struct rte_mbuf *m, *hoard[1024];
	unsigned int n_hoard = 0;

	run(f, PORT_VM1, pkts, 2);

	assert_int_equal(n_sent(f, PORT_UPLINK), 2);
	m = sent(f, PORT_UPLINK, 0);
	/* The outer header alone in a new first segment, the frame untouched. */
	assert_int_equal(m->nb_segs, 2);
	assert_int_equal(rte_pktmbuf_data_len(m), ENCAP_VXLAN_HDR_LEN);
	assert_ptr_equal(m->next, pkts[0]);
	read_all(m, a, ENCAP_VXLAN_HDR_LEN + len);
	assert_vxlan(sent(f, PORT_UPLINK, 1), &gw_mac, PA_R1, VSID_A, frame, len);
	read_all(sent(f, PORT_UPLINK, 1), b, ENCAP_VXLAN_HDR_LEN + len);
	assert_memory_equal(a, b, ENCAP_VXLAN_HDR_LEN + len);
	free_sent(f);

	/* No headroom and no mbuf for a header segment: no_headroom. */
	m = mbuf_at(frame, len, 0);
	while (n_hoard < RTE_DIM(hoard) && (hoard[n_hoard] = rte_pktmbuf_alloc(pool)) != NULL)
		n_hoard++;
	assert_int_not_equal(n_hoard, RTE_DIM(hoard));
	run1(f, PORT_VM1, m);
	rte_pktmbuf_free_bulk(hoard, n_hoard);
	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_UPLINK] = {.tx = 2, .encapsulated = 2},
		[PORT_VM1] = {.rx = 3, .drops = {[HNV_DROP_NO_HEADROOM] = 1}});
	assert_no_leak(f);
}

/* A VM's 9000-byte packet over a 9100-byte underlay, received as a chain of
 * 2000-byte segments: encapsulated as it is, a chain. */
static void
test_jumbo_chain_from_vm_is_encapsulated(void **state)
{
	struct fixture *f = *state;
	static uint8_t frame[JUMBO_MAX], out[JUMBO_MAX];
	uint16_t len = udp_frame(frame, 14 + 9000, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct rte_mbuf *m = mbuf_chain(frame, len, 2000, RTE_PKTMBUF_HEADROOM);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(out + 14);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);

	assert_int_equal(m->nb_segs, 5);
	run1(f, PORT_VM1, m);

	assert_int_equal(n_sent(f, PORT_UPLINK), 1);
	m = sent(f, PORT_UPLINK, 0);
	assert_int_equal(m->nb_segs, 5);
	read_all(m, out, ENCAP_VXLAN_HDR_LEN + len);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 9050);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(ip->dst_addr, PA_R1);
	assert_int_equal(rte_be_to_cpu_16(udp->dgram_len), 9030);
	assert_int_equal(
		rte_be_to_cpu_16(udp->src_port), encap_vxlan_sport(encap_inner_hash(frame, len)));
	assert_memory_equal(out + ENCAP_VXLAN_HDR_LEN, frame, len);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->rx_bytes, len);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1}, [PORT_VM1] = {.rx = 1});
	free_sent(f);

	/* One byte more than fits, with DF: too_big, by the MTU, and the
	 * "fragmentation needed" says 9050. */
	len = udp_frame(frame, 14 + 9051, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	set_df(frame);
	run1(f, PORT_VM1, mbuf_chain(frame, len, 2000, RTE_PKTMBUF_HEADROOM));
	assert_int_equal(n_sent(f, PORT_VM1), 1);
	m = sent(f, PORT_VM1, 0);
	read_all(m, out, rte_pktmbuf_pkt_len(m));
	assert_int_equal(out[14 + 20], 3); /* destination unreachable */
	assert_int_equal(out[14 + 21], 4); /* fragmentation needed */
	assert_int_equal(rd16(out + 14 + 26), 9050);
	assert_int_equal(PORT_STATS(f, PORT_VM1)->drops[HNV_DROP_TOO_BIG], 1);
	assert_no_leak(f);
}

/* A 9000-byte packet from the underlay, with padding past its outer IPv4
 * length, as a chain of 1000-byte segments: the VM gets exactly the inner
 * frame, still a chain. */
static void
test_jumbo_chain_from_uplink_is_decapsulated_padding_cut(void **state)
{
	struct fixture *f = *state;
	static uint8_t inner[JUMBO_MAX], frame[JUMBO_MAX], out[JUMBO_MAX];
	uint16_t il = udp_frame(inner, 14 + 9000, &mac_r1, &mac_vm1, IP_R1, IP_VM1, 1000);
	uint16_t len = tunnel_frame(frame, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, inner, il);
	struct rte_mbuf *m;

	memset(frame + len, 0xee, 150); /* past the last segment boundary but one */
	run1(f, PORT_UPLINK, mbuf_chain(frame, len + 150U, 1000, RTE_PKTMBUF_HEADROOM));

	assert_int_equal(n_sent(f, PORT_VM1), 1);
	m = sent(f, PORT_VM1, 0);
	assert_int_equal(m->nb_segs, 10);
	read_all(m, out, il);
	assert_memory_equal(out, inner, il);
	assert_stats(f, [PORT_UPLINK] = {.rx = 1, .decapsulated = 1}, [PORT_VM1] = {.tx = 1});
	assert_no_leak(f);
}

/* An inbound broadcast chain goes to both VMs of its VSID as one packet:
 * every segment holds a reference per VM. */
static void
test_inbound_broadcast_chain_is_shared_segment_by_segment(void **state)
{
	struct fixture *f = *state;
	uint8_t inner[FRAME_MAX], frame[FRAME_MAX], out[FRAME_MAX];
	uint16_t il = udp_frame(inner, 1500, &mac_r1, &bcast, IP_R1, IP4(10, 0, 0, 255), 67);
	uint16_t len = tunnel_frame(frame, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, inner, il);
	struct rte_mbuf *m;

	run1(f, PORT_UPLINK, mbuf_chain(frame, len, 600, RTE_PKTMBUF_HEADROOM));

	assert_int_equal(f->log.n, 2);
	m = sent(f, PORT_VM1, 0);
	assert_ptr_equal(m, sent(f, PORT_VM2, 0));
	for (const struct rte_mbuf *s = m; s != NULL; s = s->next)
		assert_int_equal(rte_mbuf_refcnt_read(s), 2);
	read_all(m, out, il);
	assert_memory_equal(out, inner, il);
	assert_no_leak(f);
}

/* An uplink with checksum offloads: an encapsulated packet leaves with its
 * outer IPv4 checksum to the NIC (0, RTE_MBUF_F_TX_IP_CKSUM, the header
 * lengths), which computed gives the bytes software sends; on receive, the
 * NIC's verdict on the outer checksum stands in for the software check. */
static void
test_outer_checksum_offloads(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], in[FRAME_MAX], tun[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	uint16_t il = udp_frame(in, 90, &mac_r1, &mac_vm1, IP_R1, IP_VM1, 2000);
	uint16_t tl = tunnel_frame(tun, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, in, il);
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *m;

	run1(f, PORT_VM1, mbuf_of(frame, len));
	m = sent(f, PORT_UPLINK, 0);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	assert_int_equal(ip->hdr_checksum, 0);
	assert_true((m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM)) ==
		    (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM));
	assert_int_equal(m->l2_len, 14);
	assert_int_equal(m->l3_len, 20);
	ip->hdr_checksum = rte_ipv4_cksum(ip); /* what the NIC does */
	assert_vxlan(m, &gw_mac, PA_R1, VSID_A, frame, len);
	free_sent(f);

	/* A wrong checksum the NIC calls good is taken; a right one it calls
	 * bad is not; with no verdict, software checks. */
	tun[14 + 10] ^= 0xff;
	m = mbuf_of(tun, tl);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	run1(f, PORT_UPLINK, m);
	assert_int_equal(n_sent(f, PORT_VM1), 1);
	assert_frame(sent(f, PORT_VM1, 0), in, il);
	run1(f, PORT_UPLINK, mbuf_of(tun, tl));
	tun[14 + 10] ^= 0xff;
	m = mbuf_of(tun, tl);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	run1(f, PORT_UPLINK, m);
	assert_int_equal(f->log.n, 1);
	assert_stats(f,
		[PORT_UPLINK] = {.rx = 3,
			.tx = 1,
			.encapsulated = 1,
			.decapsulated = 1,
			.drops = {[HNV_DROP_TUNNEL_BAD_IP] = 2}},
		[PORT_VM1] = {.rx = 1, .tx = 1});
	assert_no_leak(f);
}

/* The team member @m of the packet a team sent: its port, PA, MAC and VLAN
 * in the outer headers, or -1 if they do not agree. */
static int
team_member_of(const struct fixture *f, unsigned int i)
{
	const struct rte_mbuf *m = f->log.m[i];
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	bool tagged = rd16(b + 12) == RTE_ETHER_TYPE_VLAN;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(b + (tagged ? 18 : 14));

	if (f->log.port[i] == PORT_UPLINK && !tagged && ip->src_addr == PA_LOCAL &&
		rte_is_same_ether_addr((const struct rte_ether_addr *)(b + 6), &uplink_mac))
		return 0;
	if (f->log.port[i] == PORT_UNBOUND && tagged && rd16(b + 14) == TEAM_VLAN &&
		ip->src_addr == PA_LOCAL2 &&
		rte_is_same_ether_addr((const struct rte_ether_addr *)(b + 6), &team_mac))
		return 1;
	return -1;
}

/* 64 flows from VM1 to R1 (UDP source ports 3000..3063); the member each
 * left by, in @member. */
static void
team_send(struct fixture *f, int *member)
{
	uint8_t frame[FRAME_MAX];

	for (uint16_t i = 0; i < 64; i++) {
		uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 3000 + i);

		run1(f, PORT_VM1, mbuf_of(frame, len));
	}
	assert_int_equal(f->log.n, 64);
	for (unsigned int i = 0; i < 64; i++) {
		member[i] = team_member_of(f, i);
		assert_int_not_equal(member[i], -1);
	}
	free_sent(f);
}

/* A team pins each flow to one member by its entropy (both are used, each
 * flow always the same one), with that member's PA, MAC and VLAN; a member
 * whose link goes down loses its flows to the other, and gets them back. */
static void
test_team_pins_flows_and_fails_over(void **state)
{
	struct fixture *f = *state;
	int first[64], again[64], down[64], back[64], n1 = 0;

	team_send(f, first);
	team_send(f, again);
	for (unsigned int i = 0; i < 64; i++) {
		assert_int_equal(first[i], again[i]);
		n1 += first[i];
	}
	assert_in_range(n1, 8, 56); /* both members carry a share */

	vfp_switch_set_link(f->sw, PORT_UNBOUND, false);
	team_send(f, down);
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(down[i], 0);
	vfp_switch_set_link(f->sw, PORT_UNBOUND, true);
	team_send(f, back);
	assert_memory_equal(back, first, sizeof(first));
	assert_int_equal(PORT_STATS(f, PORT_UNBOUND)->encapsulated, 3 * (uint64_t)n1);
	assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, 4 * 64 - 3 * (uint64_t)n1);
	assert_no_leak(f);
}

/* Each member answers ARP for its own PA only, with its MAC and VLAN; both
 * accept tunnels to either PA. */
static void
test_team_arp_and_tunnels_per_member(void **state)
{
	struct fixture *f = *state;
	uint8_t req[FRAME_MAX], tagged[FRAME_MAX], in[FRAME_MAX], tun[FRAME_MAX];
	uint16_t rl =
		arp_frame(req, RTE_ARP_OP_REQUEST, &bcast, &gw_mac, PA_GW, &zero_mac, PA_LOCAL2);
	uint16_t il = udp_frame(in, 90, &mac_r1, &mac_vm1, IP_R1, IP_VM1, 2000);
	struct encap_outer o = {.src_mac = gw_mac,
		.dst_mac = team_mac,
		.src_ip = PA_R1,
		.dst_ip = PA_LOCAL2,
		.vlan_id = TEAM_VLAN};
	struct encap_template t;
	const uint8_t *b;
	uint16_t tl;

	/* The request, tagged for member 1's VLAN. */
	memcpy(tagged, req, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = 0;
	tagged[15] = TEAM_VLAN;
	memcpy(tagged + 16, req + 12, rl - 12u);
	run1(f, PORT_UNBOUND, mbuf_of(tagged, (uint16_t)(rl + 4)));
	assert_int_equal(n_sent(f, PORT_UNBOUND), 1);
	b = rte_pktmbuf_mtod(sent(f, PORT_UNBOUND, 0), const uint8_t *);
	assert_memory_equal(b + 6, &team_mac, 6);
	assert_int_equal(rd16(b + 12), RTE_ETHER_TYPE_VLAN);
	assert_int_equal(rd16(b + 14), TEAM_VLAN);
	assert_int_equal(rd16(b + 18 + 6), RTE_ARP_OP_REPLY);
	free_sent(f);
	/* Member 0 does not answer for member 1's PA. */
	run1(f, PORT_UPLINK, mbuf_of(req, rl));
	assert_int_equal(f->log.n, 0);

	/* Tunnels to PA_LOCAL2: on member 1 (its MAC, its VLAN), and on member
	 * 0 (its own MAC, untagged). */
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, VSID_A, 0x42), 0);
	memcpy(tun, t.bytes, t.len);
	memcpy(tun + t.len, in, il);
	encap_template_stamp(&t, tun, il);
	tl = (uint16_t)(t.len + il);
	run1(f, PORT_UNBOUND, mbuf_of(tun, tl));
	o.dst_mac = uplink_mac;
	o.vlan_id = 0;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, VSID_A, 0x42), 0);
	memcpy(tun, t.bytes, t.len);
	memcpy(tun + t.len, in, il);
	encap_template_stamp(&t, tun, il);
	run1(f, PORT_UPLINK, mbuf_of(tun, (uint16_t)(t.len + il)));
	/* Member 1's MAC on member 0: not ours there. */
	o.dst_mac = team_mac;
	assert_int_equal(encap_template_build(&t, ENCAP_TYPE_VXLAN, &o, VSID_A, 0x42), 0);
	memcpy(tun, t.bytes, t.len);
	memcpy(tun + t.len, in, il);
	encap_template_stamp(&t, tun, il);
	run1(f, PORT_UPLINK, mbuf_of(tun, (uint16_t)(t.len + il)));
	assert_int_equal(n_sent(f, PORT_VM1), 2);
	assert_frame(sent(f, PORT_VM1, 0), in, il);
	assert_frame(sent(f, PORT_VM1, 1), in, il);
	assert_stats(f,
		[PORT_UPLINK] = {.rx = 3,
			.decapsulated = 1,
			.drops = {[HNV_DROP_ARP_NOT_FOR_US] = 1, [HNV_DROP_NOT_OUR_MAC] = 1}},
		[PORT_VM1] = {.tx = 2},
		[PORT_UNBOUND] = {.rx = 2, .tx = 1, .arp_replies = 1, .decapsulated = 1});
	assert_no_leak(f);
}

/* Next hops are resolved per member: each asks from its own port, PA, MAC
 * and VLAN, and a reply on one member resolves that member's entry only. */
static void
test_team_resolves_next_hops_per_member(void **state)
{
	struct fixture *f = *state;
	uint8_t reply[64];
	uint16_t rlen = arp_frame(reply, RTE_ARP_OP_REPLY, &uplink_mac, &learned_gw_mac, PA_GW,
		&uplink_mac, PA_LOCAL);
	const uint8_t *b;
	unsigned int resolved;

	/* The gateway and the on-link PA, on each of the two members. */
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 4);
	vfp_lcore_flush(f->lc);
	assert_int_equal(n_sent(f, PORT_UPLINK), 2);
	assert_int_equal(n_sent(f, PORT_UNBOUND), 2);
	for (unsigned int i = 0; i < 2; i++) {
		b = rte_pktmbuf_mtod(sent(f, PORT_UPLINK, i), const uint8_t *);
		assert_memory_equal(b + 6, &uplink_mac, 6);
		assert_int_equal(rd16(b + 12), RTE_ETHER_TYPE_ARP);
		assert_memory_equal(b + 14 + 14, &PA_LOCAL_BE, 4); /* the sender PA */
		b = rte_pktmbuf_mtod(sent(f, PORT_UNBOUND, i), const uint8_t *);
		assert_memory_equal(b + 6, &team_mac, 6);
		assert_int_equal(rd16(b + 14), TEAM_VLAN);
		assert_int_equal(rd16(b + 18 + 6), RTE_ARP_OP_REQUEST);
		assert_memory_equal(b + 18 + 14, &PA_LOCAL2_BE, 4);
	}
	free_sent(f);

	run1(f, PORT_UPLINK, mbuf_of(reply, rlen));
	assert_int_equal(vfp_neigh_count(f->sw, &resolved), 4);
	assert_int_equal(resolved, 1);
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 0); /* within the second */
	assert_no_leak(f);
}

/* A chain whose first segment is a clone (its buffer shared): its headers
 * cannot be pulled up in place, so it is refused, and nothing leaks. */
static void
test_chain_with_shared_first_segment_is_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 300, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct rte_mbuf *orig = mbuf_of(frame, 40), *head = rte_pktmbuf_clone(orig, pool);

	assert_non_null(head);
	assert_int_equal(rte_pktmbuf_chain(head, mbuf_of(frame + 40, len - 40)), 0);
	run1(f, PORT_VM1, head);
	rte_pktmbuf_free(orig);

	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_VM1] = {.rx = 1, .drops = {[HNV_DROP_MALFORMED] = 1}});
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
	assert_int_equal(vfp_neigh_count(f->sw, &resolved), 2);
	assert_int_equal(resolved, 1);
	assert_int_equal(vfp_neigh_get(f->sw, 0, &ip, &mac, &ok), 0);
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

	assert_int_equal(vfp_neigh_count(f->sw, &resolved), 2);
	assert_int_equal(resolved, 0);
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 2);
	vfp_lcore_flush(f->lc);
	assert_int_equal(f->log.n, 2);
	assert_arp_request(sent(f, PORT_UPLINK, 0), PA_GW);
	assert_arp_request(sent(f, PORT_UPLINK, 1), PA_ONLINK);

	/* Within the second: neither the control lcore nor a VM packet asks
	 * again. */
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 0);
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
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 1);
	vfp_lcore_flush(f->lc);
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
	assert_int_equal(PORT_STATS(f, PORT_VM2)->tx_bytes, 2 * len);
	/* Charged to the port that could not transmit. */
	assert_stats(f, [PORT_VM1] = {.rx = 5},
		[PORT_VM2] = {.tx = 2, .drops = {[HNV_DROP_TX_FULL] = 3}});
	assert_no_leak(f);
}

static void
test_multi_segment_input_headers_pulled_up(void **state)
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
	assert_int_equal(PORT_STATS(f, PORT_VM1)->rx_bytes, len);
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

/* ---- layers, groups, rules ---- */

static const struct rte_ether_addr mac_x = {{0x02, 0, 0, 0, 0x0a, 0x01}};
static const struct rte_ether_addr mac_y = {{0x02, 0, 0, 0, 0x0a, 0x02}};
static const struct rte_ether_addr mac_z = {{0x02, 0, 0, 0, 0x0a, 0x03}};

/* A rule rewriting the source MAC to @mac. */
static struct vfp_rule_spec
set_src_mac_rule(const char *name, uint16_t priority, const struct rte_ether_addr *mac)
{
	struct vfp_rule_spec r = rule_spec(name, priority, 0, VFP_ACT_SET_MAC);

	r.actions[0].set = VFP_SET_SRC;
	r.actions[0].src_mac = *mac;
	return r;
}

/* A layer that rewrites the source MAC to @mac both ways. */
static void
add_rewrite_layer(struct vfp_program *p, uint16_t port, const char *name, uint16_t priority,
	const struct rte_ether_addr *mac)
{
	const struct vfp_rule_spec r = set_src_mac_rule("set-src", 1, mac);
	int layer = vfp_layer_add(p, port, name, priority, false);

	assert_true(layer >= 0);
	group_with_rule(p, port, layer, "out", 10, VFP_DIR_OUT, &r);
	group_with_rule(p, port, layer, "in", 10, VFP_DIR_IN, &r);
}

/* @frame with its source MAC replaced, into @out. */
static const uint8_t *
with_src_mac(uint8_t *out, const uint8_t *frame, uint16_t len, const struct rte_ether_addr *mac)
{
	memcpy(out, frame, len);
	((struct rte_ether_hdr *)out)->src_addr = *mac;
	return out;
}

/* The trace's steps are, in order, in the layers named by the
 * NULL-terminated @layers. */
static void
assert_trace_layers(const struct vfp_trace *t, const char *const *layers)
{
	unsigned int n = 0;

	for (; layers[n] != NULL; n++) {
		if (n >= t->n)
			fail_msg("trace has %u steps, expected step %u in %s", t->n, n, layers[n]);
		if (strcmp(t->step[n].layer, layers[n]) != 0)
			fail_msg("trace step %u in layer %s, expected %s", n, t->step[n].layer,
				layers[n]);
	}
	assert_int_equal(t->n, n);
}

#define TRACE_LAYERS(t, ...) assert_trace_layers(t, (const char *const[]){__VA_ARGS__, NULL})

static void
test_later_layer_wins_out_and_order_reverses_in(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, true);
	uint8_t out[FRAME_MAX], in[FRAME_MAX], tun[FRAME_MAX], want[FRAME_MAX];
	const uint16_t lo = udp_frame(out, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	const uint16_t li = udp_frame(in, 90, &mac_r1, &mac_vm1, IP_R1, IP_VM1, 53);
	const uint16_t lt = tunnel_frame(tun, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, in, li);
	struct vfp_trace t;

	/* Around "vnet" (20), two layers rewrite the same field. */
	add_rewrite_layer(p, PORT_VM1, "rw-high", 25, &mac_y);
	add_rewrite_layer(p, PORT_VM1, "rw-low", 15, &mac_x);
	republish(f, p);

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, out, lo, &t), 0);
	TRACE_LAYERS(&t, "rw-low", "vnet", "rw-high", "pa-route");
	assert_string_equal(t.step[0].action, "set-mac");
	assert_int_equal(t.step[0].dir, VFP_DIR_OUT);
	assert_int_equal(vfp_trace_packet(f->sw, PORT_UPLINK, tun, lt, &t), 0);
	/* PA routing has no inbound group: its default allows. */
	TRACE_LAYERS(&t, "pa-route", "rw-high", "vnet", "rw-low");
	assert_string_equal(t.step[0].action, "default: allow");
	assert_string_equal(t.step[2].action, "decap");
	assert_int_equal(t.step[3].dir, VFP_DIR_IN);
	assert_int_equal(t.step[3].port, PORT_VM1);

	run1(f, PORT_VM1, mbuf_of(out, lo));
	run1(f, PORT_UPLINK, mbuf_of(tun, lt));

	/* OUT walks up: the later layer's MAC stays; IN walks down. */
	assert_int_equal(f->log.n, 2);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A,
		with_src_mac(want, out, lo, &mac_y), lo);
	assert_frame(sent(f, PORT_VM1, 0), with_src_mac(want, in, li, &mac_x), li);
	assert_stats(f, [PORT_UPLINK] = {.rx = 1, .tx = 1, .encapsulated = 1, .decapsulated = 1},
		[PORT_VM1] = {.rx = 1, .tx = 1});
	assert_no_leak(f);
}

static void
test_groups_walk_by_priority_first_matching_rule_per_group(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, true);
	uint8_t udp[FRAME_MAX], tcp[FRAME_MAX], want[FRAME_MAX];
	const uint16_t lu = udp_frame(udp, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	const uint16_t lt = l4_frame(tcp, 100, IPPROTO_TCP, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000,
		80, RTE_TCP_SYN_FLAG);
	struct vfp_rule_spec r;
	struct vfp_trace t;
	int layer, late, early;

	/* Added in the reverse of their priorities, so that the walk order
	 * is not the order of ids. */
	layer = vfp_layer_add(p, PORT_VM1, "rewrite", 15, false);
	late = vfp_group_add(p, PORT_VM1, layer, "late", 20, VFP_DIR_OUT, VFP_FAMILY_ANY);
	early = vfp_group_add(p, PORT_VM1, layer, "early", 10, VFP_DIR_OUT, VFP_FAMILY_IPV4);
	assert_true(layer >= 0 && late >= 0 && early >= 0);
	r = set_src_mac_rule("any", 30, &mac_x);
	assert_true(vfp_rule_add(p, PORT_VM1, layer, early, &r) >= 0);
	r = set_src_mac_rule("udp", 20, &mac_z);
	r.match.fields = VFP_MATCH_PROTO;
	r.match.proto = IPPROTO_UDP;
	assert_true(vfp_rule_add(p, PORT_VM1, layer, early, &r) >= 0);
	r = set_src_mac_rule("tcp", 10, &mac_z);
	r.match.fields = VFP_MATCH_PROTO;
	r.match.proto = IPPROTO_TCP;
	assert_true(vfp_rule_add(p, PORT_VM1, layer, early, &r) >= 0);
	r = set_src_mac_rule("last", 1, &mac_y);
	assert_true(vfp_rule_add(p, PORT_VM1, layer, late, &r) >= 0);
	republish(f, p);

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, udp, lu, &t), 0);
	TRACE_LAYERS(&t, "rewrite", "rewrite", "vnet", "pa-route");
	assert_string_equal(t.step[0].group, "early");
	assert_string_equal(t.step[0].rule, "udp");
	assert_string_equal(t.step[1].group, "late");
	assert_string_equal(t.step[1].rule, "last");

	/* Two packets of one UDP flow, then a TCP flow. */
	run1(f, PORT_VM1, mbuf_of(udp, lu));
	run1(f, PORT_VM1, mbuf_of(udp, lu));
	run1(f, PORT_VM1, mbuf_of(tcp, lt));

	/* The later group's rewrite is applied last. */
	assert_int_equal(f->log.n, 3);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A,
		with_src_mac(want, udp, lu, &mac_y), lu);
	assert_vxlan(sent(f, PORT_UPLINK, 1), &gw_mac, PA_R1, VSID_A, want, lu);
	/* One rule per group and flow: the lowest-numbered that matches. */
	assert_int_equal(rule_hits(f, PORT_VM1, "rewrite", "udp"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "rewrite", "tcp"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "rewrite", "any"), 0);
	assert_int_equal(rule_hits(f, PORT_VM1, "rewrite", "last"), 2);
	assert_int_equal(rule_hits(f, PORT_VM1, "rewrite", NULL), 2);
	assert_stats(f, [PORT_UPLINK] = {.tx = 3, .encapsulated = 3}, [PORT_VM1] = {.rx = 3});
	assert_no_leak(f);
}

/* An "acl" layer (10) on VM1 with one group. Returns the group. */
static int
acl_group(struct vfp_program *p, int *layer, const char *name, uint16_t priority)
{
	int g;

	if (*layer < 0)
		*layer = vfp_layer_add(p, PORT_VM1, "acl", LAYER_ACL, false);
	assert_true(*layer >= 0);
	g = vfp_group_add(p, PORT_VM1, *layer, name, priority, VFP_DIR_OUT, VFP_FAMILY_IPV4);
	assert_true(g >= 0);
	return g;
}

struct flow_list {
	unsigned int n;
	struct vfp_flow_info info[8];
};

static void
flow_visit(void *ctx, const struct vfp_flow_info *info)
{
	struct flow_list *l = ctx;

	if (l->n < RTE_DIM(l->info))
		l->info[l->n] = *info;
	l->n++;
}

static void
test_acl_allow_map_route_pa_compose_one_encap_flow(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, true);
	uint8_t frame[FRAME_MAX];
	const uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	struct vfp_rule_spec r = rule_spec("allow-udp", 1, 0, VFP_ACT_ALLOW);
	struct flow_list flows = {0};
	int layer = -1, g = acl_group(p, &layer, "port-out", 20);
	struct vfp_trace t;

	r.match.fields = VFP_MATCH_PROTO;
	r.match.proto = IPPROTO_UDP;
	assert_true(vfp_rule_add(p, PORT_VM1, layer, g, &r) >= 0);
	republish(f, p);

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, frame, len, &t), 0);
	TRACE_LAYERS(&t, "acl", "vnet", "pa-route");
	assert_string_equal(t.step[0].action, "allow");
	assert_string_equal(t.step[1].action, "map: vxlan to PA 172.16.0.20");
	assert_non_null(strstr(t.step[2].action, "route-pa"));
	assert_false(t.dropped);
	assert_non_null(strstr(t.result, "encap vxlan vni 5000 to PA 172.16.0.20"));

	/* Two bursts: the second packet finds the flow the first one made. */
	run1(f, PORT_VM1, mbuf_of(frame, len));
	run1(f, PORT_VM1, mbuf_of(frame, len));

	assert_int_equal(f->log.n, 2);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, frame, len);
	assert_vxlan(sent(f, PORT_UPLINK, 1), &gw_mac, PA_R1, VSID_A, frame, len);
	/* One flow, composed of the three layers; a stateless allow wants no
	 * entry for replies. */
	assert_int_equal(vfp_switch_flow_count(f->sw, NULL), 1);
	assert_int_equal(vfp_switch_visit_flows(f->sw, 8, flow_visit, &flows), 1);
	assert_string_equal(flows.info[0].action, "encap");
	assert_int_equal(flows.info[0].in_port, PORT_VM1);
	assert_int_equal(flows.info[0].out_port, PORT_UPLINK);
	assert_int_equal(flows.info[0].dir, VFP_DIR_OUT);
	assert_int_equal(flows.info[0].vsid, VSID_A);
	assert_int_equal(flows.info[0].dport, 2000);
	assert_false(flows.info[0].reverse);
	assert_int_equal(flows.info[0].packets, 2);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "allow-udp"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "vnet", "map"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "pa-route", "route"), 1);
	assert_stats(f, [PORT_UPLINK] = {.tx = 2, .encapsulated = 2}, [PORT_VM1] = {.rx = 2});
	assert_no_leak(f);
}

static void
test_acl_block_in_earlier_group_stops_walk(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = build_program(f->sw, true);
	uint8_t denied[FRAME_MAX], allowed[FRAME_MAX];
	const uint16_t ld =
		l4_frame(denied, 100, IPPROTO_UDP, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000, 2000, 0);
	const uint16_t la = l4_frame(
		allowed, 100, IPPROTO_UDP, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000, 2001, 0);
	struct vfp_rule_spec r;
	int layer = -1, deny, allow;
	struct vfp_trace t;

	allow = acl_group(p, &layer, "allow", 20);
	deny = acl_group(p, &layer, "deny", 10);
	r = rule_spec("deny-2000", 1, 0, VFP_ACT_BLOCK);
	r.match.fields = VFP_MATCH_PROTO | VFP_MATCH_DST_PORT;
	r.match.proto = IPPROTO_UDP;
	r.match.dport_lo = r.match.dport_hi = 2000;
	assert_true(vfp_rule_add(p, PORT_VM1, layer, deny, &r) >= 0);
	r = rule_spec("allow-all", 1, VFP_RULE_STATEFUL, VFP_ACT_ALLOW);
	assert_true(vfp_rule_add(p, PORT_VM1, layer, allow, &r) >= 0);
	republish(f, p);

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, denied, ld, &t), 0);
	TRACE_LAYERS(&t, "acl");
	assert_string_equal(t.step[0].group, "deny");
	assert_string_equal(t.step[0].rule, "deny-2000");
	assert_string_equal(t.step[0].action, "block");
	assert_true(t.dropped);
	assert_int_equal(t.drop, HNV_DROP_ACL_DENY);
	assert_string_equal(t.result, "drop acl_deny");

	run1(f, PORT_VM1, mbuf_of(denied, ld));
	run1(f, PORT_VM1, mbuf_of(allowed, la));

	assert_int_equal(f->log.n, 1);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, PA_R1, VSID_A, allowed, la);
	/* The denied flow walked no further than the ACL. */
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", NULL), 2);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "deny-2000"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "acl", "allow-all"), 1);
	assert_int_equal(rule_hits(f, PORT_VM1, "vnet", NULL), 1);
	assert_stats(f, [PORT_UPLINK] = {.tx = 1, .encapsulated = 1},
		[PORT_VM1] = {.rx = 2, .drops = {[HNV_DROP_ACL_DENY] = 1}});
	assert_no_leak(f);
}

/* ---- EAL ---- */

/* A trace of a VM's ARP shows what the data path does with it: the proxy's
 * answer for a request, the L2 flow of its VSID for a reply. */
static void
test_trace_of_vm_arp_follows_the_proxy_and_the_l2_flow(void **state)
{
	struct fixture *f = *state;
	uint8_t req[64], rep[64];
	uint16_t lq =
		arp_frame(req, RTE_ARP_OP_REQUEST, &bcast, &mac_vm1, IP_VM1, &zero_mac, IP_R1);
	uint16_t lr = arp_frame(rep, RTE_ARP_OP_REPLY, &mac_r1, &mac_vm1, IP_VM1, &mac_r1, IP_R1);
	struct vfp_trace t;

	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, req, lq, &t), 0);
	assert_false(t.dropped);
	assert_string_equal(t.result, "ARP request: the proxy answers 00:15:5d:00:01:01");
	assert_int_equal(vfp_trace_packet(f->sw, PORT_VM1, rep, lr, &t), 0);
	assert_false(t.dropped);
	assert_non_null(strstr(t.result, "encap vxlan vni 5000 to PA 172.16.0.20"));
	assert_string_equal(t.step[0].layer, "vnet");
	/* Nothing moved: no flow, no counter, nothing sent. */
	assert_int_equal(vfp_switch_flow_count(f->sw, NULL), 0);
	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_VM1] = {0});
}

static void
test_tx_retries_send_the_rest_of_a_burst_bounded(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_vm2, IP_VM1, IP_VM2, 1000);
	struct rte_mbuf *pkts[5];

	assert_int_equal(
		vfp_lcore_set_tx_retries(f->lc, PORT_VM2, VFP_MAX_TX_RETRIES + 1), -EINVAL);
	assert_int_equal(vfp_lcore_set_tx_retries(f->lc, VFP_MAX_PORTS, 1), -EINVAL);
	/* The peer takes one frame a call: two retries send three of five. */
	assert_int_equal(vfp_lcore_set_tx_retries(f->lc, PORT_VM2, 2), 0);
	for (unsigned int i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = mbuf_of(frame, len);
	f->log.accept = 1;
	run(f, PORT_VM1, pkts, RTE_DIM(pkts));

	assert_int_equal(f->log.n, 3);
	assert_int_equal(PORT_STATS(f, PORT_VM2)->tx_retries, 2);
	assert_int_equal(PORT_STATS(f, PORT_VM2)->tx_bytes, 3 * len);
	assert_stats(f, [PORT_VM1] = {.rx = 5},
		[PORT_VM2] = {.tx = 3, .drops = {[HNV_DROP_TX_FULL] = 2}});
	/* A port without retries drops at once. */
	assert_int_equal(PORT_STATS(f, PORT_VM1)->tx_retries, 0);
	assert_no_leak(f);
}

static void
test_frames_to_a_port_whose_link_is_down_are_port_down(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_vm2, IP_VM1, IP_VM2, 1000);

	/* VM2's guest is gone: what VM1 sends it is dropped and counted. */
	vfp_switch_set_link(f->sw, PORT_VM2, false);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 0);
	vfp_switch_set_link(f->sw, PORT_VM2, true);
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_int_equal(f->log.n, 1);
	assert_stats(f, [PORT_VM1] = {.rx = 3},
		[PORT_VM2] = {.tx = 1, .drops = {[HNV_DROP_PORT_DOWN] = 2}});
	assert_no_leak(f);
}

/* ---- malformed and tagged frames (the parse stage's error convention) ---- */

/* The ways an IPv4 header can be broken while the EtherType says IPv4. */
enum bad_ipv4 { BAD_SHORT, BAD_VERSION, BAD_IHL_SMALL, BAD_IHL_BEYOND, N_BAD };

/* A UDP frame from @src to @dst whose IPv4 header is broken as @how says;
 * its source address is not the sender's, so a frame taken for non-IP
 * would also have escaped the anti-spoofing check. */
static uint16_t
bad_ipv4_frame(uint8_t *buf, enum bad_ipv4 how, const struct rte_ether_addr *src,
	const struct rte_ether_addr *dst, rte_be32_t dip)
{
	uint16_t len = udp_frame(buf, 60, src, dst, IP4(6, 6, 6, 6), dip, 1000);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr));

	switch (how) {
	case BAD_SHORT:
		return sizeof(struct rte_ether_hdr) + 16; /* 30 bytes: no whole header */
	case BAD_VERSION:
		ip->version_ihl = 0x65;
		break;
	case BAD_IHL_SMALL:
		ip->version_ihl = 0x44;
		break;
	case BAD_IHL_BEYOND:
		ip->version_ihl = 0x4f; /* 60 bytes of header in a 60-byte frame */
		break;
	default:
		break;
	}
	return len;
}

static void
test_vm_frame_with_broken_ipv4_header_is_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX];

	for (enum bad_ipv4 how = 0; how < N_BAD; how++) {
		/* To a remote CA (would be encapsulated) and to a local VM. */
		uint16_t len = bad_ipv4_frame(frame, how, &mac_vm1, &mac_r1, IP_R1);

		run1(f, PORT_VM1, mbuf_of(frame, len));
		len = bad_ipv4_frame(frame, how, &mac_vm1, &mac_vm2, IP_VM2);
		run1(f, PORT_VM1, mbuf_of(frame, len));
	}
	assert_int_equal(f->log.n, 0);
	assert_stats(
		f, [PORT_VM1] = {.rx = 2 * N_BAD, .drops = {[HNV_DROP_MALFORMED] = 2 * N_BAD}});
	assert_no_leak(f);
}

static void
test_tunnelled_frame_with_broken_inner_ipv4_is_not_decapsulated(void **state)
{
	struct fixture *f = *state;
	uint8_t inner[FRAME_MAX], frame[FRAME_MAX];

	for (enum bad_ipv4 how = 0; how < N_BAD; how++) {
		uint16_t il = bad_ipv4_frame(inner, how, &mac_r1, &mac_vm1, IP_VM1);
		uint16_t len = tunnel_frame(frame, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, inner, il);

		run1(f, PORT_UPLINK, mbuf_of(frame, len));
	}
	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_UPLINK] = {.rx = N_BAD, .drops = {[HNV_DROP_MALFORMED] = N_BAD}});
	assert_no_leak(f);
}

static void
test_tunnelled_frame_with_inner_vlan_tag_is_dropped(void **state)
{
	struct fixture *f = *state;
	uint8_t inner[FRAME_MAX], frame[FRAME_MAX];
	const struct rte_ether_addr *dst[] = {&mac_vm1, &bcast};

	for (unsigned int i = 0; i < RTE_DIM(dst); i++) {
		uint16_t il = udp_frame(inner, 64, &mac_r1, dst[i], IP_R1, IP_VM1, 1000);
		uint16_t len;

		/* Turn it into an 802.1Q frame: TPID, TCI of VLAN 5, then IPv4. */
		memmove(inner + 16, inner + 12, il - 12);
		inner[12] = 0x81;
		inner[13] = 0x00;
		inner[14] = 0x00;
		inner[15] = 0x05;
		il += 4;
		len = tunnel_frame(frame, ENCAP_TYPE_VXLAN, VSID_A, PA_R1, inner, il);
		run1(f, PORT_UPLINK, mbuf_of(frame, len));
	}
	assert_int_equal(f->log.n, 0);
	assert_stats(f, [PORT_UPLINK] = {.rx = 2, .drops = {[HNV_DROP_INNER_TAGGED] = 2}});
	assert_no_leak(f);
}

/* ---- what a program holds in the switch ---- */

/* A program of @n VSIDs from @first, each with one remote CA. */
static struct vfp_program *
many_vsids(struct vfp_switch *sw, uint32_t first, unsigned int n)
{
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p;

	hp.table_size = 2 * n;
	p = vfp_program_create(sw, &hp);
	assert_non_null(p);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(vfp_program_add_subnet(p, first + i, 1, IP4(10, 0, 0, 0), 24,
					 IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
			0);
		assert_int_equal(vfp_program_add_mapping(p, first + i, IP_R1, &mac_r1, PA_R1), 0);
	}
	return p;
}

static void
test_programs_of_3000_vsids_swap_back_and_forth(void **state)
{
	struct vfp_switch *sw = *state;

	/* Their VSIDs are disjoint: each swap frees the slots of the old one. */
	for (unsigned int round = 0; round < 4; round++) {
		struct vfp_program *p = many_vsids(sw, round % 2 ? 20000 : 10000, 3000);

		assert_int_equal(vfp_switch_publish(sw, p), 0);
	}
}

static void
test_unpublished_program_leaves_no_next_hop_to_solicit(void **state)
{
	struct fixture *f = *state;
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p = vfp_program_create(f->sw, &hp);

	/* A rejected reload: compiled with a new on-link next hop, never
	 * published. The resolver must not ARP for it. */
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 24,
				 IP4(10, 0, 0, 1), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(
		vfp_program_add_mapping(p, VSID_A, IP_R3, &mac_r3, IP4(192, 168, 1, 99)), 0);
	vfp_program_free(p);
	assert_int_equal(vfp_neigh_count(f->sw, NULL), 2);
	/* Only the running program's unresolved next hop is asked for. */
	assert_int_equal(vfp_neigh_solicit(f->sw, f->lc, pool), 1);
	vfp_lcore_flush(f->lc);
	assert_int_equal(f->log.n, 1);
	assert_int_equal(rte_pktmbuf_mtod_offset(sent(f, PORT_UPLINK, 0),
				 const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr))
				 ->arp_data.arp_tip,
		PA_ONLINK);
	assert_no_leak(f);
}

static void
test_removed_gateway_mac_is_learned_again(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_MAX], reply[64];
	uint16_t len = udp_frame(frame, 100, &mac_vm1, &mac_r1, IP_VM1, IP_R1, 1000);
	uint16_t rlen = arp_frame(reply, RTE_ARP_OP_REPLY, &uplink_mac, &learned_gw_mac, PA_GW,
		&uplink_mac, PA_LOCAL);
	struct rte_ether_addr mac;
	rte_be32_t ip;
	bool ok;

	/* The policy fixed the gateway's MAC; a reload drops host.gateway_mac. */
	republish(f, build_program(f->sw, false));
	assert_int_equal(vfp_neigh_get(f->sw, 0, &ip, &mac, &ok), 0);
	assert_int_equal(ip, PA_GW);
	assert_false(ok); /* resolved afresh, not pinned to the old MAC */
	run1(f, PORT_UPLINK, mbuf_of(reply, rlen));
	assert_int_equal(vfp_neigh_get(f->sw, 0, &ip, &mac, &ok), 0);
	assert_true(ok);
	assert_true(rte_is_same_ether_addr(&mac, &learned_gw_mac));
	run1(f, PORT_VM1, mbuf_of(frame, len));
	assert_vxlan(sent(f, PORT_UPLINK, 0), &learned_gw_mac, PA_R1, VSID_A, frame, len);
	assert_no_leak(f);
}

/* ---- many ports (the many-ports host of vfp_test_util.c) ---- */

#define MANY_PORTS 1100 /* the uplink and 1099 VM ports */
#define MANY_BIG_PORTS (MANY_PORTS - MANY_BIG_FIRST)

/* The counters the many-ports tests expect, all ports. */
static struct want many_want[MANY_PORTS];

static int
setup_many(void **state)
{
	struct fixture *f = fixture_new("test_vfp_many", 4096);

	if (f == NULL)
		return -1;
	fixture_start(f, many_program(f->sw, MANY_PORTS, 0));
	memset(many_want, 0, sizeof(many_want));
	*state = f;
	return 0;
}

/* The inner frame of a tunnel packet from many_remote_frame(). */
#define INNER(tun) ((tun) + ENCAP_VXLAN_HDR_LEN)

static void
test_1100_ports_forward_beyond_port_64_and_1024(void **state)
{
	struct fixture *f = *state;
	const struct vfp_program *p = vfp_switch_program(f->sw);
	struct want *w = many_want;
	const uint16_t a = 150, b = 1030, c = 65, d = 99, e = 1099;
	uint8_t frame[FRAME_MAX], tun[FRAME_MAX];
	uint16_t len, tlen;

	assert_int_equal(vfp_program_n_ports(p), MANY_PORTS);
	assert_int_equal(vfp_program_port_role(p, e), VFP_PORT_VM);
	assert_int_equal(vfp_program_port_role(p, MANY_PORTS), VFP_PORT_UNUSED);
	assert_int_equal(vfp_program_port_role(p, VFP_MAX_PORTS - 1), VFP_PORT_UNUSED);
	assert_int_equal(vfp_program_port_role(p, VFP_MAX_PORTS), VFP_PORT_UNUSED);

	/* Hairpin between two ports beyond 64 and 1024, both ways. */
	len = many_vm_frame(frame, 100, a, b, 1000);
	run1(f, a, mbuf_of(frame, len));
	assert_int_equal(n_sent(f, b), 1);
	assert_frame(sent(f, b, 0), frame, len);
	len = many_vm_frame(frame, 100, b, a, 2000);
	run1(f, b, mbuf_of(frame, len));
	assert_int_equal(n_sent(f, a), 1);
	assert_frame(sent(f, a, 0), frame, len);
	w[a].rx = w[a].tx = w[b].rx = w[b].tx = 1;
	/* In the other VSID, below 100. */
	len = many_vm_frame(frame, 100, c, d, 1000);
	run1(f, c, mbuf_of(frame, len));
	assert_frame(sent(f, d, 0), frame, len);
	w[c].rx = w[d].tx = 1;
	/* VSIDs stay apart at any port id. */
	len = many_vm_frame(frame, 100, c, b, 1000);
	run1(f, c, mbuf_of(frame, len));
	w[c].rx++;
	w[c].drops[HNV_DROP_UNKNOWN_DST] = 1;
	/* The last port to the remote CA and back, through the uplink. */
	len = many_vm_frame(frame, 100, e, 0, 1000);
	run1(f, e, mbuf_of(frame, len));
	assert_int_equal(n_sent(f, PORT_UPLINK), 1);
	assert_vxlan(sent(f, PORT_UPLINK, 0), &gw_mac, MANY_PA_R, MANY_VSID_BIG, frame, len);
	tlen = many_remote_frame(tun, 100, e, 2000);
	run1(f, PORT_UPLINK, mbuf_of(tun, tlen));
	assert_int_equal(n_sent(f, e), 1);
	assert_frame(sent(f, e, 0), INNER(tun), 100);
	w[e].rx = w[e].tx = 1;
	w[PORT_UPLINK].tx = w[PORT_UPLINK].encapsulated = 1;
	w[PORT_UPLINK].rx = w[PORT_UPLINK].decapsulated = 1;

	assert_int_equal(f->log.n, 5);
	check_stats_n(f, w, MANY_PORTS);
	assert_no_leak(f);
}

static void
test_inbound_broadcast_reaches_1000_local_ports(void **state)
{
	struct fixture *f = *state;
	struct want *w = many_want;
	uint8_t tun[FRAME_MAX];
	const uint16_t tlen = many_remote_frame(tun, 100, 0, 3000);

	run1(f, PORT_UPLINK, mbuf_of(tun, tlen));
	/* Each local port of the VSID once, in the order the NICs were
	 * added; one mbuf, no copy. */
	assert_int_equal(f->log.n, MANY_BIG_PORTS);
	for (unsigned int i = 0; i < f->log.n; i++) {
		assert_int_equal(f->log.port[i], MANY_BIG_FIRST + i);
		assert_ptr_equal(f->log.m[i], f->log.m[0]);
		w[MANY_BIG_FIRST + i].tx = 1;
	}
	assert_int_equal(rte_mbuf_refcnt_read(f->log.m[0]), MANY_BIG_PORTS);
	assert_frame(f->log.m[0], INNER(tun), 100);
	w[PORT_UPLINK].rx = w[PORT_UPLINK].decapsulated = 1;
	check_stats_n(f, w, MANY_PORTS);
	assert_no_leak(f);
}

/*
 * Between two flushes, 2 x VFP_TX_BUF packets to one port and one packet to
 * each of 2 x VFP_TX_BUF other ports (far more than 64, ids from 1099 down
 * to 210): the busy port's full buffer goes out at once, and the flush
 * sends every port's buffer, in the order the ports got their first
 * packet, not by port id.
 */
static void
test_tx_buffers_of_many_ports_flush_in_order_of_first_packet(void **state)
{
	struct fixture *f = *state;
	struct want *w = many_want;
	enum { N = 4 * VFP_TX_BUF, BUSY = 150 };
	struct rte_mbuf *pkts[N], *want_order[N];
	uint8_t tun[FRAME_MAX];
	unsigned int busy = 0, other = 0;

	_Static_assert(N % VFP_BURST == 0, "whole bursts");
	for (unsigned int j = 0; j < N; j++) {
		const uint16_t dst = j % 2 == 0 ? BUSY : (uint16_t)(1099 - 7 * (j / 2));
		const uint16_t tlen = many_remote_frame(tun, 100, dst, 4000);

		pkts[j] = mbuf_of(tun, tlen);
		w[dst].tx++;
	}
	/* The busy port's first VFP_TX_BUF when its buffer fills, then at the
	 * flush its other VFP_TX_BUF (it was the first port with a packet),
	 * then one packet per other port. */
	for (unsigned int j = 0; j < N; j += 2)
		want_order[busy++] = pkts[j];
	for (unsigned int j = 1; j < N; j += 2)
		want_order[busy + other++] = pkts[j];
	for (unsigned int j = 0; j < N; j += VFP_BURST)
		vfp_process_burst(f->sw, f->lc, PORT_UPLINK, pkts + j, VFP_BURST);
	assert_int_equal(f->log.n, VFP_TX_BUF); /* the busy port's full buffer */
	vfp_lcore_flush(f->lc);
	vfp_lcore_quiescent(f->sw, f->lc);

	assert_int_equal(f->log.n, N);
	for (unsigned int i = 0; i < N; i++)
		if (f->log.m[i] != want_order[i])
			fail_msg("transmitted #%u: port %u, not the expected packet", i,
				f->log.port[i]);
	/* Each flow walked once; a flush never sends a port twice. */
	assert_int_equal(UFT_STATS(f)->misses, 1 + N / 2);
	assert_int_equal(UFT_STATS(f)->hits, N / 2 - 1);
	vfp_lcore_flush(f->lc);
	assert_int_equal(f->log.n, N);
	w[PORT_UPLINK].rx = w[PORT_UPLINK].decapsulated = N;
	check_stats_n(f, w, MANY_PORTS);
	assert_no_leak(f);
}

static int
group_setup(void **state)
{
	(void)state;
	return eal_start("test_vfp");
}

static int
group_teardown(void **state)
{
	(void)state;
	eal_stop();
	return 0;
}

#define BUILDER(t) cmocka_unit_test_setup_teardown(t, setup_switch, teardown_switch)
#define PIPELINE(t, s) cmocka_unit_test_setup_teardown(t, s, fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_create_rejects_bad_params),
		BUILDER(test_create_rejects_bad_host_params),
		BUILDER(test_add_subnet_rejects_reserved_vsid_and_duplicate),
		BUILDER(test_add_vnic_rejects_conflicts_within_vsid_only),
		BUILDER(test_add_mapping_checks_pa_and_reachability),
		BUILDER(test_create_rejects_pa_prefix_over_32),
		BUILDER(test_failed_add_mapping_adds_no_next_hop),
		BUILDER(test_layer_group_rule_add_validate),
		BUILDER(test_publish_rejects_program_of_other_switch),
		PIPELINE(test_hairpin_between_local_vms_keeps_frame, setup_static_gw),
		PIPELINE(test_vm_in_other_vsid_is_unreachable, setup_static_gw),
		PIPELINE(test_vxlan_encap_sets_outer_headers_and_entropy, setup_static_gw),
		PIPELINE(test_nvgre_encap_key_is_vsid_and_flow_id, setup_static_gw),
		PIPELINE(test_decap_delivers_exact_inner_frame_to_vsid_port, setup_static_gw),
		PIPELINE(test_inbound_broadcast_reaches_every_vm_of_its_vsid_only, setup_static_gw),
		PIPELINE(test_too_big_with_df_gets_frag_needed, setup_static_gw),
		PIPELINE(test_too_big_without_df_is_fragmented, setup_static_gw),
		PIPELINE(test_outer_header_in_a_segment_of_its_own_without_headroom,
			setup_static_gw),
		PIPELINE(test_jumbo_chain_from_vm_is_encapsulated, setup_jumbo),
		PIPELINE(test_jumbo_chain_from_uplink_is_decapsulated_padding_cut, setup_jumbo),
		PIPELINE(
			test_inbound_broadcast_chain_is_shared_segment_by_segment, setup_static_gw),
		PIPELINE(test_chain_with_shared_first_segment_is_malformed, setup_static_gw),
		PIPELINE(test_outer_checksum_offloads, setup_cksum_offload),
		PIPELINE(test_team_pins_flows_and_fails_over, setup_team),
		PIPELINE(test_team_arp_and_tunnels_per_member, setup_team),
		PIPELINE(test_team_resolves_next_hops_per_member, setup_team_dynamic),
		PIPELINE(test_unresolved_next_hop_sends_one_arp_request, setup_dynamic_gw),
		PIPELINE(test_arp_reply_from_gateway_resolves_next_hop, setup_dynamic_gw),
		PIPELINE(test_arp_reply_does_not_relearn_configured_gateway_mac, setup_static_gw),
		PIPELINE(test_neigh_solicit_asks_each_unresolved_next_hop_once, setup_dynamic_gw),
		PIPELINE(test_neigh_solicit_skips_resolved_next_hops, setup_static_gw),
		PIPELINE(test_tx_full_drops_what_tx_did_not_take, setup_static_gw),
		PIPELINE(test_tx_retries_send_the_rest_of_a_burst_bounded, setup_static_gw),
		PIPELINE(test_frames_to_a_port_whose_link_is_down_are_port_down, setup_static_gw),
		PIPELINE(test_multi_segment_input_headers_pulled_up, setup_static_gw),
		PIPELINE(test_port_without_vm_drops_port_unbound, setup_static_gw),
		PIPELINE(test_later_layer_wins_out_and_order_reverses_in, setup_static_gw),
		PIPELINE(test_groups_walk_by_priority_first_matching_rule_per_group,
			setup_static_gw),
		PIPELINE(test_acl_allow_map_route_pa_compose_one_encap_flow, setup_static_gw),
		PIPELINE(test_acl_block_in_earlier_group_stops_walk, setup_static_gw),
		PIPELINE(test_vm_frame_with_broken_ipv4_header_is_malformed, setup_static_gw),
		PIPELINE(test_tunnelled_frame_with_broken_inner_ipv4_is_not_decapsulated,
			setup_static_gw),
		PIPELINE(test_tunnelled_frame_with_inner_vlan_tag_is_dropped, setup_static_gw),
		BUILDER(test_programs_of_3000_vsids_swap_back_and_forth),
		PIPELINE(test_unpublished_program_leaves_no_next_hop_to_solicit, setup_static_gw),
		PIPELINE(test_removed_gateway_mac_is_learned_again, setup_static_gw),
		PIPELINE(test_trace_of_vm_arp_follows_the_proxy_and_the_l2_flow, setup_static_gw),
		PIPELINE(test_1100_ports_forward_beyond_port_64_and_1024, setup_many),
		PIPELINE(test_inbound_broadcast_reaches_1000_local_ports, setup_many),
		PIPELINE(test_tx_buffers_of_many_ports_flush_in_order_of_first_packet, setup_many),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
