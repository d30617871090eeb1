/* SPDX-License-Identifier: BSD-3-Clause
 * app: the workers' counters summed for the control plane, the shell and
 * telemetry, and the counter block printed every --stats seconds, at exit,
 * and by the shell's 'show ports'. The format is stable (tests and
 * docs/shell.md rely on it): one line per port in switch port order (a
 * port a reload removed says so, until its id is taken again), then one
 * indented line per non-zero drop reason. A port's counters start at zero
 * when it gets its id (its base is subtracted). The sums read the workers' counters while they run,
 * without locks: a value may be a packet behind.
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_ip.h>

#include "hnv_app.h"
#include "hnv_pa.h"
#include "hnv_net.h"

/* struct vfp_port_stats is counters only, all uint64_t: a port's base is
 * subtracted word by word. */
_Static_assert(sizeof(struct vfp_port_stats) % sizeof(uint64_t) == 0,
	"vfp_port_stats holds only 64-bit counters");

void
hnv_stats_port(const struct hnv_app *app, uint16_t port, struct vfp_port_stats *st)
{
	struct vfp_lcore *lcs[HNV_MAX_WORKERS];
	unsigned int n = hnv_app_lcores(app, lcs);
	uint64_t *v = (uint64_t *)st;
	const uint64_t *b;

	vfp_stats_sum(lcs, n, port, st);
	if (port >= VFP_MAX_PORTS)
		return;
	b = (const uint64_t *)&app->ports[port].base;
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] -= b[i];
}

void
hnv_stats_uft(const struct hnv_app *app, struct vfp_uft_stats *us)
{
	struct vfp_lcore *lcs[HNV_MAX_WORKERS];
	unsigned int n = hnv_app_lcores(app, lcs);

	vfp_uft_stats_sum(lcs, n, us);
}

void
hnv_stats_print(const struct hnv_app *app, FILE *f)
{
	for (uint16_t port = 0; port < app->n_ports; port++) {
		const struct hnv_swport *sp = &app->ports[port];
		struct vfp_port_stats st;
		uint64_t drops = 0;

		if (sp->kind == HNV_PORT_FREE)
			continue;
		hnv_stats_port(app, port, &st);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			drops += st.drops[r];
		fprintf(f,
			"port %s%s: rx-packets %" PRIu64 " tx-packets %" PRIu64
			" arp-replies %" PRIu64 " drops %" PRIu64 " rx-bytes %" PRIu64
			" tx-bytes %" PRIu64 " encapsulated %" PRIu64 " decapsulated %" PRIu64
			" arp-requests %" PRIu64 " consumed %" PRIu64 " tx-retries %" PRIu64
			" icmp-sent %" PRIu64 " replicated %" PRIu64 " dhcp-replies %" PRIu64
			" nd-replies %" PRIu64 " fragmented %" PRIu64 "\n",
			sp->cfg.name, sp->kind == HNV_PORT_REMOVED ? " (removed)" : "",
			st.rx_packets, st.tx_packets, st.arp_replies, drops, st.rx_bytes,
			st.tx_bytes, st.encapsulated, st.decapsulated, st.arp_requests, st.consumed,
			st.tx_retries, st.icmp_sent, st.replicated, st.dhcp_replies, st.nd_replies,
			st.fragmented);
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			if (st.drops[r] != 0)
				fprintf(f, "  drop %s: %" PRIu64 "\n", hnv_drop_name(r),
					st.drops[r]);
	}
	hnv_stats_print_uft(app, f);
}

void
hnv_stats_print_neighbors(const struct hnv_app *app, FILE *f)
{
	unsigned int n = vfp_neigh_count(app->sw, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_ether_addr mac;
		char ip[HNV_PA_FMT_SIZE], macs[HNV_MAC_FMT_SIZE];
		rte_be32_t addr;
		bool ok;

		int up = vfp_neigh_uplink(app->sw, i);

		vfp_neigh_get(app->sw, i, &addr, &mac, &ok);
		fprintf(f, "next-hop %s: %s", hnv_pa_format(ip, sizeof(ip), addr),
			ok ? hnv_mac_format(macs, sizeof(macs), &mac) : "unresolved");
		/* A NIC team resolves each next hop on every member. */
		if (app->policy != NULL && app->policy->host.n_uplinks > 1 && up >= 0)
			fprintf(f, " via %s", app->ports[up].cfg.name);
		fprintf(f, "\n");
	}
	fflush(f);
}

void
hnv_stats_print_uft(const struct hnv_app *app, FILE *f)
{
	struct vfp_uft_stats us;
	unsigned int cap, n = vfp_switch_flow_count(app->sw, &cap);

	hnv_stats_uft(app, &us);
	fprintf(f,
		"uft: flows %u capacity %u hits %" PRIu64 " misses %" PRIu64 " stale %" PRIu64
		" inserts %" PRIu64 " uncached %" PRIu64 "\n",
		n, cap, us.hits, us.misses, us.stale, us.inserts, us.uncached);
	fflush(f);
}
