/* SPDX-License-Identifier: BSD-3-Clause
 * lib/vfp: mbuf chain helpers behind vfp_mbuf.h. Each keeps the chain's
 * packet length, segment count and bytes consistent at every step.
 */
#include <string.h>

#include "vfp_mbuf.h"

/* May @s's data offset and length change, and its buffer be written? */
static bool
owned(const struct rte_mbuf *s)
{
	return RTE_MBUF_DIRECT(s) && rte_mbuf_refcnt_read(s) == 1;
}

bool
vfp_mbuf_pullup_move(struct rte_mbuf *m, uint32_t len)
{
	len = RTE_MIN(len, rte_pktmbuf_pkt_len(m));
	if (m->data_len >= len)
		return true;
	if (!owned(m) || rte_pktmbuf_tailroom(m) < len - m->data_len)
		return false;
	while (m->data_len < len) {
		struct rte_mbuf *s = m->next; /* the packet length says there is one */
		uint16_t k = (uint16_t)RTE_MIN(len - m->data_len, (uint32_t)s->data_len);

		if (rte_mbuf_refcnt_read(s) != 1)
			return false; /* the bytes moved so far are still in order */
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, m->data_len),
			rte_pktmbuf_mtod(s, const uint8_t *), k);
		m->data_len = (uint16_t)(m->data_len + k);
		s->data_off = (uint16_t)(s->data_off + k);
		s->data_len = (uint16_t)(s->data_len - k);
		if (s->data_len == 0) {
			m->next = s->next;
			m->nb_segs--;
			s->next = NULL;
			s->nb_segs = 1;
			rte_pktmbuf_free_seg(s);
		}
	}
	return true;
}

void
vfp_mbuf_truncate(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *s = m;
	uint32_t left = len;
	uint16_t segs = 1;

	if (len >= rte_pktmbuf_pkt_len(m))
		return;
	while (left > s->data_len) {
		left -= s->data_len;
		s = s->next;
		segs++;
	}
	s->data_len = (uint16_t)left;
	rte_pktmbuf_free(s->next);
	s->next = NULL;
	m->nb_segs = segs;
	m->pkt_len = len;
}

struct rte_mbuf *
vfp_mbuf_head_seg(struct rte_mbuf *m, uint16_t len)
{
	struct rte_mbuf *h = rte_pktmbuf_alloc(m->pool);

	if (h == NULL)
		return NULL;
	if (rte_pktmbuf_append(h, len) == NULL || rte_pktmbuf_chain(h, m) != 0) {
		rte_pktmbuf_free_seg(h);
		return NULL;
	}
	h->port = m->port;
	return h;
}
