/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_acl.c: the "acls" and "flow_timeouts" sections (R9, R21).
 *
 * Owns: every validation rule of an ACL and its rules (docs/policy.md,
 * sections acls and flow_timeouts, is the reference; keep the two in step)
 * and the defaults the model gets when a field is left out.
 *
 * An ACL sits on one VM NIC's port or on one VSID, at most one of each, so
 * the compiler never has to merge two lists for the same place. Within an
 * ACL the priority of a rule is unique per direction: the first match
 * decides, and two rules that could tie would make the verdict depend on
 * file order. A match field that is left out means "any"; ports are only
 * meaningful for TCP and UDP, so asking for them with any other protocol is
 * an error rather than a rule that silently never matches. For the same
 * reason a rule's src and dst are of one family, IPv4 or IPv6 (writing an
 * address, even 0.0.0.0/0 or ::/0, restricts the rule to that family; only
 * "any" leaves it to both), and ICMP is named by the family it belongs to.
 *
 * Called from policy.c after mappings, so ports, VM NICs and VSIDs are all
 * known. Same conventions as there: first failure stops, one message.
 */
#include <ctype.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "hnv_policy.h"
#include "policy_acl.h"
#include "policy_json.h"

#define PRIORITY_MIN 1
#define PRIORITY_MAX 65535
#define TIMEOUT_MIN 1
#define TIMEOUT_MAX 86400 /* one day */
#define PORT_DIGITS_MAX 5

static const char *const dir_names[] = {[VFP_DIR_IN] = "in", [VFP_DIR_OUT] = "out"};

/* ---- match fields ------------------------------------------------------- */

static int
parse_direction(struct ctx *c, const json_t *v, uint8_t *out)
{
	const char *s;

	if (!json_is_string(v))
		return pj_fail_type(c, "direction", v, "string");
	s = json_string_value(v);
	if (strcmp(s, "in") == 0)
		*out = VFP_DIR_IN;
	else if (strcmp(s, "out") == 0)
		*out = VFP_DIR_OUT;
	else
		return pj_fail(
			c, "direction", "unknown direction '%s' (expected \"in\" or \"out\")", s);
	return 0;
}

static int
parse_action(struct ctx *c, const json_t *v, uint8_t *out)
{
	const char *s;

	if (!json_is_string(v))
		return pj_fail_type(c, "action", v, "string");
	s = json_string_value(v);
	if (strcmp(s, "allow") == 0)
		*out = HNV_ACL_ALLOW;
	else if (strcmp(s, "deny") == 0)
		*out = HNV_ACL_DENY;
	else
		return pj_fail(
			c, "action", "unknown action '%s' (expected \"allow\" or \"deny\")", s);
	return 0;
}

/* "any" (-1), a name, or an IP protocol number 0..255. */
static int
parse_protocol(struct ctx *c, const json_t *v, int16_t *out)
{
	static const struct {
		const char *name;
		int16_t proto;
	} names[] = {{"any", -1}, {"tcp", IPPROTO_TCP}, {"udp", IPPROTO_UDP},
		{"icmp", IPPROTO_ICMP}, {"icmpv6", IPPROTO_ICMPV6}};
	long long n = 0;
	size_t i;
	int rc;

	if (json_is_integer(v)) {
		rc = pj_v_int(c, "protocol", v, "protocol", 0, UINT8_MAX, &n);
		*out = (int16_t)n;
		return rc;
	}
	if (!json_is_string(v))
		return pj_fail_type(c, "protocol", v, "string or integer");
	for (i = 0; i < RTE_DIM(names); i++)
		if (strcmp(json_string_value(v), names[i].name) == 0) {
			*out = names[i].proto;
			return 0;
		}
	return pj_fail(c, "protocol",
		"unknown protocol '%s' (expected \"any\", \"tcp\", \"udp\", \"icmp\", \"icmpv6\" "
		"or 0..255)",
		json_string_value(v));
}

/* An IPv6 @v of field @key: "X:X::X" (/128) or a network "X:X::X/N" with N
 * in 0..128. */
static int
parse_match_prefix6(struct ctx *c, const char *key, const json_t *v, uint8_t addr[16], uint8_t *len)
{
	uint8_t net[16];
	int rc;

	if (strchr(json_string_value(v), '/') == NULL) {
		*len = 128;
		return pj_v_ipv6(c, key, v, addr);
	}
	rc = pj_v_prefix6(c, key, v, 0, 128, addr, len);
	if (rc != 0)
		return rc;
	pj_ip6_mask(net, addr, *len);
	if (memcmp(net, addr, sizeof(net)) != 0)
		return pj_fail(c, key, "%s/%u has host bits set (network is %s/%u)",
			pj_ip6_fmt(addr).s, *len, pj_ip6_fmt(net).s, *len);
	return 0;
}

/* Field @key of @o: absent or "any" (no condition, *@family 0); "A.B.C.D"
 * (/32) or a network "A.B.C.D/N" with N in 0..32 (*@family 4); or an IPv6
 * address or network, anything with a colon (*@family 6). */
static int
parse_match_prefix(struct ctx *c, json_t *o, const char *key, uint8_t *family, rte_be32_t *addr,
	uint8_t *len, uint8_t addr6[16], uint8_t *len6)
{
	const json_t *v = json_object_get(o, key);
	uint32_t a, m;
	int rc;

	*family = HNV_ACL_FAMILY_ANY;
	*addr = 0;
	*len = 0;
	memset(addr6, 0, 16);
	*len6 = 0;
	if (v == NULL || (json_is_string(v) && strcmp(json_string_value(v), "any") == 0))
		return 0;
	if (json_is_string(v) && strchr(json_string_value(v), ':') != NULL) {
		*family = HNV_ACL_FAMILY_IPV6;
		return parse_match_prefix6(c, key, v, addr6, len6);
	}
	*family = HNV_ACL_FAMILY_IPV4;
	if (json_is_string(v) && strchr(json_string_value(v), '/') == NULL) {
		*len = 32;
		return pj_v_ipv4(c, key, v, addr);
	}
	rc = pj_v_prefix(c, key, v, 0, 32, addr, len);
	if (rc != 0)
		return rc;
	a = rte_be_to_cpu_32(*addr);
	m = pj_mask_of(*len);
	if ((a & ~m) != 0)
		return pj_fail(c, key, "%s/%u has host bits set (network is %s/%u)",
			pj_ip_fmt(*addr).s, *len, pj_ip_fmt(rte_cpu_to_be_32(a & m)).s, *len);
	return 0;
}

/* A decimal port at *@s: 1..5 digits, no leading zero; advances *@s. */
static bool
port_scan(const char **s, long *out)
{
	const char *p = *s;
	long n = 0;

	while (isdigit((unsigned char)*p) && p - *s < PORT_DIGITS_MAX + 1)
		n = n * 10 + (*p++ - '0');
	if (p == *s || p - *s > PORT_DIGITS_MAX || (**s == '0' && p - *s > 1))
		return false;
	*s = p;
	*out = n;
	return true;
}

/* A port range string: "any", "N" or "N-M". */
static int
parse_port_string(struct ctx *c, const char *key, const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *p = s;
	long a, b;

	if (strcmp(s, "any") == 0)
		return 0;
	if (!port_scan(&p, &a))
		goto malformed;
	b = a;
	if (*p == '-') {
		p++;
		if (!port_scan(&p, &b))
			goto malformed;
	}
	if (*p != '\0')
		goto malformed;
	if (a > UINT16_MAX || b > UINT16_MAX)
		return pj_fail(c, key, "port %ld out of range 0..65535", a > UINT16_MAX ? a : b);
	if (a > b)
		return pj_fail(c, key, "reversed port range '%s' (expected low-high)", s);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
malformed:
	return pj_fail(c, key, "malformed port range '%s' (expected \"any\", N or N-M)", s);
}

/* Field @key of @o: absent (any), a port number or a port range string;
 * only with TCP or UDP. */
static int
parse_match_ports(
	struct ctx *c, json_t *o, const char *key, int16_t proto, uint16_t *lo, uint16_t *hi)
{
	const json_t *v = json_object_get(o, key);
	long long n = 0;
	int rc;

	*lo = 0;
	*hi = UINT16_MAX;
	if (v == NULL)
		return 0;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return pj_fail(c, key, "ports need protocol tcp or udp");
	if (json_is_string(v))
		return parse_port_string(c, key, json_string_value(v), lo, hi);
	if (!json_is_integer(v))
		return pj_fail_type(c, key, v, "string or integer");
	rc = pj_v_int(c, key, v, "port", 0, UINT16_MAX, &n);
	*lo = *hi = (uint16_t)n;
	return rc;
}

/* The addresses of @r: src (family @sf) and dst (@df) of one family, which
 * becomes the rule's; ICMP of the other family would never match. */
static int
check_rule_family(struct ctx *c, struct hnv_acl_rule_cfg *r, uint8_t sf, uint8_t df)
{
	if (sf != HNV_ACL_FAMILY_ANY && df != HNV_ACL_FAMILY_ANY && sf != df)
		return pj_fail(c, "dst",
			"dst is IPv%u but src is IPv%u (a rule's addresses are of one family)", df,
			sf);
	r->family = sf != HNV_ACL_FAMILY_ANY ? sf : df;
	if (r->family == HNV_ACL_FAMILY_IPV6 && r->protocol == IPPROTO_ICMP)
		return pj_fail(c, "protocol",
			"protocol icmp (1) does not match IPv6; use \"icmpv6\" (58)");
	if (r->family == HNV_ACL_FAMILY_IPV4 && r->protocol == IPPROTO_ICMPV6)
		return pj_fail(c, "protocol",
			"protocol icmpv6 (58) does not match IPv4; use \"icmp\" (1)");
	return 0;
}

/* ---- rules -------------------------------------------------------------- */

/* Name unique within the ACL; priority unique within (ACL, direction). */
static int
check_rule_unique(struct ctx *c, const struct hnv_acl_cfg *acl, const struct hnv_acl_rule_cfg *r)
{
	unsigned int a = c->p->n_acls - 1, j;

	for (j = 0; j < acl->n_rules; j++) {
		const struct hnv_acl_rule_cfg *o = &acl->rules[j];

		if (strcmp(o->name, r->name) == 0)
			return pj_fail(c, "name",
				"duplicate rule name '%s' (also at $.acls[%u].rules[%u].name)",
				r->name, a, j);
		if (o->direction == r->direction && o->priority == r->priority)
			return pj_fail(c, "priority",
				"duplicate priority %u in direction '%s' "
				"(also at $.acls[%u].rules[%u].priority)",
				r->priority, dir_names[r->direction], a, j);
	}
	return 0;
}

static int
parse_rule(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {{"name", true}, {"priority", true},
		{"direction", true}, {"action", true}, {"protocol", false}, {"src", false},
		{"dst", false}, {"src_ports", false}, {"dst_ports", false}, {"stateful", false}};
	struct hnv_acl_cfg *acl = &c->p->acls[c->p->n_acls - 1];
	struct hnv_acl_rule_cfg *r = &acl->rules[i];
	long long prio = 0;
	uint8_t sf = 0, df = 0;
	json_t *v;
	int rc;

	r->protocol = -1;
	r->stateful = true;
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(c, "name", json_object_get(o, "name"), r->name, sizeof(r->name));
	if (rc == 0)
		rc = pj_v_int(c, "priority", json_object_get(o, "priority"), "priority",
			PRIORITY_MIN, PRIORITY_MAX, &prio);
	r->priority = (uint16_t)prio;
	if (rc == 0)
		rc = parse_direction(c, json_object_get(o, "direction"), &r->direction);
	if (rc == 0)
		rc = check_rule_unique(c, acl, r);
	if (rc == 0)
		rc = parse_action(c, json_object_get(o, "action"), &r->action);
	if (rc == 0 && (v = json_object_get(o, "protocol")) != NULL)
		rc = parse_protocol(c, v, &r->protocol);
	if (rc == 0)
		rc = parse_match_prefix(
			c, o, "src", &sf, &r->src_prefix, &r->src_len, r->src6, &r->src6_len);
	if (rc == 0)
		rc = parse_match_prefix(
			c, o, "dst", &df, &r->dst_prefix, &r->dst_len, r->dst6, &r->dst6_len);
	if (rc == 0)
		rc = check_rule_family(c, r, sf, df);
	if (rc == 0)
		rc = parse_match_ports(
			c, o, "src_ports", r->protocol, &r->src_port_lo, &r->src_port_hi);
	if (rc == 0)
		rc = parse_match_ports(
			c, o, "dst_ports", r->protocol, &r->dst_port_lo, &r->dst_port_hi);
	if (rc == 0 && (v = json_object_get(o, "stateful")) != NULL) {
		if (!json_is_boolean(v))
			return pj_fail_type(c, "stateful", v, "boolean");
		r->stateful = json_is_true(v);
	}
	if (rc == 0)
		acl->n_rules++;
	return rc;
}

/* ---- ACLs --------------------------------------------------------------- */

/* A port ACL guards one VM NIC: the port must exist and carry one. */
static int
parse_acl_port(struct ctx *c, json_t *o, struct hnv_acl_cfg *acl)
{
	const struct hnv_policy *p = c->p;
	char name[HNV_NAME_MAX];
	unsigned int j;
	int port, rc;

	rc = pj_v_str(c, "port", json_object_get(o, "port"), name, sizeof(name));
	if (rc != 0)
		return rc;
	port = hnv_policy_find_port(p, name);
	if (port < 0)
		return pj_fail(c, "port", "unknown port '%s'", name);
	if (hnv_policy_uplink_member(p, (unsigned int)port) >= 0)
		return pj_fail(c, "port", "port '%s' is an uplink ($.host.uplink)", name);
	for (j = 0; j < p->n_vnics && p->vnics[j].port != port; j++)
		;
	if (j == p->n_vnics)
		return pj_fail(c, "port", "port '%s' is not bound to a VM NIC", name);
	for (j = 0; j < p->n_acls; j++)
		if (!p->acls[j].on_vsid && p->acls[j].port == port)
			return pj_fail(c, "port", "port '%s' already has ACL '%s' ($.acls[%u])",
				name, p->acls[j].name, j);
	acl->port = (uint16_t)port;
	return 0;
}

static int
parse_acl_vsid(struct ctx *c, json_t *o, struct hnv_acl_cfg *acl)
{
	const struct hnv_policy *p = c->p;
	const struct hnv_subnet_cfg *s = NULL;
	unsigned int j;
	int rc;

	rc = policy_find_vsid(c, o, &s);
	if (rc != 0)
		return rc;
	for (j = 0; j < p->n_acls; j++)
		if (p->acls[j].on_vsid && p->acls[j].vsid == s->vsid)
			return pj_fail(c, "vsid", "VSID %u already has ACL '%s' ($.acls[%u])",
				s->vsid, p->acls[j].name, j);
	acl->on_vsid = true;
	acl->vsid = s->vsid;
	return 0;
}

int
acl_parse(struct ctx *c, json_t *o, size_t i)
{
	static const struct field fields[] = {
		{"name", true}, {"port", false}, {"vsid", false}, {"rules", true}};
	struct hnv_policy *p = c->p;
	struct hnv_acl_cfg *acl = &p->acls[i];
	bool has_port = json_object_get(o, "port") != NULL;
	bool has_vsid = json_object_get(o, "vsid") != NULL;
	json_t *rules;
	unsigned int j;
	int rc;

	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	if (rc == 0)
		rc = pj_v_str(c, "name", json_object_get(o, "name"), acl->name, sizeof(acl->name));
	for (j = 0; rc == 0 && j < p->n_acls; j++)
		if (strcmp(p->acls[j].name, acl->name) == 0)
			rc = pj_fail(c, "name", "duplicate ACL name '%s' (also at $.acls[%u].name)",
				acl->name, j);
	if (rc == 0 && has_port == has_vsid)
		rc = pj_fail(c, NULL, "%s (exactly one is required)",
			has_port ? "both 'port' and 'vsid' given" : "missing 'port' or 'vsid'");
	if (rc == 0)
		rc = has_port ? parse_acl_port(c, o, acl) : parse_acl_vsid(c, o, acl);
	if (rc == 0)
		rc = pj_get_array(c, o, "rules", 0, SIZE_MAX, &rules);
	if (rc == 0)
		rc = pj_alloc_array(
			c, json_array_size(rules), sizeof(*acl->rules), (void **)&acl->rules);
	if (rc != 0)
		return rc;
	p->n_acls++; /* its rules find their ACL here; hnv_policy_free frees them */
	return pj_walk_objects(c, "rules", rules, parse_rule);
}

/* ---- flow timeouts ------------------------------------------------------ */

static const struct {
	const char *name;
	size_t offset;
	uint32_t dflt;
} timeouts[] = {
	{"tcp_syn", offsetof(struct vfp_timeouts, tcp_syn), 30},
	{"tcp_established", offsetof(struct vfp_timeouts, tcp_established), 3600},
	{"tcp_closing", offsetof(struct vfp_timeouts, tcp_closing), 10},
	{"udp", offsetof(struct vfp_timeouts, udp), 60},
	{"icmp", offsetof(struct vfp_timeouts, icmp), 30},
	{"other", offsetof(struct vfp_timeouts, other), 60},
};

static uint32_t *
timeout_slot(struct vfp_timeouts *t, size_t k)
{
	return (uint32_t *)((char *)t + timeouts[k].offset);
}

static int
parse_timeouts(struct ctx *c, json_t *o)
{
	struct field fields[RTE_DIM(timeouts)];
	long long n = 0;
	json_t *v;
	size_t k;
	int rc;

	for (k = 0; k < RTE_DIM(timeouts); k++)
		fields[k] = (struct field){timeouts[k].name, false};
	rc = pj_check_fields(c, o, fields, RTE_DIM(fields));
	for (k = 0; rc == 0 && k < RTE_DIM(timeouts); k++) {
		v = json_object_get(o, timeouts[k].name);
		if (v == NULL)
			continue;
		rc = pj_v_int(c, timeouts[k].name, v, "timeout", TIMEOUT_MIN, TIMEOUT_MAX, &n);
		if (rc == 0)
			*timeout_slot(&c->p->timeouts, k) = (uint32_t)n;
	}
	return rc;
}

int
acl_parse_flow_timeouts(struct ctx *c, json_t *root)
{
	size_t k;

	for (k = 0; k < RTE_DIM(timeouts); k++)
		*timeout_slot(&c->p->timeouts, k) = timeouts[k].dflt;
	if (json_object_get(root, "flow_timeouts") == NULL)
		return 0;
	return pj_with_object(c, root, "flow_timeouts", parse_timeouts);
}
