#!/bin/sh
# Seeds each target's corpus from fuzz/seeds/ and runs the targets one after another.
#
# Usage: fuzz/run.sh [SECONDS_PER_TARGET [TARGET...]]   (default: 60 seconds, every target)
#
# fuzz/corpus/ and fuzz/artifacts/ are not committed: the corpus grows on every run, and a
# crash lands in fuzz/artifacts/TARGET/. Logs go to fuzz/logs/TARGET.log.
#
# cargo-fuzz passes nightly-only compiler flags (-Z sanitizer=address, among others). On a
# stable toolchain RUSTC_BOOTSTRAP=1 allows them, for this command only. FUZZ_FLAGS adds
# cargo-fuzz options, such as `-s none` to build without a sanitizer.
set -eu
cd "$(dirname "$0")"
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-$(cargo fuzz list)}
mkdir -p logs
for target in $targets; do
    mkdir -p "corpus/$target"
    cp -n "seeds/$target/"* "corpus/$target/" 2>/dev/null || true
    echo "== $target: $seconds s"
    RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1} cargo fuzz run ${FUZZ_FLAGS:-} "$target" \
        "corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 \
        >"logs/$target.log" 2>&1 || echo "   $target failed: see fuzz/logs/$target.log"
    grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|stat::number_of_executed_units)' "logs/$target.log" || true
done
