/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy/policy_loader.c: the policy loader thread (policy_loader.h)
 * and the policy file watch.
 *
 * Owns: the loader's request/result handshake, cancellation and the
 * writes of the last good policy. One mutex guards the handshake; the
 * load itself runs without it and looks at an atomic cancel flag (read
 * every chunk of the file and every few thousand mappings, by
 * hnv_policy_load_ex and hnv_policy_compile). The thread is an EAL
 * control thread (rte_ctrl_thread_create): it runs on the control cores,
 * never on a worker's, and may allocate DPDK memory for the program.
 * Nothing here publishes: the program goes to the user, whose thread
 * publishes it, so the switch has one writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "policy_loader.h"

struct persist_job {
	char *text;
	size_t len;
	char *state;
};

struct hnv_loader {
	struct hnv_loader_params p;
	char path[PATH_MAX];
	char state_dir[PATH_MAX];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int efd; /* readable while a result waits */
	atomic_bool cancel;
	/* Under lock: */
	bool stop, requested, running;
	uint64_t seq, requested_ns;
	struct hnv_load_result *slot; /* posted, not yet done with */
	bool taken;
	struct persist_job job; /* text NULL: none */
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
result_clear(struct hnv_loader *ld, struct hnv_load_result *r)
{
	if (r == NULL)
		return;
	vfp_program_free(r->prog);
	hnv_policy_free(r->pol);
	if (r->plan != NULL && ld->p.unplan != NULL)
		ld->p.unplan(ld->p.arg, r->plan);
	free(r->text);
	free(r);
}

/* One load of the file, outside the lock. */
static struct hnv_load_result *
run_load(struct hnv_loader *ld, uint64_t seq, uint64_t requested_ns)
{
	struct hnv_load_result *r = calloc(1, sizeof(*r));
	struct hnv_policy_load_opts o = {.cancel = &ld->cancel};
	struct hnv_compile_env env = {0};
	uint64_t t0 = mono_ns(), t1;

	if (r == NULL)
		return NULL;
	r->seq = seq;
	r->requested_ns = requested_ns;
	o.text = &r->text;
	o.text_len = &r->text_len;
	r->rc = hnv_policy_load_ex(ld->path, &o, &r->pol, r->err, sizeof(r->err));
	t1 = mono_ns();
	r->load_s = (double)(t1 - t0) / 1e9;
	if (r->rc == 0)
		r->rc = ld->p.plan(ld->p.arg, r->pol, &env, &r->plan, r->err, sizeof(r->err));
	if (r->rc == 0) {
		env.cancel = &ld->cancel;
		r->rc = hnv_policy_compile(
			r->pol, &env, ld->p.sw, &r->prog, r->err, sizeof(r->err));
		r->compile_s = (double)(mono_ns() - t1) / 1e9;
	}
	return r;
}

/* Write @len bytes of @data to @path by way of a synced temporary file. */
static int
write_file(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX + 8];
	size_t off = 0;
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (off < len && rc == 0) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Make the renames in @dir durable. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static void
run_persist(struct hnv_loader *ld, struct persist_job *j)
{
	char path[PATH_MAX + 32];
	int rc;

	hnv_loader_last_good_path(ld->state_dir, path, sizeof(path));
	rc = write_file(path, j->text, j->len);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/state.json", ld->state_dir);
		rc = write_file(path, j->state, strlen(j->state));
	}
	if (rc == 0)
		sync_dir(ld->state_dir);
	if (rc != 0)
		fprintf(stderr, "dpdk-hnv: warning: cannot keep the last good policy in %s: %s\n",
			ld->state_dir, strerror(-rc));
	free(j->text);
	free(j->state);
}

static void *
loader_main(void *arg)
{
	struct hnv_loader *ld = arg;

	pthread_mutex_lock(&ld->lock);
	for (;;) {
		struct hnv_load_result *r;
		struct persist_job j;
		uint64_t seq, req_ns;

		while (!ld->stop && !(ld->requested && ld->slot == NULL) && ld->job.text == NULL)
			pthread_cond_wait(&ld->cond, &ld->lock);
		/* The last good policy first, even before a load or a stop: it
		 * is the one in force, and a storm of reloads must not keep it
		 * off the disk (it is written before the next load begins, so a
		 * stop in the middle of a load finds nothing left to write). */
		if (ld->job.text != NULL) {
			j = ld->job;
			memset(&ld->job, 0, sizeof(ld->job));
			pthread_mutex_unlock(&ld->lock);
			run_persist(ld, &j);
			pthread_mutex_lock(&ld->lock);
			continue;
		}
		if (ld->stop)
			break;
		ld->requested = false;
		ld->running = true;
		atomic_store(&ld->cancel, false);
		seq = ++ld->seq;
		req_ns = ld->requested_ns;
		pthread_mutex_unlock(&ld->lock);
		r = run_load(ld, seq, req_ns);
		pthread_mutex_lock(&ld->lock);
		ld->running = false;
		if (ld->stop || ld->requested || r == NULL) {
			/* Superseded by a newer request (or stopping): the newer
			 * file is loaded instead. */
			pthread_mutex_unlock(&ld->lock);
			result_clear(ld, r);
			pthread_mutex_lock(&ld->lock);
			continue;
		}
		ld->slot = r;
		ld->taken = false;
		if (eventfd_write(ld->efd, 1) != 0)
			fprintf(stderr, "dpdk-hnv: loader: eventfd: %s\n", strerror(errno));
	}
	pthread_mutex_unlock(&ld->lock);
	return NULL;
}

struct hnv_loader *
hnv_loader_create(const struct hnv_loader_params *params, char *err, size_t errlen)
{
	struct hnv_loader *ld = calloc(1, sizeof(*ld));
	int rc;

	if (ld == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ld->p = *params;
	snprintf(ld->path, sizeof(ld->path), "%s", params->path);
	if (params->state_dir != NULL)
		snprintf(ld->state_dir, sizeof(ld->state_dir), "%s", params->state_dir);
	ld->p.path = ld->path;
	ld->p.state_dir = params->state_dir != NULL ? ld->state_dir : NULL;
	pthread_mutex_init(&ld->lock, NULL);
	pthread_cond_init(&ld->cond, NULL);
	ld->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ld->efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		free(ld);
		return NULL;
	}
	rc = rte_ctrl_thread_create(&ld->thread, "hnv-loader", NULL, loader_main, ld);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the loader thread: %s", strerror(rc));
		close(ld->efd);
		free(ld);
		return NULL;
	}
	return ld;
}

void
hnv_loader_destroy(struct hnv_loader *ld)
{
	if (ld == NULL)
		return;
	pthread_mutex_lock(&ld->lock);
	ld->stop = true;
	atomic_store(&ld->cancel, true);
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	pthread_join(ld->thread, NULL);
	result_clear(ld, ld->slot);
	free(ld->job.text);
	free(ld->job.state);
	close(ld->efd);
	pthread_cond_destroy(&ld->cond);
	pthread_mutex_destroy(&ld->lock);
	free(ld);
}

void
hnv_loader_request(struct hnv_loader *ld)
{
	pthread_mutex_lock(&ld->lock);
	ld->requested = true;
	ld->requested_ns = mono_ns();
	if (ld->running)
		atomic_store(&ld->cancel, true);
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
}

bool
hnv_loader_busy(struct hnv_loader *ld)
{
	bool busy;

	pthread_mutex_lock(&ld->lock);
	busy = ld->requested || ld->running;
	pthread_mutex_unlock(&ld->lock);
	return busy;
}

int
hnv_loader_fd(const struct hnv_loader *ld)
{
	return ld->efd;
}

struct hnv_load_result *
hnv_loader_take(struct hnv_loader *ld)
{
	struct hnv_load_result *r = NULL;
	eventfd_t v;

	pthread_mutex_lock(&ld->lock);
	if (ld->slot != NULL && !ld->taken) {
		r = ld->slot;
		ld->taken = true;
		(void)eventfd_read(ld->efd, &v);
	}
	pthread_mutex_unlock(&ld->lock);
	return r;
}

void
hnv_loader_done(struct hnv_loader *ld, struct hnv_load_result *r)
{
	pthread_mutex_lock(&ld->lock);
	if (ld->slot == r)
		ld->slot = NULL;
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	result_clear(ld, r);
}

void
hnv_loader_persist(struct hnv_loader *ld, char *text, size_t len, const char *state)
{
	char *st = state != NULL ? strdup(state) : NULL;

	if (ld->p.state_dir == NULL || st == NULL) {
		free(text);
		free(st);
		return;
	}
	pthread_mutex_lock(&ld->lock);
	free(ld->job.text);
	free(ld->job.state);
	ld->job.text = text;
	ld->job.len = len;
	ld->job.state = st;
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
}

void
hnv_loader_last_good_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/last-good.json", state_dir);
}

int
hnv_policy_watch_open(const char *path, char *name, size_t size)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	snprintf(name, size, "%s", basename(base));
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dirname(dir), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

bool
hnv_policy_watch_changed(int fd, const char *name)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len > 0 && strcmp(ev->name, name) == 0)
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}
