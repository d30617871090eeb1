/* SPDX-License-Identifier: BSD-3-Clause
 * app: shell commands about the policy: show policy (the loaded policy in
 * brief, with the reload counters) and reload (as a change of the file or
 * SIGHUP does; policy_apply.c does the work and prints the outcome).
 */
#include <stdio.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "hnv_app.h"
#include "shell_cmds.h"

/* show policy */
struct cmd_show_policy_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t policy;
};

static void
show_policy(const struct hnv_app *app, FILE *f)
{
	const struct hnv_policy *p = app->policy;

	fprintf(f,
		"policy %s: host %s, %u ports, %u routing domains, %u subnets, "
		"%u VM NICs, %u mappings\n",
		p->source, p->host.name, p->n_ports, p->n_rds, p->n_subnets, p->n_vnics,
		p->n_mappings);
	fprintf(f, "  %u ACLs; reloads %u, rejected reloads %u\n", p->n_acls, app->reloads,
		app->reload_failures);
	for (unsigned int i = 0; i < p->n_ports; i++)
		fprintf(f, "  port %u %s -> %s%s%s%s\n", i, p->ports[i].name,
			p->ports[i].is_vhost ? "vhost-user " : "",
			p->ports[i].is_vhost ? p->ports[i].vhost.socket : p->ports[i].device,
			p->ports[i].is_vhost
				? (p->ports[i].vhost.client ? " (client)" : " (server)")
				: "",
			i == p->host.uplink ? " (uplink)" : "");
}

static void
cmd_show_policy_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	show_policy(shell_app(data), stdout);
	fflush(stdout);
}

static cmdline_parse_token_string_t cmd_show_policy_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_policy_result, show, "show");
static cmdline_parse_token_string_t cmd_show_policy_policy =
	TOKEN_STRING_INITIALIZER(struct cmd_show_policy_result, policy, "policy");

cmdline_parse_inst_t cmd_show_policy = {
	.f = cmd_show_policy_parsed,
	.help_str = "show policy: policy summary",
	.tokens = {(void *)&cmd_show_policy_show, (void *)&cmd_show_policy_policy, NULL},
};

/* reload */
struct cmd_reload_result {
	cmdline_fixed_string_t word;
};

static void
cmd_reload_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	hnv_reload_policy(shell_app(data));
}

static cmdline_parse_token_string_t cmd_reload_word =
	TOKEN_STRING_INITIALIZER(struct cmd_reload_result, word, "reload");

cmdline_parse_inst_t cmd_reload = {
	.f = cmd_reload_parsed,
	.help_str = "reload: read the policy file again (as on a change or SIGHUP)",
	.tokens = {(void *)&cmd_reload_word, NULL},
};
