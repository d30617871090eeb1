/* SPDX-License-Identifier: BSD-3-Clause
 * app: the interactive shell (rte_cmdline), testpmd style: each command is
 * a parse-result struct, a callback and its token list. Commands are
 * documented in docs/shell.md; keep the two in step.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "hnv_app.h"
#include "shell_cmds.h"

#define shell_app hnv_shell_app

/* show ports | show drops | show neighbors | show policy */
struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static void
show_drops(FILE *f)
{
	const struct hnv_app *app = shell_app;

	for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
		uint64_t total = 0;

		for (uint16_t port = 0; port < app->n_ports; port++) {
			struct vfp_lcore *lcs[HNV_MAX_WORKERS];
			struct vfp_port_stats st;

			for (unsigned int i = 0; i < app->n_workers; i++)
				lcs[i] = &app->workers[i]->lc;
			vfp_stats_sum(lcs, app->n_workers, port, &st);
			total += st.drops[r];
		}
		fprintf(f, "%-20s %12" PRIu64 "  %s\n", hnv_drop_name(r), total, hnv_drop_help(r));
	}
}

static void
show_policy(FILE *f)
{
	const struct hnv_policy *p = shell_app->policy;

	fprintf(f,
		"policy %s: host %s, %u ports, %u routing domains, %u subnets, "
		"%u VM NICs, %u mappings\n",
		p->source, p->host.name, p->n_ports, p->n_rds, p->n_subnets, p->n_vnics,
		p->n_mappings);
	fprintf(f, "  %u ACLs; reloads %u, rejected reloads %u\n", p->n_acls, shell_app->reloads,
		shell_app->reload_failures);
	for (unsigned int i = 0; i < p->n_ports; i++)
		fprintf(f, "  port %u %s -> %s%s\n", i, p->ports[i].name, p->ports[i].device,
			i == p->host.uplink ? " (uplink)" : "");
}

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_result *res = parsed;
	FILE *f = stdout;

	(void)cl;
	(void)data;
	if (strcmp(res->what, "ports") == 0)
		hnv_stats_print(shell_app, f);
	else if (strcmp(res->what, "drops") == 0)
		show_drops(f);
	else if (strcmp(res->what, "neighbors") == 0)
		hnv_stats_print_neighbors(shell_app, f);
	else
		show_policy(f);
	fflush(f);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what, "ports#drops#neighbors#policy");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.help_str = "show ports|drops|neighbors|policy: counters, drop reasons, PA next hops, "
		    "policy summary",
	.tokens = {(void *)&cmd_show_show, (void *)&cmd_show_what, NULL},
};

/* quit */
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

/* help */
static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)data;
	cmdline_printf(cl, "Commands:\n"
			   "  show ports       per-port counters and non-zero drops\n"
			   "  show drops       every drop reason, its total and meaning\n"
			   "  show neighbors   PA next hops and their MACs\n"
			   "  show policy      the loaded policy in brief\n"
			   "  show uft         flow table size and hit/miss counters\n"
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
	(cmdline_parse_inst_t *)&cmd_show,
	&cmd_show_flows,
	&cmd_show_flows_default,
	&cmd_show_uft,
	&cmd_show_rules,
	&cmd_trace,
	&cmd_reload,
	(cmdline_parse_inst_t *)&cmd_help,
	(cmdline_parse_inst_t *)&cmd_quit,
	NULL,
};

struct cmdline *
hnv_shell_open(struct hnv_app *app)
{
	shell_app = app;
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
