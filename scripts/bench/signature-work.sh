#!/usr/bin/env bash
# Signature work per envelope: one DSSE envelope of a large payload (63 MiB
# by default) whose 32 signatures name no keyid and verify with none of the
# policy's 8 Ed25519 keys (well-formed signatures, not noise: each passes
# the cheap checks and would cost a hash of the payload per key tried),
# verified with `cairn verify`. Prints the wall and CPU time; before the
# signature-work bound this took 34 s of CPU, the bound keeps it under 2 s
# (docs/security.md, "Bounded work").
#
#   scripts/bench/signature-work.sh [CAIRN] [MiB] [SIGNATURES] [KEYS]
#       CAIRN defaults to target/release/cairn; the data is written to a
#       temporary directory and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
cairn="${1:-$PWD/target/release/cairn}"
mib="${2:-63}"
sigs="${3:-32}"
keys="${4:-8}"
case "$cairn" in /*) ;; *) cairn="$PWD/$cairn" ;; esac
[ -x "$cairn" ] || { echo "no $cairn (cargo build --release)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

for i in $(seq 1 "$keys"); do "$cairn" key gen -o "k$i" > /dev/null; done
"$cairn" key gen -o stranger > /dev/null
python3 - "$mib" > payload.json <<'PY'
import json, sys
mib = int(sys.argv[1])
filler = "a" * (mib * 1024 * 1024)
st = {"_type": "https://in-toto.io/Statement/v1",
      "subject": [{"name": "app", "digest": {"sha256": "0" * 64}}],
      "predicateType": "https://example.com/big/v1",
      "predicate": {"filler": filler}}
sys.stdout.write(json.dumps(st))
PY
"$cairn" sign --key stranger -o one.json payload.json
# Well-formed junk: the stranger's R with other canonical scalars s.
python3 - "$sigs" one.json > envelope.json <<'PY'
import base64, json, random, sys
n = int(sys.argv[1])
env = json.load(open(sys.argv[2]))
sig = base64.b64decode(env["signatures"][0]["sig"])
l = 2**252 + 27742317777372353535851937790883648493
rng = random.Random(7)
sigs = []
for _ in range(n):
    s = rng.randrange(1, l)
    sigs.append({"sig": base64.b64encode(sig[:32] + s.to_bytes(32, "little")).decode()})
env["signatures"] = sigs
sys.stdout.write(json.dumps(env))
PY
rm one.json payload.json
{
    echo 'layout "big" {'
    echo '  expires 2030-01-01T00:00:00Z'
    for i in $(seq 1 "$keys"); do echo "  key k$i = file \"k$i.pub\""; done
    echo '  step build {'
    echo "    by 1 of $(seq -s ', ' 1 "$keys" | sed 's/\([0-9]\+\)/k\1/g')"
    echo '    attestation "https://example.com/big/v1" {}'
    echo '  }'
    echo '}'
} > policy.cairn
bytes=$(stat -c %s envelope.json)
echo "envelope: $bytes bytes, $sigs signatures without keyid, $keys Ed25519 keys"
start=$(date +%s.%N)
set +e
/usr/bin/time -f "cpu: %U s user, %S s system; peak RSS %M KiB" \
    "$cairn" verify policy.cairn --bundle envelope.json > out.txt 2> err.txt
code=$?
set -e
end=$(date +%s.%N)
grep -m3 -E "too many|×|error" err.txt | cut -c1-200 || true
tail -n 1 err.txt
grep -m1 -o "signature [0-9]*: [^\"]*" out.txt err.txt | head -n 2 || true
echo "exit $code, wall $(python3 -c "print(round($end - $start, 2))") s"
