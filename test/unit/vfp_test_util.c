/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/vfp_test_util.c: the fixture shared by the lib/vfp unit tests
 * (see vfp_test_util.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vfp_test_util.h"

const struct rte_ether_addr uplink_mac = {{0x02, 0, 0, 0, 0, 0x01}};
const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0xfe}};
const struct rte_ether_addr router_mac = {{0x02, 0, 0, 0, 0, 0xaa}};

struct rte_mempool *pool;

/* ---- EAL ---- */

int
eal_start(const char *prog)
{
	char *argv[] = {(char *)(uintptr_t)prog, "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "-l", "0", "--log-level=lib.*:error"};

	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create(prog, 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

void
eal_stop(void)
{
	rte_mempool_free(pool);
	rte_eal_cleanup();
}

/* ---- fixture ---- */

/* The lcore's transmit callback: log up to log->accept packets. */
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

struct vfp_switch *
switch_new(uint32_t flow_capacity)
{
	const struct vfp_switch_params sp = {
		.flow_capacity = flow_capacity,
		.n_lcores = 1,
		.socket_id = SOCKET_ID_ANY,
	};
	struct vfp_switch *sw = vfp_switch_create(&sp);

	assert_non_null(sw);
	return sw;
}

struct fixture *
fixture_new(const char *name, uint32_t flow_capacity)
{
	struct fixture *f = rte_zmalloc(name, sizeof(*f), RTE_CACHE_LINE_SIZE);

	if (f == NULL)
		return NULL;
	f->sw = switch_new(flow_capacity);
	f->log.accept = UINT16_MAX;
	return f;
}

void
fixture_start(struct fixture *f, struct vfp_program *p)
{
	assert_int_equal(vfp_switch_publish(f->sw, p), 0);
	f->lc = vfp_lcore_create(f->sw, 0, collect, &f->log);
	assert_non_null(f->lc);
}

void
republish(struct fixture *f, struct vfp_program *p)
{
	vfp_lcore_offline(f->sw, f->lc);
	assert_int_equal(vfp_switch_publish(f->sw, p), 0);
	vfp_lcore_online(f->sw, f->lc);
}

void
free_sent(struct fixture *f)
{
	for (unsigned int i = 0; i < f->log.n; i++)
		rte_pktmbuf_free(f->log.m[i]);
	f->log.n = 0;
}

int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	free_sent(f);
	vfp_lcore_free(f->sw, f->lc);
	vfp_switch_free(f->sw);
	rte_free(f);
	return 0;
}

void
assert_no_leak(struct fixture *f)
{
	free_sent(f);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

void
run(struct fixture *f, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	vfp_process_burst(f->sw, f->lc, port, pkts, n);
	vfp_lcore_flush(f->lc);
	vfp_lcore_quiescent(f->sw, f->lc);
}

void
run1(struct fixture *f, uint16_t port, struct rte_mbuf *m)
{
	run(f, port, &m, 1);
}

/* ---- program ---- */

struct vfp_host_params
host_params(uint16_t n_ports)
{
	struct vfp_host_params hp = {
		.n_ports = n_ports,
		.uplink = 0,
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

struct vfp_rule_spec
rule_spec(const char *name, uint16_t priority, uint8_t flags, enum vfp_action_type action)
{
	struct vfp_rule_spec r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.priority = priority;
	r.flags = flags;
	r.n_actions = 1;
	r.actions[0].type = (uint8_t)action;
	return r;
}

void
group_with_rule(struct vfp_program *p, uint16_t port, int layer, const char *group,
	uint16_t priority, enum vfp_dir dir, const struct vfp_rule_spec *r)
{
	int g = vfp_group_add(p, port, layer, group, priority, dir, VFP_FAMILY_ANY);

	assert_true(g >= 0);
	assert_true(vfp_rule_add(p, port, layer, g, r) >= 0);
}

void
add_std_layers(struct vfp_program *p, uint16_t port)
{
	const struct vfp_rule_spec map = rule_spec("map", 1, 0, VFP_ACT_MAP);
	const struct vfp_rule_spec decap = rule_spec("decap", 1, 0, VFP_ACT_DECAP);
	const struct vfp_rule_spec route = rule_spec("route", 1, 0, VFP_ACT_ROUTE_PA);
	int layer;

	layer = vfp_layer_add(p, port, "vnet", LAYER_VNET, false);
	assert_true(layer >= 0);
	group_with_rule(p, port, layer, "vnet-out", 10, VFP_DIR_OUT, &map);
	group_with_rule(p, port, layer, "vnet-in", 10, VFP_DIR_IN, &decap);
	layer = vfp_layer_add(p, port, "pa-route", LAYER_PA_ROUTE, false);
	assert_true(layer >= 0);
	group_with_rule(p, port, layer, "pa-out", 10, VFP_DIR_OUT, &route);
}

struct hits_query {
	const char *layer, *rule; /* rule NULL: the layer's own line */
	int64_t hits;             /* -1: not found */
};

static void
hits_visit(void *ctx, const struct vfp_rule_info *info)
{
	struct hits_query *q = ctx;

	if (strcmp(info->layer, q->layer) != 0)
		return;
	if ((q->rule == NULL && info->rule == NULL) ||
		(q->rule != NULL && info->rule != NULL && strcmp(info->rule, q->rule) == 0))
		q->hits = (int64_t)info->hits;
}

int64_t
rule_hits(const struct fixture *f, uint16_t port, const char *layer, const char *rule)
{
	struct hits_query q = {.layer = layer, .rule = rule, .hits = -1};

	vfp_program_visit_rules(vfp_switch_program(f->sw), port, hits_visit, &q);
	return q.hits;
}

/* ---- many ports ---- */

const struct rte_ether_addr many_mac_r = {{0x00, 0x15, 0x5d, 0x01, 0xff, 0x01}};

uint32_t
many_vsid(uint16_t port)
{
	return port < MANY_BIG_FIRST ? MANY_VSID_SMALL : MANY_VSID_BIG;
}

struct rte_ether_addr
many_mac(uint16_t port)
{
	const struct rte_ether_addr mac = {{0x00, 0x15, 0x5d, 0x00, port >> 8, port & 0xff}};

	return mac;
}

rte_be32_t
many_ip(uint16_t port)
{
	return port < MANY_BIG_FIRST ? IP4(10, 2, port >> 8, port & 0xff)
				     : IP4(10, 1, port >> 8, port & 0xff);
}

struct vfp_program *
many_program(struct vfp_switch *sw, uint16_t n_ports, uint16_t unused)
{
	struct vfp_host_params hp = host_params(n_ports);
	struct vfp_program *p;

	hp.table_size = 4096;
	p = vfp_program_create(sw, &hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, MANY_VSID_SMALL, 1, IP4(10, 2, 0, 0), 16,
				 IP4(10, 2, 255, 254), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_subnet(p, MANY_VSID_BIG, 2, IP4(10, 1, 0, 0), 16,
				 IP4(10, 1, 255, 254), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(
		vfp_program_add_mapping(p, MANY_VSID_BIG, MANY_IP_R, &many_mac_r, MANY_PA_R), 0);
	for (uint16_t port = 1; port < n_ports; port++) {
		const struct rte_ether_addr mac = many_mac(port);

		if (port == unused)
			continue;
		assert_int_equal(
			vfp_program_add_vnic(p, port, many_vsid(port), &mac, many_ip(port)), 0);
		add_std_layers(p, port);
	}
	return p;
}

uint16_t
many_vm_frame(uint8_t *buf, uint16_t len, uint16_t src, uint16_t dst, uint16_t sport)
{
	const struct rte_ether_addr smac = many_mac(src);
	const struct rte_ether_addr dmac = dst != 0 ? many_mac(dst) : many_mac_r;

	return l4_frame(buf, len, IPPROTO_UDP, &smac, &dmac, many_ip(src),
		dst != 0 ? many_ip(dst) : MANY_IP_R, sport, 2000, 0);
}

uint16_t
many_remote_frame(uint8_t *buf, uint16_t inner_len, uint16_t dst, uint16_t sport)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	const struct rte_ether_addr dmac = dst != 0 ? many_mac(dst) : bcast;
	uint8_t inner[FRAME_MAX];
	uint16_t len = l4_frame(inner, inner_len, IPPROTO_UDP, &many_mac_r, &dmac, MANY_IP_R,
		dst != 0 ? many_ip(dst) : IP4(10, 1, 255, 255), sport, 2000, 0);

	return tunnel_frame(buf, ENCAP_TYPE_VXLAN, MANY_VSID_BIG, MANY_PA_R, inner, len);
}

/* ---- frames ---- */

struct rte_mbuf *
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

struct rte_mbuf *
mbuf_of(const uint8_t *frame, uint16_t len)
{
	return mbuf_at(frame, len, RTE_PKTMBUF_HEADROOM);
}

struct rte_mbuf *
mbuf_chain(const uint8_t *frame, uint32_t len, uint16_t seg, uint16_t headroom)
{
	uint16_t k = (uint16_t)RTE_MIN(len, (uint32_t)seg);
	struct rte_mbuf *head = mbuf_at(frame, k, headroom);

	for (uint32_t off = k; off < len; off += k) {
		k = (uint16_t)RTE_MIN(len - off, (uint32_t)seg);
		assert_int_equal(rte_pktmbuf_chain(head, mbuf_of(frame + off, k)), 0);
	}
	return head;
}

uint16_t
l4_frame(uint8_t *buf, uint16_t len, uint8_t proto, const struct rte_ether_addr *src,
	const struct rte_ether_addr *dst, rte_be32_t sip, rte_be32_t dip, uint16_t sport,
	uint16_t dport, uint8_t tcp_flags)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	const uint16_t l2 = sizeof(*eth);

	assert_true(len >= l2 + sizeof(*ip) + sizeof(struct rte_tcp_hdr) && len <= JUMBO_MAX);
	for (uint16_t i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
	eth->dst_addr = *dst;
	eth->src_addr = *src;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - l2);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = sip;
	ip->dst_addr = dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		memset(tcp, 0, sizeof(*tcp));
		tcp->src_port = rte_cpu_to_be_16(sport);
		tcp->dst_port = rte_cpu_to_be_16(dport);
		tcp->data_off = 0x50;
		tcp->tcp_flags = tcp_flags;
		tcp->rx_win = RTE_BE16(8192);
	} else {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(sport);
		udp->dst_port = rte_cpu_to_be_16(dport);
		udp->dgram_len = rte_cpu_to_be_16(len - l2 - sizeof(*ip));
		udp->dgram_cksum = 0;
	}
	return len;
}

uint16_t
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
