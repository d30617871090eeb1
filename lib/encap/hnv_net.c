/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: formatting of IPv4 and MAC addresses (hnv_net.h).
 */
#include <stdio.h>

#include "hnv_net.h"

const char *
hnv_ipv4_format(char *buf, size_t size, rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip);

	snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

const char *
hnv_mac_format(char *buf, size_t size, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return buf;
}
