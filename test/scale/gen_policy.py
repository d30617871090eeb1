#!/usr/bin/python3
"""gen_policy.py: owns the large generated policies of the scale tests and
the policy benchmark.

    gen_policy.py OUT MAPPINGS VNICS [--tenants T] [--devices net_null]
                  [--move K PA] [--seed-ports N]

writes to OUT a policy of MAPPINGS remote CA->PA mappings and VNICS local
VM NICs, spread over T tenants (routing domains, default max(1, VNICS/10)),
one VSID each (5001 + t, prefix 10.0.0.0/8, so tenants' CAs overlap as in
a real cloud). The uplink is port 0 on device DEV0 (default net_null0),
VM NIC i is on port vm<i>, device DEV<i+1>. Mapping j is in tenant j % T,
CA 10.0.0.0 + 256 + j / T, MAC 02:m:m:m:m:m from j, behind one of 4096
remote hosts (PA 172.16.0.0 + 2 + j % 4096, reached through the gateway).
--move K PA puts mapping K behind PA instead (a live migration, R23).
The output is the same for the same arguments.
"""
import argparse
import json
import socket
import struct


def ip(n):
    return socket.inet_ntoa(struct.pack("!I", n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("mappings", type=int)
    ap.add_argument("vnics", type=int)
    ap.add_argument("--tenants", type=int)
    ap.add_argument("--devices", default="net_null")
    ap.add_argument("--move", nargs=2)
    a = ap.parse_args()
    tenants = a.tenants or max(1, a.vnics // 10)
    move = (int(a.move[0]), a.move[1]) if a.move else (None, None)
    out = open(a.out, "w")
    w = out.write
    w('{"version": 1,\n "host": {"name": "scale", "uplink": "uplink", '
      '"pa": ["192.168.0.10/24"], "gateway": "192.168.0.1", '
      '"gateway_mac": "02:00:00:00:00:01"},\n')
    w(' "ports": [{"name": "uplink", "device": "%s0"}' % a.devices)
    for i in range(a.vnics):
        w(',\n  {"name": "vm%d", "device": "%s%d"}' % (i, a.devices, i + 1))
    w('],\n "routing_domains": [')
    for t in range(tenants):
        w('%s\n  {"rdid": %d, "name": "t%d", "subnets": [{"vsid": %d, '
          '"prefix": "10.0.0.0/8"}]}' % ("," if t else "", t + 1, t, 5001 + t))
    w('],\n "vm_nics": [')
    for i in range(a.vnics):
        t = i % tenants
        w('%s\n  {"name": "vm%d", "port": "vm%d", "vsid": %d, '
          '"mac": "02:50:%02x:%02x:%02x:%02x", "ip": "%s"}'
          % ("," if i else "", i, i, 5001 + t, (i >> 24) & 255, (i >> 16) & 255,
             (i >> 8) & 255, i & 255, ip(0x0a000002 + i // tenants)))
    w('],\n "mappings": [')
    base = 0x0a000000 + 256
    for j in range(a.mappings):
        t = j % tenants
        pa = move[1] if j == move[0] else ip(0xac100002 + j % 4096)
        w('%s\n  {"vsid": %d, "ca": "%s", "mac": "02:%02x:%02x:%02x:%02x:%02x", "pa": "%s"}'
          % ("," if j else "", 5001 + t, ip(base + j // tenants), (j >> 32) & 255,
             (j >> 24) & 255, (j >> 16) & 255, (j >> 8) & 255, j & 255, pa))
    w('\n ]\n}\n')
    out.close()


if __name__ == "__main__":
    main()
