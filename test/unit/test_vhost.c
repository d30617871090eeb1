/* SPDX-License-Identifier: BSD-3-Clause
 * test/unit/test_vhost.c: unit tests for drivers/hnv_vhost (vhost-user
 * ports over rte_vhost).
 *
 * Owns: parameter checks; a server port seeing a guest come up (features,
 * enabled rings), frames both ways on two queue pairs byte for byte, the
 * guest going away (quiesce before on_state(down), rx/tx then 0 with the
 * mbufs left to the caller) and coming back; two tx "workers" sharing the
 * guest's only rx ring from two threads at once; destroy with a guest
 * connected; a client port connecting to a socket the guest made, and
 * reconnecting when the guest comes back; the feature formatter; and no
 * mbuf leaked. The guest is a net_virtio_user in this process (EAL starts
 * with --no-huge --in-memory, whose memory memfd backs, so it can be
 * shared). Every wait is a poll on the state bounded by 5 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "hnv_vhost.h"

#define NB_MBUF 4095
#define QSIZE 256
#define WAIT_MS 5000

static struct rte_mempool *hmp; /* the port's receive mbufs and what we send it */
static struct rte_mempool *gmp; /* the guest's */
static char dir[64];
static int guest_seq;

/* ---- callbacks: what happened, in which order ---- */

struct events {
	int up, down, quiesce;
	int last_quiesce_seq, last_down_seq;
};

static int seq;

static void
on_state(void *arg, bool up)
{
	struct events *e = arg;

	if (up) {
		__atomic_fetch_add(&e->up, 1, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&e->last_down_seq, __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST),
			__ATOMIC_SEQ_CST);
		__atomic_fetch_add(&e->down, 1, __ATOMIC_SEQ_CST);
	}
}

/* No workers here: nothing to wait for but the ordering. */
static void
quiesce(void *arg)
{
	struct events *e = arg;

	__atomic_store_n(&e->last_quiesce_seq, __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST),
		__ATOMIC_SEQ_CST);
	__atomic_fetch_add(&e->quiesce, 1, __ATOMIC_SEQ_CST);
}

static int
get(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* ---- helpers ---- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Poll @cond every millisecond for at most WAIT_MS; its last value. */
#define WAIT_UNTIL(cond)                                                                           \
	({                                                                                         \
		uint64_t end_ = now_ms() + WAIT_MS;                                                \
		while (!(cond) && now_ms() < end_)                                                 \
			usleep(1000);                                                              \
		(cond);                                                                            \
	})

static void
sock_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static bool
is_socket(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static struct hnv_vhost *
port_create(const char *path, bool client, uint16_t queues, struct events *e)
{
	const struct hnv_vhost_params p = {
		.socket = path,
		.client = client,
		.queues = queues,
		.mp = hmp,
		.on_state = on_state,
		.quiesce = quiesce,
		.arg = e,
	};
	char err[256] = "";
	struct hnv_vhost *v = hnv_vhost_create(&p, err, sizeof(err));

	if (v == NULL)
		print_error("hnv_vhost_create: %s\n", err);
	return v;
}

static struct hnv_vhost_info
info_of(const struct hnv_vhost *v)
{
	struct hnv_vhost_info info;

	assert_int_equal(hnv_vhost_info(v, &info), 0);
	return info;
}

/* ---- the guest: a net_virtio_user ---- */

struct guest {
	char name[32];
	char args[160];
	uint16_t port;
	int rc;
};

static int
guest_add(struct guest *g, const char *path, unsigned int queues, bool server)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "net_virtio_user%d", guest_seq++);
	snprintf(g->args, sizeof(g->args), "path=%s,queues=%u,queue_size=%u%s", path, queues, QSIZE,
		server ? ",server=1" : "");
	g->rc = rte_eal_hotplug_add("vdev", g->name, g->args);
	if (g->rc == 0)
		g->rc = rte_eth_dev_get_port_by_name(g->name, &g->port);
	return g->rc;
}

static int
guest_start(struct guest *g, uint16_t nq)
{
	const struct rte_eth_conf conf = {0};
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(g->port, nq, nq, &conf);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_rx_queue_setup(g->port, q, QSIZE, SOCKET_ID_ANY, NULL, gmp);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_tx_queue_setup(g->port, q, QSIZE, SOCKET_ID_ANY, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(g->port);
	return rc;
}

/* The guest goes away: stop, close, remove the device. */
static void
guest_remove(struct guest *g)
{
	rte_eth_dev_stop(g->port);
	rte_eth_dev_close(g->port);
	assert_int_equal(rte_eal_hotplug_remove("vdev", g->name), 0);
}

/* ---- frames ---- */

/* Frame @id of @len bytes: broadcast, a locally administered source,
 * the local experimental ethertype, then a pattern from @id. */
static struct rte_mbuf *
frame(struct rte_mempool *mp, uint32_t id, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;
	uint16_t i;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0xff, 6);
	p[6] = 0x02;
	p[7] = 0;
	p[8] = 0;
	p[9] = 0;
	p[10] = 0;
	p[11] = 1;
	p[12] = 0x88;
	p[13] = 0xb5;
	memcpy(p + 14, &id, sizeof(id));
	for (i = 18; i < len; i++)
		p[i] = (uint8_t)(id * 7 + i);
	return m;
}

static uint16_t
len_of(uint32_t id)
{
	return (uint16_t)(60 + (id * 97) % 1455); /* 60..1514 */
}

/* @m is frame @id, byte for byte. */
static bool
is_frame(const struct rte_mbuf *m, uint32_t id)
{
	struct rte_mbuf *want = frame(hmp, id, len_of(id));
	uint8_t buf[2048];
	const void *got;
	bool same;

	assert_non_null(want);
	got = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), buf);
	same = rte_pktmbuf_pkt_len(m) == rte_pktmbuf_pkt_len(want) && got != NULL &&
	       memcmp(got, rte_pktmbuf_mtod(want, void *), rte_pktmbuf_pkt_len(want)) == 0;
	rte_pktmbuf_free(want);
	return same;
}

static uint32_t
id_of(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod_offset(m, const uint8_t *, 14), sizeof(id));
	return id;
}

/* The guest sends frames first..first+n-1 on its tx queue @q; we receive
 * them on hnv_vhost_rx(q), identical and in order. */
static void
check_guest_to_port(struct hnv_vhost *v, struct guest *g, uint16_t q, uint32_t first, uint16_t n)
{
	struct rte_mbuf *tx[64], *rx[64];
	uint16_t i, sent = 0, got = 0, k;
	uint64_t end = now_ms() + WAIT_MS;

	assert_true(n <= 64);
	for (i = 0; i < n; i++) {
		tx[i] = frame(gmp, first + i, len_of(first + i));
		assert_non_null(tx[i]);
	}
	while ((sent < n || got < n) && now_ms() < end) {
		if (sent < n)
			sent += rte_eth_tx_burst(g->port, q, tx + sent, n - sent);
		k = hnv_vhost_rx(v, q, rx + got, (uint16_t)(64 - got));
		got += k;
		if (k == 0)
			usleep(100);
	}
	assert_int_equal(sent, n);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(id_of(rx[i]), first + i);
		assert_true(is_frame(rx[i], first + i));
		assert_true(rx[i]->pool == hmp);
	}
	rte_pktmbuf_free_bulk(rx, n);
	/* Nothing more. */
	assert_int_equal(hnv_vhost_rx(v, q, rx, 64), 0);
}

/* We send frames first..first+n-1 with hnv_vhost_tx(q); the guest receives
 * them on its rx queue @gq, identical and in order, and on no other. */
static void
check_port_to_guest(
	struct hnv_vhost *v, struct guest *g, uint16_t q, uint16_t gq, uint32_t first, uint16_t n)
{
	struct rte_mbuf *tx[64], *rx[64];
	uint16_t i, sent = 0, got = 0, k, nq;
	uint64_t end = now_ms() + WAIT_MS;
	struct rte_eth_dev_info di;

	assert_true(n <= 64);
	assert_int_equal(rte_eth_dev_info_get(g->port, &di), 0);
	nq = di.nb_rx_queues;
	for (i = 0; i < n; i++) {
		tx[i] = frame(hmp, first + i, len_of(first + i));
		assert_non_null(tx[i]);
	}
	while ((sent < n || got < n) && now_ms() < end) {
		if (sent < n)
			sent += hnv_vhost_tx(v, q, tx + sent, n - sent);
		k = rte_eth_rx_burst(g->port, gq, rx + got, (uint16_t)(64 - got));
		got += k;
		if (k == 0)
			usleep(100);
	}
	assert_int_equal(sent, n);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(id_of(rx[i]), first + i);
		assert_true(is_frame(rx[i], first + i));
	}
	rte_pktmbuf_free_bulk(rx, n);
	for (i = 0; i < nq; i++)
		assert_int_equal(rte_eth_rx_burst(g->port, i, rx, 64), 0);
}

static void
assert_no_leak(void)
{
	assert_int_equal(rte_mempool_avail_count(hmp), hmp->size);
	assert_int_equal(rte_mempool_avail_count(gmp), gmp->size);
}

/* ---- tests ---- */

static void
test_create_rejects_bad_params(void **state)
{
	struct events e = {0};
	struct hnv_vhost_params p = {
		.socket = "relative.sock",
		.queues = 1,
		.mp = hmp,
		.quiesce = quiesce,
		.arg = &e,
	};
	char path[128], file[128], err[256], longp[200];
	struct hnv_vhost *v;
	FILE *f;

	(void)state;
	err[0] = '\0';
	errno = 0;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "absolute"));

	sock_path(path, sizeof(path), "p.sock");
	p.socket = path;
	p.queues = 0;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "queue pairs"));
	p.queues = HNV_VHOST_MAX_QUEUES + 1;
	err[0] = '\0';
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "queue pairs"));
	p.queues = 1;

	p.quiesce = NULL;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "quiesce"));
	p.quiesce = quiesce;
	p.mp = NULL;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "mempool"));
	p.mp = hmp;

	p.socket = "/nonexistent-hnv-dir/x.sock";
	errno = 0;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "does not exist"));

	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	p.socket = longp;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_non_null(strstr(err, "too long"));

	/* A regular file is not replaced. */
	sock_path(file, sizeof(file), "regular");
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	p.socket = file;
	errno = 0;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(err, "not a socket"));
	assert_int_equal(access(file, F_OK), 0);
	unlink(file);

	/* A path already in use by a port: refused, and its socket stays. */
	v = port_create(path, false, 1, &e);
	assert_non_null(v);
	assert_true(is_socket(path));
	p.socket = path;
	errno = 0;
	assert_null(hnv_vhost_create(&p, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	assert_true(is_socket(path));
	hnv_vhost_destroy(v);
	assert_false(is_socket(path));
	assert_int_equal(e.up + e.down + e.quiesce, 0);

	hnv_vhost_destroy(NULL);
	assert_int_equal(hnv_vhost_info(NULL, &(struct hnv_vhost_info){0}), -EINVAL);
	assert_no_leak();
}

/* A stale socket file, as a crashed process leaves it. */
static void
make_stale_socket(const char *path)
{
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(un.sun_path));
	memcpy(un.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
	close(fd);
	assert_true(is_socket(path));
}

static void
test_server_guest_up_traffic_down_and_back(void **state)
{
	struct events e = {0};
	struct rte_mbuf *held[4];
	struct hnv_vhost_info info;
	struct hnv_vhost *v;
	struct guest g;
	char path[128], names[512];
	unsigned int i;

	(void)state;
	sock_path(path, sizeof(path), "server.sock");
	make_stale_socket(path);
	v = port_create(path, false, 2, &e);
	assert_non_null(v);
	assert_true(is_socket(path));

	/* No guest: nothing, and what we would send stays ours. */
	info = info_of(v);
	assert_false(info.up);
	assert_int_equal(info.vid, -1);
	assert_int_equal(info.features, 0);
	assert_int_equal(info.queues, 2);
	for (i = 0; i < 4; i++)
		held[i] = frame(hmp, i, 100);
	assert_int_equal(hnv_vhost_tx(v, 0, held, 4), 0);
	assert_int_equal(hnv_vhost_rx(v, 0, held, 4), 0);

	/* The guest comes, with two queue pairs. */
	assert_int_equal(guest_add(&g, path, 2, false), 0);
	assert_int_equal(guest_start(&g, 2), 0);
	assert_true(WAIT_UNTIL(get(&e.up) == 1));
	assert_true(WAIT_UNTIL(info_of(v).rxq_enabled == 2 && info_of(v).txq_enabled == 2));
	info = info_of(v);
	assert_true(info.up);
	assert_true(info.vid >= 0);
	assert_true(info.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(info.features & (1ULL << VIRTIO_F_VERSION_1));
	assert_false(info.features & (1ULL << VIRTIO_NET_F_CSUM));
	assert_false(info.features & (1ULL << VIRTIO_NET_F_HOST_TSO4));
	assert_false(info.features & (1ULL << VIRTIO_NET_F_HOST_TSO6));
	assert_false(info.features & (1ULL << VIRTIO_NET_F_HOST_UFO));
	assert_int_equal(info.connects, 1);
	assert_int_equal(info.disconnects, 0);
	hnv_vhost_features_format(info.features, names, sizeof(names));
	assert_non_null(strstr(names, "mrg_rxbuf"));
	assert_null(strstr(names, "host_tso4"));

	/* Both ways on both queue pairs. More than rte_vhost's burst of 32. */
	check_guest_to_port(v, &g, 0, 1000, 40);
	check_guest_to_port(v, &g, 1, 2000, 8);
	check_port_to_guest(v, &g, 0, 0, 3000, 40);
	check_port_to_guest(v, &g, 1, 1, 4000, 8);
	/* Not offered: queue 2. */
	assert_int_equal(hnv_vhost_rx(v, 2, held, 4), 0);
	info = info_of(v);
	assert_int_equal(info.q_rx[0], 40);
	assert_int_equal(info.q_rx[1], 8);
	assert_int_equal(info.q_tx[0], 40);
	assert_int_equal(info.q_tx[1], 8);

	/* It goes away: quiesced before down; then rx/tx give 0. */
	guest_remove(&g);
	assert_true(WAIT_UNTIL(get(&e.down) == 1));
	assert_true(get(&e.quiesce) >= 1);
	assert_true(get(&e.last_quiesce_seq) < get(&e.last_down_seq));
	info = info_of(v);
	assert_false(info.up);
	assert_int_equal(info.vid, -1);
	assert_int_equal(info.features, 0);
	assert_int_equal(info.disconnects, 1);
	assert_int_equal(hnv_vhost_tx(v, 0, held, 4), 0);
	assert_int_equal(hnv_vhost_tx(v, 1, held, 4), 0);
	assert_int_equal(hnv_vhost_rx(v, 0, held, 4), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(rte_mbuf_refcnt_read(held[i]), 1);
		assert_int_equal(id_of(held[i]), i);
	}
	assert_int_equal(rte_mempool_avail_count(hmp), hmp->size - 4);
	rte_pktmbuf_free_bulk(held, 4);

	/* It comes back, with one queue pair this time. */
	assert_int_equal(guest_add(&g, path, 1, false), 0);
	assert_int_equal(guest_start(&g, 1), 0);
	assert_true(WAIT_UNTIL(get(&e.up) == 2));
	assert_true(WAIT_UNTIL(info_of(v).rxq_enabled == 1 && info_of(v).txq_enabled == 1));
	check_guest_to_port(v, &g, 0, 5000, 4);
	check_port_to_guest(v, &g, 0, 0, 6000, 4);
	/* Worker 1 sends through the guest's only rx ring. */
	check_port_to_guest(v, &g, 1, 0, 7000, 4);
	assert_int_equal(hnv_vhost_rx(v, 1, held, 4), 0);
	guest_remove(&g);
	assert_true(WAIT_UNTIL(get(&e.down) == 2));

	info = info_of(v);
	assert_int_equal(info.connects, 2);
	assert_int_equal(info.disconnects, 2);
	assert_int_equal(info.q_rx[0], 44);
	assert_int_equal(info.q_tx[0], 48);
	hnv_vhost_destroy(v);
	assert_false(is_socket(path));
	assert_int_equal(get(&e.up), 2);
	assert_int_equal(get(&e.down), 2);
	assert_no_leak();
}

/* ---- two workers on one ring ---- */

#define PER_WORKER 300

struct worker {
	struct hnv_vhost *v;
	uint16_t q;
	int sent;
};

static void *
worker_send(void *arg)
{
	struct worker *w = arg;
	uint64_t end = now_ms() + WAIT_MS;
	struct rte_mbuf *m[8];
	uint32_t next = 0;
	uint16_t k, n = 0;

	while (next < PER_WORKER && now_ms() < end) {
		while (n < RTE_DIM(m) && next + n < PER_WORKER) {
			uint32_t id = (uint32_t)w->q << 16 | (next + n);

			m[n] = frame(hmp, id, len_of(id));
			if (m[n] == NULL)
				break;
			n++;
		}
		k = hnv_vhost_tx(w->v, w->q, m, n);
		/* The caller keeps m[k..n-1]: send them again. */
		memmove(m, m + k, (size_t)(n - k) * sizeof(m[0]));
		n -= k;
		next += k;
		if (k == 0)
			usleep(50);
	}
	rte_pktmbuf_free_bulk(m, n);
	w->sent = (int)next;
	return NULL;
}

static void
test_two_workers_share_one_ring_then_destroy_with_guest(void **state)
{
	struct worker w[2];
	struct events e = {0};
	struct rte_mbuf *rx[64];
	struct hnv_vhost_info info;
	uint32_t next[2] = {0, 0};
	struct hnv_vhost *v;
	pthread_t th[2];
	struct guest g;
	char path[128];
	uint64_t end;
	int got = 0, i, k, j;

	(void)state;
	sock_path(path, sizeof(path), "shared.sock");
	v = port_create(path, false, 2, &e);
	assert_non_null(v);
	assert_int_equal(guest_add(&g, path, 1, false), 0);
	assert_int_equal(guest_start(&g, 1), 0);
	assert_true(WAIT_UNTIL(get(&e.up) == 1 && info_of(v).rxq_enabled == 1));

	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){.v = v, .q = (uint16_t)i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_send, &w[i]), 0);
	}
	end = now_ms() + WAIT_MS;
	while (got < 2 * PER_WORKER && now_ms() < end) {
		k = rte_eth_rx_burst(g.port, 0, rx, 64);
		for (j = 0; j < k; j++) {
			uint32_t id = id_of(rx[j]);
			uint32_t q = id >> 16;

			/* Each worker's frames in its order, none lost or torn. */
			assert_true(q < 2);
			assert_int_equal(id & 0xffff, next[q]);
			assert_true(is_frame(rx[j], id));
			next[q]++;
		}
		rte_pktmbuf_free_bulk(rx, (unsigned int)k);
		got += k;
		if (k == 0)
			usleep(50);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(w[0].sent, PER_WORKER);
	assert_int_equal(w[1].sent, PER_WORKER);
	assert_int_equal(got, 2 * PER_WORKER);
	info = info_of(v);
	assert_int_equal(info.q_tx[0], 2 * PER_WORKER);
	assert_int_equal(info.q_tx[1], 0);

	/* Destroy with the guest still there: down and quiesce from here. */
	hnv_vhost_destroy(v);
	assert_int_equal(get(&e.down), 1);
	assert_true(get(&e.quiesce) >= 1);
	assert_true(get(&e.last_quiesce_seq) < get(&e.last_down_seq));
	assert_false(is_socket(path));
	guest_remove(&g);
	assert_no_leak();
}

/* ---- client mode ---- */

static void *
guest_add_server(void *arg)
{
	struct guest *g = arg;
	char path[128];

	sock_path(path, sizeof(path), "client.sock");
	/* virtio_user in server mode waits in accept() for its backend. */
	guest_add(g, path, 1, true);
	return NULL;
}

static void
test_client_connects_to_guest_socket_and_reconnects(void **state)
{
	struct events e = {0};
	struct hnv_vhost_info info;
	struct hnv_vhost *v;
	pthread_t th;
	struct guest g;
	char path[128];

	(void)state;
	sock_path(path, sizeof(path), "client.sock");
	unlink(path);
	/* The guest makes the socket first. */
	assert_int_equal(pthread_create(&th, NULL, guest_add_server, &g), 0);
	assert_true(WAIT_UNTIL(is_socket(path)));
	v = port_create(path, true, 1, &e);
	assert_non_null(v);
	pthread_join(th, NULL);
	assert_int_equal(g.rc, 0);
	assert_int_equal(guest_start(&g, 1), 0);
	assert_true(WAIT_UNTIL(get(&e.up) == 1 && info_of(v).rxq_enabled == 1));
	check_guest_to_port(v, &g, 0, 100, 8);
	check_port_to_guest(v, &g, 0, 0, 200, 8);

	/* The guest goes away and comes back; we reconnect by ourselves. */
	guest_remove(&g);
	assert_true(WAIT_UNTIL(get(&e.down) == 1));
	assert_false(info_of(v).up);
	unlink(path); /* if virtio_user left it, as QEMU may */
	/* Waits in accept() until our reconnect (once a second) comes. */
	assert_int_equal(guest_add(&g, path, 1, true), 0);
	assert_int_equal(guest_start(&g, 1), 0);
	assert_true(WAIT_UNTIL(get(&e.up) == 2 && info_of(v).rxq_enabled == 1));
	check_guest_to_port(v, &g, 0, 300, 8);
	check_port_to_guest(v, &g, 0, 0, 400, 8);
	info = info_of(v);
	assert_int_equal(info.connects, 2);
	assert_int_equal(info.disconnects, 1);
	assert_int_equal(info.q_rx[0], 16);
	assert_int_equal(info.q_tx[0], 16);

	hnv_vhost_destroy(v);
	assert_int_equal(get(&e.down), 2);
	guest_remove(&g);
	unlink(path);
	assert_no_leak();
}

static void
test_features_format(void **state)
{
	char buf[256];
	int n;

	(void)state;
	n = hnv_vhost_features_format(0, buf, sizeof(buf));
	assert_int_equal(n, 0);
	assert_string_equal(buf, "");
	n = hnv_vhost_features_format(
		(1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			(1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			(1ULL << VIRTIO_F_VERSION_1) | (1ULL << 50),
		buf, sizeof(buf));
	assert_string_equal(buf, "csum guest_csum host_tso4 mrg_rxbuf version_1 bit50");
	assert_int_equal(n, (int)strlen(buf));
	/* Cut short: like snprintf. */
	assert_int_equal(hnv_vhost_features_format(1ULL << VIRTIO_NET_F_MRG_RXBUF, buf, 4), 9);
	assert_string_equal(buf, "mrg");
	assert_int_equal(hnv_vhost_features_format((1ULL << 0) | (1ULL << 1), NULL, 0), 15);
}

/* ---- set-up ---- */

static int
group_setup(void **state)
{
	char *argv[] = {"test_vhost", "--no-huge", "-m", "512", "--no-shconf", "--no-pci", "-l",
		"0", "--log-level=*:warning", "--log-level=hnv.vhost:info"};

	(void)state;
	/* virtio_user writes to a backend that went away without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	hmp = rte_pktmbuf_pool_create(
		"hnv_vhost_mp", NB_MBUF, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	gmp = rte_pktmbuf_pool_create(
		"guest_mp", NB_MBUF, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	snprintf(dir, sizeof(dir), "/tmp/hnv_vhost_test.XXXXXX");
	if (hmp == NULL || gmp == NULL || mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rmdir(dir);
	rte_mempool_free(hmp);
	rte_mempool_free(gmp);
	rte_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_params),
		cmocka_unit_test(test_server_guest_up_traffic_down_and_back),
		cmocka_unit_test(test_two_workers_share_one_ring_then_destroy_with_guest),
		cmocka_unit_test(test_client_connects_to_guest_socket_and_reconnects),
		cmocka_unit_test(test_features_format),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
