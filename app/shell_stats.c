/* SPDX-License-Identifier: BSD-3-Clause
 * app: shell commands about the counters: show ports, show drops, show
 * neighbors, show links, show uft and clear removed. The output is stats.c's counter block and
 * lines (docs/shell.md), plus the drop table of show drops, which is this file's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "hnv_app.h"
#include "hnv_vhost.h"
#include "shell_cmds.h"

/* Every drop reason with its total over all ports and its meaning. */
static void
show_drops(const struct hnv_app *app, FILE *f)
{
	for (unsigned int r = 0; r < HNV_DROP_MAX; r++) {
		uint64_t total = 0;

		for (uint16_t port = 0; port < app->n_ports; port++) {
			struct vfp_port_stats st;

			if (app->ports[port].kind == HNV_PORT_FREE)
				continue;
			hnv_stats_port(app, port, &st);
			total += st.drops[r];
		}
		fprintf(f, "%-20s %12" PRIu64 "  %s\n", hnv_drop_name(r), total, hnv_drop_help(r));
	}
}

/* One line per port: its device, link and per-queue packets; for a
 * vhost-user port its socket and the features its guest negotiated. */
static void
show_links(const struct hnv_app *app, FILE *f)
{
	for (uint16_t port = 0; port < app->n_ports; port++) {
		struct hnv_link_info li;

		if (app->ports[port].kind == HNV_PORT_FREE ||
			app->ports[port].kind == HNV_PORT_REMOVED)
			continue;
		if (hnv_port_link(app, port, &li) != 0) {
			fprintf(f, "link %s: unknown\n", hnv_port_name(app, port));
			continue;
		}
		fprintf(f, "link %s: %s %s %s", hnv_port_name(app, port), li.up ? "up" : "down",
			li.is_vhost ? (li.client ? "vhost-user-client" : "vhost-user") : "device",
			li.device);
		if (li.speed != 0)
			fprintf(f, " speed %u", li.speed);
		fprintf(f, " rxq %u:", li.nb_rxq);
		for (unsigned int q = 0; q < li.nb_rxq && q < HNV_LINK_QUEUES; q++)
			fprintf(f, "%s%" PRIu64, q ? "/" : " ", li.q_rx[q]);
		fprintf(f, " txq %u:", li.nb_txq);
		for (unsigned int q = 0; q < li.nb_txq && q < HNV_LINK_QUEUES; q++)
			fprintf(f, "%s%" PRIu64, q ? "/" : " ", li.q_tx[q]);
		if (li.is_vhost) {
			char feats[512];

			hnv_vhost_features_format(li.features, feats, sizeof(feats));
			fprintf(f,
				" connects %" PRIu64 " csum-completed %" PRIu64
				" tso-frames %" PRIu64 " offload-errors %" PRIu64 " features %s",
				li.connects, li.csum_completed, li.tso_frames, li.offload_errors,
				li.features ? feats : "-");
		}
		fprintf(f, "\n");
	}
}

/* show ports | show drops | show neighbors | show links */
struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static void
cmd_show_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_result *res = parsed;
	const struct hnv_app *app = shell_app(data);
	FILE *f = stdout;

	(void)cl;
	if (strcmp(res->what, "ports") == 0)
		hnv_stats_print(app, f);
	else if (strcmp(res->what, "drops") == 0)
		show_drops(app, f);
	else if (strcmp(res->what, "links") == 0)
		show_links(app, f);
	else
		hnv_stats_print_neighbors(app, f);
	fflush(f);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what, "ports#drops#neighbors#links");

cmdline_parse_inst_t cmd_show_stats = {
	.f = cmd_show_parsed,
	.help_str = "show ports|drops|neighbors|links: counters, drop reasons, PA next hops, "
		    "devices' links and queues",
	.tokens = {(void *)&cmd_show_show, (void *)&cmd_show_what, NULL},
};

/* show uft */
struct cmd_word2_result {
	cmdline_fixed_string_t a;
	cmdline_fixed_string_t b;
};

static void
cmd_uft_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	hnv_stats_print_uft(shell_app(data), stdout);
}

static cmdline_parse_token_string_t cmd_uft_show =
	TOKEN_STRING_INITIALIZER(struct cmd_word2_result, a, "show");
static cmdline_parse_token_string_t cmd_uft_uft =
	TOKEN_STRING_INITIALIZER(struct cmd_word2_result, b, "uft");

cmdline_parse_inst_t cmd_show_uft = {
	.f = cmd_uft_parsed,
	.help_str = "show uft: flow table size and hit/miss counters",
	.tokens = {(void *)&cmd_uft_show, (void *)&cmd_uft_uft, NULL},
};

/* clear removed: forget the ports reloads removed (their counters go). */
static void
cmd_clear_removed_parsed(void *parsed, struct cmdline *cl, void *data)
{
	unsigned int n = hnv_ports_forget_removed(shell_app(data));

	(void)parsed;
	cmdline_printf(cl, "%u removed port%s forgotten\n", n, n == 1 ? "" : "s");
}

static cmdline_parse_token_string_t cmd_clear_removed_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_word2_result, a, "clear");
static cmdline_parse_token_string_t cmd_clear_removed_removed =
	TOKEN_STRING_INITIALIZER(struct cmd_word2_result, b, "removed");

cmdline_parse_inst_t cmd_clear_removed = {
	.f = cmd_clear_removed_parsed,
	.help_str = "clear removed: forget the counters of the ports reloads removed",
	.tokens = {(void *)&cmd_clear_removed_clear, (void *)&cmd_clear_removed_removed, NULL},
};
