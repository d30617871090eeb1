/* SPDX-License-Identifier: BSD-3-Clause
 * test/replay: push a scenario's input pcaps through the real pipeline
 * (policy load -> compile -> vfp_process_burst) and compare what each port
 * transmits with the expected pcaps, byte for byte and in order; then
 * compare the drop counters with expected-drops.txt.
 *
 *   replay_runner [--chain N] POLICY SCENARIO_DIR OUT_DIR
 *
 * SCENARIO_DIR holds in-<port>.pcap (optional per port), expected-<port>.pcap
 * (missing = the port must send nothing), expected-drops.txt (lines
 * "<port> <reason> <count>"; every non-zero drop counter must be listed)
 * and links.txt (lines "<after> <port> up|down": that port's link changes
 * once the inputs of timestamps up to <after> seconds are in).
 * Inputs of all ports are merged by timestamp (ties: port order) and fed in
 * bursts of consecutive packets of one port. OUT_DIR receives out-<port>.pcap
 * for a look with tshark when something differs.
 *
 * Each input frame is one mbuf, or a chain when it is longer than one
 * buffer holds. With --chain N every frame is a chain of N-byte segments,
 * the first with no headroom: the same expected output proves that the
 * pipeline handles any segmentation (headers pulled up, the outer header
 * in a segment of its own, padding cut across segments).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "hnv_policy.h"
#include "policy_compile.h"
#include "vfp.h"

#define MAX_PKTS 4096
#define SNAP 65535

struct pkt {
	uint16_t port;
	uint32_t len;
	struct timeval ts;
	uint8_t *data;
};

struct out_port {
	pcap_dumper_t *dump;
	unsigned int n;
	struct pkt pkts[MAX_PKTS];
};

static struct out_port outs[VFP_MAX_PORTS];

#define MAX_LINKS 64
static struct link_event {
	long after;
	uint16_t port;
	bool up;
} links[MAX_LINKS];
static unsigned int n_links;

/* links.txt of @dir, against the ports of @pol. */
static int
read_links(const char *dir, const struct hnv_policy *pol)
{
	char path[512], name[64], state[8];
	FILE *f;
	long after;

	snprintf(path, sizeof(path), "%s/links.txt", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (n_links < MAX_LINKS && fscanf(f, "%ld %63s %7s", &after, name, state) == 3) {
		int port = hnv_policy_find_port(pol, name);

		if (port < 0) {
			fprintf(stderr, "%s: unknown port %s\n", path, name);
			fclose(f);
			return -1;
		}
		links[n_links++] =
			(struct link_event){after, (uint16_t)port, strcmp(state, "up") == 0};
	}
	fclose(f);
	return 0;
}
static uint32_t chain_seg; /* --chain N; 0: as many bytes as a buffer holds */
static struct timeval now_ts;
static int failures;

static uint16_t
collect_tx(void *ctx, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)ctx;
	for (uint16_t i = 0; i < n; i++) {
		struct out_port *o = &outs[port];
		uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
		struct pcap_pkthdr h = {.ts = now_ts, .caplen = len, .len = len};
		uint8_t *copy = malloc(len);
		const void *data = rte_pktmbuf_read(pkts[i], 0, len, copy);

		/* rte_pktmbuf_read copies only when it has to. */
		if (data != copy)
			memcpy(copy, data, len);
		pcap_dump((u_char *)o->dump, &h, copy);
		if (o->n < MAX_PKTS)
			o->pkts[o->n++] = (struct pkt){.port = port, .len = len, .data = copy};
		else
			free(copy);
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

static int
read_pcap(const char *path, uint16_t port, struct pkt *pkts, unsigned int *n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, errbuf);

	if (pc == NULL)
		return -ENOENT;
	while (pcap_next_ex(pc, &h, &data) == 1 && *n < MAX_PKTS) {
		struct pkt *p = &pkts[(*n)++];

		p->port = port;
		p->len = h->caplen;
		p->ts = h->ts;
		p->data = malloc(h->caplen);
		memcpy(p->data, data, h->caplen);
	}
	pcap_close(pc);
	return 0;
}

static int
cmp_pkt(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	if (x->ts.tv_sec != y->ts.tv_sec)
		return x->ts.tv_sec < y->ts.tv_sec ? -1 : 1;
	if (x->ts.tv_usec != y->ts.tv_usec)
		return x->ts.tv_usec < y->ts.tv_usec ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x < y ? -1 : 1;
}

static void
hexdump(const char *what, const uint8_t *d, uint32_t len)
{
	fprintf(stderr, "    %s (%u bytes):", what, len);
	for (uint32_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n      ", d[i]);
	fprintf(stderr, "\n");
}

static void
compare_port(const char *dir, const char *name, uint16_t port)
{
	static struct pkt exp[MAX_PKTS];
	const struct out_port *o = &outs[port];
	unsigned int n = 0, i;
	char path[512];

	snprintf(path, sizeof(path), "%s/expected-%s.pcap", dir, name);
	read_pcap(path, port, exp, &n);
	for (i = 0; i < n && i < o->n; i++) {
		uint32_t off;

		if (exp[i].len == o->pkts[i].len &&
			memcmp(exp[i].data, o->pkts[i].data, exp[i].len) == 0)
			continue;
		for (off = 0; off < exp[i].len && off < o->pkts[i].len; off++)
			if (exp[i].data[off] != o->pkts[i].data[off])
				break;
		fprintf(stderr, "  port %s: packet %u differs at byte %u\n", name, i + 1, off);
		hexdump("expected", exp[i].data, exp[i].len);
		hexdump("actual", o->pkts[i].data, o->pkts[i].len);
		failures++;
		break;
	}
	if (n != o->n) {
		fprintf(stderr, "  port %s: expected %u packets, sent %u\n", name, n, o->n);
		failures++;
	}
	for (i = 0; i < n; i++)
		free(exp[i].data);
}

static void
compare_drops(const char *dir, const struct hnv_policy *pol, const struct vfp_lcore *lc)
{
	uint64_t expected[VFP_MAX_PORTS][HNV_DROP_MAX] = {{0}};
	char path[512], pname[64], reason[64];
	unsigned long long count;
	FILE *f;

	snprintf(path, sizeof(path), "%s/expected-drops.txt", dir);
	f = fopen(path, "r");
	if (f != NULL) {
		while (fscanf(f, "%63s %63s %llu", pname, reason, &count) == 3) {
			int port = hnv_policy_find_port(pol, pname);
			unsigned int r;

			for (r = 0; r < HNV_DROP_MAX; r++)
				if (strcmp(hnv_drop_name(r), reason) == 0)
					break;
			if (port < 0 || r == HNV_DROP_MAX) {
				fprintf(stderr, "  %s: unknown port or reason '%s %s'\n", path,
					pname, reason);
				failures++;
				continue;
			}
			expected[port][r] = count;
		}
		fclose(f);
	}
	for (unsigned int port = 0; port < pol->n_ports; port++)
		for (unsigned int r = 0; r < HNV_DROP_MAX; r++)
			if (vfp_lcore_port_stats(lc, port)->drops[r] != expected[port][r]) {
				fprintf(stderr,
					"  port %s: drop %s = %" PRIu64 ", expected %" PRIu64 "\n",
					pol->ports[port].name, hnv_drop_name(r),
					vfp_lcore_port_stats(lc, port)->drops[r],
					expected[port][r]);
				failures++;
			}
}

/* @len bytes of @data as an mbuf chain from @mp (see the file comment). */
static struct rte_mbuf *
build_mbuf(struct rte_mempool *mp, const uint8_t *data, uint32_t len)
{
	struct rte_mbuf *head = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t room, k;

		if (m == NULL)
			goto fail;
		if (chain_seg != 0 && head == NULL)
			m->data_off = 0;
		room = rte_pktmbuf_tailroom(m);
		k = RTE_MIN(len - off, chain_seg != 0 ? RTE_MIN(chain_seg, room) : room);
		memcpy(rte_pktmbuf_append(m, (uint16_t)k), data + off, k);
		off += k;
		if (head == NULL) {
			head = m;
		} else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	} while (off < len);
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

int
main(int argc, char **argv)
{
	char *eal_argv[] = {argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--log-level=lib.*:error", "-l", "0", NULL};
	static struct pkt in[MAX_PKTS];
	struct vfp_lcore *lc;
	struct hnv_compile_env env = {0};
	struct vfp_switch_params sp = {.flow_capacity = 65536, .n_lcores = 1};
	char err[HNV_POLICY_ERR_MAX], path[512];
	struct vfp_program *prog = NULL;
	struct vfp_switch *sw;
	struct hnv_policy *pol = NULL;
	struct rte_mempool *mp;
	unsigned int n_in = 0, i, j, k;
	pcap_t *dead;

	if (argc == 6 && strcmp(argv[1], "--chain") == 0) {
		chain_seg = (uint32_t)strtoul(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s [--chain N] POLICY SCENARIO_DIR OUT_DIR\n", argv[0]);
		return 2;
	}
	if (rte_eal_init(RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	if (hnv_policy_load(argv[1], &pol, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (!pol->host.has_mac) {
		fprintf(stderr, "%s: replay policies must set host.mac\n", argv[1]);
		return 2;
	}
	sw = vfp_switch_create(&sp);
	if (sw == NULL) {
		fprintf(stderr, "cannot create the switch\n");
		return 2;
	}
	if (hnv_policy_compile(pol, &env, sw, &prog, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	vfp_switch_publish(sw, prog);
	mp = rte_pktmbuf_pool_create("replay", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		return 2;
	dead = pcap_open_dead(DLT_EN10MB, SNAP);
	for (i = 0; i < pol->n_ports; i++) {
		snprintf(path, sizeof(path), "%s/in-%s.pcap", argv[2], pol->ports[i].name);
		read_pcap(path, (uint16_t)i, in, &n_in);
		snprintf(path, sizeof(path), "%s/out-%s.pcap", argv[3], pol->ports[i].name);
		outs[i].dump = pcap_dump_open(dead, path);
		if (outs[i].dump == NULL) {
			fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
			return 2;
		}
	}
	qsort(in, n_in, sizeof(in[0]), cmp_pkt);
	if (read_links(argv[2], pol) != 0)
		return 2;

	lc = vfp_lcore_create(sw, 0, collect_tx, NULL);
	if (lc == NULL) {
		fprintf(stderr, "replay: cannot create the lcore\n");
		return 1;
	}
	for (i = 0, k = 0; i < n_in; i = j) {
		struct rte_mbuf *burst[VFP_BURST];
		uint16_t n = 0;

		/* Link changes due before this packet; a burst stops at the next. */
		for (; k < n_links && links[k].after < in[i].ts.tv_sec; k++)
			vfp_switch_set_link(sw, links[k].port, links[k].up);
		for (j = i; j < n_in && in[j].port == in[i].port && n < VFP_BURST &&
			    (k == n_links || in[j].ts.tv_sec <= links[k].after);
			j++, n++) {
			burst[n] = build_mbuf(mp, in[j].data, in[j].len);
			if (burst[n] == NULL) {
				fprintf(stderr, "cannot build mbuf for input packet %u\n", j);
				return 2;
			}
			now_ts = in[j].ts;
		}
		vfp_process_burst(sw, lc, in[i].port, burst, n);
		vfp_lcore_flush(lc);
		vfp_lcore_quiescent(sw, lc);
	}
	for (i = 0; i < pol->n_ports; i++) {
		pcap_dump_close(outs[i].dump);
		compare_port(argv[2], pol->ports[i].name, (uint16_t)i);
	}
	compare_drops(argv[2], pol, lc);
	if (rte_mempool_in_use_count(mp) != 0) {
		fprintf(stderr, "  %u mbufs leaked\n", rte_mempool_in_use_count(mp));
		failures++;
	}
	printf("%s: %u packets in, %s\n", argv[2], n_in, failures ? "FAILED" : "ok");
	for (i = 0; i < n_in; i++)
		free(in[i].data);
	for (i = 0; i < pol->n_ports; i++)
		for (j = 0; j < outs[i].n; j++)
			free(outs[i].pkts[j].data);
	pcap_close(dead);
	vfp_lcore_free(sw, lc);
	vfp_switch_free(sw);
	hnv_policy_free(pol);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
