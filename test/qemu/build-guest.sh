#!/bin/bash
# test/qemu/build-guest.sh OUTDIR - owns the guest image of the QEMU harness.
#
# Builds, from Debian packages only, a guest kernel and initramfs into OUTDIR:
#   OUTDIR/vmlinuz            Debian's linux-image-amd64 kernel (bookworm: 6.1)
#   OUTDIR/vmlinux            the same kernel decompressed (ELF with a PVH
#                             entry note): QEMU boots it directly, which saves
#                             the ~3-4 s of xz decompression under TCG.
#                             guest.py prefers it; absent if extraction fails.
#   OUTDIR/initramfs.cpio.gz  busybox-static + virtio-net modules + /init
#   OUTDIR/stamp              what they were built from (for idempotence)
# The kernel .deb is fetched with "apt-get download" and unpacked with
# dpkg-deb -x into a temp dir: the host's /boot and /lib/modules are untouched.
# Re-running with an up-to-date OUTDIR does nothing (same kernel package and
# version, same busybox version, same script); FORCE=1 rebuilds.
#
# The guest's /init reads from the kernel command line:
#   hnv.ip=A.B.C.D/N   address of eth0          hnv.gw=A.B.C.D  default route
#   hnv.mtu=N          MTU of eth0              hnv.mac=MAC     (re)set eth0's MAC
#   hnv.ipv6=0         disable IPv6 on eth0     hnv.dev=eth0    the interface
#   hnv.hostname=NAME  hnv.netwait=SECS  how long to wait for the NIC (10)
# then prints "HNV-GUEST-READY boot=<n>" and runs a shell on the console
# (ttyS0), respawned if it exits. Kernel messages are kept off the console
# once the shell runs (dmesg -n 1; read them with dmesg).
# Env: HNV_GUEST_KPKG=linux-image-6.1.0-NN-amd64 to pin the kernel package.
set -euo pipefail

OUT=${1:?usage: build-guest.sh OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The packages (busybox-static, cpio, xz-utils, kmod, QEMU) are the
# project's: scripts/setup.sh installs what is missing.
"$HERE/../../scripts/setup.sh" --deps >&2

log() { echo "build-guest: $*" >&2; }

# The kernel package that linux-image-amd64 points at.
kpkg_of_meta() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
KPKG=${HNV_GUEST_KPKG:-$(kpkg_of_meta)}
if [ -z "$KPKG" ]; then
	apt-get update -q >&2
	KPKG=$(kpkg_of_meta)
fi
[ -n "$KPKG" ] || { log "cannot resolve linux-image-amd64"; exit 1; }
KVER=$(apt-cache policy "$KPKG" | awk '/Candidate:/ {print $2}')
BBVER=$(dpkg-query -W -f='${Version}' busybox-static)
SELF=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
STAMP="kpkg=$KPKG kver=$KVER busybox=$BBVER script=$SELF"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -z "${FORCE:-}" ] && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initramfs.cpio.gz" ] &&
	[ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
	log "up to date: $OUT ($KPKG $KVER)"
	exit 0
fi

TMP=$(mktemp -d /tmp/qharn-build.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
mkdir "$TMP/dl" "$TMP/k" "$TMP/root"
# apt-get download drops privileges to _apt where it can: let it write.
id _apt >/dev/null 2>&1 && chown _apt "$TMP/dl"
log "downloading $KPKG $KVER"
(cd "$TMP/dl" && apt-get download -q "$KPKG=$KVER" >&2)
DEB=$(ls "$TMP"/dl/*.deb)
dpkg-deb -x "$DEB" "$TMP/k"
VMLINUZ=$(ls "$TMP"/k/boot/vmlinuz-*)
UNAME=${VMLINUZ##*/vmlinuz-}
MODDIR=$TMP/k/lib/modules/$UNAME
[ -d "$MODDIR" ] || { log "no modules dir for $UNAME"; exit 1; }

# --- modules: virtio_net and virtio_pci with their dependencies, in order ---
R=$TMP/root
mkdir -p "$R/lib/modules" "$R/etc"
ORDER=()
declare -A SEEN=()
modfile() { find "$MODDIR/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" | head -n1; }
add_mod() { # depth-first: dependencies before the module
	local m=${1//-/_} f d
	[ -n "${SEEN[$m]:-}" ] && return 0
	SEEN[$m]=1
	f=$(modfile "$m")
	if [ -z "$f" ]; then
		if grep -qE "/${m//_/[_-]}\.ko$" "$MODDIR/modules.builtin"; then
			log "module $m: built in"
			return 0
		fi
		log "module $m: not found"; return 1
	fi
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do add_mod "$d"; done
	case $f in
	*.xz) xz -dc "$f" >"$R/lib/modules/$m.ko" ;;
	*.zst) zstd -dqc "$f" >"$R/lib/modules/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$R/lib/modules/$m.ko" ;;
	*) cp "$f" "$R/lib/modules/$m.ko" ;;
	esac
	ORDER+=("$m")
}
# virtio_pci pulls virtio_ring, virtio, virtio_pci_{modern,legacy}_dev;
# virtio_net pulls failover and net_failover.
for m in virtio_pci virtio_net; do add_mod "$m"; done
printf '%s\n' "${ORDER[@]}" >"$R/etc/modules.order"
log "modules: ${ORDER[*]}"

# --- busybox: the binary and a link per applet ---
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,run,var/log}
chmod 1777 "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$R/$(dirname "$a")"
	ln -sf /bin/busybox "$R/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
echo "$UNAME" >"$R/etc/kernel-release"

cat >"$R/init" <<'EOF'
#!/bin/sh
# /init of the dpdk-hnv QEMU test guest (made by test/qemu/build-guest.sh).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
say() { echo "hnv-init: $*"; }

DEV=eth0 IP= GW= MTU= MAC= IPV6=1 HOST=guest NETWAIT=10
for arg in $(cat /proc/cmdline); do
	case $arg in
	hnv.ip=*) IP=${arg#*=} ;;
	hnv.gw=*) GW=${arg#*=} ;;
	hnv.mtu=*) MTU=${arg#*=} ;;
	hnv.mac=*) MAC=${arg#*=} ;;
	hnv.dev=*) DEV=${arg#*=} ;;
	hnv.ipv6=*) IPV6=${arg#*=} ;;
	hnv.hostname=*) HOST=${arg#*=} ;;
	hnv.netwait=*) NETWAIT=${arg#*=} ;;
	esac
done
hostname "$HOST"
ip link set lo up

for m in $(cat /etc/modules.order); do
	insmod /lib/modules/$m.ko || say "insmod $m failed"
done

i=0
while [ ! -e /sys/class/net/$DEV ] && [ $i -lt $((NETWAIT * 10)) ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /sys/class/net/$DEV ]; then
	[ "$IPV6" = 0 ] && echo 1 >/proc/sys/net/ipv6/conf/$DEV/disable_ipv6
	[ -n "$MAC" ] && { ip link set dev $DEV address "$MAC" || say "mac $MAC failed"; }
	[ -n "$MTU" ] && { ip link set dev $DEV mtu "$MTU" || say "mtu $MTU failed"; }
	ip link set dev $DEV up
	[ -n "$IP" ] && { ip addr add "$IP" dev $DEV || say "ip $IP failed"; }
	[ -n "$GW" ] && { ip route add default via "$GW" dev $DEV || say "gw $GW failed"; }
else
	say "no $DEV"
fi

# boot_id is new at each boot: a driver tells a reboot happened by it.
dmesg -n 1
echo "HNV-GUEST-READY boot=$(cat /proc/sys/kernel/random/boot_id) dev=$DEV"
while :; do
	setsid cttyhack /bin/sh -l
	sleep 0.2
done
EOF
chmod 755 "$R/init"

(cd "$R" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -9 -n >"$TMP/initramfs.cpio.gz"
install -m 644 "$VMLINUZ" "$OUT/vmlinuz.new"
# vmlinux: the payload of the bzImage, kept only if it is a whole ELF with a
# PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, CONFIG_PVH=y in Debian's kernels).
rm -f "$OUT/vmlinux"
if /usr/bin/python3 - "$VMLINUZ" "$TMP/vmlinux" <<'PY'; then
import lzma, struct, sys, zlib
bz = open(sys.argv[1], 'rb').read()
elf = None
for magic, mk in ((b'\xfd7zXZ\x00', lambda: lzma.LZMADecompressor()),
                  (b'\x1f\x8b\x08\x00', lambda: zlib.decompressobj(16 + 15))):
    i = bz.find(magic)
    if i >= 0:
        try:
            elf = mk().decompress(bz[i:])
            break
        except Exception:
            pass
if not elf or elf[:4] != b'\x7fELF' or elf[4] != 2:
    sys.exit(1)
shoff, = struct.unpack_from('<Q', elf, 0x28)
phoff, = struct.unpack_from('<Q', elf, 0x20)
phentsize, phnum, shentsize, shnum = struct.unpack_from('<HHHH', elf, 0x36)
if shoff + shentsize * shnum > len(elf):
    sys.exit(1)                       # truncated
pvh = False
for k in range(phnum):
    ptype, _, off, _, _, filesz = struct.unpack_from('<IIQQQQ', elf, phoff + k * phentsize)
    if ptype != 4:                    # PT_NOTE
        continue
    j = off
    while j + 12 <= off + filesz:
        nsz, dsz, typ = struct.unpack_from('<III', elf, j)
        name = elf[j + 12:j + 12 + nsz].rstrip(b'\0')
        if name == b'Xen' and typ == 18:
            pvh = True
        j += 12 + (nsz + 3) // 4 * 4 + (dsz + 3) // 4 * 4
if not pvh:
    sys.exit(1)
open(sys.argv[2], 'wb').write(elf)
PY
	install -m 644 "$TMP/vmlinux" "$OUT/vmlinux"
else
	log "no PVH vmlinux extracted; guests boot the bzImage"
fi
install -m 644 "$TMP/initramfs.cpio.gz" "$OUT/initramfs.cpio.gz.new"
mv -f "$OUT/vmlinuz.new" "$OUT/vmlinuz"
mv -f "$OUT/initramfs.cpio.gz.new" "$OUT/initramfs.cpio.gz"
echo "$STAMP" >"$OUT/stamp"
log "built $OUT: vmlinuz $(stat -c %s "$OUT/vmlinuz") B, vmlinux $(stat -c %s "$OUT/vmlinux" 2>/dev/null || echo -) B, initramfs $(stat -c %s "$OUT/initramfs.cpio.gz") B ($UNAME)"
