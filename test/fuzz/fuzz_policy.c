/* SPDX-License-Identifier: BSD-3-Clause
 * test/fuzz/fuzz_policy: libFuzzer harness for lib/policy's reader (no EAL).
 *
 * Owns: hnv_policy_parse() on arbitrary bytes taken as a JSON document
 * (cut at the first NUL, as a C string is). It must never crash or leak
 * (LeakSanitizer runs with -fsanitize=fuzzer,address); on success the model
 * is sanity-checked through the public lookups and freed; on failure the
 * return is a negative errno and the message starts with the source name.
 * The streamed reading of the mappings array (policy_stream.c) is held to
 * a jansson tree of the whole text (policy_parse_tree): both accept or both
 * refuse, and what they accept is the same model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hnv_policy.h"
#include "policy_stream.h"

#define SOURCE "fuzz.json"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	char *json = malloc(size + 1);
	int rc;

	FUZZ_CHECK(json != NULL);
	memcpy(json, data, size);
	json[size] = '\0';
	memset(err, 0x5a, sizeof(err));

	rc = hnv_policy_parse(json, SOURCE, &p, err, sizeof(err));
	{
		char err2[HNV_POLICY_ERR_MAX];
		struct hnv_policy *t = NULL;
		int rc2 = policy_parse_tree(json, SOURCE, &t, err2, sizeof(err2));

		FUZZ_CHECK((rc == 0) == (rc2 == 0));
		if (rc == 0) {
			FUZZ_CHECK(t->n_ports == p->n_ports && t->n_subnets == p->n_subnets &&
				   t->n_vnics == p->n_vnics && t->n_mappings == p->n_mappings &&
				   t->n_routes == p->n_routes && t->n_acls == p->n_acls);
			FUZZ_CHECK(p->n_mappings == 0 ||
				   memcmp(t->mappings, p->mappings,
					   sizeof(*p->mappings) * p->n_mappings) == 0);
			FUZZ_CHECK(p->n_vnics == 0 ||
				   memcmp(t->vnics, p->vnics, sizeof(*p->vnics) * p->n_vnics) == 0);
			FUZZ_CHECK(p->n_routes == 0 ||
				   memcmp(t->routes, p->routes, sizeof(*p->routes) * p->n_routes) ==
					   0);
			hnv_policy_free(t);
		}
	}
	if (rc == 0) {
		FUZZ_CHECK(p != NULL);
		FUZZ_CHECK(p->n_ports > 0 && p->host.uplink < p->n_ports);
		for (unsigned int i = 0; i < p->n_ports; i++)
			FUZZ_CHECK(hnv_policy_find_port(p, p->ports[i].name) == (int)i);
		for (unsigned int i = 0; i < p->n_vnics; i++) {
			FUZZ_CHECK(p->vnics[i].port < p->n_ports);
			FUZZ_CHECK(hnv_policy_find_subnet(p, p->vnics[i].vsid) != NULL);
		}
		for (unsigned int i = 0; i < p->n_acls; i++)
			for (unsigned int r = 0; r < p->acls[i].n_rules; r++)
				FUZZ_CHECK(p->acls[i].rules[r].priority >= 1);
		hnv_policy_free(p);
	} else {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(strncmp(err, SOURCE, strlen(SOURCE)) == 0);
	}
	free(json);
	return 0;
}
