/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the distributed router (R5, R6, R14 for routed VSIDs), private
 * interface. vfp_router.c owns the routing table of every routing domain
 * (the subnets as connected routes, the policy's extra routes), the ROUTE
 * action of the router layer, the acceptance of routed packets from the
 * overlay, and the ICMP the router itself sends (echo replies for its
 * gateway addresses, time exceeded).
 *
 * One table serves every routing domain of a program: rte_fib6 keyed by
 * (mapping space, IPv4 address) in the top 48 bits of a 128-bit key, so a
 * prefix A/N of space S is the key S.A at depth 16 + N. A second table
 * holds the subnets alone: it names the owner of an address (for reply
 * matching and inbound checks) and serves the next-hop VM's own packets,
 * which must not be routed back to it.
 */
#ifndef HNV_VFP_ROUTER_H
#define HNV_VFP_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "vfp_lc.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"
#include "vfp_walk.h"

/* What a routing table lookup found for an address of a routing domain. */
enum vfp_route_kind {
	VFP_ROUTE_NONE = 0, /* no route */
	VFP_ROUTE_SUBNET,   /* inside a subnet: its VM with that address */
	VFP_ROUTE_VIA,      /* an extra route through a VM of the domain */
	VFP_ROUTE_DROP,     /* an extra route that drops */
};

struct vfp_route_result {
	enum vfp_route_kind kind;
	const struct vfp_subnet *subnet; /* SUBNET */
	const struct vfp_route *route;   /* VIA, DROP */
};

/* Create the routing tables of @p (vfp_program_create). */
int vfp_router_init(struct vfp_program *p);

/* Free them (vfp_program_free). */
void vfp_router_free(struct vfp_program *p);

/* Enter subnet @s as a connected route of its domain. */
int vfp_router_add_subnet(struct vfp_program *p, const struct vfp_subnet *s);

/* Enter subnet @s's IPv6 prefix (IPv6 routes are the subnets' only). */
int vfp_router_add_subnet6(struct vfp_program *p, const struct vfp_subnet *s);

/* The subnet of routing domain @space whose IPv6 prefix holds @ip, or NULL. */
const struct vfp_subnet *vfp_router_subnet6(
	const struct vfp_program *p, int space, const uint8_t ip[16]);

/* The CA entry that owns IPv6 @ip in @space, or NULL. */
const struct vfp_entry *vfp_router_owner6(
	const struct vfp_program *p, int space, const uint8_t ip[16]);

/* Is IPv6 @ip the router's: its link-local address (from the router MAC) or
 * a gateway6 of @own's domain? */
bool vfp_router_owns6(
	const struct vfp_program *p, const struct vfp_subnet *own, const uint8_t ip[16]);

/* The link-local address (fe80::/64, modified EUI-64) of @mac. */
void vfp_router_link_local(const struct rte_ether_addr *mac, uint8_t out[16]);

/* The routing fingerprint of each mapping space into @fp[0..n_spaces): its
 * subnets, routes and forwarders (vfp_program_seal folds it into each of
 * the domain's subnets). */
void vfp_router_fingerprints(const struct vfp_program *p, uint64_t *fp);

/* Longest-prefix match of @ip in @space; @conn_only: the subnets alone. */
void vfp_router_lookup(const struct vfp_program *p, int space, rte_be32_t ip, bool conn_only,
	struct vfp_route_result *r);

/* The CA entry that owns @ip in routing domain @space (the VM of the
 * subnet containing it), or NULL. */
const struct vfp_entry *vfp_router_owner(const struct vfp_program *p, int space, rte_be32_t ip);

/* Is @ip one of the router's gateway addresses in @space? */
bool vfp_router_owns(const struct vfp_program *p, int space, rte_be32_t ip);

/* A packet of VSID @s from the overlay whose inner source MAC is the
 * router's was routed by the sending host: accept it if its source CA is
 * in the domain and hosted by the sending PA, or the sending PA hosts a
 * VM of the domain that forwards (ip_forwarding). On success *@src is that
 * entry; else *@why says why not. */
bool vfp_router_tunnel_ok(const struct vfp_program *p, const struct vfp_subnet *s,
	const struct vfp_flow_key *k, const struct vfp_entry **src, enum hnv_drop_reason *why);

/* The ROUTE action (router layer, out). */
extern const struct vfp_action_ops vfp_router_route;

/* @m (from VM port @port, parsed as @pkt) is an ICMP echo request to one
 * of the router's addresses: answer it out of @port. */
void vfp_router_echo(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt);

/* @m (from VM port @port) was routed with a TTL that would reach 0: drop
 * it as ttl_exceeded and, unless it is itself an ICMP error or the lcore's
 * ICMP error budget is spent, send the sender an ICMP time exceeded from
 * its gateway address. */
void vfp_router_ttl_exceeded(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt);

#endif /* HNV_VFP_ROUTER_H */
