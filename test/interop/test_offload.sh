#!/usr/bin/env bash
# test_offload.sh: owns the proof that the uplink's checksum offloads
# change nothing on the wire. dpdk-hnv runs three times on the same frames:
# its uplink a net_tap port (which offers IPv4 checksum offloads, computed
# and verified by the PMD), once with them and once with --no-offload, and
# a net_pcap port (which offers none). A VM's frames (UDP, TCP, ICMP, a
# fragmented one, IPv4 options, 60 to 1400 bytes) come in on a tap VM
# port, sent with scapy; tunnel frames for the VM come in on the uplink tap,
# one of them with a wrong outer IPv4 checksum. Checks: the tunnel frames
# sent are the same bytes in all three runs, each with a correct outer
# checksum; the VM receives the same frames in both tap runs; the bad
# checksum is dropped and counted as tunnel_bad_ip either way (verified by
# the NIC, or by software). Run as root; the last line is "N passed, M
# failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv), HNV_READY_TIMEOUT
# (seconds, default 30), HNV_KEEP_LOGS=1 keeps the work directory.
# Needs: iproute2, tcpdump, python3-scapy (/usr/bin/python3).
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
COUNTER_FROM=1
CLEANUP_EXTRA=teardown
NETNS=hnv-offload

teardown() { ns_del "$NETNS"; }

trap overlay_cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip tcpdump timeout
[ -x "$HNV_BIN" ] || bail "dpdk-hnv binary '$HNV_BIN' not found or not executable"
HNV_BIN=$(cd "$(dirname "$HNV_BIN")" && pwd)/$(basename "$HNV_BIN")
WORK=$(mktemp -d /tmp/hnv-offload.XXXXXX)

# The host: one VM (VXLAN 5001) and a remote CA behind the gateway.
policy() { # UPLINK_DEVICE
	cat <<EOF
{
	"version": 1,
	"host": {"name": "host2", "uplink": "uplink", "pa": ["192.168.2.20/24"],
		"mac": "02:00:00:02:00:20", "gateway": "192.168.2.1",
		"gateway_mac": "02:00:00:02:00:01"},
	"ports": [
		{"name": "uplink", "device": "$1"},
		{"name": "web", "device": "net_tap1"}
	],
	"routing_domains": [{"rdid": 1, "name": "contoso",
		"subnets": [{"vsid": 5001, "prefix": "10.1.1.0/24"}]}],
	"vm_nics": [{"name": "web", "mac": "02:50:01:00:00:12", "ip": "10.1.1.12", "vsid": 5001,
		"port": "web"}],
	"mappings": [{"vsid": 5001, "ca": "10.1.1.11", "mac": "02:50:01:00:00:11",
		"pa": "192.168.1.10"}]
}
EOF
}

# The frames, written once: from the VM, and tunnelled to it.
"$PY" - "$WORK" <<'PY'
import sys
from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, fragment, wrpcap
from scapy.layers.vxlan import VXLAN
w = sys.argv[1]
web, sql = "02:50:01:00:00:12", "02:50:01:00:00:11"
def out(l4, size=0, **ip):
    return Ether(src=web, dst=sql) / IP(src="10.1.1.12", dst="10.1.1.11", **ip) / l4 / Raw(b"x" * size)
vm = [out(UDP(sport=7000 + i, dport=9), n) for i, n in enumerate((18, 200, 1000, 1372))]
vm += [out(TCP(sport=40000, dport=80, flags="S")), out(ICMP(id=7), 56),
       out(UDP(sport=7100, dport=9), 100, options=b"\x94\x04\x00\x00")]
vm += [Ether(src=web, dst=sql) / f for f in fragment(
    IP(src="10.1.1.12", dst="10.1.1.11", id=42) / UDP(sport=7200, dport=9) / Raw(b"f" * 1200),
    fragsize=600)]
wrpcap(w + "/vm.pcap", vm)
def tun(inner, sport):
    return (Ether(src="02:00:00:02:00:01", dst="02:00:00:02:00:20")
            / IP(src="192.168.1.10", dst="192.168.2.20", flags="DF", ttl=64)
            / UDP(sport=sport, dport=4789) / VXLAN(vni=5001, flags=0x08) / inner)
back = [Ether(src=sql, dst=web) / IP(src="10.1.1.11", dst="10.1.1.12") / UDP(sport=9, dport=7000 + i)
        / Raw(b"y" * n) for i, n in enumerate((18, 500, 1300))]
up = [Ether(bytes(tun(b, 50000 + i))) for i, b in enumerate(back)]
bad = tun(back[0], 50009)
bad[IP].chksum = 0x1234
up.insert(1, bad)
wrpcap(w + "/uplink.pcap", up)
wrpcap(w + "/expected-vm.pcap", back)
PY
ok "frames written"

# run NAME UPLINK_VDEV [dpdk-hnv options]: the frames through dpdk-hnv in a
# namespace of its own; the tunnel frames it sends end in NAME-uplink.pcap,
# what the VM gets in NAME-vm.pcap.
run() {
	local name=$1 vdev=$2 dev
	shift 2
	dev=${vdev%%,*}
	teardown
	ns_add "$NETNS"
	# No IPv6 on the taps: the kernel's own solicitations stay off them.
	ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	policy "$dev" >"$WORK/$name-policy.json"
	ip netns exec "$NETNS" stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 512 --no-pci \
		--file-prefix hnv-offload --vdev "$vdev" --vdev net_tap1,iface=hnvvm0 \
		-- --policy "$WORK/$name-policy.json" "$@" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
	HNV_PID=$!
	hnv_ready "$WORK/hnv.out" "$WORK/hnv.err" || return 1
	for i in hnvvm0 hnvup0; do
		ip -n "$NETNS" link show "$i" >/dev/null 2>&1 && ip -n "$NETNS" link set "$i" up
	done
	if [ "$dev" = net_tap0 ]; then
		start_capture "$NETNS" hnvup0 "$WORK/$name-uplink.pcap" -Q in udp port 4789 || return 1
	fi
	start_capture "$NETNS" hnvvm0 "$WORK/$name-vm.pcap" -Q in || return 1
	ip netns exec "$NETNS" "$PY" -c '
import sys
from scapy.all import rdpcap, sendp
for p in rdpcap(sys.argv[1]): sendp(p, iface="hnvvm0", verbose=False)
if sys.argv[2] != "-":
    for p in rdpcap(sys.argv[2]): sendp(p, iface="hnvup0", verbose=False)
' "$WORK/vm.pcap" "$([ "$dev" = net_tap0 ] && echo "$WORK/uplink.pcap" || echo -)"
	sleep 1
	stop_captures
	stop_hnv INT KILL
	cp "$WORK/hnv.out" "$WORK/$name.out"
	[ "$hnv_rc" = 0 ]
}

check "run 1: uplink net_tap, offloads on" run tap-offload net_tap0,iface=hnvup0
check "run 2: uplink net_tap, --no-offload" run tap-software net_tap0,iface=hnvup0 --no-offload
check "run 3: uplink net_pcap (no offloads)" \
	run pcap "net_pcap0,tx_pcap=$WORK/pcap-uplink.pcap"

# frames FILE: per frame, its length on the wire and its first 256 bytes
# in hex (the captures keep 256: every header, and some payload).
frames() {
	"$PY" -c '
import sys
from scapy.all import rdpcap
for p in rdpcap(sys.argv[1]):
    b = bytes(p); print(p.wirelen or len(b), b[:256].hex())
' "$1"
}
frames "$WORK/pcap-uplink.pcap" >"$WORK/pcap.txt"
frames "$WORK/tap-offload-uplink.pcap" >"$WORK/tap-offload.txt"
frames "$WORK/tap-software-uplink.pcap" >"$WORK/tap-software.txt"
n_vm=$(frames "$WORK/vm.pcap" | wc -l)
check "all $n_vm VM frames tunnelled by net_pcap" [ "$(wc -l <"$WORK/pcap.txt")" -eq "$n_vm" ]
check "tunnelled frames: net_tap with offloads = net_pcap, byte for byte" \
	cmp -s "$WORK/pcap.txt" "$WORK/tap-offload.txt"
check "tunnelled frames: net_tap without offloads = net_pcap, byte for byte" \
	cmp -s "$WORK/pcap.txt" "$WORK/tap-software.txt"
outer_ok() {
	"$PY" -c '
import sys
from scapy.all import IP, rdpcap
for p in rdpcap(sys.argv[1]):
    got = p[IP].chksum
    del p[IP].chksum
    if IP(bytes(p[IP]))[IP].chksum != got: sys.exit("bad outer checksum")
' "$1"
}
check "every outer IPv4 checksum is right (offloaded run)" outer_ok "$WORK/tap-offload-uplink.pcap"
frames "$WORK/expected-vm.pcap" >"$WORK/expected-vm.txt"
for r in tap-offload tap-software; do
	frames "$WORK/$r-vm.pcap" >"$WORK/$r-vm.txt"
	check "$r: the VM got exactly the 3 inner frames" \
		cmp -s "$WORK/expected-vm.txt" "$WORK/$r-vm.txt"
	COUNTER_FROM=1
	cp "$WORK/$r.out" "$WORK/hnv.out"
	check "$r: the wrong outer checksum counted as tunnel_bad_ip" \
		grep -q '^  drop tunnel_bad_ip: 1$' "$WORK/$r.out"
	check "$r: uplink decapsulated 3" counter_ge uplink decapsulated 3
done
summary
