/* SPDX-License-Identifier: BSD-3-Clause
 * drivers: one small port interface over DPDK ethdevs.
 *
 * Owns: finding a device by its ethdev name (a PCI address, or a vdev such
 * as net_af_packet0, net_pcap0, net_tap0, net_ring0, net_vhost0), creating
 * the vhost-user ports of VM NICs (net_vhost, probed at run time),
 * configuring its queues with the offloads it has, starting, stopping and
 * removing it. Knows nothing of policy semantics.
 */
#ifndef HNV_PORT_H
#define HNV_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

/** How to set up one port. */
struct hnv_port_conf {
	uint16_t nb_rxq; /**< wanted; lowered to what the device has, see below */
	uint16_t nb_txq;
	uint16_t nb_rxd;                  /**< 0 = 1024 */
	uint16_t nb_txd;                  /**< 0 = 1024 */
	struct rte_mempool *mp;           /**< receive buffers */
	const struct rte_ether_addr *mac; /**< set this MAC if not NULL */
	uint16_t mtu;                     /**< set this L3 MTU if not 0 (see hnv_port_set_mtu) */
	bool multi_seg;                   /**< out: the device transmits chained mbufs (MULTI_SEGS);
					       if not, the caller linearizes them first */
	bool scatter;       /**< out: receive scatters frames of @c mtu over several buffers */
	bool cksum_offload; /**< use the IPv4 checksum offloads the device has (an
			       uplink: the outer header's) */
	bool tx_ipv4_cksum; /**< out: the device computes IPv4 checksums on transmit */
	bool rx_ipv4_cksum; /**< out: the device verifies them on receive */
};

/**
 * Find @p device, configure, start it, enable promiscuous mode. The number
 * of rx queues is lowered to the device's maximum (conf->nb_rxq is updated);
 * every tx queue asked for must exist.
 *
 * @param port_id  the ethdev port id on success
 * @param err      a message on failure
 * @return 0 or a negative errno
 */
int hnv_port_open(const char *device, struct hnv_port_conf *conf, uint16_t *port_id, char *err,
	size_t errlen);

/**
 * Set the L3 MTU of @p port_id to @p mtu. A device with no MTU to set
 * (-ENOTSUP: net_pcap, net_null, net_ring) is left as it is.
 * @return 0, or a negative errno with @p err (above the device's maximum,
 *         or refused by it)
 */
int hnv_port_set_mtu(uint16_t port_id, uint16_t mtu, char *err, size_t errlen);

/** Stop a port opened by hnv_port_open, leaving the device in place so
 * that hnv_port_open can start it again (a port a reload removed). */
void hnv_port_stop(uint16_t port_id);

/** Stop and close a port opened by hnv_port_open. */
void hnv_port_close(uint16_t port_id);

#define HNV_PORT_QUEUES_SHOWN 16

/** What an operator asks of a port's device: its link and its queues. */
struct hnv_port_state {
	char name[64];   /**< the ethdev name */
	bool up;         /**< link up; for vhost-user: a guest is connected */
	uint32_t speed;  /**< Mb/s, 0 if unknown */
	uint16_t nb_rxq; /**< configured queues */
	uint16_t nb_txq;
	uint64_t q_rx[HNV_PORT_QUEUES_SHOWN]; /**< packets per rx queue */
	uint64_t q_tx[HNV_PORT_QUEUES_SHOWN]; /**< packets per tx queue */
};

/** Read @p port_id's link and per-queue packet counters (without waiting
 * for the link). @return 0 or a negative errno */
int hnv_port_state(uint16_t port_id, struct hnv_port_state *st);

/** The port's MAC address. @return 0 or a negative errno */
int hnv_port_mac(uint16_t port_id, struct rte_ether_addr *mac);

#endif /* HNV_PORT_H */
