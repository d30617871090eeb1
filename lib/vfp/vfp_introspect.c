/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: introspection for operators (control plane): counter sums over
 * lcores, named counters, the flows of the table, the rules of a port with
 * their hit counters, and packet traces through the stages without side
 * effects (nothing cached, no counter moved, the frame untouched).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "hnv_net.h"
#include "vfp_arp.h"
#include "vfp_flowcache.h"
#include "vfp_ingress.h"
#include "vfp_lc.h"
#include "vfp_walk.h"

void
vfp_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, uint16_t port,
	struct vfp_port_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (port >= VFP_MAX_PORTS)
		return;
	for (unsigned int l = 0; l < n_lcores; l++) {
		const struct vfp_port_stats *s = &lcs[l]->stats[port];

		out->rx_packets += s->rx_packets;
		out->rx_bytes += s->rx_bytes;
		out->tx_packets += s->tx_packets;
		out->tx_bytes += s->tx_bytes;
		out->arp_replies += s->arp_replies;
		out->arp_requests += s->arp_requests;
		out->icmp_sent += s->icmp_sent;
		out->fragmented += s->fragmented;
		out->replicated += s->replicated;
		out->dhcp_replies += s->dhcp_replies;
		out->nd_replies += s->nd_replies;
		out->encapsulated += s->encapsulated;
		out->decapsulated += s->decapsulated;
		out->consumed += s->consumed;
		out->tx_retries += s->tx_retries;
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			out->drops[r] += s->drops[r];
	}
}

void
vfp_uft_stats_sum(struct vfp_lcore *const *lcs, unsigned int n_lcores, struct vfp_uft_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int l = 0; l < n_lcores; l++) {
		out->hits += lcs[l]->uft.hits;
		out->misses += lcs[l]->uft.misses;
		out->stale += lcs[l]->uft.stale;
		out->inserts += lcs[l]->uft.inserts;
		out->uncached += lcs[l]->uft.uncached;
	}
}

int
vfp_counter_read(const struct vfp_program *p, struct vfp_lcore *const *lcs, unsigned int n_lcores,
	unsigned int id, const char **name, uint64_t *packets, uint64_t *bytes)
{
	if (id >= p->n_counters)
		return -ENOENT;
	*name = p->counter_names[id];
	*packets = 0;
	*bytes = 0;
	for (unsigned int l = 0; l < n_lcores; l++) {
		if (lcs[l]->qos_prog != p)
			continue; /* that lcore has not counted for this program yet */
		*packets += lcs[l]->counters[id].packets;
		*bytes += lcs[l]->counters[id].bytes;
	}
	return 0;
}

static const char *const kind_names[] = {
	[VFP_XP_DROP] = "drop",
	[VFP_XP_FORWARD] = "forward",
	[VFP_XP_ENCAP] = "encap",
	[VFP_XP_DECAP] = "decap",
};

static const char *const tcp_names[] = {
	[VFP_TCP_NONE] = "-",
	[VFP_TCP_SYN] = "syn",
	[VFP_TCP_ESTABLISHED] = "established",
	[VFP_TCP_CLOSING] = "closing",
};

unsigned int
vfp_switch_visit_flows(
	const struct vfp_switch *sw, unsigned int max, vfp_flow_visit_fn fn, void *ctx)
{
	const struct vfp_uft *u = &sw->uft;
	uint64_t now = rte_get_tsc_cycles();
	unsigned int n = 0;

	for (uint32_t i = 0; i < u->pool_size && n < max; i++) {
		const struct vfp_flow *f = &u->flows[i];
		struct vfp_flow_info info;
		int64_t idle;

		if (__atomic_load_n(&f->in_use, __ATOMIC_ACQUIRE) != VFP_FLOW_LIVE)
			continue;
		memset(&info, 0, sizeof(info));
		info.in_port = f->key.in_port;
		info.dir = (enum vfp_dir)f->key.dir;
		info.vsid = f->key.vsid;
		info.ipv6 = f->key.ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6);
		info.src_ip = f->key.src_ip;
		info.dst_ip = f->key.dst_ip;
		memcpy(info.src6, f->key.src6, 16);
		memcpy(info.dst6, f->key.dst6, 16);
		info.proto = f->key.proto;
		info.sport = rte_be_to_cpu_16(f->key.sport);
		info.dport = rte_be_to_cpu_16(f->key.dport);
		info.action = f->kind < RTE_DIM(kind_names) && kind_names[f->kind]
				      ? kind_names[f->kind]
				      : "?";
		info.out_port = f->out_port;
		info.state = f->tcp_state < RTE_DIM(tcp_names) ? tcp_names[f->tcp_state] : "?";
		info.reverse = f->flags & VFP_FLOW_REVERSE;
		info.packets = f->packets;
		info.bytes = f->bytes;
		/* A worker may have stamped the flow after we read the clock. */
		idle = (int64_t)(now - f->last_tsc);
		info.idle_ms = idle > 0 ? (uint64_t)idle * 1000 / sw->tsc_hz : 0;
		fn(ctx, &info);
		n++;
	}
	return n;
}

void
vfp_program_visit_rules(const struct vfp_program *p, uint16_t port, vfp_rule_visit_fn fn, void *ctx)
{
	const struct vfp_port *pp;

	if (port >= p->hp.n_ports)
		return;
	pp = &p->ports[port];
	for (unsigned int l = 0; l < pp->n_layers; l++) {
		const struct vfp_layer *layer = pp->layers[pp->order[l]];
		struct vfp_rule_info info = {
			.layer = layer->name,
			.priority = layer->priority,
			.hits = __atomic_load_n(&layer->hits, __ATOMIC_RELAXED),
		};

		fn(ctx, &info);
		for (unsigned int g = 0; g < layer->n_groups; g++) {
			const struct vfp_group *grp = &layer->groups[layer->order[g]];

			for (unsigned int r = 0; r < grp->n_rules; r++) {
				info.group = grp->name;
				info.rule = grp->rules[r].spec.name;
				info.priority = grp->rules[r].spec.priority;
				info.dir = (enum vfp_dir)grp->dir;
				info.hits = __atomic_load_n(&grp->rules[r].hits, __ATOMIC_RELAXED);
				fn(ctx, &info);
			}
		}
	}
}

/* An ARP frame: the proxy's answer, or the L2 flow of a VM's ARP reply. */
static int
trace_arp(struct vfp_switch *sw, const struct vfp_program *p, uint16_t port, const uint8_t *frame,
	uint32_t len, struct vfp_trace *out)
{
	const struct rte_ether_addr *answer = NULL;
	enum hnv_drop_reason why = HNV_DROP_ARP_MALFORMED;
	char mac[HNV_MAC_FMT_SIZE];
	struct arp_proxy_pkt a;
	struct vfp_verdict v;
	struct vfp_pkt pkt;

	if (p->ports[port].role != VFP_PORT_VM) {
		snprintf(out->result, sizeof(out->result),
			"ARP on the uplink: answered for our PAs, learned from next hops");
		return 0;
	}
	switch (vfp_arp_vm_classify(p, port, frame, len, &a, &answer, &why)) {
	case VFP_ARP_VM_ANSWER:
		snprintf(out->result, sizeof(out->result), "ARP request: the proxy answers %s",
			hnv_mac_format(mac, sizeof(mac), answer));
		return 0;
	case VFP_ARP_VM_SWITCH:
		vfp_ingress_vm_l2(p, port, frame, len, &pkt);
		vfp_miss_handle(sw, p, &pkt, vfp_cache_is_reply(sw, p, &pkt.key), false, out, &v);
		return 0;
	default:
		out->dropped = true;
		out->drop = why;
		snprintf(out->result, sizeof(out->result), "drop %s (ARP proxy)",
			hnv_drop_name(why));
		return 0;
	}
}

int
vfp_trace_packet(struct vfp_switch *sw, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_trace *out)
{
	const struct vfp_program *p = vfp_switch_program(sw);
	enum hnv_drop_reason why;
	struct vfp_verdict v;
	struct vfp_pkt pkt;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return -ENOENT;
	switch (vfp_ingress(p, port, frame, len, len, 0, &pkt, &why)) {
	case VFP_RX_FLOW:
		vfp_miss_handle(sw, p, &pkt, vfp_cache_is_reply(sw, p, &pkt.key), false, out, &v);
		return 0;
	case VFP_RX_ARP:
		return trace_arp(sw, p, port, frame, len, out);
	case VFP_RX_FLOOD:
		snprintf(out->result, sizeof(out->result),
			"broadcast/multicast: delivered to every local VM of VSID %u",
			pkt.key.vsid);
		return 0;
	case VFP_RX_ROUTER:
		snprintf(out->result, sizeof(out->result),
			"ICMP echo request to the router: answered from the gateway address");
		return 0;
	case VFP_RX_REPLICATE:
		snprintf(out->result, sizeof(out->result),
			"broadcast/multicast: one unicast copy per other VM of VSID %u (each "
			"forwarded as a unicast packet; subnet flood_limit applies)",
			pkt.key.vsid);
		return 0;
	case VFP_RX_ND:
		snprintf(out->result, sizeof(out->result),
			"IPv6 Neighbor Discovery: answered by the ND proxy and router from the "
			"policy, never forwarded");
		return 0;
	case VFP_RX_DHCP:
		if (p->ports[port].vnic->subnet->dhcp == NULL) {
			out->dropped = true;
			out->drop = HNV_DROP_DHCP_DISABLED;
			snprintf(out->result, sizeof(out->result),
				"DHCP client message: drop dhcp_disabled (VSID %u has no dhcp)",
				pkt.key.vsid);
			return 0;
		}
		snprintf(out->result, sizeof(out->result),
			"DHCP client message: answered by the DHCP responder, never forwarded");
		return 0;
	default:
		out->dropped = true;
		out->drop = why;
		snprintf(out->result, sizeof(out->result), "drop %s (before the layers)",
			hnv_drop_name(why));
		return 0;
	}
}

int
vfp_trace_tuple(struct vfp_switch *sw, uint16_t port, uint8_t proto, uint16_t sport,
	rte_be32_t dst_ip, uint16_t dport, struct vfp_trace *out)
{
	const struct vfp_program *p = vfp_switch_program(sw);
	uint8_t frame[14 + 20 + 20] = {0};
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	const struct vfp_entry *vnic, *dst;
	bool on_subnet;
	uint32_t mask;

	if (p == NULL)
		return -ENOENT;
	if (port >= p->hp.n_ports || p->ports[port].vnic == NULL)
		return -EINVAL;
	vnic = p->ports[port].vnic;
	mask = rte_cpu_to_be_32(
		vnic->subnet->prefix_len ? ~0u << (32 - vnic->subnet->prefix_len) : 0);
	on_subnet = (dst_ip & mask) == vnic->subnet->prefix;
	dst = on_subnet ? vfp_arp_lookup(p, vnic->vsid, dst_ip) : NULL;
	if (on_subnet && dst == NULL && dst_ip != vnic->subnet->gateway) {
		char a[HNV_IPV4_FMT_SIZE];

		memset(out, 0, sizeof(*out));
		snprintf(out->result, sizeof(out->result),
			"no CA %s in VSID %u: the ARP proxy does not answer, the VM cannot send",
			hnv_ipv4_format(a, sizeof(a), dst_ip), vnic->vsid);
		out->dropped = true;
		out->drop = HNV_DROP_ARP_NO_ENTRY;
		return 0;
	}
	eth->src_addr = vnic->mac;
	eth->dst_addr = dst != NULL ? dst->mac : p->hp.router_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(40);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = vnic->ip;
	ip->dst_addr = dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (proto == IPPROTO_ICMP) {
		struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)l4;

		ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		ic->icmp_ident = rte_cpu_to_be_16(sport);
	} else {
		rte_be16_t sp = rte_cpu_to_be_16(sport), dp = rte_cpu_to_be_16(dport);

		memcpy(l4, &sp, 2);
		memcpy(l4 + 2, &dp, 2);
		if (proto == IPPROTO_TCP)
			l4[13] = RTE_TCP_SYN_FLAG;
	}
	return vfp_trace_packet(sw, port, frame, sizeof(frame), out);
}
