"""Every bad packet is dropped and counted under its own name.

Uses the figure 8 policy of host 2. Nothing may leave any port; the
expected drop counters are exact.
"""
from hnvpkt import (C_SQL, C_WEB, F_SQL, GW_MAC, HOST_MAC, PA1, PA2, ROUTER_MAC, SQL, WEB,
                    arp_request, nvgre, vxlan)
from scapy.all import ICMP, IP, UDP, Dot1Q, Ether, Raw

POLICY = "../figure8/policy.json"
BINARY = True


def icmp(src_mac, dst_mac, src=WEB, dst=SQL):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst) / ICMP() / Raw(b"z" * 16)


def tunnel(inner, vni=5001, src=PA1, dst=PA2, dst_mac=HOST_MAC):
    return vxlan(inner, GW_MAC, dst_mac, src, dst, vni, sport=50000)


def build(s):
    vm = "contoso-web"
    # VM side.
    s.send(vm, Raw(bytes(icmp(C_WEB, C_SQL))[:10]))            # runt frame
    s.drop(vm, "malformed")
    s.send(vm, icmp("02:50:01:00:00:99", C_SQL))                 # not its MAC
    s.drop(vm, "spoofed_mac")
    s.send(vm, icmp(C_WEB, C_SQL, src="10.1.1.99"))              # not its IP
    s.drop(vm, "spoofed_ip")
    s.send(vm, arp_request(C_WEB, "10.1.1.99", SQL))             # ARP with another IP
    s.drop(vm, "spoofed_ip")
    s.send(vm, Ether(src=C_WEB, dst=C_SQL) / Dot1Q(vlan=5) / IP(src=WEB, dst=SQL) / ICMP())
    s.drop(vm, "vm_tagged")
    s.send(vm, arp_request(C_WEB, WEB, "10.1.1.77"))             # nobody has it (R8)
    s.drop(vm, "arp_no_entry")
    s.send(vm, arp_request(C_WEB, WEB, WEB))                     # gratuitous
    s.drop(vm, "arp_gratuitous")
    s.send(vm, arp_request(C_WEB, "0.0.0.0", WEB))               # probe (DAD)
    s.drop(vm, "arp_gratuitous")
    s.send(vm, Ether(bytes(arp_request(C_WEB, WEB, SQL))[:30]))  # truncated ARP
    s.drop(vm, "arp_malformed")
    s.send(vm, Ether(src=C_WEB, dst="01:00:5e:00:00:16") / IP(src=WEB, dst="224.0.0.22", proto=2)
           / Raw(b"\x22\x00\xfa\x02\x00\x00\x00\x00"))  # IGMPv3 report: no IGMP (R7)
    s.drop(vm, "flood_unsupported")
    s.send(vm, icmp(C_WEB, ROUTER_MAC, dst="10.1.2.5"))          # no subnet has it
    s.drop(vm, "no_route")
    s.send(vm, icmp(C_WEB, F_SQL))                               # Fabrikam's MAC (R22)
    s.drop(vm, "unknown_dst")
    s.send(vm, icmp(C_WEB, C_WEB))                               # itself
    s.drop(vm, "unknown_dst")
    # Too big for the underlay once encapsulated, and nothing to answer:
    # an ICMP error (never answered with one) and a frame that is not IP.
    s.send(vm, Ether(src=C_WEB, dst=C_SQL) / IP(src=WEB, dst=SQL, flags="DF")
           / ICMP(type=3, code=1) / Raw(b"q" * 1450))
    s.drop(vm, "too_big")
    s.send(vm, Ether(src=C_WEB, dst=C_SQL, type=0x88B5) / Raw(b"q" * 1470))
    s.drop(vm, "too_big")

    # Uplink side.
    up = "uplink"
    good = icmp(C_SQL, C_WEB, src=SQL, dst=WEB)
    s.send(up, Raw(b"\x02\x00"))                               # runt
    s.drop(up, "malformed")
    s.send(up, tunnel(good, dst_mac="02:00:00:00:00:99"))        # another host's MAC
    s.drop(up, "not_our_mac")
    s.send(up, Ether(src=GW_MAC, dst=HOST_MAC) / Dot1Q(vlan=9) / IP(src=PA1, dst=PA2) / UDP(dport=4789))
    s.drop(up, "wrong_vlan")
    s.send(up, Ether(src=GW_MAC, dst=HOST_MAC) / IP(src=PA1, dst=PA2) / UDP(sport=1, dport=53) / Raw(b"dns?"))
    s.drop(up, "not_tunnel")
    s.send(up, Ether(bytes(tunnel(good))[:60]))                  # cut inside VXLAN payload
    s.drop(up, "tunnel_truncated")
    bad = tunnel(good)
    bad[IP].chksum = 0x1234
    s.send(up, bad)
    s.drop(up, "tunnel_bad_ip")
    frag = tunnel(good)
    frag[IP].flags = "MF"
    s.send(up, frag)
    s.drop(up, "tunnel_bad_ip")
    raw = bytearray(bytes(tunnel(good)))
    raw[42] = 0x00                                               # VXLAN flags without I
    s.send(up, Ether(bytes(raw)))
    s.drop(up, "tunnel_bad_header")
    s.send(up, tunnel(good, vni=100))                            # VNI below 4096 (R2)
    s.drop(up, "tunnel_bad_vsid")
    s.send(up, tunnel(good, dst="192.168.2.99"))                 # not our PA
    s.drop(up, "not_our_pa")
    s.send(up, tunnel(good, vni=7001))                           # VSID not in the policy
    s.drop(up, "unknown_vni")
    s.send(up, nvgre(good, GW_MAC, HOST_MAC, PA1, PA2, 5001))    # NVGRE on a VXLAN VSID
    s.drop(up, "encap_mismatch")
    s.send(up, tunnel(good, src="192.168.1.66"))                 # right VM, wrong host
    s.drop(up, "spoofed_pa")
    s.send(up, tunnel(good, vni=6001))                           # Contoso MAC in Fabrikam
    s.drop(up, "spoofed_pa")
    s.send(up, tunnel(icmp(C_SQL, "02:50:01:00:00:77", src=SQL, dst="10.1.1.77")))
    s.drop(up, "unknown_dst")
    s.send(up, arp_request("02:00:00:02:00:05", "192.168.2.5", "192.168.2.77"))  # not for us
    s.drop(up, "arp_not_for_us")
