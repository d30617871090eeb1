#!/usr/bin/env bash
# vhost_bench.sh: owns the benchmark of the VM side of dpdk-hnv: frames a
# virtio-user "VM" sends over vhost-user, encapsulated (VXLAN) out of a
# net_null uplink, in Mpps per worker, next to dpdk-testpmd io forwarding
# between the same kind of vhost-user port and a net_null port. A program,
# not a test: it never fails on a number.
#
#   test/bench/vhost_bench.sh [--seconds S] [--rounds R] [--no-huge] [DPDK_HNV]
#
# The VM is dpdk-testpmd txonly on net_virtio_user0 (one forwarding core),
# sending UDP from a Contoso CA to a remote CA, 64 and 1464 bytes. Each
# contender gets one forwarding core (dpdk-hnv: one worker; testpmd io: one
# core): on this 2-core machine the VM's core and the contender's core are
# the two CPUs, and the main lcores mostly sleep. Rounds alternate between
# the contenders; the figures are the medians and ranges of the rounds. The
# VM's own rate is printed too: when a contender reaches it, the VM is the
# limit, not the contender. Hugepages (1024 x 2 MB) are reserved and
# mounted unless --no-huge. Run as root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_PER=5
ROUNDS=3
HUGE=1
HNV=$ROOT/build/app/dpdk-hnv
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--no-huge) HUGE=0; shift ;;
	-h | --help) sed -n '2,18p' "$0"; exit 0 ;;
	*) HNV=$1; shift ;;
	esac
done
TESTPMD=${HNV_TESTPMD:-/usr/bin/dpdk-testpmd}
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/hnv-vbench.XXXXXX)
FP=hnv-vbench-$$
# The runs start their processes in subshells: cleanup finds them by this
# run's EAL file prefix.
cleanup() {
	pkill -INT -f -- "--file-prefix $FP-" 2>/dev/null || true
	sleep 1
	pkill -KILL -f -- "--file-prefix $FP-" 2>/dev/null || true
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
# start_vm SIZE: the sending VM; sets VM_PID.
start_vm() {
	stdbuf -oL -eL "$TESTPMD" -l 0-1 --main-lcore 1 --no-pci "${MEM[@]}" --file-prefix "$FP-vm" \
		--vdev "net_virtio_user0,path=$WORK/vm.sock,queues=1,mac=$VM_MAC" \
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
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { tr ' ' '\n' | sort -n | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo/1e6, hi/1e6}'; }
mpps() { awk -v v="$1" 'BEGIN {printf "%.2f", v/1e6}'; }

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), DPDK $(dpkg-query -W -f '${Version}' dpdk-dev 2>/dev/null || echo '?'), $( [ "$HUGE" -eq 1 ] && echo hugepages || echo '4 KB pages'), $ROUNDS rounds of ${SECONDS_PER} s"
printf '%-6s %-34s %-8s %-12s %-14s %s\n' size contender Mpps range "from the VM" "vs testpmd io"
# 1464 bytes: the largest frame of a VM with the overlay MTU of 1450 (a
# 1500-byte frame does not fit the uplink's MTU once encapsulated).
for size in 64 1464; do
	H=() I=() HV=() IV=()
	for _ in $(seq "$ROUNDS"); do
		read -r h hv < <(run_hnv "$size")
		H+=("$h")
		HV+=("$hv")
		read -r i iv < <(run_testpmd "$size")
		I+=("$i")
		IV+=("$iv")
	done
	hm=$(echo "${H[*]}" | median)
	im=$(echo "${I[*]}" | median)
	printf '%-6s %-34s %-8s %-12s %-14s %s\n' "$size" "testpmd io (vhost -> net_null)" "$(mpps "$im")" \
		"$(echo "${I[*]}" | range)" "$(mpps "$(echo "${IV[*]}" | median)")" "1.00"
	printf '%-6s %-34s %-8s %-12s %-14s %s\n' "$size" "dpdk-hnv (vhost -> VXLAN encap)" "$(mpps "$hm")" \
		"$(echo "${H[*]}" | range)" "$(mpps "$(echo "${HV[*]}" | median)")" \
		"$(awk -v a="$hm" -v b="$im" 'BEGIN {printf "%.2f", b ? a/b : 0}')"
done
