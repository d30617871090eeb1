/* SPDX-License-Identifier: BSD-3-Clause
 * app: the command instances the shell's context (shell.c) lists, by the
 * file that defines them, and how a command finds the app it acts on.
 *
 * Every instance's .data is set to the app by hnv_shell_open(), and
 * rte_cmdline hands it to the callback as its third argument: commands read
 * it with shell_app(data), never from a global.
 */
#ifndef HNV_SHELL_CMDS_H
#define HNV_SHELL_CMDS_H

#include <cmdline_parse.h>

struct hnv_app;

/** The app a command acts on, from the @p data argument of its callback. */
static inline struct hnv_app *
shell_app(void *data)
{
	return data;
}

/* shell_stats.c: counters */
extern cmdline_parse_inst_t cmd_show_stats; /* show ports|drops|neighbors */
extern cmdline_parse_inst_t cmd_show_uft;
extern cmdline_parse_inst_t cmd_clear_removed;

/* shell_policy.c: the loaded policy */
extern cmdline_parse_inst_t cmd_show_policy;
extern cmdline_parse_inst_t cmd_reload;

/* shell_vfp.c: the VFP engine */
extern cmdline_parse_inst_t cmd_show_flows;
extern cmdline_parse_inst_t cmd_show_flows_default;
extern cmdline_parse_inst_t cmd_show_rules;
extern cmdline_parse_inst_t cmd_trace;

#endif /* HNV_SHELL_CMDS_H */
