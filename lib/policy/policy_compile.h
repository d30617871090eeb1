/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: compiling a validated HNV policy into a VFP program.
 *
 * Switch port i of the program is hnv_policy.ports[i]; the caller binds it
 * to a device. What the policy leaves to the machine (the uplink MAC when
 * the policy names none, the uplink MTU) comes in struct hnv_compile_env.
 */
#ifndef HNV_POLICY_COMPILE_H
#define HNV_POLICY_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "hnv_policy.h"
#include "vfp.h"

/** Facts about the running host that the compiler needs. */
struct hnv_compile_env {
	struct rte_ether_addr uplink_mac; /**< used when the policy has no host.mac */
	uint16_t uplink_mtu;              /**< 0 = 1500 */
	uint32_t table_size;              /**< 0 = default */
	int socket_id;
};

/**
 * Build a program from @p pol.
 *
 * @param out   the program on success (free with vfp_program_free)
 * @param err   on failure, "SOURCE: $.path: problem"
 * @return 0 or a negative errno
 */
int hnv_policy_compile(const struct hnv_policy *pol, const struct hnv_compile_env *env,
        struct vfp_program **out, char *err, size_t errlen);

#endif /* HNV_POLICY_COMPILE_H */
