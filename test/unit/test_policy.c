/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_policy.c: lib/policy loading and validation, without EAL.
 *
 * Most tests start from BASE (figure 8, host 2), patch one value with jansson
 * and check both the return code and the whole message: file, JSON path and
 * problem. Inline JSON uses single quotes (J() turns them into double quotes)
 * so the fragments stay readable. ACL tests start from BASE plus ACLS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "hnv_pa.h"
#include "hnv_policy.h"

static const char BASE[] =
	"{'version': 1,"
	" 'host': {'name': 'host2', 'uplink': 'uplink',"
	"  'pa': ['192.168.2.20/24'], 'gateway': '192.168.2.1'},"
	" 'ports': [{'name': 'uplink', 'device': 'net_af_packet0'},"
	"  {'name': 'contoso-web', 'device': 'net_af_packet1'},"
	"  {'name': 'fabrikam-web', 'device': 'net_af_packet2'}],"
	" 'routing_domains': ["
	"  {'rdid': 1, 'name': 'contoso',"
	"   'subnets': [{'vsid': 5001, 'prefix': '10.1.1.0/24'}]},"
	"  {'rdid': 2, 'name': 'fabrikam',"
	"   'subnets': [{'vsid': 6001, 'prefix': '10.1.1.0/24'}]}],"
	" 'vm_nics': ["
	"  {'name': 'contoso-web', 'mac': '02:50:01:00:00:12', 'ip': '10.1.1.12',"
	"   'vsid': 5001, 'port': 'contoso-web'},"
	"  {'name': 'fabrikam-web', 'mac': '02:60:01:00:00:12', 'ip': '10.1.1.12',"
	"   'vsid': 6001, 'port': 'fabrikam-web'}],"
	" 'mappings': ["
	"  {'vsid': 5001, 'ca': '10.1.1.11', 'mac': '02:50:01:00:00:11',"
	"   'pa': '192.168.1.10'},"
	"  {'vsid': 6001, 'ca': '10.1.1.11', 'mac': '02:60:01:00:00:11',"
	"   'pa': '192.168.1.10'}]}";

/* A port ACL on contoso-web and a VSID ACL on Fabrikam's 6001. Rules 0 and 1
 * share priority 100 in different directions, which is allowed. */
static const char ACLS[] =
	"[{'name': 'web-lockdown', 'port': 'contoso-web', 'rules': ["
	"  {'name': 'allow-sql', 'priority': 100, 'direction': 'out', 'action': 'allow',"
	"   'protocol': 'tcp', 'dst': '10.1.1.11', 'dst_ports': 1433},"
	"  {'name': 'allow-http', 'priority': 100, 'direction': 'in', 'action': 'allow',"
	"   'protocol': 6, 'src': '10.1.0.0/16', 'src_ports': '1024-65535',"
	"   'dst_ports': '80', 'stateful': false},"
	"  {'name': 'deny-all', 'priority': 65535, 'direction': 'out', 'action': 'deny'}]},"
	" {'name': 'fabrikam', 'vsid': 6001, 'rules': ["
	"  {'name': 'ping', 'priority': 1, 'direction': 'in', 'action': 'allow',"
	"   'protocol': 'icmp', 'src': 'any', 'dst': '0.0.0.0/0'},"
	"  {'name': 'dns', 'priority': 2, 'direction': 'out', 'action': 'deny',"
	"   'protocol': 'udp', 'src_ports': 'any', 'dst_ports': '53-53'},"
	"  {'name': 'gre', 'priority': 3, 'direction': 'out', 'action': 'allow',"
	"   'protocol': 47}]}]";

/* JSON with single quotes -> jansson value. */
static json_t *
J(const char *text)
{
	char *s = strdup(text);
	json_error_t je;
	json_t *v;
	char *q;

	assert_non_null(s);
	for (q = s; *q != '\0'; q++)
		if (*q == '\'')
			*q = '"';
	v = json_loads(s, JSON_DECODE_ANY, &je);
	if (v == NULL)
		fail_msg("bad test JSON at %d:%d: %s", je.line, je.column, je.text);
	free(s);
	return v;
}

/* Resolve "a.0.b" to the parent of its last segment; *last is that segment. */
static json_t *
walk(json_t *root, const char *path, char *last, size_t size)
{
	char buf[128];
	char *seg, *next;

	snprintf(buf, sizeof(buf), "%s", path);
	seg = buf;
	while ((next = strchr(seg, '.')) != NULL) {
		*next = '\0';
		root = json_is_array(root) ? json_array_get(root, strtoul(seg, NULL, 10))
					   : json_object_get(root, seg);
		assert_non_null(root);
		seg = next + 1;
	}
	snprintf(last, size, "%s", seg);
	return root;
}

/* Set (or append, for index == size) the value at @path; steals @v. */
static void
set(json_t *root, const char *path, json_t *v)
{
	char last[128];
	json_t *parent = walk(root, path, last, sizeof(last));

	if (json_is_array(parent)) {
		size_t i = strtoul(last, NULL, 10);

		if (i == json_array_size(parent))
			assert_int_equal(json_array_append_new(parent, v), 0);
		else
			assert_int_equal(json_array_set_new(parent, i, v), 0);
	} else {
		assert_int_equal(json_object_set_new(parent, last, v), 0);
	}
}

static void
del(json_t *root, const char *path)
{
	char last[128];
	json_t *parent = walk(root, path, last, sizeof(last));

	if (json_is_array(parent))
		assert_int_equal(json_array_remove(parent, strtoul(last, NULL, 10)), 0);
	else
		assert_int_equal(json_object_del(parent, last), 0);
}

/* Parse @root (consumed) as "t.json"; a failure must leave the output alone. */
static int
run(json_t *root, char *err, size_t errlen)
{
	struct hnv_policy *const sentinel = (struct hnv_policy *)&sentinel;
	struct hnv_policy *p = sentinel;
	char *text = json_dumps(root, JSON_COMPACT);
	int rc;

	assert_non_null(text);
	json_decref(root);
	rc = hnv_policy_parse(text, "t.json", &p, err, errlen);
	free(text);
	if (rc == 0)
		hnv_policy_free(p);
	else
		assert_ptr_equal(p, sentinel);
	return rc;
}

static void
expect_error(json_t *root, int rc, const char *msg)
{
	char err[HNV_POLICY_ERR_MAX] = "";

	assert_int_equal(run(root, err, sizeof(err)), rc);
	assert_string_equal(err, msg);
}

static rte_be32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* BASE with ACLS as $.acls. */
static json_t *
with_acls(void)
{
	json_t *root = J(BASE);

	set(root, "acls", J(ACLS));
	return root;
}

/* Parse @root (consumed) and return the policy, failing on any error. */
static struct hnv_policy *
load_ok(json_t *root)
{
	char err[HNV_POLICY_ERR_MAX] = "";
	struct hnv_policy *p = NULL;
	char *text = json_dumps(root, JSON_COMPACT);

	assert_non_null(text);
	json_decref(root);
	if (hnv_policy_parse(text, "t.json", &p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(text);
	return p;
}

/* ---- a valid policy ----------------------------------------------------- */

static void
test_figure8_host2_yields_model(void **state)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	const struct hnv_subnet_cfg *s;
	json_t *root = J(BASE);
	char *text = json_dumps(root, 0);
	(void)state;

	json_decref(root);
	assert_int_equal(hnv_policy_parse(text, "host2.json", &p, err, sizeof(err)), 0);
	free(text);
	assert_string_equal(p->source, "host2.json");
	assert_string_equal(p->host.name, "host2");
	assert_int_equal(p->host.uplink, 0);
	assert_int_equal(p->host.n_pa, 1);
	assert_int_equal(p->host.pa[0], ip("192.168.2.20"));
	assert_int_equal(p->host.pa_prefix_len[0], 24);
	assert_int_equal(p->host.gateway, ip("192.168.2.1"));
	assert_false(p->host.has_mac);
	assert_false(p->host.has_gateway_mac);
	assert_int_equal(p->host.vlan, 0);
	assert_memory_equal(p->host.router_mac.addr_bytes, "\x02\x00\x5e\x00\x01\x01", 6);

	assert_int_equal(p->n_ports, 3);
	assert_string_equal(p->ports[2].name, "fabrikam-web");
	assert_string_equal(p->ports[2].device, "net_af_packet2");
	assert_int_equal(p->n_rds, 2);
	assert_int_equal(p->rds[1].rdid, 2);
	assert_string_equal(p->rds[1].name, "fabrikam");

	assert_int_equal(p->n_subnets, 2);
	s = hnv_policy_find_subnet(p, 6001);
	assert_ptr_equal(s, &p->subnets[1]);
	assert_int_equal(s->rdid, 2);
	assert_int_equal(s->prefix, ip("10.1.1.0"));
	assert_int_equal(s->prefix_len, 24);
	assert_int_equal(s->gateway, ip("10.1.1.1")); /* R6 default */
	assert_int_equal(s->encap, ENCAP_TYPE_VXLAN); /* R10 default */
	assert_null(hnv_policy_find_subnet(p, 7001));

	assert_int_equal(p->n_vnics, 2);
	assert_string_equal(p->vnics[1].name, "fabrikam-web");
	assert_memory_equal(p->vnics[1].mac.addr_bytes, "\x02\x60\x01\x00\x00\x12", 6);
	assert_int_equal(p->vnics[1].ip, ip("10.1.1.12"));
	assert_int_equal(p->vnics[1].vsid, 6001);
	assert_int_equal(p->vnics[1].port, 2);

	assert_int_equal(p->n_mappings, 2);
	assert_int_equal(p->mappings[0].vsid, 5001);
	assert_int_equal(p->mappings[0].ca, ip("10.1.1.11"));
	assert_int_equal(p->mappings[0].pa, ip("192.168.1.10"));
	assert_memory_equal(p->mappings[0].mac.addr_bytes, "\x02\x50\x01\x00\x00\x11", 6);

	assert_int_equal(hnv_policy_find_port(p, "contoso-web"), 1);
	assert_int_equal(hnv_policy_find_port(p, "nope"), -1);
	hnv_policy_free(p);
}

static void
test_optional_fields_override_defaults(void **state)
{
	json_t *root = J(BASE);
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	char *text;
	(void)state;

	set(root, "routing_domains.0.subnets.0.encap", J("'nvgre'"));
	set(root, "routing_domains.0.subnets.0.gateway", J("'10.1.1.254'"));
	set(root, "host.vlan", J("100"));
	set(root, "host.mac", J("'02:00:00:00:02:20'"));
	set(root, "host.gateway_mac", J("'02:00:00:00:02:01'"));
	set(root, "host.router_mac", J("'02:aa:bb:cc:dd:ee'"));
	set(root, "host.pa.1", J("'192.168.3.20/24'"));
	text = json_dumps(root, 0);
	json_decref(root);
	assert_int_equal(hnv_policy_parse(text, "t.json", &p, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(p->subnets[0].encap, ENCAP_TYPE_NVGRE);
	assert_int_equal(p->subnets[0].gateway, ip("10.1.1.254"));
	assert_int_equal(p->host.vlan, 100);
	assert_true(p->host.has_mac);
	assert_true(p->host.has_gateway_mac);
	assert_memory_equal(p->host.gateway_mac.addr_bytes, "\x02\x00\x00\x00\x02\x01", 6);
	assert_memory_equal(p->host.router_mac.addr_bytes, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_int_equal(p->host.n_pa, 2);
	assert_int_equal(p->host.pa[1], ip("192.168.3.20"));
	hnv_policy_free(p);
}

static void
test_same_ca_and_mac_in_two_vsids_accepted(void **state)
{
	json_t *root = J(BASE);
	char err[HNV_POLICY_ERR_MAX] = "";
	(void)state;

	/* R22: Fabrikam reuses Contoso's CA and even its MAC, in its own VSID. */
	set(root, "vm_nics.1.mac", J("'02:50:01:00:00:12'"));
	assert_int_equal(run(root, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void
test_config_figure8_files_load(void **state)
{
	const char *dir = getenv("TEST_DATA_DIR");
	const char *names[] = {"figure8-host1.json", "figure8-host2.json"};
	char path[512], err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p;
	unsigned int i;
	(void)state;

	if (dir == NULL)
		dir = "test/unit";
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/../../config/%s", dir, names[i]);
		p = NULL;
		if (hnv_policy_load(path, &p, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_int_equal(p->n_vnics, 2);
		assert_int_equal(p->n_mappings, 2);
		assert_int_equal(p->subnets[0].vsid, 5001);
		assert_int_equal(p->subnets[1].vsid, 6001);
		assert_int_equal(p->vnics[0].ip, ip(i == 0 ? "10.1.1.11" : "10.1.1.12"));
		assert_int_equal(p->mappings[1].pa, ip(i == 0 ? "192.168.2.20" : "192.168.1.10"));
		hnv_policy_free(p);
	}
}

/* ---- one test per validation error -------------------------------------- */

static void
test_vsid_4095_out_of_range(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.vsid", J("4095"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].vsid: VSID 4095 out of range "
		"4096..16777214");
}

static void
test_vsid_16777215_out_of_range(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.1.subnets.0.vsid", J("16777215"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].subnets[0].vsid: "
		"VSID 16777215 out of range 4096..16777214");
}

static void
test_duplicate_vsid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.1.subnets.0.vsid", J("5001"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].subnets[0].vsid: duplicate VSID 5001 "
		"(also at $.routing_domains[0].subnets[0].vsid)");
}

static void
test_duplicate_mac_in_vsid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.0.mac", J("'02:50:01:00:00:12'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[0].mac: duplicate MAC 02:50:01:00:00:12 in VSID 5001 "
		"(also at $.vm_nics[0].mac)");
}

static void
test_duplicate_ca_in_vsid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.2",
		J("{'vsid': 6001, 'ca': '10.1.1.11', 'mac': '02:60:01:00:00:99',"
		  " 'pa': '192.168.1.11'}"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[2].ca: duplicate CA 10.1.1.11 in VSID 6001 "
		"(also at $.mappings[1].ca)");
}

static void
test_vnic_ip_outside_subnet(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.1.ip", J("'10.1.2.5'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[1].ip: 10.1.2.5 is outside subnet 10.1.1.0/24 of VSID 6001");
}

static void
test_mapping_ca_outside_subnet(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.1.ca", J("'10.2.1.11'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[1].ca: 10.2.1.11 is outside subnet 10.1.1.0/24 of VSID 6001");
}

static void
test_ca_is_gateway_or_broadcast(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.0.ca", J("'10.1.1.1'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[0].ca: 10.1.1.1 is the gateway address of VSID 5001");
	root = J(BASE);
	set(root, "vm_nics.0.ip", J("'10.1.1.255'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[0].ip: 10.1.1.255 is the broadcast address of subnet "
		"10.1.1.0/24 of VSID 5001");
}

static void
test_unknown_vsid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.0.vsid", J("7001"));
	expect_error(root, -EINVAL, "t.json: $.vm_nics[0].vsid: unknown VSID 7001");
}

static void
test_unknown_port(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.1.port", J("'fabrikam-db'"));
	expect_error(root, -EINVAL, "t.json: $.vm_nics[1].port: unknown port 'fabrikam-db'");
}

static void
test_vnic_on_uplink(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.0.port", J("'uplink'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[0].port: port 'uplink' is an uplink ($.host.uplink)");
}

/* A NIC team: two uplinks, a PA each, a MAC and a VLAN each. */
static json_t *
team_base(void)
{
	json_t *root = J(BASE);

	json_array_append_new(json_object_get(root, "ports"),
		J("{'name': 'uplink2', 'device': 'net_af_packet3'}"));
	set(root, "host.uplink", J("['uplink', 'uplink2']"));
	set(root, "host.pa", J("['192.168.2.20/24', '192.168.2.21/24']"));
	return root;
}

static void
test_nic_team(void **state)
{
	json_t *root = team_base();
	struct hnv_policy *p;

	(void)state;
	set(root, "host.mac", J("['02:00:00:02:00:20', '02:00:00:02:00:21']"));
	set(root, "host.vlan", J("[20, 21]"));
	p = load_ok(root);
	assert_int_equal(p->host.n_uplinks, 2);
	assert_int_equal(p->host.uplinks[0], 0);
	assert_int_equal(p->host.uplinks[1], 3);
	assert_int_equal(p->host.uplink, 0);
	assert_int_equal(p->host.vlans[1], 21);
	assert_int_equal(p->host.vlan, 20);
	assert_int_equal(p->host.macs[1].addr_bytes[5], 0x21);
	assert_int_equal(hnv_policy_uplink_member(p, 3), 1);
	assert_int_equal(hnv_policy_uplink_member(p, 1), -1);
	hnv_policy_free(p);

	/* One VLAN for the whole team; a lone uplink in a list. */
	root = team_base();
	set(root, "host.vlan", J("7"));
	p = load_ok(root);
	assert_int_equal(p->host.vlans[0], 7);
	assert_int_equal(p->host.vlans[1], 7);
	hnv_policy_free(p);
	root = J(BASE);
	set(root, "host.uplink", J("['uplink']"));
	p = load_ok(root);
	assert_int_equal(p->host.n_uplinks, 1);
	hnv_policy_free(p);
}

/* IPv6 PAs: ours beside the IPv4 ones, an IPv6 gateway, remote hosts by
 * either family; each IPv6 PA a stable handle. */
static void
test_ipv6_pas(void **state)
{
	static const uint8_t ours[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x20};
	static const uint8_t remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 9, [15] = 0x10};
	json_t *root = J(BASE);
	struct hnv_policy *p;
	rte_be32_t h;

	(void)state;
	set(root, "host.pa", J("['192.168.2.20/24', '2001:db8:2::20/64']"));
	set(root, "host.gateway6", J("'2001:db8:2::1'"));
	set(root, "mappings.1.pa", J("'2001:db8:9::10'"));
	p = load_ok(root);
	assert_int_equal(p->host.n_pa, 2);
	assert_true(hnv_pa_is_v6(p->host.pa[1]));
	assert_memory_equal(hnv_pa6_addr(p->host.pa[1]), ours, 16);
	assert_int_equal(p->host.pa_prefix_len[1], 64);
	assert_true(hnv_pa_is_v6(p->host.gateway6));
	assert_false(hnv_pa_is_v6(p->mappings[0].pa));
	assert_true(hnv_pa_is_v6(p->mappings[1].pa));
	assert_true(hnv_pa6_find(remote, &h));
	assert_int_equal(p->mappings[1].pa, h);
	hnv_policy_free(p);

	/* An IPv6-only host. */
	root = J(BASE);
	set(root, "host.pa", J("['2001:db8:2::20/64']"));
	json_object_del(json_object_get(root, "host"), "gateway");
	set(root, "mappings.0.pa", J("'2001:db8:2::10'"));
	set(root, "mappings.1.pa", J("'2001:db8:2::11'"));
	p = load_ok(root);
	assert_int_equal(p->host.n_pa, 1);
	hnv_policy_free(p);
}

static void
test_ipv6_pa_errors(void **state)
{
	static const struct {
		const char *path, *value, *error;
	} cases[] = {
		{"host.pa", "['192.168.2.20/24', 'fe80::1/64']",
			"$.host.pa[1]: fe80::1 is not a unicast IPv6 address a PA can have (not "
			"::, "
			"::1, multicast, link-local or IPv4-mapped)"},
		{"host.pa", "['192.168.2.20/24', 'ff02::1/64']",
			"$.host.pa[1]: ff02::1 is not a unicast IPv6 address a PA can have (not "
			"::, "
			"::1, multicast, link-local or IPv4-mapped)"},
		{"host.pa", "['192.168.2.20/24', '2001:db8:2::/64']",
			"$.host.pa[1]: 2001:db8:2:: is the subnet-router anycast address of its "
			"prefix"},
		{"host.pa", "['192.168.2.20/24', '2001:db8:2::20/64', '2001:db8:2::20/64']",
			"$.host.pa[2]: duplicate PA 2001:db8:2::20 (also at $.host.pa[1])"},
		{"host.pa", "['192.168.2.20/24', '2001:db8:2::20/129']",
			"$.host.pa[1]: prefix length 129 out of range 1..128"},
		{"host.gateway6", "'2001:db8:3::1'",
			"$.host.gateway6: 2001:db8:3::1 is not inside any IPv6 PA prefix of "
			"$.host.pa"},
		{"host.gateway6", "'192.168.2.1'",
			"$.host.gateway6: '192.168.2.1' is an IPv4 address (host.gateway is for "
			"those)"},
		{"mappings.0.pa", "'2001:db8:9::10'",
			"$.mappings[0].pa: 2001:db8:9::10 is an IPv6 PA, and $.host.pa has none to "
			"send "
			"from"},
		{"mappings.0.pa", "'::ffff:192.168.1.10'",
			"$.mappings[0].pa: ::ffff:192.168.1.10 is not a unicast IPv6 address a PA "
			"can "
			"have (not ::, ::1, multicast, link-local or IPv4-mapped)"},
		{"mappings.0.pa", "'2001:db8::zz'",
			"$.mappings[0].pa: malformed PA '2001:db8::zz' (expected IPv4 or IPv6)"},
	};
	char want[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *root = J(BASE);

		if (strncmp(cases[i].path, "host.gateway6", 13) == 0)
			set(root, "host.pa", J("['192.168.2.20/24', '2001:db8:2::20/64']"));
		set(root, cases[i].path, J(cases[i].value));
		snprintf(want, sizeof(want), "t.json: %s", cases[i].error);
		expect_error(root, -EINVAL, want);
	}
	/* A team of two needs two PAs of each family it has. */
	{
		json_t *root = team_base();

		set(root, "host.pa",
			J("['192.168.2.20/24', '192.168.2.21/24', '2001:db8:2::20/64']"));
		expect_error(root, -EINVAL,
			"t.json: $.host.pa: 1 IPv6 PAs for a team of 2 uplinks: each uplink "
			"sources "
			"tunnels from its own PA (the i-th of a family for uplink[i])");
	}
}

static void
test_nic_team_errors(void **state)
{
	json_t *root;

	(void)state;
	root = team_base();
	set(root, "host.pa", J("['192.168.2.20/24']"));
	expect_error(root, -EINVAL,
		"t.json: $.host.pa: 1 IPv4 PAs for a team of 2 uplinks: each uplink sources "
		"tunnels from its own PA (the i-th of a family for uplink[i])");
	root = team_base();
	set(root, "host.uplink", J("['uplink', 'uplink']"));
	expect_error(root, -EINVAL, "t.json: $.host.uplink[1]: port 'uplink' is in the team twice");
	root = team_base();
	set(root, "host.uplink", J("['uplink', 'nic9']"));
	expect_error(root, -EINVAL, "t.json: $.host.uplink[1]: unknown port 'nic9'");
	root = team_base();
	set(root, "host.uplink", J("[]"));
	expect_error(root, -EINVAL, "t.json: $.host.uplink: a team has 1 to 4 ports, not 0");
	root = team_base();
	set(root, "host.mac", J("'02:00:00:02:00:20'"));
	expect_error(root, -EINVAL,
		"t.json: $.host.mac: one MAC for 2 uplinks: give one per uplink (two NICs with "
		"one MAC confuse the PA network's switches)");
	root = team_base();
	set(root, "host.vlan", J("[20]"));
	expect_error(root, -EINVAL,
		"t.json: $.host.vlan: 1 values for 2 uplinks: give one per uplink, in order");
	root = team_base();
	set(root, "host.vlan", J("[20, 5000]"));
	expect_error(root, -EINVAL, "t.json: $.host.vlan[1]: VLAN 5000 out of range 0..4094");
	root = team_base();
	set(root, "vm_nics.0.port", J("'uplink2'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[0].port: port 'uplink2' is an uplink ($.host.uplink)");
}

static void
test_port_bound_twice(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.1.port", J("'contoso-web'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[1].port: port 'contoso-web' is already bound to VM NIC "
		"'contoso-web' (at $.vm_nics[0].port)");
}

static void
test_uplink_not_in_ports(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "host.uplink", J("'eth9'"));
	expect_error(root, -EINVAL, "t.json: $.host.uplink: unknown port 'eth9'");
}

static void
test_malformed_ip(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.0.pa", J("'10.1.1'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[0].pa: malformed PA '10.1.1' (expected IPv4 or IPv6)");
	root = J(BASE);
	set(root, "vm_nics.0.ip", J("'10.1.1.12 '"));
	expect_error(root, -EINVAL, "t.json: $.vm_nics[0].ip: malformed IPv4 address '10.1.1.12 '");
}

static void
test_malformed_mac(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.0.mac", J("'02:50:01:00:00:1g'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[0].mac: malformed MAC address '02:50:01:00:00:1g' "
		"(expected xx:xx:xx:xx:xx:xx)");
}

static void
test_multicast_mac(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.1.mac", J("'01:00:5e:00:00:01'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[1].mac: 01:00:5e:00:00:01 is not a unicast MAC address");
}

static void
test_malformed_prefix(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.prefix", J("'10.1.1.0/24x'"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].prefix: malformed prefix '10.1.1.0/24x' "
		"(expected A.B.C.D/N)");
}

static void
test_prefix_with_host_bits(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.prefix", J("'10.1.1.5/24'"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].prefix: 10.1.1.5/24 has host bits set "
		"(network is 10.1.1.0/24)");
}

static void
test_prefix_length_31(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.prefix", J("'10.1.1.0/31'"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].prefix: prefix length 31 out of range "
		"1..30");
}

static void
test_overlapping_subnets_in_rdid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.1", J("{'vsid': 5002, 'prefix': '10.1.0.0/16'}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[1].prefix: 10.1.0.0/16 overlaps "
		"10.1.1.0/24 of VSID 5001 (at $.routing_domains[0].subnets[0].prefix)");
}

static void
test_duplicate_rdid(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.1.rdid", J("1"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].rdid: duplicate RDID 1 "
		"(also at $.routing_domains[0].rdid)");
}

static void
test_unknown_field_top_level(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "qos", J("[]"));
	expect_error(root, -EINVAL, "t.json: $: unknown field 'qos'");
}

static void
test_unknown_field_nested(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.1.subnets.0.mtu", J("1400"));
	expect_error(root, -EINVAL, "t.json: $.routing_domains[1].subnets[0]: unknown field 'mtu'");
}

static void
test_missing_field(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	del(root, "mappings.1.pa");
	expect_error(root, -EINVAL, "t.json: $.mappings[1]: missing required field 'pa'");
}

static void
test_wrong_type(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.0.vsid", J("'5001'"));
	expect_error(root, -EINVAL, "t.json: $.vm_nics[0].vsid: expected integer, got string");
	root = J(BASE);
	set(root, "ports", J("{}"));
	expect_error(root, -EINVAL, "t.json: $.ports: expected array, got object");
}

static void
test_bad_version(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "version", J("2"));
	expect_error(root, -EINVAL, "t.json: $.version: unsupported version 2 (expected 1)");
}

static void
test_json_syntax_error_has_line_and_column(void **state)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	(void)state;

	assert_int_equal(hnv_policy_parse("{\n  \"version\": 1,\n  \"host\" {}\n}", "t.json", &p,
				 err, sizeof(err)),
		-EINVAL);
	assert_null(p);
	assert_string_equal(err, "t.json:3:10: ':' expected near '{'");
}

static void
test_duplicate_port_name(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "ports.2.name", J("'contoso-web'"));
	expect_error(root, -EINVAL,
		"t.json: $.ports[2].name: duplicate port name 'contoso-web' (also at "
		"$.ports[1].name)");
}

static void
test_vlan_out_of_range(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "host.vlan", J("4095"));
	expect_error(root, -EINVAL, "t.json: $.host.vlan: VLAN 4095 out of range 0..4094");
}

static void
test_host_gateway_off_pa_prefix(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "host.gateway", J("'192.168.1.1'"));
	expect_error(root, -EINVAL,
		"t.json: $.host.gateway: 192.168.1.1 is not inside any IPv4 PA prefix of "
		"$.host.pa");
}

static void
test_gateway_mac_without_gateway(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	del(root, "host.gateway");
	set(root, "host.gateway_mac", J("'02:00:00:00:02:01'"));
	expect_error(root, -EINVAL, "t.json: $.host.gateway_mac: gateway_mac requires gateway");
}

static void
test_mapping_to_own_pa(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "mappings.0.pa", J("'192.168.2.20'"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[0].pa: 192.168.2.20 is our own PA ($.host.pa[0]); "
		"local VMs belong in vm_nics");
}

/* ---- ACLs and flow timeouts --------------------------------------------- */

static void
test_acls_yield_model(void **state)
{
	struct hnv_policy *p = load_ok(with_acls());
	const struct hnv_acl_rule_cfg *r;
	const struct hnv_acl_cfg *a;
	(void)state;

	assert_int_equal(p->n_acls, 2);
	a = &p->acls[0];
	assert_string_equal(a->name, "web-lockdown");
	assert_false(a->on_vsid);
	assert_int_equal(a->port, 1);
	assert_int_equal(a->n_rules, 3);

	r = &a->rules[0]; /* a bare address is a /32, a number one port */
	assert_string_equal(r->name, "allow-sql");
	assert_int_equal(r->priority, 100);
	assert_int_equal(r->direction, VFP_DIR_OUT);
	assert_int_equal(r->action, HNV_ACL_ALLOW);
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->src_prefix, 0);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(r->dst_prefix, ip("10.1.1.11"));
	assert_int_equal(r->dst_len, 32);
	assert_int_equal(r->src_port_lo, 0);
	assert_int_equal(r->src_port_hi, 65535);
	assert_int_equal(r->dst_port_lo, 1433);
	assert_int_equal(r->dst_port_hi, 1433);
	assert_true(r->stateful);

	r = &a->rules[1];
	assert_int_equal(r->priority, 100);
	assert_int_equal(r->direction, VFP_DIR_IN);
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->src_prefix, ip("10.1.0.0"));
	assert_int_equal(r->src_len, 16);
	assert_int_equal(r->src_port_lo, 1024);
	assert_int_equal(r->src_port_hi, 65535);
	assert_int_equal(r->dst_port_lo, 80);
	assert_int_equal(r->dst_port_hi, 80);
	assert_false(r->stateful);

	r = &a->rules[2]; /* every match field left out: any */
	assert_string_equal(r->name, "deny-all");
	assert_int_equal(r->priority, 65535);
	assert_int_equal(r->action, HNV_ACL_DENY);
	assert_int_equal(r->protocol, -1);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(r->dst_prefix, 0);
	assert_int_equal(r->dst_len, 0);
	assert_int_equal(r->dst_port_lo, 0);
	assert_int_equal(r->dst_port_hi, 65535);
	assert_true(r->stateful);

	a = &p->acls[1];
	assert_string_equal(a->name, "fabrikam");
	assert_true(a->on_vsid);
	assert_int_equal(a->vsid, 6001);
	assert_int_equal(a->n_rules, 3);
	r = &a->rules[0];
	assert_int_equal(r->protocol, 1);
	assert_int_equal(r->direction, VFP_DIR_IN);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(r->dst_prefix, 0);
	assert_int_equal(r->dst_len, 0);
	r = &a->rules[1];
	assert_int_equal(r->protocol, 17);
	assert_int_equal(r->action, HNV_ACL_DENY);
	assert_int_equal(r->src_port_lo, 0);
	assert_int_equal(r->src_port_hi, 65535);
	assert_int_equal(r->dst_port_lo, 53);
	assert_int_equal(r->dst_port_hi, 53);
	assert_int_equal(a->rules[2].protocol, 47);
	hnv_policy_free(p);
}

static void
test_acl_with_no_rules_accepted(void **state)
{
	json_t *root = J(BASE);
	struct hnv_policy *p;
	(void)state;

	set(root, "acls", J("[{'name': 'empty', 'vsid': 5001, 'rules': []}]"));
	p = load_ok(root);
	assert_int_equal(p->n_acls, 1);
	assert_int_equal(p->acls[0].n_rules, 0);
	assert_null(p->acls[0].rules);
	hnv_policy_free(p);
}

static void
test_acl_both_port_and_vsid(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.vsid", J("5001"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0]: both 'port' and 'vsid' given (exactly one is required)");
}

static void
test_acl_neither_port_nor_vsid(void **state)
{
	json_t *root = with_acls();
	(void)state;

	del(root, "acls.1.vsid");
	expect_error(root, -EINVAL,
		"t.json: $.acls[1]: missing 'port' or 'vsid' (exactly one is required)");
}

static void
test_acl_unknown_port(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.port", J("'contoso-db'"));
	expect_error(root, -EINVAL, "t.json: $.acls[0].port: unknown port 'contoso-db'");
}

static void
test_acl_on_uplink(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.port", J("'uplink'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].port: port 'uplink' is an uplink ($.host.uplink)");
}

static void
test_acl_port_without_vnic(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "ports.3", J("{'name': 'spare', 'device': 'net_af_packet3'}"));
	set(root, "acls.0.port", J("'spare'"));
	expect_error(
		root, -EINVAL, "t.json: $.acls[0].port: port 'spare' is not bound to a VM NIC");
}

static void
test_acl_unknown_vsid(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.1.vsid", J("7001"));
	expect_error(root, -EINVAL, "t.json: $.acls[1].vsid: unknown VSID 7001");
}

static void
test_acl_second_on_port(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.2", J("{'name': 'more', 'port': 'contoso-web', 'rules': []}"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[2].port: port 'contoso-web' already has ACL 'web-lockdown' "
		"($.acls[0])");
}

static void
test_acl_second_on_vsid(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.2", J("{'name': 'more', 'vsid': 6001, 'rules': []}"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[2].vsid: VSID 6001 already has ACL 'fabrikam' ($.acls[1])");
}

static void
test_acl_duplicate_name(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.1.name", J("'web-lockdown'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].name: duplicate ACL name 'web-lockdown' (also at "
		"$.acls[0].name)");
}

static void
test_acl_duplicate_rule_name(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.2.name", J("'allow-sql'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[2].name: duplicate rule name 'allow-sql' "
		"(also at $.acls[0].rules[0].name)");
}

static void
test_acl_duplicate_priority_in_direction(void **state)
{
	json_t *root = with_acls();
	(void)state;

	/* rules 0 and 1 already share 100 across directions; 2 joins 0 in "out" */
	set(root, "acls.0.rules.2.priority", J("100"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[2].priority: duplicate priority 100 in direction 'out' "
		"(also at $.acls[0].rules[0].priority)");
}

static void
test_acl_priority_out_of_range(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.1.rules.0.priority", J("0"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].rules[0].priority: priority 0 out of range 1..65535");
	root = with_acls();
	set(root, "acls.1.rules.0.priority", J("65536"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].rules[0].priority: priority 65536 out of range 1..65535");
}

static void
test_acl_bad_direction(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.1.direction", J("'inbound'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[1].direction: unknown direction 'inbound' "
		"(expected \"in\" or \"out\")");
}

static void
test_acl_bad_action(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.2.action", J("'drop'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[2].action: unknown action 'drop' "
		"(expected \"allow\" or \"deny\")");
}

static void
test_acl_bad_protocol(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.1.rules.0.protocol", J("'icmp6'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].rules[0].protocol: unknown protocol 'icmp6' "
		"(expected \"any\", \"tcp\", \"udp\", \"icmp\", \"icmpv6\" or 0..255)");
	root = with_acls();
	set(root, "acls.1.rules.2.protocol", J("256"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].rules[2].protocol: protocol 256 out of range 0..255");
}

static void
test_acl_ports_need_tcp_or_udp(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.2.dst_ports", J("'any'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[2].dst_ports: ports need protocol tcp or udp");
	root = with_acls();
	set(root, "acls.1.rules.0.src_ports", J("7"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[1].rules[0].src_ports: ports need protocol tcp or udp");
}

static void
test_acl_reversed_port_range(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.1.src_ports", J("'65535-1024'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[1].src_ports: reversed port range '65535-1024' "
		"(expected low-high)");
}

static void
test_acl_malformed_port_range(void **state)
{
	static const char *const bad[] = {"80-", "a", "-80", "080", "80-90-100", " 80"};
	char want[HNV_POLICY_ERR_MAX], val[32];
	json_t *root;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		root = with_acls();
		snprintf(val, sizeof(val), "'%s'", bad[i]);
		set(root, "acls.0.rules.0.dst_ports", J(val));
		snprintf(want, sizeof(want),
			"t.json: $.acls[0].rules[0].dst_ports: malformed port range '%s' "
			"(expected \"any\", N or N-M)",
			bad[i]);
		expect_error(root, -EINVAL, want);
	}
	root = with_acls();
	set(root, "acls.0.rules.0.dst_ports", J("'70000'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[0].dst_ports: port 70000 out of range 0..65535");
	root = with_acls();
	set(root, "acls.0.rules.0.dst_ports", J("70000"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[0].dst_ports: port 70000 out of range 0..65535");
}

static void
test_acl_prefix_with_host_bits(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.1.src", J("'10.1.1.5/16'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[1].src: 10.1.1.5/16 has host bits set "
		"(network is 10.1.0.0/16)");
}

static void
test_acl_malformed_address(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.0.dst", J("'10.1.1'"));
	expect_error(
		root, -EINVAL, "t.json: $.acls[0].rules[0].dst: malformed IPv4 address '10.1.1'");
	root = with_acls();
	set(root, "acls.0.rules.0.dst", J("'10.1.1.0/33'"));
	expect_error(root, -EINVAL,
		"t.json: $.acls[0].rules[0].dst: prefix length 33 out of range 0..32");
}

static void
test_acl_unknown_rule_field(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.1.rules.1.dport", J("53"));
	expect_error(root, -EINVAL, "t.json: $.acls[1].rules[1]: unknown field 'dport'");
}

static void
test_acl_missing_rule_field(void **state)
{
	json_t *root = with_acls();
	(void)state;

	del(root, "acls.0.rules.0.direction");
	expect_error(
		root, -EINVAL, "t.json: $.acls[0].rules[0]: missing required field 'direction'");
}

static void
test_acl_stateful_not_boolean(void **state)
{
	json_t *root = with_acls();
	(void)state;

	set(root, "acls.0.rules.1.stateful", J("'no'"));
	expect_error(
		root, -EINVAL, "t.json: $.acls[0].rules[1].stateful: expected boolean, got string");
}

static void
test_flow_timeouts_default(void **state)
{
	struct hnv_policy *p = load_ok(J(BASE));
	(void)state;

	assert_int_equal(p->n_acls, 0);
	assert_null(p->acls);
	assert_int_equal(p->timeouts.tcp_syn, 30);
	assert_int_equal(p->timeouts.tcp_established, 3600);
	assert_int_equal(p->timeouts.tcp_closing, 10);
	assert_int_equal(p->timeouts.udp, 60);
	assert_int_equal(p->timeouts.icmp, 30);
	assert_int_equal(p->timeouts.other, 60);
	hnv_policy_free(p);
}

static void
test_flow_timeouts_override(void **state)
{
	json_t *root = J(BASE);
	struct hnv_policy *p;
	(void)state;

	set(root, "flow_timeouts", J("{'tcp_established': 86400, 'udp': 1, 'other': 120}"));
	p = load_ok(root);
	assert_int_equal(p->timeouts.tcp_syn, 30);
	assert_int_equal(p->timeouts.tcp_established, 86400);
	assert_int_equal(p->timeouts.tcp_closing, 10);
	assert_int_equal(p->timeouts.udp, 1);
	assert_int_equal(p->timeouts.icmp, 30);
	assert_int_equal(p->timeouts.other, 120);
	hnv_policy_free(p);
}

static void
test_flow_timeouts_out_of_range(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "flow_timeouts", J("{'tcp_syn': 0}"));
	expect_error(
		root, -EINVAL, "t.json: $.flow_timeouts.tcp_syn: timeout 0 out of range 1..86400");
	root = J(BASE);
	set(root, "flow_timeouts", J("{'icmp': 86401}"));
	expect_error(
		root, -EINVAL, "t.json: $.flow_timeouts.icmp: timeout 86401 out of range 1..86400");
}

static void
test_flow_timeouts_unknown_field(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "flow_timeouts", J("{'tcp': 60}"));
	expect_error(root, -EINVAL, "t.json: $.flow_timeouts: unknown field 'tcp'");
}

static void
test_nonexistent_file(void **state)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	(void)state;

	assert_int_equal(
		hnv_policy_load("/nonexistent/policy.json", &p, err, sizeof(err)), -ENOENT);
	assert_null(p);
	assert_string_equal(
		err, "/nonexistent/policy.json: cannot open: No such file or directory");
}

static void
test_load_names_file_in_messages(void **state)
{
	char path[] = "/tmp/test_policy_XXXXXX";
	char err[HNV_POLICY_ERR_MAX], want[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	int fd = mkstemp(path);
	FILE *f;
	(void)state;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("{\"version\": 1}\n", f);
	fclose(f);
	assert_int_equal(hnv_policy_load(path, &p, err, sizeof(err)), -EINVAL);
	unlink(path);
	assert_null(p);
	snprintf(want, sizeof(want), "%s: $: missing required field 'host'", path);
	assert_string_equal(err, want);
}

/* ---- a path that is not a regular file (defect 6e) --------------------- */

/* Seconds since an arbitrary start, for "promptly". */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* hnv_policy_load(@path) must refuse at once with "@path: not a regular
 * file". The alarm turns a loader that blocks (as fopen() does on a FIFO
 * with no writer) into a failed test instead of a hung one. */
static void
expect_not_regular(const char *path)
{
	char err[HNV_POLICY_ERR_MAX], want[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	double t0 = now_s();

	alarm(10);
	assert_int_equal(hnv_policy_load(path, &p, err, sizeof(err)), -EINVAL);
	alarm(0);
	assert_true(now_s() - t0 < 1.0);
	assert_null(p);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);
}

static void
test_load_fifo_refused(void **state)
{
	char dir[] = "/tmp/test_policy_XXXXXX";
	char path[sizeof(dir) + 16];
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_not_regular(path);
	unlink(path);
	rmdir(dir);
}

static void
test_load_directory_and_device_refused(void **state)
{
	char dir[] = "/tmp/test_policy_XXXXXX";
	(void)state;

	assert_non_null(mkdtemp(dir));
	expect_not_regular(dir);
	rmdir(dir);
	expect_not_regular("/dev/null");
}

/* ---- policy strings in messages (defect 6f) ----------------------------- */

/* ESC [2K erases the terminal line; the newline starts a forged log line. */
#define EVIL "'\\u001b[2K\\npolicy reloaded'"
#define EVIL_ESCAPED "\\x1b[2K\\x0apolicy reloaded"

/* Every byte of @s is printable ASCII: no control byte, no newline. (The
 * failure names the byte, not the message: printing it would replay it.) */
static void
assert_printable(const char *s)
{
	for (const unsigned char *q = (const unsigned char *)s; *q != '\0'; q++)
		if (*q < 0x20 || *q >= 0x7f)
			fail_msg("raw byte 0x%02x at offset %td of the message", *q,
				(const char *)q - s);
}

static void
expect_escaped(json_t *root, const char *msg)
{
	char err[HNV_POLICY_ERR_MAX] = "";

	assert_int_equal(run(root, err, sizeof(err)), -EINVAL);
	assert_printable(err);
	assert_string_equal(err, msg);
}

static void
test_policy_strings_escaped_in_messages(void **state)
{
	json_t *root;
	(void)state;

	/* A value quoted by policy.c. */
	root = J(BASE);
	set(root, "host.uplink", J(EVIL));
	expect_escaped(root, "t.json: $.host.uplink: unknown port '" EVIL_ESCAPED "'");

	/* A port name, quoted again in the duplicate's message. */
	root = J(BASE);
	set(root, "ports.1.name", J(EVIL));
	set(root, "ports.2.name", J(EVIL));
	expect_escaped(root, "t.json: $.ports[2].name: duplicate port name '" EVIL_ESCAPED
			     "' (also at $.ports[1].name)");

	/* An unknown key. */
	root = J(BASE);
	assert_int_equal(json_object_set_new(json_object_get(root, "host"),
				 "\x1b[2K\npolicy reloaded", json_integer(1)),
		0);
	expect_escaped(root, "t.json: $.host: unknown field '" EVIL_ESCAPED "'");

	/* A name quoted by policy_acl.c. */
	root = with_acls();
	set(root, "acls.0.name", J(EVIL));
	set(root, "acls.1.name", J(EVIL));
	expect_escaped(root, "t.json: $.acls[1].name: duplicate ACL name '" EVIL_ESCAPED
			     "' (also at $.acls[0].name)");

	/* A backslash is doubled, so it cannot fake an escape; UTF-8 (which
	 * can carry bidi overrides) is escaped byte by byte. */
	root = J(BASE);
	set(root, "vm_nics.1.port", J("'a\\\\x1b\\u00e9'"));
	expect_escaped(root, "t.json: $.vm_nics[1].port: unknown port 'a\\\\x1b\\xc3\\xa9'");

	/* A string too long to store is quoted whole (then truncated). */
	root = J(BASE);
	set(root, "host.name", J("'\\u001b[2K\\npolicy reloaded from a file with a long name'"));
	expect_escaped(root, "t.json: $.host.name: '" EVIL_ESCAPED
			     " from a file with a long name' is longer than 31 characters");
}

/* jansson quotes the bytes near a syntax error raw. */
static void
test_json_syntax_error_escaped(void **state)
{
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *p = NULL;
	(void)state;

	assert_int_equal(
		hnv_policy_parse("[1,\n\x1b[2K]", "t.json", &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	assert_printable(err);
	assert_string_equal(err, "t.json:2:1: invalid token near '\\x1b'");
}

/* ---- vhost-user ports --------------------------------------------------- */

static void
test_vhost_user_port_yields_model(void **state)
{
	json_t *root = J(BASE);
	struct hnv_policy *p;
	(void)state;

	set(root, "ports.1", J("{'name': 'contoso-web', 'vhost_user': {'socket': '/run/c.sock'}}"));
	set(root, "ports.2",
		J("{'name': 'fabrikam-web', 'vhost_user': {'socket': '/run/f.sock',"
		  " 'mode': 'client', 'queues': 4}}"));
	p = load_ok(root);
	assert_true(p->ports[1].is_vhost);
	assert_string_equal(p->ports[1].device, "");
	assert_string_equal(p->ports[1].vhost.socket, "/run/c.sock");
	assert_false(p->ports[1].vhost.client);        /* the default: we serve the socket */
	assert_int_equal(p->ports[1].vhost.queues, 0); /* one per worker */
	assert_true(p->ports[2].vhost.client);
	assert_int_equal(p->ports[2].vhost.queues, 4);
	assert_false(p->ports[0].is_vhost);
	hnv_policy_free(p);
}

static void
test_vhost_user_port_errors(void **state)
{
	static const struct {
		const char *port, *msg;
	} cases[] = {
		{"{'name': 'contoso-web'}",
			"t.json: $.ports[1]: a port has either a \"device\" or a \"vhost_user\" "
			"object"},
		{"{'name': 'contoso-web', 'device': 'x', 'vhost_user': {'socket': '/a'}}",
			"t.json: $.ports[1]: a port has either a \"device\" or a \"vhost_user\" "
			"object"},
		{"{'name': 'contoso-web', 'vhost_user': {'socket': 'rel.sock'}}",
			"t.json: $.ports[1].vhost_user.socket: 'rel.sock' is not an absolute path"},
		{"{'name': 'contoso-web', 'vhost_user': {'socket': '/a', 'mode': 'peer'}}",
			"t.json: $.ports[1].vhost_user.mode: 'peer' is neither \"server\" nor "
			"\"client\""},
		{"{'name': 'contoso-web', 'vhost_user': {'socket': '/a', 'queues': 0}}",
			"t.json: $.ports[1].vhost_user.queues: queue pairs 0 out of range 1..16"},
		{"{'name': 'contoso-web', 'vhost_user': {'socket': '/a', 'path': '/b'}}",
			"t.json: $.ports[1].vhost_user: unknown field 'path'"},
	};

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		json_t *root = J(BASE);

		set(root, "ports.1", J(cases[i].port));
		expect_error(root, -EINVAL, cases[i].msg);
	}
}

static void
test_port_mtu(void **state)
{
	static const struct {
		const char *port, *msg;
	} cases[] = {
		{"{'name': 'uplink', 'device': 'net_pcap0', 'mtu': 575}",
			"t.json: $.ports[0].mtu: MTU 575 out of range 576..9216"},
		{"{'name': 'uplink', 'device': 'net_pcap0', 'mtu': 9217}",
			"t.json: $.ports[0].mtu: MTU 9217 out of range 576..9216"},
		{"{'name': 'uplink', 'device': 'net_pcap0', 'mtu': '9000'}",
			"t.json: $.ports[0].mtu: expected integer, got string"},
	};
	json_t *root = J(BASE);
	struct hnv_policy *p;

	(void)state;
	p = load_ok(root);
	assert_int_equal(p->ports[0].mtu, 0);
	assert_int_equal(hnv_uplink_mtu(&p->ports[p->host.uplink]), 1500);
	hnv_policy_free(p);
	root = J(BASE);
	set(root, "ports.0", J("{'name': 'uplink', 'device': 'net_pcap0', 'mtu': 9000}"));
	p = load_ok(root);
	assert_int_equal(hnv_uplink_mtu(&p->ports[p->host.uplink]), 9000);
	hnv_policy_free(p);
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		root = J(BASE);
		set(root, "ports.0", J(cases[i].port));
		expect_error(root, -EINVAL, cases[i].msg);
	}
	root = J(BASE);
	set(root, "ports.1",
		J("{'name': 'contoso-web', 'vhost_user': {'socket': '/a'}, 'mtu': 1500}"));
	expect_error(root, -EINVAL,
		"t.json: $.ports[1].mtu: a vhost-user port has no MTU of ours (its guest sets it)");
}

static void
test_vxlan_port(void **state)
{
	json_t *root = J(BASE);
	struct hnv_policy *p;

	(void)state;
	p = load_ok(root);
	assert_int_equal(p->host.vxlan_port, 4789);
	hnv_policy_free(p);
	root = J(BASE);
	set(root, "host.vxlan_port", json_integer(8472));
	p = load_ok(root);
	assert_int_equal(p->host.vxlan_port, 8472);
	hnv_policy_free(p);
	root = J(BASE);
	set(root, "host.vxlan_port", json_integer(0));
	expect_error(root, -EINVAL, "t.json: $.host.vxlan_port: UDP port 0 out of range 1..65535");
	root = J(BASE);
	set(root, "host.vxlan_port", json_integer(65536));
	expect_error(
		root, -EINVAL, "t.json: $.host.vxlan_port: UDP port 65536 out of range 1..65535");
}

static void
test_vhost_user_socket_is_one_port_and_not_the_uplink(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "ports.1", J("{'name': 'contoso-web', 'vhost_user': {'socket': '/s'}}"));
	set(root, "ports.2", J("{'name': 'fabrikam-web', 'vhost_user': {'socket': '/s'}}"));
	expect_error(root, -EINVAL,
		"t.json: $.ports[2].vhost_user: duplicate socket '/s' (also at "
		"$.ports[1].vhost_user.socket)");
	root = J(BASE);
	set(root, "ports.0", J("{'name': 'uplink', 'vhost_user': {'socket': '/u'}}"));
	expect_error(root, -EINVAL,
		"t.json: $.host.uplink: port 'uplink' is a vhost-user port: the uplink is a NIC");
}

/* ---- routes and ip_forwarding ------------------------------------------ */

/* BASE with a firewall subnet 10.1.9.0/24 in Contoso holding the mapping
 * of an appliance 10.1.9.4 (ip_forwarding), and @routes as its routes. */
static json_t *
with_routes(const char *routes)
{
	json_t *root = J(BASE);

	set(root, "routing_domains.0.subnets.1", J("{'vsid': 5009, 'prefix': '10.1.9.0/24'}"));
	set(root, "mappings.2",
		J("{'vsid': 5009, 'ca': '10.1.9.4', 'mac': '02:50:09:00:00:04',"
		  " 'pa': '192.168.1.10', 'ip_forwarding': true}"));
	set(root, "routing_domains.0.routes", J(routes));
	return root;
}

static void
test_routes_yield_model(void **state)
{
	json_t *root = with_routes("[{'prefix': '0.0.0.0/0', 'next_hop': '10.1.9.4'},"
				   " {'prefix': '10.66.0.0/16', 'next_hop': 'drop'}]");
	char err[HNV_POLICY_ERR_MAX], *text;
	struct hnv_policy *p = NULL;
	(void)state;

	set(root, "routing_domains.1.routes", J("[{'prefix': '10.1.1.0/25', 'next_hop': 'drop'}]"));
	set(root, "vm_nics.0.ip_forwarding", json_true());
	text = json_dumps(root, 0);
	json_decref(root);
	assert_int_equal(hnv_policy_parse(text, "t.json", &p, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(p->n_routes, 3);
	assert_int_equal(p->routes[0].rdid, 1);
	assert_int_equal(p->routes[0].prefix, 0);
	assert_int_equal(p->routes[0].prefix_len, 0);
	assert_false(p->routes[0].drop);
	assert_int_equal(p->routes[0].next_hop, ip("10.1.9.4"));
	assert_int_equal(p->routes[0].nh_vsid, 5009);
	assert_true(p->routes[1].drop);
	assert_int_equal(p->routes[1].prefix, ip("10.66.0.0"));
	assert_int_equal(p->routes[1].prefix_len, 16);
	assert_int_equal(p->routes[2].rdid, 2);
	assert_true(p->routes[2].drop);
	assert_true(p->vnics[0].ip_forwarding);
	assert_false(p->vnics[1].ip_forwarding);
	assert_true(p->mappings[2].ip_forwarding);
	assert_false(p->mappings[0].ip_forwarding);
	hnv_policy_free(p);
}

static void
test_route_errors(void **state)
{
	(void)state;
	expect_error(with_routes("[{'prefix': '10.8.0.1/16', 'next_hop': 'drop'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].prefix: 10.8.0.1/16 has host bits set "
		"(network is 10.8.0.0/16)");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': 'drop'},"
				 " {'prefix': '10.8.0.0/16', 'next_hop': '10.1.9.4'}]"),
		-EINVAL,
		"t.json: $.routing_domains[0].routes[1].prefix: duplicate route 10.8.0.0/16 "
		"(also at $.routing_domains[0].routes[0].prefix)");
	expect_error(with_routes("[{'prefix': '10.8.0.0/33', 'next_hop': 'drop'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].prefix: prefix length 33 out of range "
		"0..32");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': 'blackhole'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].next_hop: unknown next hop 'blackhole' "
		"(expected an IPv4 CA or \"drop\")");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': 7}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].next_hop: expected string, got integer");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0]: missing required field 'next_hop'");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': 'drop', 'metric': 1}]"),
		-EINVAL, "t.json: $.routing_domains[0].routes[0]: unknown field 'metric'");
	/* Next hops: a CA of the domain, found after the mappings are read. */
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': 'drop'},"
				 " {'prefix': '10.9.0.0/16', 'next_hop': '10.7.0.1'}]"),
		-EINVAL,
		"t.json: $.routing_domains[0].routes[1].next_hop: 10.7.0.1 is in none of the "
		"subnets of routing domain 1");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': '10.1.9.5'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].next_hop: 10.1.9.5 is no VM of VSID 5009 "
		"(no VM NIC or mapping has that CA)");
	expect_error(with_routes("[{'prefix': '10.8.0.0/16', 'next_hop': '10.1.9.1'}]"), -EINVAL,
		"t.json: $.routing_domains[0].routes[0].next_hop: 10.1.9.1 is the gateway address "
		"of VSID 5009");
}

static void
test_route_next_hop_in_other_domain(void **state)
{
	/* Fabrikam's route may not name Contoso's appliance: the same address
	 * is in none of Fabrikam's subnets. */
	json_t *root = with_routes("[]");
	(void)state;

	set(root, "routing_domains.1.routes",
		J("[{'prefix': '0.0.0.0/0', 'next_hop': '10.1.9.4'}]"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].routes[0].next_hop: 10.1.9.4 is in none of the "
		"subnets of routing domain 2");
}

static void
test_ip_forwarding_must_be_boolean(void **state)
{
	json_t *root = J(BASE);
	(void)state;

	set(root, "vm_nics.1.ip_forwarding", json_string("yes"));
	expect_error(
		root, -EINVAL, "t.json: $.vm_nics[1].ip_forwarding: expected boolean, got string");
	root = J(BASE);
	set(root, "mappings.0.ip_forwarding", json_integer(1));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[0].ip_forwarding: expected boolean, got integer");
}

static void
test_flood_limit(void **state)
{
	char err[HNV_POLICY_ERR_MAX], *text;
	struct hnv_policy *p = NULL;
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.flood_limit", json_integer(0));
	text = json_dumps(root, 0);
	json_decref(root);
	assert_int_equal(hnv_policy_parse(text, "t.json", &p, err, sizeof(err)), 0);
	free(text);
	assert_int_equal(p->subnets[0].flood_limit, 0);
	assert_int_equal(p->subnets[1].flood_limit, VFP_DEFAULT_FLOOD_LIMIT);
	hnv_policy_free(p);
	root = J(BASE);
	set(root, "routing_domains.1.subnets.0.flood_limit", json_integer(100000001));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].subnets[0].flood_limit: flood limit 100000001 out of "
		"range 0..100000000");
}

static void
test_dhcp(void **state)
{
	char err[HNV_POLICY_ERR_MAX], *text;
	struct hnv_policy *p = NULL;
	json_t *root = J(BASE);
	(void)state;

	set(root, "routing_domains.0.subnets.0.dhcp",
		J("{'lease_time': 600, 'dns_servers': ['10.1.1.53', '8.8.4.4'],"
		  " 'domain_name': 'contoso.example'}"));
	set(root, "routing_domains.1.subnets.0.dhcp", J("{}"));
	text = json_dumps(root, 0);
	json_decref(root);
	assert_int_equal(hnv_policy_parse(text, "t.json", &p, err, sizeof(err)), 0);
	free(text);
	assert_true(p->subnets[0].has_dhcp);
	assert_int_equal(p->subnets[0].dhcp.lease_s, 600);
	assert_int_equal(p->subnets[0].dhcp.n_dns, 2);
	assert_int_equal(p->subnets[0].dhcp.dns[1], ip("8.8.4.4"));
	assert_string_equal(p->subnets[0].dhcp.domain, "contoso.example");
	assert_true(p->subnets[1].has_dhcp);
	assert_int_equal(p->subnets[1].dhcp.lease_s, 86400);
	assert_int_equal(p->subnets[1].dhcp.n_dns, 0);
	assert_string_equal(p->subnets[1].dhcp.domain, "");
	hnv_policy_free(p);

	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp", J("{'lease_time': 59}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp.lease_time: lease time 59 out of "
		"range 60..4294967295");
	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp",
		J("{'dns_servers': ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5']}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp.dns_servers: has 5 entries, at "
		"most 4 allowed");
	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp",
		J("{'dns_servers': ['10.1.1.53', '224.0.0.1']}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp.dns_servers[1]: 224.0.0.1 is not a "
		"unicast IPv4 address");
	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp", J("{'domain_name': 'bad..name'}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp.domain_name: 'bad..name' is not a "
		"domain name (labels of letters, digits and hyphens, joined by dots)");
	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp", J("{'domain_name': '-a.example'}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp.domain_name: '-a.example' is not a "
		"domain name (labels of letters, digits and hyphens, joined by dots)");
	root = J(BASE);
	set(root, "routing_domains.0.subnets.0.dhcp", J("{'router': '10.1.1.1'}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[0].dhcp: unknown field 'router'");
}

/* ---- IPv6 (dual stack) -------------------------------------------------- */

static void
ip6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static void
assert_ip6_equal(const uint8_t *got, const char *want)
{
	uint8_t a[16];

	ip6(want, a);
	assert_memory_equal(got, a, 16);
}

/* BASE with Contoso's 5001 dual stack (prefix6, default gateway6), its VM NIC
 * and its remote SQL VM with IPv6 CAs; Fabrikam's 6001 has an explicit
 * gateway6 and no IPv6 CA. */
static json_t *
with_ipv6(void)
{
	json_t *root = J(BASE);

	set(root, "routing_domains.0.subnets.0.prefix6", J("'fd00:5001::/64'"));
	set(root, "routing_domains.1.subnets.0.prefix6", J("'fd00:6001:0:0::/64'"));
	set(root, "routing_domains.1.subnets.0.gateway6", J("'FD00:6001::FE'"));
	set(root, "vm_nics.0.ipv6", J("'fd00:5001::12'"));
	set(root, "mappings.0.ipv6", J("'fd00:5001::11'"));
	return root;
}

static void
test_ipv6_dual_stack_yields_model(void **state)
{
	json_t *root = with_ipv6();
	const struct hnv_acl_rule_cfg *r;
	struct hnv_policy *p;
	(void)state;

	set(root, "acls",
		J("[{'name': 'web6', 'port': 'contoso-web', 'rules': ["
		  "  {'name': 'sql6', 'priority': 100, 'direction': 'out', 'action': 'allow',"
		  "   'protocol': 'tcp', 'dst': 'fd00:5001::11', 'dst_ports': 1433},"
		  "  {'name': 'http6', 'priority': 100, 'direction': 'in', 'action': 'allow',"
		  "   'protocol': 'tcp', 'src': 'fd00:5000::/32', 'dst': 'any', 'dst_ports': 80},"
		  "  {'name': 'no-ssh', 'priority': 110, 'direction': 'in', 'action': 'deny',"
		  "   'protocol': 'tcp', 'dst_ports': 22},"
		  "  {'name': 'nd', 'priority': 120, 'direction': 'in', 'action': 'allow',"
		  "   'protocol': 'icmpv6', 'src': '::/0'},"
		  "  {'name': 'v4-only', 'priority': 130, 'direction': 'in', 'action': 'deny',"
		  "   'src': '0.0.0.0/0'},"
		  "  {'name': 'deny-all', 'priority': 65535, 'direction': 'in', 'action': "
		  "'deny'}]}]"));
	p = load_ok(root);

	assert_true(p->subnets[0].has_prefix6);
	assert_ip6_equal(p->subnets[0].prefix6, "fd00:5001::");
	assert_int_equal(p->subnets[0].prefix6_len, 64);
	assert_ip6_equal(p->subnets[0].gateway6, "fd00:5001::1"); /* prefix + 1 */
	assert_true(p->subnets[1].has_prefix6);
	assert_ip6_equal(p->subnets[1].prefix6, "fd00:6001::");
	assert_ip6_equal(p->subnets[1].gateway6, "fd00:6001::fe");
	assert_int_equal(p->subnets[0].prefix, ip("10.1.1.0")); /* IPv4 unchanged */

	assert_true(p->vnics[0].has_ipv6);
	assert_ip6_equal(p->vnics[0].ipv6, "fd00:5001::12");
	assert_int_equal(p->vnics[0].ip, ip("10.1.1.12"));
	assert_false(p->vnics[1].has_ipv6);
	assert_true(p->mappings[0].has_ipv6);
	assert_ip6_equal(p->mappings[0].ipv6, "fd00:5001::11");
	assert_false(p->mappings[1].has_ipv6);

	r = &p->acls[0].rules[0]; /* a bare IPv6 address is a /128 */
	assert_int_equal(r->family, HNV_ACL_FAMILY_IPV6);
	assert_int_equal(r->src6_len, 0);
	assert_ip6_equal(r->dst6, "fd00:5001::11");
	assert_int_equal(r->dst6_len, 128);
	assert_int_equal(r->dst_len, 0);
	assert_int_equal(r->dst_prefix, 0);
	assert_int_equal(r->dst_port_lo, 1433);
	r = &p->acls[0].rules[1]; /* "any" leaves the family to the other address */
	assert_int_equal(r->family, HNV_ACL_FAMILY_IPV6);
	assert_ip6_equal(r->src6, "fd00:5000::");
	assert_int_equal(r->src6_len, 32);
	assert_int_equal(r->dst6_len, 0);
	r = &p->acls[0].rules[2]; /* port-only: both families */
	assert_int_equal(r->family, HNV_ACL_FAMILY_ANY);
	assert_int_equal(r->protocol, 6);
	assert_int_equal(r->dst_port_lo, 22);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(r->src6_len, 0);
	r = &p->acls[0].rules[3]; /* ::/0: every IPv6 address, IPv6 only */
	assert_int_equal(r->protocol, 58);
	assert_int_equal(r->family, HNV_ACL_FAMILY_IPV6);
	assert_int_equal(r->src6_len, 0);
	r = &p->acls[0].rules[4]; /* 0.0.0.0/0: every IPv4 address, IPv4 only */
	assert_int_equal(r->family, HNV_ACL_FAMILY_IPV4);
	assert_int_equal(r->src_len, 0);
	assert_int_equal(p->acls[0].rules[5].family, HNV_ACL_FAMILY_ANY);
	hnv_policy_free(p);

	/* Without any IPv6 field, nothing is IPv6. */
	p = load_ok(with_acls());
	assert_false(p->subnets[0].has_prefix6);
	assert_false(p->vnics[0].has_ipv6);
	assert_false(p->mappings[0].has_ipv6);
	assert_int_equal(p->acls[0].rules[0].family, HNV_ACL_FAMILY_IPV4);
	assert_int_equal(p->acls[0].rules[2].family, HNV_ACL_FAMILY_ANY);
	assert_int_equal(p->acls[1].rules[0].family, HNV_ACL_FAMILY_IPV4); /* 0.0.0.0/0 */
	assert_int_equal(p->acls[1].rules[1].family, HNV_ACL_FAMILY_ANY);
	hnv_policy_free(p);
}

static void
test_ipv6_same_prefix6_and_ca_in_two_domains_accepted(void **state)
{
	json_t *root = with_ipv6();
	struct hnv_policy *p;
	(void)state;

	/* As for IPv4 (R22): another tenant may reuse the prefix and the CAs. */
	set(root, "routing_domains.1.subnets.0.prefix6", J("'fd00:5001::/64'"));
	del(root, "routing_domains.1.subnets.0.gateway6");
	set(root, "vm_nics.1.ipv6", J("'fd00:5001::12'"));
	set(root, "mappings.1.ipv6", J("'fd00:5001::11'"));
	/* A second subnet of Contoso next to 5001's prefix6, and one with none. */
	set(root, "routing_domains.0.subnets.1",
		J("{'vsid': 5002, 'prefix': '10.1.2.0/24', 'prefix6': 'fd00:5001:0:1::/64'}"));
	set(root, "routing_domains.0.subnets.2", J("{'vsid': 5003, 'prefix': '10.1.3.0/24'}"));
	p = load_ok(root);
	assert_ip6_equal(p->subnets[3].prefix6, "fd00:5001::");
	assert_ip6_equal(p->vnics[1].ipv6, "fd00:5001::12");
	assert_ip6_equal(p->subnets[1].gateway6, "fd00:5001:0:1::1");
	assert_false(p->subnets[2].has_prefix6);
	hnv_policy_free(p);
}

static void
test_ipv6_subnet_errors(void **state)
{
	static const struct {
		const char *field, *value, *msg;
	} cases[] = {
		{"prefix6", "64", "prefix6: expected string, got integer"},
		{"prefix6", "'fd00:5001::/64x'",
			"prefix6: malformed IPv6 prefix 'fd00:5001::/64x' (expected X:X::X/N)"},
		{"prefix6", "'fd00:5001::'",
			"prefix6: malformed IPv6 prefix 'fd00:5001::' (expected X:X::X/N)"},
		{"prefix6", "'fd00:5001::/064'",
			"prefix6: malformed IPv6 prefix 'fd00:5001::/064' (expected X:X::X/N)"},
		{"prefix6", "'fd00:5001::/1000'",
			"prefix6: malformed IPv6 prefix 'fd00:5001::/1000' (expected X:X::X/N)"},
		{"prefix6", "'fd00:5001:::/64'",
			"prefix6: malformed IPv6 prefix 'fd00:5001:::/64' (expected X:X::X/N)"},
		{"prefix6", "'10.1.1.0/24'",
			"prefix6: malformed IPv6 prefix '10.1.1.0/24' (expected X:X::X/N)"},
		{"prefix6", "'fd00::/7'", "prefix6: prefix length 7 out of range 8..112"},
		{"prefix6", "'fd00::/113'", "prefix6: prefix length 113 out of range 8..112"},
		{"prefix6", "'fd00:5001::1/64'",
			"prefix6: fd00:5001::1/64 has host bits set (network is fd00:5001::/64)"},
		{"prefix6", "'ff05::/64'", "prefix6: ff05::/64 overlaps multicast ff00::/8"},
		{"prefix6", "'fe80::/64'", "prefix6: fe80::/64 overlaps link-local fe80::/10"},
		{"prefix6", "'fe00::/8'", "prefix6: fe00::/8 overlaps link-local fe80::/10"},
		{"prefix6", "'::/64'", "prefix6: ::/64 overlaps unspecified and loopback ::/127"},
		{"prefix6", "'::ffff:0:0/96'",
			"prefix6: ::ffff:0.0.0.0/96 overlaps IPv4-mapped ::ffff:0:0/96"},
		{"gateway6", "'fd00:5001::1::2'",
			"gateway6: malformed IPv6 address 'fd00:5001::1::2'"},
		{"gateway6", "'fd00:5002::1'",
			"gateway6: fd00:5002::1 is outside subnet fd00:5001::/64 of VSID 5001"},
		{"gateway6", "'fd00:5001::'",
			"gateway6: fd00:5001:: is the prefix address of subnet fd00:5001::/64 of "
			"VSID 5001"},
	};
	char want[HNV_POLICY_ERR_MAX], path[64];
	(void)state;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		json_t *root = with_ipv6();

		snprintf(path, sizeof(path), "routing_domains.0.subnets.0.%s", cases[i].field);
		set(root, path, J(cases[i].value));
		snprintf(want, sizeof(want), "t.json: $.routing_domains[0].subnets[0].%s",
			cases[i].msg);
		expect_error(root, -EINVAL, want);
	}
}

static void
test_ipv6_subnet_overlap_and_gateway6_without_prefix6(void **state)
{
	json_t *root = with_ipv6();
	(void)state;

	set(root, "routing_domains.0.subnets.1",
		J("{'vsid': 5002, 'prefix': '10.1.2.0/24', 'prefix6': 'fd00:5001::/48'}"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[0].subnets[1].prefix6: fd00:5001::/48 overlaps "
		"fd00:5001::/64 of VSID 5001 (at $.routing_domains[0].subnets[0].prefix6)");
	root = J(BASE);
	set(root, "routing_domains.1.subnets.0.gateway6", J("'fd00:6001::1'"));
	expect_error(root, -EINVAL,
		"t.json: $.routing_domains[1].subnets[0].gateway6: gateway6 requires prefix6");
}

static void
test_ipv6_ca_errors(void **state)
{
	static const struct {
		const char *path, *value, *msg;
	} cases[] = {
		{"vm_nics.1.ipv6", "'fd00:6001::12'",
			"$.vm_nics[1].ipv6: VSID 6001 has no prefix6"},
		{"vm_nics.0.ipv6", "'10.1.1.12'",
			"$.vm_nics[0].ipv6: malformed IPv6 address '10.1.1.12'"},
		{"vm_nics.0.ipv6", "'fd00:5001::12/64'",
			"$.vm_nics[0].ipv6: malformed IPv6 address 'fd00:5001::12/64'"},
		{"vm_nics.0.ipv6", "12", "$.vm_nics[0].ipv6: expected string, got integer"},
		{"vm_nics.0.ipv6", "'fd00:5002::12'",
			"$.vm_nics[0].ipv6: fd00:5002::12 is outside subnet fd00:5001::/64 of VSID "
			"5001"},
		{"vm_nics.0.ipv6", "'fd00:5001::'",
			"$.vm_nics[0].ipv6: fd00:5001:: is the prefix address of subnet "
			"fd00:5001::/64 of VSID 5001"},
		{"vm_nics.0.ipv6", "'fd00:5001::1'",
			"$.vm_nics[0].ipv6: fd00:5001::1 is the gateway6 address of VSID 5001"},
		{"mappings.0.ipv6", "'fd00:5001:0::12'",
			"$.mappings[0].ipv6: duplicate CA fd00:5001::12 in VSID 5001 (also at "
			"$.vm_nics[0].ipv6)"},
		{"mappings.1.ipv6", "'fd00:6001::11'",
			"$.mappings[1].ipv6: VSID 6001 has no prefix6"},
	};
	char want[HNV_POLICY_ERR_MAX];
	(void)state;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		json_t *root = with_ipv6();

		del(root, "routing_domains.1.subnets.0.prefix6");
		del(root, "routing_domains.1.subnets.0.gateway6");
		set(root, cases[i].path, J(cases[i].value));
		snprintf(want, sizeof(want), "t.json: %s", cases[i].msg);
		expect_error(root, -EINVAL, want);
	}
}

static void
test_ipv6_ca_duplicate_mapping_and_gateway6(void **state)
{
	json_t *root = with_ipv6();
	(void)state;

	set(root, "mappings.2",
		J("{'vsid': 5001, 'ca': '10.1.1.13', 'mac': '02:50:01:00:00:13',"
		  " 'pa': '192.168.1.11', 'ipv6': 'fd00:5001::11'}"));
	expect_error(root, -EINVAL,
		"t.json: $.mappings[2].ipv6: duplicate CA fd00:5001::11 in VSID 5001 (also at "
		"$.mappings[0].ipv6)");
	/* The explicit gateway6 is the one a CA may not take; prefix + 1 is then free. */
	root = with_ipv6();
	set(root, "vm_nics.1.ipv6", J("'fd00:6001::fe'"));
	expect_error(root, -EINVAL,
		"t.json: $.vm_nics[1].ipv6: fd00:6001::fe is the gateway6 address of VSID 6001");
	root = with_ipv6();
	set(root, "vm_nics.1.ipv6", J("'fd00:6001::1'"));
	hnv_policy_free(load_ok(root));
}

static void
test_ipv6_acl_errors(void **state)
{
	static const struct {
		const char *path, *value, *msg;
	} cases[] = {
		{"acls.0.rules.1.dst", "'fd00::/64'",
			"$.acls[0].rules[1].dst: dst is IPv6 but src is IPv4 (a rule's addresses "
			"are of one family)"},
		{"acls.0.rules.0.src", "'fd00::1'",
			"$.acls[0].rules[0].dst: dst is IPv4 but src is IPv6 (a rule's addresses "
			"are of one family)"},
		{"acls.0.rules.0.dst", "'fd00:5001::1/64'",
			"$.acls[0].rules[0].dst: fd00:5001::1/64 has host bits set (network is "
			"fd00:5001::/64)"},
		{"acls.0.rules.0.dst", "'fd00::g'",
			"$.acls[0].rules[0].dst: malformed IPv6 address 'fd00::g'"},
		{"acls.0.rules.0.dst", "'fd00::/64/1'",
			"$.acls[0].rules[0].dst: malformed IPv6 prefix 'fd00::/64/1' (expected "
			"X:X::X/N)"},
		{"acls.0.rules.0.dst", "'fd00::/129'",
			"$.acls[0].rules[0].dst: prefix length 129 out of range 0..128"},
		{"acls.1.rules.0.dst", "'fd00::/16'",
			"$.acls[1].rules[0].protocol: protocol icmp (1) does not match IPv6; use "
			"\"icmpv6\" (58)"},
		{"acls.1.rules.0.protocol", "'icmpv6'",
			"$.acls[1].rules[0].protocol: protocol icmpv6 (58) does not match IPv4; "
			"use \"icmp\" (1)"},
	};
	char want[HNV_POLICY_ERR_MAX];
	(void)state;

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		json_t *root = with_acls();

		set(root, cases[i].path, J(cases[i].value));
		snprintf(want, sizeof(want), "t.json: %s", cases[i].msg);
		expect_error(root, -EINVAL, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figure8_host2_yields_model),
		cmocka_unit_test(test_optional_fields_override_defaults),
		cmocka_unit_test(test_same_ca_and_mac_in_two_vsids_accepted),
		cmocka_unit_test(test_config_figure8_files_load),
		cmocka_unit_test(test_vsid_4095_out_of_range),
		cmocka_unit_test(test_vsid_16777215_out_of_range),
		cmocka_unit_test(test_duplicate_vsid),
		cmocka_unit_test(test_duplicate_mac_in_vsid),
		cmocka_unit_test(test_duplicate_ca_in_vsid),
		cmocka_unit_test(test_vnic_ip_outside_subnet),
		cmocka_unit_test(test_mapping_ca_outside_subnet),
		cmocka_unit_test(test_ca_is_gateway_or_broadcast),
		cmocka_unit_test(test_unknown_vsid),
		cmocka_unit_test(test_unknown_port),
		cmocka_unit_test(test_vnic_on_uplink),
		cmocka_unit_test(test_nic_team),
		cmocka_unit_test(test_nic_team_errors),
		cmocka_unit_test(test_ipv6_pas),
		cmocka_unit_test(test_ipv6_pa_errors),
		cmocka_unit_test(test_port_bound_twice),
		cmocka_unit_test(test_vhost_user_port_yields_model),
		cmocka_unit_test(test_vhost_user_port_errors),
		cmocka_unit_test(test_port_mtu),
		cmocka_unit_test(test_vxlan_port),
		cmocka_unit_test(test_vhost_user_socket_is_one_port_and_not_the_uplink),
		cmocka_unit_test(test_uplink_not_in_ports),
		cmocka_unit_test(test_malformed_ip),
		cmocka_unit_test(test_malformed_mac),
		cmocka_unit_test(test_multicast_mac),
		cmocka_unit_test(test_malformed_prefix),
		cmocka_unit_test(test_prefix_with_host_bits),
		cmocka_unit_test(test_prefix_length_31),
		cmocka_unit_test(test_overlapping_subnets_in_rdid),
		cmocka_unit_test(test_duplicate_rdid),
		cmocka_unit_test(test_routes_yield_model),
		cmocka_unit_test(test_route_errors),
		cmocka_unit_test(test_route_next_hop_in_other_domain),
		cmocka_unit_test(test_ip_forwarding_must_be_boolean),
		cmocka_unit_test(test_flood_limit),
		cmocka_unit_test(test_dhcp),
		cmocka_unit_test(test_unknown_field_top_level),
		cmocka_unit_test(test_unknown_field_nested),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_json_syntax_error_has_line_and_column),
		cmocka_unit_test(test_duplicate_port_name),
		cmocka_unit_test(test_vlan_out_of_range),
		cmocka_unit_test(test_host_gateway_off_pa_prefix),
		cmocka_unit_test(test_gateway_mac_without_gateway),
		cmocka_unit_test(test_mapping_to_own_pa),
		cmocka_unit_test(test_acls_yield_model),
		cmocka_unit_test(test_acl_with_no_rules_accepted),
		cmocka_unit_test(test_acl_both_port_and_vsid),
		cmocka_unit_test(test_acl_neither_port_nor_vsid),
		cmocka_unit_test(test_acl_unknown_port),
		cmocka_unit_test(test_acl_on_uplink),
		cmocka_unit_test(test_acl_port_without_vnic),
		cmocka_unit_test(test_acl_unknown_vsid),
		cmocka_unit_test(test_acl_second_on_port),
		cmocka_unit_test(test_acl_second_on_vsid),
		cmocka_unit_test(test_acl_duplicate_name),
		cmocka_unit_test(test_acl_duplicate_rule_name),
		cmocka_unit_test(test_acl_duplicate_priority_in_direction),
		cmocka_unit_test(test_acl_priority_out_of_range),
		cmocka_unit_test(test_acl_bad_direction),
		cmocka_unit_test(test_acl_bad_action),
		cmocka_unit_test(test_acl_bad_protocol),
		cmocka_unit_test(test_acl_ports_need_tcp_or_udp),
		cmocka_unit_test(test_acl_reversed_port_range),
		cmocka_unit_test(test_acl_malformed_port_range),
		cmocka_unit_test(test_acl_prefix_with_host_bits),
		cmocka_unit_test(test_acl_malformed_address),
		cmocka_unit_test(test_acl_unknown_rule_field),
		cmocka_unit_test(test_acl_missing_rule_field),
		cmocka_unit_test(test_acl_stateful_not_boolean),
		cmocka_unit_test(test_flow_timeouts_default),
		cmocka_unit_test(test_flow_timeouts_override),
		cmocka_unit_test(test_flow_timeouts_out_of_range),
		cmocka_unit_test(test_flow_timeouts_unknown_field),
		cmocka_unit_test(test_nonexistent_file),
		cmocka_unit_test(test_load_names_file_in_messages),
		cmocka_unit_test(test_load_fifo_refused),
		cmocka_unit_test(test_load_directory_and_device_refused),
		cmocka_unit_test(test_policy_strings_escaped_in_messages),
		cmocka_unit_test(test_json_syntax_error_escaped),
		cmocka_unit_test(test_ipv6_dual_stack_yields_model),
		cmocka_unit_test(test_ipv6_same_prefix6_and_ca_in_two_domains_accepted),
		cmocka_unit_test(test_ipv6_subnet_errors),
		cmocka_unit_test(test_ipv6_subnet_overlap_and_gateway6_without_prefix6),
		cmocka_unit_test(test_ipv6_ca_errors),
		cmocka_unit_test(test_ipv6_ca_duplicate_mapping_and_gateway6),
		cmocka_unit_test(test_ipv6_acl_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
