#!/usr/bin/env bash
# Makes the signed example bundles of every policy under policies/: one
# passing case and several failing ones each, as
#   policies/<name>/bundles/<case>.intoto.jsonl
#   policies/<name>/bundles/<case>.expected.json
# (`{"args": [...], "exit": N, "codes": [...]}`: the extra `cairn verify`
# arguments, run from policies/<name>/ as
#   cairn verify policy.cairn --bundle bundles/<case>.intoto.jsonl ARGS...
# the expected exit code and the sorted, distinct finding codes).
# Every case is also a case of policies/<name>/tests/bundles.toml, the suite
# `cairn test` runs (docs/testing.md); tests/it/test_cmd.rs keeps the two the
# same, so a new or changed case goes into both.
#
# Only `cairn attest` and `cairn sign` make evidence, with the example keys
# in policies/*/keys/ and the committed files in policies/*/artifacts/.
# Ed25519 signatures are deterministic and nothing here reads the clock, so
# running the script again gives byte-identical files (tests/it/examples.rs
# checks that).
#
# Usage: scripts/make-examples.sh [OUT_DIR]
#   OUT_DIR defaults to policies/; the bundles go to OUT_DIR/<name>/bundles/.
#   CAIRN names the cairn binary (default: target/debug/cairn, built first).
set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "$0")/.." && pwd)"
out_root="${1:-$root/policies}"
mkdir -p "$out_root"
out_root="$(cd "$out_root" && pwd)"
if [[ -z "${CAIRN:-}" ]]; then
  (cd "$root" && cargo build --quiet --bin cairn)
  CAIRN="$root/target/debug/cairn"
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# The evaluation time every case uses unless it says otherwise.
TIME=2026-06-01T00:00:00Z

sha() { sha256sum "$1" | cut -d' ' -f1; }

# A `{"name": ..., "digest": {"sha256": ...}}` list of FILES (relative to DIR).
descriptors() {
  local dir=$1 sep="" f
  shift
  printf '['
  for f in "$@"; do
    printf '%s{"name":"%s","digest":{"sha256":"%s"}}' "$sep" "$f" "$(sha "$dir/$f")"
    sep=","
  done
  printf ']'
}

# A classic `{"name": {"sha256": ...}}` map of FILES (relative to DIR).
artifact_map() {
  local dir=$1 sep="" f
  shift
  printf '{'
  for f in "$@"; do
    printf '%s"%s":{"sha256":"%s"}' "$sep" "$f" "$(sha "$dir/$f")"
    sep=","
  done
  printf '}'
}

# attest LINE TYPE PREDICATE_JSON KEY DIR SUBJECT...: one signed Statement
# about the SUBJECT files (named relative to DIR) into $scratch/LINE.
attest() {
  local line=$1 type=$2 predicate=$3 key=$4 dir=$5
  shift 5
  printf '%s\n' "$predicate" > "$scratch/$line.predicate.json"
  local subjects=() subject
  for subject in "$@"; do subjects+=(--subject "$subject"); done
  (cd "$dir" && "$CAIRN" attest --predicate-type "$type" \
    --predicate "$scratch/$line.predicate.json" --key "$key" \
    "${subjects[@]}") > "$scratch/$line"
}

# sign LINE KEY JSON: a DSSE envelope around the JSON (a classic link) into $scratch/LINE.
sign() {
  local line=$1 key=$2 json=$3
  printf '%s\n' "$json" > "$scratch/$line.payload.json"
  "$CAIRN" sign --key "$key" "$scratch/$line.payload.json" -o "$scratch/$line"
}

# bundle CASE LINE...: the case's bundle, its lines sorted.
bundle() {
  local case=$1 line
  shift
  for line in "$@"; do cat "$scratch/$line"; done | sort > "$bundles/$case.intoto.jsonl"
}

# expect CASE EXIT CODES ARG...: the case's expected result (CODES: a
# space-separated list of finding codes, in any order).
expect() {
  local case=$1 exit=$2 codes=$3 sep="" a c
  shift 3
  {
    printf '{\n  "args": ['
    for a in "$@"; do printf '%s"%s"' "$sep" "$a"; sep=", "; done
    printf '],\n  "exit": %s,\n  "codes": [' "$exit"
    sep=""
    for c in $(printf '%s\n' $codes | sort -u); do printf '%s"%s"' "$sep" "$c"; sep=", "; done
    printf ']\n}\n'
  } > "$bundles/$case.expected.json"
}

begin() {
  policy="$root/policies/$1"
  keys="$policy/keys"
  art="$policy/artifacts"
  bundles="$out_root/$1/bundles"
  rm -rf "$bundles"
  mkdir -p "$bundles"
  rm -rf "${scratch:?}"/*
}

# ---------------------------------------------------------------- release
begin release
sources=(foo/Makefile foo/main.c)
attest checkout link/v0.3 \
  '{"name":"checkout","command":["git","clone","https://git.example.com/foo.git"],"materials":[],"byproducts":{},"environment":{}}' \
  "$keys/alice.key" "$art" "${sources[@]}"
attest review https://in-toto.io/attestation/human-review/vcs/v0.1 \
  '{"result":"approved","reviewer":"reviewer@example.com"}' \
  "$keys/reviewer.key" "$art" "${sources[@]}"
attest test test-result/v0.1 \
  '{"result":"PASSED","configuration":[],"passedTests":["unit","smoke"],"failedTests":[],"warnedTests":[]}' \
  "$keys/tester.key" "$art" "${sources[@]}"
attest test-failed test-result/v0.1 \
  '{"result":"FAILED","configuration":[],"passedTests":["unit"],"failedTests":["smoke"],"warnedTests":[]}' \
  "$keys/tester.key" "$art" "${sources[@]}"
provenance='{"buildDefinition":{"buildType":"https://ci.example.com/build/make/v1","externalParameters":{"target":"foo"},"resolvedDependencies":'"$(descriptors "$art" "${sources[@]}")"'},"runDetails":{"builder":{"id":"https://ci.example.com/builder/v1"},"metadata":{"invocationId":"build-42"}}}'
attest build-ci slsa-provenance/v1 "$provenance" "$keys/ci.key" "$art" bin/foo-1.0
attest build-ci-backup slsa-provenance/v1 "$provenance" "$keys/ci-backup.key" "$art" bin/foo-1.0
attest build-alice slsa-provenance/v1 "$provenance" "$keys/alice.key" "$art" bin/foo-1.0
trace='{"monitor":{"type":"https://ci.example.com/monitor/v1"},"monitorLog":{"process":[{"name":"make"},{"name":"cc"},{"name":"ld"}],"network":[],"fileAccess":[]}}'
attest trace-ci runtime-trace/v0.1 "$trace" "$keys/ci.key" "$art" bin/foo-1.0
attest trace-ci-backup runtime-trace/v0.1 "$trace" "$keys/ci-backup.key" "$art" bin/foo-1.0
scai='{"attributes":[{"attribute":"HERMETIC_BUILD","evidence":{"name":"trace"}}],"producer":{"uri":"https://ci.example.com/"}}'
attest scai-ci scai/v0.3 "$scai" "$keys/ci.key" "$art" bin/foo-1.0
attest scai-ci-backup scai/v0.3 "$scai" "$keys/ci-backup.key" "$art" bin/foo-1.0
# The review signed by the CI key instead of the reviewer's.
attest review-by-ci https://in-toto.io/attestation/human-review/vcs/v0.1 \
  '{"result":"approved","reviewer":"ci@example.com"}' \
  "$keys/ci.key" "$art" "${sources[@]}"
# A provenance about another binary of the same name.
mkdir -p "$scratch/other/bin"
cp "$art/tampered/foo-1.0" "$scratch/other/bin/foo-1.0"
attest build-other-ci slsa-provenance/v1 "$provenance" "$keys/ci.key" "$scratch/other" bin/foo-1.0
attest build-other-ci-backup slsa-provenance/v1 "$provenance" "$keys/ci-backup.key" "$scratch/other" bin/foo-1.0
# A key this policy does not know (another example's key).
attest review-stranger https://in-toto.io/attestation/human-review/vcs/v0.1 \
  '{"result":"approved","reviewer":"mallory@example.com"}' \
  "$root/policies/threshold/keys/owner.key" "$art" "${sources[@]}"

all=(checkout review test build-ci build-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup)
bundle pass "${all[@]}"
expect pass 0 "" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle tampered-artifact "${all[@]}"
expect tampered-artifact 1 "V107" --artifact artifacts/tampered/foo-1.0 --time "$TIME"
bundle expired "${all[@]}"
expect expired 1 "V109" --artifact artifacts/bin/foo-1.0 --time 2028-01-01T00:00:00Z
bundle failed-test checkout review test-failed build-ci build-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup
expect failed-test 1 "V106" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle unauthorised-builder checkout review test build-ci build-alice trace-ci trace-ci-backup scai-ci scai-ci-backup
expect unauthorised-builder 1 "V102" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle unknown-reviewer checkout review-stranger test build-ci build-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup
expect unknown-reviewer 1 "V119 V101" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle missing-review checkout test build-ci build-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup
expect missing-review 1 "V101" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle review-by-ci checkout review-by-ci test build-ci build-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup
expect review-by-ci 1 "V101" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle other-binary checkout review test build-other-ci build-other-ci-backup trace-ci trace-ci-backup scai-ci scai-ci-backup
expect other-binary 1 "V104 V107" --artifact artifacts/bin/foo-1.0 --time "$TIME"

# ---------------------------------------------------------------- classic
begin classic
co="$art/checkout"
bd="$art/build"
pk="$art/package"
checkout_products="$(artifact_map "$co" demo/build.tmp demo/main.c demo/version.h)"
sign checkout "$keys/alice.key" \
  '{"_type":"link","name":"checkout","command":["git","clone","https://git.example.com/demo.git"],"materials":{},"products":'"$checkout_products"',"byproducts":{},"environment":{}}'
sign build "$keys/bob.key" \
  '{"_type":"link","name":"build","command":["make","-C","demo"],"materials":'"$checkout_products"',"products":'"$(artifact_map "$bd" demo/demo demo/main.c demo/main.o demo/version.h)"',"byproducts":{"return-value":0},"environment":{}}'
# The build claims a main.c that is not the one checked out.
tampered_materials='{"demo/build.tmp":{"sha256":"'"$(sha "$co/demo/build.tmp")"'"},"demo/main.c":{"sha256":"'"$(sha "$bd/demo/main.o")"'"},"demo/version.h":{"sha256":"'"$(sha "$co/demo/version.h")"'"}}'
sign build-tampered "$keys/bob.key" \
  '{"_type":"link","name":"build","command":["make","-C","demo"],"materials":'"$tampered_materials"',"products":'"$(artifact_map "$bd" demo/demo demo/main.c demo/main.o demo/version.h)"',"byproducts":{"return-value":0},"environment":{}}'
package_link='{"_type":"link","name":"package","command":["tar","czf","demo.tar.gz","demo/demo"],"materials":'"$(artifact_map "$bd" demo/demo)"',"products":{"demo.tar.gz":{"sha256":"'"$(sha "$pk/demo.tar.gz")"'"},"demo/demo":{"sha256":"'"$(sha "$bd/demo/demo")"'"}},"byproducts":{"return-value":0},"environment":{}}'
sign package "$keys/carl.key" "$package_link"
sign package-by-bob "$keys/bob.key" "$package_link"

inspect=(--run-inspections --inspection-dir artifacts/package)
bundle pass checkout build package
expect pass 0 "" --artifact artifacts/package/demo.tar.gz "${inspect[@]}" --time "$TIME"
bundle inspection-not-run checkout build package
expect inspection-not-run 1 "V110" --artifact artifacts/package/demo.tar.gz --time "$TIME"
bundle tampered-source checkout build-tampered package
expect tampered-source 1 "V104" --artifact artifacts/package/demo.tar.gz "${inspect[@]}" --time "$TIME"
bundle unauthorised-packager checkout build package-by-bob
expect unauthorised-packager 1 "V101 V104 V107" --artifact artifacts/package/demo.tar.gz "${inspect[@]}" --time "$TIME"
bundle missing-build checkout package
expect missing-build 1 "V101 V104" --artifact artifacts/package/demo.tar.gz "${inspect[@]}" --time "$TIME"

# ---------------------------------------------------------------- threshold
begin threshold
srcs=(src/Makefile src/app.c)
attest checkout link/v0.3 '{"name":"checkout","command":[],"materials":[]}' \
  "$keys/owner.key" "$art" "${srcs[@]}"
build_link='{"name":"build","command":["make"],"materials":'"$(descriptors "$art" "${srcs[@]}")"'}'
for k in ci-1 ci-2 ci-3; do
  attest "build-$k" link/v0.3 "$build_link" "$keys/$k.key" "$art" out/app
done
# A builder whose output differs: the same name, other bytes.
mkdir -p "$scratch/other/out"
cp "$art/tampered/app" "$scratch/other/out/app"
attest build-ci-2-differs link/v0.3 "$build_link" "$keys/ci-2.key" "$scratch/other" out/app
# The same builder twice (two envelopes, one key).
cp "$scratch/build-ci-1" "$scratch/build-ci-1-again"

bundle pass checkout build-ci-1 build-ci-3
expect pass 0 "" --artifact artifacts/out/app --time "$TIME"
bundle all-three checkout build-ci-1 build-ci-2 build-ci-3
expect all-three 0 "" --artifact artifacts/out/app --time "$TIME"
bundle one-builder checkout build-ci-1
expect one-builder 1 "V102" --artifact artifacts/out/app --time "$TIME"
bundle same-builder-twice checkout build-ci-1 build-ci-1-again
expect same-builder-twice 1 "V102" --artifact artifacts/out/app --time "$TIME"
bundle builders-disagree checkout build-ci-1 build-ci-2-differs
expect builders-disagree 1 "V103" --artifact artifacts/out/app --time "$TIME"
bundle tampered-artifact checkout build-ci-1 build-ci-3
expect tampered-artifact 1 "V107" --artifact artifacts/tampered/app --time "$TIME"

# ---------------------------------------------------------------- params
begin params
attest source link/v0.3 '{"name":"source","command":["git","checkout","widget-1.0.0"],"materials":[]}' \
  "$keys/dev.key" "$art" widget/widget.c
params_provenance() {
  printf '{"buildDefinition":{"buildType":"https://ci.example.com/build/v1","externalParameters":{"component":"widget","version":"%s"},"resolvedDependencies":%s},"runDetails":{"builder":{"id":"%s"}}}' \
    "$1" "$(descriptors "$art" widget/widget.c)" "$2"
}
attest build slsa-provenance/v1 "$(params_provenance 1.0.0 https://ci.example.com/builder/v1)" \
  "$keys/ci.key" "$art" 'dist/widget-1.0.0.tar.gz' 'dist/{checksums}.txt'
attest build-other-builder slsa-provenance/v1 "$(params_provenance 1.0.0 https://builds.example.net/)" \
  "$keys/ci.key" "$art" 'dist/widget-1.0.0.tar.gz' 'dist/{checksums}.txt'
attest build-by-dev slsa-provenance/v1 "$(params_provenance 1.0.0 https://ci.example.com/builder/v1)" \
  "$keys/dev.key" "$art" 'dist/widget-1.0.0.tar.gz' 'dist/{checksums}.txt'

bundle pass source build
expect pass 0 "" --param component=widget --artifact artifacts/dist/widget-1.0.0.tar.gz --time "$TIME"
bundle missing-param source build
expect missing-param 2 "V113" --artifact artifacts/dist/widget-1.0.0.tar.gz --time "$TIME"
bundle wrong-version source build
expect wrong-version 1 "V104 V106 V112" --param component=widget --param version=2.0.0 --artifact artifacts/dist/widget-1.0.0.tar.gz --time "$TIME"
bundle other-builder source build-other-builder
expect other-builder 1 "V106" --param component=widget --artifact artifacts/dist/widget-1.0.0.tar.gz --time "$TIME"
bundle unauthorised-builder source build-by-dev
expect unauthorised-builder 1 "V101 V107" --param component=widget --artifact artifacts/dist/widget-1.0.0.tar.gz --time "$TIME"

# ---------------------------------------------------------------- subject
# The checkout is a Statement whose subject is a git commit, not a file:
# written here as JSON and signed with `cairn sign`.
begin subject
COMMIT=3f2a6c1e9b0d4a7c8e5f6a1b2c3d4e5f60718293
# statement LINE KEY SUBJECT_JSON PREDICATE_TYPE PREDICATE_JSON
statement() {
  sign "$1" "$2" "$(printf '{"_type":"https://in-toto.io/Statement/v1","subject":%s,"predicateType":"%s","predicate":%s}' "$3" "$4" "$5")"
}
checkout_link() {
  printf '{"name":"checkout","command":["git","clone","%s"],"materials":[]}' "$1"
}
statement checkout "$keys/dev.key" "[{\"name\":\"foo\",\"digest\":{\"gitCommit\":\"$COMMIT\"}}]" \
  https://in-toto.io/attestation/link/v0.3 "$(checkout_link https://git.example.com/foo.git)"
statement checkout-unpinned "$keys/dev.key" "[{\"name\":\"foo\",\"digest\":{\"sha256\":\"$(printf %s "$COMMIT" | sha256sum | cut -d' ' -f1)\"}}]" \
  https://in-toto.io/attestation/link/v0.3 "$(checkout_link https://git.example.com/foo.git)"
statement checkout-elsewhere "$keys/dev.key" "[{\"name\":\"foo\",\"digest\":{\"gitCommit\":\"$COMMIT\"}}]" \
  https://in-toto.io/attestation/link/v0.3 "$(checkout_link https://mirror.example.net/foo.git)"
subject_provenance() {
  printf '{"buildDefinition":{"buildType":"https://ci.example.com/build/v1","externalParameters":{}%s},"runDetails":{"builder":{"id":"https://ci.example.com/builder/v1"}}}' "$1"
}
attest build slsa-provenance/v1 \
  "$(subject_provenance ",\"resolvedDependencies\":[{\"name\":\"foo\",\"digest\":{\"gitCommit\":\"$COMMIT\"}}]")" \
  "$keys/ci.key" "$art" bin/foo-1.0
attest build-unpinned slsa-provenance/v1 \
  "$(subject_provenance ",\"resolvedDependencies\":[{\"name\":\"foo\",\"digest\":{\"sha256\":\"$(printf %s "$COMMIT" | sha256sum | cut -d' ' -f1)\"}}]")" \
  "$keys/ci.key" "$art" bin/foo-1.0
attest build-no-dependencies slsa-provenance/v1 "$(subject_provenance "")" \
  "$keys/ci.key" "$art" bin/foo-1.0

bundle pass checkout build
expect pass 0 "" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle unpinned-checkout checkout-unpinned build-unpinned
expect unpinned-checkout 1 "V106" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle checkout-elsewhere checkout-elsewhere build
expect checkout-elsewhere 1 "V106" --artifact artifacts/bin/foo-1.0 --time "$TIME"
bundle no-dependencies checkout build-no-dependencies
expect no-dependencies 1 "V160" --artifact artifacts/bin/foo-1.0 --time "$TIME"
