/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the public face of the match-action engine.
 *
 * A vfp_program is the compiled, immutable forwarding state of one policy:
 * switch ports and their roles, virtual subnets, the L2 table (VSID, MAC) ->
 * local port or remote PA, the ARP table (VSID, CA) -> MAC used by the ARP
 * proxy, our PAs and the PA next hops. It is built with the vfp_program_*
 * calls (by lib/policy's compiler) and then handed to workers, which run
 * vfp_process_burst() on it with their own vfp_lcore (counters and tx
 * buffers). Workers never write to the program except the PA neighbor cache,
 * whose entries are single atomic words.
 *
 * This is the first data-path slice: direct table lookups per packet. The
 * layered rule walk and the unified flow table come on top of it.
 */
#ifndef HNV_VFP_H
#define HNV_VFP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "encap.h"
#include "vfp_drop.h"

#define VFP_MAX_PORTS 64
#define VFP_MAX_PA 8
#define VFP_TX_BUF 64
#define VFP_BURST 32

enum vfp_port_role {
	VFP_PORT_UNUSED = 0,
	VFP_PORT_UPLINK,
	VFP_PORT_VM,
};

/** Host-wide parameters of a program. */
struct vfp_host_params {
	uint16_t n_ports; /**< switch ports 0..n_ports-1 */
	uint16_t uplink;  /**< the PA-side port */
	unsigned int n_pa;
	rte_be32_t pa[VFP_MAX_PA]; /**< pa[0] is the tunnel source */
	uint8_t pa_prefix_len[VFP_MAX_PA];
	struct rte_ether_addr uplink_mac;
	uint16_t vlan;       /**< PA VLAN, 0 = untagged */
	uint16_t uplink_mtu; /**< L3 MTU of the uplink, 0 = 1500 */
	rte_be32_t gateway;  /**< PA next hop for off-link PAs, 0 = none */
	bool has_gateway_mac;
	struct rte_ether_addr gateway_mac;
	struct rte_ether_addr router_mac;
	uint32_t table_size; /**< capacity of L2/ARP tables, 0 = default */
	int socket_id;
};

struct vfp_program;

/**
 * Create an empty program for a host.
 * @return the program, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct vfp_program *vfp_program_create(const struct vfp_host_params *hp);

/** Free a program and its tables. NULL is a no-op. */
void vfp_program_free(struct vfp_program *p);

/**
 * Add a virtual subnet.
 * @return 0, -EEXIST, -ENOSPC or -EINVAL
 */
int vfp_program_add_subnet(struct vfp_program *p, uint32_t vsid, uint32_t rdid, rte_be32_t prefix,
        uint8_t prefix_len, rte_be32_t gateway, enum encap_type encap);

/**
 * Bind a local VM NIC to switch port @p port (one NIC per port).
 * @return 0, -ENOENT (unknown VSID), -EEXIST (MAC or CA taken, port bound),
 *         -EINVAL or -ENOSPC
 */
int vfp_program_add_vnic(struct vfp_program *p, uint16_t port, uint32_t vsid,
        const struct rte_ether_addr *mac, rte_be32_t ip);

/**
 * Add a remote CA -> PA mapping; the PA's next hop is the PA itself when it
 * is inside one of our PA prefixes, else the host gateway.
 * @return 0, -ENOENT (unknown VSID), -EEXIST, -EHOSTUNREACH (off-link PA and
 *         no gateway), -ENOSPC or -EINVAL
 */
int vfp_program_add_mapping(struct vfp_program *p, uint32_t vsid, rte_be32_t ca,
        const struct rte_ether_addr *mac, rte_be32_t pa);

/** Role of switch port @p port in @p p. */
enum vfp_port_role vfp_program_port_role(const struct vfp_program *p, uint16_t port);

/** Number of switch ports of @p p. */
uint16_t vfp_program_n_ports(const struct vfp_program *p);

/** Per-port counters kept by one lcore. */
struct vfp_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t arp_replies;  /**< ARP replies sent out of this port by the proxy */
	uint64_t arp_requests; /**< ARP requests sent out of this port (resolver) */
	uint64_t encapsulated; /**< packets tunnelled out of the uplink */
	uint64_t decapsulated; /**< tunnel packets received on the uplink */
	uint64_t consumed;     /**< absorbed by the switch itself (ARP replies it learned from) */
	uint64_t drops[HNV_DROP_MAX]; /**< by reason, charged to the receiving port
	                                   (tx_full: the transmitting port;
	                                   mbuf_exhausted: the uplink) */
};

/**
 * Transmit callback of an lcore: send @p n packets out of switch port
 * @p port; return how many were taken. The rest are freed and counted as
 * tx_full by the caller.
 */
typedef uint16_t (*vfp_tx_fn)(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/** Per-lcore state: counters and transmit buffers. Touch only from its lcore. */
struct vfp_lcore {
	vfp_tx_fn tx;
	void *tx_ctx;
	uint64_t tsc_hz;
	uint64_t dirty; /**< bit per port with buffered packets */
	struct {
		uint16_t n;
		struct rte_mbuf *pkts[VFP_TX_BUF];
	} txb[VFP_MAX_PORTS];
	struct vfp_port_stats stats[VFP_MAX_PORTS];
} __rte_cache_aligned;

/** Reset @p lc and set its transmit callback. */
void vfp_lcore_init(struct vfp_lcore *lc, vfp_tx_fn tx, void *ctx);

/**
 * Process a burst received on switch port @p port: every packet is either
 * queued for transmission on this lcore's buffers, or freed and counted
 * under a drop reason. Ownership of all @p n mbufs passes to the engine.
 */
void vfp_process_burst(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
        struct rte_mbuf **pkts, uint16_t n);

/**
 * Send an ARP request out of the uplink for every PA next hop of @p p that
 * is not resolved and was not asked for within the last second. Called
 * periodically by one worker (it needs a tx queue) so that next hops resolve
 * before the first VM packet. An mbuf allocation failure is counted as
 * mbuf_exhausted on the uplink.
 * @return the number of requests queued on @p lc
 */
unsigned int vfp_neigh_solicit(
        const struct vfp_program *p, struct vfp_lcore *lc, struct rte_mempool *mp);

/** Number of PA next hops of @p p, and how many are resolved (in @p resolved). */
unsigned int vfp_neigh_count(const struct vfp_program *p, unsigned int *resolved);

/**
 * Read PA next hop @p i (0 .. vfp_neigh_count()-1): its address, MAC and
 * whether it is resolved. @return 0 or -ENOENT
 */
int vfp_neigh_get(const struct vfp_program *p, unsigned int i, rte_be32_t *ip,
        struct rte_ether_addr *mac, bool *resolved);

/** Transmit everything buffered on @p lc. */
void vfp_lcore_flush(struct vfp_lcore *lc);

/**
 * Sum the stats of @p n_lcores lcores for @p port into @p out.
 */
void vfp_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, uint16_t port,
        struct vfp_port_stats *out);

#endif /* HNV_VFP_H */
