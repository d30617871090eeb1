/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_policy_delta.c: reading a changed policy against the one
 * in force (lib/policy/policy_delta.c), without EAL: which texts are read
 * incrementally and which are left to a whole load, and that a base kept
 * up to date through many random edits is always what a whole load of the
 * same text makes (mappings in order, where each is in the text, the
 * validation indexes). Also the index's delete (pidx_del) against a
 * plain model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hnv_policy.h"
#include "policy_delta.h"
#include "policy_index.h"

/* Everything but the mappings (a route's next hop is mapping 7's CA). */
static const char HEAD[] =
	"{\"version\": 1,\n"
	" \"host\": {\"name\": \"h\", \"uplink\": \"uplink\", \"pa\": [\"192.168.2.20/24\"],\n"
	"  \"gateway\": \"192.168.2.1\"},\n"
	" \"ports\": [{\"name\": \"uplink\", \"device\": \"net_null0\"},\n"
	"  {\"name\": \"vm0\", \"device\": \"net_null1\"}],\n"
	" \"routing_domains\": [{\"rdid\": 1, \"subnets\": [\n"
	"  {\"vsid\": 5001, \"prefix\": \"10.0.0.0/8\", \"prefix6\": \"fd00::/64\"}],\n"
	"  \"routes\": [{\"prefix\": \"10.200.0.0/16\", \"next_hop\": \"10.0.0.108\"}]}],\n"
	" \"vm_nics\": [{\"name\": \"vm0\", \"port\": \"vm0\", \"vsid\": 5001,\n"
	"  \"mac\": \"02:50:00:00:00:01\", \"ip\": \"10.0.0.2\"}],\n"
	" \"mappings\": [";

#define MAX_MAP 8192

/* The model the texts are written from: mapping k has CA 10.0.x.y and MAC
 * 02:00:..:k from its id, and a PA; the array is in this order. */
struct model {
	unsigned int n;
	unsigned int id[MAX_MAP];
	unsigned int pa[MAX_MAP];
	unsigned int mac[MAX_MAP]; /* usually the id; swapped by some edits */
	bool ip6[MAX_MAP];
	unsigned int next_id;
	unsigned int style; /* blanks between elements */
};

static char *
render(const struct model *m)
{
	size_t cap = sizeof(HEAD) + (size_t)m->n * 160 + 64, len;
	char *t = malloc(cap);

	assert_non_null(t);
	len = (size_t)snprintf(t, cap, "%s", HEAD);
	for (unsigned int i = 0; i < m->n; i++) {
		unsigned int id = m->id[i], mac = m->mac[i];
		char v6[48] = "";

		if (m->ip6[i])
			snprintf(v6, sizeof(v6), ", \"ipv6\": \"fd00::%x\"", id + 16);
		len += (size_t)snprintf(t + len, cap - len,
			"%s{\"vsid\": 5001, \"ca\": \"10.0.%u.%u\", \"mac\": "
			"\"02:00:00:00:%02x:%02x\", \"pa\": \"172.16.%u.%u\"%s}",
			i == 0 ? "\n  " : (m->style == 0 ? ",\n  " : ", "), (id + 100) / 250,
			(id + 100) % 250 + 1, mac >> 8, mac & 0xff, m->pa[i] / 250,
			m->pa[i] % 250 + 1, v6);
	}
	len += (size_t)snprintf(t + len, cap - len, "\n ]}\n");
	return t;
}

static void
model_init(struct model *m, unsigned int n)
{
	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < n; i++) {
		m->id[i] = i;
		m->mac[i] = i;
		m->pa[i] = i % 97;
	}
	m->n = n;
	m->next_id = n;
}

/* A new mapping (a VM started elsewhere) at position @at of @m. */
static void
model_insert(struct model *m, unsigned int at, unsigned int pa, bool ip6)
{
	size_t n = m->n - at;

	memmove(&m->id[at + 1], &m->id[at], n * sizeof(m->id[0]));
	memmove(&m->pa[at + 1], &m->pa[at], n * sizeof(m->pa[0]));
	memmove(&m->mac[at + 1], &m->mac[at], n * sizeof(m->mac[0]));
	memmove(&m->ip6[at + 1], &m->ip6[at], n * sizeof(m->ip6[0]));
	m->id[at] = m->mac[at] = m->next_id++;
	m->pa[at] = pa;
	m->ip6[at] = ip6;
	m->n++;
}

/* The mapping at position @at of @m goes. */
static void
model_delete(struct model *m, unsigned int at)
{
	size_t n = m->n - at - 1;

	memmove(&m->id[at], &m->id[at + 1], n * sizeof(m->id[0]));
	memmove(&m->pa[at], &m->pa[at + 1], n * sizeof(m->pa[0]));
	memmove(&m->mac[at], &m->mac[at + 1], n * sizeof(m->mac[0]));
	memmove(&m->ip6[at], &m->ip6[at + 1], n * sizeof(m->ip6[0]));
	m->n--;
}

/* A base from a whole load of @text (taken). */
static void
base_of(struct policy_base *b, char *text)
{
	char err[HNV_POLICY_ERR_MAX] = "";
	struct policy_span *spans;
	struct hnv_policy *p;
	size_t open, close;
	int rc = policy_parse_base(
		text, strlen(text), "t.json", NULL, &p, &spans, &open, &close, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(spans);
	assert_int_equal(policy_base_init(b, p, text, strlen(text), spans, open, close), 0);
}

/* @b is what a whole load of its own text makes. */
static void
assert_base_is_whole_load(const struct policy_base *b)
{
	struct policy_base w;
	char *copy = strdup(b->text);

	assert_non_null(copy);
	base_of(&w, copy);
	assert_int_equal(b->n, w.n);
	assert_int_equal(b->pol->n_mappings, w.pol->n_mappings);
	assert_int_equal(b->arr_open, w.arr_open);
	assert_int_equal(b->arr_close, w.arr_close);
	for (uint32_t i = 0; i < w.n; i++) {
		const struct hnv_mapping_cfg *mb = &b->pol->mappings[b->order[i]];
		const struct hnv_mapping_cfg *mw = &w.pol->mappings[i];
		struct pidx_mac_key mk = {.vsid = mb->vsid};
		struct pidx_ca_key ck = {.vsid = mb->vsid, .ip = mb->ca};
		struct pidx_ca6_key k6 = {.vsid = mb->vsid};

		assert_memory_equal(mb, mw, sizeof(*mb));
		assert_int_equal(b->span[i].start, w.span[i].start);
		assert_int_equal(b->span[i].len, w.span[i].len);
		memcpy(mk.mac, mb->mac.addr_bytes, 6);
		memcpy(k6.ip6, mb->ipv6, 16);
		assert_int_equal(pidx_get(&b->pol->index->mac, &mk), PIDX_MAPPING | b->order[i]);
		assert_int_equal(pidx_get(&b->pol->index->ca, &ck), PIDX_MAPPING | b->order[i]);
		if (mb->has_ipv6)
			assert_int_equal(
				pidx_get(&b->pol->index->ca6, &k6), PIDX_MAPPING | b->order[i]);
	}
	assert_int_equal(b->pol->index->mac.n, w.pol->index->mac.n);
	assert_int_equal(b->pol->index->ca.n, w.pol->index->ca.n);
	assert_int_equal(b->pol->index->ca6.n, w.pol->index->ca6.n);
	policy_base_clear(&w);
}

static size_t last_read; /* elements the last reload read again */

/* Read @m's text against @b: 0 (then committed) or 1. */
static int
reload(struct policy_base *b, const struct model *m, size_t *n_del, size_t *n_put)
{
	struct policy_delta d;
	char *text = render(m);
	int rc = policy_delta_read(b, text, strlen(text), NULL, &d);

	if (rc != 0) {
		free(text);
		return rc;
	}
	if (n_del != NULL)
		*n_del = d.n_del;
	if (n_put != NULL)
		*n_put = d.n_put;
	last_read = d.n_add;
	assert_int_equal(d.n_mappings, m->n);
	assert_int_equal(policy_base_commit(b, &d), 0);
	policy_delta_free(&d);
	return 0;
}

static void
test_one_move_reads_one_element(void **state)
{
	static struct model m;
	struct policy_base b;
	size_t del, put;
	(void)state;

	model_init(&m, 1000);
	base_of(&b, render(&m));
	m.pa[500] = 200; /* mapping 500 moves to another host (R23) */
	assert_int_equal(reload(&b, &m, &del, &put), 0);
	assert_int_equal(del, 1);
	assert_int_equal(put, 1);
	assert_int_equal(last_read, 1);
	assert_base_is_whole_load(&b);
	/* An unchanged text is a delta of nothing. */
	assert_int_equal(reload(&b, &m, &del, &put), 0);
	assert_int_equal(del, 0);
	assert_int_equal(put, 0);
	policy_base_clear(&b);
}

static void
test_add_remove_at_every_place(void **state)
{
	static struct model m;
	struct policy_base b;
	size_t del, put;
	(void)state;

	model_init(&m, 50);
	base_of(&b, render(&m));
	for (unsigned int where = 0; where <= m.n; where += 7) {
		unsigned int at = where < m.n ? where : m.n;

		model_insert(&m, at, 3, false);
		assert_int_equal(reload(&b, &m, &del, &put), 0);
		assert_int_equal(del, 0);
		assert_int_equal(put, 1);
		assert_base_is_whole_load(&b);
	}
	/* The first, the last, and one in the middle go. */
	for (int k = 0; k < 3; k++) {
		unsigned int at = k == 0 ? 0 : k == 1 ? m.n - 1 : m.n / 2;

		model_delete(&m, at);
		assert_int_equal(reload(&b, &m, &del, &put), 0);
		assert_int_equal(del, 1);
		assert_int_equal(put, 0);
		assert_base_is_whole_load(&b);
	}
	policy_base_clear(&b);
}

/* Changes far apart, of different lengths, are read each alone: the
 * elements between them are compared, not read again. */
static void
test_scattered_changes_read_alone(void **state)
{
	static struct model m;
	struct policy_base b;
	size_t del, put;
	(void)state;

	model_init(&m, 5000);
	base_of(&b, render(&m));
	m.pa[100] = 96; /* 172.16.0.97: longer than 172.16.0.1 */
	m.pa[2000] = 0; /* shorter */
	m.ip6[3000] = true;
	model_insert(&m, 4000, 0, false);
	model_delete(&m, 10); /* 10 goes */
	assert_int_equal(reload(&b, &m, &del, &put), 0);
	assert_int_equal(del, 4); /* 10, 100, 2000, 3000 */
	assert_int_equal(put, 4); /* 100, 2000, 3000 and the new one */
	assert_int_equal(last_read, 4);
	assert_base_is_whole_load(&b);
	policy_base_clear(&b);
}

/* Two neighbours swap MACs: each new MAC is the other's, which the delta
 * replaces, so neither is a duplicate. */
static void
test_swap_within_the_change(void **state)
{
	static struct model m;
	struct policy_base b;
	size_t del, put;
	(void)state;

	model_init(&m, 100);
	base_of(&b, render(&m));
	m.mac[40] = 41;
	m.mac[41] = 40;
	assert_int_equal(reload(&b, &m, &del, &put), 0);
	assert_int_equal(del, 2);
	assert_int_equal(put, 2);
	assert_base_is_whole_load(&b);
	policy_base_clear(&b);
}

/* What is left to a whole load, which gives the message. */
static void
test_left_to_a_whole_load(void **state)
{
	static struct model m;
	struct policy_base b;
	struct policy_delta d;
	char *t;
	(void)state;

	model_init(&m, 200);
	base_of(&b, render(&m));
	/* A duplicate MAC, of a mapping the change does not touch. */
	m.mac[10] = 150;
	assert_int_equal(reload(&b, &m, NULL, NULL), 1);
	m.mac[10] = 10;
	/* A duplicate IPv6 CA against the base. */
	m.ip6[20] = true;
	assert_int_equal(reload(&b, &m, NULL, NULL), 0);
	m.ip6[21] = true;
	m.id[21] = 20; /* same CA and IPv6 CA as 20: two duplicates */
	assert_int_equal(reload(&b, &m, NULL, NULL), 1);
	m.id[21] = 21;
	assert_int_equal(reload(&b, &m, NULL, NULL), 0);
	assert_base_is_whole_load(&b);
	/* The route's next hop (mapping 7) moves or goes. */
	m.pa[7] = 9;
	assert_int_equal(reload(&b, &m, NULL, NULL), 1);
	m.pa[7] = 7 % 97;
	/* A change outside the mappings: the host's name. */
	t = render(&m);
	memcpy(strstr(t, "\"name\": \"h\"") + 9, "g", 1);
	assert_int_equal(policy_delta_read(&b, t, strlen(t), NULL, &d), 1);
	free(t);
	/* Every separator rewritten: all read again, none changed. */
	m.style = 1;
	{
		size_t del, put;

		assert_int_equal(reload(&b, &m, &del, &put), 0);
		assert_int_equal(del + put, 0);
	}
	assert_base_is_whole_load(&b);
	/* A comma lost between two elements, and one too many. */
	t = render(&m);
	memcpy(strstr(t, "}, {"), "}  {", 4);
	assert_int_equal(policy_delta_read(&b, t, strlen(t), NULL, &d), 1);
	free(t);
	t = render(&m);
	memcpy(strstr(t, "}, {"), "},,{", 4);
	assert_int_equal(policy_delta_read(&b, t, strlen(t), NULL, &d), 1);
	free(t);
	/* A mapping with ip_forwarding: the router's forwarders change. */
	t = render(&m);
	{
		char *q = strstr(t, "\"pa\": \"172.16.0.51\"}");
		size_t tail = strlen(q + 19), len;
		char *u;

		assert_non_null(q);
		len = (size_t)(q - t) + 19;
		u = malloc(strlen(t) + 32);
		assert_non_null(u);
		memcpy(u, t, len);
		memcpy(u + len, ", \"ip_forwarding\": true", 23);
		memcpy(u + len + 23, q + 19, tail + 1);
		assert_int_equal(policy_delta_read(&b, u, strlen(u), NULL, &d), 1);
		free(u);
	}
	free(t);
	policy_base_clear(&b);
}

/* Many rounds of random edits: each is read incrementally, and the base
 * is always a whole load of its text. */
static void
test_random_edits_keep_the_base_whole(void **state)
{
	static struct model m;
	struct policy_base b;
	unsigned int seed = 12345;
	(void)state;

	model_init(&m, 3000);
	base_of(&b, render(&m));
	for (int round = 0; round < 300; round++) {
		int ops = 1 + rand_r(&seed) % 4;

		for (int k = 0; k < ops; k++) {
			unsigned int at = (unsigned int)rand_r(&seed) % m.n;

			switch (rand_r(&seed) % 4) {
			case 0: /* moves */
				m.pa[at] = (m.pa[at] + 1 + (unsigned int)rand_r(&seed) % 50) % 97;
				if (m.id[at] == 7)
					m.pa[at] = 7 % 97; /* the route's next hop stays */
				break;
			case 1: /* a VM starts elsewhere */
				if (m.n == MAX_MAP)
					break;
				model_insert(&m, at, (unsigned int)rand_r(&seed) % 97,
					rand_r(&seed) % 4 == 0);
				break;
			case 2: /* ... or stops */
				if (m.id[at] == 7 || m.n < 100)
					break;
				model_delete(&m, at);
				break;
			default: /* gains or loses an IPv6 CA */
				if (m.id[at] != 7)
					m.ip6[at] = !m.ip6[at];
				break;
			}
		}
		assert_int_equal(reload(&b, &m, NULL, NULL), 0);
		assert_true(last_read <= (size_t)ops);
		if (round % 10 == 0)
			assert_base_is_whole_load(&b);
	}
	assert_base_is_whole_load(&b);
	/* The ids of mappings that went are used again: no growth beyond
	 * the most the array ever held. */
	assert_true(b.n_ids <= 3000 + 300 * 3);
	policy_base_clear(&b);
}

/* pidx_del against a plain model, through growth and long probe runs. */
static void
test_index_delete(void **state)
{
	enum { KEYS = 20000 };
	static int64_t model[KEYS];
	unsigned int seed = 99;
	struct pidx ix;
	(void)state;

	assert_int_equal(pidx_init(&ix, sizeof(uint32_t), 16), 0);
	for (int i = 0; i < KEYS; i++)
		model[i] = -1;
	for (int op = 0; op < 400000; op++) {
		uint32_t k = (uint32_t)rand_r(&seed) % KEYS;

		if (rand_r(&seed) % 3 == 0) {
			assert_int_equal(pidx_del(&ix, &k), model[k] >= 0 ? 0 : -ENOENT);
			model[k] = -1;
		} else {
			assert_int_equal(pidx_put(&ix, &k, (uint32_t)op), model[k]);
			if (model[k] < 0)
				model[k] = op;
		}
	}
	for (uint32_t k = 0; k < KEYS; k++)
		assert_int_equal(pidx_get(&ix, &k), model[k]);
	pidx_free(&ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_move_reads_one_element),
		cmocka_unit_test(test_add_remove_at_every_place),
		cmocka_unit_test(test_swap_within_the_change),
		cmocka_unit_test(test_scattered_changes_read_alone),
		cmocka_unit_test(test_left_to_a_whole_load),
		cmocka_unit_test(test_random_edits_keep_the_base_whole),
		cmocka_unit_test(test_index_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
