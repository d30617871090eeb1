#!/usr/bin/env bash
# test/bench/compare_commits.sh: the UFT benchmark (bench_uft) of two commits,
# side by side.
#
#   test/bench/compare_commits.sh OLD NEW [bench_uft args...]
#   e.g. test/bench/compare_commits.sh HEAD~1 HEAD
#        test/bench/compare_commits.sh main my-branch --flows 1048576 --rounds 5
#
# What it does: checks OLD and NEW (any git revisions) out as two detached
# worktrees in a temporary directory, configures each with the same meson
# options and builds only test/bench/bench_uft in it; then runs the two
# binaries alternately, OLD NEW OLD NEW ..., each run with the same
# arguments, and prints one table. The worktrees (and the directory) are
# removed at exit, also on failure or Ctrl-C. Nothing in the calling
# checkout is touched, so uncommitted work is not part of either side:
# commit (or stash-commit) what you want measured.
#
# Arguments after OLD NEW go to bench_uft unchanged and replace the defaults,
# --flows 262144 --seconds 1 --rounds 3 (about 8 s per run, 15 s per pair on
# a 2-vCPU VM). bench_uft sets its own EAL options: 4 KB pages (--no-huge
# -m 4096, --no-shconf) unless given --huge (hugepages, --in-memory). The
# script adds --huge when at least 1 GB of free 2 MB hugepages is mounted.
# Both modes keep no runtime files, and the runs never overlap, so the runs
# need no distinct --file-prefix (nor can they be given one: bench_uft
# passes no EAL arguments through).
#
# Environment:
#   HNV_COMPARE_RUNS=5            runs of each side (at least 5)
#   HNV_COMPARE_BUILDTYPE=debugoptimized   meson buildtype of both sides
#                                 (the project's default, as in
#                                 docs/performance.md; or release)
#   HNV_COMPARE_MESON_OPTS="..."  more meson options for both sides
#   HNV_COMPARE_HUGE=auto|0|1     add --huge: if hugepages are free / never / always
#   HNV_COMPARE_DIR=dir           where to make the worktrees (default $TMPDIR)
#   HNV_COMPARE_LOGS=dir          keep the raw output of every run there
#
# Reading the output: one line per figure bench_uft prints (a line with two
# figures, cycles and Mpps, gives two rows), with the unit; the median of
# the OLD runs, the median of the NEW runs, NEW/OLD, and "range": the
# larger of the two sides' (max - min) / median over their runs, the
# run-to-run noise. For cycles/pkt and cycles/key lower is better (NEW/OLD
# below 1: NEW is faster); for Mpps and % higher is better; "x" (miss / hit
# cost) is a ratio of two costs, neither better nor worse by itself. A
# NEW/OLD that differs from 1 by less than the range is not a difference.
# Comparing a commit with itself (or two commits that leave the data path
# alone) shows the noise floor of the machine: ratios of about 1.0.
set -euo pipefail

usage() {
	sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[ $# -ge 2 ] || usage
old_rev=$1
new_rev=$2
shift 2
if [ $# -gt 0 ]; then
	bench_args=("$@")
else
	bench_args=(--flows 262144 --seconds 1 --rounds 3)
fi
runs=${HNV_COMPARE_RUNS:-5}
buildtype=${HNV_COMPARE_BUILDTYPE:-debugoptimized}
read -r -a meson_opts <<<"${HNV_COMPARE_MESON_OPTS:-}"
huge=${HNV_COMPARE_HUGE:-auto}
case $runs in
'' | *[!0-9]*) echo "compare_commits: HNV_COMPARE_RUNS must be a number" >&2 && exit 2 ;;
esac
if [ "$runs" -lt 5 ]; then
	echo "compare_commits: HNV_COMPARE_RUNS must be at least 5" >&2
	exit 2
fi

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
old_sha=$(git -C "$repo" rev-parse --verify --quiet "$old_rev^{commit}") ||
	{ echo "compare_commits: $old_rev: not a commit" >&2 && exit 2; }
new_sha=$(git -C "$repo" rev-parse --verify --quiet "$new_rev^{commit}") ||
	{ echo "compare_commits: $new_rev: not a commit" >&2 && exit 2; }

# Hugepages: 2 MB pages free and hugetlbfs mounted.
case " ${bench_args[*]} " in *" --huge "*) huge=given ;; esac
if [ "$huge" = auto ]; then
	free_pages=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	page_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
	if [ "${free_pages:-0}" -gt 0 ] && [ $((free_pages * page_kb)) -ge 1048576 ] &&
		grep -q hugetlbfs /proc/mounts; then
		huge=1
	else
		huge=0
	fi
fi
[ "$huge" = 1 ] && bench_args+=(--huge)

base=${HNV_COMPARE_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$base"
work=$(mktemp -d "$base/hnv-compare.XXXXXX")
worktrees=()
cleanup() {
	local wt
	for wt in "${worktrees[@]}"; do
		git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || true
	done
	git -C "$repo" worktree prune >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build bench_uft of one side: worktree $work/<side>, build dir inside it.
build_side() {
	local side=$1 sha=$2 wt=$work/$1

	echo "== $side: $(git -C "$repo" log -1 --format='%h %s' "$sha")" >&2
	git -C "$repo" worktree add --detach --quiet "$wt" "$sha"
	worktrees+=("$wt")
	if ! meson setup --buildtype="$buildtype" ${meson_opts[@]+"${meson_opts[@]}"} \
		"$wt/build" "$wt" >"$work/$side-build.log" 2>&1 ||
		! ninja -C "$wt/build" test/bench/bench_uft >>"$work/$side-build.log" 2>&1; then
		echo "compare_commits: building bench_uft of $side ($sha) failed:" >&2
		tail -n 30 "$work/$side-build.log" >&2
		exit 1
	fi
}
build_side old "$old_sha"
build_side new "$new_sha"

# Interleaved runs. Each run's figures become "side<TAB>figure<TAB>value"
# lines in $work/figures.
mkdir -p "$work/out"
: >"$work/figures"
echo "== $runs runs of each side, interleaved: bench_uft ${bench_args[*]}" >&2
for ((r = 1; r <= runs; r++)); do
	for side in old new; do
		out=$work/out/$side.$r
		t0=$(date +%s%N)
		if ! "$work/$side/build/test/bench/bench_uft" "${bench_args[@]}" >"$out" 2>"$out.err"; then
			echo "compare_commits: run $r of $side failed:" >&2
			cat "$out.err" "$out" >&2
			exit 1
		fi
		ms=$((($(date +%s%N) - t0) / 1000000))
		printf '   run %d/%d %s: %d.%d s\n' "$r" "$runs" "$side" $((ms / 1000)) $((ms % 1000 / 100)) >&2
		grep -h '^warning' "$out" "$out.err" | sed "s/^/   $side run $r: /" >&2 || true
		# Figure lines of bench_uft:
		#   "  UFT hit, 1 flow        70.3 cycles/pkt    29.86 Mpps  (...)"
		#   "  miss / hit cost:       20.7x  (target >= 5x)   met"
		awk -v side="$side" '
			/^  / && match($0, / +[0-9.]+ cycles\/(pkt|key)/) {
				label = substr($0, 3, RSTART - 3)
				n = split(substr($0, RSTART), f, " ")
				printf "%s\t%s\t%s\t%s\n", side, label, f[2], f[1]
				if (n >= 4 && f[4] == "Mpps")
					printf "%s\t%s\t%s\t%s\n", side, label, "Mpps", f[3]
				next
			}
			/^  / && match($0, /: +[0-9.]+[x%]/) {
				label = substr($0, 3, RSTART - 3)
				v = substr($0, RSTART + 1, RLENGTH - 1)
				sub(/^ +/, "", v)
				unit = substr(v, length(v))
				printf "%s\t%s\t%s\t%s\n", side, label, unit, substr(v, 1, length(v) - 1)
			}' "$out" >>"$work/figures"
	done
done
if [ -n "${HNV_COMPARE_LOGS:-}" ]; then
	mkdir -p "$HNV_COMPARE_LOGS"
	cp "$work"/out/* "$HNV_COMPARE_LOGS"/
fi

# The table: medians per figure, in the order bench_uft prints them.
echo
echo "OLD $(git -C "$repo" log -1 --format='%h %s' "$old_sha")"
echo "NEW $(git -C "$repo" log -1 --format='%h %s' "$new_sha")"
echo "bench_uft ${bench_args[*]}; $runs runs of each, interleaved; meson --buildtype=$buildtype" \
	"${HNV_COMPARE_MESON_OPTS:-}"
awk -F '\t' '
	function median(side, key,   n, i, j, t, a) {
		n = cnt[side, key]
		for (i = 1; i <= n; i++)
			a[i] = val[side, key, i] + 0
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		lo[side] = a[1]
		hi[side] = a[n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		key = $2 SUBSEP $3
		if (!(key in seen)) {
			seen[key] = 1
			order[++nkeys] = key
		}
		val[$1, key, ++cnt[$1, key]] = $4
	}
	END {
		printf "%-36s %-10s %10s %10s %8s %7s\n", "figure", "unit", "OLD", "NEW",
			"NEW/OLD", "range"
		for (k = 1; k <= nkeys; k++) {
			key = order[k]
			split(key, parts, SUBSEP)
			o = n = "-"
			ratio = range = "-"
			spread = 0
			if (cnt["old", key] > 0) {
				o = median("old", key)
				if (o != 0)
					spread = (hi["old"] - lo["old"]) / o
			}
			if (cnt["new", key] > 0) {
				n = median("new", key)
				if (n != 0 && (hi["new"] - lo["new"]) / n > spread)
					spread = (hi["new"] - lo["new"]) / n
			}
			if (o != "-" && n != "-" && o != 0)
				ratio = sprintf("%.3f", n / o)
			if (o != "-" || n != "-")
				range = sprintf("%.1f%%", 100 * spread)
			printf "%-36s %-10s %10s %10s %8s %7s\n", parts[1], parts[2],
				o == "-" ? o : sprintf("%.2f", o), n == "-" ? n : sprintf("%.2f", n),
				ratio, range
		}
	}' "$work/figures"
