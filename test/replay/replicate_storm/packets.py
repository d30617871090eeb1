"""Storm control of unicast replication (R7): flood_limit.

The replicate scenario's host with Contoso's VSID capped at 9 copies per
VM per second. A broadcast of contoso-web makes 4 copies (two local VMs,
two remote), so two broadcasts fit in a second and the third is dropped
whole as flood_limit; another VM has a budget of its own. The limit is per
second, so this runs through the pipeline only (the replay takes
milliseconds; dpdk-hnv's net_pcap ports give no such bound).
"""
from hnvpkt import GW_MAC, HOST_MAC, PA2, vxlan
from scapy.all import IP, UDP, Ether, Raw

POLICY = "policy.json"
BINARY = False

VMS = {"contoso-web": ("02:50:01:00:00:12", "10.1.1.12"),
       "contoso-web2": ("02:50:01:00:00:22", "10.1.1.22"),
       "contoso-web3": ("02:50:01:00:00:23", "10.1.1.23")}
REMOTE = [("02:50:01:00:00:11", "10.1.1.11", "192.168.1.10"),
          ("02:50:01:00:00:13", "10.1.1.13", "192.168.3.10")]


def copy(pkt, mac, ip):
    c = Ether(bytes(pkt))
    c[Ether].dst = mac
    c[IP].dst = ip
    del c[IP].chksum
    del c[UDP].chksum
    return Ether(bytes(c))


def broadcast(s, sender, i, expect):
    mac, ip = VMS[sender]
    pkt = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=ip, dst="10.1.1.255") / \
        UDP(sport=4000 + i, dport=4000) / Raw(b"s" * 40)
    s.send(sender, pkt)
    if not expect:
        s.drop(sender, "flood_limit")
        return
    for port, (tmac, tip) in VMS.items():
        if port != sender:
            s.expect(port, copy(pkt, tmac, tip))
    for tmac, tip, pa in REMOTE:
        s.expect("uplink", vxlan(copy(pkt, tmac, tip), HOST_MAC, GW_MAC, PA2, pa, 5001))


def build(s):
    broadcast(s, "contoso-web", 0, True)    # 4 of 9
    broadcast(s, "contoso-web", 1, True)    # 8 of 9
    broadcast(s, "contoso-web", 2, False)   # 12 > 9: dropped whole
    broadcast(s, "contoso-web", 3, False)
    broadcast(s, "contoso-web2", 0, True)   # its own budget
