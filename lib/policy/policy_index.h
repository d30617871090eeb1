/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: the hash indexes that keep loading a policy O(n).
 *
 * Owns: struct pidx, a set of fixed-size keys (a VSID and a MAC, a name)
 * each with a 32-bit value (where the key was seen: "$.mappings[i]"), with
 * open addressing and linear probing, doubling at half full. Validation
 * asks it "was this MAC already in this VSID, and where?" instead of
 * scanning the entries read so far. It is plain memory (no DPDK), because
 * the policy is also checked without EAL (dpdk-hnv --check-policy), where
 * rte_hash cannot allocate.
 */
#ifndef HNV_POLICY_INDEX_H
#define HNV_POLICY_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define PIDX_KEY_MAX 112 /* a vhost-user socket path */

/** A set of keys of one size, each with a value. Zeroed: empty, unusable
 * until pidx_init. */
struct pidx {
	uint32_t key_len;
	uint32_t mask; /* slots - 1 */
	uint32_t n;
	uint32_t *vals; /* value + 1; 0 = empty slot */
	uint8_t *keys;  /* slots * key_len */
};

/** Make @p ix an empty index of @p key_len-byte keys (at most
 * PIDX_KEY_MAX) with room for @p expected keys before it grows.
 * @return 0 or -ENOMEM, -EINVAL */
int pidx_init(struct pidx *ix, uint32_t key_len, size_t expected);

/** Free the memory of @p ix (which may be zeroed or freed already). */
void pidx_free(struct pidx *ix);

/**
 * Add @p key with value @p val (below UINT32_MAX) unless it is there.
 * @return the value the key already had, -1 if it was added, or -ENOMEM
 *         (-2 or below: distinguish with < -1)
 */
int64_t pidx_put(struct pidx *ix, const void *key, uint32_t val);

/** The value of @p key, or -1 if it is not in @p ix. */
int64_t pidx_get(const struct pidx *ix, const void *key);

/** Remove @p key from @p ix. @return 0, or -ENOENT if it was not there */
int pidx_del(struct pidx *ix, const void *key);

/** Make @p dst a copy of @p src (zeroed if @p src is). @return 0 or -ENOMEM */
int pidx_clone(struct pidx *dst, const struct pidx *src);

/** Where a MAC or CA was seen: a VM NIC's index, or a mapping's with this
 * bit set. */
#define PIDX_MAPPING 0x80000000u

/** The indexes of one load (struct ctx) and of a loaded policy (struct
 * hnv_policy): the lookups a policy keeps (VSIDs, port names) and those
 * only validation needs, freed once the policy is read. */
struct hnv_policy_index {
	struct pidx vsid;      /* uint32_t VSID -> subnet index */
	struct pidx port;      /* name (HNV_NAME_MAX bytes, zero-padded) -> port index */
	struct pidx rdid;      /* uint32_t RDID -> routing domain index */
	struct pidx prefix;    /* struct pidx_prefix_key -> subnet index */
	struct pidx port_dev;  /* device name (HNV_DEVICE_MAX bytes) -> port index */
	struct pidx port_sock; /* vhost-user socket (HNV_SOCKET_MAX bytes) -> port */
	struct pidx vnic_name; /* name -> VM NIC index */
	struct pidx vnic_port; /* uint32_t port index -> VM NIC index */
	struct pidx mac;       /* struct pidx_mac_key -> where (PIDX_MAPPING) */
	struct pidx ca;        /* struct pidx_ca_key -> where */
	struct pidx ca6;       /* struct pidx_ca6_key -> where */
};

struct pidx_mac_key {
	uint32_t vsid;
	uint8_t mac[6];
	uint8_t pad[2];
};

struct pidx_ca_key {
	uint32_t vsid;
	uint32_t ip; /* network order */
};

struct pidx_ca6_key {
	uint32_t vsid;
	uint8_t ip6[16];
};

/* A subnet prefix of a routing domain (kind 0), or a shorter prefix that
 * covers one (kind 1): how overlaps are found without a scan. */
struct pidx_prefix_key {
	uint32_t rdid;
	uint32_t prefix; /* host order, masked to len */
	uint8_t len;
	uint8_t kind;
	uint8_t pad[2];
};

/** Make the indexes of a load expecting about @p n_entries VM NICs and
 * mappings. @return 0 or -ENOMEM */
int pidx_set_init(struct hnv_policy_index *ix, size_t n_entries);

/** Free the indexes that only validation needs (MACs, CAs, names). */
void pidx_set_trim(struct hnv_policy_index *ix);

/** Free all of @p ix (NULL is fine) and @p ix itself. */
void pidx_set_free(struct hnv_policy_index *ix);

#endif /* HNV_POLICY_INDEX_H */
