/* SPDX-License-Identifier: BSD-3-Clause
 * lib/policy: loading and compiling a policy off the control loop
 * (policy_loader.c), and watching the file.
 *
 * A loader is a control thread that, on request, reads and validates the
 * policy file, asks its user for the compile environment (which switch
 * port each policy port is), compiles the program and hands the result
 * back; publishing it stays with the user, on its own thread. A request
 * that arrives while a load runs cancels that load, which starts again
 * with the newer file. One result at a time: the next load starts once
 * the user is done with the last result. The loader also writes the last
 * good policy to a state directory when asked, so that a large write
 * never stalls the control loop either.
 *
 * The loader keeps the policy last applied (the user says which results
 * it applied, and seeds it with the policy it started from): a new file
 * that differs from it only inside the mappings array is read and
 * compiled incrementally (policy_delta.h): only the elements the change
 * touches are read again, and the program is the running one with those
 * mappings changed (vfp_program_derive), which the user publishes as any
 * other. Anything else is loaded whole.
 */
#ifndef HNV_POLICY_LOADER_H
#define HNV_POLICY_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

/** What one load produced. */
struct hnv_load_result {
	uint64_t seq; /**< the request it answers (1, 2, ...) */
	int rc;       /**< 0, or a negative errno with @p err */
	char err[HNV_POLICY_ERR_MAX];
	struct hnv_policy *pol;   /**< rc == 0: the policy (the user may take it) */
	struct vfp_program *prog; /**< rc == 0: compiled, not published (may be taken) */
	void *plan;               /**< what the plan callback made (may be taken) */
	const char *text;         /**< rc == 0: the bytes of the file (the loader's) */
	size_t text_len;
	double load_s, compile_s; /**< read and validate; compile */
	uint64_t requested_ns;    /**< CLOCK_MONOTONIC of the request */
	bool incremental;         /**< only the changed mappings were read and compiled */
	size_t changed;           /**< incremental: mappings added, removed or changed */
	bool applied;             /**< set by the user: its program is in force */
	void *priv;               /**< the loader's */
};

/**
 * Called on the loader thread once a policy is valid: fill @p env (port
 * ids, uplink MAC and MTU, ...) for compiling @p pol, and optionally make
 * *@p plan, which the result carries. @p pol may be without its mappings
 * (an incremental load; n_mappings holds). @return 0, or negative with @p err
 */
typedef int (*hnv_loader_plan_fn)(void *arg, const struct hnv_policy *pol,
	struct hnv_compile_env *env, void **plan, char *err, size_t errlen);

/** Frees a plan the user did not take (NULL is never passed). */
typedef void (*hnv_loader_unplan_fn)(void *arg, void *plan);

/** A loader's settings. */
struct hnv_loader_params {
	const char *path;        /**< the policy file */
	struct vfp_switch *sw;   /**< compiled for (never written by the loader) */
	hnv_loader_plan_fn plan; /**< required */
	hnv_loader_unplan_fn unplan;
	void *arg;
	const char *state_dir; /**< where hnv_loader_persist writes; NULL: nowhere */
};

struct hnv_loader;

/** Start a loader thread. @return the loader, or NULL with @p err */
struct hnv_loader *hnv_loader_create(
	const struct hnv_loader_params *params, char *err, size_t errlen);

/** Stop the loader: a load in flight is cancelled; returns once the thread
 * has ended (within a few milliseconds), after writing a last good policy
 * still waiting to be (hnv_loader_persist). */
void hnv_loader_destroy(struct hnv_loader *ld);

/** Load the file (again): cancels a load in flight, which restarts. */
void hnv_loader_request(struct hnv_loader *ld);

/** Is a load requested or running (or the seeded policy being read)? */
bool hnv_loader_busy(struct hnv_loader *ld);

/** A file descriptor that is readable while a result waits to be taken. */
int hnv_loader_fd(const struct hnv_loader *ld);

/** The waiting result, or NULL. The next load starts after hnv_loader_done.
 * Its policy comes without its mappings (the loader keeps those; n_mappings
 * holds). */
struct hnv_load_result *hnv_loader_take(struct hnv_loader *ld);

/** Free what the user left in @p r (policy, program, plan) and let the
 * next load start. With @p r->applied set, @p r's policy is the one in
 * force from now on: the next load is read against it. */
void hnv_loader_done(struct hnv_loader *ld, struct hnv_load_result *r);

/**
 * Tell the loader the policy in force before any of its results: @p text
 * (@p len bytes, malloc'd, taken over), the file as it was read. The
 * loader reads it again on its thread to have it to diff against, before
 * its next load.
 */
void hnv_loader_seed(struct hnv_loader *ld, char *text, size_t len);

/**
 * Have the loader thread keep the text of the policy in force (the one
 * seeded, or of the last result applied) as the last good policy:
 * STATE_DIR/last-good.json, and @p state (a JSON object's text, copied) as
 * STATE_DIR/state.json, each written to a temporary file, synced and
 * renamed over the old one, once the loader knows that policy (after
 * hnv_loader_done of its result). A newer call before the write replaces
 * the older. Does nothing without a state directory.
 */
void hnv_loader_persist(struct hnv_loader *ld, const char *state);

/** The path of the last good policy in @p state_dir, into @p buf. */
void hnv_loader_last_good_path(const char *state_dir, char *buf, size_t size);

/**
 * Watch @p path for being replaced or rewritten (inotify on its directory:
 * editors and agents replace files by rename). @return a non-blocking
 * file descriptor, or -1 with errno; the file's base name goes to @p name
 */
int hnv_policy_watch_open(const char *path, char *name, size_t size);

/** Did the file @p name of watch @p fd change since the last call? */
bool hnv_policy_watch_changed(int fd, const char *name);

#endif /* HNV_POLICY_LOADER_H */
