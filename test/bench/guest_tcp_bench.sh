#!/usr/bin/env bash
# guest_tcp_bench.sh: owns the benchmark of TCP from a real QEMU guest on a
# dpdk-hnv vhost-user port to a VM on the remote kernel VXLAN host of the
# figure-8 topology, with the guest's checksum offload and TSO on (what the
# port offers) and off (the same guest with the virtio-net-pci properties
# csum=off,host_tso4=off, so it segments and checksums itself), in one run.
# A program, not a test: it never fails on a number.
#
#   test/bench/guest_tcp_bench.sh [ROUNDS] [MB]     (default 3 rounds of 20 MB)
#
# The guest runs under TCG (no KVM here), so its own CPU is the limit: the
# figures compare the two guest configurations, not dpdk-hnv's ceiling.
# Run as root; uses the topology's fixed namespace names (not together with
# the interop, vhost or qemu suites).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROUNDS=${1:-3}
MB=${2:-20}
HNV=${HNV_BIN:-$ROOT/build/app/dpdk-hnv}
IMAGE=${HNV_GUEST_IMAGE:-/var/tmp/hnv-guest-image}
TOPO=$ROOT/scripts/topology.sh
WORK=$(mktemp -d /tmp/hnv-gtcp.XXXXXX)
FP=hnv-gtcp-$$
HNV_PID=""
cleanup() {
	[ -z "$HNV_PID" ] || { kill -INT "$HNV_PID" 2>/dev/null; wait "$HNV_PID" 2>/dev/null || true; }
	timeout 30 "$TOPO" down >/dev/null 2>&1 || true
	rm -rf "$WORK" "/var/run/dpdk/$FP"
}
trap cleanup EXIT

test/qemu/build-guest.sh "$IMAGE" >/dev/null 2>&1
timeout 60 "$TOPO" down >/dev/null 2>&1 || true
timeout 60 "$TOPO" up >/dev/null
/usr/bin/python3 - config/figure8-host2.json "$WORK" <<'PY'
import json, sys
pol = json.load(open(sys.argv[1]))
pol["ports"] = [p for p in pol["ports"] if p["name"] != "fabrikam-web"]
pol["vm_nics"] = [v for v in pol["vm_nics"] if v["port"] != "fabrikam-web"]
for p in pol["ports"]:
    if p["name"] == "contoso-web":
        p.pop("device")
        p["vhost_user"] = {"socket": sys.argv[2] + "/contoso-web.sock", "queues": 1}
json.dump(pol, open(sys.argv[2] + "/policy.json", "w"), indent=1)
PY
ip netns exec hnv-host2 "$HNV" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$FP" \
	--log-level=lib.vhost.config:notice --vdev net_af_packet0,iface=h2-up \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
for _ in $(seq 100); do
	grep -qs 'dpdk-hnv: forwarding' "$WORK/hnv.out" && break
	sleep 0.2
done

ROOT="$ROOT" WORK="$WORK" IMAGE="$IMAGE" ROUNDS="$ROUNDS" MB="$MB" /usr/bin/python3 - <<'PY'
import os, statistics, sys
sys.path.insert(0, os.path.join(os.environ["ROOT"], "test/qemu"))
from guest import Guest, tcp_to_netns

W, rounds, mb = os.environ["WORK"], int(os.environ["ROUNDS"]), int(os.environ["MB"])


def run(opts):
    g = Guest(sock=W + "/contoso-web.sock", mac="02:50:01:00:00:12", ip="10.1.1.12/24",
              gw="10.1.1.1", mtu=1450, ipv6=False, image_dir=os.environ["IMAGE"],
              workdir=W + "/guest", keep=True, boot_timeout=180, virtio_opts=opts)
    try:
        g.boot()
        g.wait_carrier(30)
        g.run("ping -c 2 -W 2 10.1.1.11", timeout=20)
        feats = g.virtio_features()
        rates = []
        for k in range(rounds):
            t = tcp_to_netns(g, "contoso-sql", "10.1.1.11", mb=mb, timeout=300,
                             reuse_blob=k > 0)
            rates.append(t.mbit_s if t.intact else 0.0)
        g.shutdown(timeout=30)
        return feats, rates
    finally:
        g.kill()


rows = [("on (offered by dpdk-hnv)", ""), ("off (csum=off,host_tso4=off)", "csum=off,host_tso4=off")]
print("# %d rounds of %d MB from a TCG guest to contoso-sql over VXLAN" % (rounds, mb))
print("%-30s %-10s %-12s %s" % ("guest checksum/TSO", "Mbit/s", "range", "negotiated"))
for name, opts in rows:
    feats, rates = run(opts)
    neg = " ".join(f for f in feats if f in ("CSUM", "HOST_TSO4")) or "-"
    print("%-30s %-10.0f %-12s %s" % (name, statistics.median(rates),
                                      "%.0f-%.0f" % (min(rates), max(rates)), neg), flush=True)
PY

