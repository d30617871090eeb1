/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: building a compiled program (vfp_program_*, vfp_layer_add,
 * vfp_group_add, vfp_rule_add).
 *
 * Owns the tables of a program: subnets by VSID, the mapping spaces (CAs by
 * (VSID, MAC) and by (VSID, IP); VSIDs are unique in the datacenter (R2), so
 * one pair of hashes holds every routing domain's space), NAT pools, and per
 * port the ordered layers (vfp_rules.c builds those), and the PA next hops
 * its mappings need. Also the fingerprints that let vfp_switch_publish
 * tell which ports and VSIDs a new program changed.
 * Everything here runs on the control plane before a program is published
 * and writes only into the program: the switch's slots and next-hop
 * entries are bound by vfp_switch_publish; workers only read the result.
 * A derived program (vfp_derive.c) shares its base's tables: here it may
 * only take remote-mapping changes, which it keeps to itself (the other
 * builders refuse it with -EINVAL).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "nd.h"
#include "vfp_derive.h"
#include "vfp_router.h"
#include "vfp_sw.h"

#define VFP_DEFAULT_TABLE 65536

/* A table of the program: each key added is read by workers only after
 * the program is published. The extendable buckets guarantee room for
 * @entries keys whatever their hashes (a cuckoo table without them can
 * refuse a key well before it is full). The CA tables are @lock_free: a
 * derived program's publish changes them while workers read
 * (vfp_derive.c); a deleted key's slot is then reusable only once
 * rte_hash_free_key_with_position says so. */
static struct rte_hash *
table_create(const char *what, uint32_t entries, uint32_t key_len, int socket, bool lock_free)
{
	static unsigned int seq;
	struct rte_hash_parameters hp = {0};
	char name[RTE_HASH_NAMESIZE];

	/* rte_hash names are global to the process; programs come and go. */
	snprintf(name, sizeof(name), "vfp_%s_%u", what,
		__atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	hp.name = name;
	hp.entries = entries;
	hp.key_len = key_len;
	hp.hash_func = rte_hash_crc;
	hp.socket_id = socket;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE |
			(lock_free ? RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF : 0);
	return rte_hash_create(&hp);
}

/* Remove @key from lock-free table @h of a program no worker reads. */
static void
table_del(struct rte_hash *h, const void *key)
{
	int32_t pos = rte_hash_del_key(h, key);

	if (pos >= 0)
		rte_hash_free_key_with_position(h, pos);
}

static uint32_t
prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

/* Fingerprints: CRC32C of fields, combined in 64 bits. Order-sensitive
 * (mix) for ordered things, order-free (xor) for sets. */
uint64_t
vfp_fp_mix(uint64_t fp, const void *data, uint32_t len)
{
	/* rte_hash_crc loads 4 and 8 bytes at a time: give it aligned data. */
	uint64_t buf[8];
	uint32_t lo, hi;

	if (len > sizeof(buf)) {
		uint32_t half = len / 2;

		return vfp_fp_mix(
			vfp_fp_mix(fp, data, half), (const uint8_t *)data + half, len - half);
	}
	memcpy(buf, data, len);
	lo = rte_hash_crc(buf, len, (uint32_t)fp);
	hi = rte_hash_crc(buf, len, (uint32_t)(fp >> 32) ^ 0x9e3779b9u);
	return ((uint64_t)hi << 32) | lo;
}

struct vfp_program *
vfp_program_create(struct vfp_switch *sw, const struct vfp_host_params *hp)
{
	struct vfp_program *p;
	uint32_t size, size6;

	rte_be32_t src_pa[2][VFP_MAX_PA] = {{0}};
	unsigned int n_fam[2] = {0, 0};

	if (sw == NULL || hp == NULL || hp->n_ports == 0 || hp->n_ports > VFP_MAX_PORTS ||
		hp->uplink >= hp->n_ports || hp->n_pa == 0 || hp->n_pa > VFP_MAX_PA ||
		hp->vlan > 4094 || hp->n_uplinks > VFP_MAX_UPLINKS) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* Each family with PAs has one per member (a team of 0 is one). */
	for (unsigned int i = 0; i < hp->n_pa; i++) {
		unsigned int fam = hnv_pa_is_v6(hp->pa[i]);

		if (hp->pa_prefix_len[i] > (fam ? 128 : 32)) {
			rte_errno = EINVAL;
			return NULL;
		}
		src_pa[fam][n_fam[fam]++] = hp->pa[i];
	}
	for (unsigned int fam = 0; fam < 2; fam++) {
		if (n_fam[fam] != 0 && n_fam[fam] < RTE_MAX(hp->n_uplinks, 1u)) {
			rte_errno = EINVAL;
			return NULL;
		}
	}
	if (hp->gateway6 != 0 && (!hnv_pa_is_v6(hp->gateway6) || n_fam[1] == 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < hp->n_uplinks; i++) {
		bool dup = false;

		for (unsigned int j = 0; j < i; j++)
			dup |= hp->uplinks[j] == hp->uplinks[i];
		if (dup || hp->uplinks[i] >= hp->n_ports || hp->vlans[i] > 4094 ||
			(i == 0 && hp->uplinks[0] != hp->uplink)) {
			rte_errno = EINVAL;
			return NULL;
		}
	}
	p = rte_zmalloc_socket("vfp_program", sizeof(*p), RTE_CACHE_LINE_SIZE, hp->socket_id);
	if (p == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	p->sw = sw;
	p->hp = *hp;
	for (unsigned int fam = 0; fam < 2; fam++)
		memcpy(p->src_pa[fam], src_pa[fam], sizeof(p->src_pa[fam]));
	if (p->hp.n_uplinks == 0) { /* the uplink alone: a team of one */
		p->hp.n_uplinks = 1;
		p->hp.uplinks[0] = hp->uplink;
		p->hp.uplink_macs[0] = hp->uplink_mac;
		p->hp.vlans[0] = hp->vlan;
	}
	p->hp.uplink_mac = p->hp.uplink_macs[0];
	p->hp.vlan = p->hp.vlans[0];
	p->mtu = hp->uplink_mtu ? hp->uplink_mtu : 1500;
	if (p->hp.vxlan_port == 0)
		p->hp.vxlan_port = ENCAP_VXLAN_PORT;
	size = hp->table_size ? hp->table_size : VFP_DEFAULT_TABLE;
	size6 = hp->table6_size ? hp->table6_size : size;
	p->cas = rte_zmalloc_socket("vfp_cas", sizeof(*p->cas), RTE_CACHE_LINE_SIZE, hp->socket_id);
	if (p->cas == NULL) {
		rte_free(p);
		rte_errno = ENOMEM;
		return NULL;
	}
	p->cas->refs = 1;
	p->cas->cap[VFP_CA_L2] = size;
	p->cas->cap[VFP_CA_ARP] = size;
	p->cas->cap[VFP_CA_ND] = size6;
	/* As many ports as this program has, not VFP_MAX_PORTS: a program's
	 * size follows its policy. */
	p->ports = rte_zmalloc_socket(
		"vfp_ports", sizeof(*p->ports) * hp->n_ports, RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->cas->max_entries = size;
	p->cas->entries = rte_zmalloc_socket(
		"vfp_entries", sizeof(*p->cas->entries) * size, RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->subnets = rte_zmalloc_socket("vfp_subnets", sizeof(*p->subnets) * VFP_MAX_SUBNETS,
		RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->map_fp = rte_zmalloc_socket("vfp_map_fp", sizeof(*p->map_fp) * VFP_MAP_BUCKETS,
		RTE_CACHE_LINE_SIZE, hp->socket_id);
	p->subnet_h = table_create("sn", VFP_MAX_SUBNETS, sizeof(uint32_t), hp->socket_id, false);
	p->l2_h = table_create("l2", size, sizeof(struct vfp_l2_key), hp->socket_id, true);
	p->arp_h = table_create("arp", size, sizeof(struct vfp_ip_key), hp->socket_id, true);
	p->nd_h = table_create("nd", size6, sizeof(struct vfp_ip6_key), hp->socket_id, true);
	if (p->ports == NULL || p->cas->entries == NULL || p->subnets == NULL ||
		p->map_fp == NULL || p->subnet_h == NULL || p->l2_h == NULL || p->arp_h == NULL ||
		p->nd_h == NULL || vfp_router_init(p) < 0) {
		vfp_program_free(p);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (unsigned int i = 0; i < p->hp.n_uplinks; i++) {
		p->ports[p->hp.uplinks[i]].role = VFP_PORT_UPLINK;
		p->ports[p->hp.uplinks[i]].member = (uint8_t)i;
	}
	return p;
}

/* An rte_hash of @n keys of @key_len bytes: a key slot each (key, data
 * pointer) and, as rte_hash lays them out, a bucket of 8 slots for every 8
 * of the keys rounded up to a power of two, and as many extendable ones. */
static size_t
hash_mem(uint32_t n, uint32_t key_len)
{
	size_t buckets = rte_align32pow2(n ? n : 1) / 8;

	return (size_t)n * RTE_ALIGN(key_len + sizeof(void *), 16) + 2 * buckets * 64;
}

size_t
vfp_program_mem_estimate(const struct vfp_host_params *hp)
{
	uint32_t n = hp->table_size ? hp->table_size : VFP_DEFAULT_TABLE;
	uint32_t n6 = hp->table6_size ? hp->table6_size : n;

	return (size_t)n * sizeof(struct vfp_entry) + hash_mem(n, sizeof(struct vfp_l2_key)) +
	       hash_mem(n, sizeof(struct vfp_ip_key)) + hash_mem(n6, sizeof(struct vfp_ip6_key));
}

/* What @p shares with the programs derived from it (all point to the same
 * things): freed with the last of them. */
static void
shared_free(struct vfp_program *p)
{
	for (unsigned int port = 0; p->ports != NULL && port < p->hp.n_ports; port++) {
		for (unsigned int l = 0; l < p->ports[port].n_layers; l++) {
			struct vfp_layer *layer = p->ports[port].layers[l];

			for (unsigned int g = 0; g < layer->n_groups; g++)
				rte_free(layer->groups[g].rules);
			rte_free(layer);
		}
	}
	vfp_router_free(p);
	rte_hash_free(p->subnet_h);
	rte_hash_free(p->l2_h);
	rte_hash_free(p->arp_h);
	rte_hash_free(p->nd_h);
	for (unsigned int i = 0; p->subnets != NULL && i < p->n_subnets; i++) {
		rte_free(p->subnets[i].local_ports);
		rte_free(p->subnets[i].remote);
		rte_free(p->subnets[i].dhcp);
	}
	rte_free(p->subnets);
	rte_free(p->ports);
	rte_free(p->cas->entries);
	rte_free(p->cas->free);
	rte_free(p->cas);
}

void
vfp_program_free(struct vfp_program *p)
{
	if (p == NULL)
		return;
	vfp_switch_unbind(p->sw, p);
	/* An unpublished derived program gives back the slots it wrote. */
	vfp_delta_free(p);
	rte_free(p->map_fp);
	if (--p->cas->refs == 0)
		shared_free(p);
	rte_free(p);
}

int
vfp_program_mapping_space(const struct vfp_program *p, uint32_t rdid)
{
	for (unsigned int i = 0; i < p->n_spaces; i++)
		if (p->spaces[i].type == VFP_SPACE_MAPPING && p->spaces[i].rdid == rdid)
			return (int)i;
	return -ENOENT;
}

int
vfp_program_add_subnet(struct vfp_program *p, uint32_t vsid, uint32_t rdid, rte_be32_t prefix,
	uint8_t prefix_len, rte_be32_t gateway, enum encap_type encap)
{
	struct vfp_subnet *s;
	int rc, space;

	if (vfp_program_is_derived(p))
		return -EINVAL;
	if (vsid < ENCAP_VSID_MIN || vsid > ENCAP_VSID_MAX || prefix_len > 32 ||
		(encap != ENCAP_TYPE_VXLAN && encap != ENCAP_TYPE_NVGRE))
		return -EINVAL;
	if (vfp_subnet_lookup(p, vsid) != NULL)
		return -EEXIST;
	if (p->n_subnets == VFP_MAX_SUBNETS)
		return -ENOSPC;
	space = vfp_program_mapping_space(p, rdid);
	if (space < 0) {
		if (p->n_spaces == VFP_MAX_SPACES)
			return -ENOSPC;
		space = (int)p->n_spaces++;
		p->spaces[space].type = VFP_SPACE_MAPPING;
		p->spaces[space].rdid = rdid;
	}
	s = &p->subnets[p->n_subnets];
	s->vsid = vsid;
	s->rdid = rdid;
	s->prefix = prefix;
	s->prefix_len = prefix_len;
	s->gateway = gateway;
	s->encap = encap;
	s->slot = VFP_NONE;
	s->space = space;
	s->flood_limit = VFP_DEFAULT_FLOOD_LIMIT;
	rc = rte_hash_add_key_data(p->subnet_h, &vsid, s);
	if (rc < 0)
		return rc;
	rc = vfp_router_add_subnet(p, s);
	if (rc < 0) {
		rte_hash_del_key(p->subnet_h, &vsid);
		return rc;
	}
	p->n_subnets++;
	return 0;
}

/* The entry of (vsid, mac) / (vsid, ip) / (vsid, ip6) as @p sees it: a
 * derived program's view is its base's tables with its own changes
 * (*@own: an entry it added). */
static struct vfp_entry *
view_l2(const struct vfp_program *p, uint32_t vsid, const struct rte_ether_addr *mac, bool *own)
{
	struct vfp_l2_key k = {.vsid = vsid, .mac = *mac, .pad = 0};

	if (p->delta != NULL)
		return vfp_delta_lookup(p, VFP_CA_L2, &k, own);
	*own = true;
	return (struct vfp_entry *)(uintptr_t)vfp_l2_lookup(p, vsid, mac);
}

static struct vfp_entry *
view_arp(const struct vfp_program *p, uint32_t vsid, rte_be32_t ip, bool *own)
{
	struct vfp_ip_key k = {.vsid = vsid, .ip = ip};

	if (p->delta != NULL)
		return vfp_delta_lookup(p, VFP_CA_ARP, &k, own);
	*own = true;
	return (struct vfp_entry *)(uintptr_t)vfp_arp_lookup(p, vsid, ip);
}

static struct vfp_entry *
view_nd(const struct vfp_program *p, uint32_t vsid, const uint8_t ip6[16])
{
	struct vfp_ip6_key k = {.vsid = vsid};
	bool own;

	memcpy(k.ip6, ip6, sizeof(k.ip6));
	if (p->delta != NULL)
		return vfp_delta_lookup(p, VFP_CA_ND, &k, &own);
	return (struct vfp_entry *)(uintptr_t)vfp_nd_lookup(p, vsid, ip6);
}

/* Can (vsid, mac, ip) become a new entry? */
static int
entry_check(const struct vfp_program *p, const struct vfp_subnet *s,
	const struct rte_ether_addr *mac, rte_be32_t ip)
{
	bool own;

	if (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return -EINVAL;
	if (view_l2(p, s->vsid, mac, &own) != NULL || view_arp(p, s->vsid, ip, &own) != NULL)
		return -EEXIST;
	if (p->delta != NULL)
		return vfp_delta_room(p, s->vsid, mac, ip);
	if (p->cas->n_entries == p->cas->max_entries)
		return -ENOSPC;
	return 0;
}

void
vfp_entry_init(struct vfp_entry *e, const struct vfp_subnet *s, const struct rte_ether_addr *mac,
	rte_be32_t ip)
{
	struct vfp_l2_key lk = {.vsid = s->vsid, .mac = *mac, .pad = 0};

	memset(e, 0, sizeof(*e));
	e->vsid = s->vsid;
	e->ip = ip;
	e->mac = *mac;
	nd_link_local_from_mac(mac, e->ll6);
	e->subnet = s;
	e->bucket = (uint16_t)(rte_hash_crc(&lk, sizeof(lk), 0) & (VFP_MAP_BUCKETS - 1));
}

/* Claim a new entry and index it by (vsid, mac) and (vsid, ip). */
static int
entry_add(struct vfp_program *p, const struct vfp_subnet *s, const struct rte_ether_addr *mac,
	rte_be32_t ip, struct vfp_entry **out)
{
	struct vfp_l2_key lk = {.vsid = s->vsid, .mac = *mac, .pad = 0};
	struct vfp_ip_key ik = {.vsid = s->vsid, .ip = ip};
	struct vfp_entry *e;
	int rc;

	rc = entry_check(p, s, mac, ip);
	if (rc < 0)
		return rc;
	if (p->delta != NULL)
		return vfp_delta_add_entry(p, s, mac, ip, out);
	e = &p->cas->entries[p->cas->n_entries];
	vfp_entry_init(e, s, mac, ip);
	rc = rte_hash_add_key_data(p->l2_h, &lk, e);
	if (rc < 0)
		return rc;
	rc = rte_hash_add_key_data(p->arp_h, &ik, e);
	if (rc < 0) {
		table_del(p->l2_h, &lk);
		return rc;
	}
	p->cas->n_entries++;
	*out = e;
	return 0;
}

/* Room for one more port in @s's local_ports (they are few in most
 * subnets: the array doubles from 4, up to the program's n_ports). */
static int
local_ports_room(struct vfp_program *p, struct vfp_subnet *s)
{
	unsigned int n;
	uint16_t *lp;

	if (s->n_local < s->max_local)
		return 0;
	n = RTE_MIN(s->max_local ? 2u * s->max_local : 4u, (unsigned int)p->hp.n_ports);
	if (n <= s->max_local)
		return -ENOSPC; /* cannot happen: one NIC per port */
	lp = rte_realloc_socket(
		s->local_ports, sizeof(*lp) * n, RTE_CACHE_LINE_SIZE, p->hp.socket_id);
	if (lp == NULL)
		return -ENOMEM;
	s->local_ports = lp;
	s->max_local = (uint16_t)n;
	return 0;
}

/* Room for one more remote CA in @s's replication list (doubles from 8;
 * a program being built: no worker reads it). */
static int
remote_room(struct vfp_program *p, struct vfp_subnet *s)
{
	struct vfp_ca_list *r = s->remote;
	uint32_t n;

	if (r != NULL && r->n < r->max)
		return 0;
	n = r != NULL ? 2 * r->max : 8;
	r = rte_realloc_socket(
		r, sizeof(*r) + sizeof(r->e[0]) * n, RTE_CACHE_LINE_SIZE, p->hp.socket_id);
	if (r == NULL)
		return -ENOMEM;
	if (s->remote == NULL)
		r->n = 0;
	r->max = n;
	s->remote = r;
	return 0;
}

int
vfp_program_set_flood_limit(struct vfp_program *p, uint32_t vsid, uint32_t copies_per_s)
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);

	if (vfp_program_is_derived(p))
		return -EINVAL;
	if (s == NULL)
		return -ENOENT;
	s->flood_limit = copies_per_s;
	return 0;
}

int
vfp_program_set_subnet6(struct vfp_program *p, uint32_t vsid, const uint8_t prefix[16],
	uint8_t prefix_len, const uint8_t gateway[16])
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);
	uint8_t net[16] = {0};
	int rc;

	if (vfp_program_is_derived(p))
		return -EINVAL;
	if (s == NULL)
		return -ENOENT;
	if (s->has_v6)
		return -EEXIST;
	if (prefix_len < 8 || prefix_len > 112)
		return -EINVAL;
	memcpy(net, prefix, prefix_len / 8u);
	if (prefix_len % 8u)
		net[prefix_len / 8u] =
			prefix[prefix_len / 8u] & (uint8_t)(0xff << (8 - prefix_len % 8u));
	if (memcmp(net, prefix, 16) != 0 || !vfp_in_prefix6(gateway, prefix, prefix_len) ||
		memcmp(gateway, prefix, 16) == 0)
		return -EINVAL;
	memcpy(s->prefix6, prefix, 16);
	memcpy(s->gateway6, gateway, 16);
	s->prefix6_len = prefix_len;
	rc = vfp_router_add_subnet6(p, s);
	if (rc < 0)
		return rc;
	s->has_v6 = true;
	return 0;
}

int
vfp_program_set_ipv6(struct vfp_program *p, uint32_t vsid, rte_be32_t ca, const uint8_t ip6[16])
{
	struct vfp_ip6_key k = {.vsid = vsid};
	struct vfp_entry *e;
	uint64_t fp;
	bool own;
	int rc;

	if (vfp_program_is_derived(p) && p->delta == NULL)
		return -EINVAL; /* published */
	e = view_arp(p, vsid, ca, &own);
	if (e == NULL || !e->subnet->has_v6)
		return -ENOENT;
	if (e->has_ip6 || view_nd(p, vsid, ip6) != NULL)
		return -EEXIST;
	if (!vfp_in_prefix6(ip6, e->subnet->prefix6, e->subnet->prefix6_len) ||
		memcmp(ip6, e->subnet->prefix6, 16) == 0 ||
		memcmp(ip6, e->subnet->gateway6, 16) == 0)
		return -EINVAL;
	/* A derived program writes only the entries it added: its base's are
	 * in force. */
	if (!own)
		return -EINVAL;
	memcpy(k.ip6, ip6, 16);
	fp = vfp_entry_fingerprint(e);
	rc = p->delta != NULL ? vfp_delta_set_nd(p, &k, e) : rte_hash_add_key_data(p->nd_h, &k, e);
	if (rc < 0)
		return rc;
	memcpy(e->ip6, ip6, 16);
	e->has_ip6 = true;
	if (p->delta != NULL)
		p->map_fp[e->bucket] ^= fp ^ vfp_entry_fingerprint(e);
	return 0;
}

int
vfp_program_add_vnic(struct vfp_program *p, uint16_t port, uint32_t vsid,
	const struct rte_ether_addr *mac, rte_be32_t ip)
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);
	struct vfp_entry *e;
	int rc;

	if (vfp_program_is_derived(p) || port >= p->hp.n_ports || port == p->hp.uplink)
		return -EINVAL;
	if (s == NULL)
		return -ENOENT;
	if (p->ports[port].role != VFP_PORT_UNUSED)
		return -EEXIST;
	rc = entry_check(p, s, mac, ip);
	if (rc == 0)
		rc = local_ports_room(p, s);
	if (rc == 0)
		rc = entry_add(p, s, mac, ip, &e);
	if (rc < 0)
		return rc;
	e->kind = VFP_ENTRY_LOCAL;
	e->port = port;
	p->ports[port].role = VFP_PORT_VM;
	p->ports[port].vnic = e;
	s->local_ports[s->n_local++] = port;
	return 0;
}

/* The program's next hop for @ip (added on first use), its index. */
/* Next hop @ip (its MAC fixed if @mac): one entry on each team member,
 * made as needed; returns member 0's. */
static int
nexthop_ref(struct vfp_program *p, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	unsigned int m, n = p->hp.n_uplinks;
	uint16_t idx[VFP_MAX_UPLINKS];

	for (unsigned int i = 0; i < p->n_nh; i++)
		if (p->nh[i].ip == ip && p->nh[i].member == 0)
			return (int)i;
	if (p->n_nh + n > VFP_MAX_NEIGH)
		return -ENOSPC;
	for (m = 0; m < n; m++) {
		struct vfp_nexthop *nh = &p->nh[p->n_nh];

		memset(nh, 0, sizeof(*nh));
		nh->ip = ip;
		nh->member = (uint8_t)m;
		nh->pinned = mac != NULL;
		if (mac != NULL)
			nh->mac = *mac;
		nh->slot = VFP_NONE;
		idx[m] = (uint16_t)p->n_nh++;
	}
	for (m = 0; m < n; m++)
		memcpy(p->nh[idx[m]].on, idx, sizeof(idx[0]) * n);
	return (int)idx[0];
}

/* Do IPv6 addresses @a and @b share their first @len bits? */
static bool
prefix6_match(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ b[bytes]) & (0xff00 >> bits)) == 0;
}

/* The next hop through which @pa is reached: itself when on-link (inside
 * a PA prefix of ours of its family), else the family's gateway. */
static int
neigh_for(struct vfp_program *p, rte_be32_t pa)
{
	const bool v6 = hnv_pa_is_v6(pa);

	if (p->src_pa[v6][0] == 0)
		return -EHOSTUNREACH; /* no PA of ours to source it from */
	for (unsigned int i = 0; i < p->hp.n_pa; i++) {
		const rte_be32_t ours = p->hp.pa[i];

		if (hnv_pa_is_v6(ours) != v6)
			continue;
		if (v6 ? prefix6_match(hnv_pa6_addr(pa), hnv_pa6_addr(ours), p->hp.pa_prefix_len[i])
		       : ((pa ^ ours) & rte_cpu_to_be_32(prefix_mask(p->hp.pa_prefix_len[i]))) == 0)
			return nexthop_ref(p, pa, NULL);
	}
	if (v6)
		return p->hp.gateway6 != 0 ? nexthop_ref(p, p->hp.gateway6, NULL) : -EHOSTUNREACH;
	if (p->hp.gateway == 0)
		return -EHOSTUNREACH;
	return nexthop_ref(p, p->hp.gateway, p->hp.has_gateway_mac ? &p->hp.gateway_mac : NULL);
}

int
vfp_program_add_mapping(struct vfp_program *p, uint32_t vsid, rte_be32_t ca,
	const struct rte_ether_addr *mac, rte_be32_t pa)
{
	struct vfp_subnet *s = (struct vfp_subnet *)(uintptr_t)vfp_subnet_lookup(p, vsid);
	struct vfp_entry *e;
	int nh, rc;

	if (vfp_program_is_derived(p) && p->delta == NULL)
		return -EINVAL; /* published */
	if (s == NULL)
		return -ENOENT;
	if (pa == 0 || vfp_is_our_pa(p, pa))
		return -EINVAL;
	/* Check before neigh_for() so that a refused mapping adds no next hop. */
	rc = entry_check(p, s, mac, ca);
	if (rc == 0 && p->delta == NULL)
		rc = remote_room(p, s);
	if (rc < 0)
		return rc;
	nh = neigh_for(p, pa);
	if (nh < 0)
		return nh;
	rc = entry_add(p, s, mac, ca, &e);
	if (rc < 0)
		return rc;
	e->kind = VFP_ENTRY_REMOTE;
	e->pa = pa;
	e->nh = (uint16_t)nh;
	if (p->delta != NULL) {
		/* Its replication list is made at publish (vfp_derive.c). */
		p->map_fp[e->bucket] ^= vfp_entry_fingerprint(e);
		return 0;
	}
	s->remote->e[s->remote->n++] = e;
	return 0;
}

int
vfp_program_add_nat_pool(struct vfp_program *p, const char *name, rte_be32_t ip_lo,
	rte_be32_t ip_hi, uint16_t port_lo, uint16_t port_hi)
{
	struct vfp_space *sp;

	if (vfp_program_is_derived(p) || name == NULL || name[0] == '\0' ||
		strlen(name) >= VFP_NAME_MAX || rte_be_to_cpu_32(ip_lo) > rte_be_to_cpu_32(ip_hi) ||
		port_lo > port_hi)
		return -EINVAL;
	for (unsigned int i = 0; i < p->n_spaces; i++)
		if (p->spaces[i].type == VFP_SPACE_NAT_POOL && strcmp(p->spaces[i].name, name) == 0)
			return -EEXIST;
	if (p->n_spaces == VFP_MAX_SPACES)
		return -ENOSPC;
	sp = &p->spaces[p->n_spaces];
	sp->type = VFP_SPACE_NAT_POOL;
	strcpy(sp->name, name);
	sp->ip_lo = rte_be_to_cpu_32(ip_lo);
	sp->ip_hi = rte_be_to_cpu_32(ip_hi);
	sp->port_lo = port_lo;
	sp->port_hi = port_hi;
	return (int)p->n_spaces++;
}

int
vfp_program_add_counter(struct vfp_program *p, const char *name)
{
	if (vfp_program_is_derived(p) || name == NULL || name[0] == '\0' ||
		strlen(name) >= VFP_NAME_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < p->n_counters; i++)
		if (strcmp(p->counter_names[i], name) == 0)
			return -EEXIST;
	if (p->n_counters == VFP_MAX_COUNTERS)
		return -ENOSPC;
	strcpy(p->counter_names[p->n_counters], name);
	return (int)p->n_counters++;
}

int
vfp_program_add_meter(struct vfp_program *p, const char *name, uint64_t cir_bytes_per_s,
	uint64_t cbs, uint64_t ebs)
{
	unsigned int i = p->n_meters;

	if (vfp_program_is_derived(p) || name == NULL || name[0] == '\0' ||
		strlen(name) >= VFP_NAME_MAX || cir_bytes_per_s == 0 || (cbs == 0 && ebs == 0))
		return -EINVAL;
	for (unsigned int k = 0; k < p->n_meters; k++)
		if (strcmp(p->meters[k].name, name) == 0)
			return -EEXIST;
	if (i == VFP_MAX_METERS)
		return -ENOSPC;
	strcpy(p->meters[i].name, name);
	p->meters[i].params.cir = cir_bytes_per_s;
	p->meters[i].params.cbs = cbs;
	p->meters[i].params.ebs = ebs;
	if (rte_meter_srtcm_profile_config(&p->meters[i].profile, &p->meters[i].params) != 0)
		return -EINVAL;
	return (int)p->n_meters++;
}

bool
vfp_nat_pool_contains(const struct vfp_program *p, int space, rte_be32_t ip, uint16_t port)
{
	const struct vfp_space *sp;
	uint32_t a = rte_be_to_cpu_32(ip);

	if (space < 0 || (unsigned int)space >= p->n_spaces)
		return false;
	sp = &p->spaces[space];
	return sp->type == VFP_SPACE_NAT_POOL && a >= sp->ip_lo && a <= sp->ip_hi &&
	       port >= sp->port_lo && port <= sp->port_hi;
}

enum vfp_port_role
vfp_program_port_role(const struct vfp_program *p, uint16_t port)
{
	return port < p->hp.n_ports ? (enum vfp_port_role)p->ports[port].role : VFP_PORT_UNUSED;
}

uint16_t
vfp_program_n_ports(const struct vfp_program *p)
{
	return p->hp.n_ports;
}

uint64_t
vfp_entry_fingerprint(const struct vfp_entry *e)
{
	uint64_t efp = VFP_FP_MIX(0, e->kind);

	efp = VFP_FP_MIX(efp, e->mac);
	efp = VFP_FP_MIX(efp, e->ip);
	efp = VFP_FP_MIX(efp, e->port);
	efp = VFP_FP_MIX(efp, e->pa);
	efp = VFP_FP_MIX(efp, e->forwarding);
	efp = VFP_FP_MIX(efp, e->has_ip6);
	efp = VFP_FP_MIX(efp, e->ip6);
	efp = VFP_FP_MIX(efp, e->vsid);
	return efp;
}

void
vfp_program_seal(struct vfp_program *p)
{
	const struct vfp_host_params *hp = &p->hp;
	uint64_t space_fp[VFP_MAX_SPACES];
	uint64_t fp = 0;
	unsigned int i;

	/* A derived program's ports, subnets and host are its base's, sealed
	 * already (their fingerprints are shared or copied); its map_fp
	 * follows its changes (vfp_derive.c). */
	if (vfp_program_is_derived(p))
		return;

	/* Not n_ports: a port added or removed is the business of that port's
	 * slot (vfp_switch_publish compares ports one by one, a port beyond
	 * one program's n_ports counting as unused there), so the flows of
	 * the other ports keep their entries. */
	fp = VFP_FP_MIX(fp, hp->uplink);
	fp = vfp_fp_mix(fp, hp->pa, (uint32_t)(sizeof(hp->pa[0]) * hp->n_pa));
	fp = vfp_fp_mix(fp, hp->pa_prefix_len, hp->n_pa);
	fp = VFP_FP_MIX(fp, hp->uplink_mac);
	fp = VFP_FP_MIX(fp, hp->vlan);
	fp = VFP_FP_MIX(fp, hp->n_uplinks);
	fp = vfp_fp_mix(fp, hp->uplinks, (uint32_t)(sizeof(hp->uplinks[0]) * hp->n_uplinks));
	fp = vfp_fp_mix(
		fp, hp->uplink_macs, (uint32_t)(sizeof(hp->uplink_macs[0]) * hp->n_uplinks));
	fp = vfp_fp_mix(fp, hp->vlans, (uint32_t)(sizeof(hp->vlans[0]) * hp->n_uplinks));
	fp = VFP_FP_MIX(fp, hp->vxlan_port);
	fp = VFP_FP_MIX(fp, p->mtu);
	fp = VFP_FP_MIX(fp, hp->gateway);
	fp = VFP_FP_MIX(fp, hp->gateway6);
	fp = VFP_FP_MIX(fp, hp->router_mac);
	vfp_router_fingerprints(p, space_fp);
	/* The next hops' pinned MACs are not here: the switch compares those
	 * with what it has (vfp_switch_publish), next hop by next hop. */
	for (i = 0; i < p->n_subnets; i++) {
		const struct vfp_subnet *s = &p->subnets[i];
		uint64_t sfp = VFP_FP_MIX(0, s->vsid);

		sfp = VFP_FP_MIX(sfp, s->rdid);
		sfp = VFP_FP_MIX(sfp, s->prefix);
		sfp = VFP_FP_MIX(sfp, s->prefix_len);
		sfp = VFP_FP_MIX(sfp, s->gateway);
		sfp = VFP_FP_MIX(sfp, s->encap);
		sfp = VFP_FP_MIX(sfp, s->flood_limit);
		sfp = VFP_FP_MIX(sfp, s->has_v6);
		sfp = VFP_FP_MIX(sfp, s->prefix6_len);
		sfp = VFP_FP_MIX(sfp, s->prefix6);
		sfp = VFP_FP_MIX(sfp, s->gateway6);
		/* Routed flows depend on their domain's routing (its subnets,
		 * routes and forwarders); they record their VSIDs' slots. */
		sfp ^= space_fp[s->space];
		p->subnets[i].fingerprint = sfp;
	}
	/* The subnets are not in the global fingerprint: a flow depends on its
	 * own VSID only (its slot), so changing one subnet re-walks only the
	 * flows of that VSID. */
	p->fingerprint = fp;
	/* A flow that used a remote mapping depends on its bucket, whose
	 * fingerprint is that of its mappings: a mapping that moves (R23)
	 * re-walks the flows of its bucket only. Local NICs are in their
	 * ports' fingerprints instead (vfp_port_fingerprint): a flow whose
	 * walk found a local NIC walked that NIC's port and depends on its
	 * slot. The absence of a CA is never cached (unknown_dst is not), so
	 * a CA that appears needs no slot of its own. */
	memset(p->map_fp, 0, sizeof(*p->map_fp) * VFP_MAP_BUCKETS);
	for (i = 0; i < p->cas->n_entries; i++) {
		const struct vfp_entry *e = &p->cas->entries[i];

		/* Local NICs are in their ports; free slots in nothing. */
		if (e->kind == VFP_ENTRY_REMOTE)
			p->map_fp[e->bucket] ^= vfp_entry_fingerprint(e);
	}
	for (i = 0; i < p->hp.n_ports; i++) {
		p->ports[i].fingerprint = vfp_port_fingerprint(&p->ports[i]);
		p->ports[i].can_block = vfp_port_can_block(&p->ports[i]);
	}
}
