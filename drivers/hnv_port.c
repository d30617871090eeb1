/* SPDX-License-Identifier: BSD-3-Clause
 * drivers: ethdev set-up behind hnv_port.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "hnv_port.h"

#define DEFAULT_DESC 1024

/* The longest frame of L3 MTU @mtu: Ethernet, one 802.1Q tag, FCS. */
static uint32_t
frame_len(uint16_t mtu)
{
	return (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
}

/* What one receive buffer of @mp holds. */
static uint32_t
buffer_len(struct rte_mempool *mp)
{
	return (uint32_t)rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
}

int
hnv_port_open(
	const char *device, struct hnv_port_conf *conf, uint16_t *port_id, char *err, size_t errlen)
{
	struct rte_eth_conf ec;
	struct rte_eth_dev_info info;
	uint16_t pid, nb_rxd, nb_txd, q;
	int rc;

	rc = rte_eth_dev_get_port_by_name(device, &pid);
	if (rc != 0) {
		snprintf(err, errlen,
			"no DPDK device named '%s' (give it to EAL with -a or --vdev)", device);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		goto fail;
	if (conf->nb_txq > info.max_tx_queues) {
		snprintf(err, errlen,
			"%s: needs %u tx queues (one per worker), has %u "
			"(net_af_packet: qpairs=N; or run fewer workers)",
			device, conf->nb_txq, info.max_tx_queues);
		return -EINVAL;
	}
	if (conf->nb_rxq > info.max_rx_queues)
		conf->nb_rxq = info.max_rx_queues;
	/* No MBUF_FAST_FREE: inbound flooding sends one mbuf with a raised
	 * reference count to several ports. */
	memset(&ec, 0, sizeof(ec));
	/* Unicast replication sends chained mbufs (a header segment and the
	 * shared payload). */
	conf->multi_seg = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	if (conf->multi_seg)
		ec.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* Frames longer than one receive buffer (a jumbo MTU) arrive as
	 * chains where the device can scatter; asked for only then, since
	 * scattered receive may cost a device its vector path. Devices that
	 * chain without saying so (net_pcap) need nothing. */
	conf->scatter = conf->mtu != 0 && frame_len(conf->mtu) > buffer_len(conf->mp) &&
			(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) != 0;
	if (conf->scatter)
		ec.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	/* The checksum of the outer IPv4 header: computed on the way out and
	 * verified on the way in by the device, where it can (net_tap in
	 * software, NICs in hardware). */
	conf->tx_ipv4_cksum =
		conf->cksum_offload && (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
	conf->rx_ipv4_cksum =
		conf->cksum_offload && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) != 0;
	if (conf->tx_ipv4_cksum)
		ec.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (conf->rx_ipv4_cksum)
		ec.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	/* Several rx queues: spread flows over them by RSS where the NIC has
	 * it (drivers like af_packet spread by other means and have none). */
	if (conf->nb_rxq > 1) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) &
			      info.flow_type_rss_offloads;

		if (hf != 0) {
			ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			ec.rx_adv_conf.rss_conf.rss_hf = hf;
		}
	}
	rc = rte_eth_dev_configure(pid, conf->nb_rxq, conf->nb_txq, &ec);
	if (rc != 0)
		goto fail;
	nb_rxd = conf->nb_rxd ? conf->nb_rxd : DEFAULT_DESC;
	nb_txd = conf->nb_txd ? conf->nb_txd : DEFAULT_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nb_rxd, &nb_txd);
	if (rc != 0)
		goto fail;
	for (q = 0; q < conf->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(
			pid, q, nb_rxd, rte_eth_dev_socket_id(pid), NULL, conf->mp);
		if (rc != 0)
			goto fail;
	}
	for (q = 0; q < conf->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, nb_txd, rte_eth_dev_socket_id(pid), NULL);
		if (rc != 0)
			goto fail;
	}
	if (conf->mac != NULL) {
		rc = rte_eth_dev_default_mac_addr_set(pid, (struct rte_ether_addr *)conf->mac);
		if (rc != 0 && rc != -ENOTSUP)
			goto fail;
	}
	if (conf->mtu != 0) {
		rc = hnv_port_set_mtu(pid, conf->mtu, err, errlen);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		goto fail;
	rc = rte_eth_promiscuous_enable(pid);
	if (rc != 0 && rc != -ENOTSUP)
		goto fail;
	*port_id = pid;
	return 0;
fail:
	snprintf(err, errlen, "%s: set-up failed: %s", device, rte_strerror(-rc));
	return rc;
}

int
hnv_port_set_mtu(uint16_t port_id, uint16_t mtu, char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN] = "?";
	struct rte_eth_dev_info info;
	int rc;

	(void)rte_eth_dev_get_name_by_port(port_id, name);
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc == 0 && (mtu > info.max_mtu || mtu < info.min_mtu)) {
		snprintf(err, errlen, "%s: MTU %u is outside what the device takes (%u..%u)", name,
			mtu, info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	rc = rte_eth_dev_set_mtu(port_id, mtu);
	if (rc == 0 || rc == -ENOTSUP)
		return 0;
	snprintf(err, errlen, "%s: cannot set MTU %u: %s", name, mtu, rte_strerror(-rc));
	return rc;
}

void
hnv_port_stop(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
}

void
hnv_port_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}

int
hnv_port_state(uint16_t port_id, struct hnv_port_state *st)
{
	struct rte_eth_dev_info info;
	struct rte_eth_stats es;
	struct rte_eth_link link;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = rte_eth_dev_get_name_by_port(port_id, st->name);
	if (rc == 0)
		rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		return rc;
	st->nb_rxq = info.nb_rx_queues;
	st->nb_txq = info.nb_tx_queues;
	if (rte_eth_link_get_nowait(port_id, &link) == 0) {
		st->up = link.link_status == RTE_ETH_LINK_UP;
		st->speed = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
	}
	if (rte_eth_stats_get(port_id, &es) == 0) {
		for (unsigned int q = 0;
			q < HNV_PORT_QUEUES_SHOWN && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
			st->q_rx[q] = es.q_ipackets[q];
			st->q_tx[q] = es.q_opackets[q];
		}
	}
	return 0;
}

int
hnv_port_mac(uint16_t port_id, struct rte_ether_addr *mac)
{
	return rte_eth_macaddr_get(port_id, mac);
}
