#!/usr/bin/env bash
# test_team_failover.sh: owns the interop test of a NIC team (two uplinks, a
# PA each) against the Linux kernel VXLAN peer: flows are spread over both
# members, and when one member's link goes down they move to the other
# within a second and come back when it returns, while the pings of eight
# flows go on.
#
#   hnv-tf-web 10.1.1.12                       hnv-tf-sql 10.1.1.11
#     | eth0                                     | eth0
#   hnv-tf-h2: dpdk-hnv                        hnv-tf-h1: kernel VXLAN 5001,
#     h2-web (VM port, af_packet)                PA 192.168.60.10 on h1-up
#     tf-up0 (net_tap) PA 192.168.60.20 --+      |
#     tf-up1 (net_tap) PA 192.168.60.21 --+-- br0 -- h2-peer
#
# The uplinks are net_tap ports: the tap PMD reports its interface's state
# as the link, so `ip link set tf-up1 down` cuts uplink2 (net_af_packet
# reports every link up, whatever the interface's carrier).
#
# Checks: eight UDP flows web -> sql and back (an echo server); tunnel
# frames from both PAs before the failure; tf-up1 down for 3 s (uplink2's
# link goes down): no frame from PA .21 reaches the peer
# from a second after it until it is up again, .20 carries every flow,
# frames from .21 again within 2 s of its return, every flow keeps going
# (120 of its 140 datagrams answered); the counters of both uplinks. Run as root; the last line is "N passed, M
# failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv), HNV_READY_TIMEOUT
# (seconds, default 30), HNV_KEEP_LOGS=1 keeps the work directory.
# Needs: iproute2 (ip, bridge), ping, tcpdump, ethtool, python3.
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
CAPTURE_TIMEOUT=60
PING_INTERVAL=0.5
COUNTER_FROM=1
CLEANUP_EXTRA=teardown
NS=(hnv-tf-h1 hnv-tf-h2 hnv-tf-web hnv-tf-sql)

teardown() { ns_del "${NS[@]}"; }

trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump ethtool timeout
[ -x "$HNV_BIN" ] || bail "dpdk-hnv binary '$HNV_BIN' not found or not executable"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")
WORK=$(mktemp -d /tmp/hnv-team.XXXXXX)

# ---------------------------------------------------------------- topology
teardown
ns_add "${NS[@]}"
for n in "${NS[@]}"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n hnv-tf-h2 link add br0 type bridge
ip link add h2-peer netns hnv-tf-h2 type veth peer name h1-up netns hnv-tf-h1
ip -n hnv-tf-h2 link set h2-peer master br0 up
ip -n hnv-tf-h2 link set br0 up
ip link add h2-web netns hnv-tf-h2 type veth peer name eth0 netns hnv-tf-web
ip link add h1-sql netns hnv-tf-h1 type veth peer name eth0 netns hnv-tf-sql
ip -n hnv-tf-h2 link set h2-web up
# The kernel peer: PA on h1-up, VXLAN 5001 bridged with the SQL VM.
ip -n hnv-tf-h1 addr add 192.168.60.10/24 dev h1-up
ip -n hnv-tf-h1 link set h1-up up
ip -n hnv-tf-h1 link add vxlan5001 type vxlan id 5001 local 192.168.60.10 dstport 4789
ip -n hnv-tf-h1 link add br5001 type bridge
ip -n hnv-tf-h1 link set vxlan5001 master br5001 mtu 1450 up
ip -n hnv-tf-h1 link set h1-sql master br5001 mtu 1450 up
ip -n hnv-tf-h1 link set br5001 up
bridge -n hnv-tf-h1 fdb append 00:00:00:00:00:00 dev vxlan5001 dst 192.168.60.20
vm_up hnv-tf-sql 02:50:01:00:00:11 10.1.1.11 1450
vm_up hnv-tf-web 02:50:01:00:00:12 10.1.1.12 1450
ok "namespaces up"

cat >"$WORK/policy.json" <<'EOF'
{
	"version": 1,
	"host": {"name": "hnv-tf-h2", "uplink": ["uplink", "uplink2"],
		"pa": ["192.168.60.20/24", "192.168.60.21/24"],
		"mac": ["02:00:00:60:00:20", "02:00:00:60:00:21"]},
	"ports": [
		{"name": "uplink", "device": "net_tap0"},
		{"name": "uplink2", "device": "net_tap1"},
		{"name": "web", "device": "net_af_packet0"}
	],
	"routing_domains": [{"rdid": 1, "name": "contoso",
		"subnets": [{"vsid": 5001, "prefix": "10.1.1.0/24"}]}],
	"vm_nics": [{"name": "web", "mac": "02:50:01:00:00:12", "ip": "10.1.1.12", "vsid": 5001,
		"port": "web"}],
	"mappings": [{"vsid": 5001, "ca": "10.1.1.11", "mac": "02:50:01:00:00:11",
		"pa": "192.168.60.10"}]
}
EOF
ip netns exec hnv-tf-h2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix hnv-team --vdev net_tap0,iface=tf-up0 \
	--vdev net_tap1,iface=tf-up1 --vdev net_af_packet0,iface=h2-web \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	summary
	exit 1
fi
ok "dpdk-hnv ready"
# The taps dpdk-hnv made, into the bridge towards the peer. The tap PMD
# gives its interface the port's MAC, which a bridge would take for its
# own and never forward: the interfaces get MACs of their own first.
i=0
for l in tf-up0 tf-up1; do
	ip -n hnv-tf-h2 link set "$l" address "02:00:00:60:ff:0$i"
	ip -n hnv-tf-h2 link set "$l" master br0 up
	i=$((i + 1))
done
check "web pings sql through the team" ping_ok hnv-tf-web 10.1.1.11

# ---------------------------------------------------------------- failover
# The peer's side of the wire, with the time of each frame.
start_capture hnv-tf-h2 h2-peer "$WORK/peer.pcap" udp port 4789
# Eight UDP flows (source ports 7000..7007) to an echo server on the SQL
# VM, one datagram each every 0.1 s for 14 s: the flows' entropies spread
# them over both members (pings would not: ICMP has no ports to hash).
ip netns exec hnv-tf-sql timeout 40 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.1.1.11", 9000))
print("listening", flush=True)
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
' >"$WORK/echo.txt" 2>&1 &
ECHO_PID=$!
for _ in $(seq 1 50); do
	grep -qs listening "$WORK/echo.txt" && break
	sleep 0.1
done
ip netns exec hnv-tf-web timeout 40 "$PY" -c '
import select, socket, time
socks = []
for i in range(8):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.1.1.12", 7000 + i))
    s.connect(("10.1.1.11", 9000))
    socks.append(s)
got = [0] * 8
for n in range(140):
    for s in socks:
        s.send(b"%d" % n)
    end = time.time() + 0.1
    while True:
        left = end - time.time()
        if left <= 0:
            break
        for s in select.select(socks, [], [], left)[0]:
            s.recv(64)
            got[socks.index(s)] += 1
print(" ".join(str(g) for g in got))
' >"$WORK/flows.txt" 2>&1 &
FLOWS_PID=$!
T0=$(date +%s.%N)
sleep 4
T_DOWN=$(date +%s.%N)
ip -n hnv-tf-h2 link set tf-up1 down
sleep 3
T_UP=$(date +%s.%N)
ip -n hnv-tf-h2 link set tf-up1 up
wait "$FLOWS_PID" || true
stop_pid "$ECHO_PID" TERM
stop_captures

# Seconds after T0 of each frame from PA @1, one per line.
from_pa() {
	tcpdump -r "$WORK/peer.pcap" -nn -tt "src host $1" 2>/dev/null |
		awk -v t0="$T0" '{ printf "%.3f\n", $1 - t0 }'
}
from_pa 192.168.60.20 >"$WORK/pa20.txt"
from_pa 192.168.60.21 >"$WORK/pa21.txt"
down=$(awk -v a="$T_DOWN" -v b="$T0" 'BEGIN { printf "%.3f", a - b }')
up=$(awk -v a="$T_UP" -v b="$T0" 'BEGIN { printf "%.3f", a - b }')
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
# count_in FILE FROM TO: frames in [FROM, TO) seconds.
count_in() { awk -v a="$2" -v b="$3" '$1 >= a && $1 < b' "$1" | wc -l; }
n20=$(count_in "$WORK/pa20.txt" 0 "$down")
n21=$(count_in "$WORK/pa21.txt" 0 "$down")
both() { [ "$n20" -gt 20 ] && [ "$n21" -gt 20 ]; }
check "before the failure both PAs carry flows (.20: $n20, .21: $n21 frames)" both
n21=$(count_in "$WORK/pa21.txt" "$(plus "$down" 1)" "$up")
check "from a second after uplink2 went down until it returned: nothing from .21 ($n21)" \
	[ "$n21" -eq 0 ]
n20=$(count_in "$WORK/pa20.txt" "$(plus "$down" 1)" "$up")
check "meanwhile .20 carries every flow ($n20 frames, 8 flows x 10 a second)" [ "$n20" -gt 120 ]
n21=$(count_in "$WORK/pa21.txt" "$up" "$(plus "$up" 2)")
check "within 2 s of uplink2's return, .21 carries flows again ($n21 frames)" [ "$n21" -gt 20 ]
flows_ok() {
	local g
	[ "$(wc -w <"$WORK/flows.txt")" -eq 8 ] || return 1
	for g in $(<"$WORK/flows.txt"); do
		[ "$g" -ge 120 ] || return 1
	done
}
check "each of the 8 flows got back 120 or more of its 140 datagrams ($(cat "$WORK/flows.txt"))" \
	flows_ok

stop_hnv INT KILL
check "dpdk-hnv exited cleanly on SIGINT" [ "$hnv_rc" = 0 ]
check "port uplink: encapsulated > 0" counter_ge uplink encapsulated 1
check "port uplink2: encapsulated > 0" counter_ge uplink2 encapsulated 1
summary
