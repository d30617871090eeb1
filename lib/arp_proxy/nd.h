/* SPDX-License-Identifier: BSD-3-Clause
 * lib/arp_proxy/nd: IPv6 Neighbor Discovery (RFC 4861) for the VM side.
 *
 * Owns: validating and parsing the four ND messages a virtual switch cares
 * about (RS, RA, NS, NA) out of an untagged Ethernet frame, building the
 * Neighbor Advertisement that answers a Neighbor Solicitation (the ND proxy),
 * building a Router Advertisement (the distributed router; prefix, MTU and
 * RDNSS options), and the address helpers around them (modified EUI-64
 * link-local, solicited-node group, multicast MAC). Works on byte buffers;
 * knows nothing of flows, ports or policy: the caller decides whether to
 * answer and with which MAC.
 */
#ifndef HNV_ND_H
#define HNV_ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#define ND_ADDR_LEN 16      /**< bytes in an IPv6 address */
#define ND_ADDR_STRLEN 46   /**< room for nd_format(), as INET6_ADDRSTRLEN */
#define ND_NA_FRAME_LEN 86u /**< nd_build_na(): Ethernet + IPv6 + NA + TLL option */
#define ND_NS_FRAME_LEN 86u /**< nd_build_ns(): Ethernet + IPv6 + NS + SLL option */
#define ND_RA_MAX_PREFIXES 4
#define ND_RA_MAX_DNS 2
/** Longest frame nd_build_ra() writes (all options, all prefixes, all DNS servers). */
#define ND_RA_FRAME_MAX                                                                            \
	(14u + 40u + 16u + 8u + 8u + 32u * ND_RA_MAX_PREFIXES + 8u + 16u * ND_RA_MAX_DNS)

/** ND message kind; the values are the ICMPv6 types. */
enum nd_kind {
	ND_NONE = 0,
	ND_RS = 133, /**< Router Solicitation */
	ND_RA = 134, /**< Router Advertisement */
	ND_NS = 135, /**< Neighbor Solicitation */
	ND_NA = 136, /**< Neighbor Advertisement */
};

/* Flag bits as on the wire. */
#define ND_NA_FLAG_ROUTER 0x80    /**< NA R */
#define ND_NA_FLAG_SOLICITED 0x40 /**< NA S */
#define ND_NA_FLAG_OVERRIDE 0x20  /**< NA O */
#define ND_RA_FLAG_MANAGED 0x80   /**< RA M */
#define ND_RA_FLAG_OTHER 0x40     /**< RA O */
#define ND_PI_FLAG_ONLINK 0x80    /**< prefix information L */
#define ND_PI_FLAG_AUTO 0x40      /**< prefix information A */

/* Option types. */
#define ND_OPT_SLL 1    /**< source link-layer address */
#define ND_OPT_TLL 2    /**< target link-layer address */
#define ND_OPT_PREFIX 3 /**< prefix information */
#define ND_OPT_MTU 5
#define ND_OPT_RDNSS 25 /**< recursive DNS server, RFC 8106 */

/** Fields of an ND message that the proxy and the router need. */
struct nd_pkt {
	uint8_t kind; /**< enum nd_kind */
	struct rte_ether_addr eth_src, eth_dst;
	uint8_t ip_src[ND_ADDR_LEN], ip_dst[ND_ADDR_LEN];
	uint8_t target[ND_ADDR_LEN]; /**< NS/NA target; zero for RS/RA */
	bool has_sll;                /**< NS, RS, RA carried a source link-layer option */
	struct rte_ether_addr sll;
	bool has_tll; /**< NA carried a target link-layer option */
	struct rte_ether_addr tll;
	uint8_t na_flags; /**< NA: ND_NA_FLAG_* as on the wire; zero otherwise */
};

/** Why nd_parse() refused a frame. */
enum nd_parse_err {
	ND_OK = 0,
	/**
	 * Not an ND message: not untagged Ethernet/IPv6 version 6, next header
	 * not ICMPv6 (58; extension headers are not followed), or ICMPv6 type
	 * outside 133..136. The frame is someone else's business.
	 */
	ND_NOT_ND,
	/**
	 * Truncated, or an ND message that fails RFC 4861 validation (6.1,
	 * 7.1): hop limit not 255, ICMP code not 0, message too short for its
	 * type, bad ICMPv6 checksum, an option of length 0 or running past the
	 * message, a link-layer option of the wrong size, multicast IPv6
	 * source, NS/NA multicast target, DAD NS (source ::) not sent to a
	 * solicited-node group or carrying an SLL option, RS from :: with an
	 * SLL option, NA with S set sent to multicast, RA from a non
	 * link-local source. Such frames must be dropped.
	 */
	ND_MALFORMED,
};

/**
 * Cheap pre-filter on the fast path: untagged Ethernet, IPv6 version 6, next
 * header 58 right after the fixed header, ICMPv6 type 133..136. No
 * validation. When it is true nd_parse() returns ND_OK or ND_MALFORMED; when
 * false, ND_NOT_ND or (for a frame too short to tell) ND_MALFORMED.
 * @param frame the frame, from the Ethernet header
 * @param len bytes at @p frame
 * @return true if the frame looks like ND
 */
bool nd_is_candidate(const uint8_t *frame, uint32_t len);

/**
 * Validate and parse an ND frame. @p frame is attacker-controlled: nothing
 * past @p len is read. The ICMPv6 message is the IPv6 payload length; any
 * bytes after it (Ethernet padding) are ignored. Options that do not belong
 * to the message type or are unknown are skipped; of repeated link-layer
 * options the first counts.
 * @param frame the frame, from the Ethernet header
 * @param len bytes at @p frame
 * @param out filled on ND_OK, untouched otherwise
 * @return ND_OK, or an nd_parse_err
 */
enum nd_parse_err nd_parse(const uint8_t *frame, uint32_t len, struct nd_pkt *out);

/**
 * @param p a parsed message
 * @return true for an NS from the unspecified address (duplicate address detection)
 */
bool nd_is_dad(const struct nd_pkt *p);

/**
 * Write the NA answering @p ns for its target, as the owner at link-layer
 * address @p mac. Ethernet: source @p mac, destination the NS's Ethernet
 * source. IPv6: source the target, destination the NS's source, hop limit
 * 255. Flags O, S, and R when @p router. Target link-layer option @p mac.
 * For a DAD NS (nd_is_dad()) the NA goes to all-nodes, ff02::1 at
 * 33:33:00:00:00:01, without S (RFC 4861 7.2.4): it tells the sender the
 * address is taken, so answer one only when it is.
 * @param buf where the frame goes
 * @param size bytes at @p buf
 * @param ns a parsed NS (kind ND_NS)
 * @param mac the link-layer address of the target
 * @param router set the R flag (the target is a router)
 * @return the frame length (ND_NA_FRAME_LEN), -ENOSPC if @p size is too
 *         small, -EINVAL if @p ns is not an NS; @p buf is untouched on error
 */
int nd_build_na(uint8_t *buf, uint32_t size, const struct nd_pkt *ns,
	const struct rte_ether_addr *mac, bool router);

/**
 * Write the NS that resolves @p target (RFC 4861 7.2.2): from @p src at
 * link-layer address @p mac to the target's solicited-node group (and its
 * 33:33:ff multicast MAC), hop limit 255, with a source link-layer option.
 * @param buf where the frame goes
 * @param size bytes at @p buf
 * @param mac our link-layer address
 * @param src our address on the link (not ::)
 * @param target the unicast address to resolve
 * @return the frame length (ND_NS_FRAME_LEN), -ENOSPC if @p size is too
 *         small, -EINVAL for a multicast or unspecified target or an
 *         unspecified source; @p buf is untouched on error
 */
int nd_build_ns(uint8_t *buf, uint32_t size, const struct rte_ether_addr *mac,
	const uint8_t src[ND_ADDR_LEN], const uint8_t target[ND_ADDR_LEN]);

/** One prefix information option of an RA (RFC 4861 4.6.2). */
struct nd_ra_prefix {
	uint8_t prefix[ND_ADDR_LEN]; /**< bits past @p len are sent as zero */
	uint8_t len;                 /**< prefix length, 0..128 (64 for SLAAC) */
	bool on_link;                /**< L flag */
	bool autonomous;             /**< A flag: hosts may use SLAAC */
	uint32_t valid_s;            /**< valid lifetime, UINT32_MAX = infinity */
	uint32_t preferred_s;        /**< preferred lifetime, <= valid_s */
};

/** What a Router Advertisement says. */
struct nd_ra_params {
	struct rte_ether_addr router_mac; /**< Ethernet source and SLL option */
	uint8_t router_ll[ND_ADDR_LEN];   /**< IPv6 source, must be link-local */
	uint8_t cur_hop_limit;            /**< e.g. 64; 0 = unspecified */
	uint16_t router_lifetime_s;       /**< e.g. 1800; 0 = not a default router */
	bool managed;                     /**< M flag: addresses by DHCPv6 */
	bool other;                       /**< O flag: other configuration by DHCPv6 */
	uint32_t reachable_ms;            /**< 0 = unspecified */
	uint32_t retrans_ms;              /**< 0 = unspecified */
	uint16_t mtu;                     /**< MTU option if non-zero; else >= 1280 */
	unsigned int n_prefixes;          /**< 0..ND_RA_MAX_PREFIXES */
	struct nd_ra_prefix prefixes[ND_RA_MAX_PREFIXES];
	unsigned int n_dns; /**< RDNSS option if non-zero, 0..ND_RA_MAX_DNS */
	uint8_t dns[ND_RA_MAX_DNS][ND_ADDR_LEN];
	uint32_t dns_lifetime_s; /**< RDNSS lifetime, UINT32_MAX = infinity */
};

/**
 * Write an RA from @p ra->router_mac / @p ra->router_ll, hop limit 255, with
 * in this order an SLL option, an MTU option (if @p ra->mtu), one prefix
 * information option per prefix and an RDNSS option (if @p ra->n_dns).
 * nd_ra_dst_for_rs() gives the destination of a solicited RA; an unsolicited
 * one goes to nd_all_nodes / 33:33:00:00:00:01.
 * @param buf where the frame goes
 * @param size bytes at @p buf (ND_RA_FRAME_MAX always suffices)
 * @param ra what to advertise
 * @param dst_mac Ethernet destination
 * @param dst_ip IPv6 destination
 * @return the frame length, -ENOSPC if @p size is too small, -EINVAL for
 *         bad @p ra (router_ll not link-local, too many prefixes or DNS
 *         servers, prefix length > 128, preferred > valid lifetime, MTU
 *         below 1280); @p buf is untouched on error
 */
int nd_build_ra(uint8_t *buf, uint32_t size, const struct nd_ra_params *ra,
	const struct rte_ether_addr *dst_mac, const uint8_t dst_ip[ND_ADDR_LEN]);

/**
 * Where the RA solicited by @p rs goes: its IPv6 source and Ethernet source,
 * or all-nodes (ff02::1, 33:33:00:00:00:01) when the RS came from ::.
 * @param rs a parsed RS
 * @param dst_mac the Ethernet destination
 * @param dst_ip the IPv6 destination
 * @return 0, or -EINVAL if @p rs is not an RS
 */
int nd_ra_dst_for_rs(
	const struct nd_pkt *rs, struct rte_ether_addr *dst_mac, uint8_t dst_ip[ND_ADDR_LEN]);

/** ff02::1, all nodes. */
extern const uint8_t nd_all_nodes[ND_ADDR_LEN];
/** ff02::2, all routers. */
extern const uint8_t nd_all_routers[ND_ADDR_LEN];

/**
 * The link-local address from a MAC by modified EUI-64 (RFC 4291 2.5.1 and
 * appendix A): fe80::, then the MAC with ff:fe in the middle and the U/L bit
 * (0x02 of the first byte) flipped; 52:54:00:12:34:56 -> fe80::5054:ff:fe12:3456.
 * @param mac the MAC
 * @param out the address
 */
void nd_link_local_from_mac(const struct rte_ether_addr *mac, uint8_t out[ND_ADDR_LEN]);

/**
 * The solicited-node multicast group of @p ip: ff02::1:ff and its low 24 bits.
 * @param ip a unicast address
 * @param out the group (may be @p ip)
 */
void nd_solicited_node(const uint8_t ip[ND_ADDR_LEN], uint8_t out[ND_ADDR_LEN]);

/**
 * The Ethernet address of IPv6 multicast group @p ip (RFC 2464 7): 33:33 and
 * its low 32 bits.
 * @param ip a multicast address
 * @param out the MAC
 */
void nd_multicast_mac(const uint8_t ip[ND_ADDR_LEN], struct rte_ether_addr *out);

/** @return true if @p ip is link-local unicast, fe80::/10 */
bool nd_is_link_local(const uint8_t ip[ND_ADDR_LEN]);

/** @return true if @p ip is multicast, ff00::/8 */
bool nd_is_multicast(const uint8_t ip[ND_ADDR_LEN]);

/** @return true if @p ip is the unspecified address :: */
bool nd_is_unspecified(const uint8_t ip[ND_ADDR_LEN]);

/**
 * Format @p ip as text, lower case, RFC 5952 compressed (inet_ntop).
 * @param buf where the NUL-terminated text goes
 * @param size bytes at @p buf (ND_ADDR_STRLEN always suffices)
 * @param ip the address
 * @return the text length without the NUL, or -ENOSPC
 */
int nd_format(char *buf, size_t size, const uint8_t ip[ND_ADDR_LEN]);

#endif /* HNV_ND_H */
