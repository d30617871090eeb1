#!/usr/bin/env bash
# test_qemu_guest.sh: owns the test of real QEMU VMs on dpdk-hnv's
# vhost-user ports, against the kernel VXLAN host of the figure-8 topology
# (scripts/topology.sh). dpdk-hnv starts with the uplink only; a reload adds
# two VM NICs as vhost-user ports, and two QEMU guests (Debian's kernel and
# a busybox initramfs, test/qemu/build-guest.sh; TCG) attach to them without
# a restart of dpdk-hnv:
#
#   guest A, Contoso  10.1.1.12 02:50:01:00:00:12 on port contoso-web
#   guest B, Fabrikam 10.1.1.12 02:60:01:00:00:12 on port fabrikam-web
#     -> dpdk-hnv (hnv-host2) -> VXLAN -> Linux bridge + vxlan (hnv-host1)
#     -> contoso-sql / fabrikam-sql 10.1.1.11
#
# Checks: both guests boot, get carrier and ping their own tenant's
# 10.1.1.11 (and are pinged back); each resolved the CA to its own tenant's
# MAC and the namespaces never saw the other tenant's MACs; guest A moves
# 20 MB by TCP to contoso-sql, compared by SHA-256 (with the guest offloads
# the port negotiated, printed); guest A reboots and its traffic resumes;
# dpdk-hnv stops cleanly. About 60-90 s under TCG. Run as root; exits 0
# only if every check passes; the last line is "N passed, M failed".
#
# Environment: HNV_BIN (default build/app/dpdk-hnv), HNV_POLICY (default
#              config/figure8-host2.json), HNV_GUEST_IMAGE (the guest image
#              cache, default /var/tmp/hnv-guest-image), HNV_READY_TIMEOUT,
#              HNV_KEEP_LOGS=1, QHARN_VERBOSE=1 (guest consoles on stderr).
# Needs: what scripts/setup.sh installs (QEMU, busybox-static, iproute2,
#        tcpdump, python3).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib/overlay.sh
. "$(dirname "$0")/../lib/overlay.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HNV_BIN=${HNV_BIN:-build/app/dpdk-hnv}
HNV_POLICY=${HNV_POLICY:-config/figure8-host2.json}
IMAGE=${HNV_GUEST_IMAGE:-/var/tmp/hnv-guest-image}
READY_TIMEOUT=${HNV_READY_TIMEOUT:-30}
TOPO="$ROOT/scripts/topology.sh"
PY=/usr/bin/python3

FP=hnv-qemu-$$
RUNDIR=/var/run/dpdk
HNV_PID=""
DRIVER_PID=""
WORK=""
TOPO_UP=0
CLEANED=0
SUMMARY_LOGS=(show_hnv_log)
STOP_POLLS=25
CAPTURE_TIMEOUT=180
PING_INTERVAL=0.3
TELEMETRY_SOCK=$RUNDIR/$FP/dpdk_telemetry.v2
COUNTER_FROM='/dpdk-hnv: stopping; final counters:/'

show_hnv_log() {
	[ -n "$WORK" ] || return 0
	echo "    # --- dpdk-hnv ($WORK/hnv.out, hnv.err) ---"
	tail -n 20 "$WORK/hnv.out" | indent || true
	grep -v VHOST_CONFIG "$WORK/hnv.err" | tail -n 20 | indent || true
}

cleanup() {
	local rc=$? p
	[ "$CLEANED" -eq 0 ] || return 0
	CLEANED=1
	trap - INT TERM
	# The driver kills its QEMUs when it is stopped.
	[ -z "$DRIVER_PID" ] || stop_pid "$DRIVER_PID" TERM
	for p in "$WORK"/guest-*/qemu.pid; do
		[ -f "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null || true
	done
	[ -z "$HNV_PID" ] || stop_pid "$HNV_PID" INT
	for p in "${CAP_PIDS[@]}"; do
		[ -z "$p" ] || stop_pid "$p" TERM
	done
	if [ "$TOPO_UP" -eq 1 ]; then
		timeout 30 "$TOPO" down >/dev/null 2>&1 || true
	fi
	rm -rf "${RUNDIR:?}/$FP"
	if [ -n "$WORK" ]; then
		if [ "$FAIL" -eq 0 ] && [ "$rc" -eq 0 ] && [ "${HNV_KEEP_LOGS:-0}" != 1 ]; then
			rm -rf "$WORK"
		elif [ "$SUMMARY_DONE" -eq 0 ]; then
			show_hnv_log
			echo "# logs kept in $WORK"
		fi
	fi
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT
trap 'echo "# terminated"; exit 143' TERM

need_root_and_tools ip ping tcpdump timeout stdbuf qemu-system-x86_64 "$PY"
need_hnv_inputs
WORK=$(mktemp -d /tmp/hnv-qemu.XXXXXX)

# ---------------------------------------------------------------- image
if test/qemu/build-guest.sh "$IMAGE" >"$WORK/image.log" 2>&1; then
	ok "guest image (Debian kernel, busybox initramfs) in $IMAGE"
else
	indent <"$WORK/image.log" | tail -n 20
	bail "guest image"
fi

topology_up

# ---------------------------------------------------------------- policies
# Start: the uplink only (the VMs' ports are not there yet). Then: both VM
# NICs as vhost-user ports that dpdk-hnv makes (server mode).
"$PY" - "$HNV_POLICY" "$WORK" <<'PY'
import copy, json, sys
base = json.load(open(sys.argv[1]))
w = sys.argv[2]
vms = copy.deepcopy(base)
for p in vms["ports"]:
    if p["name"] in ("contoso-web", "fabrikam-web"):
        p.pop("device")
        p["vhost_user"] = {"socket": "%s/%s.sock" % (w, p["name"]), "queues": 1}
start = copy.deepcopy(base)
start["ports"] = [p for p in start["ports"] if p["name"] == start["host"]["uplink"]]
start["vm_nics"] = []
json.dump(start, open(w + "/policy.json", "w"), indent=1)
json.dump(vms, open(w + "/policy-vms.json", "w"), indent=1)
PY

# ---------------------------------------------------------------- dpdk-hnv
ip netns exec hnv-host2 stdbuf -oL -eL "$HNV_BIN" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "$FP" --log-level=lib.vhost.config:notice \
	--vdev "net_af_packet0,iface=h2-up" \
	-- --policy "$WORK/policy.json" >"$WORK/hnv.out" 2>"$WORK/hnv.err" &
HNV_PID=$!
if ! hnv_ready "$WORK/hnv.out"; then
	summary
	exit 1
fi
ok "dpdk-hnv forwarding with the uplink only"

# The VM NICs arrive by a reload (a rename, as deployment agents do).
vms_added() {
	local deadline=$((SECONDS + 15))
	cp "$WORK/policy-vms.json" "$WORK/policy.json.new"
	mv "$WORK/policy.json.new" "$WORK/policy.json"
	until grep -q '^dpdk-hnv: port fabrikam-web added' "$WORK/hnv.out" &&
		grep -q '^dpdk-hnv: port contoso-web added' "$WORK/hnv.out"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
	[ -S "$WORK/contoso-web.sock" ] && [ -S "$WORK/fabrikam-web.sock" ]
}
check "a reload adds contoso-web and fabrikam-web as vhost-user ports (sockets made)" vms_added

caps_ok=1
for vm in contoso-sql fabrikam-sql; do
	start_capture "$vm" eth0 "$WORK/$vm.pcap" || caps_ok=0
done
start_capture hnv-host1 h1-up "$WORK/underlay.pcap" udp port 4789 || caps_ok=0
check "packet captures started" [ "$caps_ok" -eq 1 ]

# ---------------------------------------------------------------- guests
# One Python process holds both guests (test/qemu/guest.py) and prints its
# own "ok"/"not ok" lines; they are counted here.
cat >"$WORK/drive.py" <<'PY'
import os, signal, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "test/qemu"))
from guest import Guest, GuestError, tcp_to_netns

W = os.environ["WORK"]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
verbose = sys.stderr if os.environ.get("QHARN_VERBOSE") else None


def ok(cond, msg):
    print("%s - %s" % ("ok" if cond else "not ok", msg), flush=True)
    return cond


def diag(s):
    for l in str(s).rstrip("\n").split("\n"):
        print("    # " + l, flush=True)


def step(msg, fn):
    t = time.monotonic()
    try:
        r = fn()
        return ok(True, "%s%s (%.1f s)" % (msg, " " + r if r else "", time.monotonic() - t))
    except Exception as e:  # a failed check, whatever raised it
        ok(False, msg)
        diag("%s: %s" % (type(e).__name__, e))
        return False


def guest(name, mac):
    return Guest(sock="%s/%s.sock" % (W, name), mac=mac, ip="10.1.1.12/24",
                 gw="10.1.1.1", mtu=1450, ipv6=False, image_dir=os.environ["IMAGE"],
                 workdir="%s/guest-%s" % (W, name), keep=True, boot_timeout=180,
                 echo=verbose)


def ping(g, dst="10.1.1.11"):
    r = g.run("ping -c 5 -i 0.3 -W 2 %s" % dst, timeout=40)
    if r.rc != 0 or " 0% packet loss" not in r.out:
        diag(r.out)
        raise GuestError("ping %s failed (rc %d)" % (dst, r.rc))
    return ""


def ping_from(ns, dst="10.1.1.12"):
    r = subprocess.run(["ip", "netns", "exec", ns, "ping", "-n", "-c", "3", "-i", "0.3",
                        "-W", "2", dst], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        diag(r.stdout + r.stderr)
        raise GuestError("ping from %s failed" % ns)
    return ""


def neigh(g, want):
    out = g.sh("ip neigh show 10.1.1.11")
    if want not in out.lower():
        raise GuestError("10.1.1.11 is %r, want %s" % (out.strip(), want))
    return "10.1.1.11 is-at " + want


def transfer(g):
    t = tcp_to_netns(g, "contoso-sql", "10.1.1.11", mb=20)
    diag("guest sha256 %s, contoso-sql got %d bytes, sha256 %s" % (t.guest_sha, t.got_bytes, t.got_sha))
    if not t.intact:
        raise GuestError("nc rc %d, %s" % (t.rc, t.out))
    g.run("rm -f /tmp/blob")
    return "%.1f s, %.0f Mbit/s" % (t.secs, t.mbit_s)


def features(g):
    f = g.virtio_features()
    diag("guest A negotiated: " + " ".join(f))
    for want in ("VERSION_1", "MRG_RXBUF", "CSUM", "HOST_TSO4"):
        if want not in f:
            raise GuestError("want %s" % want)
    # virtio_net turns TSO on when the device offers HOST_TSO4 with CSUM.
    return "(checksum offload and TSO on in the guest)"


a = guest("contoso-web", "02:50:01:00:00:12")
b = guest("fabrikam-web", "02:60:01:00:00:12")
try:
    def boot():
        a.start()
        b.start()
        for g in (a, b):
            open(g.workdir + "/qemu.pid", "w").write(str(g.proc.pid))
        a.wait_ready()
        b.wait_ready()
        return "A %.1f s, B %.1f s" % (a.boot_time, b.boot_time)
    if step("both guests boot to a shell", boot):
        step("guest A (Contoso) has carrier", lambda: a.wait_carrier(30) and "")
        step("guest B (Fabrikam) has carrier", lambda: b.wait_carrier(30) and "")
        step("guest A negotiated checksum offload and TSO (see # lines)", lambda: features(a))
        step("guest A pings contoso-sql 10.1.1.11 over VXLAN", lambda: ping(a))
        step("guest B pings fabrikam-sql 10.1.1.11 (same CA, other tenant)", lambda: ping(b))
        step("contoso-sql pings guest A 10.1.1.12", lambda: ping_from("contoso-sql"))
        step("fabrikam-sql pings guest B 10.1.1.12", lambda: ping_from("fabrikam-sql"))
        step("guest A resolved 10.1.1.11 to Contoso's MAC", lambda: neigh(a, "02:50:01:00:00:11"))
        step("guest B resolved 10.1.1.11 to Fabrikam's MAC", lambda: neigh(b, "02:60:01:00:00:11"))
        step("guest A sends 20 MB by TCP to contoso-sql, SHA-256 equal", lambda: transfer(a))
        if step("guest A reboots", lambda: a.reboot("guest") and ""):
            step("guest A has carrier again", lambda: a.wait_carrier(60) and "")
            step("guest A pings contoso-sql after the reboot", lambda: ping(a))
        step("guest B powers off", lambda: "" if b.shutdown(timeout=60) == 0 else "rc!=0")
        step("guest A powers off", lambda: "" if a.shutdown(timeout=60) == 0 else "rc!=0")
finally:
    a.kill()
    b.kill()
PY
ROOT="$ROOT" WORK="$WORK" IMAGE="$IMAGE" "$PY" "$WORK/drive.py" >"$WORK/drive.out" 2>"$WORK/drive.err" &
DRIVER_PID=$!
# Show the driver's lines as they come, and count them.
tail -n +1 -f --pid="$DRIVER_PID" "$WORK/drive.out" 2>/dev/null || true
wait "$DRIVER_PID" || true
DRIVER_PID=""
PASS=$((PASS + $(grep -c '^ok ' "$WORK/drive.out" || true)))
FAIL=$((FAIL + $(grep -c '^not ok ' "$WORK/drive.out" || true)))
if ! grep -q 'guest A powers off' "$WORK/drive.out"; then
	not_ok "the guest driver ran to the end"
	tail -n 20 "$WORK/drive.err" | indent
fi

stop_captures
for vm in contoso-sql fabrikam-sql underlay; do
	read_capture "$WORK/$vm.pcap" >"$WORK/$vm.txt"
done
check "fabrikam-sql never saw a Contoso MAC (02:50:01:*)" never_sees fabrikam-sql 02:50:01: Contoso
check "contoso-sql never saw a Fabrikam MAC (02:60:01:*)" never_sees contoso-sql 02:60:01: Fabrikam

# The guest handed dpdk-hnv TSO super-frames; what reached the underlay
# were VXLAN frames no bigger than the 1500-byte MTU allows (1514 with the
# Ethernet header), and none was dropped for its offload.
offloads_done() {
	local j tso err big n
	j=$(telemetry /hnv/link,contoso-web) || return 1
	tso=$("$PY" -c "import json,sys; print(json.load(sys.stdin)['tso_frames'])" <<<"$j")
	err=$("$PY" -c "import json,sys; print(json.load(sys.stdin)['offload_errors'])" <<<"$j")
	n=$(grep -c 'length' "$WORK/underlay.txt" || true)
	big=$(grep -oE 'length [0-9]+:' "$WORK/underlay.txt" | awk '{ if ($2 + 0 > m) m = $2 + 0 } END { print m + 0 }')
	echo "    # contoso-web: tso_frames $tso, offload_errors $err; underlay: $n VXLAN frames, largest $big bytes"
	[ "$tso" -gt 0 ] && [ "$err" -eq 0 ] && [ "$big" -le 1514 ] && [ "$n" -gt 14000 ]
}
check "guest A's TSO frames were cut into MTU-sized VXLAN frames (none over 1514 bytes)" offloads_done

connects_ge() {
	local n
	n=$(telemetry /hnv/link,contoso-web | "$PY" -c "import json,sys; print(json.load(sys.stdin)['connects'])")
	echo "    # contoso-web: $n guest connections"
	[ "$n" -ge "$1" ]
}
check "dpdk-hnv saw guest A connect twice (boot and reboot)" connects_ge 2

stop_hnv TERM KILL
check "dpdk-hnv exits 0 on SIGTERM (got $hnv_rc)" [ "$hnv_rc" = 0 ]
check "no vhost-user socket left" eval '[ ! -e "$WORK/contoso-web.sock" ] && [ ! -e "$WORK/fabrikam-web.sock" ]'

summary
[ "$FAIL" -eq 0 ]
