/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: loads and stores of big-endian (network order) 16- and 32-bit
 * fields at any alignment, in host order: the one set of helpers the packet
 * codecs (lib/encap, lib/arp_proxy, lib/dhcp) read and write headers with.
 */
#ifndef HNV_WIRE_H
#define HNV_WIRE_H

#include <stdint.h>

/** The big-endian 16-bit value at @p p. */
static inline uint16_t
hnv_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/** The big-endian 32-bit value at @p p. */
static inline uint32_t
hnv_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/** Store @p v at @p p, big-endian. */
static inline void
hnv_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/** Store @p v at @p p, big-endian. */
static inline void
hnv_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* HNV_WIRE_H */
