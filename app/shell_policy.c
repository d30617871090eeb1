/* SPDX-License-Identifier: BSD-3-Clause
 * app: shell commands about the policy: show policy (the policy in force
 * in brief: its generation, when and from which file it was applied, the
 * reload counters and the last error) and reload (as a change of the file
 * or SIGHUP does: the loader reads it, policy_apply.c applies it and
 * prints the outcome).
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "hnv_app.h"
#include "hnv_net.h"
#include "hnv_pa.h"
#include "policy_loader.h"
#include "shell_cmds.h"

/* @t as "2026-12-02T06:00:00Z". */
static void
utc(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* show policy */
struct cmd_show_policy_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t policy;
};

/* "  PAs a/n, b/n; gateway g, gateway6 g6" */
static void
print_pas(FILE *f, const struct hnv_host_cfg *h)
{
	char ip[HNV_PA_FMT_SIZE];

	fprintf(f, "  PAs");
	for (unsigned int i = 0; i < h->n_pa; i++)
		fprintf(f, "%s %s/%u", i ? "," : "", hnv_pa_format(ip, sizeof(ip), h->pa[i]),
			h->pa_prefix_len[i]);
	if (h->gateway != 0)
		fprintf(f, "; gateway %s", hnv_pa_format(ip, sizeof(ip), h->gateway));
	if (h->gateway6 != 0)
		fprintf(f, "; gateway6 %s", hnv_pa_format(ip, sizeof(ip), h->gateway6));
	fprintf(f, "\n");
}

/* The PAs team member @m sources tunnels from: the m-th of each family. */
static void
print_member_pas(FILE *f, const struct hnv_host_cfg *h, unsigned int m)
{
	char ip[HNV_PA_FMT_SIZE];
	unsigned int seen[2] = {0, 0}, n = 0;

	for (unsigned int i = 0; i < h->n_pa; i++) {
		unsigned int fam = hnv_pa_is_v6(h->pa[i]);

		if (seen[fam]++ == m)
			fprintf(f, "%s %s", n++ ? "," : "",
				hnv_pa_format(ip, sizeof(ip), h->pa[i]));
	}
}

static void
show_policy(const struct hnv_app *app, FILE *f)
{
	const struct hnv_policy *p = app->policy;

	fprintf(f,
		"policy %s: host %s, %u ports, %u routing domains, %u subnets, "
		"%u VM NICs, %u mappings\n",
		p->source, p->host.name, p->n_ports, p->n_rds, p->n_subnets, p->n_vnics,
		p->n_mappings);
	char when[32], err_when[32];

	pthread_mutex_lock((pthread_mutex_t *)&app->status_lock);
	utc(app->applied_at, when, sizeof(when));
	fprintf(f, "  generation %" PRIu64 ", applied %s from %s%s\n", app->generation, when,
		app->applied_from,
		app->loader != NULL && hnv_loader_busy(app->loader) ? "; loading" : "");
	fprintf(f, "  %u ACLs; reloads %u, rejected reloads %u\n", p->n_acls, app->reloads,
		app->reload_failures);
	fprintf(f, "  underlay MTU %u, VXLAN UDP port %u, PA VLAN %u\n", hnv_policy_underlay_mtu(p),
		p->host.vxlan_port, p->host.vlan);
	print_pas(f, &p->host);
	if (p->host.n_uplinks > 1) {
		fprintf(f, "  NIC team of %u:", p->host.n_uplinks);
		for (unsigned int i = 0; i < p->host.n_uplinks; i++) {
			fprintf(f, "%s %s (PA", i ? "," : "", p->ports[p->host.uplinks[i]].name);
			print_member_pas(f, &p->host, i);
			fprintf(f, ", VLAN %u)", p->host.vlans[i]);
		}
		fprintf(f, "\n");
	}
	if (app->last_error[0] != '\0') {
		utc(app->last_error_at, err_when, sizeof(err_when));
		fprintf(f, "  last error (%s): %s\n", err_when, app->last_error);
	}
	pthread_mutex_unlock((pthread_mutex_t *)&app->status_lock);
	for (unsigned int i = 0; i < p->n_ports; i++)
		fprintf(f, "  port %u %s -> %s%s%s%s\n", i, p->ports[i].name,
			p->ports[i].is_vhost ? "vhost-user " : "",
			p->ports[i].is_vhost ? p->ports[i].vhost.socket : p->ports[i].device,
			p->ports[i].is_vhost
				? (p->ports[i].vhost.client ? " (client)" : " (server)")
				: "",
			hnv_policy_uplink_member(p, i) >= 0 ? " (uplink)" : "");
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
	struct hnv_app *app = shell_app(data);

	(void)parsed;
	(void)cl;
	if (hnv_reload_policy(app) == 0)
		printf("reloading %s\n", app->policy_path);
	fflush(stdout);
}

static cmdline_parse_token_string_t cmd_reload_word =
	TOKEN_STRING_INITIALIZER(struct cmd_reload_result, word, "reload");

cmdline_parse_inst_t cmd_reload = {
	.f = cmd_reload_parsed,
	.help_str = "reload: read the policy file again (as on a change or SIGHUP)",
	.tokens = {(void *)&cmd_reload_word, NULL},
};
