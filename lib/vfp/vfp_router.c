/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the distributed router (R5, R6): present on every host, it owns
 * every subnet's gateway address and MAC (hp.router_mac) and routes between
 * the VSIDs of one routing domain, never across domains.
 *
 *  ROUTE (router layer, out): a packet a VM sent to the router MAC is
 *      looked up in its domain's table (vfp_router.h): inside a subnet, the
 *      VM with that address; an extra route, the next-hop VM (an appliance)
 *      or a drop. The flow's rewrites become: source MAC = router MAC,
 *      destination MAC = the target's, TTL - 1 (checksum patched); the
 *      destination entry is the target, so MAP's successors (the target's
 *      IN layers for a local VM, ROUTE_PA's outer header with the target's
 *      VSID for a remote one) carry on as for a switched packet. The UFT
 *      caches the result: a routed flow is one lookup and one transposition
 *      per packet, plus the TTL check.
 *  From the overlay: the sending host routed the packet, so its inner
 *      source MAC is the router's; the source address, not the MAC, says
 *      who sent it, and the sending PA must host it (vfp_router_tunnel_ok).
 *  ICMP: echo requests to any gateway address of the domain are answered;
 *      a routed packet whose TTL would reach 0 is dropped and answered with
 *      a time exceeded from the sender's gateway (at most
 *      VFP_ICMP_ERRORS_PER_S per lcore, never for an ICMP error).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_fib6.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>

#include "hnv_net.h"
#include "nd.h"
#include "vfp_apply.h"
#include "vfp_icmp.h"
#include "vfp_router.h"

/* Next-hop words of the tables: kind in the top byte, index below. */
#define NH_KIND_SHIFT 56
#define NH_INDEX_MASK ((1ull << NH_KIND_SHIFT) - 1)

static uint64_t
nh_word(enum vfp_route_kind kind, unsigned int index)
{
	return ((uint64_t)kind << NH_KIND_SHIFT) | index;
}

/* The 128-bit key of (@space, @ip): space in bytes 0-1, the address in 2-5. */
static void
route_key(int space, rte_be32_t ip, uint8_t key[RTE_FIB6_IPV6_ADDR_SIZE])
{
	memset(key, 0, RTE_FIB6_IPV6_ADDR_SIZE);
	key[0] = (uint8_t)(space >> 8);
	key[1] = (uint8_t)space;
	memcpy(key + 2, &ip, sizeof(ip));
}

static struct rte_fib6 *
table_create(const char *what, uint32_t prefixes, int socket)
{
	static unsigned int seq;
	struct rte_fib6_conf conf = {
		.type = RTE_FIB6_DUMMY, /* a tree: the slow path looks up, not the hits */
		.default_nh = nh_word(VFP_ROUTE_NONE, 0),
		/* A prefix takes at most two tree nodes (itself and a fork). */
		.max_routes = (int)(2 * prefixes),
	};
	char name[32];

	snprintf(name, sizeof(name), "vfp_%s_%u", what,
		__atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	return rte_fib6_create(name, socket, &conf);
}

/* The key of (@space, IPv6 @ip): space in bytes 0-1, then the first 112
 * bits of the address (subnet prefixes are at most /112). */
static void
route_key6(int space, const uint8_t ip[16], uint8_t key[RTE_FIB6_IPV6_ADDR_SIZE])
{
	key[0] = (uint8_t)(space >> 8);
	key[1] = (uint8_t)space;
	memcpy(key + 2, ip, RTE_FIB6_IPV6_ADDR_SIZE - 2);
}

int
vfp_router_init(struct vfp_program *p)
{
	uint32_t n = p->hp.route_capacity ? RTE_MIN(p->hp.route_capacity,
						    (uint32_t)(VFP_MAX_SUBNETS + VFP_MAX_ROUTES))
					  : VFP_MAX_SUBNETS + VFP_MAX_ROUTES;

	/* A tree of 2n nodes costs its room when it is made (some 15 ms for
	 * the most a program may hold): the policy says how many it needs. */
	p->fib = table_create("rt", n, p->hp.socket_id);
	p->fib_conn = table_create("rc", n, p->hp.socket_id);
	p->fib6 = table_create("r6", n, p->hp.socket_id);
	p->routes = rte_zmalloc_socket("vfp_routes", sizeof(*p->routes) * VFP_MAX_ROUTES,
		RTE_CACHE_LINE_SIZE, p->hp.socket_id);
	if (p->fib == NULL || p->fib_conn == NULL || p->fib6 == NULL || p->routes == NULL)
		return -ENOMEM;
	return 0;
}

void
vfp_router_free(struct vfp_program *p)
{
	rte_fib6_free(p->fib);
	rte_fib6_free(p->fib_conn);
	rte_fib6_free(p->fib6);
	rte_free(p->routes);
}

int
vfp_router_add_subnet(struct vfp_program *p, const struct vfp_subnet *s)
{
	uint8_t key[RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh = nh_word(VFP_ROUTE_SUBNET, (unsigned int)(s - p->subnets));
	int rc;

	route_key(s->space, s->prefix, key);
	rc = rte_fib6_add(p->fib_conn, key, (uint8_t)(16 + s->prefix_len), nh);
	if (rc == 0)
		rc = rte_fib6_add(p->fib, key, (uint8_t)(16 + s->prefix_len), nh);
	return rc == -ENOSPC ? -ENOSPC : rc < 0 ? -ENOMEM : 0;
}

int
vfp_router_add_subnet6(struct vfp_program *p, const struct vfp_subnet *s)
{
	uint8_t key[RTE_FIB6_IPV6_ADDR_SIZE];
	int rc;

	route_key6(s->space, s->prefix6, key);
	rc = rte_fib6_add(p->fib6, key, (uint8_t)(16 + s->prefix6_len),
		nh_word(VFP_ROUTE_SUBNET, (unsigned int)(s - p->subnets)));
	return rc == -ENOSPC ? -ENOSPC : rc < 0 ? -ENOMEM : 0;
}

const struct vfp_subnet *
vfp_router_subnet6(const struct vfp_program *p, int space, const uint8_t ip[16])
{
	uint8_t key[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh = 0;

	route_key6(space, ip, key[0]);
	rte_fib6_lookup_bulk(p->fib6, key, &nh, 1);
	if ((nh >> NH_KIND_SHIFT) != VFP_ROUTE_SUBNET)
		return NULL;
	return &p->subnets[nh & NH_INDEX_MASK];
}

void
vfp_router_link_local(const struct rte_ether_addr *mac, uint8_t out[16])
{
	nd_link_local_from_mac(mac, out);
}

const struct vfp_entry *
vfp_router_owner6(const struct vfp_program *p, int space, const uint8_t ip[16])
{
	const struct vfp_subnet *s = vfp_router_subnet6(p, space, ip);

	return s != NULL ? vfp_nd_lookup(p, s->vsid, ip) : NULL;
}

bool
vfp_router_owns6(const struct vfp_program *p, const struct vfp_subnet *own, const uint8_t ip[16])
{
	uint8_t ll[16];
	const struct vfp_subnet *s;

	vfp_router_link_local(&p->hp.router_mac, ll);
	if (memcmp(ip, ll, 16) == 0)
		return true;
	s = vfp_router_subnet6(p, own->space, ip);
	return s != NULL && memcmp(s->gateway6, ip, 16) == 0;
}

int
vfp_program_add_route(struct vfp_program *p, uint32_t rdid, rte_be32_t prefix, uint8_t prefix_len,
	uint32_t via_vsid, rte_be32_t via_ip)
{
	int space = vfp_program_mapping_space(p, rdid);
	uint8_t key[RTE_FIB6_IPV6_ADDR_SIZE];
	const struct vfp_entry *via = NULL;
	struct vfp_route *r;
	uint32_t mask;
	int rc;

	if (vfp_program_is_derived(p) || prefix_len > 32)
		return -EINVAL;
	mask = prefix_len == 0 ? 0 : ~0u << (32 - prefix_len);
	if ((rte_be_to_cpu_32(prefix) & ~mask) != 0)
		return -EINVAL;
	if (space < 0)
		return -ENOENT;
	if (via_ip != 0) {
		const struct vfp_subnet *s = vfp_subnet_lookup(p, via_vsid);

		if (s == NULL || s->space != space)
			return -ENOENT;
		via = vfp_arp_lookup(p, via_vsid, via_ip);
		if (via == NULL)
			return -ENOENT;
	}
	for (unsigned int i = 0; i < p->n_routes; i++)
		if (p->routes[i].space == space && p->routes[i].prefix == prefix &&
			p->routes[i].len == prefix_len)
			return -EEXIST;
	if (p->n_routes == VFP_MAX_ROUTES)
		return -ENOSPC;
	r = &p->routes[p->n_routes];
	r->space = space;
	r->prefix = prefix;
	r->len = prefix_len;
	r->via = via;
	route_key(space, prefix, key);
	/* A route for a subnet's own prefix replaces the connected one. */
	rc = rte_fib6_add(p->fib, key, (uint8_t)(16 + prefix_len),
		nh_word(via != NULL ? VFP_ROUTE_VIA : VFP_ROUTE_DROP, p->n_routes));
	if (rc < 0)
		return rc == -ENOSPC ? -ENOSPC : -ENOMEM;
	p->n_routes++;
	/* A derived program may not delete what a route points to. */
	if (via != NULL)
		((struct vfp_entry *)(uintptr_t)via)->pinned = true;
	return 0;
}

int
vfp_program_set_ip_forwarding(struct vfp_program *p, uint32_t vsid, rte_be32_t ca)
{
	struct vfp_entry *e = (struct vfp_entry *)(uintptr_t)vfp_arp_lookup(p, vsid, ca);

	if (vfp_program_is_derived(p))
		return -EINVAL;
	if (e == NULL)
		return -ENOENT;
	if (e->forwarding)
		return 0;
	if (e->kind == VFP_ENTRY_REMOTE) {
		if (p->n_fwd == VFP_MAX_FORWARDERS)
			return -ENOSPC;
		p->fwd[p->n_fwd].space = e->subnet->space;
		p->fwd[p->n_fwd].pa = e->pa;
		p->fwd[p->n_fwd].e = e;
		p->n_fwd++;
		e->pinned = true;
	}
	e->forwarding = true;
	return 0;
}

void
vfp_router_fingerprints(const struct vfp_program *p, uint64_t *fp)
{
	/* Sets: xor of the items, so the order of the policy does not matter. */
	for (unsigned int i = 0; i < p->n_spaces; i++)
		fp[i] = VFP_FP_MIX(0, i);
	for (unsigned int i = 0; i < p->n_subnets; i++) {
		const struct vfp_subnet *s = &p->subnets[i];
		uint64_t x = VFP_FP_MIX(0, s->vsid);

		x = VFP_FP_MIX(x, s->prefix);
		x = VFP_FP_MIX(x, s->prefix_len);
		x = VFP_FP_MIX(x, s->gateway);
		x = VFP_FP_MIX(x, s->has_v6);
		x = VFP_FP_MIX(x, s->prefix6);
		x = VFP_FP_MIX(x, s->prefix6_len);
		x = VFP_FP_MIX(x, s->gateway6);
		x = VFP_FP_MIX(x, s->encap); /* what a routed flow to it is sent in */
		fp[s->space] ^= x;
	}
	for (unsigned int i = 0; i < p->n_routes; i++) {
		const struct vfp_route *r = &p->routes[i];
		uint64_t x = VFP_FP_MIX(1, r->prefix);

		x = VFP_FP_MIX(x, r->len);
		if (r->via != NULL) {
			x = VFP_FP_MIX(x, r->via->vsid);
			x = VFP_FP_MIX(x, r->via->ip);
		}
		fp[r->space] ^= x;
	}
	for (unsigned int i = 0; i < p->n_fwd; i++)
		fp[p->fwd[i].space] ^= VFP_FP_MIX(2, p->fwd[i].pa);
}

void
vfp_router_lookup(const struct vfp_program *p, int space, rte_be32_t ip, bool conn_only,
	struct vfp_route_result *r)
{
	uint8_t key[1][RTE_FIB6_IPV6_ADDR_SIZE];
	uint64_t nh = 0;
	unsigned int index;

	memset(r, 0, sizeof(*r));
	route_key(space, ip, key[0]);
	rte_fib6_lookup_bulk(conn_only ? p->fib_conn : p->fib, key, &nh, 1);
	r->kind = (enum vfp_route_kind)(nh >> NH_KIND_SHIFT);
	index = (unsigned int)(nh & NH_INDEX_MASK);
	switch (r->kind) {
	case VFP_ROUTE_SUBNET:
		r->subnet = &p->subnets[index];
		break;
	case VFP_ROUTE_VIA:
	case VFP_ROUTE_DROP:
		r->route = &p->routes[index];
		break;
	default:
		r->kind = VFP_ROUTE_NONE;
		break;
	}
}

const struct vfp_entry *
vfp_router_owner(const struct vfp_program *p, int space, rte_be32_t ip)
{
	struct vfp_route_result r;

	vfp_router_lookup(p, space, ip, true, &r);
	return r.kind == VFP_ROUTE_SUBNET ? vfp_arp_lookup(p, r.subnet->vsid, ip) : NULL;
}

bool
vfp_router_owns(const struct vfp_program *p, int space, rte_be32_t ip)
{
	struct vfp_route_result r;

	vfp_router_lookup(p, space, ip, true, &r);
	return r.kind == VFP_ROUTE_SUBNET && r.subnet->gateway == ip;
}

bool
vfp_router_tunnel_ok(const struct vfp_program *p, const struct vfp_subnet *s,
	const struct vfp_flow_key *k, const struct vfp_entry **src, enum hnv_drop_reason *why)
{
	const struct vfp_entry *e;

	*why = HNV_DROP_SPOOFED_PA;
	if (k->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		e = vfp_router_owner(p, s->space, k->src_ip);
	else if (k->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		e = vfp_router_owner6(p, s->space, k->src6);
	else
		return false; /* the router routes IP only */
	if (e != NULL && e->kind == VFP_ENTRY_REMOTE && e->pa == k->outer_src) {
		*src = e;
		return true;
	}
	for (unsigned int i = 0; i < p->n_fwd; i++)
		if (p->fwd[i].space == s->space && p->fwd[i].pa == k->outer_src) {
			*src = p->fwd[i].e;
			return true;
		}
	return false;
}

/* The target of a routed packet from @self to @ip, or NULL after a drop. */
static const struct vfp_entry *
route_target(
	struct vfp_walk *w, const struct vfp_step *at, const struct vfp_entry *self, rte_be32_t ip)
{
	const struct vfp_program *p = w->p;
	char a[HNV_IPV4_FMT_SIZE], b[HNV_IPV4_FMT_SIZE];
	struct vfp_route_result r;
	const struct vfp_entry *t;

	vfp_router_lookup(p, self->subnet->space, ip, false, &r);
	if (r.kind == VFP_ROUTE_VIA && r.route->via == self) {
		/* The next hop's own packets follow the subnets, or they would
		 * come straight back to it. */
		vfp_walk_trace(w, at, "route: from the next hop of %s/%u itself",
			hnv_ipv4_format(a, sizeof(a), r.route->prefix), r.route->len);
		vfp_router_lookup(p, self->subnet->space, ip, true, &r);
	}
	switch (r.kind) {
	case VFP_ROUTE_DROP:
		vfp_walk_trace(w, at, "route: %s/%u drops",
			hnv_ipv4_format(a, sizeof(a), r.route->prefix), r.route->len);
		vfp_walk_drop(w, HNV_DROP_ROUTE_DROP);
		return NULL;
	case VFP_ROUTE_VIA:
		vfp_walk_trace(w, at, "route: %s/%u via %s",
			hnv_ipv4_format(a, sizeof(a), r.route->prefix), r.route->len,
			hnv_ipv4_format(b, sizeof(b), r.route->via->ip));
		return r.route->via;
	case VFP_ROUTE_SUBNET:
		if (ip == r.subnet->gateway) {
			vfp_walk_trace(w, at, "route: %s is the router's own address",
				hnv_ipv4_format(a, sizeof(a), ip));
			vfp_walk_drop(w, HNV_DROP_TO_ROUTER);
			return NULL;
		}
		t = vfp_arp_lookup(p, r.subnet->vsid, ip);
		if (t == NULL || t == self) {
			vfp_walk_trace(w, at, "route: no VM with address %s in VSID %u",
				hnv_ipv4_format(a, sizeof(a), ip), r.subnet->vsid);
			vfp_walk_drop(w, HNV_DROP_UNKNOWN_DST);
			return NULL;
		}
		return t;
	default:
		vfp_walk_trace(w, at, "route: no route to %s in routing domain %u",
			hnv_ipv4_format(a, sizeof(a), ip), self->subnet->rdid);
		vfp_walk_drop(w, HNV_DROP_NO_ROUTE);
		return NULL;
	}
}

/* The target of a routed IPv6 packet from @self to @ip: the subnets only
 * (extra routes are IPv4). */
static const struct vfp_entry *
route_target6(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_entry *self,
	const uint8_t ip[16])
{
	const struct vfp_program *p = w->p;
	const struct vfp_subnet *s = vfp_router_subnet6(p, self->subnet->space, ip);
	const struct vfp_entry *t;
	char a[INET6_ADDRSTRLEN];

	nd_format(a, sizeof(a), ip);
	if (s == NULL) {
		vfp_walk_trace(
			w, at, "route: no route to %s in routing domain %u", a, self->subnet->rdid);
		vfp_walk_drop(w, HNV_DROP_NO_ROUTE);
		return NULL;
	}
	if (vfp_router_owns6(p, self->subnet, ip)) {
		vfp_walk_trace(w, at, "route: %s is the router's own address", a);
		vfp_walk_drop(w, HNV_DROP_TO_ROUTER);
		return NULL;
	}
	t = vfp_nd_lookup(p, s->vsid, ip);
	if (t == NULL || t == self) {
		vfp_walk_trace(w, at, "route: no VM with address %s in VSID %u", a, s->vsid);
		vfp_walk_drop(w, HNV_DROP_UNKNOWN_DST);
		return NULL;
	}
	return t;
}

static bool
route_apply(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_action *a)
{
	const struct vfp_program *p = w->p;
	const struct vfp_entry *self = p->ports[at->port].vnic;
	const struct vfp_entry *t;
	char ip[INET6_ADDRSTRLEN];

	(void)a;
	if (at->dir != VFP_DIR_OUT || !w->to_router || w->dst != NULL)
		return true;
	/* RFC 4291 2.5.6: a link-local source is never forwarded. */
	if (w->pkt->is_ipv6 && nd_is_link_local(w->pkt->key.src6)) {
		vfp_walk_trace(w, at, "route: a link-local source is not routed");
		vfp_walk_drop(w, HNV_DROP_NO_ROUTE);
		return false;
	}
	t = w->pkt->is_ipv6 ? route_target6(w, at, self, w->pkt->key.dst6)
			    : route_target(w, at, self, w->pkt->key.dst_ip);
	if (t == NULL)
		return false;
	w->dst = t;
	/* The target's subnet is in the routing of the domain, and so in the
	 * sender's VSID slot; a remote target's mapping is in its bucket, a
	 * local one in its port (walked next). */
	if (t->kind == VFP_ENTRY_REMOTE)
		vfp_walk_depend(w, (uint16_t)VFP_SLOT_MAP(t->bucket));
	w->set |= VFP_XSET_SRC_MAC | VFP_XSET_DST_MAC | VFP_XSET_TTL;
	w->set_src_mac = p->hp.router_mac;
	w->set_dst_mac = t->mac;
	if (w->pkt->is_ipv6)
		nd_format(ip, sizeof(ip), t->ip6);
	else
		hnv_ipv4_format(ip, sizeof(ip), t->ip);
	if (t->kind == VFP_ENTRY_LOCAL)
		vfp_walk_trace(
			w, at, "route: to %s in VSID %u, local port %u", ip, t->vsid, t->port);
	else
		vfp_walk_trace(w, at, "route: to %s in VSID %u, remote", ip, t->vsid);
	return true;
}

const struct vfp_action_ops vfp_router_route = {.apply = route_apply};

/* ---- ICMP from the router --------------------------------------------- */

/* An ICMPv6 echo request to the router becomes its reply, in place. */
static void
echo6(const struct vfp_program *p, struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(frame + pkt->l3_off);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(frame + pkt->l4_off);
	uint8_t a[16];

	eth->dst_addr = eth->src_addr;
	eth->src_addr = p->hp.router_mac;
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = 64;
	ic->icmp_type = 129;
	/* The type moved 128 -> 129: 0x0100 less in the checksummed word. */
	ic->icmp_cksum = vfp_csum_replace2(ic->icmp_cksum, RTE_BE16(0x8000), RTE_BE16(0x8100));
}

void
vfp_router_echo(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + pkt->l3_off);
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	uint32_t sum;
	rte_be32_t a;

	if (pkt->is_ipv6) {
		echo6(p, m, pkt);
		lc->stats[port].icmp_sent++;
		vfp_enqueue(lc, port, m);
		return;
	}
	/* Ingress checked: IPv4, an unfragmented ICMP echo request, whole. */
	eth->dst_addr = eth->src_addr;
	eth->src_addr = p->hp.router_mac;
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	/* Type 8 -> 0: the checksum grows by 0x0800 (RFC 1624). */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint32_t)rte_be_to_cpu_16(ic->icmp_cksum) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = rte_cpu_to_be_16((uint16_t)sum);
	lc->stats[port].icmp_sent++;
	vfp_enqueue(lc, port, m);
}

void
vfp_router_ttl_exceeded(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt)
{
	const struct vfp_entry *vnic = p->ports[port].vnic;
	struct rte_mbuf *r;

	lc->stats[port].drops[HNV_DROP_TTL_EXCEEDED]++;
	r = pkt->is_ipv6 ? vfp_icmp6_error(p, lc, vnic, m, pkt, VFP_ICMP6_TIME_EXCEEDED, 0, 0)
			 : vfp_icmp4_error(p, lc, vnic, m, pkt, VFP_ICMP_TIME_EXCEEDED, 0, 0);
	rte_pktmbuf_free(m);
	if (r != NULL) {
		lc->stats[port].icmp_sent++;
		vfp_enqueue(lc, port, r);
	}
}
