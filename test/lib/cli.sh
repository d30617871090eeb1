# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # bin, tmp: set by the sourcing script; rc: read by it
# test/lib/cli.sh: owns the helpers of the tests that run the dpdk-hnv
# binary and read what it prints (test/app): TAP checks that print the
# output of the run they checked, one fresh output file per run, waiting
# for a line of that file, and starting and stopping a background run.
#
# The sourcing script sets: bin (the binary), tmp (its work directory),
# pid (empty), pass and fail (0). stop sets rc.

# check NAME OUT COMMAND...: COMMAND must succeed; OUT is the output file of
# the run being checked, printed (as TAP comments) if it does not.
check() {
	local name=$1 out=$2
	shift 2
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		echo "# output of that run ($(basename "$out")):"
		sed 's/^/#   /' "$out"
		fail=$((fail + 1))
	fi
}

# new_out NAME: a fresh, empty output file for one run of the binary.
new_out() {
	local out="$tmp/$1.out"

	: >"$out"
	echo "$out"
}

# wait_for OUT PATTERN [N] [SECONDS]: wait up to SECONDS (10) until OUT
# has N (1) lines matching the extended regex PATTERN.
wait_for() {
	local out=$1 pattern=$2 n=${3:-1} secs=${4:-10}

	for _ in $(seq $((secs * 10))); do
		[ "$(grep -Ec -- "$pattern" "$out")" -ge "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# start OUT ARGS...: run the binary in the background into OUT; sets pid.
start() {
	local out=$1
	shift
	"$bin" "$@" >"$out" 2>&1 &
	pid=$!
}

# stop: SIGTERM the background run and give it 10 s to exit; sets rc to its
# exit status, or 137 if it had to be killed. A hung process must fail the
# check, not hang the suite.
stop() {
	local dog

	kill -TERM "$pid"
	(
		sleep 10
		kill -KILL "$pid"
	) >/dev/null 2>&1 &
	dog=$!
	wait "$pid"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	pid=
}
