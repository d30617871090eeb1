/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_index.c: struct pidx (policy_index.h), the hash sets
 * with which validation checks uniqueness and resolves references in O(1)
 * per entry.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "hnv_policy.h"
#include "policy_index.h"

/* CRC32C of the key (the CPU's crc32 instruction where it has one), as
 * rte_hash hashes its keys. rte_hash_crc loads 4 and 8 bytes at a time,
 * and the keys of the table are packed at any offset: hash an aligned
 * copy. */
static uint32_t
key_hash(const uint8_t *k, uint32_t len)
{
	uint64_t buf[(PIDX_KEY_MAX + 7) / 8];

	memcpy(buf, k, len);
	return rte_hash_crc(buf, len, 0x9e3779b9u);
}

static int
alloc_slots(struct pidx *ix, uint32_t slots)
{
	ix->vals = calloc(slots, sizeof(*ix->vals));
	ix->keys = malloc((size_t)slots * ix->key_len);
	if (ix->vals == NULL || ix->keys == NULL) {
		free(ix->vals);
		free(ix->keys);
		ix->vals = NULL;
		ix->keys = NULL;
		return -ENOMEM;
	}
	ix->mask = slots - 1;
	return 0;
}

int
pidx_init(struct pidx *ix, uint32_t key_len, size_t expected)
{
	uint32_t slots = 16;

	memset(ix, 0, sizeof(*ix));
	if (key_len == 0 || key_len > PIDX_KEY_MAX || expected > (1u << 30))
		return -EINVAL;
	while (slots < 2 * expected)
		slots *= 2;
	ix->key_len = key_len;
	return alloc_slots(ix, slots);
}

void
pidx_free(struct pidx *ix)
{
	free(ix->vals);
	free(ix->keys);
	ix->vals = NULL;
	ix->keys = NULL;
	ix->n = 0;
}

/* The slot of @key, or the empty slot where it would go. */
static uint32_t
find_slot(const struct pidx *ix, const void *key, bool *found)
{
	uint32_t i = key_hash(key, ix->key_len) & ix->mask;

	for (;; i = (i + 1) & ix->mask) {
		if (ix->vals[i] == 0) {
			*found = false;
			return i;
		}
		if (memcmp(ix->keys + (size_t)i * ix->key_len, key, ix->key_len) == 0) {
			*found = true;
			return i;
		}
	}
}

static int
grow(struct pidx *ix)
{
	struct pidx old = *ix;
	bool found;

	if (old.mask >= (1u << 31) - 1 || alloc_slots(ix, 2 * (old.mask + 1)) != 0) {
		*ix = old;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i <= old.mask; i++) {
		const uint8_t *k = old.keys + (size_t)i * old.key_len;
		uint32_t s;

		if (old.vals[i] == 0)
			continue;
		s = find_slot(ix, k, &found);
		ix->vals[s] = old.vals[i];
		memcpy(ix->keys + (size_t)s * ix->key_len, k, ix->key_len);
	}
	pidx_free(&old);
	return 0;
}

int64_t
pidx_put(struct pidx *ix, const void *key, uint32_t val)
{
	bool found;
	uint32_t s;

	if (ix->vals == NULL || val == UINT32_MAX)
		return -EINVAL;
	s = find_slot(ix, key, &found);
	if (found)
		return (int64_t)ix->vals[s] - 1;
	if (2 * (ix->n + 1) > ix->mask + 1) {
		if (grow(ix) != 0)
			return -ENOMEM;
		s = find_slot(ix, key, &found);
	}
	ix->vals[s] = val + 1;
	memcpy(ix->keys + (size_t)s * ix->key_len, key, ix->key_len);
	ix->n++;
	return -1;
}

int64_t
pidx_get(const struct pidx *ix, const void *key)
{
	bool found;
	uint32_t s;

	if (ix->vals == NULL)
		return -1;
	s = find_slot(ix, key, &found);
	return found ? (int64_t)ix->vals[s] - 1 : -1;
}

int
pidx_del(struct pidx *ix, const void *key)
{
	uint32_t hole, i;
	bool found;

	if (ix->vals == NULL)
		return -ENOENT;
	hole = find_slot(ix, key, &found);
	if (!found)
		return -ENOENT;
	/* Backward shift: a key further on the probe run whose home slot is
	 * not between the hole and itself moves into the hole, so that no
	 * lookup meets an empty slot before its key. */
	for (i = (hole + 1) & ix->mask; ix->vals[i] != 0; i = (i + 1) & ix->mask) {
		uint32_t home =
			key_hash(ix->keys + (size_t)i * ix->key_len, ix->key_len) & ix->mask;

		if (((i - home) & ix->mask) >= ((i - hole) & ix->mask)) {
			ix->vals[hole] = ix->vals[i];
			memcpy(ix->keys + (size_t)hole * ix->key_len,
				ix->keys + (size_t)i * ix->key_len, ix->key_len);
			hole = i;
		}
	}
	ix->vals[hole] = 0;
	ix->n--;
	return 0;
}

int
pidx_clone(struct pidx *dst, const struct pidx *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->vals == NULL)
		return 0;
	dst->key_len = src->key_len;
	if (alloc_slots(dst, src->mask + 1) != 0)
		return -ENOMEM;
	memcpy(dst->vals, src->vals, sizeof(*dst->vals) * ((size_t)src->mask + 1));
	memcpy(dst->keys, src->keys, (size_t)src->key_len * ((size_t)src->mask + 1));
	dst->n = src->n;
	return 0;
}

int
pidx_set_init(struct hnv_policy_index *ix, size_t n_entries)
{
	int rc = pidx_init(&ix->vsid, sizeof(uint32_t), 64);

	if (rc == 0)
		rc = pidx_init(&ix->port, HNV_NAME_MAX, 64);
	if (rc == 0)
		rc = pidx_init(&ix->rdid, sizeof(uint32_t), 64);
	if (rc == 0)
		rc = pidx_init(&ix->prefix, sizeof(struct pidx_prefix_key), 256);
	if (rc == 0)
		rc = pidx_init(&ix->port_dev, HNV_DEVICE_MAX, 64);
	if (rc == 0)
		rc = pidx_init(&ix->port_sock, HNV_SOCKET_MAX, 64);
	if (rc == 0)
		rc = pidx_init(&ix->vnic_name, HNV_NAME_MAX, 64);
	if (rc == 0)
		rc = pidx_init(&ix->vnic_port, sizeof(uint32_t), 64);
	if (rc == 0)
		rc = pidx_init(&ix->mac, sizeof(struct pidx_mac_key), n_entries);
	if (rc == 0)
		rc = pidx_init(&ix->ca, sizeof(struct pidx_ca_key), n_entries);
	if (rc == 0)
		rc = pidx_init(&ix->ca6, sizeof(struct pidx_ca6_key), 64);
	return rc;
}

void
pidx_set_trim(struct hnv_policy_index *ix)
{
	pidx_free(&ix->rdid);
	pidx_free(&ix->prefix);
	pidx_free(&ix->port_dev);
	pidx_free(&ix->port_sock);
	pidx_free(&ix->vnic_name);
	pidx_free(&ix->vnic_port);
	pidx_free(&ix->mac);
	pidx_free(&ix->ca);
	pidx_free(&ix->ca6);
}

void
pidx_set_free(struct hnv_policy_index *ix)
{
	if (ix == NULL)
		return;
	pidx_set_trim(ix);
	pidx_free(&ix->vsid);
	pidx_free(&ix->port);
	free(ix);
}
