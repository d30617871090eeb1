/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the virtual network feature (vfp_vnet.c): the actions of the
 * "vnet" and "pa-route" layers, MAP (the destination through the mapping
 * space of the VSID), DECAP and ROUTE_PA (PA next hop and the outer
 * header), and the checks a tunnelled packet passes before any layer (the
 * VSID's tunnel type; the sending PA hosts the inner source).
 */
#ifndef HNV_VFP_VNET_H
#define HNV_VFP_VNET_H

#include <stdbool.h>

#include "vfp_walk.h"

extern const struct vfp_action_ops vfp_vnet_map;
extern const struct vfp_action_ops vfp_vnet_decap;
extern const struct vfp_action_ops vfp_vnet_route_pa;

/* May a packet with key @k, tunnelled to us in VSID @s, enter? False with
 * *why set when its tunnel is not @s's kind or its outer source PA does not
 * host its inner source (anti-spoofing of the underlay; for a packet the
 * sending host routed, the source by address, vfp_router_tunnel_ok). On
 * success *@src is the sender's entry. */
bool vfp_vnet_tunnel_ok(const struct vfp_program *p, const struct vfp_subnet *s,
	const struct vfp_flow_key *k, const struct vfp_entry **src, enum hnv_drop_reason *why);

/* The ingress routing of a tunnelled packet of VSID @s: its checks, then
 * the local VM it is for (w->dst). False when the walk dropped it. */
bool vfp_vnet_ingress(struct vfp_walk *w, const struct vfp_subnet *s);

#endif /* HNV_VFP_VNET_H */
