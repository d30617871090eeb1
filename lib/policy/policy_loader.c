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
 *
 * The base (the policy in force, policy_delta.h) is the loader thread's
 * alone: the user's hnv_loader_seed and hnv_loader_done of an applied
 * result leave the change with the thread, which makes it before its next
 * load or write. While a result is out, the running program is the one
 * the base describes (the user publishes only the loader's results), so
 * an incremental compile derives from it.
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

#include "policy_delta.h"
#include "policy_loader.h"

/* What a result changes in the base if the user applies it. */
struct base_change {
	bool incremental;
	struct policy_delta d;    /* incremental */
	struct policy_base whole; /* not incremental: the new base */
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
	struct hnv_load_result *commit; /* applied: its base change to make */
	char *seed;                     /* hnv_loader_seed's text, to read */
	size_t seed_len;
	bool seeding;         /* ... being read */
	char *job;            /* state.json to write with the base's text; NULL: none */
	atomic_bool stopping; /* cancel, for the reading: set by destroy only */
	/* The loader thread's: */
	struct policy_base base;
	char *spare; /* a buffer to read the next file into (its pages are in) */
	size_t spare_cap;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
change_free(struct base_change *ch)
{
	if (ch == NULL)
		return;
	policy_delta_free(&ch->d);
	policy_base_clear(&ch->whole);
	free(ch);
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
	change_free(r->priv);
	free(r);
}

/* @r failed with @rc, -ENOMEM or -ECANCELED. */
static void
fail(const struct hnv_loader *ld, struct hnv_load_result *r, int rc)
{
	r->rc = rc;
	snprintf(r->err, sizeof(r->err), "%.400s: %s", ld->path,
		rc == -ECANCELED ? "cancelled" : "out of memory");
}

static void
unplan(struct hnv_loader *ld, struct hnv_load_result *r)
{
	if (r->plan != NULL && ld->p.unplan != NULL)
		ld->p.unplan(ld->p.arg, r->plan);
	r->plan = NULL;
}

/* @text (taken) read against the base and compiled incrementally into @r.
 * @return 0 (@r is the result, maybe an error), or 1: load it whole (the
 * text is then back in *@text). */
static int
load_incremental(struct hnv_loader *ld, struct hnv_load_result *r, struct base_change *ch,
	char **text, size_t *cap, size_t len, uint64_t t0)
{
	struct hnv_compile_env env = {0};
	uint64_t t1;
	int rc;

	rc = policy_delta_read(&ld->base, *text, len, &ld->stopping, &ch->d);
	if (rc == 1)
		return 1;
	if (rc < 0) {
		fail(ld, r, rc);
		free(*text);
		*text = NULL;
		return 0;
	}
	*text = NULL; /* the delta's now */
	ch->d.text_cap = *cap;
	r->pol = policy_shell(ld->base.pol, ch->d.n_mappings);
	t1 = mono_ns();
	r->load_s = (double)(t1 - t0) / 1e9;
	if (r->pol == NULL) {
		fail(ld, r, -ENOMEM);
		return 0;
	}
	rc = ld->p.plan(ld->p.arg, r->pol, &env, &r->plan, r->err, sizeof(r->err));
	if (rc != 0) {
		r->rc = rc; /* the ports of the policy: a whole load says the same */
		return 0;
	}
	rc = policy_delta_compile(&ld->base, &ch->d, vfp_switch_program(ld->p.sw), &r->prog);
	if (rc != 0) {
		/* Not in place: compiled whole, from the text again. */
		*text = ch->d.text;
		ch->d.text = NULL;
		ch->d.text_cap = 0;
		policy_delta_free(&ch->d);
		hnv_policy_free(r->pol);
		r->pol = NULL;
		unplan(ld, r);
		return 1;
	}
	r->compile_s = (double)(mono_ns() - t1) / 1e9;
	ch->incremental = true;
	r->incremental = true;
	r->changed = ch->d.n_changed;
	r->text = ch->d.text;
	r->text_len = ch->d.len;
	return 0;
}

/* @text (taken, a buffer of @cap bytes) loaded and compiled whole into @r. */
static void
load_whole(struct hnv_loader *ld, struct hnv_load_result *r, struct base_change *ch, char *text,
	size_t cap, size_t len, uint64_t t0)
{
	struct hnv_compile_env env = {0};
	struct policy_span *spans = NULL;
	struct hnv_policy *pol = NULL;
	size_t open = 0, close = 0;
	uint64_t t1;

	r->rc = policy_parse_base(text, len, ld->path, &ld->cancel, &pol, &spans, &open, &close,
		r->err, sizeof(r->err));
	t1 = mono_ns();
	r->load_s = (double)(t1 - t0) / 1e9;
	if (r->rc == 0)
		r->rc = ld->p.plan(ld->p.arg, pol, &env, &r->plan, r->err, sizeof(r->err));
	if (r->rc == 0) {
		env.cancel = &ld->cancel;
		r->rc = hnv_policy_compile(pol, &env, ld->p.sw, &r->prog, r->err, sizeof(r->err));
		r->compile_s = (double)(mono_ns() - t1) / 1e9;
	}
	if (r->rc != 0) {
		hnv_policy_free(pol);
		free(spans);
		free(text);
		return;
	}
	/* The user gets the policy without its mappings; the base keeps them. */
	r->pol = policy_shell(pol, pol->n_mappings);
	if (r->pol == NULL ||
		policy_base_init(&ch->whole, pol, text, len, spans, open, close) != 0) {
		if (r->pol == NULL) {
			hnv_policy_free(pol);
			free(spans);
			free(text);
		}
		fail(ld, r, -ENOMEM);
		return;
	}
	ch->whole.text_cap = cap;
	r->text = ch->whole.text;
	r->text_len = len;
}

/* One load of the file, outside the lock. */
static struct hnv_load_result *
run_load(struct hnv_loader *ld, uint64_t seq, uint64_t requested_ns)
{
	struct hnv_load_result *r = calloc(1, sizeof(*r));
	struct base_change *ch = calloc(1, sizeof(*ch));
	uint64_t t0 = mono_ns();
	char *text = ld->spare;
	size_t len = 0, cap = ld->spare_cap;

	if (r == NULL || ch == NULL) {
		free(r);
		free(ch);
		return NULL;
	}
	r->seq = seq;
	r->requested_ns = requested_ns;
	r->priv = ch;
	/* Into the spare buffer (the text before last, whose pages are in: a
	 * new buffer of 90 MB costs more in page faults than the read), and
	 * not cancelled by a newer request, only by a stop: reading takes
	 * milliseconds, and what is read may be applied incrementally. */
	ld->spare = NULL;
	ld->spare_cap = 0;
	r->rc = policy_read_file(
		ld->path, &ld->stopping, &text, &cap, &len, r->err, sizeof(r->err));
	if (r->rc != 0) {
		ld->spare = text;
		ld->spare_cap = cap;
		return r;
	}
	if (load_incremental(ld, r, ch, &text, &cap, len, t0) == 0)
		return r;
	load_whole(ld, r, ch, text, cap, len, t0);
	return r;
}

/* Keep @buf (@cap bytes) to read into next, or free it. */
static void
spare_put(struct hnv_loader *ld, char *buf, size_t cap)
{
	if (buf == NULL)
		return;
	if (cap <= ld->spare_cap) {
		free(buf);
		return;
	}
	free(ld->spare);
	ld->spare = buf;
	ld->spare_cap = cap;
}

/* Give the loader a spare buffer for a file of about @len bytes, its
 * pages touched now: the first reload after the seed reads into it, and
 * 90 MB of fresh pages cost 100 ms in page faults, three times the read. */
static void
spare_prefault(struct hnv_loader *ld, size_t len)
{
	size_t cap = policy_read_cap(len + 2);
	char *buf;

	if (ld->spare_cap >= cap || (buf = malloc(cap)) == NULL)
		return;
	/* A write to each page (not memset to 0: a compiler may make
	 * malloc and memset a calloc, which touches nothing). */
	for (size_t off = 0; off < cap; off += 4096)
		((volatile char *)buf)[off] = ' ';
	spare_put(ld, buf, cap);
}

/* The base is now the policy of applied result @r. */
static void
commit(struct hnv_loader *ld, struct hnv_load_result *r)
{
	struct base_change *ch = r->priv;

	if (ch->incremental) {
		if (policy_base_commit(&ld->base, &ch->d) != 0)
			fprintf(stderr, "dpdk-hnv: loader: out of memory keeping the policy in "
					"force; the next reload is read whole\n");
		/* The text before is the delta's now: read the next one into it. */
		spare_put(ld, ch->d.text, ch->d.text_cap);
		ch->d.text = NULL;
		return;
	}
	spare_put(ld, ld->base.text, ld->base.text_cap);
	ld->base.text = NULL;
	policy_base_clear(&ld->base);
	ld->base = ch->whole;
	memset(&ch->whole, 0, sizeof(ch->whole));
}

/* The base is the seeded text, read again. */
static void
seed(struct hnv_loader *ld, char *text, size_t len)
{
	struct policy_span *spans = NULL;
	struct hnv_policy *pol = NULL;
	char err[HNV_POLICY_ERR_MAX];
	size_t open = 0, close = 0;

	policy_base_clear(&ld->base);
	if (atomic_load(&ld->stopping) ||
		policy_parse_base(text, len, ld->path, &ld->stopping, &pol, &spans, &open, &close,
			err, sizeof(err)) != 0) {
		/* It was applied, so it was valid: out of memory, or stopping.
		 * Without a base the next load is whole; the text is still
		 * the last good one. */
		ld->base.text = text;
		ld->base.len = len;
		ld->base.text_cap = len + 1;
		return;
	}
	if (policy_base_init(&ld->base, pol, text, len, spans, open, close) == 0)
		ld->base.text_cap = len + 1;
	spare_prefault(ld, len);
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

/* Write the base's text and @state. */
static void
run_persist(struct hnv_loader *ld, char *state)
{
	char path[PATH_MAX + 32];
	int rc = ld->base.text != NULL ? 0 : -ENOENT;

	hnv_loader_last_good_path(ld->state_dir, path, sizeof(path));
	if (rc == 0)
		rc = write_file(path, ld->base.text, ld->base.len);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/state.json", ld->state_dir);
		rc = write_file(path, state, strlen(state));
	}
	if (rc == 0)
		sync_dir(ld->state_dir);
	if (rc != 0)
		fprintf(stderr, "dpdk-hnv: warning: cannot keep the last good policy in %s: %s\n",
			ld->state_dir, strerror(-rc));
	free(state);
}

static void *
loader_main(void *arg)
{
	struct hnv_loader *ld = arg;

	pthread_mutex_lock(&ld->lock);
	for (;;) {
		struct hnv_load_result *r;
		uint64_t seq, req_ns;

		while (!ld->stop && !(ld->requested && ld->slot == NULL) && ld->commit == NULL &&
			ld->seed == NULL && !(ld->job != NULL && ld->slot == NULL))
			pthread_cond_wait(&ld->cond, &ld->lock);
		/* The policy in force first: what the next load is read
		 * against, and what the last good policy is. */
		if (ld->seed != NULL) {
			char *text = ld->seed;

			ld->seed = NULL;
			ld->seeding = true;
			pthread_mutex_unlock(&ld->lock);
			seed(ld, text, ld->seed_len);
			pthread_mutex_lock(&ld->lock);
			ld->seeding = false;
			continue;
		}
		if (ld->commit != NULL) {
			r = ld->commit;
			ld->commit = NULL;
			pthread_mutex_unlock(&ld->lock);
			commit(ld, r);
			result_clear(ld, r);
			pthread_mutex_lock(&ld->lock);
			continue;
		}
		/* The last good policy next, even before a load or a stop: it
		 * is the one in force, and a storm of reloads must not keep it
		 * off the disk (it is written before the next load begins, so a
		 * stop in the middle of a load finds nothing left to write). */
		if (ld->job != NULL && (ld->slot == NULL || ld->stop)) {
			char *state = ld->job;

			ld->job = NULL;
			pthread_mutex_unlock(&ld->lock);
			run_persist(ld, state);
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
		if (ld->stop || r == NULL || (ld->requested && !(r->rc == 0 && r->incremental))) {
			/* Superseded by a newer request (or stopping): the newer
			 * file is loaded instead. An incremental result is
			 * posted all the same: it took milliseconds, and the
			 * newer file is read against it once it is applied. */
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
	atomic_store(&ld->stopping, true);
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	pthread_join(ld->thread, NULL);
	result_clear(ld, ld->slot);
	result_clear(ld, ld->commit);
	free(ld->seed);
	free(ld->job);
	free(ld->spare);
	policy_base_clear(&ld->base);
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
	busy = ld->requested || ld->running || ld->seed != NULL || ld->seeding;
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
	if (r != NULL && r->applied && r->rc == 0) {
		/* The thread makes its base change before anything else, so
		 * there is one at most: the next result comes after it. */
		ld->commit = r;
		r = NULL;
	}
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
	result_clear(ld, r);
}

void
hnv_loader_seed(struct hnv_loader *ld, char *text, size_t len)
{
	pthread_mutex_lock(&ld->lock);
	free(ld->seed);
	ld->seed = text;
	ld->seed_len = len;
	pthread_cond_signal(&ld->cond);
	pthread_mutex_unlock(&ld->lock);
}

void
hnv_loader_persist(struct hnv_loader *ld, const char *state)
{
	char *st = state != NULL ? strdup(state) : NULL;

	if (ld->p.state_dir == NULL || st == NULL) {
		free(st);
		return;
	}
	pthread_mutex_lock(&ld->lock);
	free(ld->job);
	ld->job = st;
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
