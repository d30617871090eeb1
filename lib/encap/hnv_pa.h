/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: provider addresses (PAs) as one 32-bit word, whatever their
 * family. An IPv4 PA is its address (network order). An IPv6 PA is a
 * handle: the address is interned once, for the life of the process, and
 * named by a word in 240.0.0.0/4, a block no IPv4 PA may use (reserved,
 * and refused by the policy and dropped as an outer source on the wire).
 * The same address always gets the same handle, so PAs compare with ==,
 * fit the flow key's 32-bit outer source, hash and fingerprint as before;
 * only the code that builds or reads an outer header asks for the address.
 *
 * The table holds HNV_PA6_MAX addresses and never forgets one (a handle
 * that could be reused could alias a flow entry or a next hop of the old
 * address). Lookups are lock-free and may run on any thread while one
 * thread interns; interning is serialised by a mutex.
 */
#ifndef HNV_PA_H
#define HNV_PA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

#define HNV_PA6_MAX 65536u /**< distinct IPv6 PAs per process */
#define HNV_PA_FMT_SIZE 46 /**< room for hnv_pa_format(): INET6_ADDRSTRLEN */
/** The outer source of an IPv6 packet from a PA never interned: a handle
 * no address has, so it matches no mapping. */
#define HNV_PA6_UNKNOWN RTE_BE32(0xffffffffu)

/** Is @p pa the handle of an IPv6 PA (a word in 240.0.0.0/4)? */
static inline bool
hnv_pa_is_v6(rte_be32_t pa)
{
	return (rte_be_to_cpu_32(pa) >> 28) == 0xf;
}

/**
 * The handle of IPv6 address @p addr, interning it on first use.
 * @return 0 and *@p pa set, or -ENOSPC when HNV_PA6_MAX addresses are
 *         interned already
 */
int hnv_pa6_intern(const uint8_t addr[16], rte_be32_t *pa);

/**
 * The handle of @p addr if it was interned (lock-free, for the data path).
 * @return true and *@p pa set, else false
 */
bool hnv_pa6_find(const uint8_t addr[16], rte_be32_t *pa);

/** The IPv6 address of handle @p pa (hnv_pa_is_v6()); an all-zero address
 * for a handle that names none (HNV_PA6_UNKNOWN). */
const uint8_t *hnv_pa6_addr(rte_be32_t pa);

/**
 * Write PA @p pa into @p buf: a dotted quad, or the IPv6 address as
 * inet_ntop writes it (truncated to @p size; HNV_PA_FMT_SIZE is enough).
 * @return @p buf, so that the call can be a printf argument
 */
const char *hnv_pa_format(char *buf, size_t size, rte_be32_t pa);

/** How many IPv6 PAs are interned. */
unsigned int hnv_pa6_count(void);

#endif /* HNV_PA_H */
