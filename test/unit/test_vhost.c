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
 * reconnecting when the guest comes back; the feature formatter; guest
 * offloads (the features offered; partial TCP/UDP checksums over IPv4 and
 * IPv6 completed; a 20 KB TSO frame cut into the bytes a guest without TSO
 * sends, returned a few per call through the stash; a large MSS giving
 * chains; TSO6 and an exhausted indirect pool dropped and counted; the
 * stash freed when the guest goes); and no mbuf leaked. The guest is a
 * net_virtio_user in this process (EAL starts with --no-huge --in-memory,
 * whose memory memfd backs, so it can be shared). Every wait is a poll on
 * the state bounded by 5 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
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
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
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
guest_start_conf(struct guest *g, uint16_t nq, const struct rte_eth_conf *conf)
{
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(g->port, nq, nq, conf);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_rx_queue_setup(g->port, q, QSIZE, SOCKET_ID_ANY, NULL, gmp);
	for (q = 0; rc == 0 && q < nq; q++)
		rc = rte_eth_tx_queue_setup(g->port, q, QSIZE, SOCKET_ID_ANY, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(g->port);
	return rc;
}

/* A guest that asks for no offloads. */
static int
guest_start(struct guest *g, uint16_t nq)
{
	const struct rte_eth_conf conf = {0};

	return guest_start_conf(g, nq, &conf);
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

/* ---- guest offloads ---- */

/* What a test frame is: Ethernet (VLAN-tagged or not), IPv4 or IPv6, TCP
 * (with 12 bytes of timestamp options or none) or UDP, then payload bytes
 * pat(seed, payload_off + j). */
struct spec {
	bool v6, vlan, tcp_opts;
	uint8_t proto;
	uint8_t tcp_flags;
	uint16_t ip_id;
	uint32_t seq;
	uint32_t payload, payload_off;
	uint8_t seed;
};

#define MAX_FRAME 24000

static uint8_t
pat(uint8_t seed, uint32_t j)
{
	return (uint8_t)(seed + j * 7 + (j >> 8));
}

static uint32_t
l2_of(const struct spec *sp)
{
	return sp->vlan ? 18 : 14;
}

static uint32_t
l3len_of(const struct spec *sp)
{
	return sp->v6 ? 40 : 20;
}

static uint32_t
l4hdr_of(const struct spec *sp)
{
	return sp->proto == IPPROTO_UDP ? 8 : (sp->tcp_opts ? 32 : 20);
}

/* One's complement sum of @n bytes in network order, added to @s. */
static uint32_t
sum_be(const uint8_t *p, uint32_t n, uint32_t s)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The frame @sp says into @buf, finished as a guest without offloads sends
 * it (IPv4 header and L4 checksums by hand, 0 sent as 0xffff as Linux
 * does); its length. With @partial, the L4 checksum field holds the
 * pseudo-header sum instead, as DPDK and virtio want of a partial one. */
static uint32_t
frame_build(const struct spec *sp, uint8_t *buf, bool partial)
{
	uint32_t l2 = l2_of(sp), l3 = l3len_of(sp), l4h = l4hdr_of(sp);
	uint32_t l4 = l2 + l3, l4_len = l4h + sp->payload, len = l4 + l4_len, j, s;
	uint8_t *ip = buf + l2, *th = buf + l4;
	uint32_t csum_at = l4 + (sp->proto == IPPROTO_UDP ? 6 : 16);

	assert_true(len <= MAX_FRAME);
	memset(buf, 0, l4 + l4h);
	memcpy(buf, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (sp->vlan) {
		put16(buf + 12, 0x8100);
		put16(buf + 14, 42);
	}
	put16(buf + l2 - 2, sp->v6 ? 0x86dd : 0x0800);
	if (sp->v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4_len);
		ip[6] = sp->proto;
		ip[7] = 64;
		for (j = 0; j < 16; j++) {
			ip[8 + j] = (uint8_t)(0xfd + j);
			ip[24 + j] = (uint8_t)(0x20 + j);
		}
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(l3 + l4_len));
		put16(ip + 4, sp->ip_id);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = sp->proto;
		put32(ip + 12, 0x0a000001);
		put32(ip + 16, 0x0a000102);
		put16(ip + 10, (uint16_t)~fold(sum_be(ip, 20, 0)));
	}
	put16(th, 33000);
	put16(th + 2, sp->proto == IPPROTO_UDP ? 4789 : 80);
	if (sp->proto == IPPROTO_UDP) {
		put16(th + 4, (uint16_t)l4_len);
	} else {
		put32(th + 4, sp->seq);
		put32(th + 8, 0x11223344);
		th[12] = (uint8_t)((l4h / 4) << 4);
		th[13] = sp->tcp_flags;
		put16(th + 14, 501);
		if (sp->tcp_opts) {
			memcpy(th + 20, "\x01\x01\x08\x0a", 4);
			put32(th + 24, 0xabcdef01);
			put32(th + 28, 0x12345678);
		}
	}
	for (j = 0; j < sp->payload; j++)
		buf[l4 + l4h + j] = pat(sp->seed, sp->payload_off + j);
	/* The pseudo-header, then the L4 bytes. */
	s = sp->v6 ? sum_be(ip + 8, 32, 0) : sum_be(ip + 12, 8, 0);
	s += sp->proto + (l4_len >> 16) + (l4_len & 0xffff);
	if (partial) {
		put16(buf + csum_at, fold(s));
	} else {
		uint16_t c = (uint16_t)~fold(sum_be(th, l4_len, s));

		put16(buf + csum_at, c == 0 ? 0xffff : c);
	}
	return len;
}

/* @len bytes of @buf as a chain of mbufs of @mp, each filled to its room. */
static struct rte_mbuf *
mbuf_of(struct rte_mempool *mp, const uint8_t *buf, uint32_t len)
{
	struct rte_mbuf *head = NULL, *last = NULL, *m;
	uint32_t off = 0, k;

	while (off < len) {
		m = rte_pktmbuf_alloc(mp);
		assert_non_null(m);
		k = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)k), buf + off, k);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += k;
		}
		last = m;
		off += k;
	}
	return head;
}

/* @m is a finished frame of ours, equal to @want[0..len-1]. */
static void
assert_finished_frame(const struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	static uint8_t got[MAX_FRAME];
	const struct rte_mbuf *s;

	assert_true(m->pool == hmp);
	for (s = m; s != NULL; s = s->next)
		assert_true(RTE_MBUF_DIRECT(s) && !RTE_MBUF_HAS_EXTBUF(s));
	assert_int_equal(m->ol_flags & (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK |
					       RTE_MBUF_F_TX_OFFLOAD_MASK),
		0);
	assert_int_equal(m->tx_offload, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), len);
	/* Linear whenever it fits one mbuf. */
	if (len <= (uint32_t)rte_pktmbuf_data_room_size(hmp) - RTE_PKTMBUF_HEADROOM)
		assert_int_equal(m->nb_segs, 1);
	assert_non_null(rte_pktmbuf_read(m, 0, len, got));
	assert_memory_equal(rte_pktmbuf_read(m, 0, len, got), want, len);
}

/* A port with one queue pair and a guest that uses checksum offloads. */
struct ofx {
	struct events e;
	struct hnv_vhost *v;
	struct guest g;
	char path[128];
	uint64_t txoff;
	bool guest_gone; /* the test removed it */
};

static int
ofx_setup(void **state)
{
	static struct ofx f;
	struct rte_eth_dev_info di;
	struct rte_eth_conf conf = {0};
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	int rc;

	memset(&f, 0, sizeof(f));
	sock_path(f.path, sizeof(f.path), "offload.sock");
	f.v = port_create(f.path, false, 1, &f.e);
	if (f.v == NULL)
		return -1;
	rc = guest_add(&f.g, f.path, 1, false);
	if (rc == 0)
		rc = rte_eth_dev_info_get(f.g.port, &di);
	if (rc != 0) {
		print_error("guest: %d\n", rc);
		hnv_vhost_destroy(f.v);
		return -1;
	}
	/* What we offer shows in the guest's capabilities. The virtio PMD
	 * offers TCP_TSO only with HOST_TSO4 and HOST_TSO6 both (we offer no
	 * TSO6), but sends an mbuf marked RTE_MBUF_F_TX_TCP_SEG as a TSO frame
	 * (a virtio header with gso_type) whenever it negotiated CSUM: that is
	 * how these tests send what a Linux guest with TSO4 sends. */
	f.txoff = RTE_ETH_TX_OFFLOAD_TCP_TSO | csum | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	f.txoff &= di.tx_offload_capa;
	conf.txmode.offloads = f.txoff;
	rc = (di.tx_offload_capa & csum) == csum ? guest_start_conf(&f.g, 1, &conf) : -ENOTSUP;
	/* The PMD resets the device to renegotiate when the offloads change
	 * its features: the guest comes up, goes and comes back with them. */
	if (rc != 0 || !WAIT_UNTIL(info_of(f.v).up &&
				   (info_of(f.v).features & (1ULL << VIRTIO_NET_F_CSUM)) &&
				   info_of(f.v).txq_enabled == 1)) {
		print_error("guest start: %d, tx offloads 0x%" PRIx64 " of 0x%" PRIx64 "\n", rc,
			f.txoff, di.tx_offload_capa);
		guest_remove(&f.g);
		hnv_vhost_destroy(f.v);
		return -1;
	}
	*state = &f;
	return 0;
}

static int
ofx_teardown(void **state)
{
	struct ofx *f = *state;

	if (!f->guest_gone) {
		guest_remove(&f->g);
		if (!WAIT_UNTIL(get(&f->e.down) == get(&f->e.up))) {
			print_error("guest did not go: up %d down %d\n", get(&f->e.up),
				get(&f->e.down));
			return -1;
		}
	}
	hnv_vhost_destroy(f->v);
	if (rte_mempool_avail_count(gmp) != gmp->size ||
		rte_mempool_avail_count(hmp) != hmp->size) {
		print_error("mbufs leaked\n");
		return -1;
	}
	return 0;
}

/* The guest sends @m (its offload flags set; through rte_eth_tx_prepare if
 * @prepare, which writes the pseudo-header sums as the PMD wants them); we
 * receive @want frames into @rx, asking for at most @per_call a call. */
static void
send_and_receive(struct ofx *f, struct rte_mbuf **m, uint16_t n, bool prepare, struct rte_mbuf **rx,
	uint16_t want, uint16_t per_call)
{
	uint64_t end = now_ms() + WAIT_MS;
	uint16_t sent = 0, got = 0, k;

	if (prepare)
		assert_int_equal(rte_eth_tx_prepare(f->g.port, 0, m, n), n);
	while ((sent < n || got < want) && now_ms() < end) {
		if (sent < n)
			sent += rte_eth_tx_burst(f->g.port, 0, m + sent, n - sent);
		k = hnv_vhost_rx(f->v, 0, rx + got, RTE_MIN(per_call, (uint16_t)(want - got)));
		got += k;
		if (k == 0)
			usleep(100);
	}
	assert_int_equal(sent, n);
	assert_int_equal(got, want);
}

/* DPDK agrees that the L4 checksum of @m, a frame of @sp, is right. */
static void
assert_l4_cksum_ok(const struct rte_mbuf *m, const struct spec *sp)
{
	uint32_t l3 = l2_of(sp), l4 = l3 + l3len_of(sp);

	if (sp->v6)
		assert_int_equal(rte_ipv6_udptcp_cksum_mbuf_verify(m,
					 rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3), l4),
			0);
	else
		assert_int_equal(rte_ipv4_udptcp_cksum_mbuf_verify(m,
					 rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3), l4),
			0);
}

/* Nothing more comes, for a while. */
static void
assert_nothing_more(struct ofx *f)
{
	struct rte_mbuf *rx[8];
	int i;

	for (i = 0; i < 20; i++) {
		assert_int_equal(hnv_vhost_rx(f->v, 0, rx, 8), 0);
		usleep(500);
	}
}

/* Our pools are full (the guest's tx ring keeps its sent mbufs until it
 * reuses the slots: teardown checks its pool once it is gone). */
static void
assert_no_leak_gso(void)
{
	struct rte_mempool *gso = rte_mempool_lookup(HNV_VHOST_GSO_POOL);

	assert_non_null(gso);
	assert_int_equal(rte_mempool_avail_count(gso), gso->size);
	assert_int_equal(rte_mempool_avail_count(hmp), hmp->size);
}

static void
test_offload_features(void **state)
{
	struct ofx *f = *state;
	struct hnv_vhost_info info = info_of(f->v);
	uint64_t offered = 0;
	char names[512];

	/* Offered: checksum, TSO4 (with ECN), mergeable buffers; no TSO6,
	 * UFO, nor the legacy GSO bit that means all of them. */
	assert_int_equal(rte_vhost_driver_get_features(f->path, &offered), 0);
	assert_true(offered & (1ULL << VIRTIO_NET_F_CSUM));
	assert_true(offered & (1ULL << VIRTIO_NET_F_HOST_TSO4));
	assert_true(offered & (1ULL << VIRTIO_NET_F_HOST_ECN));
	assert_true(offered & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_false(offered & (1ULL << VIRTIO_NET_F_HOST_TSO6));
	assert_false(offered & (1ULL << VIRTIO_NET_F_HOST_UFO));
	assert_false(offered & (1ULL << VIRTIO_NET_F_GSO));
	/* Negotiated: what this guest asked for. */
	assert_true(info.features & (1ULL << VIRTIO_NET_F_CSUM));
	assert_true(info.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	assert_int_equal(!!(info.features & (1ULL << VIRTIO_NET_F_HOST_TSO4)),
		!!(f->txoff & RTE_ETH_TX_OFFLOAD_TCP_TSO));
	assert_false(info.features & (1ULL << VIRTIO_NET_F_HOST_TSO6));
	hnv_vhost_features_format(info.features, names, sizeof(names));
	assert_non_null(strstr(names, "csum"));
	assert_int_equal(info.csum_completed + info.tso_frames + info.offload_errors, 0);
}

static void
test_offload_partial_checksums(void **state)
{
	/* TCP/IPv4, UDP/IPv4, TCP/IPv6, UDP/IPv6, TCP/IPv4 behind a VLAN tag,
	 * and a TCP/IPv4 frame of 3000 bytes (a large-MTU guest: a chain). */
	static const struct spec specs[] = {
		{.proto = IPPROTO_TCP,
			.tcp_flags = 0x18,
			.ip_id = 7,
			.seq = 1,
			.payload = 300,
			.seed = 1},
		{.proto = IPPROTO_UDP, .ip_id = 8, .payload = 201, .seed = 2},
		{.v6 = true,
			.proto = IPPROTO_TCP,
			.tcp_flags = 0x10,
			.tcp_opts = true,
			.seq = 9,
			.payload = 500,
			.seed = 3},
		{.v6 = true, .proto = IPPROTO_UDP, .payload = 77, .seed = 4},
		{.vlan = true,
			.proto = IPPROTO_TCP,
			.tcp_flags = 0x10,
			.ip_id = 9,
			.payload = 64,
			.seed = 5},
		{.proto = IPPROTO_TCP, .tcp_flags = 0x10, .ip_id = 10, .payload = 2946, .seed = 6},
	};
	static uint8_t buf[RTE_DIM(specs)][MAX_FRAME];
	const uint16_t n = RTE_DIM(specs);
	struct ofx *f = *state;
	struct rte_mbuf *tx[RTE_DIM(specs)], *rx[RTE_DIM(specs)];
	uint32_t len[RTE_DIM(specs)];
	struct hnv_vhost_info info;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const struct spec *sp = &specs[i];

		tx[i] = mbuf_of(gmp, buf[i], frame_build(sp, buf[i], true));
		tx[i]->l2_len = l2_of(sp);
		tx[i]->l3_len = l3len_of(sp);
		tx[i]->ol_flags = (sp->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4) |
				  (sp->proto == IPPROTO_UDP ? RTE_MBUF_F_TX_UDP_CKSUM
							    : RTE_MBUF_F_TX_TCP_CKSUM);
		/* What we must receive. */
		len[i] = frame_build(sp, buf[i], false);
	}
	/* Not prepared: the pseudo-header sums are ours. */
	send_and_receive(f, tx, n, false, rx, n, n);
	for (i = 0; i < n; i++) {
		assert_finished_frame(rx[i], buf[i], len[i]);
		assert_l4_cksum_ok(rx[i], &specs[i]);
	}
	assert_true(rx[n - 1]->nb_segs > 1);
	rte_pktmbuf_free_bulk(rx, n);
	assert_nothing_more(f);
	info = info_of(f->v);
	assert_int_equal(info.csum_completed, n);
	assert_int_equal(info.offload_errors, 0);
	assert_int_equal(info.q_rx[0], n);
	assert_no_leak_gso();
}

/* The segments a guest without TSO would send for super-frame @super, of
 * MSS @mss, into @seg[i]; their number. IP ids consecutive, sequence
 * numbers advancing, PSH and FIN on the last only, CWR on the first only. */
static uint32_t
tso_reference(const struct spec *super, uint32_t mss, uint8_t (*seg)[MAX_FRAME], uint32_t *len)
{
	uint32_t nseg = (super->payload + mss - 1) / mss, i;

	for (i = 0; i < nseg; i++) {
		struct spec sp = *super;

		sp.payload_off = i * mss;
		sp.payload = RTE_MIN(mss, super->payload - i * mss);
		sp.ip_id = (uint16_t)(super->ip_id + i);
		sp.seq = super->seq + i * mss;
		if (i + 1 < nseg)
			sp.tcp_flags &= (uint8_t) ~(RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG);
		if (i > 0)
			sp.tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
		len[i] = frame_build(&sp, seg[i], false);
	}
	return nseg;
}

/* The guest's TSO frame @sp with MSS @mss, as an mbuf to send. */
static struct rte_mbuf *
tso_frame(const struct spec *sp, uint16_t mss)
{
	static uint8_t buf[MAX_FRAME];
	struct rte_mbuf *m = mbuf_of(gmp, buf, frame_build(sp, buf, true));

	m->l2_len = l2_of(sp);
	m->l3_len = l3len_of(sp);
	m->l4_len = l4hdr_of(sp);
	m->tso_segsz = mss;
	m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | (sp->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	return m;
}

#define SUPER_SEGS 15 /* ceil(20000 / 1398) */

static const struct spec super20k = {
	.proto = IPPROTO_TCP,
	.tcp_opts = true,
	/* CWR ECE ACK PSH FIN: each its rule. */
	.tcp_flags = RTE_TCP_CWR_FLAG | RTE_TCP_ECE_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
		     RTE_TCP_FIN_FLAG,
	.ip_id = 0xfff8,   /* wraps */
	.seq = 0xffffd000, /* wraps */
	.payload = 20000,
	.seed = 9,
};

/* The 15 segments of super20k in @rx equal the reference, and their
 * payloads put together the original. */
static void
assert_super20k(struct rte_mbuf **rx)
{
	static uint8_t ref[SUPER_SEGS + 1][MAX_FRAME], all[20000], tmp[MAX_FRAME];
	uint32_t len[SUPER_SEGS + 1], i, off = 0, hdr = 14 + 20 + 32;
	const void *p;

	assert_int_equal(tso_reference(&super20k, 1398, ref, len), SUPER_SEGS);
	for (i = 0; i < SUPER_SEGS; i++) {
		assert_finished_frame(rx[i], ref[i], len[i]);
		assert_l4_cksum_ok(rx[i], &super20k);
		p = rte_pktmbuf_read(rx[i], hdr, len[i] - hdr, tmp);
		assert_non_null(p);
		memcpy(all + off, p, len[i] - hdr);
		off += len[i] - hdr;
	}
	assert_int_equal(off, 20000);
	for (i = 0; i < 20000; i++)
		if (all[i] != pat(super20k.seed, i))
			fail_msg("payload byte %u differs", i);
}

static void
test_offload_tso_cut(void **state)
{
	struct ofx *f = *state;
	struct rte_mbuf *tx[4], *rx[SUPER_SEGS + 3];
	struct hnv_vhost_info info;
	uint16_t i;

	/* The super-frame, then three plain frames: these come after all its
	 * segments, though we take 4 frames a call. */
	tx[0] = tso_frame(&super20k, 1398);
	for (i = 1; i < 4; i++)
		tx[i] = frame(gmp, 900 + i, len_of(900 + i));
	send_and_receive(f, tx, 4, true, rx, SUPER_SEGS + 3, 4);
	assert_super20k(rx);
	for (i = 1; i < 4; i++)
		assert_true(is_frame(rx[SUPER_SEGS + i - 1], 900 + i));
	rte_pktmbuf_free_bulk(rx, SUPER_SEGS + 3);
	assert_nothing_more(f);
	info = info_of(f->v);
	assert_int_equal(info.tso_frames, 1);
	assert_int_equal(info.offload_errors, 0);
	assert_int_equal(info.q_rx[0], SUPER_SEGS + 3);
	assert_no_leak_gso();
}

static void
test_offload_tso_large_mss_gives_chains(void **state)
{
	/* MSS 4000 > our 2 KB mbufs: each segment is what a 4 KB-MTU guest
	 * without TSO sends, a chain of direct mbufs. */
	static uint8_t ref[4][MAX_FRAME];
	const struct spec sp = {.proto = IPPROTO_TCP,
		.tcp_flags = 0x18,
		.ip_id = 3,
		.seq = 5,
		.payload = 10000,
		.seed = 11};
	struct ofx *f = *state;
	struct rte_mbuf *tx = tso_frame(&sp, 4000), *rx[3];
	uint32_t len[4], i;

	send_and_receive(f, &tx, 1, true, rx, 3, 8);
	assert_int_equal(tso_reference(&sp, 4000, ref, len), 3);
	for (i = 0; i < 3; i++) {
		assert_finished_frame(rx[i], ref[i], len[i]);
		assert_true(rx[i]->nb_segs > 1);
	}
	rte_pktmbuf_free_bulk(rx, 3);
	assert_nothing_more(f);
	assert_int_equal(info_of(f->v).tso_frames, 1);
	assert_no_leak_gso();
}

static void
test_offload_errors_dropped_and_counted(void **state)
{
	const struct spec v6 = {
		.v6 = true, .proto = IPPROTO_TCP, .tcp_flags = 0x10, .payload = 5000, .seed = 12};
	struct ofx *f = *state;
	struct rte_mempool *gso = rte_mempool_lookup(HNV_VHOST_GSO_POOL);
	struct rte_mbuf *tx, *rx[SUPER_SEGS];
	unsigned int held = 0, i;
	void **objs;

	assert_non_null(gso);
	/* TSO over IPv6, which we do not offer: dropped. */
	tx = tso_frame(&v6, 1000);
	assert_int_equal(rte_eth_tx_prepare(f->g.port, 0, &tx, 1), 1);
	assert_int_equal(rte_eth_tx_burst(f->g.port, 0, &tx, 1), 1);
	assert_true(
		WAIT_UNTIL(hnv_vhost_rx(f->v, 0, rx, 8) == 0 && info_of(f->v).offload_errors == 1));

	/* No indirect mbufs left: rte_gso fails, the frame is dropped. */
	objs = calloc(gso->size, sizeof(*objs));
	assert_non_null(objs);
	while (held < gso->size && rte_mempool_get(gso, &objs[held]) == 0)
		held++;
	assert_int_equal(rte_mempool_avail_count(gso), 0);
	tx = tso_frame(&super20k, 1398);
	assert_int_equal(rte_eth_tx_prepare(f->g.port, 0, &tx, 1), 1);
	assert_int_equal(rte_eth_tx_burst(f->g.port, 0, &tx, 1), 1);
	assert_true(
		WAIT_UNTIL(hnv_vhost_rx(f->v, 0, rx, 8) == 0 && info_of(f->v).offload_errors == 2));
	for (i = 0; i < held; i++)
		rte_mempool_put(gso, objs[i]);
	free(objs);
	assert_no_leak_gso();

	/* With them back, it goes through again. */
	tx = tso_frame(&super20k, 1398);
	send_and_receive(f, &tx, 1, true, rx, SUPER_SEGS, SUPER_SEGS);
	assert_super20k(rx);
	rte_pktmbuf_free_bulk(rx, SUPER_SEGS);
	assert_int_equal(info_of(f->v).tso_frames, 1);
	assert_int_equal(info_of(f->v).offload_errors, 2);
	assert_no_leak_gso();
}

static void
test_offload_stash_freed_when_guest_goes(void **state)
{
	struct ofx *f = *state;
	struct rte_mbuf *tx[3], *rx[2];
	uint16_t i;

	/* Two of the segments, the rest and two frames wait in the stash. */
	tx[0] = tso_frame(&super20k, 1398);
	for (i = 1; i < 3; i++)
		tx[i] = frame(gmp, 950 + i, 100);
	send_and_receive(f, tx, 3, true, rx, 2, 2);
	rte_pktmbuf_free_bulk(rx, 2);
	assert_true(rte_mempool_avail_count(hmp) < hmp->size);
	/* The guest goes: what waited is freed. */
	guest_remove(&f->g);
	f->guest_gone = true;
	assert_true(WAIT_UNTIL(get(&f->e.down) == get(&f->e.up)));
	assert_no_leak_gso();
	assert_int_equal(info_of(f->v).tso_frames, 1);
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
		cmocka_unit_test_setup_teardown(test_offload_features, ofx_setup, ofx_teardown),
		cmocka_unit_test_setup_teardown(
			test_offload_partial_checksums, ofx_setup, ofx_teardown),
		cmocka_unit_test_setup_teardown(test_offload_tso_cut, ofx_setup, ofx_teardown),
		cmocka_unit_test_setup_teardown(
			test_offload_tso_large_mss_gives_chains, ofx_setup, ofx_teardown),
		cmocka_unit_test_setup_teardown(
			test_offload_errors_dropped_and_counted, ofx_setup, ofx_teardown),
		cmocka_unit_test_setup_teardown(
			test_offload_stash_freed_when_guest_goes, ofx_setup, ofx_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
