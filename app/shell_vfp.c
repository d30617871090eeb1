/* SPDX-License-Identifier: BSD-3-Clause
 * app: shell commands about the VFP engine: the flow table (show flows), the
 * layers and their rule hit counters (show rules) and packet trace (trace).
 * Same pattern as shell.c: a parse-result struct, a callback and tokens per
 * command; the app comes in the callback's data (shell_cmds.h).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "hnv_app.h"
#include "hnv_net.h"
#include "shell_cmds.h"

/* show flows [N] */
struct cmd_flows_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t flows;
	uint32_t max;
};

/* @ctx is the app, for the port names. */
static void
print_flow(void *ctx, const struct vfp_flow_info *fi)
{
	const struct hnv_app *app = ctx;
	char src[INET6_ADDRSTRLEN + 2], dst[INET6_ADDRSTRLEN + 2];

	if (fi->ipv6) { /* [address]:port, as in URLs */
		src[0] = '[';
		dst[0] = '[';
		inet_ntop(AF_INET6, fi->src6, src + 1, INET6_ADDRSTRLEN);
		inet_ntop(AF_INET6, fi->dst6, dst + 1, INET6_ADDRSTRLEN);
		strcat(src, "]");
		strcat(dst, "]");
	} else {
		hnv_ipv4_format(src, sizeof(src), fi->src_ip);
		hnv_ipv4_format(dst, sizeof(dst), fi->dst_ip);
	}
	printf("%-12s %-3s vsid %-8u %3u %15s:%-5u -> %15s:%-5u %-7s -> %-12s %-11s %s"
	       " pkts %" PRIu64 " bytes %" PRIu64 " idle %" PRIu64 " ms\n",
		hnv_port_name(app, fi->in_port), fi->dir == VFP_DIR_OUT ? "out" : "in", fi->vsid,
		fi->proto, src, fi->sport, dst, fi->dport, fi->action,
		strcmp(fi->action, "drop") == 0 ? "-" : hnv_port_name(app, fi->out_port), fi->state,
		fi->reverse ? "reply" : "", fi->packets, fi->bytes, fi->idle_ms);
}

static void
show_flows(struct hnv_app *app, uint32_t max)
{
	unsigned int cap, n = vfp_switch_flow_count(app->sw, &cap);

	printf("%u flows (capacity %u); showing up to %u\n", n, cap, max);
	vfp_switch_visit_flows(app->sw, max, print_flow, app);
	fflush(stdout);
}

static void
cmd_flows_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)cl;
	show_flows(shell_app(data), ((struct cmd_flows_result *)parsed)->max);
}

static void
cmd_flows_default_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	show_flows(shell_app(data), 20);
}

static cmdline_parse_token_string_t cmd_flows_show =
	TOKEN_STRING_INITIALIZER(struct cmd_flows_result, show, "show");
static cmdline_parse_token_string_t cmd_flows_flows =
	TOKEN_STRING_INITIALIZER(struct cmd_flows_result, flows, "flows");
static cmdline_parse_token_num_t cmd_flows_max =
	TOKEN_NUM_INITIALIZER(struct cmd_flows_result, max, RTE_UINT32);

cmdline_parse_inst_t cmd_show_flows = {
	.f = cmd_flows_parsed,
	.help_str = "show flows N: the first N flows of the unified flow table",
	.tokens = {(void *)&cmd_flows_show, (void *)&cmd_flows_flows, (void *)&cmd_flows_max, NULL},
};

cmdline_parse_inst_t cmd_show_flows_default = {
	.f = cmd_flows_default_parsed,
	.help_str = "show flows: the first 20 flows of the unified flow table",
	.tokens = {(void *)&cmd_flows_show, (void *)&cmd_flows_flows, NULL},
};

/* show rules PORT */
struct cmd_rules_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t rules;
	cmdline_fixed_string_t port;
};

static void
print_rule(void *ctx, const struct vfp_rule_info *ri)
{
	(void)ctx;
	if (ri->rule == NULL)
		printf("layer %-10s priority %-5u flows %" PRIu64 "\n", ri->layer, ri->priority,
			ri->hits);
	else
		printf("  %-10s %-3s %-24s priority %-5u hits %" PRIu64 "\n", ri->group,
			ri->dir == VFP_DIR_OUT ? "out" : "in", ri->rule, ri->priority, ri->hits);
}

static void
cmd_rules_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_rules_result *res = parsed;
	const struct hnv_app *app = shell_app(data);
	int port = hnv_port_find(app, res->port);

	if (port < 0) {
		cmdline_printf(cl, "no port named '%s'\n", res->port);
		return;
	}
	vfp_program_visit_rules(vfp_switch_program(app->sw), (uint16_t)port, print_rule, NULL);
	fflush(stdout);
}

static cmdline_parse_token_string_t cmd_rules_show =
	TOKEN_STRING_INITIALIZER(struct cmd_rules_result, show, "show");
static cmdline_parse_token_string_t cmd_rules_rules =
	TOKEN_STRING_INITIALIZER(struct cmd_rules_result, rules, "rules");
static cmdline_parse_token_string_t cmd_rules_port =
	TOKEN_STRING_INITIALIZER(struct cmd_rules_result, port, NULL);

cmdline_parse_inst_t cmd_show_rules = {
	.f = cmd_rules_parsed,
	.help_str = "show rules PORT: the port's layers, groups and rules with hit counters",
	.tokens = {(void *)&cmd_rules_show, (void *)&cmd_rules_rules, (void *)&cmd_rules_port,
		NULL},
};

/* trace PORT tcp|udp|icmp DST-IP SPORT DPORT */
struct cmd_trace_result {
	cmdline_fixed_string_t trace;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t proto;
	cmdline_fixed_string_t dst;
	uint16_t sport;
	uint16_t dport;
};

static void
cmd_trace_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_trace_result *res = parsed;
	const struct hnv_app *app = shell_app(data);
	int port = hnv_port_find(app, res->port);
	struct vfp_trace t;
	struct in_addr dst;
	uint8_t proto;
	int rc;

	proto = strcmp(res->proto, "tcp") == 0   ? IPPROTO_TCP
		: strcmp(res->proto, "udp") == 0 ? IPPROTO_UDP
						 : IPPROTO_ICMP;
	if (port < 0 || inet_pton(AF_INET, res->dst, &dst) != 1) {
		cmdline_printf(cl, "usage: trace PORT tcp|udp|icmp DST-IP SPORT DPORT "
				   "(PORT a VM port by name)\n");
		return;
	}
	rc = vfp_trace_tuple(
		app->sw, (uint16_t)port, proto, res->sport, dst.s_addr, res->dport, &t);
	if (rc != 0) {
		cmdline_printf(cl, "cannot trace from port '%s' (not a VM port)\n", res->port);
		return;
	}
	for (unsigned int i = 0; i < t.n; i++)
		printf("  %-12s %-3s %-9s %-10s %-18s %s\n", hnv_port_name(app, t.step[i].port),
			t.step[i].dir == VFP_DIR_OUT ? "out" : "in", t.step[i].layer,
			t.step[i].group[0] ? t.step[i].group : "-",
			t.step[i].rule[0] ? t.step[i].rule : "(default)", t.step[i].action);
	printf("  => %s\n", t.result);
	fflush(stdout);
}

static cmdline_parse_token_string_t cmd_trace_trace =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, trace, "trace");
static cmdline_parse_token_string_t cmd_trace_port =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, port, NULL);
static cmdline_parse_token_string_t cmd_trace_proto =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, proto, "tcp#udp#icmp");
static cmdline_parse_token_string_t cmd_trace_dst =
	TOKEN_STRING_INITIALIZER(struct cmd_trace_result, dst, NULL);
static cmdline_parse_token_num_t cmd_trace_sport =
	TOKEN_NUM_INITIALIZER(struct cmd_trace_result, sport, RTE_UINT16);
static cmdline_parse_token_num_t cmd_trace_dport =
	TOKEN_NUM_INITIALIZER(struct cmd_trace_result, dport, RTE_UINT16);

cmdline_parse_inst_t cmd_trace = {
	.f = cmd_trace_parsed,
	.help_str = "trace PORT tcp|udp|icmp DST-IP SPORT DPORT: walk the layers for a packet "
		    "the VM on PORT would send, without side effects",
	.tokens = {(void *)&cmd_trace_trace, (void *)&cmd_trace_port, (void *)&cmd_trace_proto,
		(void *)&cmd_trace_dst, (void *)&cmd_trace_sport, (void *)&cmd_trace_dport, NULL},
};
