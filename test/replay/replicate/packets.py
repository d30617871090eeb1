"""Unicast replication of VM broadcast and multicast (R7).

Contoso's VSID 5001 has three VMs here and two on other hosts (PAs
192.168.1.10 and 192.168.3.10); Fabrikam's 6001 has one here with the same
address as contoso-web. Proves, byte for byte: a VM's broadcast (subnet
broadcast address, limited broadcast, IPv4 multicast, a non-IP broadcast)
becomes one unicast copy per other VM of the VSID, with the destination MAC
and IPv4 address that VM's and the IPv4 and UDP checksums patched (scapy
recomputes them from scratch here); local VMs get theirs directly, remote
ones encapsulated to their PA; the sender gets none; Fabrikam gets none
(R22); contoso-web3's ACL refuses its copy of NetBIOS (ACLs apply per
copy); IGMP is not replicated. Also run through dpdk-hnv.
"""
from hnvpkt import GW_MAC, HOST_MAC, PA2, vxlan
from scapy.all import ICMP, IP, UDP, Ether, Raw

POLICY = "policy.json"
BINARY = True

WEB = ("02:50:01:00:00:12", "10.1.1.12")
LOCAL = [("contoso-web2", "02:50:01:00:00:22", "10.1.1.22"),
         ("contoso-web3", "02:50:01:00:00:23", "10.1.1.23")]
REMOTE = [("02:50:01:00:00:11", "10.1.1.11", "192.168.1.10"),
          ("02:50:01:00:00:13", "10.1.1.13", "192.168.3.10")]


def copy(pkt, mac, ip):
    """The copy of @pkt for the VM (@mac, @ip)."""
    c = Ether(bytes(pkt))
    c[Ether].dst = mac
    if IP in c:
        c[IP].dst = ip
        del c[IP].chksum
        if UDP in c and c[UDP].chksum != 0:
            del c[UDP].chksum
    return Ether(bytes(c))


def fan_out(s, pkt, skip=()):
    s.send("contoso-web", pkt)
    for port, mac, ip in LOCAL:
        if port not in skip:
            s.expect(port, copy(pkt, mac, ip))
    for mac, ip, pa in REMOTE:
        s.expect("uplink", vxlan(copy(pkt, mac, ip), HOST_MAC, GW_MAC, PA2, pa, 5001))


def build(s):
    src_mac, src = WEB
    # Subnet broadcast: NetBIOS name query; contoso-web3's ACL refuses it.
    nb = Ether(src=src_mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=src, dst="10.1.1.255", id=9) / \
        UDP(sport=137, dport=137) / Raw(b"n" * 50)
    fan_out(s, nb, skip=("contoso-web3",))
    s.drop("contoso-web", "acl_deny")
    # Limited broadcast, twice (the second time from the flow cache).
    for i in range(2):
        lb = Ether(src=src_mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=src, dst="255.255.255.255") / \
            UDP(sport=5000 + i, dport=9999) / Raw(bytes(range(200)))
        fan_out(s, lb)
    # Subnet multicast (mDNS).
    md = Ether(src=src_mac, dst="01:00:5e:00:00:fb") / IP(src=src, dst="224.0.0.251", ttl=255) / \
        UDP(sport=5353, dport=5353) / Raw(b"m" * 30)
    fan_out(s, md)
    # UDP without a checksum stays without one.
    nc = Ether(src=src_mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=src, dst="10.1.1.255") / \
        UDP(sport=68, dport=6000, chksum=0) / Raw(b"c" * 10)
    fan_out(s, nc)
    # ICMP echo to the broadcast address, and a non-IP broadcast.
    fan_out(s, Ether(src=src_mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=src, dst="10.1.1.255") /
            ICMP(id=7) / Raw(b"p" * 20))
    fan_out(s, Ether(src=src_mac, dst="ff:ff:ff:ff:ff:ff", type=0x88b5) / Raw(b"x" * 46))
    # IGMP is not replicated.
    s.send("contoso-web", Ether(src=src_mac, dst="01:00:5e:00:00:16") /
           IP(src=src, dst="224.0.0.22", proto=2) / Raw(b"\x22\x00\xfa\x02\x00\x00\x00\x00"))
    s.drop("contoso-web", "flood_unsupported")
    # Fabrikam's broadcast reaches its remote VM only.
    fb = Ether(src="02:60:01:00:00:12", dst="ff:ff:ff:ff:ff:ff") / IP(src="10.1.1.12", dst="10.1.1.255") / \
        UDP(sport=137, dport=137) / Raw(b"f" * 20)
    s.send("fabrikam-web", fb)
    s.expect("uplink", vxlan(copy(fb, "02:60:01:00:00:11", "10.1.1.11"), HOST_MAC, GW_MAC, PA2,
                             "192.168.1.10", 6001))
