#!/usr/bin/python3
"""test/qemu/guest.py - owns booting and driving a QEMU Linux guest whose NIC
is a vhost-user port (virtio-net-pci), for dpdk-hnv's tests.

The guest image (kernel + busybox initramfs) comes from build-guest.sh; this
module builds it on demand into HNV_GUEST_IMAGE (default
/var/tmp/hnv-guest-image). Standard library only; run with /usr/bin/python3.

Library:
    from guest import Guest
    with Guest(sock='/tmp/vm1.sock', mac='52:54:00:00:00:02',
               ip='10.0.9.2/24', gw='10.0.9.1') as g:   # boots
        g.wait_carrier()
        r = g.run('ping -c 3 10.0.9.1')                  # r.rc, r.out
        out = g.sh('cat /proc/net/dev')                  # raises if rc != 0
        g.reboot()                                       # 'guest'|'reset'|'restart'
    # leaving the block powers the guest off (kill after a timeout)

CLI (steps run in the order given; exit status 0 only if all succeed):
    guest.py boot --sock S --mac M --ip 10.1.1.12/24 [--gw G] [--mtu N]
                  [--queues N] [--sock-mode client|server] [--carrier]
                  [--run CMD]... [--reboot guest|reset|restart] [--console]
    guest.py build [OUTDIR]

Serial console: a unix socket in the work dir (QEMU waits for us to connect,
so no output is lost); everything it prints is also in WORKDIR/console.log.
QEMU's own messages are in WORKDIR/qemu.log. A QMP socket drives resets.
Each command is sent as
    echo "__BEGIN_<tok>__"; { CMD
    } </dev/null; echo "__RC_<tok>=$?__"
on a shell with echo off, and its output is what lies between the markers.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_IMAGE = os.environ.get('HNV_GUEST_IMAGE', '/var/tmp/hnv-guest-image')
QEMU = os.environ.get('HNV_QEMU', 'qemu-system-x86_64')

# virtio-net feature bits (virtio spec 1.2, 5.1.3) and transport bits.
VIRTIO_NET_FEATURES = {
    0: 'CSUM', 1: 'GUEST_CSUM', 2: 'CTRL_GUEST_OFFLOADS', 3: 'MTU', 5: 'MAC',
    7: 'GUEST_TSO4', 8: 'GUEST_TSO6', 9: 'GUEST_ECN', 10: 'GUEST_UFO',
    11: 'HOST_TSO4', 12: 'HOST_TSO6', 13: 'HOST_ECN', 14: 'HOST_UFO',
    15: 'MRG_RXBUF', 16: 'STATUS', 17: 'CTRL_VQ', 18: 'CTRL_RX',
    19: 'CTRL_VLAN', 20: 'CTRL_RX_EXTRA', 21: 'GUEST_ANNOUNCE', 22: 'MQ',
    23: 'CTRL_MAC_ADDR', 24: 'NOTIFY_ON_EMPTY', 27: 'ANY_LAYOUT',
    28: 'RING_INDIRECT_DESC', 29: 'RING_EVENT_IDX', 30: 'PROTOCOL_FEATURES',
    32: 'VERSION_1', 33: 'ACCESS_PLATFORM', 34: 'RING_PACKED',
    35: 'IN_ORDER', 36: 'ORDER_PLATFORM', 37: 'SR_IOV', 38: 'NOTIFICATION_DATA',
    52: 'VQ_NOTF_COAL', 53: 'NOTF_COAL', 54: 'GUEST_USO4', 55: 'GUEST_USO6',
    56: 'HOST_USO', 57: 'HASH_REPORT', 59: 'GUEST_HDRLEN', 60: 'RSS',
    61: 'RSC_EXT', 62: 'STANDBY', 63: 'SPEED_DUPLEX',
}


class GuestError(Exception):
    pass


class GuestTimeout(GuestError):
    pass


class Result:
    """Output (str, '\\r' removed) and exit status of one guest command."""

    def __init__(self, cmd, rc, out, secs):
        self.cmd, self.rc, self.out, self.secs = cmd, rc, out, secs

    @property
    def ok(self):
        return self.rc == 0

    def __repr__(self):
        return 'Result(rc=%d, %.2fs, %r)' % (self.rc, self.secs, self.out[-200:])


def ensure_image(image_dir=DEFAULT_IMAGE, quiet=False, bzimage=False):
    """Build (or reuse) the guest image; returns (kernel, initramfs).

    The kernel is the decompressed PVH vmlinux when build-guest.sh made one
    (QEMU enters it directly: ~3-4 s less boot under TCG), else the bzImage;
    bzimage=True (or HNV_GUEST_BZIMAGE=1) always takes the bzImage."""
    k = os.path.join(image_dir, 'vmlinuz')
    i = os.path.join(image_dir, 'initramfs.cpio.gz')
    if not (os.path.exists(k) and os.path.exists(i)) or \
            os.environ.get('HNV_GUEST_REBUILD'):
        subprocess.run([os.path.join(HERE, 'build-guest.sh'), image_dir],
                       check=True,
                       stderr=subprocess.DEVNULL if quiet else None)
    pvh = os.path.join(image_dir, 'vmlinux')
    if os.path.exists(pvh) and not bzimage and \
            not os.environ.get('HNV_GUEST_BZIMAGE'):
        k = pvh
    return k, i


class _QMP:
    """Minimal QMP client (one command at a time, events are skipped)."""

    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.settimeout(timeout)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise GuestError('cannot connect to QMP at ' + path)
                time.sleep(0.1)
        self.f = self.s.makefile('rwb', buffering=0)
        self._read()                      # greeting
        self.cmd('qmp_capabilities')

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise GuestError('QMP connection closed')
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def cmd(self, name, **args):
        req = {'execute': name}
        if args:
            req['arguments'] = args
        self.f.write(json.dumps(req).encode() + b'\n')
        msg = self._read()
        if 'error' in msg:
            raise GuestError('QMP %s: %s' % (name, msg['error']))
        return msg.get('return')

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Guest:
    """One QEMU guest with (at most) one vhost-user virtio-net NIC.

    sock       vhost-user socket path (None: no NIC)
    sock_mode  'client': QEMU connects to a backend listening on sock
               (reconnect= seconds between retries, so the backend may come
               up after QEMU and may restart); 'server': QEMU listens and
               blocks before booting until the backend connects - call
               start(), start the backend, then wait_ready().
    queues     vhost-user queue pairs (>1 adds mq=on; the guest enables
               min(queues, smp) pairs)
    ip/gw/mtu/ipv6/hostname  eth0 configuration done by the guest's /init
    image_dir  build-guest.sh OUTDIR (built on first use); or give kernel
               and initrd; bzimage=True boots vmlinuz instead of vmlinux
    boot_timeout, cmd_timeout  seconds (TCG: boot to shell is ~5-40 s)
    workdir    where sockets and logs go (default: a new temp dir, removed
               by close() unless keep=True)
    """

    def __init__(self, sock=None, mac='52:54:00:12:34:56', ip=None, gw=None,
                 mtu=None, ipv6=True, hostname='guest', queues=1,
                 sock_mode='client', reconnect=1, smp=1, mem=512,
                 image_dir=DEFAULT_IMAGE, kernel=None, initrd=None,
                 append='', extra_args=(), boot_timeout=120, cmd_timeout=60,
                 workdir=None, keep=False, name='hnv-guest', echo=None,
                 virtio_opts='', bzimage=False):
        if sock_mode not in ('client', 'server'):
            raise ValueError('sock_mode must be client or server')
        self.sock, self.mac, self.ip, self.gw, self.mtu = sock, mac, ip, gw, mtu
        self.ipv6, self.hostname, self.queues = ipv6, hostname, int(queues)
        self.sock_mode, self.reconnect = sock_mode, reconnect
        self.smp, self.mem = int(smp), int(mem)
        self.image_dir, self.kernel, self.initrd = image_dir, kernel, initrd
        self.append, self.extra_args = append, list(extra_args)
        self.boot_timeout, self.cmd_timeout = boot_timeout, cmd_timeout
        self.keep, self.name, self.echo = keep, name, echo
        self.virtio_opts, self.bzimage = virtio_opts, bzimage
        self._own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix='qharn-guest-')
        os.makedirs(self.workdir, exist_ok=True)
        self.serial_path = os.path.join(self.workdir, 'serial.sock')
        self.qmp_path = os.path.join(self.workdir, 'qmp.sock')
        self.console_log = os.path.join(self.workdir, 'console.log')
        self.qemu_log = os.path.join(self.workdir, 'qemu.log')
        self.proc = None
        self._qmp = None
        self._ser = None
        self._buf = bytearray()
        self._pos = 0
        self._eof = False
        self._cv = threading.Condition()
        self._reader = None
        self.boot_id = None
        self.boot_time = None     # seconds from start() to a usable shell
        self.boots = 0

    # ---------------------------------------------------------------- QEMU
    def qemu_argv(self):
        if not (self.kernel and self.initrd):
            self.kernel, self.initrd = ensure_image(self.image_dir,
                                                    bzimage=self.bzimage)
        cmdline = ['console=ttyS0,115200', 'panic=-1', 'rdinit=/init',
                   'hnv.hostname=%s' % self.hostname]
        if self.ip:
            cmdline.append('hnv.ip=%s' % self.ip)
        if self.gw:
            cmdline.append('hnv.gw=%s' % self.gw)
        if self.mtu:
            cmdline.append('hnv.mtu=%s' % self.mtu)
        if not self.ipv6:
            cmdline.append('hnv.ipv6=0')
        if not self.sock:
            cmdline.append('hnv.netwait=0')
        if self.append:
            cmdline.append(self.append)
        a = [QEMU, '-name', self.name,
             '-machine', 'q35,accel=tcg', '-cpu', 'max',
             '-smp', str(self.smp), '-m', str(self.mem),
             '-nographic', '-nodefaults', '-no-reboot',
             '-object', 'memory-backend-memfd,id=mem,size=%dM,share=on' % self.mem,
             '-numa', 'node,memdev=mem',
             '-kernel', self.kernel, '-initrd', self.initrd,
             '-append', ' '.join(cmdline),
             '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path,
             '-chardev', 'socket,id=ser0,path=%s,server=on,wait=on' % self.serial_path,
             '-serial', 'chardev:ser0']
        if self.sock:
            if self.sock_mode == 'server':
                ch = 'socket,id=c0,path=%s,server=on,wait=off' % self.sock
            else:
                ch = 'socket,id=c0,path=%s' % self.sock
                if self.reconnect:
                    ch += ',reconnect=%d' % self.reconnect
            nd = 'vhost-user,id=n0,chardev=c0'
            dev = 'virtio-net-pci,netdev=n0,mac=%s,vectors=0' % self.mac
            if self.queues > 1:
                nd += ',queues=%d' % self.queues
                dev += ',mq=on'
            if self.virtio_opts:
                dev += ',' + self.virtio_opts
            a += ['-chardev', ch, '-netdev', nd, '-device', dev]
        return a + self.extra_args

    def start(self):
        """Spawn QEMU and attach to its serial console (no wait for boot)."""
        if self.proc and self.proc.poll() is None:
            raise GuestError('already running')
        argv = self.qemu_argv()
        for p in (self.serial_path, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        self._t0 = time.monotonic()
        with open(self.qemu_log, 'ab') as log:
            log.write(('+ %s\n' % ' '.join(argv)).encode())
            log.flush()
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log,
                                         start_new_session=True)
        with self._cv:
            self._buf = bytearray()
            self._pos = 0
            self._eof = False
        deadline = time.monotonic() + 30
        while True:
            self._check_alive()
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.serial_path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    self.kill()
                    raise GuestError('QEMU serial socket never appeared')
                time.sleep(0.05)
        self._ser = s
        self._reader = threading.Thread(target=self._read_loop, args=(s,),
                                        daemon=True)
        self._reader.start()
        return self

    def _read_loop(self, s):
        with open(self.console_log, 'ab') as log:
            while True:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b''
                if d:
                    log.write(d)
                    log.flush()
                    if self.echo:
                        self.echo.write(d.decode('utf-8', 'replace'))
                        self.echo.flush()
                with self._cv:
                    if not d:
                        self._eof = True
                    else:
                        self._buf += d
                    self._cv.notify_all()
                if not d:
                    return

    def _check_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            rc = None if self.proc is None else self.proc.returncode
            raise GuestError('QEMU is not running (exit %s); %s' %
                             (rc, self._diag()))

    def _diag(self):
        def tail(p, n=1500):
            try:
                with open(p, 'rb') as f:
                    return f.read()[-n:].decode('utf-8', 'replace')
            except OSError:
                return ''
        return 'qemu.log tail:\n%s\nconsole tail:\n%s' % (
            tail(self.qemu_log, 800), tail(self.console_log))

    def qmp(self, name, **args):
        """Send one QMP command; returns its 'return' value."""
        self._check_alive()
        if self._qmp is None:
            self._qmp = _QMP(self.qmp_path, 10)
        return self._qmp.cmd(name, **args)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # -------------------------------------------------------------- serial
    def send(self, data):
        """Write raw bytes/str to the serial console."""
        if isinstance(data, str):
            data = data.encode()
        self._ser.sendall(data)

    def expect(self, pattern, timeout):
        """Wait for regex (bytes or str) in console output after the last
        match; returns the re.Match on the console buffer (read its groups
        before the next run(), which drops consumed output)."""
        if isinstance(pattern, str):
            rx = re.compile(pattern.encode())
        else:
            rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                m = rx.search(self._buf, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self._eof or (self.proc and self.proc.poll() is not None):
                    raise GuestError('guest went away waiting for %r; %s' %
                                     (rx.pattern, self._diag()))
                if left <= 0:
                    raise GuestTimeout('timeout (%ss) waiting for %r; %s' %
                                       (timeout, rx.pattern, self._diag()))
                self._cv.wait(min(left, 0.5))

    def _sync(self, timeout):
        """Put the shell in driver mode (no echo, no prompts) and drain."""
        deadline = time.monotonic() + timeout
        setup = "stty -echo -onlcr; PS1=''; PS2=''; export PS1 PS2"
        while True:
            tok = uuid.uuid4().hex[:12]
            self.send('\n%s; echo "__SY""NC_%s__"\n' % (setup, tok))
            try:
                self.expect(r'__SYNC_%s__' % tok,
                            min(3, max(0.1, deadline - time.monotonic())))
                break
            except GuestTimeout:
                if time.monotonic() > deadline:
                    raise
        # Earlier attempts may still print: one more marker orders them out.
        tok = uuid.uuid4().hex[:12]
        self.send('echo "__SY""NC_%s__"\n' % tok)
        self.expect(r'__SYNC_%s__\n' % tok, 10)

    def wait_ready(self, timeout=None):
        """Wait for /init's READY marker and a driver-mode shell."""
        timeout = self.boot_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        m = self.expect(rb'HNV-GUEST-READY boot=(\S+) dev=', timeout)
        self.boot_id = m.group(1).decode()
        self._sync(max(5, deadline - time.monotonic()))
        self.boot_time = time.monotonic() - self._t0
        self.boots += 1
        return self

    def boot(self, timeout=None):
        """start() + wait_ready()."""
        self.start()
        try:
            return self.wait_ready(timeout)
        except BaseException:
            self.kill()
            raise

    # ------------------------------------------------------------ commands
    def run(self, cmd, timeout=None, check=False, stdin_null=True):
        """Run a shell command in the guest; returns Result(rc, out).

        The shell is persistent (cd and variables stay), so don't 'exit'.
        One line of the command must be < 4000 bytes (tty line limit); use
        write_file() for data. On timeout the command gets ^C, the shell is
        resynced and GuestTimeout is raised."""
        timeout = self.cmd_timeout if timeout is None else timeout
        tok = uuid.uuid4().hex[:12]
        redir = ' </dev/null' if stdin_null else ''
        t0 = time.monotonic()
        self.send('echo "__BE""GIN_%s__"; { %s\n}%s; echo "__R""C_%s=$?__"\n'
                  % (tok, cmd, redir, tok))
        try:
            self.expect(r'__BEGIN_%s__\n' % tok, timeout)
            start = self._pos
            m = self.expect(r'__RC_%s=(\d+)__\n' % tok,
                            max(0.1, timeout - (time.monotonic() - t0)))
        except GuestTimeout:
            self.interrupt()
            raise GuestTimeout('guest command timed out after %ss: %s'
                               % (timeout, cmd))
        with self._cv:
            out = bytes(self._buf[start:m.start()])
            rc = int(m.group(1))
            # Consumed: keep the buffer small. (A match object reads the
            # live bytearray, so take what it says before this.)
            del self._buf[:self._pos]
            self._pos = 0
        res = Result(cmd, rc, out.decode('utf-8', 'replace')
                     .replace('\r', ''), time.monotonic() - t0)
        if check and res.rc != 0:
            raise GuestError('guest command failed (rc=%d): %s\n%s'
                             % (res.rc, cmd, res.out))
        return res

    def sh(self, cmd, timeout=None):
        """run(check=True) and return the output."""
        return self.run(cmd, timeout, check=True).out

    def interrupt(self, timeout=15):
        """^C the foreground command and resync the shell."""
        self.send(b'\x03')
        time.sleep(0.2)
        self._sync(timeout)

    def write_file(self, path, data, mode=None):
        """Write bytes/str to a file in the guest (base64 over the console)."""
        import base64
        if isinstance(data, str):
            data = data.encode()
        b = base64.b64encode(data).decode()
        self.sh(': > %s.b64' % path)
        for i in range(0, len(b), 3000):
            self.sh("echo '%s' >> %s.b64" % (b[i:i + 3000], path))
        self.sh('base64 -d %s.b64 > %s && rm %s.b64' % (path, path, path))
        if mode is not None:
            self.sh('chmod %o %s' % (mode, path))

    def wait_carrier(self, timeout=30, dev='eth0', up=True):
        """Wait until DEV has carrier and operstate "up" (up=True), or has
        lost carrier (up=False). carrier turns 1 before linkwatch sets
        operstate and activates the qdisc (~0.5-1 s later); packets sent in
        between are dropped, so "up" waits for both."""
        n = int(timeout / 0.1) + 1
        d = '/sys/class/net/%s' % dev
        if up:
            cond = ('[ "$(cat %s/carrier 2>/dev/null)" = 1 ] && '
                    '[ "$(cat %s/operstate 2>/dev/null)" = up ]' % (d, d))
        else:
            cond = '[ "$(cat %s/carrier 2>/dev/null)" = 0 ]' % d
        r = self.run('i=0; until %s; do i=$((i+1)); [ $i -gt %d ] && break;'
                     ' sleep 0.1; done; %s' % (cond, n, cond),
                     timeout=timeout + 15)
        if r.rc != 0:
            st = self.run('cat %s/carrier %s/operstate' % (d, d)).out.split()
            raise GuestTimeout('%s: no %s after %ss (carrier/operstate: %s)'
                               % (dev, 'carrier' if up else 'carrier loss',
                                  timeout, ' '.join(st)))
        return True

    def virtio_features(self, dev='eth0'):
        """Negotiated virtio feature names of DEV's device (from sysfs)."""
        bits = self.sh('cat /sys/class/net/%s/device/features' % dev).strip()
        return [VIRTIO_NET_FEATURES.get(i, 'bit%d' % i)
                for i, c in enumerate(bits) if c == '1']

    # ------------------------------------------------------ reboot / stop
    def reboot(self, method='guest', timeout=None):
        """Reboot and wait for the shell again.

        'guest'   'reboot -f' inside the guest (virtio device reset; the
                  vhost-user connection stays)
        'reset'   QMP system_reset (hard reset, same QEMU process)
        'restart' power off and start a new QEMU process (the vhost-user
                  connection is closed and made again)
        Returns the new boot_id."""
        timeout = self.boot_timeout if timeout is None else timeout
        old = self.boot_id
        if method == 'restart':
            self.shutdown()
            self.start()
            self.wait_ready(timeout)
        elif method in ('guest', 'reset'):
            # -no-reboot turns resets into exits: lift it for this reset.
            self.qmp('set-action', reboot='reset')
            self._t0 = time.monotonic()
            if method == 'guest':
                self.send('sync; reboot -f\n')
            else:
                self.qmp('system_reset')
            try:
                self.wait_ready(timeout)
            finally:
                if self.running:
                    self.qmp('set-action', reboot='shutdown')
        else:
            raise ValueError('reboot method: guest, reset or restart')
        if self.boot_id == old:
            raise GuestError('boot_id unchanged after reboot')
        return self.boot_id

    def _stop_io(self):
        if self._qmp:
            self._qmp.close()
            self._qmp = None
        if self._ser:
            try:
                self._ser.close()
            except OSError:
                pass
            self._ser = None
        if self._reader:
            self._reader.join(5)
            self._reader = None

    def shutdown(self, timeout=30):
        """Power off from inside the guest; quit via QMP, then kill, if the
        guest does not go in time. Returns QEMU's exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.send('sync; poweroff -f\n')
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    self.qmp('quit')
                    self.proc.wait(10)
                except (GuestError, OSError, subprocess.TimeoutExpired):
                    pass
        return self.kill()

    def kill(self):
        """Kill QEMU now (SIGKILL to its process group)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()
        self._stop_io()
        return self.proc.returncode

    def close(self):
        self.shutdown()
        if self._own_workdir and not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        if not self.running:
            self.boot()
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------- console
    def interact(self):
        """Hand the console to the user's terminal; Ctrl-] detaches."""
        import termios
        import tty
        self.send('stty echo onlcr; PS1="\\h# "; export PS1\n')
        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd) if os.isatty(fd) else None
        sys.stderr.write('[console: Ctrl-] to detach]\n')
        with self._cv:
            pos = len(self._buf)
        try:
            if old:
                tty.setraw(fd)
            while self.running:
                r, _, _ = select.select([fd], [], [], 0.1)
                with self._cv:
                    new = bytes(self._buf[pos:])
                    pos = len(self._buf)
                if new:
                    os.write(sys.stdout.fileno(), new)
                if fd in r:
                    d = os.read(fd, 1024)
                    if not d or b'\x1d' in d:
                        break
                    self.send(d)
        finally:
            if old:
                termios.tcsetattr(fd, termios.TCSADRAIN, old)
            sys.stderr.write('\n')
        if self.running:
            with self._cv:
                self._pos = len(self._buf)
            self._sync(15)


# ------------------------------------------------------------- transfers
_LISTENER = r'''
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(120)
print("listening", flush=True)
c, _ = s.accept(); c.settimeout(60); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(262144)
    if not d:
        break
    h.update(d); n += len(d)
print(n, h.hexdigest(), flush=True)
'''


class Transfer:
    """What tcp_to_netns measured: the guest's SHA-256 of what it sent, what
    the listener received (bytes, SHA-256), the seconds nc took."""

    def __init__(self, size, guest_sha, got_bytes, got_sha, secs, rc, out):
        self.size, self.guest_sha, self.secs = size, guest_sha, secs
        self.got_bytes, self.got_sha, self.rc, self.out = got_bytes, got_sha, rc, out

    @property
    def intact(self):
        return self.rc == 0 and self.got_bytes == self.size and self.got_sha == self.guest_sha

    @property
    def mbit_s(self):
        return self.size * 8 / self.secs / 1e6 if self.secs > 0 else 0.0


def tcp_to_netns(g, ns, ip, port=5001, mb=20, timeout=240, reuse_blob=False):
    """Send MB MiB of random data from guest G (busybox nc) to a listener on
    IP:PORT in network namespace NS (Debian's python3 there), and return a
    Transfer. The data is made in the guest as /tmp/blob (kept, and reused
    when reuse_blob is set, for repeated runs)."""
    size = mb << 20
    if not reuse_blob:
        g.sh('dd if=/dev/urandom of=/tmp/blob bs=1M count=%d 2>/dev/null' % mb, timeout=120)
    gsha = g.sh('sha256sum /tmp/blob', timeout=60).split()[0]
    lst = subprocess.Popen(['ip', 'netns', 'exec', ns, '/usr/bin/python3', '-c', _LISTENER,
                            ip, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        if lst.stdout.readline().strip() != 'listening':
            raise GuestError('listener in %s did not start' % ns)
        t = time.monotonic()
        r = g.run('nc -w 10 %s %d < /tmp/blob' % (ip, port), timeout=timeout)
        secs = time.monotonic() - t
        got = lst.stdout.readline().split()
        lst.wait(30)
    finally:
        if lst.poll() is None:
            lst.kill()
            lst.wait()
    return Transfer(size, gsha, int(got[0]) if got else -1, got[1] if len(got) > 1 else '',
                    secs, r.rc, r.out)


# ------------------------------------------------------------------- CLI
def _cli(argv=None):
    ap = argparse.ArgumentParser(
        prog='guest.py', description='Boot and drive a vhost-user QEMU guest.')
    sub = ap.add_subparsers(dest='what', required=True)
    b = sub.add_parser('build', help='build or reuse the guest image')
    b.add_argument('outdir', nargs='?', default=DEFAULT_IMAGE)
    p = sub.add_parser('boot', help='boot a guest and run steps')
    p.add_argument('--sock', help='vhost-user socket (none: no NIC)')
    p.add_argument('--sock-mode', choices=('client', 'server'), default='client',
                   help='QEMU side of the vhost-user socket (default client)')
    p.add_argument('--reconnect', type=int, default=1,
                   help='client mode: seconds between reconnects (0: none)')
    p.add_argument('--mac', default='52:54:00:12:34:56')
    p.add_argument('--ip', help='eth0 address, A.B.C.D/N')
    p.add_argument('--gw')
    p.add_argument('--mtu', type=int)
    p.add_argument('--no-ipv6', action='store_true')
    p.add_argument('--queues', type=int, default=1)
    p.add_argument('--smp', type=int, default=1)
    p.add_argument('--mem', type=int, default=512, help='MiB')
    p.add_argument('--image', default=DEFAULT_IMAGE, help='build-guest.sh OUTDIR')
    p.add_argument('--append', default='', help='extra kernel command line')
    p.add_argument('--bzimage', action='store_true',
                   help='boot vmlinuz (not the PVH vmlinux)')
    p.add_argument('--boot-timeout', type=float, default=120)
    p.add_argument('--timeout', type=float, default=60, help='per command')
    p.add_argument('--workdir')
    p.add_argument('--keep', action='store_true', help='keep the work dir')
    p.add_argument('--verbose', '-v', action='store_true',
                   help='copy the console to stderr')
    p.add_argument('--json', action='store_true',
                   help='print one JSON object per step on stdout')
    p.add_argument('--carrier', dest='steps', action='append_const',
                   const=('carrier', None), help='step: wait for carrier')
    p.add_argument('--run', dest='steps', action='append',
                   type=lambda s: ('run', s), metavar='CMD', help='step: run CMD')
    p.add_argument('--reboot', dest='steps', action='append',
                   type=lambda s: ('reboot', s), metavar='guest|reset|restart',
                   help='step: reboot')
    p.add_argument('--console', dest='steps', action='append_const',
                   const=('console', None), help='step: interactive console')
    a = ap.parse_args(argv)

    if a.what == 'build':
        ensure_image(a.outdir)
        print(a.outdir)
        return 0

    def emit(obj, text=None):
        if a.json:
            print(json.dumps(obj), flush=True)
        elif text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()

    g = Guest(sock=a.sock, sock_mode=a.sock_mode, reconnect=a.reconnect,
              mac=a.mac, ip=a.ip, gw=a.gw, mtu=a.mtu, ipv6=not a.no_ipv6,
              queues=a.queues, smp=a.smp, mem=a.mem, image_dir=a.image,
              append=a.append, bzimage=a.bzimage, boot_timeout=a.boot_timeout,
              cmd_timeout=a.timeout, workdir=a.workdir, keep=a.keep,
              echo=sys.stderr if a.verbose else None)
    status = 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        g.boot()
        emit({'step': 'boot', 'ok': True, 'secs': round(g.boot_time, 2),
              'boot_id': g.boot_id, 'workdir': g.workdir})
        sys.stderr.write('guest.py: shell after %.1fs (workdir %s)\n'
                         % (g.boot_time, g.workdir))
        for kind, arg in a.steps or []:
            if kind == 'run':
                r = g.run(arg)
                emit({'step': 'run', 'cmd': arg, 'rc': r.rc, 'out': r.out,
                      'secs': round(r.secs, 3)}, r.out)
                if r.rc != 0:
                    sys.stderr.write('guest.py: rc=%d: %s\n' % (r.rc, arg))
                    status = status or r.rc
            elif kind == 'carrier':
                t = time.monotonic()
                g.wait_carrier(a.timeout)
                emit({'step': 'carrier', 'ok': True,
                      'secs': round(time.monotonic() - t, 2)})
            elif kind == 'reboot':
                t = time.monotonic()
                bid = g.reboot(arg)
                emit({'step': 'reboot', 'method': arg, 'boot_id': bid,
                      'secs': round(time.monotonic() - t, 2)})
            elif kind == 'console':
                g.interact()
    except (GuestError, KeyboardInterrupt) as e:
        sys.stderr.write('guest.py: %s\n' % e)
        emit({'step': 'error', 'error': str(e)})
        status = status or 1
    finally:
        g.close()
        if a.keep:
            sys.stderr.write('guest.py: kept %s\n' % g.workdir)
    return status


if __name__ == '__main__':
    sys.exit(_cli())
