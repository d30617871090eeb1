"""Replay scenario toolkit: builds a scenario's input and expected pcaps.

An independent (Python/scapy) statement of what dpdk-hnv must put on the
wire: the VXLAN/NVGRE outer headers, the ECMP entropy hash and the ARP
replies are computed here from the RFCs and docs/architecture.md, not taken
from the C code. Each scenario's packets.py defines build(s) using the
Scenario methods send/expect/drop. The addresses of the figure 8 policy,
shared by the scenarios built on it, are at the end.
"""
import ipaddress
import json
import os

from scapy.all import (ARP, GRE, IP, UDP, VXLAN, Dot1Q, Ether,  # noqa: F401
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, IPv6, Raw,
                       wrpcap)

VXLAN_PORT = 4789


def crc32c(data, crc=0xFFFFFFFF):
    """CRC32C (Castagnoli, reflected), no final inversion: rte_hash_crc."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def inner_hash(frame):
    """Entropy hash of an inner Ethernet frame (docs/architecture.md)."""
    b = bytes(frame)
    if len(b) < 14:
        return crc32c(b)
    off = 12
    etype = int.from_bytes(b[off:off + 2], "big")
    for _ in range(2):
        if etype not in (0x8100, 0x88A8) or len(b) < off + 6:
            break
        off += 4
        etype = int.from_bytes(b[off:off + 2], "big")
    l3 = off + 2
    if etype == 0x0800 and len(b) >= l3 + 20 and b[l3] >> 4 == 4 and b[l3] & 15 >= 5:
        ip = b[l3:]
        seq = ip[12:20] + ip[9:10]
        l4 = l3 + (b[l3] & 15) * 4
        frag = int.from_bytes(ip[6:8], "big") & 0x3FFF
        if ip[9] in (6, 17, 132) and frag == 0 and len(b) >= l4 + 4:
            seq += b[l4:l4 + 4]
        return crc32c(seq)
    if etype == 0x86DD and len(b) >= l3 + 40 and b[l3] >> 4 == 6:
        ip = b[l3:]
        seq = ip[8:40] + ip[6:7]
        if ip[6] in (6, 17, 132) and len(b) >= l3 + 44:
            seq += ip[40:44]
        return crc32c(seq)
    return crc32c(b[0:12] + etype.to_bytes(2, "big"))


def vxlan(inner, src_mac, dst_mac, src_ip, dst_ip, vni, sport=None, dport=VXLAN_PORT):
    """A VXLAN packet as dpdk-hnv must send it (RFC 7348), to UDP port @dport."""
    b = bytes(inner)
    if sport is None:
        sport = 49152 + (inner_hash(b) & 0x3FFF)
    return (Ether(src=src_mac, dst=dst_mac)
            / IP(src=src_ip, dst=dst_ip, ttl=64, flags="DF", id=0, tos=0)
            / UDP(sport=sport, dport=dport, chksum=0)
            / VXLAN(flags=0x08, vni=vni)
            / Raw(b))


def nvgre(inner, src_mac, dst_mac, src_ip, dst_ip, vsid, flow_id=None):
    """An NVGRE packet as dpdk-hnv must send it (RFC 7637)."""
    b = bytes(inner)
    if flow_id is None:
        flow_id = inner_hash(b) & 0xFF
    return (Ether(src=src_mac, dst=dst_mac)
            / IP(src=src_ip, dst=dst_ip, ttl=64, flags="DF", id=0, tos=0, proto=47)
            / GRE(key_present=1, proto=0x6558, key=(vsid << 8) | flow_id)
            / Raw(b))


def vxlan6(inner, src_mac, dst_mac, src6, dst6, vni, vlan=None):
    """A VXLAN packet over IPv6 as dpdk-hnv must send it: hop limit 64,
    traffic class 0, the flow label the low 20 bits of the entropy (RFC
    6438), the UDP checksum computed (RFC 8200; scapy computes it)."""
    b = bytes(inner)
    h = inner_hash(b)
    l2 = Ether(src=src_mac, dst=dst_mac)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return (l2 / IPv6(src=src6, dst=dst6, hlim=64, tc=0, fl=h & 0xFFFFF)
            / UDP(sport=49152 + (h & 0x3FFF), dport=VXLAN_PORT)
            / VXLAN(flags=0x08, vni=vni) / Raw(b))


def nvgre6(inner, src_mac, dst_mac, src6, dst6, vsid, vlan=None):
    """An NVGRE packet over IPv6 as dpdk-hnv must send it."""
    b = bytes(inner)
    h = inner_hash(b)
    l2 = Ether(src=src_mac, dst=dst_mac)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return (l2 / IPv6(src=src6, dst=dst6, hlim=64, tc=0, fl=h & 0xFFFFF, nh=47)
            / GRE(key_present=1, proto=0x6558, key=(vsid << 8) | (h & 0xFF)) / Raw(b))


def solicited_node(ip6):
    """The solicited-node group of @ip6 and its multicast MAC (RFC 4291)."""
    low = ipaddress.IPv6Address(ip6).packed[13:]
    group = str(ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + low))
    return group, "33:33:ff:" + ":".join(f"{x:02x}" for x in low)


def nd_solicit(src_mac, src6, target6, vlan=None):
    """A Neighbor Solicitation for @target6 (to its solicited-node group)."""
    group, gmac = solicited_node(target6)
    l2 = Ether(src=src_mac, dst=gmac)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return (l2 / IPv6(src=src6, dst=group, hlim=255) / ICMPv6ND_NS(tgt=target6)
            / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))


def nd_advert(src_mac, src6, dst_mac, dst6, vlan=None, solicited=True):
    """A Neighbor Advertisement of @src6 at @src_mac (the answer to an NS)."""
    l2 = Ether(src=src_mac, dst=dst_mac)
    if vlan is not None:
        l2 = l2 / Dot1Q(vlan=vlan)
    return (l2 / IPv6(src=src6, dst=dst6, hlim=255)
            / ICMPv6ND_NA(R=0, S=1 if solicited else 0, O=1, tgt=src6)
            / ICMPv6NDOptDstLLAddr(lladdr=src_mac))


def ll6(mac):
    """The IPv6 link-local address of @mac (modified EUI-64, RFC 4291)."""
    b = bytearray(bytes.fromhex(mac.replace(":", "")))
    b[0] ^= 0x02
    iid = bytes(b[:3]) + b"\xff\xfe" + bytes(b[3:])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + iid))


def router_advert(prefix, mtu, dst_mac="33:33:00:00:00:01", dst="ff02::1"):
    """The router's advertisement of /64 @prefix with MTU option @mtu: to
    all nodes (periodic), or to a VM that solicited it."""
    return (Ether(src=ROUTER_MAC, dst=dst_mac) / IPv6(src=ll6(ROUTER_MAC), dst=dst, hlim=255)
            / ICMPv6ND_RA(chlim=64, M=0, O=0, prf=0, routerlifetime=1800, reachabletime=0,
                          retranstimer=0)
            / ICMPv6NDOptSrcLLAddr(lladdr=ROUTER_MAC) / ICMPv6NDOptMTU(mtu=mtu)
            / ICMPv6NDOptPrefixInfo(prefixlen=64, L=1, A=0, validlifetime=2592000,
                                    preferredlifetime=604800, prefix=prefix))


def arp_request(src_mac, src_ip, target_ip, dst_mac="ff:ff:ff:ff:ff:ff"):
    return Ether(src=src_mac, dst=dst_mac) / ARP(
        op=1, hwsrc=src_mac, psrc=src_ip, hwdst="00:00:00:00:00:00", pdst=target_ip)


def arp_reply(req_mac, req_ip, answer_mac, answer_ip):
    """The reply dpdk-hnv makes of a request (R8)."""
    return Ether(src=answer_mac, dst=req_mac) / ARP(
        op=2, hwsrc=answer_mac, psrc=answer_ip, hwdst=req_mac, pdst=req_ip)


class Scenario:
    """Collects inputs, expected outputs and expected drops of one scenario."""

    def __init__(self, policy):
        self.policy = policy
        self.ports = [p["name"] for p in policy["ports"]]
        self.inputs = {p: [] for p in self.ports}
        self.expected = {p: [] for p in self.ports}
        self.drops = {}
        self.periodic_frames = {}
        self.links = []
        self.clock = 0

    def _port(self, port):
        if port not in self.ports:
            raise ValueError(f"unknown port {port}")
        return port

    def send(self, port, pkt):
        """Packet @pkt arrives on @port (in this order across all ports)."""
        pkt = pkt.copy() if hasattr(pkt, "copy") else pkt
        self.clock += 1
        pkt.time = self.clock
        self.inputs[self._port(port)].append(pkt)

    def expect(self, port, pkt):
        """dpdk-hnv transmits @pkt on @port (in this order on that port)."""
        pkt = Ether(bytes(pkt))
        pkt.time = self.clock
        self.expected[self._port(port)].append(pkt)

    def periodic(self, port, pkt):
        """dpdk-hnv sends @pkt on @port by itself, at times of its own (the
        router's periodic advertisements): the binary replay must have sent
        it at least once, in any position; the pipeline replay never."""
        self.periodic_frames.setdefault(self._port(port), []).append(bytes(pkt))

    def link(self, port, up):
        """The link of @port goes down or up, after the packets sent so far
        (the pipeline replay only: net_pcap links cannot be cut)."""
        self.links.append((self.clock, self._port(port), "up" if up else "down"))

    def drop(self, port, reason, count=1):
        """A packet received on @port is dropped under @reason."""
        key = (self._port(port), reason)
        self.drops[key] = self.drops.get(key, 0) + count

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "ports.txt"), "w") as f:
            for p in self.policy["ports"]:
                f.write(f"{p['name']} {p['device']}\n")
        for p in self.ports:
            wrpcap(os.path.join(out, f"in-{p}.pcap"), self.inputs[p], linktype=1)
            wrpcap(os.path.join(out, f"expected-{p}.pcap"), self.expected[p], linktype=1)
        with open(os.path.join(out, "periodic.txt"), "w") as f:
            for port, frames in sorted(self.periodic_frames.items()):
                for b in frames:
                    f.write(f"{port} {b.hex()}\n")
        with open(os.path.join(out, "links.txt"), "w") as f:
            for clock, port, state in self.links:
                f.write(f"{clock} {port} {state}\n")
        with open(os.path.join(out, "expected-drops.txt"), "w") as f:
            for (port, reason), n in sorted(self.drops.items()):
                f.write(f"{port} {reason} {n}\n")


def load_policy(path):
    with open(path) as f:
        return json.load(f)


# Figure 8 from host 2 (figure8/policy.json; acl/policy.json is the same
# host with ACLs): both tenants use 10.1.1.11/10.1.1.12, Contoso in VSID
# 5001 and Fabrikam in 6001; the SQL VMs are on host 1.
HOST_MAC = "02:00:00:02:00:20"     # our uplink
GW_MAC = "02:00:00:02:00:01"       # the PA gateway 192.168.2.1
ROUTER_MAC = "02:00:5e:00:01:01"   # the VMs' default gateway, answered by the ARP proxy
PA2, PA1 = "192.168.2.20", "192.168.1.10"  # our PA, host 1's PA
C_WEB, C_SQL = "02:50:01:00:00:12", "02:50:01:00:00:11"  # Contoso's VM MACs
F_WEB, F_SQL = "02:60:01:00:00:12", "02:60:01:00:00:11"  # Fabrikam's VM MACs
WEB, SQL = "10.1.1.12", "10.1.1.11"  # the VMs' IPs, the same in both tenants
