/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_arp: libFuzzer harness for lib/arp_proxy (no EAL).
 *
 * Owns, for one input:
 *  1. arp_proxy_parse() on the raw bytes (a frame from a VM or the uplink);
 *     on success the ARP header must lie inside the frame.
 *  2. For a parsed request (op 1): arp_proxy_reply_in_place() on a copy,
 *     with a MAC taken from the input; the reply must parse, have op 2,
 *     sender = (our MAC, requested IP), target = (requester MAC, requester
 *     IP), Ethernet destination = requester, source = our MAC, the VLAN
 *     tag and every byte after the ARP header unchanged, as arp_proxy.h
 *     documents.
 *  3. arp_proxy_build_request() from fields in the input: the frame must
 *     parse back as a broadcast request with those fields.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arp_proxy.h"
#include "fuzz_common.h"

#define ARP_HDR_LEN 28

static void
check_reply(const uint8_t *data, size_t size, const struct arp_proxy_pkt *req,
	const struct rte_ether_addr *mac)
{
	struct arp_proxy_pkt rep;
	uint8_t *frame = malloc(size); /* exactly sized for ASan */
	size_t end = (size_t)req->l2_len + ARP_HDR_LEN;

	FUZZ_CHECK(frame != NULL);
	memcpy(frame, data, size);
	arp_proxy_reply_in_place(frame, req, mac);

	FUZZ_CHECK(arp_proxy_parse(frame, (uint32_t)size, &rep) == ARP_PROXY_OK);
	FUZZ_CHECK(rep.op == 2);
	FUZZ_CHECK(rep.l2_len == req->l2_len);
	FUZZ_CHECK(rte_is_same_ether_addr(&rep.sha, mac));
	FUZZ_CHECK(rep.spa == req->tpa);
	FUZZ_CHECK(rte_is_same_ether_addr(&rep.tha, &req->sha));
	FUZZ_CHECK(rep.tpa == req->spa);
	FUZZ_CHECK(memcmp(frame, &req->sha, 6) == 0);
	FUZZ_CHECK(memcmp(frame + 6, mac, 6) == 0);
	/* EtherType / VLAN tag, ARP htype..plen: untouched. */
	FUZZ_CHECK(memcmp(frame + 12, data + 12, (size_t)req->l2_len - 12 + 6) == 0);
	FUZZ_CHECK(memcmp(frame + end, data + end, size - end) == 0);
	free(frame);
}

static void
check_build(struct fuzz_bytes *b)
{
	struct rte_ether_addr sha;
	struct arp_proxy_pkt p;
	uint8_t buf[80];
	rte_be32_t spa, tpa;
	uint16_t vlan;
	uint32_t size;
	int len;

	fuzz_take(b, &sha, sizeof(sha));
	fuzz_take(b, &spa, 4);
	fuzz_take(b, &tpa, 4);
	vlan = fuzz_u16(b);
	size = fuzz_u8(b) % (sizeof(buf) + 1);

	len = arp_proxy_build_request(buf, size, &sha, spa, tpa, vlan);
	if (size < (vlan != 0 ? 64u : 60u)) {
		FUZZ_CHECK(len == -ENOSPC);
		return;
	}
	FUZZ_CHECK(len == (vlan != 0 ? 64 : 60));
	FUZZ_CHECK(arp_proxy_parse(buf, (uint32_t)len, &p) == ARP_PROXY_OK);
	FUZZ_CHECK(p.op == 1);
	FUZZ_CHECK(rte_is_same_ether_addr(&p.sha, &sha));
	FUZZ_CHECK(p.spa == spa && p.tpa == tpa);
	FUZZ_CHECK(rte_is_zero_ether_addr(&p.tha));
	FUZZ_CHECK(p.l2_len == (vlan != 0 ? 18 : 14));
	FUZZ_CHECK(rte_is_broadcast_ether_addr((const struct rte_ether_addr *)buf));
	FUZZ_CHECK(memcmp(buf + 6, &sha, 6) == 0);
	if (vlan != 0)
		FUZZ_CHECK(((buf[14] << 8 | buf[15]) & 0x0fff) == (vlan & 0x0fff));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = {.p = data, .left = size};
	struct arp_proxy_pkt req;
	struct rte_ether_addr mac;
	enum arp_proxy_err err;

	memset(&req, 0, sizeof(req));
	err = arp_proxy_parse(data, (uint32_t)size, &req);
	if (err == ARP_PROXY_OK) {
		FUZZ_CHECK(req.l2_len == 14 || req.l2_len == 18);
		FUZZ_CHECK((size_t)req.l2_len + ARP_HDR_LEN <= size);
		(void)arp_proxy_is_gratuitous(&req);
		if (req.op == 1) {
			/* Our MAC: the input's last six bytes (any value). */
			memcpy(&mac, data + size - 6, 6);
			check_reply(data, size, &req, &mac);
		}
	} else {
		FUZZ_CHECK(err == ARP_PROXY_NOT_ARP || err == ARP_PROXY_MALFORMED);
	}
	check_build(&b);
	return 0;
}
