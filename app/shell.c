/* SPDX-License-Identifier: BSD-3-Clause
 * app: the interactive shell (rte_cmdline), testpmd style.
 *
 * Owns: the command context (every command instance, in match order), the
 * shell's life (open, poll, close), and the commands about the shell itself:
 * help and quit. The other commands live by area: shell_stats.c (counters),
 * shell_policy.c (the policy), shell_vfp.c (flows, rules, trace). Each
 * command is a parse-result struct, a callback and its token list; the app
 * reaches the callback through the instance's .data (shell_cmds.h).
 * Commands are documented in docs/shell.md; keep the two in step.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "hnv_app.h"
#include "shell_cmds.h"

/* quit | exit | help */
struct cmd_word_result {
	cmdline_fixed_string_t word;
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_word =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, "quit#exit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.help_str = "quit: stop forwarding and exit",
	.tokens = {(void *)&cmd_quit_word, NULL},
};

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(cl,
		"Commands:\n"
		"  show ports       per-port counters and non-zero drops\n"
		"  show drops       every drop reason, its total and meaning\n"
		"  show neighbors   PA next hops and their MACs\n"
		"  show links       each port's device, link (a VM connected) and queues\n"
		"  show policy      the loaded policy in brief\n"
		"  show uft         flow table size and hit/miss counters\n"
		"  clear removed    forget the counters of ports reloads removed\n"
		"  show flows [N]   the first N (20) flows of the flow table\n"
		"  show rules PORT  the port's layers and rules with hit counters\n"
		"  trace PORT tcp|udp|icmp DST-IP SPORT DPORT\n"
		"                   walk the layers for a packet the VM on PORT sends\n"
		"  reload           read the policy file again\n"
		"  help             this text\n"
		"  quit             stop forwarding and exit\n");
}

static cmdline_parse_token_string_t cmd_help_word =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.help_str = "help: list commands",
	.tokens = {(void *)&cmd_help_word, NULL},
};

static cmdline_parse_ctx_t shell_ctx[] = {
	&cmd_show_stats,
	&cmd_show_policy,
	&cmd_show_flows,
	&cmd_show_flows_default,
	&cmd_show_uft,
	&cmd_clear_removed,
	&cmd_show_rules,
	&cmd_trace,
	&cmd_reload,
	&cmd_help,
	&cmd_quit,
	NULL,
};

struct cmdline *
hnv_shell_open(struct hnv_app *app)
{
	/* rte_cmdline passes an instance's .data to its callback: that is how
	 * every command gets the app, without a global of our own. */
	for (unsigned int i = 0; shell_ctx[i] != NULL; i++)
		shell_ctx[i]->data = app;
	return cmdline_stdin_new(shell_ctx, "hnv> ");
}

bool
hnv_shell_poll(struct cmdline *cl)
{
	int st = cmdline_poll(cl);

	return st >= 0 && st != RDLINE_EXITED;
}

void
hnv_shell_close(struct cmdline *cl)
{
	cmdline_stdin_exit(cl);
}
