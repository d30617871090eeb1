#!/usr/bin/python3
"""scale_policy.py: owns the policy of many vhost-user VM NICs that the
scale test and the port memory benchmark use.

    scale_policy.py DIR N OUT [FIRST LAST] [--client I] [--queues Q]

writes to OUT a policy of a net_null uplink and N VM NICs vm0000.., each
on a vhost-user port whose socket is DIR/vmNNNN.sock, without vm(FIRST)..
vm(LAST); --client I makes vm(I) a client-mode port; --queues Q gives
every port Q queue pairs (default 1). VM i is in VSID
5001 + i/100 (subnet 10.(i/100).0.0/16) with CA 10.(i/100).0.(i%100+10) and
MAC 02:50:00:00:HH:LL (HHLL = i).
"""
import json
import sys


def main(argv):
    opts = {"--client": None, "--queues": 1}
    for name in opts:
        if name in argv:
            k = argv.index(name)
            opts[name] = int(argv[k + 1])
            argv = argv[:k] + argv[k + 2:]
    client, queues = opts["--client"], opts["--queues"]
    work, n, out = argv[1], int(argv[2]), argv[3]
    skip = range(int(argv[4]), int(argv[5]) + 1) if len(argv) > 5 else range(0)
    pol = {"version": 1,
           "host": {"name": "scale", "uplink": "uplink", "pa": ["192.168.2.20/24"],
                    "gateway": "192.168.2.1", "mac": "02:00:00:00:02:20"},
           "ports": [{"name": "uplink", "device": "net_null0"}],
           "routing_domains": [{"rdid": 1, "name": "t", "subnets": []}],
           "vm_nics": [], "mappings": []}
    for s in range((n + 99) // 100):
        pol["routing_domains"][0]["subnets"].append(
            {"vsid": 5001 + s, "prefix": "10.%d.0.0/16" % s, "encap": "vxlan"})
    for i in range(n):
        if i in skip:
            continue
        name = "vm%04d" % i
        vu = {"socket": "%s/%s.sock" % (work, name), "queues": queues}
        if i == client:
            vu["mode"] = "client"
        pol["ports"].append({"name": name, "vhost_user": vu})
        pol["vm_nics"].append({"name": name, "port": name, "vsid": 5001 + i // 100,
                               "mac": "02:50:00:00:%02x:%02x" % (i >> 8, i & 255),
                               "ip": "10.%d.0.%d" % (i // 100, i % 100 + 10)})
    with open(out, "w") as f:
        json.dump(pol, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
