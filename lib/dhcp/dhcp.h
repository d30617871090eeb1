/* SPDX-License-Identifier: BSD-3-Clause
 * lib/dhcp: the packet side of the DHCPv4 responder for the VM side.
 *
 * Owns: recognising a client's DHCP message on the hot path, parsing it out
 * of an untagged Ethernet/IPv4/UDP frame into what the responder needs, and
 * writing the server's reply (OFFER, ACK or NAK, RFC 2131) from a lease the
 * caller looked up. Works on byte buffers; knows nothing of flows, ports or
 * policy: which lease a client gets is the caller's business.
 */
#ifndef HNV_DHCP_H
#define HNV_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

/** Bit of the BOOTP flags (struct dhcp_request.flags) asking for broadcast replies. */
#define DHCP_FLAG_BROADCAST RTE_BE16(0x8000)

#define DHCP_MAX_PARAMS 64    /**< option 55 bytes kept by dhcp_parse() */
#define DHCP_MAX_CLIENT_ID 64 /**< longest option 61 that dhcp_parse() keeps */
#define DHCP_MAX_DNS 4
#define DHCP_DOMAIN_LEN 64

/** A buffer of this many bytes always holds dhcp_build_reply()'s frame. */
#define DHCP_REPLY_MAX 512

/** DHCP message types (option 53, RFC 2132 9.6). */
enum dhcp_msg_type {
	DHCP_DISCOVER = 1,
	DHCP_OFFER = 2,
	DHCP_REQUEST = 3,
	DHCP_DECLINE = 4,
	DHCP_ACK = 5,
	DHCP_NAK = 6,
	DHCP_RELEASE = 7,
	DHCP_INFORM = 8,
};

/** What the responder needs from a client's message. Addresses in network order. */
struct dhcp_request {
	uint8_t msg_type; /**< option 53: an enum dhcp_msg_type, or another non-zero value */
	struct rte_ether_addr chaddr;  /**< client hardware address (from the BOOTP header) */
	struct rte_ether_addr src_mac; /**< Ethernet source */
	uint32_t xid;                  /**< as on the wire (opaque) */
	rte_be16_t flags;              /**< BOOTP flags, see DHCP_FLAG_BROADCAST */
	rte_be32_t ciaddr;
	rte_be32_t requested_ip;               /**< option 50, 0 if absent */
	rte_be32_t server_id;                  /**< option 54, 0 if absent */
	bool has_param_list;                   /**< option 55 present */
	uint8_t n_params;                      /**< bytes of option 55 kept in @c params */
	uint8_t params[DHCP_MAX_PARAMS];       /**< option 55, cut at DHCP_MAX_PARAMS */
	uint16_t max_msg_size;                 /**< option 57 (host order), 0 if absent */
	uint8_t client_id_len;                 /**< option 61 length; 0 if absent or too long */
	uint8_t client_id[DHCP_MAX_CLIENT_ID]; /**< option 61, echoed in replies (RFC 6842) */
};

/** Why dhcp_parse() refused a frame. */
enum dhcp_parse_err {
	DHCP_OK = 0,
	DHCP_NOT_DHCP,  /**< not untagged IPv4/UDP from port 68 to port 67, or an IP fragment */
	DHCP_MALFORMED, /**< truncated, bad lengths, bad op/htype/hlen or magic cookie,
			     option overrun, no or bad message type (option 53) */
};

/**
 * Cheap check for the hot path: untagged Ethernet, IPv4, not a fragment,
 * UDP to port 67, headers within @p len. Does not look at the BOOTP message;
 * a true answer still needs dhcp_parse().
 * @param frame Ethernet frame
 * @param len bytes at @p frame
 * @return true if @p frame may be a client's DHCP message
 */
bool dhcp_is_client_packet(const uint8_t *frame, uint32_t len);

/**
 * Parse a client's DHCP message (BOOTREQUEST) from an untagged
 * Ethernet/IPv4/UDP frame; IPv4 options are skipped, Ethernet padding after
 * the IP packet is ignored. Checksums are not verified (guests may leave
 * them to offload). Repeated options 55 and 61 are concatenated (RFC 3396);
 * option overload (52) is ignored. Never reads past @p len.
 * @param frame Ethernet frame, any alignment
 * @param len bytes at @p frame
 * @param out filled on DHCP_OK; zeroed or partly filled otherwise
 * @return DHCP_OK, or an enum dhcp_parse_err
 */
enum dhcp_parse_err dhcp_parse(const uint8_t *frame, uint32_t len, struct dhcp_request *out);

/** What the server answers with. Addresses in network order; 0 leaves an option out. */
struct dhcp_lease {
	rte_be32_t yiaddr;                /**< the client's address */
	rte_be32_t netmask;               /**< option 1 */
	rte_be32_t router;                /**< option 3 */
	rte_be32_t server_id;             /**< option 54 and IP source: the subnet gateway */
	struct rte_ether_addr server_mac; /**< Ethernet source (the distributed router's MAC) */
	uint32_t lease_s;   /**< option 51; T1 (58) = lease/2, T2 (59) = lease*7/8; UINT32_MAX
			       infinite */
	unsigned int n_dns; /**< option 6 if > 0, at most DHCP_MAX_DNS */
	rte_be32_t dns[DHCP_MAX_DNS];
	char domain[DHCP_DOMAIN_LEN]; /**< option 15 if non-empty; NUL-terminated or all 64 used */
	uint16_t mtu;                 /**< option 26 (host order) if non-zero, else >= 68 */
	rte_be32_t broadcast;         /**< option 28 */
};

/**
 * Write the reply to @p req (parsed by dhcp_parse()) at @p buf, per RFC 2131:
 * - DISCOVER: OFFER of lease->yiaddr.
 * - REQUEST: if it names a server id that is not lease->server_id, the client
 *   chose another server: no reply. Otherwise ACK when the address asked for
 *   (option 50, else ciaddr when renewing/rebinding) is lease->yiaddr, NAK
 *   when it is not.
 * - INFORM: ACK with configuration only: yiaddr 0, no lease times (4.3.5).
 * - DECLINE, RELEASE and anything else: no reply.
 *
 * Addressing (4.1): a NAK goes to 255.255.255.255; otherwise to ciaddr if
 * set, else to 255.255.255.255 if the broadcast flag is set (or there is no
 * yiaddr), else to yiaddr. The Ethernet destination is ff:ff:ff:ff:ff:ff when
 * the broadcast flag is set and the IP destination is 255.255.255.255, else
 * chaddr. Source lease->server_mac / lease->server_id, UDP 67 to 68, TTL 64,
 * IP and UDP checksums filled in.
 *
 * BOOTP: op 2, xid, flags and chaddr echoed, ciaddr echoed in an ACK, siaddr
 * and giaddr 0. Options in this order: 53, 54, 51/58/59 (OFFER and ACK of a
 * REQUEST), 1, 3, 6, 15, 26, 28 (not in a NAK; each only if set), 61 if the
 * client sent one, end. The option 55 list is not consulted. The BOOTP
 * message is zero-padded to 300 bytes.
 *
 * @param buf where the Ethernet frame is written
 * @param size bytes at @p buf; DHCP_REPLY_MAX always suffices
 * @param req the client's message
 * @param lease the client's configuration
 * @return the frame length; -ENOMSG if no reply is due; -ENOSPC if @p size is
 *   too small; -EINVAL for NULL arguments, a lease without server_id, with
 *   n_dns > DHCP_MAX_DNS or mtu below 68, or an OFFER/ACK of a lease without
 *   yiaddr or lease_s
 */
int dhcp_build_reply(uint8_t *buf, uint32_t size, const struct dhcp_request *req,
	const struct dhcp_lease *lease);

/**
 * Name of a message type for logs.
 * @param t option 53 value
 * @return "discover", "offer", "request", "decline", "ack", "nak", "release",
 *   "inform", or "unknown"
 */
const char *dhcp_msg_type_name(uint8_t t);

#endif /* HNV_DHCP_H */
