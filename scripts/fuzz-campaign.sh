#!/usr/bin/env bash
# The fuzzing campaign: every target of fuzz/fuzz_targets for SECONDS of
# wall time each (default 3600, one CPU-hour with one job), one after the
# other, from its seed corpus; then a table of the target, seconds,
# executions, final coverage (libFuzzer's `cov:` edges and `ft:` features),
# corpus size and crashes found. Crash inputs are left in
# fuzz/artifacts/<target>/ (fix each, then add it to fuzz/corpus/<target>/
# as crash-<what> so that `cargo test` replays it).
#
#   scripts/fuzz-campaign.sh [SECONDS] [TARGET...]
#
# Leak detection is off (-detect_leaks=0): LeakSanitizer reports the
# thread-local state of the scoped threads cairn's loader runs on, freed
# after libFuzzer looks (std's `Thread` handle and glibc's TLS destructor
# list), which is no leak of cairn's. Needs `cargo +nightly fuzz` (cargo
# install cargo-fuzz). The new corpus
# entries libFuzzer finds go to a scratch copy, not fuzz/corpus: the seeds
# stay small and reviewable. Exits 1 when any target left a crash input.
# Results: docs/security.md, "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-3600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
cargo +nightly fuzz build -O >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-20s %8s %12s %8s %8s %7s %7s\n' target seconds executions cov ft corpus crashes
found=0
for t in "${targets[@]}"; do
    mkdir -p "$work/$t" "artifacts/$t"
    cp corpus/"$t"/* "$work/$t/"
    log="$work/$t.log"
    before=$(ls "artifacts/$t" | wc -l)
    start=$(date +%s)
    cargo +nightly fuzz run -O "$t" "$work/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" > "$log" 2>&1 || true
    end=$(date +%s)
    after=$(ls "artifacts/$t" | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    corpus=$(ls "$work/$t" | wc -l)
    printf '%-20s %8s %12s %8s %8s %7s %7s\n' "$t" "$((end - start))" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$((after - before))"
    if [ "$after" -gt "$before" ]; then
        found=$((found + after - before))
        grep -m3 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /' || true
    fi
done
# A crash, hang or leak report anywhere fails the run (CI's smoke run too).
if [ "$found" -gt 0 ]; then
    echo "$found crash input(s) in fuzz/artifacts/" >&2
    exit 1
fi
