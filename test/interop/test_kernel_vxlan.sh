#!/usr/bin/env bash
# test_kernel_vxlan.sh: owns the interop test of dpdk-hnv against the Linux
# kernel VXLAN VTEP (figure 8, R4/R8/R10/R13/R22). It builds the namespace
# topology (scripts/topology.sh), runs dpdk-hnv in hnv-host2 on af_packet
# ports, and checks both tenants' pings in both directions, the ARP proxy,
# tenant isolation and the final counters. Run as root; exits 0 only if every
# check passes; the last line is "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv),
#              HNV_POLICY (default config/figure8-host2.json),
#              HNV_READY_TIMEOUT (seconds, default 30),
#              HNV_KEEP_LOGS=1 keeps the work directory even on success.
# Needs: iproute2, iputils-ping, tcpdump, ethtool, coreutils (timeout).
set -euo pipefail
# Before the cd: $0 may be relative.
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"

HNV_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
# Read by the helpers of test/lib/overlay.sh (see its header).
PY=/usr/bin/python3
SUMMARY_LOGS=()
STOP_POLLS=20
CAPTURE_TIMEOUT=110
PING_INTERVAL=0.5
TELEMETRY_SOCK=/var/run/dpdk/hnv-interop/dpdk_telemetry.v2
COUNTER_FROM=1


trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip bridge ping tcpdump ethtool timeout
need_hnv_inputs

WORK=$(mktemp -d /tmp/hnv-interop.XXXXXX)

# ---------------------------------------------------------------- topology
topology_up

# ---------------------------------------------------------------- dpdk-hnv
# stdbuf keeps stdout line-buffered into the log (readiness line, counters).
ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 \
	--no-pci --file-prefix hnv-interop \
	--vdev net_af_packet0,iface=h2-up \
	--vdev net_af_packet1,iface=h2-cweb \
	--vdev net_af_packet2,iface=h2-fweb \
	-- --policy "$HNV_POLICY" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!

if ! hnv_ready "$WORK/hnv.out" "$WORK/hnv.err"; then
	show_hnv_log
	summary
	exit 1
fi
ok "dpdk-hnv ready"

# ---------------------------------------------------------------- captures
caps_ok=1
start_capture hnv-host1 h1-up "$WORK/underlay.pcap" udp port 4789 || caps_ok=0
start_capture contoso-web eth0 "$WORK/contoso-web.pcap" || caps_ok=0
start_capture fabrikam-web eth0 "$WORK/fabrikam-web.pcap" || caps_ok=0
start_capture contoso-sql eth0 "$WORK/contoso-sql.pcap" || caps_ok=0
start_capture fabrikam-sql eth0 "$WORK/fabrikam-sql.pcap" || caps_ok=0
check "packet captures started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- pings
check "a. contoso-web pings 10.1.1.11 (VSID 5001, web -> sql)" \
	ping_ok contoso-web 10.1.1.11
check "b. fabrikam-web pings 10.1.1.11 (VSID 6001, web -> sql)" \
	ping_ok fabrikam-web 10.1.1.11
check "c. contoso-sql pings 10.1.1.12 (VSID 5001, sql -> web)" \
	ping_ok contoso-sql 10.1.1.12
check "c. fabrikam-sql pings 10.1.1.12 (VSID 6001, sql -> web)" \
	ping_ok fabrikam-sql 10.1.1.12

# ---------------------------------------------------------------- ARP proxy
check "d. contoso-web resolved 10.1.1.11 to 02:50:01:00:00:11" \
	neigh_is contoso-web 10.1.1.11 02:50:01:00:00:11
check "d. fabrikam-web resolved 10.1.1.11 to 02:60:01:00:00:11" \
	neigh_is fabrikam-web 10.1.1.11 02:60:01:00:00:11

# ---------------------------------------------------------------- MTU
# contoso-web with MTU 1500 (and its veth into host 2) on a 1500-byte
# underlay: what it sends beyond
# 1450 bytes does not fit once encapsulated. Without DF dpdk-hnv fragments
# it and contoso-sql's kernel reassembles it (the echo replies come back);
# with DF contoso-web's kernel is told "fragmentation needed, MTU 1450" and
# records the path MTU, after which 1450-byte packets go through.
pmtu_recorded() { # the route to $2 in namespace $1 carries mtu $3
	local out
	out=$(ip -n "$1" route get "$2" 2>&1 || true)
	if grep -q "mtu $3" <<<"$out"; then
		return 0
	fi
	echo "    # $1: ip route get $2: $out" >&2
	return 1
}
frag_needed_seen() { # ping -M do of $2 bytes from $1 to $3 is told mtu $4
	local out
	out=$(timeout 20 ip netns exec "$1" ping -n -c 3 -i "$PING_INTERVAL" -W 2 -M do -s "$2" "$3" 2>&1 ||
		true)
	if grep -Eq "mtu ?= ?$4" <<<"$out"; then
		return 0
	fi
	echo "    # $1: ping -M do -s $2 $3: $out" >&2
	return 1
}
ping_size_ok() { # ping_size_ok NS DST SIZE PMTUDISC: 3 of 5 answered
	local out rx
	out=$(timeout 20 ip netns exec "$1" ping -n -c 5 -i "$PING_INTERVAL" -W 2 -M "$4" -s "$3" "$2" 2>&1) ||
		true
	rx=$(sed -n 's/.* \([0-9][0-9]*\) \(packets \)\{0,1\}received.*/\1/p' <<<"$out")
	[ "${rx:-0}" -ge 3 ] && return 0
	echo "    # $1: ping -M $4 -s $3 $2: $out" >&2
	return 1
}
ip -n hnv-host2 link set dev h2-cweb mtu 1500
ip -n contoso-web link set dev eth0 mtu 1500
check "h. contoso-web (MTU 1500): 1600-byte pings without DF, fragmented by dpdk-hnv, are answered" \
	ping_size_ok contoso-web 10.1.1.11 1572 dont
check "h. contoso-web: a 1500-byte ping with DF is answered by fragmentation needed, MTU 1450" \
	frag_needed_seen contoso-web 1472 10.1.1.11 1450
check "h. contoso-web recorded the path MTU 1450 to 10.1.1.11" \
	pmtu_recorded contoso-web 10.1.1.11 1450
check "h. contoso-web: 1450-byte pings with DF go through" \
	ping_size_ok contoso-web 10.1.1.11 1422 do
ip -n contoso-web link set dev eth0 mtu 1450
ip -n hnv-host2 link set dev h2-cweb mtu 1450

stop_captures
read_capture "$WORK/underlay.pcap" >"$WORK/underlay.txt"
for vm in contoso-web fabrikam-web contoso-sql fabrikam-sql; do
	read_capture "$WORK/$vm.pcap" >"$WORK/$vm.txt"
done

# The web VMs' ARP requests must be answered on host 2 and never be
# encapsulated (arp_stayed_local: the capture must have seen VXLAN traffic).
check "d. no ARP request from 10.1.1.12 crossed the overlay (answered by dpdk-hnv)" \
	arp_stayed_local 10.1.1.12

# ---------------------------------------------------------------- isolation
check "e. fabrikam-web never saw a Contoso MAC (02:50:01:*)" \
	never_sees fabrikam-web '02:50:01:' Contoso
check "e. contoso-web never saw a Fabrikam MAC (02:60:01:*)" \
	never_sees contoso-web '02:60:01:' Fabrikam
check "e. fabrikam-sql never saw a Contoso MAC (02:50:01:*)" \
	never_sees fabrikam-sql '02:50:01:' Contoso
check "e. contoso-sql never saw a Fabrikam MAC (02:60:01:*)" \
	never_sees contoso-sql '02:60:01:' Fabrikam

# ---------------------------------------------------------------- telemetry
# The same counters, live, over DPDK telemetry (app/telemetry.c).
tel_cmp() { # tel_cmp COMMAND FIELD OP VALUE: OP is test(1)'s -ge, -eq, ...
	local v
	v=$(telemetry "$1" | "$PY" -c "import json,sys; print(json.load(sys.stdin)['$2'])") ||
		return 1
	test "$v" "$3" "$4" || { echo "    # $1 $2 = $v, want $3 $4"; return 1; }
}
check "g. telemetry: /hnv/port,contoso-web rx_packets > 0" tel_cmp /hnv/port,contoso-web rx_packets -ge 1
check "g. telemetry: /hnv/uft hits > 0 (the pings took the fast path)" tel_cmp /hnv/uft hits -ge 1
check "g. telemetry: /hnv/policy underlay_mtu = 1500, vxlan_port = 4789" \
	eval 'tel_cmp /hnv/policy underlay_mtu -eq 1500 && tel_cmp /hnv/policy vxlan_port -eq 4789'
# Host 1 sends only its tenants' frames (its bridges do not snoop, see
# topology.sh), so anti-spoofing must refuse none: a refusal is a false positive.
check "g. telemetry: /hnv/drops spoofed_pa = 0 (host 1 sends only tenant frames)" tel_cmp /hnv/drops spoofed_pa -eq 0

# ---------------------------------------------------------------- counters
stop_hnv INT TERM

if [ "$hnv_rc" = 0 ]; then
	ok "f. dpdk-hnv exited 0 on SIGINT"
else
	not_ok "f. dpdk-hnv exited 0 on SIGINT (got: $hnv_rc)"
	show_hnv_log
fi

echo "    # final counters:"
grep -E '^[[:space:]]*(port [^ ]+:|drop )' "$WORK/hnv.out" | tail -n 12 | indent || true

check "f. port contoso-web: arp-replies >= 1" counter_ge contoso-web arp-replies 1
check "f. port fabrikam-web: arp-replies >= 1" counter_ge fabrikam-web arp-replies 1
check "f. port uplink: rx-packets > 0" counter_ge uplink rx-packets 1
check "h. port contoso-web: fragmented >= 3 (the pings without DF)" \
	counter_ge contoso-web fragmented 3
check "h. port contoso-web: icmp-sent >= 1 (fragmentation needed)" \
	counter_ge contoso-web icmp-sent 1

summary
[ "$FAIL" -eq 0 ]
