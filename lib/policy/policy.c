/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy.c: policy JSON v1 -> validated struct hnv_policy.
 *
 * Owns: every validation rule of the policy format (docs/policy.md is the
 * reference; keep the two in step), the HNV objects they apply to (ports,
 * host, routing domains and subnets, VM NICs, mappings), the top level of the
 * document and the public API of hnv_policy.h. Reading and type-checking
 * JSON values, the error path and the address helpers live in policy_json.c;
 * ACLs and flow timeouts, in policy_acl.c; routes, in policy_route.c; the
 * IPv6 fields of subnets and CAs, in policy_ipv6.c.
 *
 * The tree is walked once, in dependency order: ports, host (its uplink names
 * a port), routing domains and their subnets, VM NICs (they name a VSID and a
 * port), mappings (they name a VSID and must not collide with local VM NICs),
 * ACLs (they name a VSID or a VM NIC's port), flow timeouts.
 * So every reference is checked against objects already accepted, and the
 * first failure stops the walk. A failure is one message, "<source>: <JSON
 * path>: <problem>", built from a small path stack kept in struct ctx; the
 * partial model is freed and *out is left untouched, so a reload that fails
 * never disturbs the policy the caller already holds.
 *
 * Loading is O(n) in the entries: uniqueness (names, devices, VSIDs, MACs
 * and CAs per VSID) and references (a VSID, a port) are answered by the
 * hash indexes of policy_index.c, and subnet overlap by the prefixes
 * covering each subnet, never by a scan of the entries read so far.
 * Nothing here prints, exits or touches DPDK state, and nothing here blocks:
 * the policy path must name a regular file (a FIFO or a device there would
 * hang the caller's control loop in open or read).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hnv_policy.h"
#include "policy_acl.h"
#include "policy_delta.h"
#include "policy_index.h"
#include "policy_json.h"
#include "policy_stream.h"

#define CANCEL_EVERY 4096 /* mappings read between looks at the cancel flag */
#define READ_CHUNK (1u << 20)

/* Locally administered (bit 1 of the first byte), unicast; echoes the VRRP
 * 00:00:5e:00:01:xx block so it is easy to spot in a capture. */
static const struct rte_ether_addr default_router_mac = {
	.addr_bytes = {0x02, 0x00, 0x5e, 0x00, 0x01, 0x01}};

#define VSID_MIN 4096
#define VSID_MAX 16777214 /* 2^24 - 2 (R2) */
#define VLAN_MAX 4094
#define SUBNET_LEN_MIN 1
#define SUBNET_LEN_MAX 30         /* needs a network, a gateway and a broadcast address */
#define FLOOD_LIMIT_MAX 100000000 /* copies per VM per second */

/* ---- indexes ------------------------------------------------------------ */

/* Put the string @str (of a @size-byte field) into @ix with value @val:
 * the index where it was seen before, -1 if it is new, < -1 on failure. */
static long long
index_put(struct ctx *c, struct pidx *ix, const char *str, size_t size, size_t val)
{
	char key[PIDX_KEY_MAX] = {0};

	(void)c;
	snprintf(key, RTE_MIN(size, sizeof(key)), "%s", str);
	return (long long)pidx_put(ix, key, (uint32_t)val);
}

/* ---- ports -------------------------------------------------------------- */

/* A port's "vhost_user" object; the port is the one being parsed. */
static int
parse_vhost(struct ctx *c, json_t *o)
{
	static const struct field fields[] = {{"socket", true}, {"mode", false}, {"queues", false}};
	struct hnv_vhost_cfg *vh = &c->p->ports[c->p->n_ports].vhost;
	const json_t *mode = json_object_get(o, "mode");
	const json_t *queues = json_object_get(o, "queues");
	long long n;
	int rc;

	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(
			c, "socket", json_object_get(o, "socket"), vh->socket, sizeof(vh->socket));
	if (rc == 0 && vh->socket[0] != '/')
		rc = pj_fail(c, "socket", "'%s' is not an absolute path", vh->socket);
	if (rc == 0 && mode != NULL) {
		if (!json_is_string(mode))
			rc = pj_fail_type(c, "mode", mode, "string");
		else if (strcmp(json_string_value(mode), "client") == 0)
			vh->client = true;
		else if (strcmp(json_string_value(mode), "server") != 0)
			rc = pj_fail(c, "mode", "'%s' is neither \"server\" nor \"client\"",
				json_string_value(mode));
	}
	if (rc == 0 && queues != NULL) {
		rc = pj_v_int(c, "queues", queues, "queue pairs", 1, HNV_VHOST_QUEUES_MAX, &n);
		if (rc == 0)
			vh->queues = (uint16_t)n;
	}
	return rc;
}

static int
parse_port(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {
		{"name", true}, {"device", false}, {"vhost_user", false}, {"mtu", false}};
	struct hnv_policy *p = c->p;
	json_t *mtu = json_object_get(o, "mtu");
	struct hnv_port_cfg *port = &p->ports[i];
	bool has_device = json_object_get(o, "device") != NULL;
	long long j = -1;
	int rc;

	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(
			c, "name", json_object_get(o, "name"), port->name, sizeof(port->name));
	port->is_vhost = json_object_get(o, "vhost_user") != NULL;
	if (rc == 0 && has_device == port->is_vhost)
		rc = pj_fail(c, NULL, "a port has either a \"device\" or a \"vhost_user\" object");
	if (rc == 0 && has_device)
		rc = pj_v_str(c, "device", json_object_get(o, "device"), port->device,
			sizeof(port->device));
	if (rc == 0 && port->is_vhost)
		rc = pj_with_object(c, o, "vhost_user", parse_vhost);
	if (rc == 0 && mtu != NULL && port->is_vhost)
		rc = pj_fail(c, "mtu", "a vhost-user port has no MTU of ours (its guest sets it)");
	else if (rc == 0 && mtu != NULL) {
		long long v = 0;

		rc = pj_v_int(c, "mtu", mtu, "MTU", HNV_MTU_MIN, HNV_MTU_MAX, &v);
		port->mtu = (uint16_t)v;
	}
	if (rc == 0 && (j = index_put(c, &c->ix->port, port->name, sizeof(port->name), i)) < 0)
		rc = j == -1 ? 0 : pj_fail_nomem(c);
	else if (rc == 0)
		rc = pj_fail(c, "name", "duplicate port name '%s' (also at $.ports[%lld].name)",
			port->name, j);
	if (rc == 0 && has_device &&
		(j = index_put(c, &c->ix->port_dev, port->device, sizeof(port->device), i)) >= 0)
		rc = pj_fail(c, "device", "duplicate device '%s' (also at $.ports[%lld].device)",
			port->device, j);
	if (rc == 0 && port->is_vhost &&
		(j = index_put(c, &c->ix->port_sock, port->vhost.socket, sizeof(port->vhost.socket),
			 i)) >= 0)
		rc = pj_fail(c, "vhost_user",
			"duplicate socket '%s' (also at $.ports[%lld].vhost_user.socket)",
			port->vhost.socket, j);
	if (rc == 0 && j < -1)
		rc = pj_fail_nomem(c);
	if (rc == 0)
		p->n_ports++;
	return rc;
}

/* ---- host --------------------------------------------------------------- */

/* One provider address (R12), "A.B.C.D/N" or "X:X::X/N": a unicast host
 * address, not its prefix's network (IPv6: subnet-router anycast) or
 * broadcast address. */
static int
parse_pa_entry(struct ctx *c, const json_t *v, rte_be32_t *ip, uint8_t *len)
{
	const struct hnv_host_cfg *h = &c->p->host;
	uint32_t a, m;
	unsigned int j;
	int rc;

	rc = pj_v_pa_prefix(c, NULL, v, 1, ip, len);
	if (rc != 0)
		return rc;
	if (hnv_pa_is_v6(*ip)) {
		uint8_t net[16];

		pj_ip6_mask(net, hnv_pa6_addr(*ip), *len);
		if (*len <= 126 && memcmp(net, hnv_pa6_addr(*ip), 16) == 0)
			return pj_fail(c, NULL,
				"%s is the subnet-router anycast address of its prefix",
				pj_pa_fmt(*ip).s);
	} else {
		if (!pj_ipv4_is_unicast(*ip))
			return pj_fail(
				c, NULL, "%s is not a unicast IPv4 address", pj_ip_fmt(*ip).s);
		a = rte_be_to_cpu_32(*ip);
		m = pj_mask_of(*len);
		if (*len <= 30 && (a & ~m) == 0)
			return pj_fail(c, NULL, "%s is the network address of its prefix",
				pj_ip_fmt(*ip).s);
		if (*len <= 30 && (a & ~m) == ~m)
			return pj_fail(c, NULL, "%s is the broadcast address of its prefix",
				pj_ip_fmt(*ip).s);
	}
	for (j = 0; j < h->n_pa; j++)
		if (h->pa[j] == *ip)
			return pj_fail(c, NULL, "duplicate PA %s (also at $.host.pa[%u])",
				pj_pa_fmt(*ip).s, j);
	return 0;
}

/* How many of our PAs are of @pa's family. */
static unsigned int
pa_family_count(const struct hnv_host_cfg *h, bool v6)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->n_pa; i++)
		n += hnv_pa_is_v6(h->pa[i]) == v6;
	return n;
}

/* Each family with PAs has one for every team member: member i sources
 * that family's tunnels from the family's i-th PA. */
static int
check_pa_families(struct ctx *c, const struct hnv_host_cfg *h)
{
	for (int v6 = 0; v6 <= 1; v6++) {
		unsigned int n = pa_family_count(h, v6);

		if (n != 0 && n < h->n_uplinks)
			return pj_fail(c, "pa",
				"%u %s PAs for a team of %u uplinks: each uplink sources tunnels "
				"from its own PA (the i-th of a family for uplink[i])",
				n, v6 ? "IPv6" : "IPv4", h->n_uplinks);
	}
	return 0;
}

/* The IPv6 PA next hop: on-link, inside one of our IPv6 PA prefixes. */
static int
check_host_gateway6(struct ctx *c, const struct hnv_host_cfg *h)
{
	const uint8_t *gw = hnv_pa6_addr(h->gateway6);
	unsigned int i;

	for (i = 0; i < h->n_pa; i++)
		if (h->pa[i] == h->gateway6)
			return pj_fail(c, "gateway6", "%s is our own PA ($.host.pa[%u])",
				pj_pa_fmt(h->gateway6).s, i);
	for (i = 0; i < h->n_pa; i++)
		if (hnv_pa_is_v6(h->pa[i]) &&
			pj_ip6_in_prefix(gw, hnv_pa6_addr(h->pa[i]), h->pa_prefix_len[i]))
			return 0;
	return pj_fail(c, "gateway6", "%s is not inside any IPv6 PA prefix of $.host.pa",
		pj_pa_fmt(h->gateway6).s);
}

static int
parse_pa(struct ctx *c, json_t *arr)
{
	struct hnv_host_cfg *h = &c->p->host;
	size_t outer = pj_path_push(c, ".pa");
	size_t i;
	json_t *v;
	int rc = 0;

	json_array_foreach(arr, i, v)
	{
		size_t inner = pj_path_push(c, "[%zu]", i);

		rc = parse_pa_entry(c, v, &h->pa[h->n_pa], &h->pa_prefix_len[h->n_pa]);
		pj_path_pop(c, inner);
		if (rc != 0)
			break;
		h->n_pa++;
	}
	pj_path_pop(c, outer);
	return rc;
}

/* The PA next hop must be on-link: inside one of our PA prefixes. */
static int
check_host_gateway(struct ctx *c, const struct hnv_host_cfg *h)
{
	uint32_t gw = rte_be_to_cpu_32(h->gateway);
	unsigned int i;

	if (!pj_ipv4_is_unicast(h->gateway))
		return pj_fail(
			c, "gateway", "%s is not a unicast IPv4 address", pj_ip_fmt(h->gateway).s);
	for (i = 0; i < h->n_pa; i++)
		if (h->pa[i] == h->gateway)
			return pj_fail(c, "gateway", "%s is our own PA ($.host.pa[%u])",
				pj_ip_fmt(h->gateway).s, i);
	for (i = 0; i < h->n_pa; i++) {
		uint32_t m = pj_mask_of(h->pa_prefix_len[i]);
		uint32_t net = rte_be_to_cpu_32(h->pa[i]) & m;

		if (hnv_pa_is_v6(h->pa[i]) || (gw & m) != net)
			continue;
		if (h->pa_prefix_len[i] <= 30 && (gw == net || gw == (net | ~m)))
			return pj_fail(c, "gateway",
				"%s is the network or broadcast address of PA prefix %s/%u",
				pj_ip_fmt(h->gateway).s, pj_ip_fmt(rte_cpu_to_be_32(net)).s,
				h->pa_prefix_len[i]);
		return 0;
	}
	return pj_fail(c, "gateway", "%s is not inside any IPv4 PA prefix of $.host.pa",
		pj_ip_fmt(h->gateway).s);
}

/* One uplink port, $.host.uplink or $.host.uplink[i] (@key). */
static int
parse_uplink_port(struct ctx *c, const char *key, json_t *v, uint16_t *out)
{
	char name[HNV_NAME_MAX];
	int rc = pj_v_str(c, key, v, name, sizeof(name)), port;

	if (rc != 0)
		return rc;
	port = hnv_policy_find_port(c->p, name);
	if (port < 0)
		return pj_fail(c, key, "unknown port '%s'", name);
	if (c->p->ports[port].is_vhost)
		return pj_fail(c, key, "port '%s' is a vhost-user port: the uplink is a NIC", name);
	*out = (uint16_t)port;
	return 0;
}

/* "uplink": a port, or a NIC team of ports, each named once. */
static int
parse_uplinks(struct ctx *c, json_t *v)
{
	struct hnv_host_cfg *h = &c->p->host;
	size_t i, old;
	int rc = 0;

	if (!json_is_array(v)) {
		h->n_uplinks = 1;
		return parse_uplink_port(c, "uplink", v, &h->uplinks[0]);
	}
	if (json_array_size(v) < 1 || json_array_size(v) > HNV_MAX_UPLINKS)
		return pj_fail(c, "uplink", "a team has 1 to %u ports, not %zu", HNV_MAX_UPLINKS,
			json_array_size(v));
	old = pj_path_push(c, ".uplink");
	for (i = 0; rc == 0 && i < json_array_size(v); i++) {
		size_t at = pj_path_push_index(c, i);

		rc = parse_uplink_port(c, NULL, json_array_get(v, i), &h->uplinks[i]);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (h->uplinks[j] == h->uplinks[i])
				rc = pj_fail(c, NULL, "port '%s' is in the team twice",
					c->p->ports[h->uplinks[i]].name);
		pj_path_pop(c, at);
	}
	pj_path_pop(c, old);
	h->n_uplinks = (unsigned int)i;
	return rc;
}

/* "mac" or "vlan" (@key): one value for every uplink, or an array of one
 * per uplink; @one parses a value into member @i. */
static int
parse_per_uplink(struct ctx *c, json_t *o, const char *key,
	int (*one)(struct ctx *c, const char *key, json_t *v, unsigned int i))
{
	const struct hnv_host_cfg *h = &c->p->host;
	json_t *v = json_object_get(o, key);
	size_t old;
	int rc = 0;

	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		for (unsigned int i = 0; rc == 0 && i < h->n_uplinks; i++)
			rc = one(c, key, v, i);
		return rc;
	}
	if (json_array_size(v) != h->n_uplinks)
		return pj_fail(c, key, "%zu values for %u uplinks: give one per uplink, in order",
			json_array_size(v), h->n_uplinks);
	old = pj_path_push(c, ".%s", key);
	for (unsigned int i = 0; rc == 0 && i < h->n_uplinks; i++) {
		size_t at = pj_path_push_index(c, i);

		rc = one(c, NULL, json_array_get(v, i), i);
		pj_path_pop(c, at);
	}
	pj_path_pop(c, old);
	return rc;
}

static int
one_mac(struct ctx *c, const char *key, json_t *v, unsigned int i)
{
	struct hnv_host_cfg *h = &c->p->host;

	if (key != NULL && h->n_uplinks > 1)
		return pj_fail(c, key,
			"one MAC for %u uplinks: give one per uplink (two NICs "
			"with one MAC confuse the PA network's switches)",
			h->n_uplinks);
	c->p->host.has_mac = true;
	return pj_v_mac(c, key, v, &h->macs[i]);
}

static int
one_vlan(struct ctx *c, const char *key, json_t *v, unsigned int i)
{
	long long vlan = 0;
	int rc = pj_v_int(c, key, v, "VLAN", 0, VLAN_MAX, &vlan);

	c->p->host.vlans[i] = (uint16_t)vlan;
	return rc;
}

static int
parse_host(struct ctx *c, json_t *o)
{
	static const struct field fields[] = {{"name", true}, {"uplink", true}, {"pa", true},
		{"mac", false}, {"vlan", false}, {"gateway", false}, {"gateway_mac", false},
		{"gateway6", false}, {"router_mac", false}, {"vxlan_port", false}};
	struct hnv_host_cfg *h = &c->p->host;
	json_t *v, *pa;
	int rc;

	h->router_mac = default_router_mac;
	h->vxlan_port = ENCAP_VXLAN_PORT;
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(c, "name", json_object_get(o, "name"), h->name, sizeof(h->name));
	if (rc == 0)
		rc = parse_uplinks(c, json_object_get(o, "uplink"));
	if (rc == 0)
		h->uplink = h->uplinks[0];
	if (rc == 0)
		rc = pj_get_array(c, o, "pa", 1, HNV_MAX_PA, &pa);
	if (rc == 0)
		rc = parse_pa(c, pa);
	if (rc == 0)
		rc = check_pa_families(c, h);
	if (rc == 0)
		rc = parse_per_uplink(c, o, "mac", one_mac);
	if (rc == 0)
		rc = parse_per_uplink(c, o, "vlan", one_vlan);
	h->mac = h->macs[0];
	h->vlan = h->vlans[0];
	if (rc == 0 && (v = json_object_get(o, "gateway")) != NULL) {
		rc = pj_v_ipv4(c, "gateway", v, &h->gateway);
		if (rc == 0)
			rc = check_host_gateway(c, h);
	}
	if (rc == 0 && (v = json_object_get(o, "gateway_mac")) != NULL) {
		if (h->gateway == 0)
			return pj_fail(c, "gateway_mac", "gateway_mac requires gateway");
		rc = pj_v_mac(c, "gateway_mac", v, &h->gateway_mac);
		h->has_gateway_mac = true;
	}
	if (rc == 0 && (v = json_object_get(o, "gateway6")) != NULL) {
		rc = pj_v_pa(c, "gateway6", v, &h->gateway6);
		if (rc == 0 && !hnv_pa_is_v6(h->gateway6))
			rc = pj_fail(c, "gateway6",
				"'%s' is an IPv4 address (host.gateway is for those)",
				json_string_value(v));
		if (rc == 0)
			rc = check_host_gateway6(c, h);
	}
	if (rc == 0 && (v = json_object_get(o, "router_mac")) != NULL)
		rc = pj_v_mac(c, "router_mac", v, &h->router_mac);
	if (rc == 0 && (v = json_object_get(o, "vxlan_port")) != NULL) {
		long long port = 0;

		rc = pj_v_int(c, "vxlan_port", v, "UDP port", 1, 65535, &port);
		h->vxlan_port = (uint16_t)port;
	}
	return rc;
}

/* ---- routing domains and subnets ---------------------------------------- */

/* "$.routing_domains[i].subnets[j]" of an accepted subnet, for "also at". */
void
policy_subnet_path(const struct hnv_policy *p, unsigned int k, char *buf, size_t size)
{
	unsigned int rd = 0, j, sub = 0;

	while (rd < p->n_rds && p->rds[rd].rdid != p->subnets[k].rdid)
		rd++;
	for (j = 0; j < k; j++)
		if (p->subnets[j].rdid == p->subnets[k].rdid)
			sub++;
	snprintf(buf, size, "$.routing_domains[%u].subnets[%u]", rd, sub);
}

static int
parse_encap(struct ctx *c, const json_t *v, enum encap_type *out)
{
	const char *s;

	if (!json_is_string(v))
		return pj_fail_type(c, "encap", v, "string");
	s = json_string_value(v);
	if (strcmp(s, "vxlan") == 0)
		*out = ENCAP_TYPE_VXLAN;
	else if (strcmp(s, "nvgre") == 0)
		*out = ENCAP_TYPE_NVGRE;
	else
		return pj_fail(
			c, "encap", "unknown encap '%s' (expected \"vxlan\" or \"nvgre\")", s);
	return 0;
}

/* A new VSID, indexed as subnet n_subnets. */
static int
check_subnet_vsid(struct ctx *c, const struct hnv_subnet_cfg *s)
{
	const struct hnv_policy *p = c->p;
	int64_t k = pidx_put(&c->ix->vsid, &s->vsid, p->n_subnets);
	char where[96];

	if (k < -1)
		return pj_fail_nomem(c);
	if (k < 0)
		return 0;
	policy_subnet_path(p, (unsigned int)k, where, sizeof(where));
	return pj_fail(c, "vsid", "duplicate VSID %u (also at %s.vsid)", s->vsid, where);
}

/* The subnet of routing domain @rdid whose prefix is @a/@len (@kind 0),
 * or one that @a/@len covers (@kind 1); -1 if none. */
static int64_t
prefix_get(const struct ctx *c, uint32_t rdid, uint32_t a, uint8_t len, uint8_t kind)
{
	struct pidx_prefix_key k = {
		.rdid = rdid, .prefix = a & pj_mask_of(len), .len = len, .kind = kind};

	return pidx_get(&c->ix->prefix, &k);
}

/* Index accepted subnet @i: its prefix, and every shorter prefix covering it. */
static int
prefix_add(struct ctx *c, const struct hnv_subnet_cfg *s, unsigned int i)
{
	uint32_t a = rte_be_to_cpu_32(s->prefix);

	for (uint8_t len = 0; len <= s->prefix_len; len++) {
		struct pidx_prefix_key k = {.rdid = s->rdid,
			.prefix = a & pj_mask_of(len),
			.len = len,
			.kind = len < s->prefix_len};

		if (pidx_put(&c->ix->prefix, &k, i) < -1)
			return pj_fail_nomem(c);
	}
	return 0;
}

/* A network address, and no overlap with subnets of the same RDID (R5 routes
 * between them by destination address, so overlap would be ambiguous). */
static int
check_subnet_prefix(struct ctx *c, const struct hnv_subnet_cfg *s)
{
	const struct hnv_policy *p = c->p;
	uint32_t m = pj_mask_of(s->prefix_len), a = rte_be_to_cpu_32(s->prefix);
	const struct hnv_subnet_cfg *o;
	char where[96];
	int64_t k = -1;
	uint8_t len;

	if ((a & ~m) != 0)
		return pj_fail(c, "prefix", "%s/%u has host bits set (network is %s/%u)",
			pj_ip_fmt(s->prefix).s, s->prefix_len, pj_ip_fmt(rte_cpu_to_be_32(a & m)).s,
			s->prefix_len);
	/* A subnet of the domain at this prefix or a shorter one (which
	 * covers this), else a longer one this covers. */
	for (len = 0; len <= s->prefix_len && k < 0; len++)
		k = prefix_get(c, s->rdid, a, len, 0);
	if (k < 0)
		k = prefix_get(c, s->rdid, a, s->prefix_len, 1);
	if (k < 0)
		return prefix_add(c, s, p->n_subnets);
	o = &p->subnets[k];
	policy_subnet_path(p, (unsigned int)k, where, sizeof(where));
	return pj_fail(c, "prefix", "%s/%u overlaps %s/%u of VSID %u (at %s.prefix)",
		pj_ip_fmt(s->prefix).s, s->prefix_len, pj_ip_fmt(o->prefix).s, o->prefix_len,
		o->vsid, where);
}

/* @ip is a host address of @s: inside, not network or broadcast address. */
static int
check_in_subnet(struct ctx *c, const char *key, rte_be32_t ip, const struct hnv_subnet_cfg *s)
{
	uint32_t a = rte_be_to_cpu_32(ip), m = pj_mask_of(s->prefix_len);
	uint32_t net = rte_be_to_cpu_32(s->prefix);
	const char *what;

	if ((a & m) != net)
		what = "is outside";
	else if (a == net)
		what = "is the network address of";
	else if (a == (net | ~m))
		what = "is the broadcast address of";
	else
		return 0;
	return pj_fail(c, key, "%s %s subnet %s/%u of VSID %u", pj_ip_fmt(ip).s, what,
		pj_ip_fmt(s->prefix).s, s->prefix_len, s->vsid);
}

static int
parse_subnet(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {{"vsid", true}, {"prefix", true}, {"encap", false},
		{"gateway", false}, {"flood_limit", false}, {"dhcp", false}, {"prefix6", false},
		{"gateway6", false}};
	struct hnv_policy *p = c->p;
	struct hnv_subnet_cfg *s = &p->subnets[p->n_subnets];
	long long vsid = 0;
	json_t *v;
	int rc;

	(void)i;
	s->rdid = p->rds[p->n_rds - 1].rdid;
	s->encap = ENCAP_TYPE_VXLAN;
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_int(
			c, "vsid", json_object_get(o, "vsid"), "VSID", VSID_MIN, VSID_MAX, &vsid);
	s->vsid = (uint32_t)vsid;
	if (rc == 0)
		rc = check_subnet_vsid(c, s);
	if (rc == 0)
		rc = pj_v_prefix(c, "prefix", json_object_get(o, "prefix"), SUBNET_LEN_MIN,
			SUBNET_LEN_MAX, &s->prefix, &s->prefix_len);
	if (rc == 0)
		rc = check_subnet_prefix(c, s);
	if (rc == 0 && (v = json_object_get(o, "encap")) != NULL)
		rc = parse_encap(c, v, &s->encap);
	/* R6: the default gateway is the lowest usable address. */
	if (rc == 0)
		s->gateway = rte_cpu_to_be_32(rte_be_to_cpu_32(s->prefix) + 1);
	if (rc == 0 && (v = json_object_get(o, "gateway")) != NULL) {
		rc = pj_v_ipv4(c, "gateway", v, &s->gateway);
		if (rc == 0)
			rc = check_in_subnet(c, "gateway", s->gateway, s);
	}
	if (rc == 0)
		rc = ipv6_parse_subnet(c, o, s);
	s->flood_limit = VFP_DEFAULT_FLOOD_LIMIT;
	if (rc == 0 && (v = json_object_get(o, "flood_limit")) != NULL) {
		long long limit = 0;

		rc = pj_v_int(c, "flood_limit", v, "flood limit", 0, FLOOD_LIMIT_MAX, &limit);
		s->flood_limit = (uint32_t)limit;
	}
	if (rc == 0)
		rc = dhcp_parse_subnet(c, o, &s->has_dhcp);
	if (rc == 0)
		p->n_subnets++;
	return rc;
}

static int
parse_rd(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {
		{"rdid", true}, {"name", false}, {"subnets", true}, {"routes", false}};
	struct hnv_policy *p = c->p;
	struct hnv_rd_cfg *rd = &p->rds[i];
	json_t *v, *subnets;
	long long rdid = 0;
	int64_t j;
	int rc;

	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_int(c, "rdid", json_object_get(o, "rdid"), "RDID", 1, UINT32_MAX, &rdid);
	rd->rdid = (uint32_t)rdid;
	if (rc == 0 && (j = pidx_put(&c->ix->rdid, &rd->rdid, (uint32_t)i)) >= 0)
		rc = pj_fail(c, "rdid", "duplicate RDID %u (also at $.routing_domains[%lld].rdid)",
			rd->rdid, (long long)j);
	else if (rc == 0 && j < -1)
		rc = pj_fail_nomem(c);
	if (rc == 0 && (v = json_object_get(o, "name")) != NULL)
		rc = pj_v_str(c, "name", v, rd->name, sizeof(rd->name));
	if (rc == 0)
		rc = pj_get_array(c, o, "subnets", 0, SIZE_MAX, &subnets);
	if (rc != 0)
		return rc;
	p->n_rds++; /* its subnets read their RDID from here */
	rc = pj_walk_objects(c, "subnets", subnets, parse_subnet);
	return rc != 0 ? rc : route_parse(c, o);
}

/* ---- VM NICs and mappings ----------------------------------------------- */

/* Field "vsid" of an object, @v, or (@v NULL) the integer @n. */
static int
policy_find_vsid_v(struct ctx *c, const json_t *v, long long n, const struct hnv_subnet_cfg **s)
{
	long long vsid = n;
	int rc = 0;

	if (v != NULL)
		rc = pj_v_int(c, "vsid", v, "VSID", VSID_MIN, VSID_MAX, &vsid);
	else if (n < VSID_MIN || n > VSID_MAX)
		rc = pj_fail(c, "vsid", "VSID %lld out of range %d..%d", n, VSID_MIN, VSID_MAX);
	if (rc != 0)
		return rc;
	*s = hnv_policy_find_subnet(c->p, (uint32_t)vsid);
	if (*s == NULL)
		return pj_fail(c, "vsid", "unknown VSID %lld", vsid);
	return 0;
}

int
policy_find_vsid(struct ctx *c, json_t *o, const struct hnv_subnet_cfg **s)
{
	return policy_find_vsid_v(c, json_object_get(o, "vsid"), 0, s);
}

/* "$.vm_nics[i]" or "$.mappings[i]" of @where (PIDX_MAPPING). */
void
policy_where_path(uint32_t where, char *buf, size_t size)
{
	if (where & PIDX_MAPPING)
		snprintf(buf, size, "$.mappings[%u]", where & ~PIDX_MAPPING);
	else
		snprintf(buf, size, "$.vm_nics[%u]", where);
}

int64_t
policy_claim(struct ctx *c, struct pidx *ix, const struct pidx *base, const void *key)
{
	int64_t w = pidx_put(ix, key, c->where);
	uint32_t had;

	if (w != -1 || base == NULL)
		return w;
	w = pidx_get(base, key);
	had = (uint32_t)w;
	if (w >= 0 && c->removed != NULL && pidx_get(c->removed, &had) >= 0)
		return -1; /* the entry that had it is replaced */
	return w;
}

/* MAC and CA are unique within a VSID across vm_nics and mappings (R11);
 * the same pair in another VSID is another tenant's (R22). The entry being
 * read (c->where) is indexed as it is checked. */
static int
check_unique_mac(struct ctx *c, uint32_t vsid, const struct rte_ether_addr *mac)
{
	struct pidx_mac_key k = {.vsid = vsid};
	char where[48];
	int64_t w;

	memcpy(k.mac, mac->addr_bytes, sizeof(k.mac));
	w = policy_claim(c, &c->ix->mac, c->base_ix != NULL ? &c->base_ix->mac : NULL, &k);
	if (w < -1)
		return pj_fail_nomem(c);
	if (w < 0)
		return 0;
	policy_where_path((uint32_t)w, where, sizeof(where));
	return pj_fail(c, "mac", "duplicate MAC %s in VSID %u (also at %s.mac)", pj_mac_fmt(mac).s,
		vsid, where);
}

static int
check_unique_ca(struct ctx *c, const char *key, uint32_t vsid, rte_be32_t ca)
{
	struct pidx_ca_key k = {.vsid = vsid, .ip = ca};
	int64_t w = policy_claim(c, &c->ix->ca, c->base_ix != NULL ? &c->base_ix->ca : NULL, &k);
	char where[48];

	if (w < -1)
		return pj_fail_nomem(c);
	if (w < 0)
		return 0;
	policy_where_path((uint32_t)w, where, sizeof(where));
	return pj_fail(c, key, "duplicate CA %s in VSID %u (also at %s.%s)", pj_ip_fmt(ca).s, vsid,
		where, w & PIDX_MAPPING ? "ca" : "ip");
}

bool
policy_is_ca(const struct ctx *c, uint32_t vsid, rte_be32_t ip)
{
	struct pidx_ca_key k = {.vsid = vsid, .ip = ip};

	return pidx_get(&c->ix->ca, &k) >= 0;
}

/* A CA: a host address of its subnet other than the router's gateway. */
static int
check_ca(struct ctx *c, const char *key, rte_be32_t ca, const struct hnv_subnet_cfg *s)
{
	int rc = check_in_subnet(c, key, ca, s);

	if (rc == 0 && ca == s->gateway)
		rc = pj_fail(
			c, key, "%s is the gateway address of VSID %u", pj_ip_fmt(ca).s, s->vsid);
	if (rc == 0)
		rc = check_unique_ca(c, key, s->vsid, ca);
	return rc;
}

static int
check_vnic_port(struct ctx *c, const char *name, uint16_t *out)
{
	const struct hnv_policy *p = c->p;
	int port = hnv_policy_find_port(p, name);
	uint32_t key;
	int64_t i;

	if (port < 0)
		return pj_fail(c, "port", "unknown port '%s'", name);
	if (hnv_policy_uplink_member(p, (unsigned int)port) >= 0)
		return pj_fail(c, "port", "port '%s' is an uplink ($.host.uplink)", name);
	key = (uint32_t)port;
	i = pidx_put(&c->ix->vnic_port, &key, p->n_vnics);
	if (i < -1)
		return pj_fail_nomem(c);
	if (i >= 0)
		return pj_fail(c, "port",
			"port '%s' is already bound to VM NIC '%s' (at $.vm_nics[%lld].port)", name,
			p->vnics[i].name, (long long)i);
	*out = (uint16_t)port;
	return 0;
}

static int
parse_vnic(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {{"name", true}, {"mac", true}, {"ip", true},
		{"vsid", true}, {"port", true}, {"ip_forwarding", false}, {"ipv6", false}};
	struct hnv_policy *p = c->p;
	struct hnv_vnic_cfg *n = &p->vnics[i];
	const struct hnv_subnet_cfg *s = NULL;
	char port[HNV_NAME_MAX];
	long long j;
	int rc;

	c->where = (uint32_t)i;
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(c, "name", json_object_get(o, "name"), n->name, sizeof(n->name));
	if (rc == 0 && (j = index_put(c, &c->ix->vnic_name, n->name, sizeof(n->name), i)) >= 0)
		rc = pj_fail(c, "name", "duplicate VM NIC name '%s' (also at $.vm_nics[%lld].name)",
			n->name, j);
	else if (rc == 0 && j < -1)
		rc = pj_fail_nomem(c);
	if (rc == 0)
		rc = policy_find_vsid(c, o, &s);
	if (rc == 0) {
		n->vsid = s->vsid;
		rc = pj_v_mac(c, "mac", json_object_get(o, "mac"), &n->mac);
	}
	if (rc == 0)
		rc = check_unique_mac(c, n->vsid, &n->mac);
	if (rc == 0)
		rc = pj_v_ipv4(c, "ip", json_object_get(o, "ip"), &n->ip);
	if (rc == 0)
		rc = check_ca(c, "ip", n->ip, s);
	if (rc == 0)
		rc = ipv6_parse_ca(c, o, s, &n->has_ipv6, n->ipv6);
	if (rc == 0)
		rc = pj_v_str(c, "port", json_object_get(o, "port"), port, sizeof(port));
	if (rc == 0)
		rc = check_vnic_port(c, port, &n->port);
	if (rc == 0)
		rc = policy_opt_bool(c, o, "ip_forwarding", &n->ip_forwarding);
	if (rc == 0)
		p->n_vnics++;
	return rc;
}

/* A remote host's PA (pj_s_pa checked the address): not ours, and of a
 * family we have a PA of, to send to it from. */
static int
check_mapping_pa(struct ctx *c, rte_be32_t pa)
{
	const struct hnv_host_cfg *h = &c->p->host;
	unsigned int i;

	for (i = 0; i < h->n_pa; i++)
		if (h->pa[i] == pa)
			return pj_fail(c, "pa",
				"%s is our own PA ($.host.pa[%u]); local VMs belong in vm_nics",
				pj_pa_fmt(pa).s, i);
	if (pa_family_count(h, hnv_pa_is_v6(pa)) == 0)
		return pj_fail(c, "pa", "%s is an %s PA, and $.host.pa has none to send from",
			pj_pa_fmt(pa).s, hnv_pa_is_v6(pa) ? "IPv6" : "IPv4");
	return 0;
}

/* A mapping's field: a jansson value, or (from the stream's scanner) a
 * string already known to be one. */
struct mval {
	const json_t *j;
	const char *s;
};

static int
mval_ipv4(struct ctx *c, const char *key, struct mval v, rte_be32_t *out)
{
	return v.j != NULL ? pj_v_ipv4(c, key, v.j, out) : pj_s_ipv4(c, key, v.s, out);
}

static int
mval_pa(struct ctx *c, const char *key, struct mval v, rte_be32_t *out)
{
	return v.j != NULL ? pj_v_pa(c, key, v.j, out) : pj_s_pa(c, key, v.s, out);
}

static int
mval_mac(struct ctx *c, const char *key, struct mval v, struct rte_ether_addr *out)
{
	return v.j != NULL ? pj_v_mac(c, key, v.j, out) : pj_s_mac(c, key, v.s, out);
}

/* Mapping @i from its fields; @o is the object for the optional ones
 * (NULL: it has none), @vsid a jansson value or NULL for @vsid_n. */
static int
read_mapping(struct ctx *c, size_t i, const json_t *vsid, long long vsid_n, struct mval ca,
	struct mval mac, struct mval pa, json_t *o)
{
	struct hnv_policy *p = c->p;
	struct hnv_mapping_cfg *m = &p->mappings[i];
	const struct hnv_subnet_cfg *s = NULL;
	int rc;

	c->where = PIDX_MAPPING | (uint32_t)i;
	rc = policy_find_vsid_v(c, vsid, vsid_n, &s);
	if (rc == 0) {
		m->vsid = s->vsid;
		rc = mval_ipv4(c, "ca", ca, &m->ca);
	}
	if (rc == 0)
		rc = check_ca(c, "ca", m->ca, s);
	if (rc == 0 && o != NULL)
		rc = ipv6_parse_ca(c, o, s, &m->has_ipv6, m->ipv6);
	if (rc == 0)
		rc = mval_mac(c, "mac", mac, &m->mac);
	if (rc == 0)
		rc = check_unique_mac(c, m->vsid, &m->mac);
	if (rc == 0)
		rc = mval_pa(c, "pa", pa, &m->pa);
	if (rc == 0)
		rc = check_mapping_pa(c, m->pa);
	if (rc == 0 && o != NULL)
		rc = policy_opt_bool(c, o, "ip_forwarding", &m->ip_forwarding);
	if (rc == 0)
		p->n_mappings++;
	return rc;
}

static int
parse_mapping(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {{"vsid", true}, {"ca", true}, {"mac", true},
		{"pa", true}, {"ip_forwarding", false}, {"ipv6", false}};
	int rc = pj_check_fields(c, o, fields, RTE_DIM(fields));

	return rc != 0 ? rc
		       : read_mapping(c, i, json_object_get(o, "vsid"), 0,
				 (struct mval){.j = json_object_get(o, "ca")},
				 (struct mval){.j = json_object_get(o, "mac")},
				 (struct mval){.j = json_object_get(o, "pa")}, o);
}

/* ---- the document ------------------------------------------------------- */

static int
parse_version(struct ctx *c, json_t *root)
{
	json_t *v = json_object_get(root, "version");

	if (!json_is_integer(v))
		return pj_fail_type(c, "version", v, "integer");
	if (json_integer_value(v) != HNV_POLICY_VERSION)
		return pj_fail(c, "version", "unsupported version %lld (expected %d)",
			(long long)json_integer_value(v), HNV_POLICY_VERSION);
	return 0;
}

static int
parse_ports(struct ctx *c, json_t *root)
{
	json_t *arr;
	int rc;

	rc = pj_get_array(c, root, "ports", 1, UINT16_MAX, &arr);
	if (rc == 0)
		rc = pj_alloc_array(
			c, json_array_size(arr), sizeof(*c->p->ports), (void **)&c->p->ports);
	return rc != 0 ? rc : pj_walk_objects(c, "ports", arr, parse_port);
}

static int
parse_rds(struct ctx *c, json_t *root)
{
	size_t i, n_subnets = 0, n_routes = 0;
	json_t *arr, *rd;
	int rc;

	rc = pj_get_array(c, root, "routing_domains", 0, SIZE_MAX, &arr);
	if (rc != 0)
		return rc;
	/* Size the flat subnet and route arrays up front; types are checked
	 * on the walk. */
	json_array_foreach(arr, i, rd)
	{
		n_subnets += json_array_size(json_object_get(rd, "subnets"));
		n_routes += json_array_size(json_object_get(rd, "routes"));
	}
	rc = pj_alloc_array(c, json_array_size(arr), sizeof(*c->p->rds), (void **)&c->p->rds);
	if (rc == 0)
		rc = pj_alloc_array(c, n_subnets, sizeof(*c->p->subnets), (void **)&c->p->subnets);
	if (rc == 0)
		rc = pj_alloc_array(c, n_routes, sizeof(*c->p->routes), (void **)&c->p->routes);
	return rc != 0 ? rc : pj_walk_objects(c, "routing_domains", arr, parse_rd);
}

/* An optional array of objects at @key, allocated into *@model. */
static int
parse_optional(
	struct ctx *c, json_t *root, const char *key, size_t elem_size, void **model, elem_fn fn)
{
	json_t *arr;
	int rc;

	if (json_object_get(root, key) == NULL)
		return 0;
	rc = pj_get_array(c, root, key, 0, SIZE_MAX, &arr);
	if (rc == 0)
		rc = pj_alloc_array(c, json_array_size(arr), elem_size, model);
	return rc != 0 ? rc : pj_walk_objects(c, key, arr, fn);
}

/* Element @i of the streamed mappings: as pj_walk_objects would, with room
 * made as they come and the cancel flag looked at now and then. */
static int
stream_mapping(struct ctx *c, json_t *o, const struct policy_mapping_text *t, size_t i)
{
	struct hnv_policy *p = c->p;
	size_t inner;
	int rc;

	if (i % CANCEL_EVERY == 0 && c->cancel != NULL && atomic_load(c->cancel)) {
		snprintf(c->err, c->errlen, "%s: cancelled", c->source);
		return -ECANCELED;
	}
	if (i == c->mappings_cap) {
		size_t cap = c->mappings_cap ? 2 * c->mappings_cap : 1024;
		struct hnv_mapping_cfg *m;

		if (cap > UINT32_MAX / 2 || (m = realloc(p->mappings, cap * sizeof(*m))) == NULL)
			return pj_fail_nomem(c);
		memset(m + c->mappings_cap, 0, (cap - c->mappings_cap) * sizeof(*m));
		p->mappings = m;
		c->mappings_cap = cap;
	}
	if (c->keep_spans && i == c->spans_cap) {
		size_t cap = c->spans_cap ? 2 * c->spans_cap : 1024;
		struct policy_span *sp = realloc(c->spans, cap * sizeof(*sp));

		if (sp == NULL)
			return pj_fail_nomem(c);
		c->spans = sp;
		c->spans_cap = cap;
	}
	if (c->keep_spans) {
		c->spans[i].start = (uint64_t)(c->elem_start - c->text);
		c->spans[i].len = (uint64_t)(c->elem_end - c->elem_start);
	}
	inner = pj_path_push_index(c, i);
	if (t != NULL)
		rc = read_mapping(c, i, NULL, t->vsid, (struct mval){.s = t->ca},
			(struct mval){.s = t->mac}, (struct mval){.s = t->pa}, NULL);
	else
		rc = json_is_object(o) ? parse_mapping(c, o, i)
				       : pj_fail_type(c, NULL, o, "object");
	pj_path_pop(c, inner);
	return rc;
}

static int
stream_mappings(struct ctx *c)
{
	size_t outer = pj_path_push(c, ".mappings"), n;
	int rc = policy_stream(c, c->split, stream_mapping, &n, &c->retry);

	pj_path_pop(c, outer);
	return rc;
}

static int
parse_root(struct ctx *c, json_t *root)
{
	static const struct field fields[] = {{"version", true}, {"host", true}, {"ports", true},
		{"routing_domains", true}, {"vm_nics", false}, {"mappings", false}, {"acls", false},
		{"flow_timeouts", false}};
	struct hnv_policy *p = c->p;
	int rc;

	if (!json_is_object(root))
		return pj_fail_type(c, NULL, root, "object");
	rc = pj_check_fields(c, root, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = parse_version(c, root);
	if (rc == 0)
		rc = parse_ports(c, root);
	if (rc == 0)
		rc = pj_with_object(c, root, "host", parse_host);
	if (rc == 0)
		rc = parse_rds(c, root);
	if (rc == 0)
		rc = parse_optional(
			c, root, "vm_nics", sizeof(*p->vnics), (void **)&p->vnics, parse_vnic);
	if (rc == 0 && c->split != NULL)
		rc = stream_mappings(c);
	else if (rc == 0)
		rc = parse_optional(c, root, "mappings", sizeof(*p->mappings),
			(void **)&p->mappings, parse_mapping);
	if (rc == 0)
		rc = route_resolve(c);
	if (rc == 0)
		rc = parse_optional(
			c, root, "acls", sizeof(*p->acls), (void **)&p->acls, acl_parse);
	if (rc == 0)
		rc = acl_parse_flow_timeouts(c, root);
	return rc;
}

/* ---- public API --------------------------------------------------------- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "<source>:<line>:<column>: <text>", the compiler convention editors jump to.
 * jansson's text quotes the bytes near the error ("invalid token near '...'")
 * raw, so it is escaped like every other message that quotes the policy. */
static int
json_fail(const json_error_t *je, const char *source, char *err, size_t errlen)
{
	char text[4 * JSON_ERROR_TEXT_LENGTH];

	if (json_error_code(je) == json_error_out_of_memory) {
		set_err(err, errlen, "%s: out of memory", source);
		return -ENOMEM;
	}
	hnv_policy_escape(text, sizeof(text), je->text);
	if (je->line < 0)
		set_err(err, errlen, "%s: %s", source, text);
	else
		set_err(err, errlen, "%s:%d:%d: %s", source, je->line, je->column, text);
	return -EINVAL;
}

/* What a load for a base keeps (policy_parse_base). */
struct base_out {
	const char *text;
	struct policy_span *spans; /* NULL: the mappings were not streamed */
	size_t arr_open, arr_close;
};

/* Validate @root (consumed) into a new policy; with @split, its mappings
 * are streamed from the text (*@retry: the stream could not follow it).
 * With @bo, the indexes stay whole and the mappings' spans are kept. */
static int
build(json_t *root, const char *source, const struct policy_split *split, const atomic_bool *cancel,
	struct base_out *bo, struct hnv_policy **out, char *err, size_t errlen, bool *retry)
{
	struct ctx c = {.source = source,
		.err = err,
		.errlen = errlen,
		.path = "$",
		.path_len = 1,
		.split = split,
		.cancel = cancel,
		.text = bo != NULL ? bo->text : NULL,
		.keep_spans = bo != NULL && split != NULL};
	int rc;

	*retry = false;
	c.p = calloc(1, sizeof(*c.p));
	if (c.p != NULL)
		c.p->index = calloc(1, sizeof(*c.p->index));
	if (c.p == NULL || c.p->index == NULL || pidx_set_init(c.p->index, 1024) != 0) {
		json_decref(root);
		hnv_policy_free(c.p);
		return pj_fail_nomem(&c);
	}
	c.ix = c.p->index;
	snprintf(c.p->source, sizeof(c.p->source), "%s", source);
	rc = parse_root(&c, root);
	json_decref(root);
	if (rc != 0 || c.retry) {
		*retry = c.retry;
		hnv_policy_free(c.p);
		free(c.spans);
		return rc;
	}
	if (bo != NULL) {
		bo->spans = c.spans;
		if (split != NULL) {
			bo->arr_open = (size_t)(split->array - bo->text);
			bo->arr_close = bo->arr_open + split->array_len - 1;
		}
	} else {
		pidx_set_trim(c.p->index);
	}
	set_err(err, errlen, "%s", "");
	*out = c.p;
	return 0;
}

/* The text for jansson, a chunk at a time (json_load_callback). */
struct feed {
	const char *text;
	size_t len, off;
	const atomic_bool *cancel;
	bool cancelled;
};

static size_t
feed_chunk(void *buf, size_t size, void *arg)
{
	struct feed *f = arg;
	size_t n = RTE_MIN(size, f->len - f->off);

	if (f->cancel != NULL && atomic_load(f->cancel)) {
		f->cancelled = true;
		return (size_t)-1;
	}
	memcpy(buf, f->text + f->off, n);
	f->off += n;
	return n;
}

/* Parse and validate the policy @text of @len bytes (@bo: build). */
static int
parse_text(const char *text, size_t len, const char *source, const atomic_bool *cancel,
	struct base_out *bo, struct hnv_policy **out, char *err, size_t errlen)
{
	struct policy_split sp;
	bool retry = false;
	json_error_t je;
	json_t *root;
	int rc;

	/* First with the mappings taken to be the last member (the common
	 * case, which spares a scan of them); a build on that guess stands
	 * only if it succeeds: anything else is tried again without it. */
	for (int guess = 1; guess >= 0; guess--) {
		rc = policy_split(text, len, guess, cancel, &sp);
		if (rc == -ENOMEM || rc == -ECANCELED) {
			set_err(err, errlen, "%s: %s", source,
				rc == -ENOMEM ? "out of memory" : "cancelled");
			return rc;
		}
		if (rc != 0)
			break;
		root = json_loadb(sp.doc, sp.doc_len, JSON_REJECT_DUPLICATES, &je);
		rc = root != NULL ? build(root, source, &sp, cancel, bo, out, err, errlen, &retry)
				  : -1;
		free(sp.doc);
		if (rc == -ECANCELED || rc == -ENOMEM || (root != NULL && !retry && rc == 0))
			return rc;
		if (root != NULL && !retry && !sp.guessed)
			return rc; /* the array was found by scanning: the error stands */
		if (!sp.guessed)
			break;
	}
	/* No mappings array where the scanner looks, or text it could not
	 * follow: jansson reads the whole (and places any syntax error), a
	 * chunk at a time so that a cancel is seen. */
	{
		struct feed f = {.text = text, .len = len, .cancel = cancel};

		root = json_load_callback(feed_chunk, &f, JSON_REJECT_DUPLICATES, &je);
		if (root == NULL && f.cancelled) {
			set_err(err, errlen, "%s: cancelled", source);
			return -ECANCELED;
		}
	}
	if (root == NULL)
		return json_fail(&je, source, err, errlen);
	return build(root, source, NULL, cancel, bo, out, err, errlen, &retry);
}

int
policy_parse_tree(
	const char *text, const char *source, struct hnv_policy **out, char *err, size_t errlen)
{
	bool retry;
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	if (root == NULL)
		return json_fail(&je, source, err, errlen);
	return build(root, source, NULL, NULL, NULL, out, err, errlen, &retry);
}

int
hnv_policy_parse(
	const char *json, const char *source, struct hnv_policy **out, char *err, size_t errlen)
{
	if (source == NULL)
		source = "<string>";
	if (json == NULL || out == NULL) {
		set_err(err, errlen, "%s: invalid argument", source);
		return -EINVAL;
	}
	return parse_text(json, strlen(json), source, NULL, NULL, out, err, errlen);
}

/* Open @path for reading if it is a regular file. O_NONBLOCK makes the open
 * itself return at once whatever is there (a FIFO without a writer, a
 * terminal without carrier); fstat on what was opened, not on the name, then
 * decides, so a rename in between cannot slip a FIFO past the check. */
static int
open_regular(const char *path, char *err, size_t errlen, off_t *size)
{
	struct stat st;
	int fd, fl, rc;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* Back to blocking reads: a regular file ignores O_NONBLOCK on Linux,
	 * but a network or FUSE file system need not. */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	*size = st.st_size;
	return fd;
}

/* Read all of @fd (about @hint bytes) into *@buf (*@cap bytes, reused if
 * it holds the hint and a NUL, else replaced), NUL-ended, a chunk at a
 * time, looking at @cancel between chunks. *@buf stays the caller's,
 * whatever the outcome. */
size_t
policy_read_cap(size_t len)
{
	return len + len / 16 + 2;
}

static int
read_all(int fd, off_t hint, const atomic_bool *cancel, char **buf, size_t *cap, size_t *len)
{
	size_t want = (size_t)RTE_MAX(hint, (off_t)0) + 2, n = 0;
	char *nb;
	ssize_t r;

	/* One more than the size: a file that grew since fstat is seen to.
	 * A buffer grown gets the headroom of policy_read_cap, so that the
	 * next, slightly larger file of a reload fits it too; it grows by
	 * realloc, which moves a large buffer's pages (mremap) instead of
	 * faulting in new ones. */
	if (*buf == NULL || *cap < want) {
		nb = realloc(*buf, policy_read_cap(want));
		if (nb == NULL)
			return -ENOMEM;
		*buf = nb;
		*cap = policy_read_cap(want);
	}
	for (;;) {
		if (cancel != NULL && atomic_load(cancel))
			return -ECANCELED;
		if (n + 1 == *cap) {
			nb = realloc(*buf, 2 * *cap);
			if (nb == NULL)
				return -ENOMEM;
			*buf = nb;
			*cap *= 2;
		}
		r = read(fd, *buf + n, RTE_MIN(*cap - 1 - n, (size_t)READ_CHUNK));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

int
policy_read_file(const char *path, const atomic_bool *cancel, char **buf, size_t *cap,
	size_t *out_len, char *err, size_t errlen)
{
	size_t len = 0;
	off_t size = 0;
	int fd, rc;

	fd = open_regular(path, err, errlen, &size);
	if (fd < 0)
		return fd;
	rc = read_all(fd, size, cancel, buf, cap, &len);
	close(fd);
	if (rc == -ECANCELED)
		set_err(err, errlen, "%s: cancelled", path);
	else if (rc == -ENOMEM)
		set_err(err, errlen, "%s: out of memory (%lld bytes)", path, (long long)size);
	else if (rc != 0)
		set_err(err, errlen, "%s: read error: %s", path, strerror(-rc));
	if (rc != 0)
		return rc;
	*out_len = len;
	return 0;
}

int
policy_parse_base(const char *text, size_t len, const char *source, const atomic_bool *cancel,
	struct hnv_policy **out, struct policy_span **spans, size_t *arr_open, size_t *arr_close,
	char *err, size_t errlen)
{
	struct base_out bo = {.text = text};
	int rc = parse_text(text, len, source, cancel, &bo, out, err, errlen);

	*spans = rc == 0 ? bo.spans : NULL;
	*arr_open = bo.arr_open;
	*arr_close = bo.arr_close;
	return rc;
}

int
policy_read_ranges(const struct hnv_policy *base, const char *text, struct policy_range *ranges,
	size_t n_ranges, const struct pidx *removed, const atomic_bool *cancel,
	struct hnv_mapping_cfg **out, struct policy_span **spans, size_t *n, char *err,
	size_t errlen)
{
	/* The new elements are read into a policy that is the base's but for
	 * its mappings (its subnets, host and VSID index are the base's, only
	 * read), and checked against indexes of their own and the base's. */
	struct hnv_policy t = *base;
	struct hnv_policy_index tix = {0};
	struct ctx c = {.source = base->source,
		.err = err,
		.errlen = errlen,
		.path = "$",
		.path_len = 1,
		.p = &t,
		.ix = &tix,
		.base_ix = base->index,
		.removed = removed,
		.cancel = cancel,
		.text = text,
		.keep_spans = true};
	size_t outer;
	bool retry = false;
	int rc;

	t.mappings = NULL;
	t.n_mappings = 0;
	rc = pidx_init(&tix.mac, sizeof(struct pidx_mac_key), 64);
	if (rc == 0)
		rc = pidx_init(&tix.ca, sizeof(struct pidx_ca_key), 64);
	if (rc == 0)
		rc = pidx_init(&tix.ca6, sizeof(struct pidx_ca6_key), 64);
	if (rc == 0) {
		outer = pj_path_push(&c, ".mappings");
		for (size_t k = 0; rc == 0 && !retry && k < n_ranges; k++)
			rc = policy_stream_range(&c, text + ranges[k].from, text + ranges[k].to,
				t.n_mappings, stream_mapping, &ranges[k].n, &retry);
		pj_path_pop(&c, outer);
		if (rc == 0 && retry)
			rc = 1;
	} else {
		rc = -ENOMEM;
	}
	pidx_free(&tix.mac);
	pidx_free(&tix.ca);
	pidx_free(&tix.ca6);
	if (rc != 0) {
		free(t.mappings);
		free(c.spans);
		return rc;
	}
	*out = t.mappings;
	*spans = c.spans;
	*n = t.n_mappings;
	return 0;
}

/* A copy of @n elements of @size bytes at @src into *@dst (NULL for none). */
static int
dup_array(void **dst, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	*dst = malloc(n * size);
	if (*dst == NULL)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

struct hnv_policy *
policy_shell(const struct hnv_policy *p, unsigned int n_mappings)
{
	struct hnv_policy *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return NULL;
	*s = *p;
	s->ports = NULL;
	s->rds = NULL;
	s->subnets = NULL;
	s->routes = NULL;
	s->vnics = NULL;
	s->mappings = NULL;
	s->acls = NULL;
	s->n_acls = 0;
	s->n_mappings = n_mappings;
	s->index = calloc(1, sizeof(*s->index));
	rc = s->index != NULL ? 0 : -ENOMEM;
	if (rc == 0)
		rc = pidx_clone(&s->index->vsid, &p->index->vsid);
	if (rc == 0)
		rc = pidx_clone(&s->index->port, &p->index->port);
	if (rc == 0)
		rc = dup_array((void **)&s->ports, p->ports, p->n_ports, sizeof(*p->ports));
	if (rc == 0)
		rc = dup_array((void **)&s->rds, p->rds, p->n_rds, sizeof(*p->rds));
	if (rc == 0)
		rc = dup_array((void **)&s->subnets, p->subnets, p->n_subnets, sizeof(*p->subnets));
	if (rc == 0)
		rc = dup_array((void **)&s->routes, p->routes, p->n_routes, sizeof(*p->routes));
	if (rc == 0)
		rc = dup_array((void **)&s->vnics, p->vnics, p->n_vnics, sizeof(*p->vnics));
	if (rc == 0)
		rc = dup_array((void **)&s->acls, p->acls, p->n_acls, sizeof(*p->acls));
	if (rc == 0) {
		for (unsigned int i = 0; i < p->n_acls; i++)
			s->acls[i].rules = NULL;
		s->n_acls = p->n_acls;
		for (unsigned int i = 0; rc == 0 && i < p->n_acls; i++)
			rc = dup_array((void **)&s->acls[i].rules, p->acls[i].rules,
				p->acls[i].n_rules, sizeof(*p->acls[i].rules));
	}
	if (rc != 0) {
		hnv_policy_free(s);
		return NULL;
	}
	return s;
}

int
hnv_policy_load_ex(const char *path, const struct hnv_policy_load_opts *opts,
	struct hnv_policy **out, char *err, size_t errlen)
{
	const atomic_bool *cancel = opts != NULL ? opts->cancel : NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (path == NULL || out == NULL) {
		set_err(err, errlen, "%s: invalid argument", path ? path : "<null>");
		return -EINVAL;
	}
	rc = policy_read_file(path, cancel, &text, &cap, &len, err, errlen);
	if (rc != 0) {
		free(text);
		return rc;
	}
	rc = parse_text(text, len, path, cancel, NULL, out, err, errlen);
	if (rc == 0 && opts != NULL && opts->text != NULL) {
		*opts->text = text;
		*opts->text_len = len;
	} else {
		free(text);
	}
	return rc;
}

int
hnv_policy_load(const char *path, struct hnv_policy **out, char *err, size_t errlen)
{
	return hnv_policy_load_ex(path, NULL, out, err, errlen);
}

void
hnv_policy_free(struct hnv_policy *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	free(p->ports);
	free(p->rds);
	free(p->subnets);
	free(p->routes);
	free(p->vnics);
	free(p->mappings);
	for (i = 0; i < p->n_acls; i++)
		free(p->acls[i].rules);
	free(p->acls);
	pidx_set_free(p->index);
	free(p);
}

const struct hnv_subnet_cfg *
hnv_policy_find_subnet(const struct hnv_policy *p, uint32_t vsid)
{
	unsigned int i;
	int64_t k;

	if (p == NULL)
		return NULL;
	if (p->index != NULL) {
		k = pidx_get(&p->index->vsid, &vsid);
		return k >= 0 && (uint64_t)k < p->n_subnets ? &p->subnets[k] : NULL;
	}
	for (i = 0; i < p->n_subnets; i++)
		if (p->subnets[i].vsid == vsid)
			return &p->subnets[i];
	return NULL;
}

int
hnv_policy_find_port(const struct hnv_policy *p, const char *name)
{
	char key[HNV_NAME_MAX] = {0};
	unsigned int i;
	int64_t k;

	if (p == NULL || name == NULL)
		return -1;
	if (p->index != NULL) {
		if (strlen(name) >= sizeof(key))
			return -1;
		strcpy(key, name);
		k = pidx_get(&p->index->port, key);
		return k >= 0 && (uint64_t)k < p->n_ports ? (int)k : -1;
	}
	for (i = 0; i < p->n_ports; i++)
		if (strcmp(p->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}
