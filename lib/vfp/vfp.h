/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: the public face of the match-action engine (R15-R19, D4).
 *
 * Objects:
 *  - vfp_switch: long-lived. Owns the unified flow table (UFT), the RCU
 *    state that lets workers read while the control plane publishes, the
 *    PA next-hop cache and the generation counters by which flows notice
 *    that what they were built from changed.
 *  - vfp_program: one compiled policy, immutable once published: switch
 *    ports and their roles, virtual subnets, mapping spaces (CA -> PA per
 *    routing domain) and NAT pools, and per port an ordered list of layers;
 *    a layer has groups (by direction and IP family, with priorities), a
 *    group has rules (with priorities; one rule of a group matches a flow).
 *    A derived program (vfp_program_derive) is the running program plus a
 *    few remote-mapping changes: it shares the running program's tables,
 *    and its publish applies the changes to them in place.
 *  - vfp_lcore: one worker's counters and transmit buffers.
 *
 * The first packet of a flow walks the layers (the slow path); the composed
 * result is stored in the UFT as a ready-made header transposition, which
 * every later packet of the flow applies after one hash lookup (the fast
 * path). docs/architecture.md walks one packet of each kind through the
 * stage files (vfp_pipeline.c reads top to bottom: vfp_ingress.c,
 * vfp_flowcache.c, vfp_miss.c, vfp_apply.c); vfp_uft.c explains the table
 * and its concurrency.
 *
 * Introspection for operators (counters, flows, rules, traces) is declared
 * in vfp_introspect.h, which this header includes.
 *
 * Conventions: functions return 0 (or a non-negative id) on success and a
 * negative errno on failure; addresses are in network byte order
 * (rte_be32_t), L4 ports and EtherTypes in host order unless the type says
 * otherwise.
 */
#ifndef HNV_VFP_H
#define HNV_VFP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_meter.h>

#include "encap.h"
#include "vfp_drop.h"

#define VFP_MAX_PORTS 2048 /* switch ports 0..2047: VMs and the uplink */
#define VFP_MAX_PA 8
#define VFP_MAX_UPLINKS 4 /* NIC team members: uplink ports, each with its PA */
#define VFP_MAX_LCORES 32
#define VFP_TX_BUF 64
#define VFP_BURST 32
#define VFP_NAME_MAX 32
#define VFP_MAX_LAYERS 8
#define VFP_MAX_GROUPS 16 /* per layer */
#define VFP_MAX_ACTIONS 4 /* per rule */

struct vfp_switch;
struct vfp_program;
struct vfp_lcore;

/* ------------------------------------------------------------------ */
/* Switch                                                             */

/** Idle timeouts of flows, in seconds (0 = the default in brackets). The
 * policy model uses this struct too. */
struct vfp_timeouts {
	uint32_t tcp_syn;         /**< handshake not complete [30] */
	uint32_t tcp_established; /**< [3600] */
	uint32_t tcp_closing;     /**< after FIN or RST [10] */
	uint32_t udp;             /**< [60] */
	uint32_t icmp;            /**< [30] */
	uint32_t other;           /**< [60] */
};

/** Parameters of a switch. */
struct vfp_switch_params {
	uint32_t flow_capacity; /**< UFT entries, 0 = 1M (VFP_DEFAULT_FLOWS) */
	unsigned int n_lcores;  /**< worker lcores that will read (1..VFP_MAX_LCORES) */
	int socket_id;
};

#define VFP_DEFAULT_FLOWS (1u << 20)

/**
 * Create a switch with an empty flow table and no program.
 * @param params  flow table size, number of reader lcores, NUMA socket
 * @return the switch, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct vfp_switch *vfp_switch_create(const struct vfp_switch_params *params);

/** Free a switch (no worker may be running) and its current program. NULL is a no-op. */
void vfp_switch_free(struct vfp_switch *sw);

/**
 * Publish @p prog as the switch's program (control plane only; the caller
 * must not be an online reader, see vfp_lcore_offline). This is the only
 * call that writes a program's needs into the switch: it takes a reference
 * on a generation slot per VSID and on a next-hop entry per PA next hop of
 * @p prog (shared with the previous program where they agree), and the
 * previous program's references are dropped when it is freed. Workers see
 * @p prog from their next burst; the previous program is freed once every
 * worker has passed a quiescent state. Flows built from a port's layers
 * or NIC, a VSID's remote mappings or a next hop's MAC that differ between
 * the two programs are invalidated (re-walked on their next packet); all
 * others keep their UFT entries. A port that only one of the two programs
 * has (their n_ports differ) counts as unused in the other: adding or
 * removing a port re-walks the flows through that port only.
 * A derived program (vfp_program_derive) is published by applying its
 * changes to the tables it shares with the running program, its base:
 * a moved CA is found at its old PA or its new one, never missing, and
 * only the flows of the mappings' buckets are re-walked.
 * @return 0 (the switch owns @p prog), -EINVAL if @p prog was built for
 *         another switch or was published before, -ENOSPC if the switch has
 *         no free VSID slot or next-hop entry left, -ENOMEM, -ESTALE if
 *         @p prog is derived from a program that is no longer the switch's
 *         (on error the caller still owns @p prog and the running program
 *         is untouched)
 */
int vfp_switch_publish(struct vfp_switch *sw, struct vfp_program *prog);

/**
 * Wait for a grace period (control plane: any thread that is not an online
 * reader of @p sw; a non-EAL thread such as the vhost-user events thread
 * will do). Returns once every online reader lcore has passed a quiescent
 * state (vfp_lcore_quiescent) or gone offline, so that no worker still
 * uses what the caller unpublished before the call: a port's receive
 * list, a device, a program. Offline readers do not hold it up; an online
 * reader that stops reporting quiescent states blocks it.
 */
void vfp_switch_synchronize(struct vfp_switch *sw);

/** The published program (control plane, or a reader between quiescent
 * states; NULL before the first publish). */
const struct vfp_program *vfp_switch_program(const struct vfp_switch *sw);

/**
 * Record whether switch port @p port can transmit (its link is up; for a
 * VM's vhost-user port, a guest is connected). What is sent to a port that
 * is down is dropped as port_down, charged to that port. Ports are up
 * until told otherwise. Any thread (a link-state callback, say).
 */
void vfp_switch_set_link(struct vfp_switch *sw, uint16_t port, bool up);

/** Set the idle timeouts from @p t (takes effect at the next aging pass). */
void vfp_switch_set_timeouts(struct vfp_switch *sw, const struct vfp_timeouts *t);

/**
 * Age flows (control plane): look at up to @p budget UFT entries, resuming
 * where the last call stopped, and delete those idle past their timeout or
 * built from something that changed since. A flow last used after
 * @p now_tsc (a worker stamped it after the caller read the clock) is busy.
 * @return the number of flows deleted
 */
unsigned int vfp_switch_age(struct vfp_switch *sw, uint64_t now_tsc, unsigned int budget);

/** Delete every flow (control plane). @return the number deleted */
unsigned int vfp_switch_flush_flows(struct vfp_switch *sw);

/**
 * Number of flows in the UFT.
 * @param capacity  if not NULL, receives the table's capacity
 * @return the number of live entries
 */
unsigned int vfp_switch_flow_count(const struct vfp_switch *sw, unsigned int *capacity);

/* ------------------------------------------------------------------ */
/* Program: host, ports, subnets, spaces                              */

enum vfp_port_role {
	VFP_PORT_UNUSED = 0,
	VFP_PORT_UPLINK,
	VFP_PORT_VM,
};

/** Host-wide parameters of a program. */
struct vfp_host_params {
	uint16_t n_ports; /**< switch ports 0..n_ports-1 (1..VFP_MAX_PORTS); ports
			       can come and go between programs without
			       disturbing the flows of the others */
	uint16_t uplink;  /**< the PA-side port (of a team: the first member) */
	/** A NIC team: @c n_uplinks ports (0 or 1: @c uplink alone), member i
	 * sourcing tunnels from its PA with MAC uplink_macs[i] on VLAN vlans[i];
	 * each flow is pinned to a member by its entropy, among those whose
	 * link is up. Member 0 is @c uplink, @c uplink_mac and @c vlan. */
	uint16_t n_uplinks;
	uint16_t uplinks[VFP_MAX_UPLINKS];
	struct rte_ether_addr uplink_macs[VFP_MAX_UPLINKS];
	uint16_t vlans[VFP_MAX_UPLINKS];
	/** Our PAs (hnv_pa.h: IPv4 addresses, IPv6 handles) and their prefix
	 * lengths. Member i sources IPv4 tunnels from the i-th IPv4 PA and
	 * IPv6 tunnels from the i-th IPv6 PA: a family with PAs has one for
	 * every member at least; the PAs after those only receive. */
	unsigned int n_pa;
	rte_be32_t pa[VFP_MAX_PA];
	uint8_t pa_prefix_len[VFP_MAX_PA];
	struct rte_ether_addr uplink_mac;
	uint16_t vlan;       /**< PA VLAN, 0 = untagged */
	uint16_t vxlan_port; /**< VXLAN UDP port, 0 = 4789 */
	uint16_t uplink_mtu; /**< L3 MTU of the uplink, 0 = 1500 */
	bool tx_ipv4_cksum;  /**< the uplink computes outer IPv4 checksums
				  (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM); else software does */
	rte_be32_t gateway;  /**< PA next hop for off-link PAs, 0 = none */
	bool has_gateway_mac;
	struct rte_ether_addr gateway_mac;
	rte_be32_t gateway6; /**< the same for IPv6 PAs (a handle), resolved by
				  neighbour discovery; 0 = none */
	struct rte_ether_addr router_mac;
	uint32_t table_size;  /**< CAs the program can hold (L2/ARP tables), 0 = default */
	uint32_t table6_size; /**< IPv6 CAs it can hold (ND table), 0 = table_size */
	/** Subnets and routes its routing tables can hold, all families (0 = the
	 * most a program may have); each table costs its room to create. */
	uint32_t route_capacity;
	int socket_id;
};

/**
 * Create an empty program for @p sw. Building a program never writes into
 * the switch: a program that is freed without being published leaves no
 * trace.
 * @param hp  host parameters (copied)
 * @return the program, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct vfp_program *vfp_program_create(struct vfp_switch *sw, const struct vfp_host_params *hp);

/** About how many bytes vfp_program_create(@p hp) allocates for its CA
 * tables (the part that grows with the policy), for messages. */
size_t vfp_program_mem_estimate(const struct vfp_host_params *hp);

/** Free a program that was never published (a derived one too: its base
 * is left as it was). NULL is a no-op. */
void vfp_program_free(struct vfp_program *p);

/**
 * A program equal to @p base (normally the switch's running program) that
 * then takes remote-mapping changes: vfp_program_add_mapping,
 * vfp_program_set_ipv6 (for a mapping added to it) and
 * vfp_program_del_mapping. It shares base's CA tables, entries, subnets,
 * ports, layers and routing; nothing of base changes until
 * vfp_switch_publish(derived) while base is still the switch's program
 * (else -ESTALE). Freeing an unpublished derived program leaves base as it
 * was. Every other builder (subnets, VM NICs, routes, forwarding, layers,
 * groups, rules, NAT pools, counters, meters, IPv6 prefixes, flood limits,
 * DHCP) refuses a derived program with -EINVAL. Its changes must fit in
 * base's tables as they are (hp.table_size, hp.table6_size): a deleted
 * CA's room is free only once the derived program is published, and a
 * moved one needs the room of a new entry until then; -ENOSPC says to
 * compile the policy whole instead. It may be derived from in turn once
 * published. Until freed, a derived program keeps the tables it shares
 * alive, even once its base is replaced: free a refused one.
 * @param base  the published program of its switch
 * @return the program, or NULL with rte_errno set (EINVAL: @p base NULL or
 *         not published on its switch; ENOMEM)
 */
struct vfp_program *vfp_program_derive(const struct vfp_program *base);

/**
 * Remove the remote mapping (@p vsid, @p mac) from derived program @p p,
 * with its IPv6 CA if it has one. Deleting a mapping and adding one with
 * the same MAC and/or CA (another PA: R23 live migration) is a move: its
 * publish replaces the CA's entry in one atomic store.
 * @return 0; -ENOENT: no remote mapping with that key (a local VM NIC's
 *         key is -ENOENT too); -EBUSY: a route's next hop or an
 *         ip_forwarding forwarder refers to it (compile the policy whole
 *         instead); -EINVAL: @p p is not a derived program or was
 *         published; -ENOMEM
 */
int vfp_program_del_mapping(struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac);

/** Is @p p a derived program (vfp_program_derive)? */
bool vfp_program_is_derived(const struct vfp_program *p);

/**
 * Add a virtual subnet; its mappings live in the mapping space of @p rdid
 * (created on first use).
 * @param vsid        4096 .. 2^24-2
 * @param prefix      the subnet's IPv4 prefix and @p prefix_len (0..32)
 * @param gateway     the distributed router's address in the subnet
 * @param encap       the tunnel type of the VSID
 * @return 0, -EEXIST (VSID present), -ENOSPC or -EINVAL
 */
int vfp_program_add_subnet(struct vfp_program *p, uint32_t vsid, uint32_t rdid, rte_be32_t prefix,
	uint8_t prefix_len, rte_be32_t gateway, enum encap_type encap);

/**
 * Bind a local VM NIC with @p mac and CA @p ip in @p vsid to switch port
 * @p port (one NIC per port, not the uplink).
 * @return 0, -ENOENT (unknown VSID), -EEXIST (MAC or CA taken, port bound),
 *         -EINVAL, -ENOSPC or -ENOMEM
 */
int vfp_program_add_vnic(struct vfp_program *p, uint16_t port, uint32_t vsid,
	const struct rte_ether_addr *mac, rte_be32_t ip);

/**
 * Give subnet @p vsid an IPv6 prefix (beyond the document's IPv4): @p prefix
 * / @p prefix_len (host bits zero, 8..112: the router's table keeps 112
 * bits of an address) whose router address is @p gateway (inside it, not
 * the prefix itself). Its VMs may then have IPv6 CAs (vfp_program_set_ipv6);
 * the router answers Neighbor Solicitations for @p gateway and for its
 * link-local address (fe80::/64 from the router MAC), advertises the prefix
 * (on-link, no autoconfiguration: addresses come from the policy) and
 * routes IPv6 between the domain's subnets.
 * @return 0, -ENOENT (no such VSID), -EEXIST (it has one), -EINVAL
 */
int vfp_program_set_subnet6(struct vfp_program *p, uint32_t vsid, const uint8_t prefix[16],
	uint8_t prefix_len, const uint8_t gateway[16]);

/**
 * Give the CA with IPv4 address @p ca in @p vsid (a VM NIC or a mapping
 * added before) the IPv6 CA @p ip6 too: inside the subnet's IPv6 prefix,
 * not its gateway, unique in the VSID. In a derived program, only a
 * mapping added to it (the others are its base's: -EINVAL).
 * @return 0, -ENOENT (no such CA, or the subnet has no IPv6 prefix),
 *         -EEXIST (the CA has one, or @p ip6 is taken), -EINVAL, -ENOSPC
 */
int vfp_program_set_ipv6(
	struct vfp_program *p, uint32_t vsid, rte_be32_t ca, const uint8_t ip6[16]);

/**
 * Add a remote CA -> PA mapping (CA @p ca with @p mac in @p vsid, hosted by
 * @p pa) to the mapping space of the VSID's routing domain; the PA's next
 * hop is the PA itself when it is inside one of our PA prefixes, else the
 * host gateway. On a derived program (vfp_program_derive), the same
 * against its view: its base's mappings less those it deleted, plus those
 * it added.
 * @return 0, -ENOENT (unknown VSID), -EEXIST, -EHOSTUNREACH (off-link PA and
 *         no gateway), -ENOSPC (table or next hops full), -ENOMEM or -EINVAL
 *         (also: a derived program already published)
 */
int vfp_program_add_mapping(struct vfp_program *p, uint32_t vsid, rte_be32_t ca,
	const struct rte_ether_addr *mac, rte_be32_t pa);

#define VFP_DHCP_MAX_DNS 4

/** DHCP for the VMs of one VSID (vfp_program_set_dhcp). */
struct vfp_dhcp_params {
	uint32_t lease_s;   /**< lease time, seconds (> 0; UINT32_MAX: infinite) */
	unsigned int n_dns; /**< DNS servers (option 6), 0..VFP_DHCP_MAX_DNS */
	rte_be32_t dns[VFP_DHCP_MAX_DNS];
	char domain[64]; /**< domain name (option 15), "" for none */
};

/**
 * Answer the DHCP of @p vsid's VMs (beyond the document): a VM NIC's
 * DISCOVER and REQUEST get its CA with the subnet's mask, broadcast address
 * and gateway (the server identifier), the lease time, DNS servers and
 * domain of @p d, and the MTU that fits the VSID's tunnel. Without it, the
 * VSID's DHCP is dropped as dhcp_disabled; either way it never leaves the
 * host.
 * @return 0, -ENOENT (no such VSID), -EINVAL (lease 0, too many servers, an
 *         unterminated domain) or -ENOMEM
 */
int vfp_program_set_dhcp(struct vfp_program *p, uint32_t vsid, const struct vfp_dhcp_params *d);

#define VFP_DEFAULT_FLOOD_LIMIT 8192

/**
 * Bound the unicast replication of @p vsid (R7): the copies one VM's
 * broadcast and multicast may make per second (each copy to each other VM
 * counts; each worker lcore keeps its own count). A packet whose copies do
 * not fit in what is left of the second is dropped whole, as flood_limit.
 * 0 refuses every VM broadcast; the default is VFP_DEFAULT_FLOOD_LIMIT.
 * @return 0 or -ENOENT
 */
int vfp_program_set_flood_limit(struct vfp_program *p, uint32_t vsid, uint32_t copies_per_s);

/**
 * Add an extra route to routing domain @p rdid (R6 beyond the document's
 * default gateway): packets a VM routes to an address in @p prefix /
 * @p prefix_len (host bits zero; longest prefix wins, and a route for a
 * subnet's own prefix replaces the subnet's) go to the VM with CA
 * @p via_ip in VSID @p via_vsid of the same domain (an appliance), or are
 * dropped as route_drop when @p via_ip is 0. The next hop's own packets
 * are routed by the subnets alone. Add the VM NICs and mappings first.
 * @return 0, -ENOENT (unknown domain, or next hop not a CA of the domain),
 *         -EEXIST (prefix taken in the domain), -EINVAL or -ENOSPC
 */
int vfp_program_add_route(struct vfp_program *p, uint32_t rdid, rte_be32_t prefix,
	uint8_t prefix_len, uint32_t via_vsid, rte_be32_t via_ip);

/**
 * Let the VM with CA @p ca in @p vsid (a local VM NIC or a remote mapping)
 * forward: a local one may send IPv4 from any source address (its MAC is
 * still checked); routed packets that a remote one's host sends into the
 * domain are accepted with any source address (the appliance forwards
 * for others).
 * @return 0, -ENOENT (no such CA) or -ENOSPC (too many remote forwarders)
 */
int vfp_program_set_ip_forwarding(struct vfp_program *p, uint32_t vsid, rte_be32_t ca);

/**
 * Add a NAT pool space named @p name: addresses [@p ip_lo, @p ip_hi] and
 * ports [@p port_lo, @p port_hi] (host order). A data model only: no action
 * uses it yet.
 * @return the space id (>= 0) or -EINVAL / -ENOSPC / -EEXIST (name)
 */
int vfp_program_add_nat_pool(struct vfp_program *p, const char *name, rte_be32_t ip_lo,
	rte_be32_t ip_hi, uint16_t port_lo, uint16_t port_hi);

#define VFP_MAX_COUNTERS 256
#define VFP_MAX_METERS 64

/**
 * Add a named packet counter for VFP_ACT_COUNT rules.
 * @return the counter id (>= 0) or -EINVAL / -ENOSPC / -EEXIST
 */
int vfp_program_add_counter(struct vfp_program *p, const char *name);

/**
 * Add a named meter for VFP_ACT_METER rules: a single-rate three-colour
 * marker (RFC 2697) with committed rate @p cir_bytes_per_s and burst sizes
 * @p cbs / @p ebs in bytes. Each worker lcore polices its own share: the
 * switch enforces at most n_lcores times the rate (one worker: exactly it).
 * @return the meter id (>= 0) or -EINVAL / -ENOSPC / -EEXIST
 */
int vfp_program_add_meter(struct vfp_program *p, const char *name, uint64_t cir_bytes_per_s,
	uint64_t cbs, uint64_t ebs);

/** Does NAT pool @p space contain (@p ip, @p port host order)? False for
 * any other space or id. */
bool vfp_nat_pool_contains(const struct vfp_program *p, int space, rte_be32_t ip, uint16_t port);

/** @return the mapping space id of routing domain @p rdid, or -ENOENT */
int vfp_program_mapping_space(const struct vfp_program *p, uint32_t rdid);

/** @return the role of switch port @p port in @p p (UNUSED when out of range) */
enum vfp_port_role vfp_program_port_role(const struct vfp_program *p, uint16_t port);

/** @return the number of switch ports of @p p */
uint16_t vfp_program_n_ports(const struct vfp_program *p);

/* ------------------------------------------------------------------ */
/* Program: layers, groups, rules (R15, R16)                          */

/** Direction, seen from the VM: OUT = sent by the VM, IN = to the VM. */
enum vfp_dir {
	VFP_DIR_OUT = 0,
	VFP_DIR_IN = 1,
};

/** IP family a group applies to. */
enum vfp_family {
	VFP_FAMILY_ANY = 0, /**< any EtherType */
	VFP_FAMILY_IPV4,
	VFP_FAMILY_IPV6,
};

/** Condition fields (bits of vfp_match.fields). Absent fields match anything. */
#define VFP_MATCH_PORT (1u << 0)
#define VFP_MATCH_VSID (1u << 1)
#define VFP_MATCH_SRC_MAC (1u << 2)
#define VFP_MATCH_DST_MAC (1u << 3)
#define VFP_MATCH_ETHERTYPE (1u << 4)
#define VFP_MATCH_SRC_IP (1u << 5)
#define VFP_MATCH_DST_IP (1u << 6)
#define VFP_MATCH_PROTO (1u << 7)
#define VFP_MATCH_SRC_PORT (1u << 8)
#define VFP_MATCH_DST_PORT (1u << 9)
#define VFP_MATCH_SRC_IP6 (1u << 10) /**< IPv6 source in src6/src6_len */
#define VFP_MATCH_DST_IP6 (1u << 11)

/** A rule's conditions. IPs and masks in network order, ports host order.
 * PROTO and the ports match IPv4 and IPv6 packets; SRC_IP/DST_IP only
 * IPv4 ones, SRC_IP6/DST_IP6 only IPv6 ones. */
struct vfp_match {
	uint32_t fields;
	uint16_t port;
	uint32_t vsid;
	struct rte_ether_addr src_mac, dst_mac;
	uint16_t ethertype; /**< host order */
	rte_be32_t src_ip, src_mask;
	rte_be32_t dst_ip, dst_mask;
	uint8_t src6[16], dst6[16]; /**< IPv6 prefixes (host bits zero) */
	uint8_t src6_len, dst6_len;
	uint8_t proto;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
};

enum vfp_action_type {
	VFP_ACT_ALLOW = 1, /**< ACL: pass */
	VFP_ACT_BLOCK,     /**< ACL: drop (acl_deny); ends the walk */
	VFP_ACT_MAP,       /**< VNet out: destination MAC through the mapping space
				of the VSID: a local port (hairpin) or the remote
				PA (encapsulation) */
	VFP_ACT_DECAP,     /**< VNet in: strip the tunnel (the uplink ingress already
				checked that the sending PA hosts the inner source) */
	VFP_ACT_ROUTE_PA,  /**< PA routing out: pick the PA next hop of the remote
				destination that MAP found and build the whole outer
				header (Ethernet and VLAN from the next hop, IPv4 from
				our PA, UDP/VXLAN or GRE/NVGRE); a remote destination
				without it has no route (no_rule) */
	VFP_ACT_SET_MAC,   /**< L2 rewrite of source and/or destination MAC */
	VFP_ACT_SET_IP,    /**< L3 rewrite of source and/or destination IPv4 */
	VFP_ACT_COUNT,     /**< count the flow's packets (those its meter passes) in counter `id` */
	VFP_ACT_METER,     /**< police the flow with meter `id` (srTCM, colour
				blind); red packets are dropped as meter_red */
	VFP_ACT_ROUTE,     /**< router out: a packet MAP found addressed to the router
				MAC is routed in its routing domain (the subnets,
				then the extra routes): the target VM becomes the
				destination, with source MAC = router MAC,
				destination MAC = the target's and TTL - 1 */
};

#define VFP_SET_SRC 0x1
#define VFP_SET_DST 0x2

/** One action of a rule. */
struct vfp_action {
	uint8_t type; /**< enum vfp_action_type */
	uint8_t set;  /**< SET_MAC/SET_IP: VFP_SET_SRC | VFP_SET_DST */
	struct rte_ether_addr src_mac, dst_mac;
	rte_be32_t src_ip, dst_ip;
	uint16_t id; /**< COUNT: counter id; METER: meter id */
};

/** Rule flags (vfp_rule_spec.flags). */
#define VFP_RULE_STATEFUL 0x1  /**< an ALLOW admits the replies of the flow */
#define VFP_RULE_TERMINATE 0x2 /**< no further group of this layer is walked */

/** Everything that describes a rule. */
struct vfp_rule_spec {
	char name[VFP_NAME_MAX];
	uint16_t priority; /**< lower first; unique within the group */
	uint8_t flags;
	struct vfp_match match;
	unsigned int n_actions;
	struct vfp_action actions[VFP_MAX_ACTIONS];
};

/**
 * Add a layer to port @p port. Layers are walked in ascending priority for
 * packets the VM sends (OUT) and in descending priority for packets to the
 * VM (IN), so that the outermost layer (PA routing) meets an inbound packet
 * first, as in VFP.
 * @param default_block  what a packet matching no rule of the layer gets
 * @return the layer id on this port (>= 0, stable) or -EINVAL / -ENOSPC /
 *         -EEXIST (priority or name taken)
 */
int vfp_layer_add(struct vfp_program *p, uint16_t port, const char *name, uint16_t priority,
	bool default_block);

/**
 * Add a group to a layer: the rules for one direction and IP family.
 * Groups of a layer are walked in ascending priority.
 * @return the group id within the layer (>= 0) or a negative errno
 */
int vfp_group_add(struct vfp_program *p, uint16_t port, int layer, const char *name,
	uint16_t priority, enum vfp_dir dir, enum vfp_family family);

/**
 * Add a rule to a group. Within a group the matching rule of lowest
 * priority is the one that applies.
 * @return the rule id within the group (>= 0), -EEXIST (priority taken),
 *         -EINVAL or -ENOSPC
 */
int vfp_rule_add(struct vfp_program *p, uint16_t port, int layer, int group,
	const struct vfp_rule_spec *spec);

/* ------------------------------------------------------------------ */
/* Data path                                                          */

/** Per-port counters kept by one lcore. */
struct vfp_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t arp_replies;         /**< ARP replies sent out of this port by the proxy */
	uint64_t arp_requests;        /**< ARP requests and IPv6 neighbour solicitations sent
					 out of this port (next-hop resolver) */
	uint64_t icmp_sent;           /**< ICMP the switch sent out of this port (echo
					 replies for its addresses, time exceeded,
					 fragmentation needed, packet too big) */
	uint64_t fragmented;          /**< IPv4 packets the VM on this port sent,
					 too big for the underlay and without DF,
					 fragmented before encapsulation */
	uint64_t dhcp_replies;        /**< DHCP replies sent out of this port */
	uint64_t nd_replies;          /**< Neighbor and Router Advertisements sent out
					 of this port (ND proxy, router) */
	uint64_t replicated;          /**< VM broadcasts/multicasts received on this
					 port that unicast replication copied to the
					 VSID's other VMs */
	uint64_t encapsulated;        /**< packets tunnelled out of the uplink */
	uint64_t decapsulated;        /**< tunnel packets received on the uplink */
	uint64_t consumed;            /**< absorbed by the switch (ARP it learned from) */
	uint64_t tx_retries;          /**< transmit calls repeated for the rest of a
					 burst the port took only part of
					 (vfp_lcore_set_tx_retries) */
	uint64_t drops[HNV_DROP_MAX]; /**< by reason, charged to the receiving port
					 (tx_full: the transmitting port;
					 mbuf_exhausted: the uplink) */
};

/** Flow table counters kept by one lcore. */
struct vfp_uft_stats {
	uint64_t hits;     /**< packets that took the fast path */
	uint64_t misses;   /**< packets that walked the layers */
	uint64_t stale;    /**< hits on an entry whose dependencies changed */
	uint64_t inserts;  /**< flows added (reverse entries included) */
	uint64_t uncached; /**< packets whose flow could not be cached because the
				table was full; they are forwarded from the slow
				path's result (never dropped for it) */
};

/**
 * Transmit callback of an lcore: send @p n packets out of switch port
 * @p port; return how many were taken. The rest are freed and counted as
 * tx_full by the engine.
 */
typedef uint16_t (*vfp_tx_fn)(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/**
 * Create the state of one worker lcore (counters, transmit buffers, QoS
 * state) and register it as RCU reader @p thread_id of @p sw; it is online
 * from now on. Touch it only from that lcore, except through the read-only
 * accessors below.
 * @param thread_id  0 .. n_lcores-1 of the switch's parameters, unique
 * @param tx         transmit callback; @p ctx is passed to it
 * @return the lcore state, or NULL with rte_errno set (EINVAL, ENOMEM)
 */
struct vfp_lcore *vfp_lcore_create(
	struct vfp_switch *sw, unsigned int thread_id, vfp_tx_fn tx, void *ctx);

/** Take @p lc offline, unregister it from @p sw and free it. NULL is a no-op. */
void vfp_lcore_free(struct vfp_switch *sw, struct vfp_lcore *lc);

/**
 * Take @p lc offline / online. An offline reader does not hold up
 * vfp_switch_publish(); a thread that is both a reader and the publisher
 * (a test, the replay runner) goes offline around its publish calls.
 */
void vfp_lcore_offline(struct vfp_switch *sw, struct vfp_lcore *lc);

/** Bring @p lc back online after vfp_lcore_offline(). */
void vfp_lcore_online(struct vfp_switch *sw, struct vfp_lcore *lc);

/** Report that @p lc holds no references into the flow table or program. */
void vfp_lcore_quiescent(struct vfp_switch *sw, struct vfp_lcore *lc);

/**
 * The counters @p lc kept for switch port @p port (another thread may read
 * them while the lcore runs: a value may be a packet behind).
 * @return the counters, or NULL if @p port >= VFP_MAX_PORTS
 */
const struct vfp_port_stats *vfp_lcore_port_stats(const struct vfp_lcore *lc, uint16_t port);

/** The flow table counters of @p lc. */
const struct vfp_uft_stats *vfp_lcore_uft_stats(const struct vfp_lcore *lc);

#define VFP_MAX_TX_RETRIES 32
#define VFP_TX_RETRY_WAIT_US 2 /**< pause after a retry that sent nothing */

/**
 * Let @p lc call its transmit callback up to @p retries more times for the
 * rest of a burst that switch port @p port took only in part, before the
 * rest is dropped as tx_full (0, the default, drops at once). A retry that
 * sent nothing is followed by a pause of VFP_TX_RETRY_WAIT_US. For ports
 * whose peer drains its ring in bursts of its own, such as a VM's
 * vhost-user queue; each retry is counted as tx_retries.
 * @return 0, or -EINVAL (port out of range, more than VFP_MAX_TX_RETRIES)
 */
int vfp_lcore_set_tx_retries(struct vfp_lcore *lc, uint16_t port, unsigned int retries);

/**
 * Process a burst of @p n (at most VFP_BURST) packets @p pkts received on
 * switch port @p port by lcore @p lc: every packet is either queued for
 * transmission on the lcore's buffers, or freed and counted under a drop
 * reason. Ownership of all @p n mbufs passes to the engine.
 */
void vfp_process_burst(struct vfp_switch *sw, struct vfp_lcore *lc, uint16_t port,
	struct rte_mbuf **pkts, uint16_t n);

/** Transmit everything buffered on @p lc (what the callback refuses is
 * counted as tx_full). */
void vfp_lcore_flush(struct vfp_lcore *lc);

/**
 * Send an ARP request out of the uplink for every PA next hop that is not
 * resolved and was not asked for within the last second. Called
 * periodically by one worker (it needs a tx queue) so that next hops
 * resolve before the first VM packet. An mbuf allocation failure is counted
 * as mbuf_exhausted on the uplink.
 * @return the number of requests queued on @p lc
 */
unsigned int vfp_neigh_solicit(struct vfp_switch *sw, struct vfp_lcore *lc, struct rte_mempool *mp);

#define VFP_RA_INTERVAL_S 60 /**< between periodic Router Advertisements */

/**
 * Send an unsolicited Router Advertisement (to ff02::1) out of every VM
 * port that is up and whose subnet has an IPv6 prefix
 * (vfp_program_set_subnet6). Called
 * every VFP_RA_INTERVAL_S by one worker (it needs a tx queue), so that
 * guests learn their prefix and default router without asking; a guest's
 * Router Solicitation is answered at once. Counted as nd_replies per port;
 * an mbuf allocation failure as mbuf_exhausted on the uplink.
 * @return the number of advertisements queued on @p lc
 */
unsigned int vfp_router_advertise(
	struct vfp_switch *sw, struct vfp_lcore *lc, struct rte_mempool *mp);

/**
 * Number of PA next hops in use by the published program.
 * @param resolved  if not NULL, receives how many have a MAC
 * @return the number of next hops
 */
unsigned int vfp_neigh_count(const struct vfp_switch *sw, unsigned int *resolved);

/** The uplink port (the team member) PA next hop @p i is resolved on and
 * used through, or -ENOENT. */
int vfp_neigh_uplink(const struct vfp_switch *sw, unsigned int i);

/**
 * Read PA next hop @p i (0 .. vfp_neigh_count()-1): its address into @p ip,
 * its MAC into @p mac (zero when unresolved) and whether it is resolved.
 * @return 0 or -ENOENT
 */
int vfp_neigh_get(const struct vfp_switch *sw, unsigned int i, rte_be32_t *ip,
	struct rte_ether_addr *mac, bool *resolved);

/* Counters, flows, rules and traces as operators see them. */
#include "vfp_introspect.h"

#endif /* HNV_VFP_H */
