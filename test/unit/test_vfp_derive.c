/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vfp_derive.c: derived programs (lib/vfp/vfp_derive.c):
 * a program that shares the running program's tables and changes only
 * remote mappings, applied in place at publish.
 *
 * Owns: the lock-free rte_hash tables it relies on; adds, moves and
 * deletes seen by lookups, replication lists and flows (a move re-walks
 * the flows of its bucket only, the others keep hitting); what a derived
 * program refuses (-ENOENT, -EEXIST, -EBUSY, -ENOSPC, -EINVAL, -ESTALE)
 * and that a refused one leaves its base as it was; IPv6 CAs; a chain of
 * derived publishes that reuses the slots it frees; and two worker lcores
 * looking up CAs while the main lcore publishes derived programs that
 * move one of them (it must never be missing). White-box: it reads the
 * program's layout (vfp_prog.h) to check the shared entries array.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "vfp_test_util.h"
#include "vfp_prog.h"

/*
 * The host: port 0 is the uplink, VM1 on port 1 in VSID_A. Remotes R1 and
 * R2 (with an IPv6 CA), an appliance that a route goes through, and a
 * forwarder, all behind the gateway.
 */
enum { PORT_UPLINK, PORT_VM1, N_PORTS };

#define VSID_A 5001u
#define VSID_UNKNOWN 5999u
#define IP_VM1 IP4(10, 0, 0, 11)
#define IP_R1 IP4(10, 0, 0, 21)
#define IP_R2 IP4(10, 0, 0, 22)
#define IP_APP IP4(10, 0, 0, 30)
#define IP_FWD IP4(10, 0, 0, 31)
#define PA_R1 IP4(172, 16, 0, 20)
#define PA_R2 IP4(172, 16, 0, 30)
#define PA_R2_MOVED IP4(172, 16, 0, 31)
#define PA_APP IP4(172, 16, 0, 40)
#define PA_FWD IP4(172, 16, 0, 41)
#define PA_NEW IP4(172, 16, 0, 50)
#define PA_ONLINK IP4(192, 168, 1, 77) /* inside our PA prefix: a next hop of its own */
#define N_BASE 5                       /* entries of the base program */

static const struct rte_ether_addr mac_vm1 = {{0x00, 0x15, 0x5d, 0, 0, 0x01}};
static const struct rte_ether_addr mac_r1 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x01}};
static const struct rte_ether_addr mac_r2 = {{0x00, 0x15, 0x5d, 0, 0x01, 0x02}};
static const struct rte_ether_addr mac_app = {{0x00, 0x15, 0x5d, 0, 0x01, 0x30}};
static const struct rte_ether_addr mac_fwd = {{0x00, 0x15, 0x5d, 0, 0x01, 0x31}};
static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static const uint8_t prefix6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t gw6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

#define FRAME_LEN 100

/* The MAC, CA and IPv6 CA of the @i-th mapping a test adds. */
static struct rte_ether_addr
mac_new(unsigned int i)
{
	const struct rte_ether_addr mac = {{0x00, 0x15, 0x5d, 0x02, (uint8_t)(i >> 8), (uint8_t)i}};

	return mac;
}

static rte_be32_t
ip_new(unsigned int i)
{
	return IP4(10, 0, 1 + (i >> 8), i & 0xff);
}

static void
ip6_of(unsigned int i, uint8_t out[16])
{
	memcpy(out, prefix6, 16);
	out[14] = (uint8_t)(i >> 8);
	out[15] = (uint8_t)(0x40 + i);
}

/* ---- programs ---- */

/* The base program: a full compile, with room for @table CAs and @table6
 * IPv6 CAs. */
static struct vfp_program *
base_program(struct vfp_switch *sw, uint32_t table, uint32_t table6)
{
	struct vfp_host_params hp = host_params(N_PORTS);
	struct vfp_program *p;
	uint8_t ip6[16];

	hp.table_size = table;
	hp.table6_size = table6;
	p = vfp_program_create(sw, &hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 16,
				 IP4(10, 0, 255, 254), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_set_subnet6(p, VSID_A, prefix6, 64, gw6), 0);
	assert_int_equal(vfp_program_add_vnic(p, PORT_VM1, VSID_A, &mac_vm1, IP_VM1), 0);
	add_std_layers(p, PORT_VM1);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R1, &mac_r1, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_R2, &mac_r2, PA_R2), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_APP, &mac_app, PA_APP), 0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, IP_FWD, &mac_fwd, PA_FWD), 0);
	ip6_of(2, ip6);
	assert_int_equal(vfp_program_set_ipv6(p, VSID_A, IP_R2, ip6), 0);
	assert_int_equal(vfp_program_add_route(p, 1, IP4(192, 168, 100, 0), 24, VSID_A, IP_APP), 0);
	assert_int_equal(vfp_program_set_ip_forwarding(p, VSID_A, IP_FWD), 0);
	return p;
}

static int
setup(void **state)
{
	struct fixture *f = fixture_new("test_vfp_derive", 4096);

	if (f == NULL)
		return -1;
	fixture_start(f, base_program(f->sw, 1024, 0));
	*state = f;
	return 0;
}

static const struct vfp_program *
running(const struct fixture *f)
{
	return vfp_switch_program(f->sw);
}

static struct vfp_program *
derive(const struct fixture *f)
{
	struct vfp_program *d = vfp_program_derive(running(f));

	assert_non_null(d);
	assert_true(vfp_program_is_derived(d));
	return d;
}

/* vfp_switch_publish from the fixture's thread, which reads too. */
static int
publish(struct fixture *f, struct vfp_program *p)
{
	int rc;

	vfp_lcore_offline(f->sw, f->lc);
	rc = vfp_switch_publish(f->sw, p);
	vfp_lcore_online(f->sw, f->lc);
	return rc;
}

static const struct vfp_entry *
l2(const struct fixture *f, const struct rte_ether_addr *mac)
{
	return vfp_l2_lookup(running(f), VSID_A, mac);
}

static const struct vfp_entry *
arp(const struct fixture *f, rte_be32_t ip)
{
	return vfp_arp_lookup(running(f), VSID_A, ip);
}

static const struct vfp_ca_list *
remote_list(const struct vfp_program *p)
{
	return vfp_subnet_remote(vfp_subnet_lookup(p, VSID_A));
}

/* The place of @e in VSID_A's replication list, or -1. */
static int
list_index(const struct vfp_program *p, const struct vfp_entry *e)
{
	const struct vfp_ca_list *l = remote_list(p);

	for (uint32_t i = 0; l != NULL && i < l->n; i++)
		if (l->e[i] == e)
			return (int)i;
	return -1;
}

/* The remote CA at @mac is found by MAC and by CA, hosted by @pa. */
static void
assert_mapped(
	const struct fixture *f, const struct rte_ether_addr *mac, rte_be32_t ip, rte_be32_t pa)
{
	const struct vfp_entry *e = l2(f, mac);

	assert_non_null(e);
	assert_ptr_equal(arp(f, ip), e);
	assert_int_equal(e->kind, VFP_ENTRY_REMOTE);
	assert_int_equal(e->pa, pa);
	assert_true(list_index(running(f), e) >= 0);
}

/* ---- packets ---- */

/* UDP from VM1 to the CA (@mac, @ip), source port @sport. */
static struct rte_mbuf *
to_remote(const struct rte_ether_addr *mac, rte_be32_t ip, uint16_t sport)
{
	uint8_t buf[FRAME_MAX];
	uint16_t len =
		l4_frame(buf, FRAME_LEN, IPPROTO_UDP, &mac_vm1, mac, IP_VM1, ip, sport, 2000, 0);

	return mbuf_of(buf, len);
}

/* The outer destination of the last packet sent, which went to the uplink. */
static rte_be32_t
last_pa(const struct fixture *f)
{
	const struct rte_mbuf *m;

	assert_true(f->log.n > 0);
	assert_int_equal(f->log.port[f->log.n - 1], PORT_UPLINK);
	m = f->log.m[f->log.n - 1];
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr))
		->dst_addr;
}

/* ---- tests ---- */

static void
test_lock_free_tables_with_extendable_buckets(void **state)
{
	struct rte_hash_parameters hp = {
		.name = "test_derive_lf",
		.entries = 64,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag =
			RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash *h = rte_hash_create(&hp);
	uint64_t k;
	void *data;
	int32_t pos;

	(void)state;
	/* DPDK 22.11 takes the two together; the table holds what it says. */
	assert_non_null(h);
	for (k = 0; k < 64; k++)
		assert_int_equal(rte_hash_add_key_data(h, &k, (void *)(uintptr_t)(k + 1)), 0);
	assert_int_equal(rte_hash_add_key_data(h, &k, (void *)1), -ENOSPC);
	/* Full, an existing key's data is still replaced (a move). */
	k = 7;
	assert_int_equal(rte_hash_add_key_data(h, &k, (void *)99), 0);
	assert_int_equal(rte_hash_lookup_data(h, &k, &data), (int)rte_hash_lookup(h, &k));
	assert_ptr_equal(data, (void *)99);
	/* A deleted key keeps its slot until freed by position. */
	pos = rte_hash_del_key(h, &k);
	assert_true(pos >= 0);
	assert_true(rte_hash_lookup(h, &k) < 0);
	k = 1000;
	assert_int_equal(rte_hash_add_key_data(h, &k, (void *)1), -ENOSPC);
	assert_int_equal(rte_hash_free_key_with_position(h, pos), 0);
	assert_int_equal(rte_hash_add_key_data(h, &k, (void *)1), 0);
	rte_hash_free(h);
}

static void
test_add_and_move_rewalk_only_their_buckets(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr mac4 = mac_new(4), mac5 = mac_new(5);
	const struct vfp_entry *r1 = l2(f, &mac_r1), *r2 = l2(f, &mac_r2), *e;
	unsigned int n_nh = running(f)->n_nh;
	struct vfp_program *d;
	uint64_t misses;

	/* Flows to R1 and R2; R2 then moves and R4 appears. */
	run1(f, PORT_VM1, to_remote(&mac_r1, IP_R1, 1000));
	run1(f, PORT_VM1, to_remote(&mac_r2, IP_R2, 1000));
	assert_int_equal(UFT_STATS(f)->misses, 2);
	assert_int_equal(last_pa(f), PA_R2);

	d = derive(f);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(4), &mac4, PA_NEW), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(5), &mac5, PA_ONLINK), 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, PA_R2_MOVED), 0);
	/* Nothing of the running program changed yet. */
	assert_null(l2(f, &mac4));
	assert_ptr_equal(l2(f, &mac_r2), r2);
	assert_int_equal(r2->pa, PA_R2);
	assert_int_equal(running(f)->n_nh, n_nh);
	assert_int_equal(publish(f, d), 0);
	assert_ptr_equal(running(f), d);

	assert_mapped(f, &mac4, ip_new(4), PA_NEW);
	assert_mapped(f, &mac_r2, IP_R2, PA_R2_MOVED);
	assert_mapped(f, &mac_r1, IP_R1, PA_R1);
	assert_ptr_equal(l2(f, &mac_r1), r1);
	assert_mapped(f, &mac_app, IP_APP, PA_APP);
	/* The on-link PA got a next hop of its own, bound. */
	e = l2(f, &mac5);
	assert_non_null(e);
	assert_int_equal(e->nh, n_nh);
	assert_int_equal(running(f)->n_nh, n_nh + 1);
	assert_int_equal(running(f)->nh[e->nh].ip, PA_ONLINK);
	assert_int_equal(vfp_neigh_count(f->sw, NULL), n_nh + 1);

	/* R1's bucket did not change: its flow hits; R2's is re-walked once
	 * and goes to the new PA. */
	assert_int_not_equal(r1->bucket, l2(f, &mac_r2)->bucket);
	assert_int_not_equal(r1->bucket, l2(f, &mac4)->bucket);
	assert_int_not_equal(r1->bucket, l2(f, &mac5)->bucket);
	run1(f, PORT_VM1, to_remote(&mac_r1, IP_R1, 1000));
	assert_int_equal(UFT_STATS(f)->hits, 1);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_int_equal(last_pa(f), PA_R1);
	run1(f, PORT_VM1, to_remote(&mac_r2, IP_R2, 1000));
	assert_int_equal(UFT_STATS(f)->stale, 1);
	assert_int_equal(last_pa(f), PA_R2_MOVED);
	misses = UFT_STATS(f)->misses;
	run1(f, PORT_VM1, to_remote(&mac4, ip_new(4), 1000));
	assert_int_equal(UFT_STATS(f)->misses, misses + 1);
	assert_int_equal(last_pa(f), PA_NEW);
	assert_no_leak(f);
}

static void
test_move_replaces_the_entry_in_place(void **state)
{
	struct fixture *f = *state;
	const struct vfp_entry *old = l2(f, &mac_r2), *moved;
	const struct rte_ether_addr mac6 = mac_new(6);
	int at = list_index(running(f), old);
	uint32_t n = remote_list(running(f))->n;
	struct vfp_program *d = derive(f);
	uint8_t ip6[16];

	assert_true(at >= 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, PA_R2_MOVED), 0);
	ip6_of(2, ip6);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, IP_R2, ip6), 0);
	assert_int_equal(publish(f, d), 0);

	/* A new entry for both keys, in the old one's place in the list. */
	moved = l2(f, &mac_r2);
	assert_ptr_not_equal(moved, old);
	assert_mapped(f, &mac_r2, IP_R2, PA_R2_MOVED);
	assert_ptr_equal(vfp_nd_lookup(running(f), VSID_A, ip6), moved);
	assert_int_equal(list_index(running(f), moved), at);
	assert_int_equal(remote_list(running(f))->n, n);
	/* The old entry's slot is free, and the next new entry takes it. */
	assert_int_equal(old->kind, VFP_ENTRY_FREE);
	d = derive(f);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(6), &mac6, PA_NEW), 0);
	assert_int_equal(publish(f, d), 0);
	assert_ptr_equal(l2(f, &mac6), old);
	assert_mapped(f, &mac6, ip_new(6), PA_NEW);
	assert_int_equal(list_index(running(f), old), n);
}

static void
test_delete_removes_the_mapping_and_refuses_others(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr mac7 = mac_new(7), mac8 = mac_new(8);
	const struct vfp_entry *r1 = l2(f, &mac_r1);
	uint32_t n = remote_list(running(f))->n;
	struct vfp_program *d = derive(f);
	unsigned int high;
	uint8_t ip6[16];

	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r1), 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r1), -ENOENT);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac7), -ENOENT);
	assert_int_equal(vfp_program_del_mapping(d, VSID_UNKNOWN, &mac_r2), -ENOENT);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_vm1), -ENOENT);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_app), -EBUSY);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_fwd), -EBUSY);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, NULL), -EINVAL);
	/* One it added itself goes at once, its slot with it. */
	high = d->cas->n_entries;
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(7), &mac7, PA_NEW), 0);
	assert_int_equal(d->cas->n_entries, high + 1);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac7), 0);
	assert_int_equal(d->cas->n_entries, high);
	/* R2's IPv6 CA goes with it. */
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(8), &mac8, PA_NEW), 0);
	assert_ptr_equal(l2(f, &mac_r1), r1); /* until published */
	assert_int_equal(publish(f, d), 0);

	ip6_of(2, ip6);
	assert_null(l2(f, &mac_r1));
	assert_null(arp(f, IP_R1));
	assert_null(l2(f, &mac_r2));
	assert_null(arp(f, IP_R2));
	assert_null(vfp_nd_lookup(running(f), VSID_A, ip6));
	assert_null(l2(f, &mac7));
	assert_mapped(f, &mac8, ip_new(8), PA_NEW);
	assert_int_equal(remote_list(running(f))->n, n - 1);
	assert_int_equal(list_index(running(f), l2(f, &mac8)), n - 2);
	/* A full program has nothing to delete from; a published one neither. */
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac8), -EINVAL);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(9), &mac7, PA_NEW), -EINVAL);

	/* A VM's broadcast is replicated to the remotes that are left. */
	{
		uint8_t buf[FRAME_MAX];
		uint16_t len = l4_frame(buf, FRAME_LEN, IPPROTO_UDP, &mac_vm1, &bcast, IP_VM1,
			IP4(10, 0, 255, 255), 137, 137, 0);

		run1(f, PORT_VM1, mbuf_of(buf, len));
		assert_int_equal(PORT_STATS(f, PORT_UPLINK)->encapsulated, n - 1);
	}
	assert_no_leak(f);
}

static void
test_full_program_refuses_delete(void **state)
{
	struct fixture *f = *state;
	struct vfp_program *p = base_program(f->sw, 64, 0);

	assert_false(vfp_program_is_derived(p));
	assert_false(vfp_program_is_derived(NULL));
	assert_int_equal(vfp_program_del_mapping(p, VSID_A, &mac_r1), -EINVAL);
	assert_int_equal(vfp_program_del_mapping(NULL, VSID_A, &mac_r1), -EINVAL);
	/* Only the switch's program can be derived from. */
	assert_null(vfp_program_derive(p));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(vfp_program_derive(NULL));
	assert_int_equal(rte_errno, EINVAL);
	vfp_program_free(p);
}

/* What of the base a refused derived program must leave as it was. */
struct snapshot {
	unsigned int n_entries, n_free, n_nh;
	uint32_t n_remote;
	const struct vfp_entry *remote[16];
	const struct vfp_entry *r1, *r2;
};

static void
snap(const struct fixture *f, struct snapshot *s)
{
	const struct vfp_ca_list *l = remote_list(running(f));

	memset(s, 0, sizeof(*s));
	s->n_entries = running(f)->cas->n_entries;
	s->n_free = running(f)->cas->n_free;
	s->n_nh = running(f)->n_nh;
	s->n_remote = l->n;
	assert_true(l->n <= RTE_DIM(s->remote));
	memcpy(s->remote, l->e, sizeof(l->e[0]) * l->n);
	s->r1 = l2(f, &mac_r1);
	s->r2 = l2(f, &mac_r2);
}

static void
assert_snap(const struct fixture *f, const struct snapshot *s)
{
	const struct vfp_ca_list *l = remote_list(running(f));

	assert_int_equal(running(f)->cas->n_entries, s->n_entries);
	assert_int_equal(running(f)->cas->n_free, s->n_free);
	assert_int_equal(running(f)->n_nh, s->n_nh);
	assert_int_equal(l->n, s->n_remote);
	assert_memory_equal(l->e, s->remote, sizeof(l->e[0]) * l->n);
	assert_ptr_equal(l2(f, &mac_r1), s->r1);
	assert_ptr_equal(l2(f, &mac_r2), s->r2);
	assert_int_equal(s->r2->pa, PA_R2);
	assert_int_equal(s->r1->kind, VFP_ENTRY_REMOTE);
}

static void
test_refused_derived_program_leaves_base_intact(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr mac9 = mac_new(9);
	struct vfp_program *d;
	struct snapshot s;

	/* A move first, which leaves a free slot: the program below takes
	 * that one and one above the high-water mark. */
	d = derive(f);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, PA_R2), 0);
	assert_int_equal(publish(f, d), 0);
	snap(f, &s);
	assert_int_equal(s.n_free, 1);

	d = derive(f);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(9), &mac9, PA_ONLINK), 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r1), 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, PA_R2_MOVED), 0);
	assert_int_equal(d->cas->n_free, 0);
	assert_int_equal(d->cas->n_entries, s.n_entries + 1);
	assert_null(l2(f, &mac9));
	vfp_program_free(d);
	assert_snap(f, &s);

	/* Derived again, published, and published twice: refused. */
	d = derive(f);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(9), &mac9, PA_NEW), 0);
	assert_int_equal(publish(f, d), 0);
	assert_int_equal(publish(f, d), -EINVAL);
	assert_mapped(f, &mac9, ip_new(9), PA_NEW);
	assert_mapped(f, &mac_r1, IP_R1, PA_R1);
}

static void
test_stale_derived_program_is_refused(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr mac10 = mac_new(10), mac11 = mac_new(11);
	struct vfp_program *a = derive(f), *b = derive(f);
	const struct vfp_entry *e;
	struct snapshot s;

	/* Two programs derived from the same base write different slots. */
	assert_int_equal(vfp_program_add_mapping(a, VSID_A, ip_new(10), &mac10, PA_NEW), 0);
	assert_int_equal(vfp_program_del_mapping(a, VSID_A, &mac_r1), 0);
	assert_int_equal(vfp_program_add_mapping(b, VSID_A, ip_new(11), &mac11, PA_R1), 0);
	assert_int_equal(vfp_program_add_mapping(b, VSID_A, ip_new(10), &mac10, PA_R2), 0);
	assert_int_equal(publish(f, b), 0);
	snap(f, &s);
	e = l2(f, &mac10);
	assert_int_equal(e->pa, PA_R2);

	/* a's base is gone: refused, and nothing of it shows. */
	assert_int_equal(publish(f, a), -ESTALE);
	assert_snap(f, &s);
	assert_ptr_equal(l2(f, &mac10), e);
	vfp_program_free(a);
	assert_int_equal(e->kind, VFP_ENTRY_REMOTE);
	assert_mapped(f, &mac10, ip_new(10), PA_R2);
	assert_mapped(f, &mac11, ip_new(11), PA_R1);

	/* Replaced by a full compile, a derived program's base is gone too;
	 * the tables it shares outlive it until it is freed. */
	a = derive(f);
	assert_int_equal(vfp_program_add_mapping(a, VSID_A, ip_new(12), &mac11, PA_NEW), -EEXIST);
	assert_int_equal(publish(f, base_program(f->sw, 1024, 0)), 0);
	assert_int_equal(publish(f, a), -ESTALE);
	assert_null(l2(f, &mac10));
	assert_mapped(f, &mac_r1, IP_R1, PA_R1);
	vfp_program_free(a);
}

static void
test_derived_program_validates_as_a_full_one(void **state)
{
	struct fixture *f = *state;
	const struct rte_ether_addr mac12 = mac_new(12), mac13 = mac_new(13);
	const struct rte_ether_addr mcast = {{0x01, 0, 0x5e, 0, 0, 1}};
	struct vfp_rule_spec r = rule_spec("r", 1, 0, VFP_ACT_ALLOW);
	struct vfp_dhcp_params dh = {.lease_s = 60};
	struct vfp_program *d = derive(f);

	assert_int_equal(
		vfp_program_add_mapping(d, VSID_UNKNOWN, ip_new(12), &mac12, PA_NEW), -ENOENT);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac12, 0), -EINVAL);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac12, PA_LOCAL), -EINVAL);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mcast, PA_NEW), -EINVAL);
	/* Against the base, by MAC and by CA, a NIC's keys too. */
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac_r1, PA_NEW), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R1, &mac12, PA_NEW), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_VM1, &mac12, PA_NEW), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac_vm1, PA_NEW), -EEXIST);
	/* Against its own adds. */
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac12, PA_NEW), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(12), &mac13, PA_NEW), -EEXIST);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(13), &mac12, PA_NEW), -EEXIST);
	/* A deleted key is free again, by MAC or by CA. */
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r1), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R1, &mac13, PA_NEW), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(14), &mac_r1, PA_NEW), 0);

	/* It changes remote mappings only. */
	assert_int_equal(vfp_program_add_subnet(d, 7777, 1, IP4(10, 9, 0, 0), 16, IP4(10, 9, 0, 1),
				 ENCAP_TYPE_VXLAN),
		-EINVAL);
	assert_int_equal(vfp_program_add_vnic(d, PORT_VM1, VSID_A, &mac13, ip_new(15)), -EINVAL);
	assert_int_equal(
		vfp_program_add_route(d, 1, IP4(192, 168, 200, 0), 24, VSID_A, IP_APP), -EINVAL);
	assert_int_equal(vfp_program_set_ip_forwarding(d, VSID_A, IP_R2), -EINVAL);
	assert_int_equal(vfp_layer_add(d, PORT_VM1, "acl", LAYER_ACL, false), -EINVAL);
	assert_int_equal(
		vfp_group_add(d, PORT_VM1, 0, "g", 5, VFP_DIR_OUT, VFP_FAMILY_ANY), -EINVAL);
	assert_int_equal(vfp_rule_add(d, PORT_VM1, 0, 0, &r), -EINVAL);
	assert_int_equal(
		vfp_program_add_nat_pool(d, "pool", IP4(1, 1, 1, 1), IP4(1, 1, 1, 2), 1, 2),
		-EINVAL);
	assert_int_equal(vfp_program_add_counter(d, "c"), -EINVAL);
	assert_int_equal(vfp_program_add_meter(d, "m", 1000, 1000, 0), -EINVAL);
	assert_int_equal(vfp_program_set_subnet6(d, VSID_A, prefix6, 64, gw6), -EINVAL);
	assert_int_equal(vfp_program_set_flood_limit(d, VSID_A, 5), -EINVAL);
	assert_int_equal(vfp_program_set_dhcp(d, VSID_A, &dh), -EINVAL);
	assert_int_equal(publish(f, d), 0);
	assert_mapped(f, &mac13, IP_R1, PA_NEW);
	assert_mapped(f, &mac_r1, ip_new(14), PA_NEW);
	assert_mapped(f, &mac12, ip_new(12), PA_NEW);
}

static void
test_unreachable_pa_is_refused(void **state)
{
	struct vfp_switch *sw = switch_new(1024);
	struct vfp_host_params hp = host_params(N_PORTS);
	const struct rte_ether_addr mac = mac_new(1);
	struct vfp_program *p, *d;

	(void)state;
	hp.gateway = 0;
	hp.has_gateway_mac = false;
	p = vfp_program_create(sw, &hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 16,
				 IP4(10, 0, 255, 254), ENCAP_TYPE_VXLAN),
		0);
	/* No reader lcore: publish does not wait. */
	assert_int_equal(vfp_switch_publish(sw, p), 0);
	d = vfp_program_derive(p);
	assert_non_null(d);
	assert_int_equal(
		vfp_program_add_mapping(d, VSID_A, ip_new(1), &mac, PA_NEW), -EHOSTUNREACH);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(1), &mac, PA_ONLINK), 0);
	assert_int_equal(vfp_switch_publish(sw, d), 0);
	assert_non_null(vfp_l2_lookup(d, VSID_A, &mac));
	vfp_switch_free(sw);
}

static void
test_adds_beyond_the_tables_are_refused(void **state)
{
	struct fixture *f = *state;
	const unsigned int cap = 16;
	struct rte_ether_addr mac;
	struct vfp_program *d;
	unsigned int i;

	assert_int_equal(publish(f, base_program(f->sw, cap, 0)), 0);
	d = derive(f);
	for (i = 0; i < cap - N_BASE; i++) {
		mac = mac_new(20 + i);
		assert_int_equal(
			vfp_program_add_mapping(d, VSID_A, ip_new(20 + i), &mac, PA_NEW), 0);
	}
	mac = mac_new(20 + i);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(20 + i), &mac, PA_NEW), -ENOSPC);
	/* A deleted CA keeps its room until the publish is over. */
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r1), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(20 + i), &mac, PA_NEW), -ENOSPC);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R1, &mac_r1, PA_NEW), -ENOSPC);
	assert_int_equal(publish(f, d), 0);
	assert_int_equal(running(f)->cas->n_free, 1);

	/* Then it is free; and a move needs the room of a new entry. */
	d = derive(f);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(20 + i), &mac, PA_NEW), 0);
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, PA_NEW), -ENOSPC);
	assert_int_equal(publish(f, d), 0);
	assert_mapped(f, &mac, ip_new(20 + i), PA_NEW);
	assert_null(l2(f, &mac_r2));
	assert_int_equal(running(f)->cas->n_entries, cap);
}

static void
test_ipv6_cas_of_derived_mappings(void **state)
{
	struct fixture *f = *state;
	const unsigned int cap6 = 8;
	uint8_t ip6[16], r2_ip6[16];
	struct rte_ether_addr mac;
	struct vfp_program *d;
	unsigned int i;

	ip6_of(2, r2_ip6);
	assert_int_equal(publish(f, base_program(f->sw, 64, cap6)), 0);
	d = derive(f);
	mac = mac_new(30);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(30), &mac, PA_NEW), 0);
	ip6_of(30, ip6);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(99), ip6), -ENOENT);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(30), r2_ip6), -EEXIST);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(30), gw6), -EINVAL);
	/* The base's CAs are the base's. */
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, IP_R1, ip6), -EINVAL);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, IP_R2, ip6), -EEXIST);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(30), ip6), 0);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(30), ip6), -EEXIST);
	assert_null(vfp_nd_lookup(running(f), VSID_A, ip6));
	/* R2 gone, its IPv6 CA is free for another. */
	assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
	mac = mac_new(31);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(31), &mac, PA_NEW), 0);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(31), r2_ip6), 0);
	/* Up to the ND table's room: the base's key (R2's, now the second
	 * mapping's) and the first mapping's are in it; 6 more. */
	for (i = 0; i < cap6 - 2; i++) {
		mac = mac_new(40 + i);
		ip6_of(40 + i, ip6);
		assert_int_equal(
			vfp_program_add_mapping(d, VSID_A, ip_new(40 + i), &mac, PA_NEW), 0);
		assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(40 + i), ip6), 0);
	}
	mac = mac_new(40 + i);
	ip6_of(40 + i, ip6);
	assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(40 + i), &mac, PA_NEW), 0);
	assert_int_equal(vfp_program_set_ipv6(d, VSID_A, ip_new(40 + i), ip6), -ENOSPC);
	assert_int_equal(publish(f, d), 0);

	ip6_of(30, ip6);
	mac = mac_new(30);
	assert_ptr_equal(vfp_nd_lookup(running(f), VSID_A, ip6), l2(f, &mac));
	mac = mac_new(31);
	assert_ptr_equal(vfp_nd_lookup(running(f), VSID_A, r2_ip6), l2(f, &mac));
	assert_true(l2(f, &mac)->has_ip6);
	assert_null(l2(f, &mac_r2));
}

static void
test_chain_of_derived_publishes_reuses_slots(void **state)
{
	struct fixture *f = *state;
	const unsigned int high = running(f)->cas->n_entries;
	const struct vfp_entry *r1 = l2(f, &mac_r1);
	uint32_t n = remote_list(running(f))->n;
	struct rte_malloc_socket_stats before, after;
	int at = list_index(running(f), l2(f, &mac_r2));
	struct vfp_program *p;
	uint8_t ip6[16];

	ip6_of(2, ip6);
	run1(f, PORT_VM1, to_remote(&mac_r1, IP_R1, 1000));
	assert_int_equal(UFT_STATS(f)->misses, 1);
	for (unsigned int i = 0; i < 50; i++) {
		struct vfp_program *d = derive(f);
		rte_be32_t pa = i % 2 ? PA_R2 : PA_R2_MOVED;

		assert_int_equal(vfp_program_del_mapping(d, VSID_A, &mac_r2), 0);
		assert_int_equal(vfp_program_add_mapping(d, VSID_A, IP_R2, &mac_r2, pa), 0);
		assert_int_equal(vfp_program_set_ipv6(d, VSID_A, IP_R2, ip6), 0);
		assert_int_equal(publish(f, d), 0);
		assert_mapped(f, &mac_r2, IP_R2, pa);
		assert_int_equal(list_index(running(f), l2(f, &mac_r2)), at);
		assert_int_equal(remote_list(running(f))->n, n);
		/* One slot more at most: each move frees the slot of the last. */
		assert_true(running(f)->cas->n_entries <= high + 1);
		assert_true(running(f)->cas->n_free <= 1);
		if (i == 1)
			rte_malloc_get_socket_stats(0, &before);
	}
	rte_malloc_get_socket_stats(0, &after);
	assert_int_equal(after.heap_allocsz_bytes, before.heap_allocsz_bytes);
	assert_ptr_equal(l2(f, &mac_r1), r1);
	/* R1's flow was never re-walked. */
	run1(f, PORT_VM1, to_remote(&mac_r1, IP_R1, 1000));
	assert_int_equal(UFT_STATS(f)->hits, 1);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	run1(f, PORT_VM1, to_remote(&mac_r2, IP_R2, 1000));
	assert_int_equal(UFT_STATS(f)->misses, 2);
	/* A full compile of the same mappings has the same fingerprints, bucket
	 * by bucket: publishing it re-walks nothing. */
	p = base_program(f->sw, 1024, 0);
	vfp_program_seal(p);
	assert_memory_equal(p->map_fp, running(f)->map_fp, sizeof(p->map_fp[0]) * VFP_MAP_BUCKETS);
	assert_int_equal(publish(f, p), 0);
	run1(f, PORT_VM1, to_remote(&mac_r1, IP_R1, 1000));
	run1(f, PORT_VM1, to_remote(&mac_r2, IP_R2, 1000));
	assert_int_equal(UFT_STATS(f)->hits, 3);
	assert_int_equal(UFT_STATS(f)->stale, 0);
	assert_no_leak(f);
}

/* ---- concurrency ---- */

#define MT_WORKERS 2
#define MT_STABLE 1500 /* in a table of 2048: cuckoo moves happen */
#define MT_TABLE 2048
#define MT_PUBLISHES 200
#define PA_X IP4(172, 16, 1, 1)
#define PA_Y IP4(172, 16, 1, 2)

static struct vfp_switch *mt_sw;
static volatile bool mt_stop;

struct mt_worker {
	unsigned int id;
	struct vfp_lcore *lc;
	uint64_t rounds;
	uint64_t missing; /* a stable or the moving CA not found */
	uint64_t wrong;   /* found with a PA it never had */
};

static struct mt_worker mt_workers[MT_WORKERS];

static rte_be32_t
stable_pa(unsigned int i)
{
	return IP4(172, 17, i >> 8, i & 0xff);
}

static uint16_t
mt_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)ctx;
	(void)port;
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	return n;
}

static void
mt_look(struct mt_worker *w, const struct vfp_program *p)
{
	const struct rte_ether_addr moving = mac_new(0);
	const struct vfp_subnet *s = vfp_subnet_lookup(p, VSID_A);
	const struct vfp_ca_list *l = vfp_subnet_remote(s);
	const struct vfp_entry *e;
	bool listed = false;

	for (unsigned int i = 1; i <= MT_STABLE; i++) {
		const struct rte_ether_addr mac = mac_new(i);

		e = vfp_l2_lookup(p, VSID_A, &mac);
		if (e == NULL)
			w->missing++;
		else if (e->pa != stable_pa(i))
			w->wrong++;
	}
	for (unsigned int i = 1; i <= MT_STABLE; i += 97) {
		e = vfp_arp_lookup(p, VSID_A, ip_new(i));
		if (e == NULL)
			w->missing++;
		else if (e->pa != stable_pa(i))
			w->wrong++;
	}
	e = vfp_l2_lookup(p, VSID_A, &moving);
	if (e == NULL)
		w->missing++;
	else if (e->pa != PA_X && e->pa != PA_Y)
		w->wrong++;
	e = vfp_arp_lookup(p, VSID_A, ip_new(0));
	if (e == NULL)
		w->missing++;
	else if (e->pa != PA_X && e->pa != PA_Y)
		w->wrong++;
	/* The replication list is replaced whole: always one of the CA. */
	for (uint32_t i = 0; l != NULL && i < l->n; i++)
		listed |= rte_is_same_ether_addr(&l->e[i]->mac, &moving);
	if (!listed)
		w->missing++;
}

static int
mt_worker_main(void *arg)
{
	struct mt_worker *w = arg;

	w->lc = vfp_lcore_create(mt_sw, w->id, mt_tx, w);
	if (w->lc == NULL)
		return -1;
	while (!mt_stop) {
		mt_look(w, vfp_switch_program(mt_sw));
		__atomic_store_n(&w->rounds, w->rounds + 1, __ATOMIC_RELAXED);
		vfp_lcore_quiescent(mt_sw, w->lc);
	}
	vfp_lcore_offline(mt_sw, w->lc);
	return 0;
}

static uint64_t
mt_rounds(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < MT_WORKERS; i++)
		n += __atomic_load_n(&mt_workers[i].rounds, __ATOMIC_RELAXED);
	return n;
}

static void
test_workers_never_miss_a_moving_ca(void **state)
{
	const struct vfp_switch_params sp = {.flow_capacity = 1024, .n_lcores = MT_WORKERS};
	struct vfp_host_params hp = host_params(2);
	const struct rte_ether_addr moving = mac_new(0);
	uint64_t end, hz = rte_get_tsc_hz();
	unsigned int lcore, i = 0, publishes = 0, high = 0;
	struct vfp_program *p;

	(void)state;
	mt_sw = vfp_switch_create(&sp);
	assert_non_null(mt_sw);
	hp.table_size = MT_TABLE;
	p = vfp_program_create(mt_sw, &hp);
	assert_non_null(p);
	assert_int_equal(vfp_program_add_subnet(p, VSID_A, 1, IP4(10, 0, 0, 0), 16,
				 IP4(10, 0, 255, 254), ENCAP_TYPE_VXLAN),
		0);
	assert_int_equal(vfp_program_add_mapping(p, VSID_A, ip_new(0), &moving, PA_X), 0);
	for (unsigned int k = 1; k <= MT_STABLE; k++) {
		const struct rte_ether_addr mac = mac_new(k);

		assert_int_equal(
			vfp_program_add_mapping(p, VSID_A, ip_new(k), &mac, stable_pa(k)), 0);
	}
	assert_int_equal(vfp_switch_publish(mt_sw, p), 0);
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (i == MT_WORKERS)
			break;
		mt_workers[i].id = i;
		assert_int_equal(rte_eal_remote_launch(mt_worker_main, &mt_workers[i], lcore), 0);
		i++;
	}
	assert_int_equal(i, MT_WORKERS);

	end = rte_get_tsc_cycles() + 100 * hz;
	while (publishes < MT_PUBLISHES && rte_get_tsc_cycles() < end) {
		const struct rte_ether_addr churn = mac_new(MT_STABLE + 1 + publishes % 2);
		const struct rte_ether_addr gone = mac_new(MT_STABLE + 1 + (publishes + 1) % 2);
		struct vfp_program *d;

		/* Let the workers look between publishes however slow they are. */
		if (mt_rounds() < (uint64_t)publishes * 2) {
			rte_delay_us(100);
			continue;
		}
		d = vfp_program_derive(vfp_switch_program(mt_sw));
		assert_non_null(d);
		/* The move, and a CA that comes and goes: new keys make the
		 * table move others about (cuckoo) while workers look. */
		assert_int_equal(vfp_program_del_mapping(d, VSID_A, &moving), 0);
		assert_int_equal(vfp_program_add_mapping(d, VSID_A, ip_new(0), &moving,
					 publishes % 2 ? PA_X : PA_Y),
			0);
		if (publishes > 0)
			assert_int_equal(vfp_program_del_mapping(d, VSID_A, &gone), 0);
		assert_int_equal(vfp_program_add_mapping(d, VSID_A,
					 ip_new(MT_STABLE + 1 + publishes % 2), &churn, PA_X),
			0);
		assert_int_equal(vfp_switch_publish(mt_sw, d), 0);
		high = RTE_MAX(high, vfp_switch_program(mt_sw)->cas->n_entries);
		publishes++;
	}
	mt_stop = true;
	rte_eal_mp_wait_lcore();
	for (i = 0; i < MT_WORKERS; i++) {
		print_message("worker %u: %" PRIu64 " rounds, %" PRIu64 " missing, %" PRIu64
			      " wrong\n",
			i, mt_workers[i].rounds, mt_workers[i].missing, mt_workers[i].wrong);
		assert_int_equal(mt_workers[i].missing, 0);
		assert_int_equal(mt_workers[i].wrong, 0);
		assert_true(mt_workers[i].rounds > 0);
		vfp_lcore_free(mt_sw, mt_workers[i].lc);
	}
	assert_int_equal(publishes, MT_PUBLISHES);
	/* The move and the churn reuse the slots of the last publish. */
	assert_true(high <= MT_STABLE + 1 + 4);
	vfp_switch_free(mt_sw);
}

/* ---- main ---- */

static int
group_setup(void **state)
{
	/* Three lcores on whatever CPUs there are: the main one and two
	 * workers for the concurrency test. */
	char *argv[] = {"test_vfp_derive", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--lcores", "0@0,(1,2)@(0-1)", "--log-level=lib.*:error", NULL};

	(void)state;
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create(
		"test_vfp_derive", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	eal_stop();
	return 0;
}

#define DERIVE(t) cmocka_unit_test_setup_teardown(t, setup, fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_free_tables_with_extendable_buckets),
		DERIVE(test_add_and_move_rewalk_only_their_buckets),
		DERIVE(test_move_replaces_the_entry_in_place),
		DERIVE(test_delete_removes_the_mapping_and_refuses_others),
		DERIVE(test_full_program_refuses_delete),
		DERIVE(test_refused_derived_program_leaves_base_intact),
		DERIVE(test_stale_derived_program_is_refused),
		DERIVE(test_derived_program_validates_as_a_full_one),
		cmocka_unit_test(test_unreachable_pa_is_refused),
		DERIVE(test_adds_beyond_the_tables_are_refused),
		DERIVE(test_ipv6_cas_of_derived_mappings),
		DERIVE(test_chain_of_derived_publishes_reuses_slots),
		cmocka_unit_test(test_workers_never_miss_a_moving_ca),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
