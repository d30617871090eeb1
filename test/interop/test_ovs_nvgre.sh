#!/usr/bin/env bash
# test_ovs_nvgre.sh: owns the interop test of dpdk-hnv's NVGRE and PA VLAN
# against an independent implementation: Open vSwitch's userspace datapath
# (ovs-vswitchd, netdev bridges, native tunnelling). This kernel has no
# gretap and no 802.1Q devices, so OVS is the NVGRE peer and tags the PA
# network.
#
#   hnv-ovs-web (10.1.1.12)          hnv-ovs-sql (10.1.1.11)
#        | eth0                             | eth0
#   hnv-ovs-h2: dpdk-hnv              hnv-ovs-h1: ovs-vswitchd
#     h2o-web (VM port)                 br-int: h1o-sql, gre0 (key=flow,
#     h2o-up (uplink, PA                  VSID 5001 << 8 | FlowID by flows)
#      192.168.50.2, VLAN 100) ------   br-phy: h1o-up (trunk), the
#                                         tunnel endpoint 192.168.50.1 on
#                                         its LOCAL port, tag 100
#
# Checks: ping and a TCP transfer both ways between the VMs; on the wire
# (captured on the OVS side) every frame is 802.1Q VLAN 100, GRE with key
# and protocol 0x6558, the key's VSID is 5001 (tshark decodes it all with
# no expert warnings), and dpdk-hnv's FlowID varies by flow while OVS's is
# the one its flows set; dpdk-hnv's counters. Run as root; the last line is
# "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: openvswitch-switch (scripts/setup.sh installs it), iproute2, ping,
# tcpdump, tshark, python3.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}

HNV_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
PY=/usr/bin/python3
SUMMARY_LOGS=(show_hnv_log show_ovs_log)
STOP_POLLS=20
CAPTURE_TIMEOUT=110
PING_INTERVAL=0.5
COUNTER_FROM=1
CLEANUP_EXTRA=teardown
NS=(hnv-ovs-h1 hnv-ovs-h2 hnv-ovs-web hnv-ovs-sql)
VSID=5001

# OVS of this test only: its database, sockets and logs in the work
# directory, its daemons in hnv-ovs-h1.
ovs() { OVS_RUNDIR="$WORK/ovs" OVS_DBDIR="$WORK/ovs" OVS_LOGDIR="$WORK/ovs" "$@"; }
ovs_h1() { ovs ip netns exec hnv-ovs-h1 "$@"; }
vsctl() { ovs ovs-vsctl --timeout=10 "$@"; }

show_ovs_log() {
	[ -d "$WORK/ovs" ] || return 0
	echo "    # --- ovs-vswitchd log ---"
	tail -n 30 "$WORK/ovs/ovs-vswitchd.log" 2>/dev/null | indent || true
	echo "    # --- br-int flows ---"
	ovs ovs-ofctl dump-flows br-int 2>&1 | indent || true
}

teardown() {
	local f
	if [ -n "$WORK" ]; then
		for f in "$WORK"/ovs/ovs-vswitchd.pid "$WORK"/ovs/ovsdb-server.pid; do
			[ -f "$f" ] && stop_pid "$(cat "$f")" TERM
		done
	fi
	ns_del "${NS[@]}"
}

trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip ping tcpdump tshark ethtool timeout ovs-vswitchd ovsdb-server ovs-vsctl \
	ovs-ofctl ovsdb-tool
[ -x "$HNV_BIN" ] || bail "dpdk-hnv binary '$HNV_BIN' not found or not executable"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")

WORK=$(mktemp -d /tmp/hnv-ovs.XXXXXX)
mkdir -p "$WORK/ovs"

# ---------------------------------------------------------------- topology
teardown
ns_add "${NS[@]}"
# No IPv6: the kernels' own router solicitations and MLD reports, untagged
# on the trunk, would be counted (rightly) as wrong_vlan drops.
for n in "${NS[@]}"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip link add h1o-up netns hnv-ovs-h1 type veth peer name h2o-up netns hnv-ovs-h2
ip link add h1o-sql netns hnv-ovs-h1 type veth peer name eth0 netns hnv-ovs-sql
ip link add h2o-web netns hnv-ovs-h2 type veth peer name eth0 netns hnv-ovs-web
vm_up hnv-ovs-sql 02:50:01:00:00:11 10.1.1.11 1400
vm_up hnv-ovs-web 02:50:01:00:00:12 10.1.1.12 1400
# The SQL VM's host has no ARP proxy: it knows the web VM's MAC.
ip -n hnv-ovs-sql neigh replace 10.1.1.12 lladdr 02:50:01:00:00:12 dev eth0 nud permanent
for l in h1o-up h1o-sql; do ip -n hnv-ovs-h1 link set "$l" up; done
for l in h2o-up h2o-web; do ip -n hnv-ovs-h2 link set "$l" mtu 1500 up; done
ok "namespaces up"

# ---------------------------------------------------------------- OVS
ovs ovsdb-tool create "$WORK/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovs_h1 ovsdb-server "$WORK/ovs/conf.db" --remote="punix:$WORK/ovs/db.sock" \
	--pidfile --detach --log-file
vsctl --no-wait init
ovs_h1 ovs-vswitchd --pidfile --detach --log-file
vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev \
	other_config:hwaddr=02:00:00:01:00:10 -- add-port br-phy h1o-up \
	-- set port br-phy tag=100
ip -n hnv-ovs-h1 addr add 192.168.50.1/24 dev br-phy
ip -n hnv-ovs-h1 link set br-phy up
vsctl add-br br-int -- set bridge br-int datapath_type=netdev \
	-- add-port br-int h1o-sql -- set interface h1o-sql ofport_request=1 \
	-- add-port br-int gre0 -- set interface gre0 type=gre ofport_request=2 \
	options:remote_ip=192.168.50.2 options:key=flow
# NVGRE: the 32-bit GRE key is VSID << 8 | FlowID; any FlowID from dpdk-hnv.
key=$(printf '0x%x' $((VSID << 8)))
ovs ovs-ofctl del-flows br-int
ovs ovs-ofctl add-flow br-int "in_port=2,tun_id=$key/0xffffff00,actions=output:1"
ovs ovs-ofctl add-flow br-int "in_port=1,actions=set_field:$((key | 7))->tun_id,output:2"
check "OVS bridges and NVGRE flows up" ovs ovs-ofctl dump-flows br-int

# ---------------------------------------------------------------- dpdk-hnv
cat >"$WORK/policy.json" <<EOF
{
	"version": 1,
	"host": {"name": "hnv-ovs-h2", "uplink": "uplink", "pa": ["192.168.50.2/24"],
		"vlan": 100},
	"ports": [
		{"name": "uplink", "device": "net_af_packet0"},
		{"name": "web", "device": "net_af_packet1"}
	],
	"routing_domains": [
		{"rdid": 1, "name": "contoso",
		 "subnets": [{"vsid": $VSID, "prefix": "10.1.1.0/24", "encap": "nvgre"}]}
	],
	"vm_nics": [
		{"name": "web", "mac": "02:50:01:00:00:12", "ip": "10.1.1.12", "vsid": $VSID,
		 "port": "web"}
	],
	"mappings": [
		{"vsid": $VSID, "ca": "10.1.1.11", "mac": "02:50:01:00:00:11", "pa": "192.168.50.1"}
	]
}
EOF
ip netns exec hnv-ovs-h2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 512 \
	--no-pci --file-prefix hnv-ovs \
	--vdev net_af_packet0,iface=h2o-up \
	--vdev net_af_packet1,iface=h2o-web \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	summary
	exit 1
fi
ok "dpdk-hnv ready"

caps_ok=1
start_capture hnv-ovs-h1 h1o-up "$WORK/underlay.pcap" || caps_ok=0
check "packet capture started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- traffic
check "web pings sql (dpdk-hnv NVGRE -> OVS)" ping_ok hnv-ovs-web 10.1.1.11
check "sql pings web (OVS NVGRE -> dpdk-hnv)" ping_ok hnv-ovs-sql 10.1.1.12

check "TCP, 1 MB web -> sql, SHA-256 agrees" tcp_hash_ok hnv-ovs-sql 10.1.1.11 hnv-ovs-web
check "TCP, 1 MB sql -> web, SHA-256 agrees" tcp_hash_ok hnv-ovs-web 10.1.1.12 hnv-ovs-sql
stop_captures

# ---------------------------------------------------------------- the wire
# One line per GRE frame: outer source, VLAN, GRE protocol and key.
tshark -r "$WORK/underlay.pcap" -T fields -E separator=' ' -E occurrence=f -e ip.src \
	-e vlan.id -e gre.proto -e gre.key 'gre' >"$WORK/gre.txt" 2>"$WORK/tshark.err" || true
both_ways() {
	[ "$(grep -c '^192.168.50.2 ' "$WORK/gre.txt")" -gt 500 ] &&
		[ "$(grep -c '^192.168.50.1 ' "$WORK/gre.txt")" -gt 500 ]
}
check "tunnel frames captured both ways ($(wc -l <"$WORK/gre.txt"), over 500 each)" both_ways
# Every GRE frame: VLAN 100, protocol 0x6558, the key's VSID 5001.
# tshark prints the key as 0x and 8 hex digits: VSID (6), FlowID (2).
vsid_hex=$(printf '0x%06x' "$VSID")
wire_ok() {
	awk -v vsid="$vsid_hex" '
		$2 != 100 || $3 != "0x6558" || substr($4, 1, 8) != vsid { bad++ }
		END { exit bad > 0 }' "$WORK/gre.txt"
}
check "every tunnel frame: VLAN 100, GRE 0x6558, key VSID $VSID" wire_ok
flow_ids() { awk -v src="$1" '$1 == src { print substr($4, 9) }' "$WORK/gre.txt" | sort -u; }
# dpdk-hnv's FlowID is per flow (ping, two TCP connections), OVS's fixed.
n_flowid=$(flow_ids 192.168.50.2 | wc -l)
check "dpdk-hnv's FlowIDs vary by flow ($n_flowid distinct)" [ "$n_flowid" -ge 2 ]
check "OVS's FlowID is the one its flow sets (07)" [ "$(flow_ids 192.168.50.1)" = 07 ]
# Warnings about headers, that is any but TCP's own sequence analysis
# (a segment lost and resent on this busy machine is not a header fault).
tshark -r "$WORK/underlay.pcap" -q -z expert,warn >"$WORK/expert.txt" 2>&1 || true
header_warnings() {
	awk '/^(Errors|Warns) \(/ { t = 1; next } t && $1 ~ /^[0-9]+$/ && $2 != "Sequence"' \
		"$WORK/expert.txt"
}
check "tshark: no expert warnings or errors about any header on the underlay" \
	[ -z "$(header_warnings)" ]
first=$(tshark -r "$WORK/underlay.pcap" -Y 'gre && tcp' -T fields -e frame.number 2>/dev/null |
	head -n 1) || true
tshark -r "$WORK/underlay.pcap" -V -Y "frame.number == ${first:-0}" >"$WORK/decode.txt" 2>&1 ||
	true
check "tshark decodes VLAN, GRE with key, inner Ethernet, IPv4 and TCP" \
	bash -c "grep -q '802.1Q Virtual LAN' '$WORK/decode.txt' &&
		grep -q 'Generic Routing Encapsulation (Transparent Ethernet bridging)' '$WORK/decode.txt' &&
		grep -q 'Key: 0x00138' '$WORK/decode.txt' &&
		grep -q 'Transmission Control Protocol' '$WORK/decode.txt'"

# ---------------------------------------------------------------- counters
stop_hnv INT KILL
check "dpdk-hnv exited cleanly on SIGINT" [ "$hnv_rc" = 0 ]
check "port uplink: encapsulated >= 500 (1 MB of TCP one way and the ACKs of the other)" \
	counter_ge uplink encapsulated 500
check "port uplink: decapsulated >= 500" counter_ge uplink decapsulated 500
check "port uplink: no tunnel or VLAN drops" bash -c \
	"! grep -E '^[[:space:]]*drop (tunnel_[a-z_]*|wrong_vlan|not_our_pa|spoofed_pa|unknown_vni):' \
		'$WORK/hnv.out'"
summary
