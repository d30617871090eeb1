#!/usr/bin/env bash
# test_kernel_vxlan6.sh: owns the interop test of VXLAN over an IPv6
# underlay against the Linux kernel's VXLAN VTEP: both hosts' PAs are IPv6,
# each side finds the other's MAC by neighbour discovery, and the kernel
# checks every UDP checksum dpdk-hnv computes (over IPv6 it may not be zero).
#
#   hnv-v6-web 10.1.1.12                      hnv-v6-sql 10.1.1.11
#     | eth0                                    | eth0
#   hnv-v6-h2: dpdk-hnv                       hnv-v6-h1: kernel VXLAN 5001
#     h2-web (VM port, af_packet)               local fd00:60::10, bridged
#     h2-up (uplink, af_packet) PA fd00:60::20 -- h1-up fd00:60::10/64
#
# Checks: pings both ways; 1 MB of TCP both ways (SHA-256); the kernel
# learnt PA fd00:60::20 by ND from dpdk-hnv's advertisement, and dpdk-hnv
# solicited the kernel's PA; on the wire every tunnel frame is IPv6/UDP 4789
# /VXLAN VNI 5001, both ways, and tshark (UDP checksums verified) warns
# about no header; a VM with MTU 1500 is told "fragmentation needed, MTU
# 1430" (IPv6 outer headers cost 70 bytes) and then gets 1430-byte packets
# through; dpdk-hnv's counters. Run as root; the last line is "N passed, M
# failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv), HNV_READY_TIMEOUT
# (seconds, default 30), HNV_KEEP_LOGS=1 keeps the work directory.
# Needs: iproute2 (ip, bridge), ping, tcpdump, tshark, ethtool, python3.
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
SUMMARY_LOGS=(show_hnv_log)
STOP_POLLS=20
CAPTURE_TIMEOUT=120
CAPTURE_SNAPLEN=2048
PING_INTERVAL=0.5
COUNTER_FROM=1
CLEANUP_EXTRA=teardown
NS=(hnv-v6-h1 hnv-v6-h2 hnv-v6-web hnv-v6-sql)
readonly PA1=fd00:60::10 PA2=fd00:60::20

teardown() { ns_del "${NS[@]}"; }

trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump tshark ethtool timeout
[ -d /proc/sys/net/ipv6 ] || bail "this kernel has no IPv6"
[ -x "$HNV_BIN" ] || bail "dpdk-hnv binary '$HNV_BIN' not found or not executable"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")
WORK=$(mktemp -d /tmp/hnv-vxlan6.XXXXXX)

# ---------------------------------------------------------------- topology
teardown
ns_add "${NS[@]}"
# IPv6 only where the underlay needs it: the kernel host. Host 2's kernel
# must not answer for (or solicit from) the link dpdk-hnv owns.
for n in hnv-v6-h2 hnv-v6-web hnv-v6-sql; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
# Host 1: on h1-up alone (the bridge and VXLAN device would send their own
# router solicitations and MLD reports into the overlay).
ip netns exec hnv-v6-h1 sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip link add h1-up netns hnv-v6-h1 type veth peer name h2-up netns hnv-v6-h2
ip netns exec hnv-v6-h1 sysctl -qw net.ipv6.conf.h1-up.disable_ipv6=0
ip link add h2-web netns hnv-v6-h2 type veth peer name eth0 netns hnv-v6-web
ip link add h1-sql netns hnv-v6-h1 type veth peer name eth0 netns hnv-v6-sql
# Real checksums and wire-sized frames on both ends of the underlay (a
# packet socket sees neither a checksum left to offload nor GSO).
ip netns exec hnv-v6-h1 ethtool -K h1-up tx off rx off gso off gro off >/dev/null
ip netns exec hnv-v6-h2 ethtool -K h2-up tx off rx off gso off gro off >/dev/null
ip -n hnv-v6-h2 link set h2-up up
ip -n hnv-v6-h2 link set h2-web mtu 1430 up
# The kernel peer: PA fd00:60::10 (no duplicate address detection to wait
# for), VXLAN 5001 over IPv6 bridged with the SQL VM.
ip -n hnv-v6-h1 link set h1-up up
ip -n hnv-v6-h1 addr add "$PA1/64" dev h1-up nodad
ip -n hnv-v6-h1 link add vxlan5001 type vxlan id 5001 local "$PA1" dstport 4789
ip -n hnv-v6-h1 link add br5001 type bridge
ip -n hnv-v6-h1 link set br5001 type bridge mcast_snooping 0
ip -n hnv-v6-h1 link set vxlan5001 master br5001 mtu 1430 up
ip -n hnv-v6-h1 link set h1-sql master br5001 mtu 1430 up
ip -n hnv-v6-h1 link set br5001 mtu 1430 up
bridge -n hnv-v6-h1 fdb append 00:00:00:00:00:00 dev vxlan5001 dst "$PA2"
vm_up hnv-v6-sql 02:50:01:00:00:11 10.1.1.11 1430
vm_up hnv-v6-web 02:50:01:00:00:12 10.1.1.12 1430
ok "namespaces up"

# Whole frames, from before dpdk-hnv starts (its first solicitation).
caps_ok=1
start_capture hnv-v6-h1 h1-up "$WORK/underlay.pcap" ip6 || caps_ok=0
check "packet capture started" [ "$caps_ok" -eq 1 ]

cat >"$WORK/policy.json" <<EOF
{
	"version": 1,
	"host": {"name": "hnv-v6-h2", "uplink": "uplink", "pa": ["$PA2/64"],
		"mac": "02:00:00:60:00:20"},
	"ports": [
		{"name": "uplink", "device": "net_af_packet0"},
		{"name": "web", "device": "net_af_packet1"}
	],
	"routing_domains": [{"rdid": 1, "name": "contoso",
		"subnets": [{"vsid": 5001, "prefix": "10.1.1.0/24", "encap": "vxlan"}]}],
	"vm_nics": [{"name": "web", "mac": "02:50:01:00:00:12", "ip": "10.1.1.12",
		"vsid": 5001, "port": "web"}],
	"mappings": [{"vsid": 5001, "ca": "10.1.1.11", "mac": "02:50:01:00:00:11",
		"pa": "$PA1"}]
}
EOF
ip netns exec hnv-v6-h2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 512 --no-pci \
	--file-prefix hnv-vxlan6 --vdev net_af_packet0,iface=h2-up \
	--vdev net_af_packet1,iface=h2-web \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	summary
	exit 1
fi
ok "dpdk-hnv ready"

# ---------------------------------------------------------------- traffic
check "web pings sql (dpdk-hnv -> kernel over IPv6)" ping_ok hnv-v6-web 10.1.1.11
# The kernel learnt host 2's MAC from dpdk-hnv's solicitation; forgotten,
# it must solicit PA fd00:60::20 itself, and dpdk-hnv must advertise it.
ip -n hnv-v6-h1 neigh flush dev h1-up
check "sql pings web (kernel -> dpdk-hnv over IPv6)" ping_ok hnv-v6-sql 10.1.1.12
check "TCP, 1 MB web -> sql, SHA-256 agrees" tcp_hash_ok hnv-v6-sql 10.1.1.11 hnv-v6-web
check "TCP, 1 MB sql -> web, SHA-256 agrees" tcp_hash_ok hnv-v6-web 10.1.1.12 hnv-v6-sql

# ---------------------------------------------------------------- ND
kernel_learnt_pa2() {
	local out
	out=$(ip -n hnv-v6-h1 neigh show "$PA2" dev h1-up)
	grep -q 'lladdr 02:00:00:60:00:20' <<<"$out" && return 0
	echo "    # hnv-v6-h1: neigh $PA2: ${out:-<none>}" >&2
	return 1
}
check "the kernel resolved PA $PA2 to dpdk-hnv's MAC by ND" kernel_learnt_pa2

# ---------------------------------------------------------------- MTU
# IPv6 outer headers cost 70 bytes: on a 1500-byte underlay the VM gets
# 1430. A VM (and its veth) at 1500 sending 1460 bytes with DF is told so.
frag_needed_seen() { # ping -M do of $2 bytes from $1 to $3 is told mtu $4
	local out
	out=$(timeout 20 ip netns exec "$1" ping -n -c 3 -i "$PING_INTERVAL" -W 2 -M do -s "$2" "$3" \
		2>&1 || true)
	grep -Eq "mtu ?= ?$4" <<<"$out" && return 0
	echo "    # $1: ping -M do -s $2 $3: $out" >&2
	return 1
}
ping_size_ok() { # ping_size_ok NS DST SIZE: 3 of 5 answered, with DF
	local out rx
	out=$(timeout 20 ip netns exec "$1" ping -n -c 5 -i "$PING_INTERVAL" -W 2 -M do -s "$3" "$2" \
		2>&1) || true
	rx=$(sed -n 's/.* \([0-9][0-9]*\) \(packets \)\{0,1\}received.*/\1/p' <<<"$out")
	[ "${rx:-0}" -ge 3 ] && return 0
	echo "    # $1: ping -M do -s $3 $2: $out" >&2
	return 1
}
ip -n hnv-v6-h2 link set dev h2-web mtu 1500
ip -n hnv-v6-web link set dev eth0 mtu 1500
check "a 1460-byte ping with DF is answered by fragmentation needed, MTU 1430" \
	frag_needed_seen hnv-v6-web 1432 10.1.1.11 1430
check "1430-byte pings with DF go through (the largest that fits)" \
	ping_size_ok hnv-v6-web 10.1.1.11 1402
stop_captures

# ---------------------------------------------------------------- the wire
# One line per VXLAN frame: outer source, destination, UDP port and VNI.
tshark -r "$WORK/underlay.pcap" -T fields -E separator=' ' -E occurrence=f -e ipv6.src \
	-e ipv6.dst -e udp.dstport -e vxlan.vni 'vxlan' >"$WORK/vxlan.txt" 2>"$WORK/tshark.err" ||
	true
both_ways() {
	[ "$(grep -c "^$PA2 $PA1 " "$WORK/vxlan.txt")" -gt 500 ] &&
		[ "$(grep -c "^$PA1 $PA2 " "$WORK/vxlan.txt")" -gt 500 ]
}
check "VXLAN frames over IPv6 captured both ways ($(wc -l <"$WORK/vxlan.txt"), over 500 each)" \
	both_ways
wire_ok() { awk '$3 != 4789 || $4 != 5001 { bad++ } END { exit bad > 0 }' "$WORK/vxlan.txt"; }
check "every tunnel frame: UDP port 4789, VNI 5001" wire_ok
# Expert warnings about headers (TCP's own sequence analysis aside), with
# UDP checksum validation on: a wrong checksum would be one.
tshark -r "$WORK/underlay.pcap" -o udp.check_checksum:TRUE -q -z expert,warn \
	>"$WORK/expert.txt" 2>&1 || true
header_warnings() {
	awk '/^(Errors|Warns) \(/ { t = 1; next } t && $1 ~ /^[0-9]+$/ && $2 != "Sequence"' \
		"$WORK/expert.txt"
}
check "tshark: no expert warnings or errors about any header (UDP checksums checked)" \
	[ -z "$(header_warnings)" ]
# udp.checksum.status: 0 bad, 1 good, 2 unverified (a frame cut short).
sums() { # sums FILTER: dpdk-hnv's VXLAN frames whose UDP checksum matches
	tshark -r "$WORK/underlay.pcap" -o udp.check_checksum:TRUE \
		-Y "vxlan && ipv6.src == $PA2 && ($1)" 2>/dev/null | wc -l
}
good=$(sums 'udp.checksum.status == 1') || true
notgood=$(sums 'udp.checksum.status != 1') || true
check "dpdk-hnv's UDP checksums: tshark verified $good good, ${notgood:-?} not" \
	test "${good:-0}" -gt 500 -a "${notgood:-1}" -eq 0
nd_count() { # nd_count TYPE TARGET: ND messages of ICMPv6 TYPE from PA2 for TARGET
	tshark -r "$WORK/underlay.pcap" -Y "icmpv6.type == $1 && ipv6.src == $PA2 &&
		(icmpv6.nd.ns.target_address == $2 || icmpv6.nd.na.target_address == $2)" \
		2>/dev/null | wc -l
}
n=$(nd_count 135 "$PA1") || true
check "dpdk-hnv solicited $PA1 from its PA ($n neighbour solicitations)" [ "${n:-0}" -ge 1 ]
n=$(nd_count 136 "$PA2") || true
check "dpdk-hnv advertised $PA2 when the kernel solicited it ($n advertisements)" \
	[ "${n:-0}" -ge 1 ]
first=$(tshark -r "$WORK/underlay.pcap" -Y "vxlan && tcp && ipv6.src == $PA2" -T fields \
	-e frame.number 2>/dev/null | head -n 1) || true
tshark -r "$WORK/underlay.pcap" -V -Y "frame.number == ${first:-0}" >"$WORK/decode.txt" 2>&1 ||
	true
check "tshark decodes IPv6, UDP, VXLAN, inner Ethernet, IPv4 and TCP" \
	bash -c "grep -q 'Internet Protocol Version 6, Src: $PA2, Dst: $PA1' '$WORK/decode.txt' &&
		grep -q 'Virtual eXtensible Local Area Network' '$WORK/decode.txt' &&
		grep -q 'VXLAN Network Identifier (VNI): 5001' '$WORK/decode.txt' &&
		grep -q 'Internet Protocol Version 4, Src: 10.1.1.1[12]' '$WORK/decode.txt' &&
		grep -q 'Transmission Control Protocol' '$WORK/decode.txt'"

# ---------------------------------------------------------------- counters
stop_hnv INT KILL
check "dpdk-hnv exited cleanly on SIGINT" [ "$hnv_rc" = 0 ]
check "port uplink: encapsulated >= 500" counter_ge uplink encapsulated 500
check "port uplink: decapsulated >= 500" counter_ge uplink decapsulated 500
check "port uplink: arp-requests >= 1 (neighbour solicitations)" counter_ge uplink arp-requests 1
check "port web: icmp-sent >= 1 (fragmentation needed)" counter_ge web icmp-sent 1
check "no tunnel drops (bad checksum, header, PA or VNI)" bash -c \
	"! grep -E '^[[:space:]]*drop (tunnel_[a-z_]*|not_our_pa|spoofed_pa|unknown_vni):' \
		'$WORK/hnv.out'"
summary
