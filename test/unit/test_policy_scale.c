/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_policy_scale.c: lib/policy at scale, without EAL: the
 * streamed "mappings" array (policy_stream.c) against what jansson makes
 * of the same text, the hash indexes of validation (uniqueness and overlap
 * found among many entries, the message naming the earlier one), and
 * cancelling a load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hnv_policy.h"
#include "policy_json.h"

/* Everything but the mappings; MAPPINGS is spliced in at %s. */
static const char HEAD[] =
	"{\"version\": 1,\n"
	" \"host\": {\"name\": \"h\", \"uplink\": \"uplink\", \"pa\": [\"192.168.2.20/24\"],\n"
	"  \"gateway\": \"192.168.2.1\"},\n"
	" \"ports\": [{\"name\": \"uplink\", \"device\": \"net_null0\"},\n"
	"  {\"name\": \"vm0\", \"device\": \"net_null1\"}],\n"
	" \"routing_domains\": [{\"rdid\": 1, \"subnets\": [\n"
	"  {\"vsid\": 5001, \"prefix\": \"10.0.0.0/8\", \"prefix6\": \"fd00::/64\"}]}],\n"
	" \"vm_nics\": [{\"name\": \"vm0\", \"port\": \"vm0\", \"vsid\": 5001,\n"
	"  \"mac\": \"02:50:00:00:00:01\", \"ip\": \"10.0.0.2\"}],\n"
	" \"mappings\": %s%s}\n";

/* The policy text with @mappings, and @tail before the closing brace. */
static char *
text_of(const char *mappings, const char *tail)
{
	size_t n = sizeof(HEAD) + strlen(mappings) + strlen(tail);
	char *t = malloc(n);

	assert_non_null(t);
	snprintf(t, n, HEAD, mappings, tail);
	return t;
}

/* "t.json:L:C: text" as jansson places the error of @text. */
static void
jansson_error(const char *text, char *buf, size_t size)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	assert_null(v);
	snprintf(buf, size, "t.json:%d:%d: %s", je.line, je.column, je.text);
}

static int
parse(const char *text, struct hnv_policy **p, char *err, size_t size)
{
	*p = NULL;
	return hnv_policy_parse(text, "t.json", p, err, size);
}

/* Every form of element is read as the same model. */
static void
test_element_forms(void **state)
{
	char err[HNV_POLICY_ERR_MAX] = "";
	struct hnv_policy *p;
	char *t;
	(void)state;

	t = text_of("[\n"
		    "  {\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\","
		    " \"pa\": \"172.16.0.2\"},\n"
		    "  {\"pa\":\"172.16.0.3\",\"mac\":\"02:00:00:00:01:02\",\"ca\":\"10.0.1.2\","
		    "\"vsid\":5001}  ,\n"
		    "  {\"vsid\": 5001, \"ca\": \"10.0.1.\\u0033\", \"mac\": \"02:00:00:00:01:03\","
		    " \"pa\": \"172.16.0.4\"},\n"
		    "  {\"vsid\": 5001, \"ca\": \"10.0.1.4\", \"mac\": \"02:00:00:00:01:04\","
		    " \"pa\": \"172.16.0.5\", \"ip_forwarding\": true, \"ipv6\": \"fd00::4\"}\n"
		    " ]",
		"");
	assert_int_equal(parse(t, &p, err, sizeof(err)), 0);
	free(t);
	assert_int_equal(p->n_mappings, 4);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(p->mappings[i].vsid, 5001);
		assert_int_equal(p->mappings[i].ca, htonl(0x0a000101 + i));
		assert_int_equal(p->mappings[i].pa, htonl(0xac100002 + i));
		assert_int_equal(p->mappings[i].mac.addr_bytes[5], i + 1);
		assert_int_equal(p->mappings[i].ip_forwarding, i == 3);
		assert_int_equal(p->mappings[i].has_ipv6, i == 3);
	}
	assert_int_equal(p->mappings[3].ipv6[15], 4);
	hnv_policy_free(p);
	/* No mappings at all, and an empty array. */
	t = text_of("[]", "");
	assert_int_equal(parse(t, &p, err, sizeof(err)), 0);
	assert_int_equal(p->n_mappings, 0);
	hnv_policy_free(p);
	free(t);
}

/* The mappings anywhere in the document: first (before the keys they
 * need), in the middle, or last, with the same model. */
static void
test_mappings_in_any_place(void **state)
{
	static const char m[] = "[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": "
				"\"02:00:00:00:01:01\", \"pa\": \"172.16.0.2\"}]";
	char err[HNV_POLICY_ERR_MAX] = "", *last = text_of(m, ""), *first, *mid;
	const char *body = strchr(last, '{') + 1, *tail = strstr(last, " \"mappings\"");
	size_t n = strlen(last) + 64;
	struct hnv_policy *p;
	(void)state;

	first = malloc(n);
	mid = malloc(n);
	assert_non_null(first);
	assert_non_null(mid);
	/* {"mappings": [...], <everything else>} */
	snprintf(first, n, "{\"mappings\": %s,%.*s}\n", m, (int)(tail - body - 2), body);
	/* {<everything else>, "mappings": [...], "flow_timeouts": {}} */
	snprintf(mid, n, "%.*s \"mappings\": %s, \"flow_timeouts\": {}}\n", (int)(tail - last),
		last, m);
	for (const char *t = last; t != NULL; t = t == last ? first : t == first ? mid : NULL) {
		assert_int_equal(parse(t, &p, err, sizeof(err)), 0);
		assert_int_equal(p->n_mappings, 1);
		assert_int_equal(p->n_vnics, 1);
		assert_int_equal(p->mappings[0].ca, htonl(0x0a000101));
		hnv_policy_free(p);
	}
	free(first);
	free(mid);
	free(last);
}

/* A syntax error is placed where jansson places it in the whole text: in
 * the array, and after it (the cut-out array keeps the lines and columns). */
static void
test_syntax_errors_placed_as_jansson_does(void **state)
{
	static const char *const bad[][2] = {
		{"[\n {\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", "
		 "\"pa\": "
		 "\"172.16.0.2\"}\n {\"vsid\": 5001}]",
			""},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"},\n]",
			""},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\",}]",
			""},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"vsid\": 5001, \"mac\": "
		 "\"02:00:00:00:01:01\", \"pa\": \"172.16.0.2\"}]",
			""},
		{"[\n\n  {\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\","
		 " \"pa\": \"172.16.0.2\"}\n    ]",
			",\n \"acls\": [}"},
		{"[]", ", \"mappings\": []"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\"", ""},
		/* The array "closed" by a brace (found by fuzz_policy). */
		{"[ {\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}\n\r}",
			""},
	};
	char err[HNV_POLICY_ERR_MAX], want[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p;
	(void)state;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = text_of(bad[i][0], bad[i][1]);

		jansson_error(t, want, sizeof(want));
		assert_int_equal(parse(t, &p, err, sizeof(err)), -EINVAL);
		assert_null(p);
		assert_string_equal(err, want);
		free(t);
	}
}

/* Elements the scanner hands to jansson get the messages of the tree. */
static void
test_element_errors(void **state)
{
	static const char *const bad[][2] = {
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}, \"x\"]",
			"t.json: $.mappings[1]: expected object, got string"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\", \"color\": 1}]",
			"t.json: $.mappings[0]: unknown field 'color'"},
		{"[{\"vsid\": 5001.0, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", "
		 "\"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].vsid: expected integer, got real"},
		{"[{\"vsid\": 05001, \"ca\": \"10.0.1.1\"}]", NULL},
		/* The scanner's own elements, with the messages of the tree. */
		{"[{\"vsid\": 99, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].vsid: VSID 99 out of range 4096..16777214"},
		{"[{\"vsid\": 5002, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].vsid: unknown VSID 5002"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].ca: malformed IPv4 address '10.0.1'"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"03:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].mac: 03:00:00:00:01:01 is not a unicast MAC "
			"address"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"192.168.2.20\"}]",
			"t.json: $.mappings[0].pa: 192.168.2.20 is our own PA ($.host.pa[0]); "
			"local VMs "
			"belong in vm_nics"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\"}]",
			"t.json: $.mappings[0]: missing required field 'pa'"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.1.1\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}, {\"vsid\": 5001, \"ca\": \"10.0.1.2\", \"mac\": "
		 "\"02:00:00:00:01:01\", \"pa\": \"172.16.0.2\"}]",
			"t.json: $.mappings[1].mac: duplicate MAC 02:00:00:00:01:01 in VSID 5001 "
			"(also at $.mappings[0].mac)"},
		{"[{\"vsid\": 5001, \"ca\": \"10.0.0.2\", \"mac\": \"02:00:00:00:01:01\", \"pa\": "
		 "\"172.16.0.2\"}]",
			"t.json: $.mappings[0].ca: duplicate CA 10.0.0.2 in VSID 5001 (also at "
			"$.vm_nics[0].ip)"},
	};
	char err[HNV_POLICY_ERR_MAX], want[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p;
	(void)state;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = text_of(bad[i][0], "");

		if (bad[i][1] == NULL)
			jansson_error(t, want, sizeof(want)); /* a leading zero */
		else
			snprintf(want, sizeof(want), "%s", bad[i][1]);
		assert_int_equal(parse(t, &p, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, want);
		free(t);
	}
}

/* N ordinary mappings, the last of which is @last (a full element). */
static char *
many(unsigned int n, const char *last)
{
	size_t size = (size_t)n * 100 + strlen(last) + 16, o = 0;
	char *s = malloc(size);

	assert_non_null(s);
	s[o++] = '[';
	for (unsigned int i = 0; i + 1 < n; i++)
		o += (size_t)snprintf(s + o, size - o,
			"{\"vsid\": 5001, \"ca\": \"10.%u.%u.%u\", \"mac\": "
			"\"02:00:00:%02x:%02x:%02x\","
			" \"pa\": \"172.16.0.2\"},\n",
			1 + ((i >> 16) & 255), (i >> 8) & 255, i & 255, (i >> 16) & 255,
			(i >> 8) & 255, i & 255);
	o += (size_t)snprintf(s + o, size - o, "%s]", last);
	return s;
}

/* Among 100k entries a duplicate is found and named by its first place. */
static void
test_duplicates_among_many(void **state)
{
	char err[HNV_POLICY_ERR_MAX] = "";
	struct hnv_policy *p;
	char *m, *t;
	(void)state;

	m = many(100000, "{\"vsid\": 5001, \"ca\": \"10.200.0.1\", \"mac\": \"02:00:00:00:30:39\","
			 " \"pa\": \"172.16.0.9\"}");
	t = text_of(m, "");
	assert_int_equal(parse(t, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.json: $.mappings[99999].mac: duplicate MAC 02:00:00:00:30:39 "
				 "in VSID 5001 (also at $.mappings[12345].mac)");
	free(t);
	free(m);
	m = many(100000, "{\"vsid\": 5001, \"ca\": \"10.1.2.3\", \"mac\": \"02:00:00:ff:00:00\","
			 " \"pa\": \"172.16.0.9\"}");
	t = text_of(m, "");
	assert_int_equal(parse(t, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.json: $.mappings[99999].ca: duplicate CA 10.1.2.3 in VSID "
				 "5001 (also at $.mappings[515].ca)");
	free(t);
	free(m);
	m = many(100000, "{\"vsid\": 5001, \"ca\": \"10.200.0.1\", \"mac\": \"02:00:00:ff:00:00\","
			 " \"pa\": \"172.16.0.9\"}");
	t = text_of(m, "");
	assert_int_equal(parse(t, &p, err, sizeof(err)), 0);
	assert_int_equal(p->n_mappings, 100000);
	assert_int_equal(p->mappings[12345].ca, htonl(0x0a013039));
	hnv_policy_free(p);
	free(t);
	free(m);
}

/* Overlap is found with a covering and with a covered prefix, and only
 * within a routing domain. */
static void
test_subnet_overlap_by_index(void **state)
{
	static const char *const cases[][2] = {
		{"{\"vsid\": 5002, \"prefix\": \"10.9.0.0/16\"}",
			"t.json: $.routing_domains[0].subnets[1].prefix: 10.9.0.0/16 overlaps "
			"10.0.0.0/8 of VSID 5001 (at $.routing_domains[0].subnets[0].prefix)"},
		{"{\"vsid\": 5002, \"prefix\": \"8.0.0.0/6\"}",
			"t.json: $.routing_domains[0].subnets[1].prefix: 8.0.0.0/6 overlaps "
			"10.0.0.0/8 of VSID 5001 (at $.routing_domains[0].subnets[0].prefix)"},
		{"{\"vsid\": 5002, \"prefix\": \"11.0.0.0/8\"}", NULL},
	};
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p;
	(void)state;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char sub[256], *t = text_of("[]", ""), *at = strstr(t, "}]}],");
		size_t n = strlen(t) + 256;
		char *u = malloc(n);

		assert_non_null(at);
		assert_non_null(u);
		at++;
		snprintf(sub, sizeof(sub), ",\n  %s", cases[i][0]);
		snprintf(u, n, "%.*s%s%s", (int)(at - t), t, sub, at);
		if (cases[i][1] == NULL) {
			assert_int_equal(parse(u, &p, err, sizeof(err)), 0);
			assert_int_equal(p->n_subnets, 2);
			assert_non_null(hnv_policy_find_subnet(p, 5002));
			hnv_policy_free(p);
		} else {
			assert_int_equal(parse(u, &p, err, sizeof(err)), -EINVAL);
			assert_string_equal(err, cases[i][1]);
		}
		free(u);
		free(t);
	}
}

/* A load whose cancel flag is set stops with -ECANCELED and says so. */
static void
test_cancel(void **state)
{
	char path[] = "/tmp/test_policy_scale_XXXXXX", err[HNV_POLICY_ERR_MAX], want[64];
	atomic_bool cancel = true;
	struct hnv_policy_load_opts o = {.cancel = &cancel};
	struct hnv_policy *p = NULL;
	char *t = text_of("[]", "");
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	assert_int_equal(hnv_policy_load_ex(path, &o, &p, err, sizeof(err)), -ECANCELED);
	snprintf(want, sizeof(want), "%s: cancelled", path);
	assert_string_equal(err, want);
	assert_null(p);
	atomic_store(&cancel, false);
	{
		char *text = NULL;
		size_t len = 0;

		o.text = &text;
		o.text_len = &len;
		assert_int_equal(hnv_policy_load_ex(path, &o, &p, err, sizeof(err)), 0);
		assert_int_equal(len, strlen(t));
		assert_memory_equal(text, t, len);
		free(text);
		hnv_policy_free(p);
	}
	unlink(path);
	free(t);
}

/* The policy's IPv4 reader accepts exactly what inet_pton(AF_INET) does,
 * with the same value: tricky strings, then random ones of its alphabet. */
static void
test_ipv4_reader_is_inet_pton(void **state)
{
	static const char *const tricky[] = {"0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3",
		"1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.0", "00.1.1.1", "1..2.3", ".1.2.3",
		"1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.4a", "", "1000.1.1.1",
		"10.1.1.1", "192.168.001.1", "1.2.3.255", "1.2.3.2555"};
	char err[HNV_POLICY_ERR_MAX], buf[24];
	struct ctx c = {
		.source = "t", .err = err, .errlen = sizeof(err), .path = "$", .path_len = 1};
	unsigned int seed = 12345;
	(void)state;

	for (unsigned int i = 0; i < 200000; i++) {
		const char *str = buf;
		struct in_addr want;
		rte_be32_t got = 0;
		int ok_ref, ok;

		if (i < sizeof(tricky) / sizeof(tricky[0])) {
			str = tricky[i];
		} else {
			unsigned int n = 1 + (seed = seed * 1103515245u + 12345u) % 16;

			for (unsigned int k = 0; k < n; k++)
				buf[k] = "0123456789...25"[(seed = seed * 1103515245u + 12345u) >>
								   16 &
							   15];
			buf[n] = '\0';
		}
		ok_ref = inet_pton(AF_INET, str, &want) == 1;
		ok = pj_s_ipv4(&c, "ca", str, &got) == 0;
		if (ok != ok_ref || (ok && got != want.s_addr))
			fail_msg("'%s': inet_pton %d, ours %d", str, ok_ref, ok);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_element_forms),
		cmocka_unit_test(test_mappings_in_any_place),
		cmocka_unit_test(test_syntax_errors_placed_as_jansson_does),
		cmocka_unit_test(test_element_errors),
		cmocka_unit_test(test_duplicates_among_many),
		cmocka_unit_test(test_subnet_overlap_by_index),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_ipv4_reader_is_inet_pton),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
