/* SPDX-License-Identifier: BSD-3-Clause
 * lib/dhcp: the packet side of the DHCPv4 responder for the VM side.
 *
 * Owns: the hot-path precheck for a client's DHCP message, parsing it from an
 * untagged Ethernet/IPv4/UDP frame, and writing the server's OFFER/ACK/NAK
 * (RFC 2131, options RFC 2132) from a lease the caller chose.
 *
 * Frames come from guests, so the parser trusts nothing: every read is
 * bounded by the frame length, then by the IPv4 total length, then by the UDP
 * length, which must each fit inside the one before. The IPv4 and UDP headers
 * are read through the DPDK structs, which are packed (alignment 1), so any
 * buffer alignment works; the Ethernet header and the BOOTP fields are read
 * by byte offset and memcpy.
 *
 * BOOTP message layout (RFC 2131 2), offsets from the start of the UDP payload:
 *   0 op, 1 htype, 2 hlen, 3 hops, 4 xid, 8 secs, 10 flags, 12 ciaddr,
 *   16 yiaddr, 20 siaddr, 24 giaddr, 28 chaddr[16], 44 sname[64],
 *   108 file[128], 236 magic cookie 99.130.83.99, 240 options.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dhcp.h"
#include "hnv_wire.h"

#define ETH_HLEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define IP_HLEN ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define UDP_HLEN ((uint32_t)sizeof(struct rte_udp_hdr))

#define BOOTP_OP 0
#define BOOTP_HTYPE 1
#define BOOTP_HLEN 2
#define BOOTP_XID 4
#define BOOTP_FLAGS 10
#define BOOTP_CIADDR 12
#define BOOTP_YIADDR 16
#define BOOTP_CHADDR 28
#define BOOTP_COOKIE 236
#define BOOTP_OPTS 240
#define BOOTP_MIN_LEN 300 /* 236 + the 64-byte vendor area of RFC 951 */

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define MAGIC_COOKIE 0x63825363u

#define OPT_PAD 0
#define OPT_NETMASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_DOMAIN 15
#define OPT_MTU 26
#define OPT_BROADCAST 28
#define OPT_REQUESTED_IP 50
#define OPT_LEASE_TIME 51
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAM_LIST 55
#define OPT_MAX_MSG_SIZE 57
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENT_ID 61
#define OPT_END 255

#define MTU_MIN 68 /* RFC 2132 5.1 */
#define INFINITE_LEASE UINT32_MAX
#define IP_LIMITED_BCAST RTE_BE32(UINT32_C(0xffffffff))

/* Longest option area dhcp_build_reply() writes: 53, 54, 51, 58, 59, 1, 3, 6, 15, 26, 28, 61, end.
 */
#define OPTS_MAX                                                                                   \
	(3 + 6 + 3 * 6 + 6 + 6 + (2 + 4 * DHCP_MAX_DNS) + (2 + DHCP_DOMAIN_LEN) + 4 + 6 +          \
		(2 + DHCP_MAX_CLIENT_ID) + 1)

_Static_assert(ETH_HLEN + IP_HLEN + UDP_HLEN + BOOTP_OPTS + OPTS_MAX <= DHCP_REPLY_MAX,
	"DHCP_REPLY_MAX too small");

static inline bool
is_fragment(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) !=
	       0;
}

bool
dhcp_is_client_packet(const uint8_t *frame, uint32_t len)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	uint32_t ihl;

	if (len < ETH_HLEN + IP_HLEN + UDP_HLEN || hnv_rd16(frame + 12) != RTE_ETHER_TYPE_IPV4)
		return false;
	ip = (const struct rte_ipv4_hdr *)(frame + ETH_HLEN);
	ihl = rte_ipv4_hdr_len(ip);
	if ((ip->version_ihl >> 4) != 4 || ihl < IP_HLEN || ip->next_proto_id != IPPROTO_UDP ||
		is_fragment(ip) || len - ETH_HLEN - UDP_HLEN < ihl)
		return false;
	udp = (const struct rte_udp_hdr *)(frame + ETH_HLEN + ihl);
	return udp->dst_port == RTE_BE16(DHCP_SERVER_PORT);
}

/* Append @p n bytes at @p v to @p dst (holding *@p len of @p cap), cut at @p cap. */
static void
append(uint8_t *dst, uint8_t *len, uint32_t cap, const uint8_t *v, uint32_t n)
{
	if (n > cap - *len)
		n = cap - *len;
	memcpy(dst + *len, v, n);
	*len = (uint8_t)(*len + n);
}

/*
 * Walk the options at @p o (@p n bytes). A missing end option is tolerated:
 * the UDP length already bounds the area. Repeated 55 and 61 concatenate
 * (RFC 3396); a repeated 53 is refused as ambiguous.
 */
static enum dhcp_parse_err
parse_options(const uint8_t *o, uint32_t n, struct dhcp_request *out)
{
	uint32_t off = 0, cid_len = 0;

	while (off < n) {
		const uint8_t code = o[off];
		const uint8_t *v;
		uint8_t olen;

		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (code == OPT_END)
			break;
		if (n - off < 2)
			return DHCP_MALFORMED;
		olen = o[off + 1];
		if (n - off - 2 < olen)
			return DHCP_MALFORMED;
		v = o + off + 2;
		off += 2u + olen;

		switch (code) {
		case OPT_MSG_TYPE:
			if (olen != 1 || v[0] == 0 || out->msg_type != 0)
				return DHCP_MALFORMED;
			out->msg_type = v[0];
			break;
		case OPT_REQUESTED_IP:
			if (olen != 4)
				return DHCP_MALFORMED;
			memcpy(&out->requested_ip, v, 4);
			break;
		case OPT_SERVER_ID:
			if (olen != 4)
				return DHCP_MALFORMED;
			memcpy(&out->server_id, v, 4);
			break;
		case OPT_PARAM_LIST:
			out->has_param_list = true;
			append(out->params, &out->n_params, DHCP_MAX_PARAMS, v, olen);
			break;
		case OPT_MAX_MSG_SIZE:
			if (olen != 2)
				return DHCP_MALFORMED;
			out->max_msg_size = hnv_rd16(v);
			break;
		case OPT_CLIENT_ID:
			cid_len += olen;
			append(out->client_id, &out->client_id_len, DHCP_MAX_CLIENT_ID, v, olen);
			break;
		default:
			break;
		}
	}
	if (out->msg_type == 0)
		return DHCP_MALFORMED;
	/* A cut client id would be echoed altered: keep it whole or not at all. */
	if (cid_len > DHCP_MAX_CLIENT_ID) {
		out->client_id_len = 0;
		memset(out->client_id, 0, sizeof(out->client_id));
	}
	return DHCP_OK;
}

enum dhcp_parse_err
dhcp_parse(const uint8_t *frame, uint32_t len, struct dhcp_request *out)
{
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const uint8_t *msg;
	uint32_t ihl, ip_len, udp_len, msg_len;

	memset(out, 0, sizeof(*out));
	if (len < ETH_HLEN)
		return DHCP_MALFORMED;
	if (hnv_rd16(frame + 12) != RTE_ETHER_TYPE_IPV4)
		return DHCP_NOT_DHCP;
	if (len - ETH_HLEN < IP_HLEN)
		return DHCP_MALFORMED;
	ip = (const struct rte_ipv4_hdr *)(frame + ETH_HLEN);
	if ((ip->version_ihl >> 4) != 4)
		return DHCP_MALFORMED;
	if (ip->next_proto_id != IPPROTO_UDP || is_fragment(ip))
		return DHCP_NOT_DHCP;
	ihl = rte_ipv4_hdr_len(ip);
	ip_len = rte_be_to_cpu_16(ip->total_length);
	/* Ethernet padding may follow the IP packet; a short frame may not. */
	if (ihl < IP_HLEN || ip_len < ihl + UDP_HLEN || ip_len > len - ETH_HLEN)
		return DHCP_MALFORMED;
	udp = (const struct rte_udp_hdr *)(frame + ETH_HLEN + ihl);
	if (udp->dst_port != RTE_BE16(DHCP_SERVER_PORT) ||
		udp->src_port != RTE_BE16(DHCP_CLIENT_PORT))
		return DHCP_NOT_DHCP;
	udp_len = rte_be_to_cpu_16(udp->dgram_len);
	if (udp_len < UDP_HLEN || udp_len > ip_len - ihl)
		return DHCP_MALFORMED;

	msg = (const uint8_t *)(udp + 1);
	msg_len = udp_len - UDP_HLEN;
	if (msg_len < BOOTP_OPTS || msg[BOOTP_OP] != BOOTREQUEST ||
		msg[BOOTP_HTYPE] != HTYPE_ETHER || msg[BOOTP_HLEN] != RTE_ETHER_ADDR_LEN ||
		hnv_rd32(msg + BOOTP_COOKIE) != MAGIC_COOKIE)
		return DHCP_MALFORMED;

	memcpy(&out->chaddr, msg + BOOTP_CHADDR, RTE_ETHER_ADDR_LEN);
	memcpy(&out->src_mac, frame + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	memcpy(&out->xid, msg + BOOTP_XID, 4);
	memcpy(&out->flags, msg + BOOTP_FLAGS, 2);
	memcpy(&out->ciaddr, msg + BOOTP_CIADDR, 4);
	return parse_options(msg + BOOTP_OPTS, msg_len - BOOTP_OPTS, out);
}

/* RFC 2131 4.3: which message answers @p req, or -ENOMSG. */
static int
reply_type(const struct dhcp_request *req, const struct dhcp_lease *lease)
{
	rte_be32_t want;

	switch (req->msg_type) {
	case DHCP_DISCOVER:
		return DHCP_OFFER;
	case DHCP_REQUEST:
		/* SELECTING another server's offer: that server answers (4.3.2). */
		if (req->server_id != 0 && req->server_id != lease->server_id)
			return -ENOMSG;
		/* SELECTING / INIT-REBOOT name option 50; RENEWING / REBINDING fill ciaddr. */
		want = req->requested_ip != 0 ? req->requested_ip : req->ciaddr;
		return want == lease->yiaddr ? DHCP_ACK : DHCP_NAK;
	case DHCP_INFORM:
		return DHCP_ACK;
	default: /* DECLINE, RELEASE, server messages, unknown types */
		return -ENOMSG;
	}
}

static uint32_t
put_opt(uint8_t *o, uint32_t off, uint8_t code, const void *v, uint32_t len)
{
	o[off] = code;
	o[off + 1] = (uint8_t)len;
	memcpy(o + off + 2, v, len);
	return off + 2 + len;
}

static uint32_t
put_be32(uint8_t *o, uint32_t off, uint8_t code, rte_be32_t v)
{
	return put_opt(o, off, code, &v, 4);
}

static uint32_t
put_u32(uint8_t *o, uint32_t off, uint8_t code, uint32_t v)
{
	return put_be32(o, off, code, rte_cpu_to_be_32(v));
}

/* Write the options of a @p type reply at @p o (OPTS_MAX bytes). @return their length */
static uint32_t
put_options(uint8_t *o, uint8_t type, bool with_lease, const struct dhcp_request *req,
	const struct dhcp_lease *lease)
{
	uint32_t off;
	size_t dlen;

	off = put_opt(o, 0, OPT_MSG_TYPE, &type, 1);
	off = put_be32(o, off, OPT_SERVER_ID, lease->server_id);
	if (with_lease) {
		off = put_u32(o, off, OPT_LEASE_TIME, lease->lease_s);
		if (lease->lease_s != INFINITE_LEASE) {
			off = put_u32(o, off, OPT_T1, lease->lease_s / 2);
			off = put_u32(o, off, OPT_T2, (uint32_t)((uint64_t)lease->lease_s * 7 / 8));
		}
	}
	if (type != DHCP_NAK) { /* RFC 2131 table 3: a NAK carries no configuration */
		if (lease->netmask != 0)
			off = put_be32(o, off, OPT_NETMASK, lease->netmask);
		if (lease->router != 0)
			off = put_be32(o, off, OPT_ROUTER, lease->router);
		if (lease->n_dns > 0)
			off = put_opt(o, off, OPT_DNS, lease->dns, 4 * lease->n_dns);
		dlen = strnlen(lease->domain, DHCP_DOMAIN_LEN);
		if (dlen > 0)
			off = put_opt(o, off, OPT_DOMAIN, lease->domain, (uint32_t)dlen);
		if (lease->mtu != 0) {
			const rte_be16_t mtu = rte_cpu_to_be_16(lease->mtu);

			off = put_opt(o, off, OPT_MTU, &mtu, 2);
		}
		if (lease->broadcast != 0)
			off = put_be32(o, off, OPT_BROADCAST, lease->broadcast);
	}
	if (req->client_id_len > 0 && req->client_id_len <= DHCP_MAX_CLIENT_ID)
		off = put_opt(o, off, OPT_CLIENT_ID, req->client_id, req->client_id_len);
	o[off++] = OPT_END;
	return off;
}

int
dhcp_build_reply(
	uint8_t *buf, uint32_t size, const struct dhcp_request *req, const struct dhcp_lease *lease)
{
	static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	uint8_t opts[OPTS_MAX];
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *msg;
	uint32_t opts_len, msg_len, len;
	rte_be32_t yiaddr, ip_dst;
	bool with_lease;
	int type;

	if (buf == NULL || req == NULL || lease == NULL)
		return -EINVAL;
	if (lease->server_id == 0 || lease->n_dns > DHCP_MAX_DNS ||
		(lease->mtu != 0 && lease->mtu < MTU_MIN))
		return -EINVAL;
	type = reply_type(req, lease);
	if (type < 0)
		return type;
	with_lease = type == DHCP_OFFER || (type == DHCP_ACK && req->msg_type == DHCP_REQUEST);
	if (with_lease && (lease->yiaddr == 0 || lease->lease_s == 0))
		return -EINVAL;

	opts_len = put_options(opts, (uint8_t)type, with_lease, req, lease);
	msg_len = RTE_MAX(BOOTP_OPTS + opts_len, (uint32_t)BOOTP_MIN_LEN);
	len = ETH_HLEN + IP_HLEN + UDP_HLEN + msg_len;
	if (size < len)
		return -ENOSPC;

	/* RFC 2131 4.1 with giaddr 0. */
	yiaddr = with_lease ? lease->yiaddr : 0;
	if (type == DHCP_NAK)
		ip_dst = IP_LIMITED_BCAST;
	else if (req->ciaddr != 0)
		ip_dst = req->ciaddr;
	else if ((req->flags & DHCP_FLAG_BROADCAST) != 0 || yiaddr == 0)
		ip_dst = IP_LIMITED_BCAST;
	else
		ip_dst = yiaddr;

	memset(buf, 0, len);
	if ((req->flags & DHCP_FLAG_BROADCAST) != 0 && ip_dst == IP_LIMITED_BCAST)
		memcpy(buf, &bcast_mac, RTE_ETHER_ADDR_LEN);
	else
		memcpy(buf, &req->chaddr, RTE_ETHER_ADDR_LEN);
	memcpy(buf + RTE_ETHER_ADDR_LEN, &lease->server_mac, RTE_ETHER_ADDR_LEN);
	hnv_wr16(buf + 2 * RTE_ETHER_ADDR_LEN, RTE_ETHER_TYPE_IPV4);

	ip = (struct rte_ipv4_hdr *)(buf + ETH_HLEN);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(IP_HLEN + UDP_HLEN + msg_len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = lease->server_id;
	ip->dst_addr = ip_dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = RTE_BE16(DHCP_SERVER_PORT);
	udp->dst_port = RTE_BE16(DHCP_CLIENT_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(UDP_HLEN + msg_len));

	msg = (uint8_t *)(udp + 1);
	msg[BOOTP_OP] = BOOTREPLY;
	msg[BOOTP_HTYPE] = HTYPE_ETHER;
	msg[BOOTP_HLEN] = RTE_ETHER_ADDR_LEN;
	memcpy(msg + BOOTP_XID, &req->xid, 4);
	memcpy(msg + BOOTP_FLAGS, &req->flags, 2);
	if (type == DHCP_ACK)
		memcpy(msg + BOOTP_CIADDR, &req->ciaddr, 4);
	memcpy(msg + BOOTP_YIADDR, &yiaddr, 4);
	memcpy(msg + BOOTP_CHADDR, &req->chaddr, RTE_ETHER_ADDR_LEN);
	hnv_wr32(msg + BOOTP_COOKIE, MAGIC_COOKIE);
	memcpy(msg + BOOTP_OPTS, opts, opts_len);

	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return (int)len;
}

const char *
dhcp_msg_type_name(uint8_t t)
{
	static const char *const names[] = {
		[DHCP_DISCOVER] = "discover",
		[DHCP_OFFER] = "offer",
		[DHCP_REQUEST] = "request",
		[DHCP_DECLINE] = "decline",
		[DHCP_ACK] = "ack",
		[DHCP_NAK] = "nak",
		[DHCP_RELEASE] = "release",
		[DHCP_INFORM] = "inform",
	};

	if (t < RTE_DIM(names) && names[t] != NULL)
		return names[t];
	return "unknown";
}
