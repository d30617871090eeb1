/* SPDX-License-Identifier: BSD-3-Clause
 * lib/encap: the process-wide table of interned IPv6 PAs (hnv_pa.h).
 *
 * Handle i names addrs[i]. An open-addressing index of 2 * HNV_PA6_MAX
 * slots (linear probing on a CRC32C of the address) finds the handle of an
 * address; a slot holds i + 1, 0 when empty. It is written by one thread
 * at a time (the mutex) and never cleared, so a reader that sees a slot's
 * value, loaded with acquire, sees the address it was stored after. The
 * table needs no EAL: policies are loaded (and checked) without one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "hnv_net.h"
#include "hnv_pa.h"

#define INDEX_SLOTS (2 * HNV_PA6_MAX) /* a power of two, half full at most */
#define HANDLE_BASE 0xf0000000u

static uint8_t addrs[HNV_PA6_MAX][16];
static uint32_t index_slots[INDEX_SLOTS];
static uint32_t n_addrs;
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static const uint8_t no_addr[16];

static inline uint32_t
slot_of(const uint8_t addr[16])
{
	uint64_t w[2];

	memcpy(w, addr, 16); /* rte_hash_crc reads aligned words */
	return rte_hash_crc(w, 16, 0xffffffff) & (INDEX_SLOTS - 1);
}

static inline rte_be32_t
handle_of(uint32_t i)
{
	return rte_cpu_to_be_32(HANDLE_BASE | i);
}

bool
hnv_pa6_find(const uint8_t addr[16], rte_be32_t *pa)
{
	for (uint32_t s = slot_of(addr);; s = (s + 1) & (INDEX_SLOTS - 1)) {
		uint32_t v = __atomic_load_n(&index_slots[s], __ATOMIC_ACQUIRE);

		if (v == 0)
			return false;
		if (memcmp(addrs[v - 1], addr, 16) == 0) {
			*pa = handle_of(v - 1);
			return true;
		}
	}
}

int
hnv_pa6_intern(const uint8_t addr[16], rte_be32_t *pa)
{
	uint32_t s, i;
	int rc = 0;

	if (hnv_pa6_find(addr, pa))
		return 0;
	pthread_mutex_lock(&intern_lock);
	for (s = slot_of(addr);; s = (s + 1) & (INDEX_SLOTS - 1)) {
		uint32_t v = index_slots[s];

		if (v == 0)
			break;
		if (memcmp(addrs[v - 1], addr, 16) == 0) { /* another thread won */
			*pa = handle_of(v - 1);
			goto out;
		}
	}
	if (n_addrs == HNV_PA6_MAX) {
		rc = -ENOSPC;
		goto out;
	}
	i = n_addrs;
	memcpy(addrs[i], addr, 16);
	__atomic_store_n(&n_addrs, i + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&index_slots[s], i + 1, __ATOMIC_RELEASE);
	*pa = handle_of(i);
out:
	pthread_mutex_unlock(&intern_lock);
	return rc;
}

const uint8_t *
hnv_pa6_addr(rte_be32_t pa)
{
	uint32_t i = rte_be_to_cpu_32(pa) - HANDLE_BASE;

	if (!hnv_pa_is_v6(pa) || i >= __atomic_load_n(&n_addrs, __ATOMIC_ACQUIRE))
		return no_addr;
	return addrs[i];
}

const char *
hnv_pa_format(char *buf, size_t size, rte_be32_t pa)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!hnv_pa_is_v6(pa))
		return hnv_ipv4_format(buf, size, pa);
	inet_ntop(AF_INET6, hnv_pa6_addr(pa), tmp, sizeof(tmp));
	snprintf(buf, size, "%s", tmp);
	return buf;
}

unsigned int
hnv_pa6_count(void)
{
	return __atomic_load_n(&n_addrs, __ATOMIC_ACQUIRE);
}
