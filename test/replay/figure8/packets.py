"""Figure 8 from host 2: both tenants use 10.1.1.11/10.1.1.12 (R22).

Proves: the ARP proxy answers each tenant's VM from its own VSID and the
gateway with the router MAC (R8); VM -> remote is VXLAN with VNI = VSID, our
PA to host 1's PA, outer MAC of the PA next hop, entropy source port (R10,
R13); remote -> VM is decapsulated to the right tenant only (R22); inbound
broadcast reaches only the VMs of its VSID; ARP for our PA is answered.
"""
from hnvpkt import (C_SQL, C_WEB, F_SQL, F_WEB, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, SQL, WEB,
                    arp_reply, arp_request, vxlan)
from scapy.all import ICMP, IP, TCP, Ether, Raw

POLICY = "policy.json"
BINARY = True


def build(s):
    # ARP from each web VM for the SQL VM: answered with its own tenant's MAC.
    s.send("contoso-web", arp_request(C_WEB, WEB, SQL))
    s.expect("contoso-web", arp_reply(C_WEB, WEB, C_SQL, SQL))
    s.send("fabrikam-web", arp_request(F_WEB, WEB, SQL))
    s.expect("fabrikam-web", arp_reply(F_WEB, WEB, F_SQL, SQL))
    # ARP for the default gateway 10.1.1.1 (R6): the router MAC.
    s.send("contoso-web", arp_request(C_WEB, WEB, "10.1.1.1"))
    s.expect("contoso-web", arp_reply(C_WEB, WEB, ROUTER_MAC, "10.1.1.1"))
    # Unicast ARP refresh is intercepted too.
    s.send("fabrikam-web", arp_request(F_WEB, WEB, SQL, dst_mac=F_SQL))
    s.expect("fabrikam-web", arp_reply(F_WEB, WEB, F_SQL, SQL))

    # VM -> remote VM: VXLAN to host 1, one VNI per tenant.
    for web, sql, vni in ((C_WEB, C_SQL, 5001), (F_WEB, F_SQL, 6001)):
        inner = Ether(src=web, dst=sql) / IP(src=WEB, dst=SQL) / ICMP(id=7, seq=1) / Raw(b"x" * 56)
        s.send("contoso-web" if web == C_WEB else "fabrikam-web", inner)
        s.expect("uplink", vxlan(inner, HOST_MAC, GW_MAC, PA2, PA1, vni))
    # Two TCP flows: the entropy source port follows the inner 5-tuple.
    for sport in (40000, 40001):
        inner = Ether(src=C_WEB, dst=C_SQL) / IP(src=WEB, dst=SQL) / TCP(sport=sport, dport=1433, flags="S")
        s.send("contoso-web", inner)
        s.expect("uplink", vxlan(inner, HOST_MAC, GW_MAC, PA2, PA1, 5001))

    # Remote -> VM: decapsulated by VNI and inner MAC.
    for web, sql, vni, port in ((C_WEB, C_SQL, 5001, "contoso-web"), (F_WEB, F_SQL, 6001, "fabrikam-web")):
        inner = Ether(src=sql, dst=web) / IP(src=SQL, dst=WEB) / ICMP(type=0, id=7, seq=1) / Raw(b"y" * 56)
        s.send("uplink", vxlan(inner, GW_MAC, HOST_MAC, PA1, PA2, vni, sport=51000))
        s.expect(port, inner)
    # Remote broadcast (the SQL VM's ARP for 10.1.1.12) reaches only its tenant.
    inner = arp_request(C_SQL, SQL, WEB)
    s.send("uplink", vxlan(inner, GW_MAC, HOST_MAC, PA1, PA2, 5001, sport=52000))
    s.expect("contoso-web", inner)
    # ... and the VM's reply goes back over the overlay.
    reply = arp_reply(C_SQL, SQL, C_WEB, WEB)
    s.send("contoso-web", reply)
    s.expect("uplink", vxlan(reply, HOST_MAC, GW_MAC, PA2, PA1, 5001))

    # ARP for our PA on the uplink: answered with the uplink MAC.
    s.send("uplink", arp_request(GW_MAC, "192.168.2.1", PA2))
    s.expect("uplink", arp_reply(GW_MAC, "192.168.2.1", HOST_MAC, PA2))
