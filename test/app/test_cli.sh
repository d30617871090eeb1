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
# shellcheck disable=SC2054 # the commas are part of each --vdev argument
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

printf 'show policy\nshow ports\nshow drops\nshow neighbors\nhelp\nbogus\nshow uft\nshow rules contoso-web\ntrace contoso-web tcp 10.1.1.11 40000 1433\ntrace contoso-web udp 10.1.1.99 1 2\nshow flows\nquit\n' |
	timeout 30 "$bin" "${eal[@]}" --file-prefix cli5 "${ports[@]}" -- \
		--flows 65536 --policy "$tmp/policy.json" --interactive >"$tmp/out" 2>&1
check "shell: quit exits 0" test $? -eq 0
check "shell: show policy" grep -q "host host2, 3 ports, 2 routing domains, 2 subnets, 2 VM NICs, 2 mappings" "$tmp/out"
check "shell: show ports" grep -q "^port contoso-web: rx-packets 0 tx-packets 0" "$tmp/out"
check "shell: show drops lists every reason" grep -q "^spoofed_pa  *0  inner source" "$tmp/out"
check "shell: show neighbors" grep -q "^next-hop 192.168.2.1: unresolved" "$tmp/out"
check "shell: help" grep -q "show neighbors   PA next hops" "$tmp/out"
check "shell: unknown command" grep -q "Command not found" "$tmp/out"
check "shell: show uft" grep -q "^uft: flows 0 capacity 65536 hits 0" "$tmp/out"
check "shell: show rules lists layers in order" \
	bash -c "grep -E '^layer|^  ' '$tmp/out' | grep -A3 '^layer vnet' | grep -q 'vnet-in    in  decap'"
check "shell: trace walks vnet and pa-route to the SQL VM's PA" \
	grep -q "=> drop nexthop_unresolved\|=> encap vxlan vni 5001 to PA 192.168.1.10" "$tmp/out"
check "shell: trace of an unknown CA says why" grep -q "no CA 10.1.1.99 in VSID 5001" "$tmp/out"
check "shell: show flows" grep -q "^0 flows (capacity 65536)" "$tmp/out"

# Policy reload: a bad file is refused and the running policy stays; a good
# one is published; SIGHUP reloads too.
cp "$tmp/policy.json" "$tmp/live.json"
timeout 60 "$bin" "${eal[@]}" --file-prefix cli7 "${ports[@]}" -- --flows 65536 \
	--policy "$tmp/live.json" >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q "dpdk-hnv: forwarding" "$tmp/out" && break; sleep 0.2; done
sed -e 's/"vsid": 5001, "ca": "10.1.1.11"/"vsid": 5001, "ca": "10.1.2.11"/' "$tmp/policy.json" \
	>"$tmp/live.json.new" && mv "$tmp/live.json.new" "$tmp/live.json"
for _ in $(seq 50); do grep -q "not reloaded" "$tmp/out" && break; sleep 0.1; done
check "reload: a bad policy is refused with file, JSON path and problem" \
	grep -q "policy not reloaded, keeping the running one: .*live.json: \$.mappings\[0\].ca: .*outside" "$tmp/out"
sed -e 's/"pa": "192.168.1.10"/"pa": "192.168.1.11"/' "$tmp/policy.json" >"$tmp/live.json.new"
mv "$tmp/live.json.new" "$tmp/live.json"
for _ in $(seq 50); do grep -q "policy reloaded" "$tmp/out" && break; sleep 0.1; done
check "reload: a changed file is published" grep -q "policy reloaded from" "$tmp/out"
kill -HUP $pid
for _ in $(seq 50); do [ "$(grep -c "policy reloaded" "$tmp/out")" -ge 2 ] && break; sleep 0.1; done
check "reload: SIGHUP reloads" test "$(grep -c "policy reloaded" "$tmp/out")" -ge 2
kill -TERM $pid
wait $pid
check "reload: still exits 0" test $? -eq 0

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
