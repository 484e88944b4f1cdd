#!/usr/bin/env bash
# Large predicates: `cairn verify` of a policy with three checks over one
# signed CycloneDX attestation, against `cairn verify-envelope` (the
# signature alone) on the same file, in one run.
#
#   scripts/bench/predicate.sh [--runs K] [--no-build] [N...]
#       (default: 5 rounds, N = 20000 100000 200000 components)
#
# Builds cairn with --profile dist (with --no-build: target/dist/cairn as it
# is); for each N, once, under target/bench-data/predicate/N/: a BOM of N
# components with random licenses (scripts/bench/predicate_gen.py), a key
# (`cairn key gen`), the attestation (`cairn attest --predicate-type
# cyclonedx`, one line of sbom.intoto.jsonl) and policy.cairn, whose
# attestation block has three checks: `all` over every component's license
# id, a `count` of the components and a `count` of a filter (GPL
# components, none). scripts/bench/predicate_measure.py then runs both
# commands in alternating order and prints median wall and CPU times, peak
# RSS, their ratios and RSS over the attestation's bytes. Every run must
# exit 0. Results: docs/performance.md, "Large predicates".
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=5
build=1
sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "usage: $0 [--runs K] [--no-build] [N...]" >&2; exit 2 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 100000 200000)

if [ "$build" = 1 ]; then
    cargo build --profile dist --quiet --bin cairn
fi
cairn="$PWD/target/dist/cairn"
[ -x "$cairn" ] || { echo "no target/dist/cairn (build it, or drop --no-build)" >&2; exit 1; }

data=target/bench-data/predicate
for n in "${sizes[@]}"; do
    dir="$data/$n"
    [ -f "$dir/sbom.intoto.jsonl" ] && continue
    rm -rf "$dir" && mkdir -p "$dir"
    python3 scripts/bench/predicate_gen.py "$n" > "$dir/bom.json"
    echo "app $n" > "$dir/app.bin"
    "$cairn" key gen -o "$dir/ci" > /dev/null
    (cd "$dir" && "$cairn" attest --predicate-type cyclonedx --predicate bom.json \
        --subject app.bin --key ci -o sbom.intoto.jsonl)
    rm "$dir/bom.json"
    cat > "$dir/policy.cairn" <<'POLICY'
layout "sbom" {
  expires 2030-01-01T00:00:00Z
  key ci = file "ci.pub"
  step sbom {
    by ci
    attestation cyclonedx {
      require all $.components[*].licenses[*].license.id in ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "BSD-2-Clause", "MPL-2.0"]
      require count $.components[*] >= 1
      require count $.components[?@.licenses[0].license.id == "GPL-3.0-only"] == 0
    }
  }
}
POLICY
done

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
python3 scripts/bench/predicate_measure.py "$cairn" "$data" "$runs" "${sizes[@]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
