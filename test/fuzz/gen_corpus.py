#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# test/fuzz/gen_corpus.py: write the small seed corpora of the fuzz harnesses
# into test/fuzz/corpus/<harness>/ (plain struct packing, no scapy). Seeds are
# a few valid inputs per harness, addressed as in the figure-8 scenario of
# host 2 (config/figure8-host2.json), and for fuzz_pipeline a few frames of
# EtherType IPv4 with a broken IPv4 header, from a VM and inside VXLAN/NVGRE
# on the uplink, which its property "malformed IPv4 is dropped" judges.
# Re-run after changing it; the output is deterministic.
import os
import shutil
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip(s):
    return bytes(int(x) for x in s.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, src, etype, vlan=0):
    if vlan:
        return mac(dst) + mac(src) + struct.pack("!HHH", 0x8100, vlan, etype)
    return mac(dst) + mac(src) + struct.pack("!H", etype)


def ipv4(src, dst, proto, payload, ttl=64, df=True):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000 if df else 0,
                    ttl, proto, 0, ip(src), ip(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv4_broken(vihl, src, dst, payload=b"", keep=None):
    """An IPv4 packet whose version/IHL byte is @vihl (checksum recomputed over
    the first 20 bytes), cut to @keep bytes if given."""
    h = bytes([vihl]) + ipv4(src, dst, 17, payload)[1:]
    h = h[:10] + b"\0\0" + h[12:]
    h = h[:10] + struct.pack("!H", csum(h[:20])) + h[12:]
    return h if keep is None else h[:keep]


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_syn(sport, dport):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)


def dhcp_client(chaddr, msg_type, extra=b""):
    """A client's DHCP message (BOOTREQUEST) from 0.0.0.0 to the broadcast."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1234, 0, 0, b"\0" * 4,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, mac(chaddr) + b"\0" * 10, b"", b"")
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, msg_type]) + extra + b"\xff"
    return (eth("ff:ff:ff:ff:ff:ff", chaddr, 0x0800)
            + ipv4("0.0.0.0", "255.255.255.255", 17, udp(68, 67, bootp + opts)))


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def icmp6(src, dst, body, hlim=255):
    """IPv6 + ICMPv6 (checksum over the pseudo-header), no extension headers."""
    ph = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(ph + body[:2] + b"\0\0" + body[4:])) + body[4:]
    return struct.pack("!IHBB", 0x60000000, len(body), 58, hlim) + ip6(src) + ip6(dst) + body


def pad60(f):
    return f + b"\0" * max(0, 60 - len(f))


def arp(op, sha, spa, tha, tpa, dst=None, vlan=0):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac(sha), ip(spa), mac(tha),
                       ip(tpa))
    return pad60(eth(dst or "ff:ff:ff:ff:ff:ff", sha, 0x0806, vlan) + body)


HOST_MAC, GW_MAC = "02:00:00:02:00:20", "02:00:00:02:00:01"
PA_LOCAL, PA_REMOTE = "192.168.2.20", "192.168.1.10"
C_WEB, C_REMOTE = "02:50:01:00:00:12", "02:50:01:00:00:11"
F_WEB, F_REMOTE = "02:60:01:00:00:12", "02:60:01:00:00:11"
ROUTER_MAC = "02:00:5e:00:01:01"


def inner_udp(dst, src, sip, dip):
    return eth(dst, src, 0x0800) + ipv4(sip, dip, 17, udp(1234, 80, b"hello"))


def vxlan(vni, inner, vlan=0):
    v = struct.pack("!BBHI", 0x08, 0, 0, vni << 8) + inner
    return eth(HOST_MAC, GW_MAC, 0x0800, vlan) + ipv4(PA_REMOTE, PA_LOCAL, 17,
                                                      udp(49152 + 77, 4789, v))


def nvgre(vsid, flow, inner):
    g = struct.pack("!HHI", 0x2000, 0x6558, (vsid << 8) | flow) + inner
    return eth(HOST_MAC, GW_MAC, 0x0800) + ipv4(PA_REMOTE, PA_LOCAL, 47, g)


VXLAN = vxlan(5001, inner_udp(C_WEB, C_REMOTE, "10.1.1.11", "10.1.1.12"))
VXLAN_F = vxlan(6001, inner_udp(F_WEB, F_REMOTE, "10.1.1.11", "10.1.1.12"))
VXLAN_VLAN = vxlan(6001, inner_udp(F_WEB, F_REMOTE, "10.1.1.11", "10.1.1.12"), vlan=100)
NVGRE = nvgre(6001, 0x2a, inner_udp(F_WEB, F_REMOTE, "10.1.1.11", "10.1.1.12"))
ARP_REQ = arp(1, C_WEB, "10.1.1.12", "00:00:00:00:00:00", "10.1.1.11")
ARP_REQ_GW = arp(1, C_WEB, "10.1.1.12", "00:00:00:00:00:00", "10.1.1.1")
ARP_REQ_VLAN = arp(1, F_WEB, "10.1.1.12", "00:00:00:00:00:00", "10.1.1.11", vlan=42)
ARP_REPLY_GW = arp(2, GW_MAC, "192.168.2.1", HOST_MAC, PA_LOCAL, dst=HOST_MAC)
ARP_REQ_PA = arp(1, GW_MAC, "192.168.2.1", "00:00:00:00:00:00", PA_LOCAL)
VM_UDP = inner_udp(C_REMOTE, C_WEB, "10.1.1.12", "10.1.1.11")
VM_TCP = eth(F_REMOTE, F_WEB, 0x0800) + ipv4("10.1.1.12", "10.1.1.11", 6, tcp_syn(40000, 443))
# Over the harness's underlay MTU (1000) once encapsulated: with DF (an ICMP
# "fragmentation needed" back) and without (fragmented, then encapsulated).
VM_BIG_DF = eth(C_REMOTE, C_WEB, 0x0800) + ipv4("10.1.1.12", "10.1.1.11", 17,
                                                udp(7000, 9, bytes(range(256)) * 5))
VM_BIG = eth(C_REMOTE, C_WEB, 0x0800) + ipv4("10.1.1.12", "10.1.1.11", 17,
                                             udp(7001, 9, bytes(range(256)) * 5), df=False)
VM_ROUTED = eth(ROUTER_MAC, C_WEB, 0x0800) + ipv4("10.1.1.12", "8.8.8.8", 17,
                                                  udp(5353, 53, b"q"))

# EtherType IPv4, IPv4 header broken (to a known destination, so that a
# frame switched as non-IP would be encapsulated or decapsulated): version
# not 4, IHL < 5, IHL * 4 past the frame, frame shorter than 14 + 20 bytes.
HELLO = udp(1234, 80, b"hello")


def vm_bad(dst, src, vihl, keep=None, pad=True):
    f = eth(dst, src, 0x0800) + ipv4_broken(vihl, "10.1.1.12", "10.1.1.11", HELLO, keep)
    return pad60(f) if pad else f


def inner_bad(dst, src, vihl, keep=None):
    return eth(dst, src, 0x0800) + ipv4_broken(vihl, "10.1.1.11", "10.1.1.12", HELLO, keep)


VM_BAD_VERSION = vm_bad(C_REMOTE, C_WEB, 0x65)
VM_BAD_IHL = vm_bad(C_REMOTE, C_WEB, 0x44)
VM_BAD_SHORT = vm_bad(C_REMOTE, C_WEB, 0x45, keep=12, pad=False)
VM2_BAD_IHL_PAST = vm_bad(F_REMOTE, F_WEB, 0x4f, pad=False)
VXLAN_BAD_VERSION = vxlan(5001, inner_bad(C_WEB, C_REMOTE, 0x55))
VXLAN_BAD_SHORT = vxlan(5001, inner_bad(C_WEB, C_REMOTE, 0x45, keep=10))
VXLAN_BAD_IHL = vxlan(6001, inner_bad(F_WEB, F_REMOTE, 0x43))
NVGRE_BAD_IHL_PAST = nvgre(6001, 0x2a, inner_bad(F_WEB, F_REMOTE, 0x4f))

POLICIES = ["config/figure8-host2.json", "config/figure8-routed-host2.json",
            "test/replay/acl/policy.json", "test/replay/nvgre/policy.json"]

# The mappings array in each form the streamed reader tells apart (the
# ordinary four keys in any order, with optional fields, with an escape),
# over figure 8's host 2.
MAPPING_FORMS = open(os.path.join(ROOT, POLICIES[0]), "rb").read().replace(
    b'"mappings": [',
    b'"mappings": [\n'
    b' {"pa": "192.168.1.10", "mac": "02:50:01:00:00:21", "ca": "10.1.1.21", "vsid": 5001},\n'
    b' {"vsid": 5001, "ca": "10.1.1.\\u0032\\u0032", "mac": "02:50:01:00:00:22",'
    b' "pa": "192.168.1.10", "ip_forwarding": true},\n', 1)

CORPORA = {
    "fuzz_encap": {"vxlan": VXLAN, "vxlan-vlan": VXLAN_VLAN, "nvgre": NVGRE},
    "fuzz_arp": {"arp-request": ARP_REQ, "arp-request-vlan": ARP_REQ_VLAN,
                 "arp-reply": ARP_REPLY_GW},
    "fuzz_policy": dict({p.replace("/", "_"): open(os.path.join(ROOT, p), "rb").read()
                         for p in POLICIES}, **{"mapping-forms": MAPPING_FORMS}),
    # lib/dhcp and lib/arp_proxy/nd.c: client DHCP messages and VM ND.
    "fuzz_tenant": {
        "dhcp-discover": dhcp_client(C_WEB, 1, bytes([55, 3, 1, 3, 6])),
        "dhcp-request": dhcp_client(C_WEB, 3, bytes([50, 4]) + ip("10.1.1.12")
                                    + bytes([54, 4]) + ip("10.1.1.1")),
        "nd-ns": eth("33:33:ff:00:00:11", C_WEB, 0x86DD) + icmp6(
            "fd00:1:1::12", "ff02::1:ff00:11",
            struct.pack("!BBHI", 135, 0, 0, 0) + ip6("fd00:1:1::11") + b"\x01\x01" + mac(C_WEB)),
        "nd-rs": eth("33:33:00:00:00:02", C_WEB, 0x86DD) + icmp6(
            "fe80::50:1ff:fe00:12", "ff02::2",
            struct.pack("!BBHI", 133, 0, 0, 0) + b"\x01\x01" + mac(C_WEB)),
    },
    # First byte: the receiving port (0 uplink, 1 contoso-web, 2 fabrikam-web),
    # plus 3 * how the frame is cut into a chain (fuzz_pipeline.c: the
    # segment size seg_sizes[k % 8], k / 8 = 1 for a first segment without
    # headroom); 0: one whole buffer.
    "fuzz_pipeline": {
        "uplink-vxlan-chained-1-bare": bytes([0 + 3 * (1 + 8)]) + VXLAN,
        "uplink-nvgre-chained-100": bytes([0 + 3 * 4]) + NVGRE,
        "vm1-udp-chained-13": bytes([1 + 3 * 2]) + VM_UDP,
        "vm1-udp-too-big-chained-64-bare": bytes([1 + 3 * (3 + 8)]) + VM_BIG,
        "vm2-tcp-syn-chained-1": bytes([2 + 3 * 1]) + VM_TCP,
        "uplink-vxlan": b"\x00" + VXLAN,
        "uplink-vxlan-6001": b"\x00" + VXLAN_F,
        "uplink-nvgre": b"\x00" + NVGRE,
        "uplink-arp-reply-gw": b"\x00" + ARP_REPLY_GW,
        "uplink-arp-request-pa": b"\x00" + ARP_REQ_PA,
        "vm1-udp": b"\x01" + VM_UDP,
        "vm1-arp-request": b"\x01" + ARP_REQ,
        "vm1-arp-request-gw": b"\x01" + ARP_REQ_GW,
        "vm1-routed": b"\x01" + VM_ROUTED,
        "vm1-udp-too-big-df": b"\x01" + VM_BIG_DF,
        "vm1-udp-too-big": b"\x01" + VM_BIG,
        "vm2-tcp-syn": b"\x02" + VM_TCP,
        "vm1-ipv4-bad-version": b"\x01" + VM_BAD_VERSION,
        "vm1-ipv4-ihl-short": b"\x01" + VM_BAD_IHL,
        "vm1-ipv4-truncated": b"\x01" + VM_BAD_SHORT,
        "vm2-ipv4-ihl-past-end": b"\x02" + VM2_BAD_IHL_PAST,
        "uplink-vxlan-inner-ipv4-bad-version": b"\x00" + VXLAN_BAD_VERSION,
        "uplink-vxlan-inner-ipv4-truncated": b"\x00" + VXLAN_BAD_SHORT,
        "uplink-vxlan-6001-inner-ipv4-ihl-short": b"\x00" + VXLAN_BAD_IHL,
        "uplink-nvgre-inner-ipv4-ihl-past-end": b"\x00" + NVGRE_BAD_IHL_PAST,
    },
}


def main():
    base = os.path.join(HERE, "corpus")
    for name, seeds in CORPORA.items():
        d = os.path.join(base, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for seed, data in seeds.items():
            with open(os.path.join(d, seed), "wb") as f:
                f.write(data)
    print("wrote", sum(len(s) for s in CORPORA.values()), "seeds under", base, file=sys.stderr)


if __name__ == "__main__":
    main()
