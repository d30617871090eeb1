/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: internal layout shared by the files of the engine: the compiled
 * program (vfp_program.c), the switch with its generations and next hops
 * (vfp_switch.c), the flow table (vfp_uft.c), the layer walk
 * (vfp_slowpath.c) and the per-packet path (vfp_pipeline.c). Not included
 * outside lib/vfp.
 */
#ifndef HNV_VFP_PRIVATE_H
#define HNV_VFP_PRIVATE_H

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "arp_proxy.h"
#include "encap.h"
#include "vfp.h"

#define VFP_MAX_NEIGH 64
#define VFP_MAX_SUBNETS 4096
#define VFP_MAX_SPACES 512

/* ------------------------------------------------------------------ */
/* Generations (per-dependency invalidation)                          */

/* A flow remembers the generation of each thing it was built from; a hit
 * on a flow whose generations are not all current re-walks the layers.
 * Slots are stable for the life of the switch, so that a new program can
 * keep the flows of everything it did not change. */
#define VFP_SLOT_NONE 0xffff
#define VFP_NONE 0xffff
#define VFP_SLOT_GLOBAL 0                           /* host, subnet set */
#define VFP_SLOT_PORT(p) (1 + (p))                  /* a port's layers */
#define VFP_SLOT_NEIGH(n) (1 + VFP_MAX_PORTS + (n)) /* a PA next hop's MAC */
#define VFP_SLOT_VSID_BASE (1 + VFP_MAX_PORTS + VFP_MAX_NEIGH)
#define VFP_N_SLOTS (VFP_SLOT_VSID_BASE + VFP_MAX_SUBNETS)
#define VFP_FLOW_DEPS 4

/* ------------------------------------------------------------------ */
/* Keys and packets                                                   */

/* The UFT key: everything the slow path looks at. Fixed size, padding
 * zeroed; network order where the wire has it. 48 bytes rather than 39:
 * rte_hash has vectorised compares for 16/32/48/.. byte keys and falls back
 * to memcmp otherwise, which costs more than the 9 bytes of hashing. */
struct vfp_flow_key {
	uint32_t vsid;
	rte_be32_t outer_src; /* IN from the uplink: the sender's PA, else 0 */
	rte_be32_t src_ip;
	rte_be32_t dst_ip;
	rte_be16_t sport; /* TCP/UDP/SCTP ports; ICMP echo: the id in both */
	rte_be16_t dport;
	struct rte_ether_addr src_mac;
	struct rte_ether_addr dst_mac;
	rte_be16_t ethertype;
	uint8_t proto;
	uint8_t dir; /* enum vfp_dir */
	uint16_t in_port;
	uint8_t encap;  /* IN: enum encap_type of the tunnel */
	uint8_t pad[9]; /* to 48 bytes: rte_hash compares those with SIMD */
} __rte_aligned(8);     /* rte_hash_crc loads 8 bytes at a time */

_Static_assert(sizeof(struct vfp_flow_key) == 48, "flow key has hidden padding");

/* A parsed packet: its key and what the per-packet work needs. */
struct vfp_pkt {
	struct vfp_flow_key key;
	uint16_t hdr_len;   /* IN: tunnel header bytes before the inner frame */
	uint16_t inner_len; /* IN: inner frame length per the outer IPv4 header */
	uint16_t l3_off;    /* offset of the inner IPv4 header in the inner frame, 0 = not IPv4 */
	uint8_t tcp_flags;
	uint8_t is_ipv4;
	uint8_t has_l4; /* sport/dport were read (TCP/UDP/SCTP, not a fragment) */
};

/* ------------------------------------------------------------------ */
/* Program                                                            */

struct vfp_l2_key {
	uint32_t vsid;
	struct rte_ether_addr mac;
	uint16_t pad;
};

struct vfp_ip_key {
	uint32_t vsid;
	rte_be32_t ip;
};

_Static_assert(sizeof(struct vfp_l2_key) == 12, "l2 key has hidden padding");
_Static_assert(sizeof(struct vfp_ip_key) == 8, "ip key has hidden padding");

enum vfp_entry_kind {
	VFP_ENTRY_LOCAL = 1, /* a VM NIC on one of our ports */
	VFP_ENTRY_REMOTE,    /* a CA behind another host's PA */
};

struct vfp_subnet;

/* One CA of a mapping space, found by (VSID, MAC) and by (VSID, IP). */
struct vfp_entry {
	uint8_t kind;
	uint16_t port;  /* LOCAL: switch port */
	uint16_t neigh; /* REMOTE: index of the PA next hop in the switch */
	rte_be32_t pa;  /* REMOTE: the host's PA */
	uint32_t vsid;
	rte_be32_t ip;
	struct rte_ether_addr mac;
	const struct vfp_subnet *subnet;
};

struct vfp_subnet {
	uint32_t vsid;
	uint32_t rdid;
	rte_be32_t prefix;
	uint8_t prefix_len;
	uint8_t encap; /* enum encap_type */
	rte_be32_t gateway;
	uint16_t slot;        /* generation slot in the switch */
	int space;            /* mapping space of the routing domain */
	uint64_t fingerprint; /* of everything a flow of this VSID depends on */
	uint16_t n_local;     /* local VM ports, for inbound flood delivery */
	uint16_t local_ports[VFP_MAX_PORTS];
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

struct vfp_rule {
	struct vfp_rule_spec spec;
	uint64_t hits; /* flows decided, updated atomically by the slow path */
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
	uint8_t role; /* enum vfp_port_role */
	const struct vfp_entry *vnic;
	unsigned int n_layers;
	struct vfp_layer *layers[VFP_MAX_LAYERS]; /* in the order added (ids) */
	uint8_t order[VFP_MAX_LAYERS];            /* layer ids, ascending priority */
	uint64_t fingerprint;
	bool can_block; /* some layer may refuse a packet */
};

struct vfp_program {
	struct vfp_switch *sw;
	struct vfp_host_params hp;
	uint16_t mtu;
	uint64_t fingerprint; /* host parameters and the set of subnets */
	struct vfp_port ports[VFP_MAX_PORTS];

	struct rte_hash *subnet_h; /* vsid -> struct vfp_subnet * */
	struct rte_hash *l2_h;     /* (vsid, mac) -> struct vfp_entry * */
	struct rte_hash *arp_h;    /* (vsid, ip) -> struct vfp_entry * */

	unsigned int n_subnets;
	struct vfp_subnet *subnets;
	unsigned int n_entries, max_entries;
	struct vfp_entry *entries;
	unsigned int n_spaces;
	struct vfp_space spaces[VFP_MAX_SPACES];
	unsigned int n_counters;
	char counter_names[VFP_MAX_COUNTERS][VFP_NAME_MAX];
	unsigned int n_meters;
	struct {
		char name[VFP_NAME_MAX];
		struct rte_meter_srtcm_params params;
		struct rte_meter_srtcm_profile profile;
	} meters[VFP_MAX_METERS];
};

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

/* ------------------------------------------------------------------ */
/* Flows                                                              */

enum vfp_xp_kind {
	VFP_XP_DROP = 1, /* count drop_reason, free */
	VFP_XP_FORWARD,  /* to out_port as is (after rewrites) */
	VFP_XP_ENCAP,    /* prepend tmpl, to the uplink */
	VFP_XP_DECAP,    /* strip the tunnel, to out_port */
};

#define VFP_FLOW_REVERSE 0x01  /* made for the replies of an allowed flow */
#define VFP_FLOW_STATEFUL 0x02 /* allowed; its replies are admitted */
#define VFP_FLOW_SET_MAC 0x04
#define VFP_FLOW_SET_IP 0x08

/* vfp_flow.set: which addresses the rewrites replace. */
#define VFP_XSET_SRC_MAC 0x1
#define VFP_XSET_DST_MAC 0x2
#define VFP_XSET_SRC_IP 0x4
#define VFP_XSET_DST_IP 0x8

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

/* A UFT entry: the precomputed header transposition of one flow direction.
 * The first cache line holds what every hit reads and writes. */
struct vfp_flow {
	uint8_t kind; /* enum vfp_xp_kind */
	uint8_t drop_reason;
	uint8_t flags;     /* VFP_FLOW_* */
	uint8_t tcp_state; /* enum vfp_tcp_state */
	uint16_t out_port;
	uint8_t to_class; /* enum vfp_timeout_class */
	uint8_t set;      /* VFP_SET_SRC | VFP_SET_DST of the rewrites */
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

struct vfp_uft {
	struct rte_hash *h;     /* key -> struct vfp_flow * */
	struct vfp_flow *flows; /* the entry pool */
	struct rte_ring *free;  /* free entry indices */
	uint32_t capacity;      /* keys */
	uint32_t pool_size;     /* entries: capacity plus room for deferred frees */
	rte_spinlock_t wlock;   /* serialises writers (workers' inserts, aging) */
	uint32_t age_cursor;
	uint32_t n_live; /* keys in the table; rte_hash_count() also
			    counts deleted keys not yet reclaimed */
};

/* ------------------------------------------------------------------ */
/* Switch                                                             */

struct vfp_switch {
	struct vfp_program *prog; /* published; read with an acquire load */
	struct rte_rcu_qsbr *qsbr;
	unsigned int n_lcores;
	int socket_id;
	struct vfp_uft uft;
	uint64_t timeout_tsc[8]; /* by class, TCP by state: see vfp_flow_timeout() */
	uint64_t tsc_hz;

	/* Generations, by slot; bumped by the control plane (publish) and by
	 * workers (next-hop MAC changes). */
	uint32_t gens[VFP_N_SLOTS];
	/* VSID -> slot, stable for the life of the switch. */
	uint32_t slot_vsid[VFP_MAX_SUBNETS];
	unsigned int n_vsid_slots;

	/* PA next hops: the neighbor cache survives program changes. */
	unsigned int n_neigh;
	struct arp_proxy_neigh neigh[VFP_MAX_NEIGH];
	bool neigh_static[VFP_MAX_NEIGH];
};

/* vfp_program.c */
void vfp_program_seal(struct vfp_program *p);

/* Fingerprints: CRC32C of fields, combined in 64 bits; order-sensitive
 * (chained) for ordered things, order-free (xor of items) for sets. */
uint64_t vfp_fp_mix(uint64_t fp, const void *data, uint32_t len);
#define VFP_FP_MIX(fp, v) vfp_fp_mix((fp), &(v), sizeof(v))

/* vfp_rules.c */
uint64_t vfp_port_fingerprint(const struct vfp_port *pp);
bool vfp_port_can_block(const struct vfp_port *pp);

/* vfp_switch.c */
int vfp_switch_vsid_slot(struct vfp_switch *sw, uint32_t vsid);
int vfp_switch_neigh_ref(struct vfp_switch *sw, rte_be32_t ip, const struct rte_ether_addr *mac);
void vfp_switch_neigh_learn(
	struct vfp_switch *sw, unsigned int i, const struct rte_ether_addr *mac);
bool vfp_flow_current(const struct vfp_switch *sw, const struct vfp_flow *f);
uint64_t vfp_flow_timeout(const struct vfp_switch *sw, const struct vfp_flow *f);

static inline uint32_t
vfp_gen(const struct vfp_switch *sw, uint16_t slot)
{
	return __atomic_load_n(&sw->gens[slot], __ATOMIC_ACQUIRE);
}

/* vfp_uft.c */
int vfp_uft_init(struct vfp_uft *u, uint32_t capacity, int socket, struct rte_rcu_qsbr *qsbr);
void vfp_uft_fini(struct vfp_uft *u);
struct vfp_flow *vfp_uft_alloc(struct vfp_uft *u);
void vfp_uft_release(struct vfp_uft *u, struct vfp_flow *f);
int vfp_uft_insert(
	struct vfp_switch *sw, struct vfp_flow *f, bool replace_drop, struct vfp_flow **current);
void vfp_uft_lookup_bulk(const struct vfp_uft *u, const struct vfp_flow_key **keys, unsigned int n,
	struct vfp_flow **flows);
struct vfp_flow *vfp_uft_lookup(const struct vfp_uft *u, const struct vfp_flow_key *key);
bool vfp_uft_delete(struct vfp_uft *u, struct vfp_flow *f);

/* vfp_slowpath.c */

/* What the slow path decided for one packet. */
struct vfp_verdict {
	struct vfp_flow flow;  /* the transposition, ready to insert */
	bool cacheable;        /* false: transient (next hop unresolved) */
	bool reverse_wanted;   /* allowed and stateful: build the reply's entry */
	int16_t solicit_neigh; /* >= 0: next hop to ARP for */
};

void vfp_slow_path(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_pkt *pkt,
	bool established, bool count, struct vfp_trace *trace, struct vfp_verdict *v);
bool vfp_is_reply(struct vfp_switch *sw, const struct vfp_program *p, const struct vfp_flow_key *k);
void vfp_reverse_key(const struct vfp_program *p, const struct vfp_flow_key *k, uint16_t dst_port,
	const struct vfp_entry *remote, struct vfp_flow_key *r);

/* vfp_parse.c: results besides "a flow packet" (0) and a drop (< 0). */
#define PARSE_ARP 1
#define PARSE_FLOOD 2
int vfp_parse_inner(const uint8_t *frame, uint32_t len, struct vfp_pkt *pkt);
int vfp_parse_vm(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why);
int vfp_parse_uplink(const struct vfp_program *p, uint16_t port, const uint8_t *frame, uint32_t len,
	struct vfp_pkt *pkt, enum hnv_drop_reason *why);

/* vfp_pipeline.c: an lcore's transmit buffers. */
void vfp_flush_port(struct vfp_lcore *lc, uint16_t port);

static inline void
vfp_drop(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m, enum hnv_drop_reason r)
{
	lc->stats[port].drops[r]++;
	rte_pktmbuf_free(m);
}

static inline void
vfp_enqueue(struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m)
{
	if (lc->txb[port].n == VFP_TX_BUF)
		vfp_flush_port(lc, port);
	lc->txb[port].pkts[lc->txb[port].n++] = m;
	lc->dirty |= UINT64_C(1) << port;
}

/* vfp_arp.c */
bool vfp_solicit_with(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	unsigned int n, struct rte_mbuf *m);
bool vfp_arp_vm(
	const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port, struct rte_mbuf *m);
void vfp_arp_uplink(struct vfp_switch *sw, const struct vfp_program *p, struct vfp_lcore *lc,
	uint16_t port, struct rte_mbuf *m);
void vfp_flood_inbound(const struct vfp_program *p, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf *m, const struct vfp_pkt *pkt);

/* vfp_slowpath.c */
void vfp_format_ip(char *buf, size_t size, rte_be32_t ip);

#endif /* HNV_VFP_PRIVATE_H */
