#!/usr/bin/env bash
# test_cli.sh: the dpdk-hnv command line as an operator meets it: --help,
# clear errors for missing/bad arguments, a bad policy (file, JSON path,
# problem) and an unknown device, the interactive shell, and a clean stop on
# SIGTERM with final counters. Uses net_null/net_pcap ports; needs no root
# beyond what EAL --no-huge needs.
set -uo pipefail
bin=${HNV_BIN:?}
src=${HNV_SRC:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

check() { # name, then a command that must succeed
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		fail=$((fail + 1))
	fi
}

eal=(-l 0-1 --no-huge -m 256 --no-pci --log-level 'pmd.*:error')
ports=(--vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 --vdev net_null2,no-rx=1)
# The figure 8 policy of host 2, on null devices.
sed -e 's/net_af_packet/net_null/' "$src/config/figure8-host2.json" >"$tmp/policy.json"

"$bin" --help >"$tmp/help" 2>&1
check "--help exits 0" test $? -eq 0
check "--help names --policy" grep -q -- "--policy FILE" "$tmp/help"

"$bin" "${eal[@]}" --file-prefix cli1 -- >"$tmp/out" 2>&1
check "missing --policy fails" test $? -ne 0
check "missing --policy says so" grep -q -- "--policy FILE is required" "$tmp/out"

"$bin" "${eal[@]}" --file-prefix cli2 -- --flows 65536 --policy "$tmp/policy.json" --stats x >"$tmp/out" 2>&1
check "bad --stats value fails" test $? -ne 0
check "bad --stats value is named" grep -q "bad value 'x'" "$tmp/out"

sed -e 's/"vsid": 6001, "prefix"/"vsid": 99, "prefix"/' "$tmp/policy.json" >"$tmp/bad.json"
"$bin" "${eal[@]}" --file-prefix cli3 "${ports[@]}" -- --policy "$tmp/bad.json" >"$tmp/out" 2>&1
check "bad policy fails" test $? -ne 0
check "bad policy names file, JSON path and problem" \
	grep -q "bad.json: \$.routing_domains\[1\].subnets\[0\].vsid: .*4096" "$tmp/out"

"$bin" "${eal[@]}" --file-prefix cli4 --vdev net_null0,no-rx=1 -- --flows 65536 --policy "$tmp/policy.json" \
	>"$tmp/out" 2>&1
check "missing device fails" test $? -ne 0
check "missing device is named with its policy port" \
	grep -q "\$.ports\[1\] 'contoso-web': no DPDK device named 'net_null1'" "$tmp/out"

printf 'show policy\nshow ports\nshow drops\nshow neighbors\nhelp\nbogus\nquit\n' |
	timeout 30 "$bin" "${eal[@]}" --file-prefix cli5 "${ports[@]}" -- \
		--flows 65536 --policy "$tmp/policy.json" --interactive >"$tmp/out" 2>&1
check "shell: quit exits 0" test $? -eq 0
check "shell: show policy" grep -q "host host2, 3 ports, 2 routing domains, 2 subnets, 2 VM NICs, 2 mappings" "$tmp/out"
check "shell: show ports" grep -q "^port contoso-web: rx-packets 0 tx-packets 0" "$tmp/out"
check "shell: show drops lists every reason" grep -q "^spoofed_pa  *0  inner source" "$tmp/out"
check "shell: show neighbors" grep -q "^next-hop 192.168.2.1: unresolved" "$tmp/out"
check "shell: help" grep -q "show neighbors   PA next hops" "$tmp/out"
check "shell: unknown command" grep -q "Command not found" "$tmp/out"

timeout 30 "$bin" "${eal[@]}" --file-prefix cli6 "${ports[@]}" -- --flows 65536 --policy "$tmp/policy.json" \
	>"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "dpdk-hnv: forwarding" "$tmp/out" && break; sleep 0.2; done
kill -TERM $pid
wait $pid
check "SIGTERM exits 0" test $? -eq 0
check "SIGTERM prints final counters" grep -q "final counters" "$tmp/out"
# The resolver ARPs for the gateway once a second from the start.
check "next-hop resolution was attempted" grep -Eq "^port uplink: .* arp-requests [1-9]" "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
