"""A NIC team: two uplinks, a PA, MAC and VLAN each; failover and back.

Eight UDP flows of contoso-web to the remote SQL VM: each leaves by the
member its entropy picks ((hash >> 16) % 2, the hash the VXLAN source
port comes from), from that member's PA and MAC, tagged with its VLAN,
every packet of a flow by the same one. uplink2's link goes down: the
flows move to uplink, from its PA; it comes back: they return. ARP for
each PA is answered by its own member only; a tunnel to either PA is
decapsulated on either member.
"""
from hnvpkt import GW_MAC, PA1, arp_reply, arp_request, inner_hash
from scapy.all import IP, UDP, VXLAN, Dot1Q, Ether, Raw

POLICY = "policy.json"
BINARY = False

C_WEB, C_SQL = "02:50:01:00:00:12", "02:50:01:00:00:11"
WEB, SQL = "10.1.1.12", "10.1.1.11"
MEMBERS = [("uplink", "192.168.2.20", "02:00:00:02:00:20", 0),
           ("uplink2", "192.168.2.21", "02:00:00:02:00:21", 22)]


def udp(sport, src_mac=C_WEB, dst_mac=C_SQL, src=WEB, dst=SQL, dport=9):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) \
        / Raw(b"t" * 40)


def l2(src, dst, vlan):
    e = Ether(src=src, dst=dst)
    return e / Dot1Q(vlan=vlan) if vlan else e


def tunnel(inner, member, to_us=False):
    """@inner in VXLAN by team member @member, or to it (@to_us)."""
    _, pa, mac, vlan = MEMBERS[member]
    b = bytes(inner)
    if to_us:
        return l2(GW_MAC, mac, vlan) / IP(src=PA1, dst=pa, ttl=64, flags="DF") \
            / UDP(sport=50000, dport=4789, chksum=0) / VXLAN(flags=0x08, vni=5001) / Raw(b)
    sport = 49152 + (inner_hash(b) & 0x3FFF)
    return l2(mac, GW_MAC, vlan) / IP(src=pa, dst=PA1, ttl=64, flags="DF", id=0, tos=0) \
        / UDP(sport=sport, dport=4789, chksum=0) / VXLAN(flags=0x08, vni=5001) / Raw(b)


def member_of(frame):
    return (inner_hash(bytes(frame)) >> 16) % 2


def send_flows(s, alive):
    for i in range(8):
        p = udp(7000 + i)
        m = member_of(p) if alive[member_of(p)] else alive.index(True)
        s.send("contoso-web", p)
        s.expect(MEMBERS[m][0], tunnel(p, m))


def build(s):
    members = [member_of(udp(7000 + i)) for i in range(8)]
    assert 0 < sum(members) < 8, "the test flows should use both members"
    send_flows(s, [True, True])
    send_flows(s, [True, True])
    s.link("uplink2", False)
    send_flows(s, [True, False])
    s.link("uplink2", True)
    send_flows(s, [True, True])

    # ARP: each member for its own PA, with its MAC and VLAN.
    req = arp_request(GW_MAC, "192.168.2.1", "192.168.2.21")
    s.send("uplink2", Ether(src=GW_MAC, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=22) / req[1])
    rep = arp_reply(GW_MAC, "192.168.2.1", MEMBERS[1][2], "192.168.2.21")
    s.expect("uplink2", Ether(src=MEMBERS[1][2], dst=GW_MAC) / Dot1Q(vlan=22) / rep[1])
    s.send("uplink", req)
    s.drop("uplink", "arp_not_for_us")

    # Tunnels in: to either PA, on either member.
    for member in (0, 1):
        back = udp(9, C_SQL, C_WEB, SQL, WEB, dport=7100 + member)
        s.send(MEMBERS[member][0], tunnel(back, member, to_us=True))
        s.expect("contoso-web", back)
