/* SPDX-License-Identifier: BSD-3-Clause
 * drivers/hnv_vhost.c: vhost-user ports over DPDK 22.11's rte_vhost, behind
 * hnv_vhost.h.
 *
 * Owns: the rte_vhost socket of each port, the table that maps rte_vhost's
 * device ids (vid) back to ports, the state the workers read, the guest
 * notification set-up, receiving and sending, the per-queue rx/tx
 * counters, the port's info and the feature names.
 *
 * The completion of guest transmit offloads is hnv_vhost_offload.c's
 * (behind hnv_vhost_offload.h; it says what is offered and why): each port
 * holds its offload state, made in hnv_vhost_create and freed in port_free;
 * vhost_start registers the socket with the flags and feature mask it
 * asks for; hnv_vhost_rx returns what waits in a queue's stash, then
 * dequeues into the queue's inbox there and has it completed; hnv_vhost_info
 * adds its counters.
 *
 * Threads and what protects what:
 * - Workers call hnv_vhost_rx/tx. They read v->ready (acquire), then v->vid,
 *   v->vring_mask and v->tx_ring, and call rte_vhost with that vid. An idle
 *   or disconnected port costs them one load.
 * - rte_vhost calls our device ops from its "vhost-events" thread (messages
 *   of connected guests), its "vhost_reconn" thread (a client connecting),
 *   and from whoever calls rte_vhost_driver_start/unregister (a client that
 *   connects at once; a guest connected at hnv_vhost_destroy).
 * - destroy_device clears v->ready, then calls params.quiesce, so that when
 *   it returns (and rte_vhost frees the device) no worker is still inside an
 *   rte_vhost call with the old vid. new_device publishes vid before ready.
 * - vring_state_changed runs with all the device's vq->access_lock held
 *   (SET_VRING_ENABLE, SET_VRING_KICK...): it must not call rte_vhost
 *   functions that take them (rte_vhost_enable_guest_notification) nor wait
 *   for a lock whose holder does. It only updates v->vring_mask/tx_ring
 *   under v->map_lock and arms an EAL alarm that turns off the guest's
 *   notifications (kicks) of the rings it enabled later, holding
 *   v->notif_lock, which destroy_device also takes, so the alarm never uses
 *   a vid rte_vhost is freeing.
 * - Ports sit in one list under ports_lock; a callback finds its port by the
 *   socket path (rte_vhost_get_ifname). A port leaves the list only after
 *   rte_vhost_driver_unregister returned, and rte_vhost calls no op of an
 *   unregistered socket, so the port a callback finds stays valid while the
 *   callback runs.
 * - The offload stash and counters of queue q are touched only by q's
 *   poller; on_destroy_device flushes the stashes after quiesce, when no
 *   worker can be inside, and port_free after unregister.
 *
 * Sharing a guest rx ring: worker q sends to ring q, or when the guest
 * enabled fewer rings, to one of those (q modulo their number), so two
 * workers may enqueue to one vring. In DPDK 22.11 rte_vhost_enqueue_burst
 * takes vq->access_lock, a spinlock, with rte_spinlock_lock (blocking)
 * around the whole enqueue, so it serializes them itself; we add no lock of
 * our own. Later releases take that lock for reading only: see the #error.
 * (rte_vhost_dequeue_burst only tries the lock and returns 0 when it is
 * busy; each guest tx ring has one poller anyway.)
 *
 * Limits of rte_vhost 22.11, for the thousand ports we want: at most 1024
 * registered sockets (MAX_VHOST_SOCKET) and 1024 devices (vids); one
 * poll() set of 1024 fds (MAX_FDS) for the whole process, holding its own
 * pipe, the listening socket of each server and each guest connection. So
 * 1000 client ports with their guests fit (1001 fds), 1000 server ports do
 * not (2001): a server cannot listen, or rte_vhost drops a guest's
 * connection as it comes, once the set is full. Each registered socket
 * also holds one fd of the process, and each guest several more (kick and
 * call eventfds per vring, its memory regions).
 *
 * We cannot cap the queue pairs a guest uses in 22.11 (no
 * rte_vhost_driver_set_max_queue_num yet): we poll the first params.queues;
 * new_device warns of a guest with more, whose extra tx rings nobody polls.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>
#include <rte_vhost.h>

#include "hnv_vhost.h"
#include "hnv_vhost_offload.h"

#if RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "rte_vhost_enqueue_burst may no longer serialize enqueues on a vring (vq->access_lock became a rwlock taken for reading): give hnv_vhost_tx a spinlock per shared ring"
#endif

#define RTE_LOG_DEFAULT_LOGTYPE hnv.vhost
RTE_LOG_REGISTER_DEFAULT(hnv_vhost_logtype, INFO);

#define VLOG(level, v, fmt, ...)                                                                   \
	rte_log(RTE_LOG_##level, hnv_vhost_logtype, "hnv_vhost %s: " fmt "\n", (v)->path,          \
		##__VA_ARGS__)

/* rte_vhost moves at most 32 packets (its MAX_PKT_BURST) per call. */
#define VHOST_BURST 32
_Static_assert(VHOST_BURST <= HNV_VHOST_OL_BURST, "a dequeue must fit the offload inbox");
#define NO_RING 0xff
/* Vring ids of queue pair q (VIRTIO_RXQ/VIRTIO_TXQ): the guest's rx ring
 * (we enqueue) and its tx ring (we dequeue). */
#define VRING_GUEST_RX(q) (2u * (q))
#define VRING_GUEST_TX(q) (2u * (q) + 1u)
#define MAX_VRINGS (2 * HNV_VHOST_MAX_QUEUES)
#define RX_RING_BITS 0x55555555u /* guest rx rings in vring_mask */
#define NOTIF_DELAY_US 1000

/* The counters of one queue pair, a cache line each: mostly one worker's
 * (the offload ones are in its hnv_vhost_ol). */
struct hnv_vhost_queue {
	uint64_t rx; /* frames returned; written only by the worker polling this queue */
	uint64_t tx; /* relaxed atomic adds: a shared ring has two writers */
} __rte_cache_aligned;

struct hnv_vhost {
	/* Read by the workers on every call. */
	int ready;           /* 1 between new_device and destroy_device */
	int vid;             /* valid while ready */
	uint32_t vring_mask; /* bit i: the guest enabled vring i (of the first MAX_VRINGS) */
	uint8_t tx_ring[HNV_VHOST_MAX_QUEUES]; /* worker q's guest rx ring pair, NO_RING if none */
	uint16_t queues;
	struct rte_mempool *mp;
	struct hnv_vhost_ol *ol; /* offload state: stashes, counters */

	struct hnv_vhost_queue q[HNV_VHOST_MAX_QUEUES];

	/* Control plane. */
	uint64_t features; /* negotiated, 0 when down */
	uint64_t connects;
	uint64_t disconnects;
	pthread_mutex_t map_lock;   /* writers of vring_mask and tx_ring */
	pthread_mutex_t notif_lock; /* notif_vid */
	int notif_vid;              /* the vid whose rings the alarm may touch, -1 */
	uint32_t notif_pending;     /* vrings whose guest notifications are to be turned off */
	int notif_armed;            /* the alarm is set */
	bool client;
	bool registered;
	hnv_vhost_state_cb on_state;
	hnv_vhost_quiesce_fn quiesce;
	void *arg;
	TAILQ_ENTRY(hnv_vhost) next;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static pthread_mutex_t ports_lock = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, hnv_vhost) ports = TAILQ_HEAD_INITIALIZER(ports);

static void notif_alarm(void *arg);

/* ---- the vid -> port table ---- */

static struct hnv_vhost *
port_find_locked(const char *path)
{
	struct hnv_vhost *v;

	for (v = TAILQ_FIRST(&ports); v != NULL; v = TAILQ_NEXT(v, next))
		if (strcmp(v->path, path) == 0)
			return v;
	return NULL;
}

/* The port of rte_vhost device @vid (see the file comment for its lifetime). */
static struct hnv_vhost *
port_of(int vid)
{
	char path[PATH_MAX];
	struct hnv_vhost *v;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) != 0)
		return NULL;
	pthread_mutex_lock(&ports_lock);
	v = port_find_locked(path);
	pthread_mutex_unlock(&ports_lock);
	return v;
}

/* ---- ring state ---- */

/* Publish which vrings the guest enabled, and where each worker sends:
 * the n-th enabled guest rx ring among the pairs we offer, n = q modulo
 * their number (ring q itself when the guest enabled pairs 0..q). The
 * workers read the bytes one at a time; a mix of old and new entries names
 * a ring that is or was just enabled, and rte_vhost drops nothing into a
 * disabled one (it returns 0). */
static void
map_set_locked(struct hnv_vhost *v, uint32_t mask)
{
	uint8_t en[HNV_VHOST_MAX_QUEUES];
	unsigned int k = 0, p;

	for (p = 0; p < v->queues; p++)
		if (mask & (1u << VRING_GUEST_RX(p)))
			en[k++] = (uint8_t)p;
	for (p = 0; p < HNV_VHOST_MAX_QUEUES; p++)
		__atomic_store_n(&v->tx_ring[p], k ? en[p % k] : NO_RING, __ATOMIC_RELAXED);
	__atomic_store_n(&v->vring_mask, mask, __ATOMIC_RELEASE);
}

static void
map_reset(struct hnv_vhost *v)
{
	pthread_mutex_lock(&v->map_lock);
	map_set_locked(v, 0);
	pthread_mutex_unlock(&v->map_lock);
}

/* ---- rte_vhost device ops ---- */

static int
on_new_connection(int vid)
{
	struct hnv_vhost *v = port_of(vid);

	if (v == NULL)
		return -1;
	map_reset(v);
	VLOG(INFO, v, "connection (vid %d)", vid);
	return 0;
}

static void
on_destroy_connection(int vid)
{
	struct hnv_vhost *v = port_of(vid);

	if (v == NULL)
		return;
	map_reset(v);
	VLOG(INFO, v, "connection closed (vid %d)", vid);
}

static int
on_new_device(int vid)
{
	struct hnv_vhost *v = port_of(vid);
	uint64_t features = 0;
	uint16_t nvr, i;

	if (v == NULL)
		return -1;
	if (rte_vhost_get_negotiated_features(vid, &features) != 0)
		features = 0;
	/* We poll: the guest need not kick us. The rings set up later are
	 * done by notif_alarm; rte_vhost reapplies this on re-enable. */
	nvr = rte_vhost_get_vring_num(vid);
	for (i = 0; i < nvr; i++)
		if (rte_vhost_enable_guest_notification(vid, i, 0) != 0)
			VLOG(DEBUG, v, "vring %u: guest notifications stay on for now", i);
	if (nvr > 2 * v->queues)
		VLOG(WARNING, v, "guest has %u queue pairs, only %u are polled", nvr / 2,
			v->queues);

	pthread_mutex_lock(&v->notif_lock);
	v->notif_vid = vid;
	pthread_mutex_unlock(&v->notif_lock);
	__atomic_store_n(&v->features, features, __ATOMIC_RELAXED);
	__atomic_store_n(&v->vid, vid, __ATOMIC_RELAXED);
	__atomic_fetch_add(&v->connects, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->ready, 1, __ATOMIC_RELEASE);
	VLOG(INFO, v, "guest up (vid %d, %u vrings, features 0x%" PRIx64 ")", vid, nvr, features);
	if (v->on_state != NULL)
		v->on_state(v->arg, true);
	return 0;
}

static void
on_destroy_device(int vid)
{
	struct hnv_vhost *v = port_of(vid);

	if (v == NULL)
		return;
	__atomic_store_n(&v->ready, 0, __ATOMIC_RELEASE);
	/* rte_vhost frees the device when we return. */
	v->quiesce(v->arg);
	/* No worker is inside hnv_vhost_rx now, nor enters it before ready. */
	hnv_vhost_ol_flush(v->ol);
	pthread_mutex_lock(&v->notif_lock);
	v->notif_vid = -1;
	pthread_mutex_unlock(&v->notif_lock);
	__atomic_store_n(&v->vid, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&v->features, 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&v->disconnects, 1, __ATOMIC_RELAXED);
	VLOG(INFO, v, "guest down (vid %d)", vid);
	if (v->on_state != NULL)
		v->on_state(v->arg, false);
}

/* Called with the device's vq access locks held: see the file comment. */
static int
on_vring_state_changed(int vid, uint16_t vring, int enable)
{
	struct hnv_vhost *v = port_of(vid);
	uint32_t mask;

	if (v == NULL || vring >= MAX_VRINGS)
		return 0;
	pthread_mutex_lock(&v->map_lock);
	mask = __atomic_load_n(&v->vring_mask, __ATOMIC_RELAXED);
	if (enable)
		mask |= 1u << vring;
	else
		mask &= ~(1u << vring);
	map_set_locked(v, mask);
	pthread_mutex_unlock(&v->map_lock);
	if (enable) {
		__atomic_fetch_or(&v->notif_pending, 1u << vring, __ATOMIC_RELEASE);
		if (!__atomic_exchange_n(&v->notif_armed, 1, __ATOMIC_ACQ_REL) &&
			rte_eal_alarm_set(NOTIF_DELAY_US, notif_alarm, v) != 0)
			__atomic_store_n(&v->notif_armed, 0, __ATOMIC_RELEASE);
	}
	VLOG(DEBUG, v, "vring %u %s", vring, enable ? "enabled" : "disabled");
	return 0;
}

/* EAL alarm: turn off guest notifications of the rings enabled since. */
static void
notif_alarm(void *arg)
{
	struct hnv_vhost *v = arg;
	uint32_t pending;

	__atomic_store_n(&v->notif_armed, 0, __ATOMIC_RELEASE);
	pending = __atomic_exchange_n(&v->notif_pending, 0, __ATOMIC_ACQ_REL);
	pthread_mutex_lock(&v->notif_lock);
	/* Before new_device its loop covers them. */
	while (v->notif_vid >= 0 && pending != 0) {
		unsigned int i = (unsigned int)__builtin_ctz(pending);

		pending &= pending - 1;
		if (rte_vhost_enable_guest_notification(v->notif_vid, (uint16_t)i, 0) != 0)
			VLOG(DEBUG, v, "vring %u: cannot turn guest notifications off", i);
		else
			VLOG(DEBUG, v, "vring %u: guest notifications off", i);
	}
	pthread_mutex_unlock(&v->notif_lock);
}

static const struct rte_vhost_device_ops ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
	.new_connection = on_new_connection,
	.destroy_connection = on_destroy_connection,
};

/* ---- data path ---- */

/* Add to a counter only this worker writes, which others read. */
static inline void
count_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

uint16_t
hnv_vhost_rx(struct hnv_vhost *v, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct hnv_vhost_queue *cq;
	struct rte_mbuf **inbox;
	uint16_t got, want, k, done;
	uint32_t mask;
	int vid;

	if (unlikely(!__atomic_load_n(&v->ready, __ATOMIC_ACQUIRE)))
		return 0;
	if (unlikely(q >= v->queues))
		return 0;
	cq = &v->q[q];
	/* Whatever waits, even if the guest has disabled the ring since. */
	got = hnv_vhost_ol_take(v->ol, q, pkts, n);
	/* Also keeps rte_vhost from logging about vrings the guest lacks. */
	mask = __atomic_load_n(&v->vring_mask, __ATOMIC_ACQUIRE);
	if (unlikely(!(mask & (1u << VRING_GUEST_TX(q)))))
		goto out;
	vid = __atomic_load_n(&v->vid, __ATOMIC_RELAXED);
	inbox = hnv_vhost_ol_inbox(v->ol, q);
	/* Here the stash is empty: hnv_vhost_ol_take and _complete stop
	 * short of @n only once it is. */
	while (got < n) {
		want = RTE_MIN((uint16_t)(n - got), (uint16_t)VHOST_BURST);
		k = rte_vhost_dequeue_burst(vid, VRING_GUEST_TX(q), v->mp, inbox, want);
		done = hnv_vhost_ol_complete(v->ol, q, k, pkts + got, (uint16_t)(n - got));
		got = (uint16_t)(got + done);
		if (k < want)
			break;
	}
out:
	if (got != 0)
		count_add(&cq->rx, got);
	return got;
}

uint16_t
hnv_vhost_tx(struct hnv_vhost *v, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = 0, chunk, k;
	uint8_t ring;
	int vid;

	if (unlikely(!__atomic_load_n(&v->ready, __ATOMIC_ACQUIRE)))
		return 0;
	ring = __atomic_load_n(&v->tx_ring[q % HNV_VHOST_MAX_QUEUES], __ATOMIC_RELAXED);
	if (unlikely(ring == NO_RING))
		return 0;
	vid = __atomic_load_n(&v->vid, __ATOMIC_RELAXED);
	/* Serialized with the other worker of a shared ring by rte_vhost. */
	while (sent < n) {
		chunk = RTE_MIN((uint16_t)(n - sent), (uint16_t)VHOST_BURST);
		k = rte_vhost_enqueue_burst(vid, VRING_GUEST_RX(ring), pkts + sent, chunk);
		sent += k;
		if (k < chunk)
			break;
	}
	if (sent != 0) {
		/* rte_vhost copied them. */
		rte_pktmbuf_free_bulk(pkts, sent);
		__atomic_fetch_add(&v->q[ring].tx, sent, __ATOMIC_RELAXED);
	}
	return sent;
}

/* ---- control plane ---- */

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __rte_format_printf(4, 5);

/* Write a message, set errno, return -rc. */
static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen != 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = rc;
	return -rc;
}

static int
check_params(const struct hnv_vhost_params *p, char *err, size_t errlen)
{
	size_t len;

	if (p == NULL || p->socket == NULL)
		return fail(err, errlen, EINVAL, "vhost-user: no socket path");
	len = strlen(p->socket);
	if (p->socket[0] != '/')
		return fail(err, errlen, EINVAL, "vhost-user socket '%s': not an absolute path",
			p->socket);
	if (len >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return fail(err, errlen, EINVAL,
			"vhost-user socket '%s': path too long (%zu bytes, at most %zu)", p->socket,
			len, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	if (p->socket[len - 1] == '/')
		return fail(
			err, errlen, EINVAL, "vhost-user socket '%s': is a directory", p->socket);
	if (p->queues < 1 || p->queues > HNV_VHOST_MAX_QUEUES)
		return fail(err, errlen, EINVAL,
			"vhost-user socket '%s': %u queue pairs, must be 1..%u", p->socket,
			p->queues, HNV_VHOST_MAX_QUEUES);
	if (p->mp == NULL)
		return fail(err, errlen, EINVAL, "vhost-user socket '%s': no mempool", p->socket);
	if (p->quiesce == NULL)
		return fail(err, errlen, EINVAL, "vhost-user socket '%s': no quiesce function",
			p->socket);
	return 0;
}

/* A server's path: its directory must exist and be writable; an old socket
 * there is removed; anything else there is left alone and refused. */
static int
server_path_prepare(const char *path, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, ENOENT,
			"vhost-user socket '%s': directory %s does not exist", path, dir);
	if (access(dir, W_OK | X_OK) != 0)
		return fail(err, errlen, errno,
			"vhost-user socket '%s': cannot create it in %s: %s", path, dir,
			strerror(errno));
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return fail(
			err, errlen, errno, "vhost-user socket '%s': %s", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, EEXIST,
			"vhost-user socket '%s': exists and is not a socket; not replacing it",
			path);
	if (unlink(path) != 0 && errno != ENOENT)
		return fail(err, errlen, errno,
			"vhost-user socket '%s': cannot remove the old one: %s", path,
			strerror(errno));
	return 0;
}

static int
vhost_start(struct hnv_vhost *v, char *err, size_t errlen)
{
	/* What the offload completion relies on (compliant offload flags).
	 * No RTE_VHOST_USER_NET_STATS_ENABLE: it costs per-packet work, its
	 * counters restart with each connection, and reading them needs a
	 * live vid; ours do not. */
	uint64_t flags = HNV_VHOST_OL_DRIVER_FLAGS;

	if (v->client)
		flags |= RTE_VHOST_USER_CLIENT;
	if (rte_vhost_driver_register(v->path, flags) != 0)
		return fail(err, errlen, EIO,
			"vhost-user socket '%s': rte_vhost_driver_register failed "
			"(at most 1024 sockets; see the VHOST_CONFIG log)",
			v->path);
	v->registered = true;
	if (rte_vhost_driver_disable_features(v->path, HNV_VHOST_OL_FEATURES_OFF) != 0 ||
		rte_vhost_driver_callback_register(v->path, &ops) != 0)
		return fail(err, errlen, EIO, "vhost-user socket '%s': rte_vhost set-up failed",
			v->path);
	/* A server fails here too when rte_vhost's one poll set is full: it
	 * holds 1024 fds (MAX_FDS), its own pipe, each server's listening
	 * socket and each guest connection. */
	if (rte_vhost_driver_start(v->path) != 0)
		return fail(err, errlen, EIO,
			"vhost-user socket '%s': cannot %s (rte_vhost polls at most 1023 "
			"listening sockets and connections; see the VHOST_CONFIG log)",
			v->path, v->client ? "connect" : "listen");
	return 0;
}

static void
port_free(struct hnv_vhost *v)
{
	/* In 22.11 this retries by itself while the events thread is inside a
	 * callback of the socket (it returns no -EBUSY; -1 only for a path not
	 * registered). It closes a guest's connection, calling destroy_device
	 * from this thread, and a server's listening socket, unlinking it.
	 * (After a server's failed start rte_vhost closes that socket twice;
	 * nothing we can do about it but not fail: see server_path_prepare.) */
	if (v->registered && rte_vhost_driver_unregister(v->path) != 0)
		VLOG(WARNING, v, "rte_vhost_driver_unregister failed");
	pthread_mutex_lock(&ports_lock);
	TAILQ_REMOVE(&ports, v, next);
	pthread_mutex_unlock(&ports_lock);
	/* Waits for a running one; none is armed after unregister. */
	rte_eal_alarm_cancel(notif_alarm, v);
	/* unregister ran destroy_device for a guest that was up. */
	hnv_vhost_ol_destroy(v->ol);
	pthread_mutex_destroy(&v->map_lock);
	pthread_mutex_destroy(&v->notif_lock);
	rte_free(v);
}

struct hnv_vhost *
hnv_vhost_create(const struct hnv_vhost_params *p, char *err, size_t errlen)
{
	struct hnv_vhost *v;
	char why[128] = "out of memory";
	int rc;

	if (check_params(p, err, errlen) != 0)
		return NULL;
	v = rte_zmalloc("hnv_vhost", sizeof(*v), RTE_CACHE_LINE_SIZE);
	if (v != NULL)
		v->ol = hnv_vhost_ol_create(p->mp, p->queues, why, sizeof(why));
	if (v == NULL || v->ol == NULL) {
		rte_free(v);
		fail(err, errlen, ENOMEM, "vhost-user socket '%s': %s", p->socket, why);
		return NULL;
	}
	snprintf(v->path, sizeof(v->path), "%s", p->socket);
	v->client = p->client;
	v->queues = p->queues;
	v->mp = p->mp;
	v->on_state = p->on_state;
	v->quiesce = p->quiesce;
	v->arg = p->arg;
	v->vid = -1;
	v->notif_vid = -1;
	pthread_mutex_init(&v->map_lock, NULL);
	pthread_mutex_init(&v->notif_lock, NULL);
	map_set_locked(v, 0);

	/* In the table before rte_vhost can call us; and before a server
	 * removes an old socket, lest it be another port's live one (rte_vhost
	 * itself accepts a path twice). */
	pthread_mutex_lock(&ports_lock);
	if (port_find_locked(v->path) != NULL) {
		pthread_mutex_unlock(&ports_lock);
		fail(err, errlen, EEXIST, "vhost-user socket '%s': already used by another port",
			v->path);
		pthread_mutex_destroy(&v->map_lock);
		pthread_mutex_destroy(&v->notif_lock);
		hnv_vhost_ol_destroy(v->ol);
		rte_free(v);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ports, v, next);
	pthread_mutex_unlock(&ports_lock);

	rc = v->client ? 0 : server_path_prepare(v->path, err, errlen);
	if (rc == 0)
		rc = vhost_start(v, err, errlen);
	if (rc != 0) {
		port_free(v);
		errno = -rc;
		return NULL;
	}
	VLOG(INFO, v, "%s, %u queue pairs", v->client ? "client" : "server", v->queues);
	return v;
}

void
hnv_vhost_destroy(struct hnv_vhost *v)
{
	if (v == NULL)
		return;
	VLOG(INFO, v, "destroyed");
	port_free(v);
}

int
hnv_vhost_info(const struct hnv_vhost *v, struct hnv_vhost_info *info)
{
	struct hnv_vhost_ol_stats ol;
	uint32_t mask;
	unsigned int i;

	if (v == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->up = __atomic_load_n(&v->ready, __ATOMIC_ACQUIRE) != 0;
	info->vid = info->up ? __atomic_load_n(&v->vid, __ATOMIC_RELAXED) : -1;
	info->features = info->up ? __atomic_load_n(&v->features, __ATOMIC_RELAXED) : 0;
	info->queues = v->queues;
	mask = __atomic_load_n(&v->vring_mask, __ATOMIC_ACQUIRE);
	info->rxq_enabled = (uint16_t)__builtin_popcount(mask & RX_RING_BITS);
	info->txq_enabled = (uint16_t)__builtin_popcount(mask & ~RX_RING_BITS);
	for (i = 0; i < HNV_VHOST_MAX_QUEUES; i++) {
		info->q_rx[i] = __atomic_load_n(&v->q[i].rx, __ATOMIC_RELAXED);
		info->q_tx[i] = __atomic_load_n(&v->q[i].tx, __ATOMIC_RELAXED);
	}
	hnv_vhost_ol_stats(v->ol, &ol);
	info->csum_completed = ol.csum;
	info->tso_frames = ol.tso;
	info->offload_errors = ol.err;
	info->connects = __atomic_load_n(&v->connects, __ATOMIC_RELAXED);
	info->disconnects = __atomic_load_n(&v->disconnects, __ATOMIC_RELAXED);
	return 0;
}

/* ---- formatting ---- */

static const char *const feature_names[64] = {
	[VIRTIO_NET_F_CSUM] = "csum",
	[VIRTIO_NET_F_GUEST_CSUM] = "guest_csum",
	[VIRTIO_NET_F_CTRL_GUEST_OFFLOADS] = "ctrl_guest_offloads",
	[VIRTIO_NET_F_MTU] = "mtu",
	[VIRTIO_NET_F_MAC] = "mac",
	[VIRTIO_NET_F_GSO] = "gso",
	[VIRTIO_NET_F_GUEST_TSO4] = "guest_tso4",
	[VIRTIO_NET_F_GUEST_TSO6] = "guest_tso6",
	[VIRTIO_NET_F_GUEST_ECN] = "guest_ecn",
	[VIRTIO_NET_F_GUEST_UFO] = "guest_ufo",
	[VIRTIO_NET_F_HOST_TSO4] = "host_tso4",
	[VIRTIO_NET_F_HOST_TSO6] = "host_tso6",
	[VIRTIO_NET_F_HOST_ECN] = "host_ecn",
	[VIRTIO_NET_F_HOST_UFO] = "host_ufo",
	[VIRTIO_NET_F_MRG_RXBUF] = "mrg_rxbuf",
	[VIRTIO_NET_F_STATUS] = "status",
	[VIRTIO_NET_F_CTRL_VQ] = "ctrl_vq",
	[VIRTIO_NET_F_CTRL_RX] = "ctrl_rx",
	[VIRTIO_NET_F_CTRL_VLAN] = "ctrl_vlan",
	[VIRTIO_NET_F_CTRL_RX_EXTRA] = "ctrl_rx_extra",
	[VIRTIO_NET_F_GUEST_ANNOUNCE] = "guest_announce",
	[VIRTIO_NET_F_MQ] = "mq",
	[VIRTIO_NET_F_CTRL_MAC_ADDR] = "ctrl_mac_addr",
	[VIRTIO_F_NOTIFY_ON_EMPTY] = "notify_on_empty",
	[VHOST_F_LOG_ALL] = "log_all",
	[VIRTIO_F_ANY_LAYOUT] = "any_layout",
	[VIRTIO_RING_F_INDIRECT_DESC] = "indirect_desc",
	[VIRTIO_RING_F_EVENT_IDX] = "event_idx",
	[30] = "protocol_features", /* VHOST_USER_F_PROTOCOL_FEATURES */
	[VIRTIO_F_VERSION_1] = "version_1",
	[VIRTIO_F_ACCESS_PLATFORM] = "access_platform",
	[VIRTIO_F_RING_PACKED] = "ring_packed",
	[VIRTIO_F_IN_ORDER] = "in_order",
	[VIRTIO_F_ORDER_PLATFORM] = "order_platform",
	[VIRTIO_F_SR_IOV] = "sr_iov",
	[VIRTIO_F_RING_RESET] = "ring_reset",
	[VIRTIO_NET_F_NOTF_COAL] = "notf_coal",
	[VIRTIO_NET_F_HASH_REPORT] = "hash_report",
	[VIRTIO_NET_F_RSS] = "rss",
	[VIRTIO_NET_F_RSC_EXT] = "rsc_ext",
	[VIRTIO_NET_F_STANDBY] = "standby",
	[VIRTIO_NET_F_SPEED_DUPLEX] = "speed_duplex",
};

int
hnv_vhost_features_format(uint64_t features, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int bit;
	int r;

	if (size != 0)
		buf[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		char *dst = len < size ? buf + len : NULL;
		size_t room = len < size ? size - len : 0;

		if (!(features & (1ULL << bit)))
			continue;
		if (feature_names[bit] != NULL)
			r = snprintf(dst, room, "%s%s", len ? " " : "", feature_names[bit]);
		else
			r = snprintf(dst, room, "%sbit%u", len ? " " : "", bit);
		if (r < 0)
			return r;
		len += (size_t)r;
	}
	return (int)len;
}
