#!/usr/bin/env bash
# vhost_bench.sh: owns the benchmark of the VM side of dpdk-hnv: frames a
# virtio-user "VM" sends over vhost-user, encapsulated (VXLAN) out of a
# net_null uplink, in Mpps per worker, next to dpdk-testpmd io forwarding
# between the same kind of vhost-user port and a net_null port, and next to
# OVS-DPDK doing the same encapsulation. A program, not a test: it never
# fails on a number.
#
#   test/bench/vhost_bench.sh [--seconds S] [--rounds R] [--no-huge] [--no-ovs] [DPDK_HNV]
#
# The VM is dpdk-testpmd txonly on net_virtio_user0 (one forwarding core),
# sending UDP from a Contoso CA to a remote CA, 64 and 1464 bytes. Each
# contender gets one forwarding core (dpdk-hnv: one worker; testpmd io: one
# core; OVS-DPDK: one PMD thread): on this 2-core machine the VM's core
# (CPU 0) and the contender's core (CPU 1) are the two CPUs, and the main
# lcores mostly sleep. Rounds alternate between the contenders; the figures
# are the medians and ranges of the rounds. The VM's own rate is printed
# too: when a contender reaches it, the VM is the limit, not the contender.
# Hugepages (1024 x 2 MB) are reserved and mounted unless --no-huge.
#
# OVS-DPDK is Debian's openvswitch-switch-dpdk (its ovs-vswitchd-dpdk is
# run by path, HNV_OVS_VSWITCHD overrides it; the system's alternative and
# services are not touched), with ovsdb-server and ovs-vswitchd of its own
# in the run's directory and ovs-vswitchd in a network namespace of its
# own: br0 (netdev) with a dpdkvhostuserclient port (the VM's virtio-user
# is the server) and a vxlan port (VNI 5001 to 192.168.1.10), the one rule
# in_port=vm,actions=output:vxlan0 (HNV_OVS_FLOW overrides it, e.g.
# "actions=NORMAL"), and br-phy (netdev,
# 192.168.2.20/24, route and ARP entry set by ovs-appctl) with a dpdk port
# on net_null. Its figure counts only if its datapath flow does tnl_push.
# It is skipped with --no-ovs, --no-huge (OVS-DPDK needs hugepages), or
# when ovs-vswitchd-dpdk is missing or does not start. Run as root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_PER=5
ROUNDS=3
HUGE=1
OVS=1
HNV=$ROOT/build/app/dpdk-hnv
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--no-huge) HUGE=0; shift ;;
	--no-ovs) OVS=0; shift ;;
	-h | --help) sed -n '2,32p' "$0"; exit 0 ;;
	*) HNV=$1; shift ;;
	esac
done
TESTPMD=${HNV_TESTPMD:-/usr/bin/dpdk-testpmd}
PY=/usr/bin/python3
OVS_VSWITCHD=${HNV_OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_FLOW=${HNV_OVS_FLOW:-in_port=vm,actions=output:vxlan0}
WORK=$(mktemp -d /tmp/hnv-vbench.XXXXXX)
FP=hnv-vbench-$$
# OVS's database, sockets, pid files and logs: nothing system-wide.
OVSRUN=$WORK/ovs
export OVS_RUNDIR=$OVSRUN OVS_DBDIR=$OVSRUN OVS_LOGDIR=$OVSRUN
# The runs start their processes in subshells: cleanup finds them by this
# run's EAL file prefix, OVS's by their pid files.
cleanup() {
	local f
	pkill -INT -f -- "--file-prefix $FP-" 2>/dev/null || true
	for f in "$OVSRUN"/ovs-vswitchd.pid "$OVSRUN"/ovsdb-server.pid; do
		if [ -s "$f" ]; then kill "$(cat "$f")" 2>/dev/null || true; fi
	done
	sleep 1
	pkill -KILL -f -- "--file-prefix $FP-" 2>/dev/null || true
	for f in "$OVSRUN"/ovs-vswitchd.pid "$OVSRUN"/ovsdb-server.pid; do
		if [ -s "$f" ]; then kill -KILL "$(cat "$f")" 2>/dev/null || true; fi
	done
	wait 2>/dev/null || true
	rm -rf "$WORK" /var/run/dpdk/"$FP"-* /dev/hugepages/"$FP"-*
}
trap cleanup EXIT
[ -z "${HNV_BENCH_KEEP:-}" ] || trap - EXIT

if [ "$HUGE" -eq 1 ]; then
	[ "$(cat /proc/sys/vm/nr_hugepages)" -ge 1024 ] || echo 1024 >/proc/sys/vm/nr_hugepages
	mkdir -p /dev/hugepages
	mount | grep -q 'hugetlbfs' || mount -t hugetlbfs nodev /dev/hugepages
	# virtio-user shares its memory with the vhost side by file descriptor:
	# one file for all segments, or it runs out of memory regions.
	MEM=(--socket-mem 512 --single-file-segments)
else
	MEM=(--no-huge -m 1024)
fi

VM_MAC=02:50:01:00:00:12
VM_IP=10.1.1.12
REMOTE_IP=10.1.1.11
REMOTE_MAC=02:50:01:00:00:11
"$PY" - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
pol = {"version": 1,
       "host": {"name": "bench", "uplink": "uplink", "pa": ["192.168.2.20/24"],
                "gateway": "192.168.2.1", "gateway_mac": "02:00:00:02:00:01",
                "mac": "02:00:00:00:02:20"},
       "ports": [{"name": "uplink", "device": "net_null0"},
                 {"name": "vm", "vhost_user": {"socket": w + "/vm.sock", "queues": 1}}],
       "routing_domains": [{"rdid": 1, "name": "contoso", "subnets": [
           {"vsid": 5001, "prefix": "10.1.1.0/24", "encap": "vxlan"}]}],
       "vm_nics": [{"name": "vm", "port": "vm", "vsid": 5001,
                    "mac": "02:50:01:00:00:12", "ip": "10.1.1.12"}],
       "mappings": [{"vsid": 5001, "ca": "10.1.1.11", "mac": "02:50:01:00:00:11",
                     "pa": "192.168.1.10"}]}
json.dump(pol, open(w + "/policy.json", "w"), indent=1)
PY

mkfifo "$WORK/stdin"
exec 3<>"$WORK/stdin"
# tel SOCK CMD FIELD: one telemetry value.
tel() {
	"$PY" - "$1" "$2" "$3" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1]); s.recv(1024)
s.send(sys.argv[2].encode())
print(list(json.loads(s.recv(65536)).values())[0][sys.argv[3]])
PY
}
# wait_for FILE PATTERN: up to 30 s.
wait_for() {
	local deadline=$((SECONDS + 30))
	until grep -qs "$2" "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "timeout waiting for '$2' in $1" >&2; tail "$1" >&2; exit 1; }
		sleep 0.1
	done
}
# start_vm SIZE [SOCKET]: the sending VM; sets VM_PID. SOCKET is the
# virtio-user's path (and mode): the contender's server socket by default.
start_vm() {
	stdbuf -oL -eL "$TESTPMD" -l 0-1 --main-lcore 1 --no-pci "${MEM[@]}" --file-prefix "$FP-vm" \
		--vdev "net_virtio_user0,${2:-path=$WORK/vm.sock},queues=1,mac=$VM_MAC" \
		-- --forward-mode=txonly --auto-start --disable-link-check --nb-cores=1 \
		--tx-ip="$VM_IP,$REMOTE_IP" --eth-peer="0,$REMOTE_MAC" --txpkts="$1" \
		--total-num-mbufs=8192 <&3 >"$WORK/vm.out" 2>&1 &
	VM_PID=$!
}
# stop PID PREFIX: stop a DPDK process and free its hugepages (with
# --single-file-segments EAL leaves its page files behind).
stop() {
	kill -INT "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	rm -f /dev/hugepages/"$2"map_*
}
# rates SOCK IN_CMD IN_FIELD OUT_CMD OUT_FIELD: "IN OUT", packets per
# second of two counters (what came from the VM, what went out) over
# SECONDS_PER.
rates() {
	local a b c d
	a=$(tel "$1" "$2" "$3")
	c=$(tel "$1" "$4" "$5")
	sleep "$SECONDS_PER"
	b=$(tel "$1" "$2" "$3")
	d=$(tel "$1" "$4" "$5")
	echo "$(((b - a) / SECONDS_PER)) $(((d - c) / SECONDS_PER))"
}
# run_hnv SIZE: "OUT_PPS IN_PPS" of dpdk-hnv (encapsulated out of the
# uplink; received from the VM).
run_hnv() {
	"$HNV" -l 0-1 --no-pci "${MEM[@]}" --file-prefix "$FP-hnv" --vdev net_null0,no-rx=1 \
		-- --policy "$WORK/policy.json" --flows 65536 >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
	local hpid=$! r v
	wait_for "$WORK/hnv.out" 'dpdk-hnv: forwarding'
	start_vm "$1"
	wait_for "$WORK/hnv.out" 'guest connected'
	sleep 1
	local hs=/var/run/dpdk/$FP-hnv/dpdk_telemetry.v2
	read -r v r < <(rates "$hs" /hnv/port,vm rx_packets /hnv/port,uplink encapsulated)
	stop "$VM_PID" "$FP-vm"
	stop "$hpid" "$FP-hnv"
	echo "$r $v"
}
# run_testpmd SIZE: "OUT_PPS IN_PPS" of testpmd io from net_vhost0 to
# net_null0.
run_testpmd() {
	stdbuf -oL -eL "$TESTPMD" -l 0-1 --no-pci "${MEM[@]}" --file-prefix "$FP-io" \
		--vdev "net_vhost0,iface=$WORK/vm.sock,queues=1" --vdev net_null0,no-rx=1 \
		-- --forward-mode=io --auto-start --disable-link-check --nb-cores=1 \
		--total-num-mbufs=16384 <&3 >"$WORK/io.out" 2>&1 &
	local ipid=$! r v
	wait_for "$WORK/io.out" 'Press enter to exit'
	start_vm "$1"
	sleep 2
	read -r v r < <(rates "/var/run/dpdk/$FP-io/dpdk_telemetry.v2" /ethdev/stats,0 ipackets \
		/ethdev/stats,1 opackets)
	stop "$VM_PID" "$FP-vm"
	stop "$ipid" "$FP-io"
	echo "$r $v"
}

# OVS-DPDK. ovs_setup: the database and ovsdb-server, once; ovs-vswitchd
# runs per round (its PMD thread would otherwise poll CPU 1 during the
# other contenders' rounds).
ovsctl() { ovs-vsctl --db="unix:$OVSRUN/db.sock" --timeout=20 "$@"; }
ovsapp() { ovs-appctl -t "$OVSRUN/ovs-vswitchd.ctl" --timeout=20 "$@"; }
ovs_setup() {
	mkdir -p "$OVSRUN"
	ovsdb-tool create "$OVSRUN/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
		ovsdb-server "$OVSRUN/conf.db" --remote="punix:$OVSRUN/db.sock" \
			--pidfile="$OVSRUN/ovsdb-server.pid" --unixctl="$OVSRUN/ovsdb-server.ctl" \
			--log-file="$OVSRUN/ovsdb-server.log" --detach &&
		ovsctl --no-wait init &&
		ovsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			other_config:dpdk-socket-mem=512 other_config:dpdk-lcore-mask=0x1 \
			other_config:pmd-cpu-mask=0x2 \
			"other_config:dpdk-extra=--no-pci --file-prefix $FP-ovs" &&
		ovsctl --no-wait add-br br0 -- set bridge br0 datapath_type=netdev \
			-- add-port br0 vm -- set interface vm type=dpdkvhostuserclient \
			"options:vhost-server-path=$WORK/ovs-vm.sock" \
			-- add-port br0 vxlan0 -- set interface vxlan0 type=vxlan \
			options:remote_ip=192.168.1.10 options:key=5001 options:local_ip=192.168.2.20 \
			-- add-br br-phy -- set bridge br-phy datapath_type=netdev \
			-- add-port br-phy phy0 -- set interface phy0 type=dpdk \
			"options:dpdk-devargs=net_null0,no-rx=1"
}
# ovs_start: ovs-vswitchd in a network namespace of its own (its bridges'
# tap devices and br-phy's address go away with it), configured for the
# encapsulation; sets OVS_PID. Fails if it does not come up in 30 s.
ovs_start() {
	unshare -n -- "$OVS_VSWITCHD" "unix:$OVSRUN/db.sock" --pidfile="$OVSRUN/ovs-vswitchd.pid" \
		--unixctl="$OVSRUN/ovs-vswitchd.ctl" --log-file="$OVSRUN/ovs-vswitchd.log" \
		</dev/null >>"$OVSRUN/ovs-vswitchd.out" 2>&1 &
	OVS_PID=$!
	local deadline=$((SECONDS + 30))
	until ovsapp dpctl/show 2>/dev/null | grep -q ' phy0 '; do
		kill -0 "$OVS_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	# The kernel side of br-phy: the tunnel's source address (no IPv6
	# chatter out of phy0).
	nsenter --net="/proc/$OVS_PID/ns/net" sh -c 'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
		ip addr add 192.168.2.20/24 dev br-phy && ip link set br-phy up' &&
		ovsapp ovs/route/add 192.168.1.10/32 br-phy 192.168.2.1 >/dev/null &&
		ovsapp tnl/arp/set br-phy 192.168.2.1 02:00:00:02:00:01 >/dev/null &&
		ovs-ofctl del-flows br0 && ovs-ofctl add-flow br0 "$OVS_FLOW"
}
ovs_stop() {
	kill "$OVS_PID" 2>/dev/null || true
	wait "$OVS_PID" 2>/dev/null || true
	rm -f /dev/hugepages/"$FP"-ovsmap_* "$OVSRUN/ovs-vswitchd.pid"
}
# ovs_counts: "VM_RX PHY0_TX", live from the datapath (the
# database's statistics are refreshed only every 5 s).
ovs_counts() {
	ovsapp dpctl/show -s | awk '
		/^  port [0-9]+: / { p = $3 }
		p == "vm" && /RX packets:/ { split($2, a, ":"); v = a[2] }
		p == "phy0" && /TX packets:/ { split($2, a, ":"); t = a[2] }
		END { print v + 0, t + 0 }'
}
# run_ovs SIZE: "OUT_PPS IN_PPS" of OVS-DPDK (out of phy0; received from
# the VM), or "- -" if it did not run or did not encapsulate.
run_ovs() {
	if ! ovs_start >&2; then
		echo "OVS-DPDK did not start; its log:" >&2
		tail -5 "$OVSRUN/ovs-vswitchd.log" >&2
		ovs_stop
		echo "- -"
		return
	fi
	rm -f "$WORK/ovs-vm.sock"
	start_vm "$1" "path=$WORK/ovs-vm.sock,server=1"
	local deadline=$((SECONDS + 30)) a b c d z
	until [ "$(ovs_counts | cut -d' ' -f2)" -gt 0 ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "OVS-DPDK: nothing out of phy0 in 30 s" >&2
			stop "$VM_PID" "$FP-vm"
			ovs_stop
			echo "- -"
			return
		fi
		sleep 0.2
	done
	sleep 1
	read -r a c < <(ovs_counts)
	sleep "$SECONDS_PER"
	read -r b d < <(ovs_counts)
	# Encapsulated or it does not count: the datapath flow pushes the
	# VXLAN header (VNI 5001 to 192.168.1.10) before phy0 (net_null counts
	# no bytes to check the frames' size by).
	z=$(ovsapp dpctl/dump-flows | grep 'tnl_push(tnl_port' | grep 'header(size=50,type=4,' |
		grep 'dst=192.168.1.10' | grep -c 'vni=0x1389' || true)
	stop "$VM_PID" "$FP-vm"
	ovs_stop
	if [ "$d" -le "$c" ]; then
		echo "OVS-DPDK: nothing out of phy0 during the round" >&2
		echo "- -"
		return
	fi
	if [ "$z" -eq 0 ]; then
		echo "OVS-DPDK: no VXLAN tnl_push in its datapath flows; not counted" >&2
		echo "- -"
		return
	fi
	echo "$(((d - c) / SECONDS_PER)) $(((b - a) / SECONDS_PER))"
}

median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { tr ' ' '\n' | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo/1e6, hi/1e6}'; }
mpps() { awk -v v="$1" 'BEGIN {printf "%.2f", v/1e6}'; }

# OVS-DPDK: set up once; one start and stop of ovs-vswitchd shows that it
# runs at all.
OVS_VER=
if [ "$OVS" -eq 1 ]; then
	mkdir -p "$OVSRUN"
	why=
	if [ "$HUGE" -eq 0 ]; then
		why="it needs hugepages (--no-huge)"
	elif [ ! -x "$OVS_VSWITCHD" ] || ! command -v ovsdb-server >/dev/null; then
		why="$OVS_VSWITCHD not found (apt-get install openvswitch-switch-dpdk)"
	elif ! ovs_setup >"$OVSRUN/setup.log" 2>&1; then
		why="its database could not be set up: $(tail -1 "$OVSRUN/setup.log")"
	elif ! ovs_start >>"$OVSRUN/setup.log" 2>&1; then
		why="ovs-vswitchd did not start: $(cat "$OVSRUN"/ovs-vswitchd.log "$OVSRUN"/ovs-vswitchd.out \
			2>/dev/null | grep -m1 -E 'ERR|EMER|rror' || echo "it exited or was not up in 30 s")"
	fi
	[ -z "${OVS_PID:-}" ] || ovs_stop
	if [ -n "$why" ]; then
		echo "# OVS-DPDK skipped: $why" >&2
		OVS=0
	else
		OVS_VER="OVS $("$OVS_VSWITCHD" --version | sed -n '1s/.* //p') ($(dpkg-query -W -f '${Version}' openvswitch-switch-dpdk 2>/dev/null || echo '?')), "
	fi
fi

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), DPDK $(dpkg-query -W -f '${Version}' dpdk-dev 2>/dev/null || echo '?'), $OVS_VER$( [ "$HUGE" -eq 1 ] && echo hugepages || echo '4 KB pages'), $ROUNDS rounds of ${SECONDS_PER} s"
row() { printf '%-6s %-34s %-8s %-12s %-14s %-14s %s\n' "$@"; }
# ratio A B: A/B, or "-" without a B.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0 && a != "") printf "%.2f", a/b; else print "-"}'; }
row size contender Mpps range "from the VM" "vs testpmd io" "vs OVS-DPDK"
# 1464 bytes: the largest frame of a VM with the overlay MTU of 1450 (a
# 1500-byte frame does not fit the uplink's MTU once encapsulated).
for size in 64 1464; do
	H=() I=() O=() HV=() IV=() OV=()
	for _ in $(seq "$ROUNDS"); do
		read -r h hv < <(run_hnv "$size")
		H+=("$h")
		HV+=("$hv")
		read -r i iv < <(run_testpmd "$size")
		I+=("$i")
		IV+=("$iv")
		if [ "$OVS" -eq 1 ]; then
			read -r o ov < <(run_ovs "$size")
			# A failed round ("-") is left out of the median.
			[ "$o" = - ] || { O+=("$o"); OV+=("$ov"); }
		fi
	done
	hm=$(echo "${H[*]}" | median)
	im=$(echo "${I[*]}" | median)
	om=
	[ ${#O[@]} -eq 0 ] || om=$(echo "${O[*]}" | median)
	row "$size" "testpmd io (vhost -> net_null)" "$(mpps "$im")" "$(echo "${I[*]}" | range)" \
		"$(mpps "$(echo "${IV[*]}" | median)")" "1.00" "$(ratio "$im" "$om")"
	row "$size" "dpdk-hnv (vhost -> VXLAN encap)" "$(mpps "$hm")" "$(echo "${H[*]}" | range)" \
		"$(mpps "$(echo "${HV[*]}" | median)")" "$(ratio "$hm" "$im")" "$(ratio "$hm" "$om")"
	if [ -n "$om" ]; then
		n=""
		[ ${#O[@]} -eq "$ROUNDS" ] || n=" (${#O[@]} of $ROUNDS rounds)"
		row "$size" "OVS-DPDK (vhost -> VXLAN encap)$n" "$(mpps "$om")" "$(echo "${O[*]}" | range)" \
			"$(mpps "$(echo "${OV[*]}" | median)")" "$(ratio "$om" "$im")" "1.00"
	elif [ "$OVS" -eq 1 ]; then
		row "$size" "OVS-DPDK (vhost -> VXLAN encap)" - "no round ran" - - -
	fi
done
