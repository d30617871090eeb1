#!/bin/bash
# test/qemu/test_guest_harness.sh - owns the self-check of the QEMU guest
# harness (build-guest.sh + guest.py); needs no dpdk-hnv.
#
#   guest (QEMU/TCG, virtio-net-pci, 10.0.9.2)
#     == vhost-user ==> dpdk-testpmd (net_vhost0 <-io fwd-> net_af_packet0)
#     -> veth qharn-h<pid> / qharn-p<pid> -> netns qharn-peer-<pid> (10.0.9.1)
#
# Checks: image build, boot to shell, carrier, virtio features, ping both
# ways, 20 MB guest->namespace with busybox nc and SHA-256 on both ends,
# reboot inside the guest, QMP system_reset, a new QEMU process (vhost-user
# reconnect), clean power-off. Prints "ok N - ..." lines and
# "N passed, M failed"; exits 0 only if all pass. Installs what it needs
# with apt-get (run as root on Debian 12). Removes everything it made
# (namespace, veth, processes, temp dir, DPDK runtime dir) on any exit,
# SIGINT or SIGTERM. The guest image is cached in HNV_GUEST_IMAGE
# (default /var/tmp/hnv-guest-image; build-guest.sh reuses it when current).
# Env: QHARN_VERBOSE=1 copies the guest console to stderr; QHARN_KEEP=1
# keeps the temp dir (logs) after the run.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ID=$$
NS=qharn-peer-$ID
VH=qharn-h$ID            # host side of the veth (testpmd af_packet port)
VP=qharn-p$ID            # namespace side
PREFIX=qharn-$ID         # testpmd --file-prefix
IMAGE=${HNV_GUEST_IMAGE:-/var/tmp/hnv-guest-image}
W=
TP_PID=
PY_PID=
N=0
FAILS=0

say() { echo "# $*"; }
ok() { N=$((N + 1)); echo "ok $N - $*"; }
notok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	[ -n "$PY_PID" ] && kill -TERM "$PY_PID" 2>/dev/null && wait "$PY_PID" 2>/dev/null
	# A QEMU left behind by a killed driver (guest.py records its pid).
	if [ -n "$W" ] && [ -f "$W/qemu.pid" ]; then
		p=$(cat "$W/qemu.pid")
		[ -d "/proc/$p" ] && grep -q qemu "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	fi
	if [ -n "$W" ] && [ -f "$W/testpmd.pid" ]; then
		p=$(cat "$W/testpmd.pid")
		if [ "$p" != "$TP_PID" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dpdk-testpmd ]; then
			kill -TERM "$p" 2>/dev/null
			for _ in $(seq 50); do [ -d "/proc/$p" ] || break; sleep 0.1; done
			kill -KILL "$p" 2>/dev/null
		fi
	fi
	if [ -n "$TP_PID" ] && kill -0 "$TP_PID" 2>/dev/null; then
		kill -TERM "$TP_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$TP_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$TP_PID" 2>/dev/null
		wait "$TP_PID" 2>/dev/null
	fi
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	ip link del "$VH" 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
	if [ -n "$W" ]; then
		if [ -n "${QHARN_KEEP:-}" ]; then echo "# kept $W" >&2; else rm -rf "$W"; fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "# interrupted" >&2; exit 130' INT
trap 'echo "# terminated" >&2; exit 143' TERM

finish() {
	echo "1..$N"
	echo "$((N - FAILS)) passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}

[ "$(id -u)" -eq 0 ] || { echo "not ok 1 - must run as root"; echo "0 passed, 1 failed"; exit 1; }

# --- packages and image ---
if "$HERE/../../scripts/setup.sh" --deps >&2; then
	ok "packages installed"
else
	notok "packages installed"; finish
fi
t0=$(date +%s.%N)
if "$HERE/build-guest.sh" "$IMAGE" 2>&1 | sed 's/^/# /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
	ok "guest image in $IMAGE ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
	say "vmlinuz $(stat -c %s "$IMAGE/vmlinuz") B, initramfs $(stat -c %s "$IMAGE/initramfs.cpio.gz") B"
else
	notok "guest image built"; finish
fi

W=$(mktemp -d /tmp/qharn-test.XXXXXX)
SOCK=$W/vhost.sock

# --- namespace peer and testpmd backend ---
if ip netns add "$NS" &&
	ip link add "$VH" type veth peer name "$VP" &&
	ip link set "$VP" netns "$NS" &&
	ip link set "$VH" up &&
	ip -n "$NS" link set lo up &&
	ip -n "$NS" addr add 10.0.9.1/24 dev "$VP" &&
	ip -n "$NS" link set "$VP" up &&
	# af_packet on the host end sees the namespace's frames as they were
	# handed to the veth: no partial checksums or GSO super-frames, please.
	ip netns exec "$NS" ethtool -K "$VP" tx off tso off gso off >/dev/null 2>&1; then
	ok "namespace $NS with veth $VH/$VP"
else
	notok "namespace $NS with veth $VH/$VP"; finish
fi

# --no-mlockall: testpmd's default mlockall(MCL_FUTURE) makes it populate
# and lock the guest's whole RAM at VHOST_USER_SET_MEM_TABLE (seconds).
# One argument a line in $W/testpmd.argv: drive.py restarts it from there.
printf '%s\n' dpdk-testpmd -l 0-1 --no-pci --no-huge -m 1024 \
	--file-prefix "$PREFIX" \
	--vdev "net_vhost0,iface=$SOCK,queues=1" \
	--vdev "net_af_packet0,iface=$VH" -- \
	--forward-mode=io --auto-start --stats-period 3600 --nb-cores=1 \
	--total-num-mbufs=16384 --no-mlockall >"$W/testpmd.argv"
mapfile -t TP_ARGV <"$W/testpmd.argv"
"${TP_ARGV[@]}" </dev/null >"$W/testpmd.log" 2>&1 &
TP_PID=$!
echo "$TP_PID" >"$W/testpmd.pid"
for _ in $(seq 300); do
	[ -S "$SOCK" ] && break
	kill -0 "$TP_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -S "$SOCK" ] && kill -0 "$TP_PID" 2>/dev/null; then
	ok "testpmd vhost-user backend listening on $SOCK"
else
	notok "testpmd vhost-user backend listening"
	sed 's/^/# testpmd: /' "$W/testpmd.log" | tail -20
	finish
fi

# --- the guest part, through guest.py as a library ---
cat >"$W/drive.py" <<'EOF'
import os, signal, subprocess, sys, time
sys.path.insert(0, os.environ['QHARN_HERE'])
from guest import Guest, GuestError, tcp_to_netns

W, NS, n = os.environ['QHARN_W'], os.environ['QHARN_NS'], int(os.environ['QHARN_N'])
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
fails = 0

def ok(cond, msg):
    global n, fails
    n += 1
    if not cond:
        fails += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, msg), flush=True)
    return cond

def diag(s):
    for l in str(s).rstrip('\n').split('\n'):
        print('# ' + l, flush=True)

def step(msg, fn):
    """ok/not ok for fn(); its return value is the message suffix."""
    t = time.monotonic()
    try:
        r = fn()
        return ok(True, '%s%s (%.1f s)' % (msg, ' ' + r if r else '',
                                            time.monotonic() - t))
    except Exception as e:
        ok(False, msg)
        diag('%s: %s' % (type(e).__name__, e))
        return False

def rtt(out):
    for l in out.split('\n'):
        if 'min/avg/max' in l:          # busybox and iputils
            return l.split('=')[-1].strip()
    return '?'

def ping(g, what):
    r = g.run('ping -c 5 -i 0.2 -W 2 10.0.9.1', timeout=30)
    if r.rc != 0 or ' 0% packet loss' not in r.out:
        diag(r.out)
        raise GuestError('ping failed (rc=%d)' % r.rc)
    return 'rtt min/avg/max %s' % rtt(r.out)

g = Guest(sock=W + '/vhost.sock', mac='52:54:00:09:00:02', ip='10.0.9.2/24',
          gw='10.0.9.1', ipv6=False, image_dir=os.environ['QHARN_IMAGE'],
          workdir=W + '/guest', keep=True,
          boot_timeout=float(os.environ.get('QHARN_BOOT_TIMEOUT', 180)),
          echo=sys.stderr if os.environ.get('QHARN_VERBOSE') else None)

def boot():
    g.start()
    open(W + '/qemu.pid', 'w').write(str(g.proc.pid))
    g.wait_ready()
    return ''

def features():
    f = g.virtio_features()
    diag('virtio features: ' + ' '.join(f))
    diag('offloads: tx csum %s, tx TSO %s, rx csum %s, rx TSO %s, mrg_rxbuf %s' % tuple(
        'yes' if x in f else 'no' for x in
        ('CSUM', 'HOST_TSO4', 'GUEST_CSUM', 'GUEST_TSO4', 'MRG_RXBUF')))
    diag(g.sh('ip link show eth0; ip -4 addr show eth0 | grep inet; ip route'))
    if 'VERSION_1' not in f:
        raise GuestError('no VERSION_1 in %s' % f)
    return ''

def ping_in():
    r = subprocess.run(['ip', 'netns', 'exec', NS, 'ping', '-c', '3', '-i', '0.2',
                        '-W', '2', '10.0.9.2'], capture_output=True, text=True,
                       timeout=30)
    if r.returncode != 0:
        diag(r.stdout + r.stderr)
        raise GuestError('ping from namespace failed')
    return 'rtt min/avg/max %s' % rtt(r.stdout)

def transfer():
    t = tcp_to_netns(g, NS, '10.0.9.1', mb=20, timeout=180)
    diag('guest sha256 %s' % t.guest_sha)
    diag('peer  sha256 %s (%s bytes)' % (t.got_sha or '?', t.got_bytes))
    if not t.intact:
        raise GuestError('nc rc=%d or mismatch: %s' % (t.rc, t.out))
    g.run('rm -f /tmp/blob')
    return '%.2f s, %.1f Mbit/s, sha256 equal' % (t.secs, t.mbit_s)

def backend_restart():
    """Stop testpmd (the guest loses carrier), start it again on the same
    socket; QEMU (client, reconnect=1) reconnects and the link comes back."""
    pid = int(open(W + '/testpmd.pid').read())
    os.kill(pid, signal.SIGTERM)
    t = time.monotonic()
    while os.path.exists('/proc/%d' % pid) and time.monotonic() - t < 15:
        try:
            if open('/proc/%d/stat' % pid).read().split()[2] == 'Z':
                break                      # our parent (bash) reaps it
        except OSError:
            break
        time.sleep(0.1)
    g.wait_carrier(up=False, timeout=15)
    down = time.monotonic() - t
    argv = open(W + '/testpmd.argv').read().split('\n')[:-1]
    log = open(W + '/testpmd.log', 'ab')
    tp = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                          stderr=log, start_new_session=True)
    open(W + '/testpmd.pid', 'w').write(str(tp.pid))
    t = time.monotonic()
    g.wait_carrier(timeout=60)
    up = time.monotonic() - t
    return 'carrier lost %.1f s after SIGTERM, back %.1f s after restart; %s' % (
        down, up, ping(g, 'backend restart'))

def reboot(method):
    def f():
        old = g.boot_id
        new = g.reboot(method)
        return 'boot_id %s -> %s, shell after %.1f s' % (old[:8], new[:8], g.boot_time)
    return f

def after(what):
    def f():
        g.wait_carrier(30)
        return ping(g, what)
    return f

def power_off():
    rc = g.shutdown(timeout=30)
    if rc != 0:
        raise GuestError('QEMU exit status %s' % rc)
    return 'QEMU exited 0'

try:
    if step('guest boots to a shell', boot):
        step('carrier and operstate up on eth0', lambda: g.wait_carrier(30) and '')
        step('virtio-net features negotiated (see # lines)', features)
        step('guest pings 10.0.9.1 through testpmd', lambda: ping(g, 'boot'))
        step('namespace pings the guest 10.0.9.2', ping_in)
        step('20 MB guest -> namespace with busybox nc, SHA-256 equal', transfer)
        step('testpmd restarted: carrier down, QEMU reconnects, ping', backend_restart)
        if step('reboot -f inside the guest', reboot('guest')):
            step('carrier and ping after in-guest reboot', after('reboot'))
        if step('QMP system_reset', reboot('reset')):
            step('carrier and ping after system_reset', after('reset'))
        if step('new QEMU process (vhost-user reconnect)', reboot('restart')):
            open(W + '/qemu.pid', 'w').write(str(g.proc.pid))
            step('carrier and ping after QEMU restart', after('restart'))
        step('clean power-off', power_off)
finally:
    g.kill()
open(W + '/n', 'w').write('%d %d\n' % (n, fails))
EOF

QHARN_HERE=$HERE QHARN_W=$W QHARN_NS=$NS QHARN_N=$N QHARN_IMAGE=$IMAGE \
	/usr/bin/python3 -u "$W/drive.py" &
PY_PID=$!
wait "$PY_PID"
PY_PID=
if [ -s "$W/n" ]; then
	read -r N FAILS <"$W/n"
else
	notok "guest driver finished"
fi

if [ "$(cat "/proc/$(cat "$W/testpmd.pid")/comm" 2>/dev/null)" = dpdk-testpmd ]; then
	ok "testpmd still running"
else
	notok "testpmd still running"
fi
if [ "$FAILS" -ne 0 ]; then
	say "--- guest console (tail) ---"
	tail -n 40 "$W/guest/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/# /'
	say "--- qemu.log ---"
	sed 's/^/# /' "$W/guest/qemu.log" 2>/dev/null | tail -n 10
	say "--- testpmd.log (tail) ---"
	grep -v '^ *$' "$W/testpmd.log" | tail -n 15 | sed 's/^/# /'
fi
finish
