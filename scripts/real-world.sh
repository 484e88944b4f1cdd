#!/usr/bin/env bash
# Runs the real-world corpus (../shared/real-world/run.sh, data of other
# projects, never copied here) against target/release/cairn and compares each
# disagreement with tests/real-world/known-gaps.txt.
#
#   usage: scripts/real-world.sh [CAIRN]      (default: target/release/cairn)
#
# Fails when ../shared/real-world is missing, when a case disagrees and is not
# listed as a known gap, or when a listed gap now agrees (the list only
# shrinks: remove the line). Set CAIRN_SHARED to read the corpus elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${CAIRN_SHARED:-../shared}"
corpus="$shared/real-world/run.sh"
cairn="${1:-target/release/cairn}"
gaps=tests/real-world/known-gaps.txt
if [ ! -x "$corpus" ]; then
  echo "error: $corpus is missing (set CAIRN_SHARED to the shared folder)" >&2
  exit 1
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$corpus" "$cairn" >"$out" 2>&1 || true
cat "$out"
python3 - "$out" "$gaps" <<'PY'
import re, sys
out, gaps_file = sys.argv[1], sys.argv[2]
gaps = {}
for n, line in enumerate(open(gaps_file, encoding="utf-8"), 1):
    if not line.strip() or line.startswith("#"):
        continue
    name, sep, why = line.partition("|")
    if not sep or not why.strip():
        sys.exit(f"{gaps_file}:{n}: expected `CASE | reason`")
    gaps[name.strip()] = why.strip()
ok = {"pass": {"pass"}, "fail": {"fail"}, "reject": None, "either": None}
seen, unexpected, closed = set(), [], []
summary = None
for line in open(out, encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.fullmatch(r"(\S+): expected (\w+), cairn (.+)", line)
    if not m:
        if re.fullmatch(r"\d+ passed, \d+ failed", line):
            summary = line
        continue
    name, exp, got = m.groups()
    seen.add(name)
    if exp == "pass":
        agrees = got == "pass"
    elif exp == "fail":
        agrees = got == "fail"
    elif exp == "reject":
        agrees = got != "pass"
    elif exp == "either":
        agrees = got != "fail"
    else:
        sys.exit(f"unknown expectation in `{line}`")
    if not agrees and name not in gaps:
        unexpected.append(line)
    if agrees and name in gaps:
        closed.append(name)
if summary is None:
    sys.exit("real-world: run.sh printed no summary line")
missing = sorted(set(gaps) - seen)
print(f"real-world: {summary}; {len(gaps)} known gaps")
bad = False
for line in unexpected:
    print(f"real-world: disagreement not in {gaps_file}: {line}")
    bad = True
for name in closed:
    print(f"real-world: {name} now agrees: remove it from {gaps_file}")
    bad = True
for name in missing:
    print(f"real-world: {gaps_file} lists {name}, which run.sh no longer has")
    bad = True
sys.exit(1 if bad else 0)
PY
