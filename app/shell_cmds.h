/* SPDX-License-Identifier: BSD-3-Clause
 * app: the command instances the shell's context lists, by file.
 */
#ifndef HNV_SHELL_CMDS_H
#define HNV_SHELL_CMDS_H

#include <cmdline_parse.h>

struct hnv_app;

/** The app the commands act on (set by hnv_shell_open). */
extern struct hnv_app *hnv_shell_app;

/* shell_vfp.c */
extern cmdline_parse_inst_t cmd_show_flows;
extern cmdline_parse_inst_t cmd_show_flows_default;
extern cmdline_parse_inst_t cmd_show_uft;
extern cmdline_parse_inst_t cmd_show_rules;
extern cmdline_parse_inst_t cmd_trace;
extern cmdline_parse_inst_t cmd_reload;

#endif /* HNV_SHELL_CMDS_H */
