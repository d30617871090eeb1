/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the engine's introspection API (vfp_introspect.c), part of the
 * public face of lib/vfp (vfp.h includes it): counter sums over lcores,
 * named counters, the flows of the table and the rules of a port with
 * their hit counters, and packet traces through the stages without side
 * effects. Control plane only.
 */
#ifndef HNV_VFP_INTROSPECT_H
#define HNV_VFP_INTROSPECT_H

#include "vfp.h"

/**
 * A counter's totals over @p n_lcores lcores @p lcs.
 * @param id       the counter id (vfp_program_add_counter)
 * @param name     receives the counter's name
 * @param packets  receives the packet total; @p bytes the byte total
 * @return 0 or -ENOENT (no such counter)
 */
int vfp_counter_read(const struct vfp_program *p, struct vfp_lcore *const *lcs,
	unsigned int n_lcores, unsigned int id, const char **name, uint64_t *packets,
	uint64_t *bytes);

/** Sum the port stats of the @p n_lcores lcores @p lcs for @p port into @p out. */
void vfp_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, uint16_t port,
	struct vfp_port_stats *out);

/** Sum the flow table stats of the @p n_lcores lcores @p lcs into @p out. */
void vfp_uft_stats_sum(
	struct vfp_lcore *const *lcs, unsigned int n_lcores, struct vfp_uft_stats *out);

/* ------------------------------------------------------------------ */
/* Introspection: counters of the object model, flows, trace          */

/** Visit every layer/group/rule of port @p port with its counters. */
struct vfp_rule_info {
	const char *layer;
	const char *group;
	const char *rule; /**< NULL for the group line itself */
	uint16_t priority;
	enum vfp_dir dir;
	uint64_t hits; /**< flows that this rule (or layer) decided */
};
typedef void (*vfp_rule_visit_fn)(void *ctx, const struct vfp_rule_info *info);

/** Call @p fn with @p ctx for each layer (rule NULL, group NULL) and rule of
 * @p port, in walk order (nothing when @p port is out of range). */
void vfp_program_visit_rules(
	const struct vfp_program *p, uint16_t port, vfp_rule_visit_fn fn, void *ctx);

/** A flow as shown to an operator. */
struct vfp_flow_info {
	uint16_t in_port;
	enum vfp_dir dir;
	uint32_t vsid;
	bool ipv6;                  /**< the addresses are src6/dst6 */
	rte_be32_t src_ip, dst_ip;  /**< IPv4 (0 when not IP) */
	uint8_t src6[16], dst6[16]; /**< IPv6 */
	uint8_t proto;
	uint16_t sport, dport;
	const char *action; /**< "forward", "encap", "decap", "drop" */
	uint16_t out_port;
	const char *state; /**< TCP state or "-" */
	bool reverse;      /**< created for the replies of an allowed flow */
	uint64_t packets, bytes;
	uint64_t idle_ms;
};
typedef void (*vfp_flow_visit_fn)(void *ctx, const struct vfp_flow_info *info);

/** Call @p fn with @p ctx for up to @p max flows (control plane).
 * @return the number of flows visited */
unsigned int vfp_switch_visit_flows(
	const struct vfp_switch *sw, unsigned int max, vfp_flow_visit_fn fn, void *ctx);

#define VFP_TRACE_MAX 24

/** The slow-path walk of one packet, layer by layer (vfp_trace). */
struct vfp_trace {
	unsigned int n;
	struct {
		uint16_t port; /**< whose layers */
		enum vfp_dir dir;
		char layer[VFP_NAME_MAX];
		char group[VFP_NAME_MAX]; /**< "" when no group of the layer matched */
		char rule[VFP_NAME_MAX];  /**< "" for the layer's default */
		char action[64];
	} step[VFP_TRACE_MAX];
	char result[128]; /**< the composed outcome: "encap vxlan to 192.168.1.10 ..." */
	bool dropped;
	enum hnv_drop_reason drop;
};

/**
 * Run one frame received on @p port through parsing and the slow path of
 * the published program, without side effects (no flow added, no counter
 * moved, the frame untouched), and describe what happened.
 * @return 0, or -ENOENT when no program is published
 */
int vfp_trace_packet(struct vfp_switch *sw, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_trace *out);

/**
 * Trace a packet that VM port @p port would send: an IPv4 packet of
 * protocol @p proto (6, 17 or 1) from the port's NIC to @p dst_ip, to the
 * MAC the ARP proxy would give for it (the router's when it is off-subnet);
 * ports in host order (the ICMP echo id for ICMP).
 * @return 0, -ENOENT (no program), -EINVAL (not a VM port)
 */
int vfp_trace_tuple(struct vfp_switch *sw, uint16_t port, uint8_t proto, uint16_t sport,
	rte_be32_t dst_ip, uint16_t dport, struct vfp_trace *out);

#endif /* HNV_VFP_INTROSPECT_H */
