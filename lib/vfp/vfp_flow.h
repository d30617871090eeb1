/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: a UFT entry (struct vfp_flow): the precomputed header
 * transposition of one flow direction, what it was built from (its
 * generations) and its per-flow state (counters, last use, TCP state).
 * The miss handler fills one, the flow cache owns it once inserted, the
 * apply stage executes it.
 */
#ifndef HNV_VFP_FLOW_H
#define HNV_VFP_FLOW_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>

#include "encap.h"
#include "vfp_pkt.h"

#define VFP_FLOW_DEPS 4

enum vfp_xp_kind {
	VFP_XP_DROP = 1, /* count drop_reason, free */
	VFP_XP_FORWARD,  /* to out_port as is (after rewrites) */
	VFP_XP_ENCAP,    /* prepend tmpl, to the uplink */
	VFP_XP_DECAP,    /* strip the tunnel, to out_port */
};

/* vfp_flow.flags */
#define VFP_FLOW_REVERSE 0x01  /* made for the replies of an allowed flow */
#define VFP_FLOW_STATEFUL 0x02 /* allowed; its replies are admitted */

/* vfp_flow.set: which addresses the rewrites replace. */
#define VFP_XSET_SRC_MAC 0x1
#define VFP_XSET_DST_MAC 0x2
#define VFP_XSET_SRC_IP 0x4
#define VFP_XSET_DST_IP 0x8
#define VFP_XSET_TTL 0x10 /* routed: TTL - 1, or time exceeded at 1 */

enum vfp_tcp_state {
	VFP_TCP_NONE = 0, /* not TCP */
	VFP_TCP_SYN,
	VFP_TCP_ESTABLISHED,
	VFP_TCP_CLOSING,
};

enum vfp_timeout_class {
	VFP_TO_OTHER = 0,
	VFP_TO_UDP,
	VFP_TO_ICMP,
	VFP_TO_TCP,  /* by tcp_state */
	VFP_TO_DROP, /* a cached ACL drop: short, so that sprayed tuples go soon */
};

#define VFP_DROP_TIMEOUT_S 10

/* The first cache line holds what every hit reads and writes. */
struct vfp_flow {
	uint8_t kind; /* enum vfp_xp_kind */
	uint8_t drop_reason;
	uint8_t flags;     /* VFP_FLOW_* */
	uint8_t tcp_state; /* enum vfp_tcp_state */
	uint16_t out_port;
	uint8_t to_class; /* enum vfp_timeout_class */
	uint8_t set;      /* VFP_XSET_* of the rewrites */
	uint32_t gen_global;
	uint16_t dep_slot[VFP_FLOW_DEPS];
	uint32_t dep_gen[VFP_FLOW_DEPS];
	uint16_t counter; /* VFP_NONE or a counter id */
	uint16_t meter;   /* VFP_NONE or a meter id */
	uint64_t packets;
	uint64_t bytes;
	uint64_t last_tsc;
	/* Transposition. */
	struct encap_template tmpl; /* ENCAP: complete outer header */
	struct rte_ether_addr set_src_mac, set_dst_mac;
	rte_be32_t set_src_ip, set_dst_ip;
	/* Cold: aging and introspection. */
	struct vfp_flow_key key;
	uint32_t index;
	uint8_t in_use; /* VFP_FLOW_LIVE, VFP_FLOW_DEAD (deleted, waiting for a
			   grace period in rte_hash's defer queue) or 0 (free) */
} __rte_cache_aligned;

#define VFP_FLOW_LIVE 1
#define VFP_FLOW_DEAD 2

#endif /* HNV_VFP_FLOW_H */
