/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: the HNV policy model.
 *
 * Owns: reading a policy JSON file (jansson) into a validated, immutable
 * model; every validation failure is one message naming the file, the JSON
 * path ($.vm_nics[2].ip) and the problem. Compiling the model into the VFP
 * engine lives in policy_compile.c (hnv_policy_compile). Knows nothing of
 * DPDK ports or lcores: ports are names here; the app binds them to ethdevs.
 * All IPv4 addresses in the model are in network byte order (rte_be32_t),
 * IPv6 addresses are 16 bytes in network order (as inet_pton writes
 * them), and every IPv6 field is optional: a subnet may add an IPv6 prefix
 * and its VMs IPv6 CAs beside their IPv4 ones (dual stack). Where the
 * engine has a word for an idea (a tunnel type, a direction, flow
 * timeouts), the model uses the engine's: one encoding per idea.
 */
#ifndef HNV_POLICY_H
#define HNV_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "encap.h"
#include "vfp.h"

#define HNV_NAME_MAX 32
#define HNV_DEVICE_MAX 64
#define HNV_MAX_PA 8
#define HNV_MAX_UPLINKS 4 /* NIC team members */
#define HNV_POLICY_VERSION 1
#define HNV_POLICY_ERR_MAX 512

#define HNV_SOCKET_MAX 108 /* sun_path of struct sockaddr_un */
#define HNV_VHOST_QUEUES_MAX 16

/** A VM NIC's vhost-user port, which dpdk-hnv creates itself. */
struct hnv_vhost_cfg {
	char socket[HNV_SOCKET_MAX]; /**< absolute path of the unix socket */
	bool client;                 /**< QEMU made the socket; we connect and reconnect */
	uint16_t queues;             /**< queue pairs; 0 = one per worker */
};

/** A switch port: the DPDK device (ethdev name) behind it, or a vhost-user
 * port dpdk-hnv creates. */
struct hnv_port_cfg {
	char name[HNV_NAME_MAX];
	char device[HNV_DEVICE_MAX]; /**< "" for a vhost-user port */
	bool is_vhost;
	struct hnv_vhost_cfg vhost; /**< when is_vhost */
	uint16_t mtu;               /**< L3 MTU set on the device (HNV_MTU_MIN..HNV_MTU_MAX);
				       0: the uplink's is HNV_MTU_DEFAULT, another port's
				       device keeps its own */
};

#define HNV_MTU_MIN 576
#define HNV_MTU_MAX 9216
#define HNV_MTU_DEFAULT 1500 /**< the underlay's, when the uplink has no "mtu" */

/** The underlay MTU of policy port @p c used as the uplink. */
static inline uint16_t
hnv_uplink_mtu(const struct hnv_port_cfg *c)
{
	return c->mtu != 0 ? c->mtu : HNV_MTU_DEFAULT;
}

/** The physical host: its provider addresses and uplink. */
struct hnv_host_cfg {
	char name[HNV_NAME_MAX];
	uint16_t uplink; /**< index into hnv_policy.ports (a team's first member) */
	/** The NIC team: uplinks[i] (ports indexes) sources tunnels from pa[i],
	 * with macs[i] (if has_mac) on vlans[i]; one member unless
	 * "uplink" lists several. uplinks[0], macs[0], vlans[0] are uplink,
	 * mac and vlan. */
	unsigned int n_uplinks;
	uint16_t uplinks[HNV_MAX_UPLINKS];
	struct rte_ether_addr macs[HNV_MAX_UPLINKS];
	uint16_t vlans[HNV_MAX_UPLINKS];
	/** Our PAs, IPv4 and IPv6 (hnv_pa.h: an IPv6 PA is a handle); uplink
	 * i sources a family's tunnels from that family's i-th PA. */
	unsigned int n_pa;
	rte_be32_t pa[HNV_MAX_PA];
	uint8_t pa_prefix_len[HNV_MAX_PA];
	bool has_mac;
	struct rte_ether_addr mac; /**< uplink MAC; else the ethdev's */
	uint16_t vlan;             /**< PA VLAN, 0 = untagged */
	uint16_t vxlan_port;       /**< VXLAN UDP port, both ways (default 4789) */
	rte_be32_t gateway;        /**< PA next hop for PAs off-link; 0 = none */
	bool has_gateway_mac;
	struct rte_ether_addr gateway_mac; /**< static next-hop MAC; else ARP */
	rte_be32_t gateway6;               /**< IPv6 PA next hop (a handle), by ND; 0 = none */
	struct rte_ether_addr router_mac;  /**< distributed router's MAC (R6, R8) */
};

/** A routing domain (one tenant virtual network, R1, R3). */
struct hnv_rd_cfg {
	uint32_t rdid;
	char name[HNV_NAME_MAX];
};

/** An extra route of a routing domain (beyond R6's default gateway). */
struct hnv_route_cfg {
	uint32_t rdid;
	rte_be32_t prefix; /**< network address; 0.0.0.0/0 is a default route */
	uint8_t prefix_len;
	bool drop;           /**< drop what it matches; else via next_hop */
	rte_be32_t next_hop; /**< a CA of the domain (an appliance VM) */
	uint32_t nh_vsid;    /**< the next hop's VSID (resolved at load) */
};

/** A virtual subnet (R2, R6, R10). */
struct hnv_subnet_cfg {
	uint32_t vsid;
	uint32_t rdid;
	rte_be32_t prefix;
	uint8_t prefix_len;
	rte_be32_t gateway;    /**< default: lowest usable address */
	enum encap_type encap; /**< default VXLAN (R10) */
	uint32_t flood_limit;  /**< replicated copies per VM per second (R7) */
	bool has_dhcp;         /**< dpdk-hnv answers the VMs' DHCP */
	struct vfp_dhcp_params dhcp;
	bool has_prefix6;     /**< the subnet has an IPv6 prefix too */
	uint8_t prefix6[16];  /**< host bits zero; no overlap within the RDID */
	uint8_t prefix6_len;  /**< 8..112 */
	uint8_t gateway6[16]; /**< default: prefix6 + 1 (fd00:5001::1) */
};

/** A VM NIC on this host (R11). */
struct hnv_vnic_cfg {
	char name[HNV_NAME_MAX];
	struct rte_ether_addr mac;
	rte_be32_t ip;
	uint32_t vsid;
	uint16_t port;      /**< index into hnv_policy.ports */
	bool ip_forwarding; /**< may send IPv4 from any source (an appliance) */
	bool has_ipv6;      /**< the VM has an IPv6 CA too (its subnet has prefix6) */
	uint8_t ipv6[16];   /**< inside prefix6, unique in the VSID */
};

/** A remote CA -> PA mapping (R11, R23). */
struct hnv_mapping_cfg {
	uint32_t vsid;
	rte_be32_t ca;
	struct rte_ether_addr mac;
	rte_be32_t pa;      /**< the remote host's PA (hnv_pa.h: IPv4 or IPv6) */
	bool ip_forwarding; /**< the remote VM forwards (an appliance) */
	bool has_ipv6;      /**< the remote VM has an IPv6 CA too */
	uint8_t ipv6[16];   /**< inside prefix6, unique in the VSID */
};

enum hnv_acl_action {
	HNV_ACL_ALLOW = 0,
	HNV_ACL_DENY = 1,
};

/** Address family of an ACL rule's src/dst (hnv_acl_rule_cfg.family). */
#define HNV_ACL_FAMILY_ANY 0 /**< no address given: IPv4 and IPv6 packets */
#define HNV_ACL_FAMILY_IPV4 4
#define HNV_ACL_FAMILY_IPV6 6

/** One ACL rule (R9): a 5-tuple match with a priority and a verdict.
 * family says which addresses hold: IPv4 (src_prefix/dst_prefix), IPv6
 * (src6/dst6) or none (both "any": the rule applies to IPv4 and IPv6). The
 * other family's fields are zero. Protocol and ports apply to either. */
struct hnv_acl_rule_cfg {
	char name[HNV_NAME_MAX];
	uint16_t priority;     /**< 1..65535, lower wins; unique per ACL and direction */
	uint8_t direction;     /**< enum vfp_dir: out = sent by the VM */
	uint8_t action;        /**< enum hnv_acl_action */
	int16_t protocol;      /**< -1 = any, else the IP protocol (IPv6 next header) */
	uint8_t family;        /**< HNV_ACL_FAMILY_ANY, _IPV4 or _IPV6 (0, 4, 6) */
	rte_be32_t src_prefix; /**< 0.0.0.0/0 = any address (of family 4) */
	uint8_t src_len;
	rte_be32_t dst_prefix;
	uint8_t dst_len;
	uint8_t src6[16]; /**< family 6: host bits zero; ::/0 = any address */
	uint8_t src6_len; /**< 0..128 */
	uint8_t dst6[16];
	uint8_t dst6_len;
	uint16_t src_port_lo, src_port_hi; /**< 0..65535 = any */
	uint16_t dst_port_lo, dst_port_hi;
	bool stateful; /**< allowed connections admit their replies (default) */
};

/** An ACL on one port or on one VSID (R9, R21). */
struct hnv_acl_cfg {
	char name[HNV_NAME_MAX];
	bool on_vsid; /**< true: applies to every VM NIC of vsid */
	uint32_t vsid;
	uint16_t port; /**< index into hnv_policy.ports when !on_vsid */
	unsigned int n_rules;
	struct hnv_acl_rule_cfg *rules; /**< in file order */
};

struct hnv_policy_index;

/** A whole validated policy. Immutable after load; free with hnv_policy_free. */
struct hnv_policy {
	char source[256]; /**< file name used in messages */
	struct hnv_host_cfg host;
	unsigned int n_ports;
	struct hnv_port_cfg *ports;
	unsigned int n_rds;
	struct hnv_rd_cfg *rds;
	unsigned int n_subnets;
	struct hnv_subnet_cfg *subnets;
	unsigned int n_routes;
	struct hnv_route_cfg *routes; /**< of all routing domains, in file order */
	unsigned int n_vnics;
	struct hnv_vnic_cfg *vnics;
	unsigned int n_mappings;
	struct hnv_mapping_cfg *mappings; /**< NULL in a policy the loader hands over, or in force
					      (the loader keeps them); n_mappings holds */
	unsigned int n_acls;
	struct hnv_acl_cfg *acls;
	struct vfp_timeouts timeouts;   /**< flow idle timeouts, seconds */
	struct hnv_policy_index *index; /**< lookups by VSID and port name (private) */
};

/** The team member that policy port @p port is (0 for a lone uplink), or
 * -1 if it is no uplink. */
static inline int
hnv_policy_uplink_member(const struct hnv_policy *p, unsigned int port)
{
	for (unsigned int i = 0; i < p->host.n_uplinks; i++)
		if (p->host.uplinks[i] == port)
			return (int)i;
	return -1;
}

/** The underlay MTU of @p p: its uplink's, the smallest of a team's. */
static inline uint16_t
hnv_policy_underlay_mtu(const struct hnv_policy *p)
{
	uint16_t mtu = hnv_uplink_mtu(&p->ports[p->host.uplink]);

	for (unsigned int i = 1; i < p->host.n_uplinks; i++)
		if (hnv_uplink_mtu(&p->ports[p->host.uplinks[i]]) < mtu)
			mtu = hnv_uplink_mtu(&p->ports[p->host.uplinks[i]]);
	return mtu;
}

/**
 * Load and validate a policy file.
 *
 * @param path  file to read
 * @param out   on success, the new policy (caller frees)
 * @param err   on failure, "FILE: $.json.path: problem"
 * @param errlen size of @p err (HNV_POLICY_ERR_MAX is enough)
 * @return 0, or a negative errno (-ENOENT, -EINVAL, -ENOMEM)
 */
int hnv_policy_load(const char *path, struct hnv_policy **out, char *err, size_t errlen);

/** What a load may be asked besides the file (hnv_policy_load_ex). */
struct hnv_policy_load_opts {
	const atomic_bool *cancel; /**< once true, the load stops soon with -ECANCELED */
	char **text;               /**< if set, on success the text read (caller frees) */
	size_t *text_len;          /**< its length, with text */
};

/**
 * hnv_policy_load, with options: a load another thread can cancel (it
 * looks at @p opts->cancel between chunks read and every few thousand
 * mappings), and the text it read, which the caller can keep as the last
 * good policy.
 * @return as hnv_policy_load, or -ECANCELED ("FILE: cancelled" in @p err)
 */
int hnv_policy_load_ex(const char *path, const struct hnv_policy_load_opts *opts,
	struct hnv_policy **out, char *err, size_t errlen);

/**
 * As hnv_policy_load(), from a string; @p source names it in messages.
 */
int hnv_policy_parse(
	const char *json, const char *source, struct hnv_policy **out, char *err, size_t errlen);

/** Free a policy from hnv_policy_load/parse. NULL is a no-op. */
void hnv_policy_free(struct hnv_policy *p);

/** The subnet with @p vsid, or NULL. */
const struct hnv_subnet_cfg *hnv_policy_find_subnet(const struct hnv_policy *p, uint32_t vsid);

/** The port index named @p name, or -1. */
int hnv_policy_find_port(const struct hnv_policy *p, const char *name);

/**
 * Copy @p src into @p dst (@p size bytes, always terminated when @p size >
 * 0) with every byte that is not printable ASCII written as \xHH and a
 * backslash as \\, so that a policy string quoted into a message cannot
 * forge log lines or terminal escapes. Never cuts an escape in two when
 * it truncates.
 * @return @p dst
 */
char *hnv_policy_escape(char *dst, size_t size, const char *src);

#endif /* HNV_POLICY_H */
