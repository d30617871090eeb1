/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the layout of a compiled program (vfp_program.c builds it,
 * vfp_rules.c its layers): subnets, the CA entries of the mapping spaces,
 * NAT pools, the PA next hops it needs, and per port the ordered layers,
 * groups and rules; workers read it between quiescent states. The
 * switch-side resources a program uses (generation slots, next-hop
 * entries) are bound at publish (vfp_switch.c), never while compiling.
 *
 * What is shared: a derived program (vfp_derive.c) is a copy of this
 * struct that shares its base's tables (the CA hashes and entries, the
 * subnets, ports and layers, the routing tables), counted by struct
 * vfp_cas, and keeps its mapping changes to itself. A published program is
 * immutable but for one thing: its shared CA tables and replication lists
 * change inside vfp_switch_publish of a program derived from it, by RCU
 * rules (a key's data is replaced atomically, what a worker may still hold
 * is freed after a grace period).
 */
#ifndef HNV_VFP_PROG_H
#define HNV_VFP_PROG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_meter.h>

#include "hnv_pa.h"
#include "vfp.h"
#include "vfp_pkt.h"

#define VFP_MAX_NEIGH 64 /* PA next hops of one program */
#define VFP_MAX_SUBNETS 4096
#define VFP_MAX_SPACES 512
#define VFP_MAX_ROUTES 4096    /* extra routes of one program, all domains */
#define VFP_MAX_FORWARDERS 256 /* remote VMs with ip_forwarding */
/* The largest MTU DHCP and Router Advertisements give a VM: the usual
 * jumbo MTU, which a 9050-byte (or larger) underlay carries whole. */
#define VFP_VM_MTU_MAX 9000
#define VFP_NONE 0xffff      /* no counter, meter, slot or port */
#define VFP_MAP_BUCKETS 4096 /* generation slots of the remote mappings */

_Static_assert(VFP_MAX_PORTS < VFP_NONE, "port ids must not collide with VFP_NONE");
_Static_assert(VFP_MAX_PORTS <= INT16_MAX, "a flood raises an mbuf's refcnt by n_local - 1");

struct vfp_l2_key {
	uint32_t vsid;
	struct rte_ether_addr mac;
	uint16_t pad;
};

struct vfp_ip_key {
	uint32_t vsid;
	rte_be32_t ip;
};

struct vfp_ip6_key {
	uint32_t vsid;
	uint8_t ip6[16];
};

_Static_assert(sizeof(struct vfp_l2_key) == 12, "l2 key has hidden padding");
_Static_assert(sizeof(struct vfp_ip6_key) == 20, "ip6 key has hidden padding");
_Static_assert(sizeof(struct vfp_ip_key) == 8, "ip key has hidden padding");

enum vfp_entry_kind {
	VFP_ENTRY_FREE = 0,  /* a free slot of the entries array (struct vfp_cas) */
	VFP_ENTRY_LOCAL = 1, /* a VM NIC on one of our ports */
	VFP_ENTRY_REMOTE,    /* a CA behind another host's PA */
};

struct vfp_subnet;
struct rte_fib6;

/* One CA of a mapping space, found by (VSID, MAC) and by (VSID, IP). */
struct vfp_entry {
	uint8_t kind;
	uint16_t port; /* LOCAL: switch port */
	uint16_t nh;   /* REMOTE: index into the program's next hops */
	rte_be32_t pa; /* REMOTE: the host's PA */
	uint32_t vsid;
	rte_be32_t ip;
	struct rte_ether_addr mac;
	bool forwarding; /* ip_forwarding: may send from other addresses */
	bool pinned;     /* a route's next hop or a forwarder points to it: a
			    derived program may not delete it */
	bool has_ip6;
	uint8_t ip6[16]; /* IPv6 CA, when has_ip6 */
	uint8_t ll6[16]; /* its link-local address (fe80::/64 from the MAC) */
	const struct vfp_subnet *subnet;
	uint16_t bucket; /* REMOTE: its generation slot, VFP_SLOT_MAP(bucket) */
};

/* The remote CAs of a VSID, for unicast replication: replaced whole (a
 * derived program's publish stores a new list and frees the old one after
 * a grace period), so readers load the pointer once (vfp_subnet_remote). */
struct vfp_ca_list {
	uint32_t n, max;
	const struct vfp_entry *e[]; /* in the order added */
};

struct vfp_subnet {
	uint32_t vsid;
	uint32_t rdid;
	rte_be32_t prefix;
	uint8_t prefix_len;
	uint8_t encap; /* enum encap_type */
	rte_be32_t gateway;
	bool has_v6; /* an IPv6 prefix (vfp_program_set_subnet6) */
	uint8_t prefix6_len;
	uint8_t prefix6[16];
	uint8_t gateway6[16];
	uint16_t slot;                /* generation slot, bound at publish */
	int space;                    /* mapping space of the routing domain */
	uint64_t fingerprint;         /* of what a flow of this VSID depends on besides
					 its ports and mappings: the subnet, its domain's
					 routing */
	uint16_t n_local;             /* local VM ports, for inbound flood delivery */
	uint16_t max_local;           /* room in local_ports, grown as NICs are added */
	uint16_t *local_ports;        /* in the order added; freed with the program */
	struct vfp_ca_list *remote;   /* vfp_subnet_remote; NULL: none */
	uint32_t flood_limit;         /* replicated copies per VM per second (per lcore) */
	struct vfp_dhcp_params *dhcp; /* NULL: the VSID's DHCP is not answered */
};

/* A PA next hop the program's mappings need: the remote PA itself when it
 * is on one of our PA subnets, else the host gateway. */
struct vfp_nexthop {
	rte_be32_t ip;
	uint8_t member; /* resolved on, and used through, this team member */
	/* The same next hop on each member (on[member] is this one): a remote
	 * entry names member 0's. */
	uint16_t on[VFP_MAX_UPLINKS];
	bool pinned; /* the policy fixed its MAC: never learned from ARP */
	struct rte_ether_addr mac;
	uint16_t slot; /* the switch's next-hop entry, bound at publish */
};

enum vfp_space_type {
	VFP_SPACE_MAPPING = 1,
	VFP_SPACE_NAT_POOL,
};

struct vfp_space {
	uint8_t type;
	uint32_t rdid;           /* MAPPING */
	char name[VFP_NAME_MAX]; /* NAT_POOL */
	uint32_t ip_lo, ip_hi;   /* NAT_POOL, host order */
	uint16_t port_lo, port_hi;
};

/* An extra route of a routing domain (vfp_router.c). */
struct vfp_route {
	int space; /* the domain's mapping space */
	rte_be32_t prefix;
	uint8_t len;
	const struct vfp_entry *via; /* the next-hop VM; NULL: drop */
};

/* A remote VM that forwards (ip_forwarding): routed packets from its host
 * may carry any source of its domain. */
struct vfp_forwarder {
	int space;
	rte_be32_t pa;
	const struct vfp_entry *e;
};

struct vfp_rule {
	struct vfp_rule_spec spec;
	uint64_t hits; /* flows decided, updated atomically by the miss handler */
};

struct vfp_group {
	char name[VFP_NAME_MAX];
	uint16_t priority;
	uint8_t dir;    /* enum vfp_dir */
	uint8_t family; /* enum vfp_family */
	unsigned int n_rules, max_rules;
	struct vfp_rule *rules; /* ascending priority */
};

struct vfp_layer {
	char name[VFP_NAME_MAX];
	uint16_t priority;
	bool default_block;
	uint64_t hits;      /* flows that walked it */
	uint64_t defaulted; /* ... and matched no rule */
	unsigned int n_groups;
	struct vfp_group groups[VFP_MAX_GROUPS]; /* in the order added (ids) */
	uint8_t order[VFP_MAX_GROUPS];           /* group ids, ascending priority */
};

struct vfp_port {
	uint8_t role;   /* enum vfp_port_role */
	uint8_t member; /* UPLINK: its index in the team (hp.uplinks) */
	const struct vfp_entry *vnic;
	unsigned int n_layers;
	struct vfp_layer *layers[VFP_MAX_LAYERS]; /* in the order added (ids) */
	uint8_t order[VFP_MAX_LAYERS];            /* layer ids, ascending priority */
	uint64_t fingerprint;
	bool can_block; /* some layer may refuse a packet */
};

struct vfp_meter_conf {
	char name[VFP_NAME_MAX];
	struct rte_meter_srtcm_params params;
	struct rte_meter_srtcm_profile profile;
};

/* The part of a program's tables that derived programs share with it:
 * the entries array and its free slots, the CA tables' room, and the
 * count of programs sharing (control plane only). The tables themselves
 * and everything else shared are pointed to by each program (identical
 * pointers), so lookups stay one load away; the last program to let go
 * frees them (vfp_program_free). */
struct vfp_cas {
	unsigned int refs;      /* programs pointing here */
	uint32_t cap[3];        /* keys each CA table holds (enum vfp_ca_table) */
	unsigned int n_entries; /* high-water mark of the slots written */
	unsigned int max_entries;
	struct vfp_entry *entries;
	unsigned int n_free, max_free;
	uint32_t *free;      /* slots below n_entries that no table points to */
	unsigned int n_owed; /* slots that may come back to it: written by an
				unpublished derived program, or retired by one
				(free has room for them all) */
};

struct vfp_delta;

struct vfp_program {
	struct vfp_switch *sw;
	bool bound;   /* holds references on the switch's slots (published) */
	uint64_t seq; /* the switch's count of publishes when it was published */
	/* Derived programs (vfp_derive.c): base_seq is the seq of the base
	 * (0: a full program); delta its changes until published (NULL after). */
	uint64_t base_seq;
	struct vfp_delta *delta;
	struct vfp_cas *cas;
	struct vfp_host_params hp;
	/* Each member's tunnel source by family, [0] IPv4 and [1] IPv6 (hp.pa
	 * in order); 0 where the host has no PA of the family. */
	rte_be32_t src_pa[2][VFP_MAX_UPLINKS];
	uint16_t mtu;
	uint64_t fingerprint;   /* host parameters */
	struct vfp_port *ports; /* hp.n_ports of them (vfp_program_create) */

	struct rte_hash *subnet_h; /* vsid -> struct vfp_subnet * */
	/* The CA tables, lock-free for readers: a derived program's publish
	 * writes them while workers look up (vfp_derive.c). */
	struct rte_hash *l2_h;  /* (vsid, mac) -> struct vfp_entry * */
	struct rte_hash *arp_h; /* (vsid, ip) -> struct vfp_entry * */
	struct rte_hash *nd_h;  /* (vsid, ip6) -> struct vfp_entry * */

	unsigned int n_subnets;
	struct vfp_subnet *subnets;
	uint64_t *map_fp; /* VFP_MAP_BUCKETS: the remote CAs of each bucket (its own) */
	unsigned int n_nh;
	struct vfp_nexthop nh[VFP_MAX_NEIGH];
	/* The distributed router (vfp_router.h): routing tables and routes. */
	struct rte_fib6 *fib;      /* subnets and extra routes */
	struct rte_fib6 *fib_conn; /* subnets only */
	struct rte_fib6 *fib6;     /* the subnets' IPv6 prefixes */
	unsigned int n_routes;
	struct vfp_route *routes; /* VFP_MAX_ROUTES */
	unsigned int n_fwd;
	struct vfp_forwarder fwd[VFP_MAX_FORWARDERS];
	unsigned int n_spaces;
	struct vfp_space spaces[VFP_MAX_SPACES];
	unsigned int n_counters;
	char counter_names[VFP_MAX_COUNTERS][VFP_NAME_MAX];
	unsigned int n_meters;
	struct vfp_meter_conf meters[VFP_MAX_METERS];
};

/* The team member that answers ARP or ND for our PA @ip: its own member
 * for the members' sources, member 0 for the others; -1 if @ip is none of
 * ours. */
static inline int
vfp_pa_member(const struct vfp_program *p, rte_be32_t ip)
{
	const rte_be32_t *src = p->src_pa[hnv_pa_is_v6(ip)];

	for (unsigned int m = 0; m < p->hp.n_uplinks; m++)
		if (src[m] == ip)
			return (int)m;
	for (unsigned int i = 0; i < p->hp.n_pa; i++)
		if (p->hp.pa[i] == ip)
			return 0;
	return -1;
}

/* The outer header's bytes for a tunnel of type @encap from this host: the
 * IPv6 size when the host has IPv6 PAs (the larger, so that what the VMs
 * are told fits both). No VLAN tag: that is not in the L3 MTU. */
static inline uint16_t
vfp_tunnel_overhead(const struct vfp_program *p, uint8_t encap)
{
	return (uint16_t)((encap == ENCAP_TYPE_NVGRE ? ENCAP_NVGRE_HDR_LEN : ENCAP_VXLAN_HDR_LEN) +
			  (p->src_pa[1][0] != 0 ? ENCAP_IPV6_EXTRA : 0));
}

static inline bool
vfp_is_our_pa(const struct vfp_program *p, rte_be32_t ip)
{
	for (unsigned int i = 0; i < p->hp.n_pa; i++)
		if (p->hp.pa[i] == ip)
			return true;
	return false;
}

static inline const struct vfp_subnet *
vfp_subnet_lookup(const struct vfp_program *p, uint32_t vsid)
{
	void *data;

	if (rte_hash_lookup_data(p->subnet_h, &vsid, &data) < 0)
		return NULL;
	return data;
}

static inline const struct vfp_entry *
vfp_l2_lookup(const struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac)
{
	struct vfp_l2_key k = {.vsid = vsid, .mac = *mac, .pad = 0};
	void *data;

	if (rte_hash_lookup_data(p->l2_h, &k, &data) < 0)
		return NULL;
	return data;
}

static inline const struct vfp_entry *
vfp_arp_lookup(const struct vfp_program *p, uint32_t vsid, rte_be32_t ip)
{
	struct vfp_ip_key k = {.vsid = vsid, .ip = ip};
	void *data;

	if (rte_hash_lookup_data(p->arp_h, &k, &data) < 0)
		return NULL;
	return data;
}

/* Was the flow with key @k sent by a VM to the distributed router? */
static inline bool
vfp_key_to_router(const struct vfp_program *p, const struct vfp_flow_key *k)
{
	return k->dir == VFP_DIR_OUT && rte_is_same_ether_addr(&k->dst_mac, &p->hp.router_mac);
}

/* Is IPv6 @ip inside @prefix/@len (0..128)? */
static inline bool
vfp_in_prefix6(const uint8_t *ip, const uint8_t *prefix, uint8_t len)
{
	unsigned int bytes = len / 8u, bits = len % 8u;

	if (memcmp(ip, prefix, bytes) != 0)
		return false;
	return bits == 0 || ((ip[bytes] ^ prefix[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static inline const struct vfp_entry *
vfp_nd_lookup(const struct vfp_program *p, uint32_t vsid, const uint8_t ip6[16])
{
	struct vfp_ip6_key k = {.vsid = vsid};
	void *data;

	memcpy(k.ip6, ip6, sizeof(k.ip6));
	if (rte_hash_lookup_data(p->nd_h, &k, &data) < 0)
		return NULL;
	return data;
}

/* The key of the replies to flow @k whose destination is @dst: from the
 * remote host's PA over the overlay, or from the VM on local port @dst.
 * A routed flow's replies are routed too: a local destination sends them
 * from its own VSID to the router MAC; a remote one's host routes them and
 * they arrive in @k's VSID from the router MAC, encapsulated as that VSID
 * is. */
static inline void
vfp_reply_key(const struct vfp_program *p, const struct vfp_flow_key *k,
	const struct vfp_entry *dst, struct vfp_flow_key *r)
{
	if (dst->kind == VFP_ENTRY_REMOTE) {
		const struct vfp_subnet *s = vfp_subnet_lookup(p, k->vsid);

		vfp_key_reverse(k, p->hp.uplink, VFP_DIR_IN, dst->pa,
			s != NULL ? s->encap : dst->subnet->encap, r);
		return;
	}
	vfp_key_reverse(k, dst->port, VFP_DIR_OUT, 0, 0, r);
	if (vfp_key_to_router(p, k)) {
		r->vsid = dst->vsid;
		r->src_mac = dst->mac;
		r->dst_mac = p->hp.router_mac;
	}
}

/* @s's replication list as of now (a worker: one load per use). */
static inline const struct vfp_ca_list *
vfp_subnet_remote(const struct vfp_subnet *s)
{
	return __atomic_load_n(&s->remote, __ATOMIC_ACQUIRE);
}

/* vfp_program.c: compute the fingerprints of a finished program (a derived
 * program keeps its own up to date as it changes: nothing to do). */
void vfp_program_seal(struct vfp_program *p);

/* vfp_program.c: what a flow that used remote entry @e depends on in its
 * bucket; a bucket's fingerprint is the xor of its entries'. */
uint64_t vfp_entry_fingerprint(const struct vfp_entry *e);

/* vfp_program.c: fill @e (zeroed first) as the CA (@mac, @ip) of @s. */
void vfp_entry_init(struct vfp_entry *e, const struct vfp_subnet *s,
	const struct rte_ether_addr *mac, rte_be32_t ip);

/* Fingerprints: CRC32C of fields, combined in 64 bits; order-sensitive
 * (chained) for ordered things, order-free (xor of items) for sets. */
uint64_t vfp_fp_mix(uint64_t fp, const void *data, uint32_t len);
#define VFP_FP_MIX(fp, v) vfp_fp_mix((fp), &(v), sizeof(v))

/* vfp_rules.c */
uint64_t vfp_port_fingerprint(const struct vfp_port *pp);
bool vfp_port_can_block(const struct vfp_port *pp);

#endif /* HNV_VFP_PROG_H */
