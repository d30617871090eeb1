/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: the one way every module prints the two address types of the
 * data plane, IPv4 addresses (rte_be32_t, network order) and MAC
 * addresses: dotted quad, and six lower-case hex pairs with colons, as the
 * policy file writes them.
 */
#ifndef HNV_NET_H
#define HNV_NET_H

#include <stddef.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define HNV_IPV4_FMT_SIZE 16 /* "255.255.255.255" and the NUL */
#define HNV_MAC_FMT_SIZE 18  /* "00:00:5e:00:53:01" and the NUL */

/**
 * Write @p ip as a dotted quad into @p buf of @p size bytes (truncated to
 * fit; HNV_IPV4_FMT_SIZE is always enough).
 * @return @p buf, so that the call can be a printf argument
 */
const char *hnv_ipv4_format(char *buf, size_t size, rte_be32_t ip);

/**
 * Write @p mac as "xx:xx:xx:xx:xx:xx" (lower case) into @p buf of @p size
 * bytes (HNV_MAC_FMT_SIZE is always enough).
 * @return @p buf
 */
const char *hnv_mac_format(char *buf, size_t size, const struct rte_ether_addr *mac);

#endif /* HNV_NET_H */
