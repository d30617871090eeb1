/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/vfp_test_util.h: the fixture shared by test_vfp.c and
 * test_vfp_uft.c.
 *
 * Owns: the host both programs test on (uplink on port 0, the gateway, the
 * local PA), EAL start and the mbuf pool, a switch with one lcore whose
 * transmit callback logs what it sends, running bursts, the layers
 * hnv_policy_compile() gives every VM port, the rule-hit query, and the
 * frame builders (Ethernet/IPv4/UDP or TCP, tunnel packets from a remote
 * PA), and a host with many ports (over a thousand VMs in two VSIDs) for
 * the tests of the port limits. Each test file keeps its own VMs, VSIDs,
 * remotes and assertions. cmocka's headers must be included before this
 * one.
 */
#ifndef VFP_TEST_UTIL_H
#define VFP_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vfp.h"

#define IP4(a, b, c, d) RTE_BE32(((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* The host: our PA on 192.168.1.0/24, reached through the gateway. */
#define PA_LOCAL IP4(192, 168, 1, 10)
#define PA_GW IP4(192, 168, 1, 1)

extern const struct rte_ether_addr uplink_mac;
extern const struct rte_ether_addr gw_mac;
extern const struct rte_ether_addr router_mac;

#define MAX_SENT 2048 /* a flood to 1000 ports, with room to spare */
#define FRAME_MAX 2048
#define JUMBO_MAX 9300 /* a 9000-byte IP packet, tunnelled, and some padding */

/* The layers hnv_policy_compile() gives every VM port: "vnet" (MAP out,
 * DECAP in) and "pa-route" (ROUTE_PA out). Tests add an "acl" layer (10)
 * or others around them. */
#define LAYER_ACL 10
#define LAYER_VNET 20
#define LAYER_PA_ROUTE 30

/* The mbuf pool of the test program, created by eal_start(). */
extern struct rte_mempool *pool;

/* Start EAL without huge pages and create the pool; @prog names both.
 * Returns 0 or -1. */
int eal_start(const char *prog);

/* Free the pool and stop EAL. */
void eal_stop(void);

/* ---- fixture: a switch, an lcore, and a log of what it transmitted ---- */

struct tx_log {
	unsigned int n;
	uint16_t accept; /* most packets taken per tx call */
	uint16_t port[MAX_SENT];
	struct rte_mbuf *m[MAX_SENT];
};

struct fixture {
	struct vfp_lcore *lc; /* created by fixture_start */
	struct vfp_switch *sw;
	struct tx_log log;
};

/* The fixture lcore's counters of @port, and of the flow table. */
#define PORT_STATS(f, port) vfp_lcore_port_stats((f)->lc, (port))
#define UFT_STATS(f) vfp_lcore_uft_stats((f)->lc)

/* A switch of its own with room for @flow_capacity flows: flows and next
 * hops live in the switch. */
struct vfp_switch *switch_new(uint32_t flow_capacity);

/* A fixture named @name with a new switch and a log that takes every
 * packet; NULL if out of memory. */
struct fixture *fixture_new(const char *name, uint32_t flow_capacity);

/* Publish the first program @p, then make the test's thread the switch's
 * (online) reader, transmitting into f->log. */
void fixture_start(struct fixture *f, struct vfp_program *p);

/* Publish a later program @p: publish waits for online readers, and this
 * thread is the only one, so it goes offline around it. */
void republish(struct fixture *f, struct vfp_program *p);

/* cmocka teardown for a fixture from fixture_new() in *state. */
int fixture_teardown(void **state);

/* Free every mbuf transmitted so far and empty the log. */
void free_sent(struct fixture *f);

/* End of every pipeline test: once the transmitted mbufs are freed, every
 * mbuf the test allocated is back in the pool. */
void assert_no_leak(struct fixture *f);

/* Process @n packets received on @port, flush, and go quiescent as a
 * worker does between bursts. */
void run(struct fixture *f, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/* run() with the single packet @m. */
void run1(struct fixture *f, uint16_t port, struct rte_mbuf *m);

/* ---- program ---- */

/* The host's parameters with @n_ports ports, port 0 the uplink; the
 * gateway's MAC is configured. */
struct vfp_host_params host_params(uint16_t n_ports);

/* A rule with one action and no conditions (callers add some). */
struct vfp_rule_spec rule_spec(
	const char *name, uint16_t priority, uint8_t flags, enum vfp_action_type action);

/* A group of @dir in @layer holding the single rule @r. */
void group_with_rule(struct vfp_program *p, uint16_t port, int layer, const char *group,
	uint16_t priority, enum vfp_dir dir, const struct vfp_rule_spec *r);

/* Add the "vnet" and "pa-route" layers to @port. */
void add_std_layers(struct vfp_program *p, uint16_t port);

/* Flows decided by rule @rule of @layer on @port of the published program
 * (rule NULL: flows that walked the layer); -1 if there is none. */
int64_t rule_hits(const struct fixture *f, uint16_t port, const char *layer, const char *rule);

/* ---- many ports: uplink 0, VM ports 1..n_ports-1 in two VSIDs ---- */

#define MANY_VSID_SMALL 7000u /* VM ports 1..MANY_BIG_FIRST-1, 10.2.0.0/16 */
#define MANY_VSID_BIG 7001u   /* VM ports MANY_BIG_FIRST.., 10.1.0.0/16 */
#define MANY_BIG_FIRST 100
#define MANY_PA_R IP4(172, 16, 0, 40) /* the remote host, behind the gateway */
#define MANY_IP_R IP4(10, 1, 255, 1)  /* its CA in MANY_VSID_BIG */

/* The remote CA's MAC. */
extern const struct rte_ether_addr many_mac_r;

/* The VSID, MAC and CA of VM port @port of the many-ports host. */
uint32_t many_vsid(uint16_t port);
struct rte_ether_addr many_mac(uint16_t port);
rte_be32_t many_ip(uint16_t port);

/* A program of the many-ports host with @n_ports ports: every port but the
 * uplink and @unused (0: none) holds a VM with the standard layers; the
 * remote CA is mapped in MANY_VSID_BIG. */
struct vfp_program *many_program(struct vfp_switch *sw, uint16_t n_ports, uint16_t unused);

/* UDP from VM port @src to VM port @dst (or, @dst 0, to the remote CA),
 * @len bytes, into @buf. Returns @len. */
uint16_t many_vm_frame(uint8_t *buf, uint16_t len, uint16_t src, uint16_t dst, uint16_t sport);

/* UDP from the remote CA to VM port @dst (@dst 0: to the broadcast MAC),
 * tunnelled from MANY_PA_R, into @buf. Returns the tunnel packet's length;
 * the inner frame is @inner_len bytes at @buf + ENCAP_VXLAN_HDR_LEN. */
uint16_t many_remote_frame(uint8_t *buf, uint16_t inner_len, uint16_t dst, uint16_t sport);

/* ---- frames ---- */

/* An mbuf from the pool holding @frame at @headroom. */
struct rte_mbuf *mbuf_at(const uint8_t *frame, uint16_t len, uint16_t headroom);

/* mbuf_at() with the default headroom. */
struct rte_mbuf *mbuf_of(const uint8_t *frame, uint16_t len);

/* @frame as a chain of segments of @seg bytes (the last holds the rest),
 * the first at @headroom, the others at the default headroom. */
struct rte_mbuf *mbuf_chain(const uint8_t *frame, uint32_t len, uint16_t seg, uint16_t headroom);

/* Ethernet + IPv4 + UDP, or TCP with @tcp_flags, @len bytes in all (at
 * most JUMBO_MAX), into @buf; the payload counts up from the first byte.
 * Returns @len. */
uint16_t l4_frame(uint8_t *buf, uint16_t len, uint8_t proto, const struct rte_ether_addr *src,
	const struct rte_ether_addr *dst, rte_be32_t sip, rte_be32_t dip, uint16_t sport,
	uint16_t dport, uint8_t tcp_flags);

/* A tunnel packet of @type from remote PA @src_pa to us carrying @inner.
 * Returns its length. */
uint16_t tunnel_frame(uint8_t *buf, enum encap_type type, uint32_t vsid, rte_be32_t src_pa,
	const uint8_t *inner, uint16_t inner_len);

#endif /* VFP_TEST_UTIL_H */
