#!/usr/bin/python3
"""demo_consoles.py: owns the QEMU part of `scripts/demo.sh --qemu`: boots
the figure-8 web VMs of host 2 as QEMU guests on the vhost-user sockets
dpdk-hnv serves, and hands their serial consoles to the user.

    demo_consoles.py RUNDIR IMAGE_DIR

RUNDIR holds the sockets (contoso-web.sock, fabrikam-web.sock) and gets one
work directory per guest; IMAGE_DIR is the guest image of
test/qemu/build-guest.sh. Each guest gets its VM NIC's MAC and CA
(10.1.1.12/24, MTU 1450). A menu picks the console to type into; Ctrl-]
comes back to the menu; q powers both guests off.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "qemu"))
from guest import Guest  # noqa: E402  (the harness lives with the tests)

VMS = [("contoso-web", "02:50:01:00:00:12", "Contoso, VSID 5001"),
       ("fabrikam-web", "02:60:01:00:00:12", "Fabrikam, VSID 6001")]


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    run, image = argv[1], argv[2]
    guests = []
    try:
        for name, mac, _ in VMS:
            g = Guest(sock=os.path.join(run, name + ".sock"), mac=mac, ip="10.1.1.12/24",
                      gw="10.1.1.1", mtu=1450, ipv6=False, hostname=name,
                      image_dir=image, workdir=os.path.join(run, "guest-" + name),
                      keep=True, boot_timeout=180)
            g.start()
            guests.append(g)
        for g, (name, _, _) in zip(guests, VMS):
            print("demo: booting %s ..." % name, flush=True)
            g.wait_ready()
            g.wait_carrier(30)
            print("demo: %s is up (%.1f s)" % (name, g.boot_time), flush=True)
        while True:
            print("\nConsoles (Ctrl-] comes back here):")
            for i, (name, _, what) in enumerate(VMS, 1):
                print("  %d  %-13s %s, 10.1.1.12; try: ping 10.1.1.11" % (i, name, what))
            print("  q  power the guests off and stop the demo")
            try:
                choice = input("demo> ").strip()
            except EOFError:
                break
            if choice == "q":
                break
            if choice in ("1", "2"):
                guests[int(choice) - 1].interact()
        for g in guests:
            g.shutdown(timeout=30)
    except KeyboardInterrupt:
        pass
    finally:
        for g in guests:
            g.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
