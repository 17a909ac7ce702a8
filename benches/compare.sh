#!/usr/bin/env bash
# Compares t3forensics with the tools an operator would use instead, on one generated corpus,
# and prints every ratio from one run. Usage:
#
#   benches/compare.sh [CORPUS_DIR]      (default /tmp/t3f-bench; about 1 GiB is written there)
#
# Environment: HOURS (default 8) and TRAEFIK_NOISE (Traefik lines per second from other routers,
# default 160) size the corpus; JOURNAL_NOISE (default 20) sizes the devvm journal; RUNS (default
# 3) is how many times each command runs (the best time counts). Needs ripgrep, bc, zstd and GNU
# time (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-/tmp/t3f-bench}
hours=${HOURS:-8}
traefik_noise=${TRAEFIK_NOISE:-160}
journal_noise=${JOURNAL_NOISE:-20}
runs=${RUNS:-3}

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v bc >/dev/null || missing+=(bc)
command -v zstd >/dev/null || missing+=(zstd)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --locked --quiet --bin t3forensics --example gen_testdata
bin=target/release/t3forensics
gen=target/release/examples/gen_testdata

generate() { # DIR NOISE
  if [ ! -f "$1/traefik-access.log" ]; then
    "$gen" --out "$1" --hours "$hours" --traefik-noise "$2" --journal-noise "$journal_noise" >/dev/null
  fi
}
generate "$corpus" "$traefik_noise"
generate "$corpus-double" "$((traefik_noise * 2))"
files=("$corpus"/*.log)

# Compressed copies: the Traefik log whole, and cut into four rotated files.
if [ ! -f "$corpus/gz/traefik-access.log.gz" ]; then
  mkdir -p "$corpus/gz/split"
  gzip -c "$corpus/traefik-access.log" >"$corpus/gz/traefik-access.log.gz"
  split -n l/4 -d --additional-suffix=.log "$corpus/traefik-access.log" "$corpus/gz/split/traefik-"
  gzip -f "$corpus"/gz/split/*.log
fi
if [ ! -f "$corpus/gz/traefik-access.log.zst" ]; then
  zstd -q -c "$corpus/traefik-access.log" >"$corpus/gz/traefik-access.log.zst"
fi

# Read everything once so every command reads from the page cache.
cat "${files[@]}" "$corpus"/gz/*.gz "$corpus"/gz/*.zst "$corpus"/gz/split/*.gz "$corpus-double"/*.log >/dev/null

# best SECONDS of $runs runs of a shell command
best() {
  local best_time=
  for _ in $(seq "$runs"); do
    local start end elapsed
    start=$(date +%s.%N)
    bash -c "$1" >/dev/null 2>&1
    end=$(date +%s.%N)
    elapsed=$(echo "$end - $start" | bc -l)
    if [ -z "$best_time" ] || [ "$(echo "$elapsed < $best_time" | bc -l)" = 1 ]; then
      best_time=$elapsed
    fi
  done
  printf '%.3f' "$best_time"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
peak_kb() { /usr/bin/time -f '%M' bash -c "$1 >/dev/null 2>/dev/null" 2>&1 | tail -1; }

bytes=$(cat "${files[@]}" | wc -c)
threads=$(nproc)
q() { printf '%q ' "$@"; }

echo "corpus: $corpus, $((bytes / 1048576)) MiB in ${#files[@]} files; $threads cores; best of $runs runs"
echo

drops_all=$(best "$bin drops -q $(q "${files[@]}")")
drops_one=$(best "$bin drops -q --threads 1 $(q "${files[@]}")")
rg_count=$(best "rg -c -F -e t3code-t3 -e 'ws close' -e 'proxy error' -e 'Killed process' $(q "${files[@]}")")
echo "drops, all threads:              ${drops_all} s  ($(printf '%.0f' "$(echo "$bytes / $drops_all / 1048576" | bc -l)") MiB/s)"
echo "drops, 1 thread:                 ${drops_one} s"
echo "rg -c (candidate lines only):    ${rg_count} s"
echo "  drops / rg:                    $(ratio "$drops_all" "$rg_count")   (target: at most 3)"
echo "  1 thread / all threads:        $(ratio "$drops_one" "$drops_all")   (target: at least 1.7 on 2 cores)"
echo

journal="$corpus/devvm-journal.log"
bursts=$(best "$bin bursts -q $(q "$journal")")
shell=$(best "grep -F 'proxy error: context canceled' $(q "$journal") | awk '{print \$1}' | sort | uniq -c | awk '\$1 >= 5'")
echo "bursts on the journal:           ${bursts} s"
echo "grep | awk | sort | uniq -c:     ${shell} s"
echo "  bursts / shell pipeline:       $(ratio "$bursts" "$shell")   (target: at most 1)"
echo

gz="$corpus/gz/traefik-access.log.gz"
drops_gz=$(best "$bin drops -q $(q "$gz")")
gunzip_one=$(best "gzip -dc $(q "$gz")")
split=("$corpus"/gz/split/*.gz)
drops_split=$(best "$bin drops -q $(q "${split[@]}")")
gunzip_split=$(best "gzip -dc $(q "${split[@]}")")
echo "drops on one .gz:                ${drops_gz} s;  gzip -dc: ${gunzip_one} s"
echo "  drops / gzip -dc, one file:    $(ratio "$drops_gz" "$gunzip_one")   (target: at most 1.2)"
echo "drops on 4 .gz files:            ${drops_split} s;  gzip -dc: ${gunzip_split} s"
echo "  drops / gzip -dc, 4 files:     $(ratio "$drops_split" "$gunzip_split")   (target: under 1)"
zst="$corpus/gz/traefik-access.log.zst"
drops_zst=$(best "$bin drops -q $(q "$zst")")
unzstd=$(best "zstd -dc $(q "$zst")")
echo "drops on one .zst:               ${drops_zst} s;  zstd -dc: ${unzstd} s"
echo "  drops / zstd -dc:              $(ratio "$drops_zst" "$unzstd")   (no target)"
echo

peak=$(peak_kb "$bin drops -q $(q "${files[@]}")")
peak_double=$(peak_kb "$bin drops -q $(q "$corpus-double"/*.log)")
echo "peak memory:                     $((peak / 1024)) MiB  (target: under 256)"
echo "  with twice the other traffic:  $((peak_double / 1024)) MiB, ratio $(ratio "$peak_double" "$peak")   (target: at most 1.1)"

one=$("$bin" drops -q --threads 1 "${files[@]}" | md5sum)
all=$("$bin" drops -q "--threads=$threads" "${files[@]}" | md5sum)
if [ "$one" = "$all" ]; then
  echo "output with 1 and $threads threads: identical"
else
  echo "output with 1 and $threads threads: DIFFERENT"
  exit 1
fi
