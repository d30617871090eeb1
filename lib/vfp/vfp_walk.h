/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the miss handler (vfp_miss.c) and the interface between its
 * generic layer walk and the feature actions (vfp_vnet.c, vfp_router.c;
 * NAT later, a file of its own).
 *
 * The walk visits the layers of the ports a packet crosses; in each layer
 * the first matching rule of each group of the packet's direction and IP
 * family contributes its actions. Generic actions (ALLOW, BLOCK, SET_MAC,
 * SET_IP, COUNT, METER) are the walk's own; a feature action is a
 * struct vfp_action_ops that reads and writes the walk state below: it
 * may choose the destination (w->dst), ask for decapsulation, supply the
 * outer header, add a dependency, or drop. The walk returns a finished
 * verdict: it never applies, queues or inserts anything.
 */
#ifndef HNV_VFP_WALK_H
#define HNV_VFP_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "vfp_flow.h"
#include "vfp_pkt.h"
#include "vfp_prog.h"
#include "vfp_sw.h"

/* What the miss handler decided for one packet. */
struct vfp_verdict {
	struct vfp_flow flow;  /* the transposition, ready to insert */
	bool cacheable;        /* false: a transient result, or not worth an entry */
	int16_t solicit_nh;    /* >= 0: the program's next hop to ARP for */
	bool has_reply;        /* allowed, stateful and guarded: reply is the */
	struct vfp_flow reply; /* entry of its replies, ready to insert */
};

/* Where in the walk an action runs. */
struct vfp_step {
	uint16_t port; /* whose layers */
	enum vfp_dir dir;
	const char *layer, *group, *rule;
};

/* The state of one walk. */
struct vfp_walk {
	struct vfp_switch *sw;
	const struct vfp_program *p;
	const struct vfp_pkt *pkt;
	bool established; /* a reply of an allowed stateful flow */
	bool count;       /* move the rule hit counters */
	struct vfp_trace *trace;

	bool dropped;
	enum hnv_drop_reason drop;
	bool stateless_allow; /* an ALLOW without VFP_RULE_STATEFUL decided */
	const struct vfp_entry *dst;
	bool to_router; /* sent to the router MAC: the router layer picks dst */
	bool decap;
	bool routed;        /* ENCAP: tmpl and nh_mac are the outer header */
	int16_t solicit_nh; /* the next hop is unresolved: ARP for it */
	uint16_t uplink;    /* ENCAP: the team member's port it leaves by */
	struct encap_template tmpl;
	struct rte_ether_addr nh_mac;
	uint8_t set;             /* VFP_XSET_* */
	uint16_t counter, meter; /* VFP_NONE or the last COUNT / METER id */
	struct rte_ether_addr set_src_mac, set_dst_mac;
	rte_be32_t set_src_ip, set_dst_ip;
	bool uncacheable; /* more dependencies than a flow entry records */
	unsigned int n_deps;
	uint16_t dep_slot[VFP_FLOW_DEPS];
	uint32_t dep_gen[VFP_FLOW_DEPS];
};

/* A feature action: apply @a at @at; return false to end the walk (after
 * vfp_walk_drop, or when the packet needs nothing further). */
struct vfp_action_ops {
	bool (*apply)(struct vfp_walk *w, const struct vfp_step *at, const struct vfp_action *a);
};

/* Walk the layers for @pkt with program @p and return the verdict in @v.
 * @established: @pkt is the reply of an allowed stateful flow; @count:
 * move the layers' and rules' hit counters; @trace: if not NULL, describe
 * each step (the walk has no other side effect). */
void vfp_miss_handle(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_pkt *pkt,
	bool established, bool count, struct vfp_trace *trace, struct vfp_verdict *v);

/* Stop the walk with reason @r (the first reason stays). */
void vfp_walk_drop(struct vfp_walk *w, enum hnv_drop_reason r);

/* The flow depends on generation slot @slot as it is now. */
void vfp_walk_depend(struct vfp_walk *w, uint16_t slot);

/* Describe a step in the trace (a no-op without one). */
void vfp_walk_trace(struct vfp_walk *w, const struct vfp_step *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* HNV_VFP_WALK_H */
