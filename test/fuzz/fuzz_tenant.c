/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_tenant: libFuzzer harness for the parsers of what a VM
 * sends to the switch's own services (no EAL): lib/dhcp and the ND side of
 * lib/arp_proxy (nd.c).
 *
 * Owns, for one input (a frame from a VM):
 *  1. dhcp_parse(); for a parsed message, dhcp_build_reply() with a fixed
 *     lease must return a length within DHCP_REPLY_MAX, or -ENOMSG, and
 *     the reply must never be taken for a client message.
 *  2. nd_parse(); nd_is_candidate() must agree with it (a candidate parses
 *     OK or MALFORMED). For a parsed NS, nd_build_na() must give an NA that
 *     parses back with the NS's target; for an RS, the RA nd_build_ra()
 *     writes must parse back as an RA.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "fuzz_common.h"
#include "nd.h"

static const struct rte_ether_addr router_mac = {{0x02, 0x00, 0x5e, 0x00, 0x01, 0x01}};

static void
fuzz_dhcp(const uint8_t *frame, uint32_t len)
{
	struct dhcp_lease lease = {
		.yiaddr = RTE_BE32(0x0a01010c),
		.netmask = RTE_BE32(0xffffff00),
		.router = RTE_BE32(0x0a010101),
		.server_id = RTE_BE32(0x0a010101),
		.server_mac = router_mac,
		.lease_s = 3600,
		.n_dns = 1,
		.dns = {RTE_BE32(0x0a010135)},
		.domain = "contoso.example",
		.mtu = 1450,
		.broadcast = RTE_BE32(0x0a0101ff),
	};
	uint8_t reply[DHCP_REPLY_MAX];
	struct dhcp_request req, again;
	int n;

	if (dhcp_parse(frame, len, &req) != DHCP_OK)
		return;
	n = dhcp_build_reply(reply, sizeof(reply), &req, &lease);
	FUZZ_CHECK(n == -ENOMSG || (n > 0 && n <= (int)sizeof(reply)));
	if (n > 0)
		FUZZ_CHECK(dhcp_parse(reply, (uint32_t)n, &again) != DHCP_OK);
}

static void
fuzz_nd(const uint8_t *frame, uint32_t len)
{
	uint8_t out[ND_RA_FRAME_MAX];
	struct nd_pkt nd, back;
	enum nd_parse_err rc = nd_parse(frame, len, &nd);
	int n;

	if (nd_is_candidate(frame, len))
		FUZZ_CHECK(rc == ND_OK || rc == ND_MALFORMED);
	if (rc != ND_OK)
		return;
	if (nd.kind == ND_NS) {
		n = nd_build_na(out, sizeof(out), &nd, &router_mac, true);
		if (n < 0)
			return; /* a target the builder refuses (multicast, ::) */
		FUZZ_CHECK(nd_parse(out, (uint32_t)n, &back) == ND_OK);
		FUZZ_CHECK(back.kind == ND_NA);
		FUZZ_CHECK(memcmp(back.target, nd.target, sizeof(back.target)) == 0);
	} else if (nd.kind == ND_RS) {
		struct nd_ra_params ra = {.router_mac = router_mac,
			.cur_hop_limit = 64,
			.router_lifetime_s = 1800,
			.mtu = 1450,
			.n_prefixes = 1};
		struct rte_ether_addr dst_mac;
		uint8_t dst_ip[16];

		nd_link_local_from_mac(&router_mac, ra.router_ll);
		ra.prefixes[0].prefix[0] = 0xfd;
		ra.prefixes[0].len = 64;
		ra.prefixes[0].on_link = true;
		ra.prefixes[0].valid_s = 2592000;
		ra.prefixes[0].preferred_s = 604800;
		FUZZ_CHECK(nd_ra_dst_for_rs(&nd, &dst_mac, dst_ip) == 0);
		n = nd_build_ra(out, sizeof(out), &ra, &dst_mac, dst_ip);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(nd_parse(out, (uint32_t)n, &back) == ND_OK && back.kind == ND_RA);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly sized, so ASan sees a read past the end. */
	uint8_t *frame = malloc(size ? size : 1);

	FUZZ_CHECK(frame != NULL);
	memcpy(frame, data, size);
	fuzz_dhcp(frame, (uint32_t)size);
	fuzz_nd(frame, (uint32_t)size);
	free(frame);
	return 0;
}
