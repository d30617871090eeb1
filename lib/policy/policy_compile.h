/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: compiling a validated HNV policy into a VFP program.
 *
 * Switch port ids are the caller's: hnv_compile_env.port_ids gives the id
 * of each policy port (so that a port keeps its id, its counters and its
 * flows when a reload adds or removes others), or, without it, switch port
 * i is hnv_policy.ports[i]. The caller binds each id to a device. What the
 * policy leaves to the machine (the uplink MAC when the policy names none,
 * the uplink MTU) comes in struct hnv_compile_env.
 *
 * Each VM port gets these layers (R13, R16), walked in ascending priority
 * for packets the VM sends and descending for packets to it:
 *   10 "acl"       groups "vsid-out"/"vsid-in" (the VSID's ACL) then
 *                  "port-out"/"port-in" (the port's ACL); only when the
 *                  policy has an ACL for the port or its VSID
 *   20 "vnet"      "vnet-out": MAP through the routing domain's mapping
 *                  space; "vnet-in": DECAP
 *   25 "router"    "router-out": ROUTE, the distributed router, for what
 *                  MAP found addressed to the router MAC
 *   30 "pa-route"  "pa-out": ROUTE_PA (the PA next hop and the whole outer
 *                  header)
 */
#ifndef HNV_POLICY_COMPILE_H
#define HNV_POLICY_COMPILE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hnv_policy.h"
#include "vfp.h"

#define HNV_LAYER_ACL 10
#define HNV_LAYER_VNET 20
#define HNV_LAYER_ROUTER 25
#define HNV_LAYER_PA_ROUTE 30

/** Facts about the running host that the compiler needs. */
struct hnv_compile_env {
	/** Each uplink's (team member's) device MAC, used when the policy has
	 * no host.mac. */
	struct rte_ether_addr uplink_macs[HNV_MAX_UPLINKS];
	uint16_t uplink_mtu; /**< 0: the policy's (hnv_uplink_mtu) */
	bool tx_ipv4_cksum;  /**< the uplinks compute outer IPv4 checksums */
	uint32_t table_size; /**< at least this many CAs; 0: what the policy needs */
	int socket_id;
	/** The switch port id of each policy port (pol->n_ports entries, all
	 * distinct and below n_port_ids), or NULL for ids 0..n_ports-1. */
	const uint16_t *port_ids;
	/** The program's number of switch ports when port_ids is set: ids
	 * that no policy port has are unused ports. */
	uint16_t n_port_ids;
	/** Once true, compiling stops soon with -ECANCELED (NULL: never). */
	const atomic_bool *cancel;
};

/**
 * Build a program for switch @p sw from @p pol (not published).
 *
 * @param out   the program on success (publish with vfp_switch_publish, or
 *              free with vfp_program_free)
 * @param err   on failure, "SOURCE: $.path: problem"
 * @return 0 or a negative errno
 */
int hnv_policy_compile(const struct hnv_policy *pol, const struct hnv_compile_env *env,
	struct vfp_switch *sw, struct vfp_program **out, char *err, size_t errlen);

#endif /* HNV_POLICY_COMPILE_H */
