/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_encap: libFuzzer harness for lib/encap (no EAL).
 *
 * Owns, for one input:
 *  1. encap_parse() on the raw bytes (a frame received on the uplink); on
 *     success the reported lengths must lie inside the frame, and
 *     encap_inner_hash() runs on the inner frame. encap_inner_hash() also
 *     runs on the raw bytes, and must not change when an 802.1Q tag is
 *     inserted into an untagged frame (tags are documented as skipped).
 *  2. A round trip: the same bytes read as template fields (type, MACs,
 *     VLAN, PAs, TTL, TOS, VSID, entropy) followed by an inner frame;
 *     encap_template_build() must succeed exactly when VSID and VLAN are in
 *     range, and encap_parse() of the stamped packet must give back every
 *     field, the header and inner lengths, a valid IPv4 checksum, and the
 *     inner bytes untouched. Any mismatch aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encap.h"
#include "fuzz_common.h"

#define INNER_MAX 9000 /* a jumbo frame; keeps the IPv4 total length in range */

static void
check_hash_vlan_invariance(const uint8_t *frame, size_t len)
{
	uint8_t *tagged;
	uint16_t etype;

	if (len < 14 || len > INNER_MAX)
		return;
	etype = (uint16_t)((frame[12] << 8) | frame[13]);
	if (etype == 0x8100 || etype == 0x88a8)
		return; /* only up to two tags are skipped */
	tagged = malloc(len + 4);
	FUZZ_CHECK(tagged != NULL);
	memcpy(tagged, frame, 12);
	tagged[12] = 0x81;
	tagged[13] = 0x00;
	tagged[14] = frame[len - 1] & 0x0f; /* any TCI */
	tagged[15] = frame[len / 2];
	memcpy(tagged + 16, frame + 12, len - 12);
	FUZZ_CHECK(encap_inner_hash(frame, (uint32_t)len) ==
		   encap_inner_hash(tagged, (uint32_t)len + 4));
	free(tagged);
}

static void
parse_raw(const uint8_t *data, size_t size)
{
	struct encap_rx_info ri;
	enum encap_parse_err err;

	(void)encap_inner_hash(data, (uint32_t)size);
	check_hash_vlan_invariance(data, size);

	memset(&ri, 0xa5, sizeof(ri));
	err = encap_parse(data, (uint32_t)size, &ri);
	FUZZ_CHECK(encap_parse_strerror(err) != NULL);
	if (err != ENCAP_OK)
		return;
	FUZZ_CHECK(ri.type == ENCAP_TYPE_VXLAN || ri.type == ENCAP_TYPE_NVGRE);
	FUZZ_CHECK(ri.vsid >= ENCAP_VSID_MIN && ri.vsid <= ENCAP_VSID_MAX);
	FUZZ_CHECK(ri.vlan_id <= 4095);
	FUZZ_CHECK(ri.hdr_len >= ENCAP_NVGRE_HDR_LEN);
	FUZZ_CHECK(ri.inner_len >= 14);
	FUZZ_CHECK((size_t)ri.hdr_len + ri.inner_len <= size);
	if (ri.type == ENCAP_TYPE_VXLAN)
		FUZZ_CHECK(ri.flow_id == 0);
	(void)encap_type_name((enum encap_type)ri.type);
	(void)encap_inner_hash(data + ri.hdr_len, ri.inner_len);
}

static void
round_trip(const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = {.p = data, .left = size};
	struct encap_outer o;
	struct encap_template t;
	struct encap_rx_info ri;
	enum encap_type type;
	uint32_t vsid;
	uint16_t entropy, inner_len;
	uint8_t *pkt;
	bool valid;
	int rc;

	memset(&o, 0, sizeof(o));
	type = (fuzz_u8(&b) & 1) ? ENCAP_TYPE_NVGRE : ENCAP_TYPE_VXLAN;
	fuzz_take(&b, &o.src_mac, sizeof(o.src_mac));
	fuzz_take(&b, &o.dst_mac, sizeof(o.dst_mac));
	o.vlan_id = (uint16_t)(fuzz_u16(&b) % 4100); /* 4095..4099 are invalid */
	fuzz_take(&b, &o.src_ip, 4);
	fuzz_take(&b, &o.dst_ip, 4);
	o.ttl = fuzz_u8(&b);
	o.tos = fuzz_u8(&b);
	vsid = fuzz_u32(&b) & 0x01ffffff; /* a few out-of-range values too */
	entropy = fuzz_u16(&b);
	inner_len = (uint16_t)(b.left < INNER_MAX ? b.left : INNER_MAX);

	valid = vsid >= ENCAP_VSID_MIN && vsid <= ENCAP_VSID_MAX && o.vlan_id <= 4094;
	rc = encap_template_build(&t, type, &o, vsid, entropy);
	FUZZ_CHECK((rc == 0) == valid);
	if (rc != 0)
		return;
	FUZZ_CHECK(t.type == type);
	FUZZ_CHECK(t.len == (type == ENCAP_TYPE_VXLAN ? ENCAP_VXLAN_HDR_LEN : ENCAP_NVGRE_HDR_LEN) +
				    (o.vlan_id != 0 ? 4 : 0));
	FUZZ_CHECK(t.len <= ENCAP_MAX_HDR_LEN);

	/* Exactly sized, so that ASan sees any read past the packet. */
	pkt = malloc((size_t)t.len + inner_len + 1);
	FUZZ_CHECK(pkt != NULL);
	memcpy(pkt + t.len, b.p, inner_len);
	encap_template_stamp(&t, pkt, inner_len);

	memset(&ri, 0, sizeof(ri));
	rc = encap_parse(pkt, (uint32_t)t.len + inner_len, &ri);
	if (((const uint8_t *)&o.src_ip)[0] >= 224) {
		/* Multicast, broadcast, class E: a source no PA has is refused. */
		FUZZ_CHECK(rc == ENCAP_ERR_BAD_IP);
		free(pkt);
		return;
	}
	if (inner_len < 14) {
		/* An inner frame shorter than Ethernet is refused, never accepted. */
		FUZZ_CHECK(rc == ENCAP_ERR_TRUNCATED);
		free(pkt);
		return;
	}
	FUZZ_CHECK(rc == ENCAP_OK);
	FUZZ_CHECK(ri.type == type);
	FUZZ_CHECK(ri.vsid == vsid);
	FUZZ_CHECK(ri.flow_id == (type == ENCAP_TYPE_NVGRE ? (entropy & 0xff) : 0));
	FUZZ_CHECK(ri.vlan_id == o.vlan_id);
	FUZZ_CHECK(ri.src_ip == o.src_ip);
	FUZZ_CHECK(ri.dst_ip == o.dst_ip);
	FUZZ_CHECK(ri.hdr_len == t.len);
	FUZZ_CHECK(ri.inner_len == inner_len);
	FUZZ_CHECK(memcmp(pkt + t.len, b.p, inner_len) == 0);
	/* Outer MACs, TTL (0 = 64), TOS, DF and, for VXLAN, the source port. */
	FUZZ_CHECK(memcmp(pkt, &o.dst_mac, 6) == 0);
	FUZZ_CHECK(memcmp(pkt + 6, &o.src_mac, 6) == 0);
	FUZZ_CHECK(pkt[t.l3_off + 8] == (o.ttl != 0 ? o.ttl : 64));
	FUZZ_CHECK(pkt[t.l3_off + 1] == o.tos);
	FUZZ_CHECK(pkt[t.l3_off + 6] == 0x40 && pkt[t.l3_off + 7] == 0);
	if (type == ENCAP_TYPE_VXLAN) {
		FUZZ_CHECK(
			pkt[t.l4_off] == (entropy >> 8) && pkt[t.l4_off + 1] == (entropy & 0xff));
		FUZZ_CHECK(pkt[t.l4_off + 6] == 0 && pkt[t.l4_off + 7] == 0); /* UDP cksum 0 */
	}

	/* Ethernet padding after the IPv4 total length is ignored. */
	pkt[t.len + inner_len] = 0;
	memset(&ri, 0, sizeof(ri));
	FUZZ_CHECK(encap_parse(pkt, (uint32_t)t.len + inner_len + 1, &ri) == ENCAP_OK);
	FUZZ_CHECK(ri.inner_len == inner_len && ri.vsid == vsid);
	free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_raw(data, size);
	round_trip(data, size);
	return 0;
}
