#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets added with the campaign
(fuzz/corpus/<target>/seed-N) from cairn's own test data: policies and
lint/syntax cases, evidence cases, classic links and layouts, the Sigstore
cases' bundles and trusted roots. Predicate checks and artifact patterns are
built here from paths, regexes and patterns the test suite uses. Existing
seed-* files of these targets are replaced; other files (crash-* regression
inputs) are kept. Run from anywhere: python3 scripts/fuzz-seeds.py"""
import glob
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
os.chdir(ROOT)


def files(*patterns):
    out = []
    for p in patterns:
        out += sorted(glob.glob(p, recursive=True))
    return out


def write(target, seeds, limit=80):
    d = os.path.join("fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(os.path.join(d, "seed-*")):
        os.remove(f)
    seen = set()
    n = 0
    for s in seeds:
        if isinstance(s, str):
            s = s.encode()
        h = hashlib.sha256(s).digest()
        if h in seen or len(s) > 256 * 1024:
            continue
        seen.add(h)
        n += 1
        open(os.path.join(d, f"seed-{n}"), "wb").write(s)
        if n >= limit:
            break
    print(f"{target}: {n} seeds")


def read(path):
    return open(path, "rb").read()


write("policy_source", [read(p) for p in files("policies/**/*.cairn", "tests/cases/lint/**/*.cairn", "tests/cases/syntax/**/*.cairn", "tests/cases/lower/**/*.cairn")], 120)
write("lsp_document", [read(p) for p in files("policies/**/*.cairn", "tests/cases/lint/err/*.cairn", "tests/cases/lint/ok/*.cairn")], 40)
write("dsse_envelope", [read(p) for p in files("tests/cases/evidence/ok/*.json", "tests/cases/evidence/err/*.json", "tests/keys/more/*.dsse.json")])
write("classic_link", [read(p) for p in files("tests/cases/classic/*/*.link", "tests/fixtures/in-toto-python/**/*.link", "tests/cases/evidence/*/*.link", "tests/keys/more/*.link")])
write("classic_layout", [read(p) for p in files("tests/cases/classic/*/*.layout", "tests/fixtures/in-toto-python/**/*.layout", "tests/cases/evidence/*/*.layout")])
write("sigstore_bundle", [read(p) for p in files("tests/sigstore/cases/*/bundle.sigstore.json", "tests/cases/evidence/err/*.sigstore.json")])
write("trusted_root", [read(p) for p in files("tests/sigstore/cases/*/trusted_root.json")])

# predicate_checks: first byte (quantifier + test), PATH NUL OPERAND NUL JSON.
predicates = []
for p in files("tests/cases/eval/fail/*/test.json", "tests/cases/eval/fail/*/build.json"):
    try:
        st = json.loads(read(p))
        if isinstance(st.get("predicate"), dict):
            predicates.append(json.dumps(st["predicate"]))
    except ValueError:
        pass
predicates += [
    '{"failedTests": [], "result": "PASSED", "n": 2}',
    '{"failedTests": [{"id": "]"}, {"id": "a"}], "s": "x", "nil": null}',
    '{"components": [{"name": "a", "licenses": [{"license": {"id": "MIT"}}]}, {"name": "b"}]}',
    '{"a": {"b": [1, 2.5, -3, "x", true, null, {}, []]}}',
]
checks = [
    (3 + 4 * 0 + 24 * 5, "$.failedTests[*]", "0"),
    (3 + 24 * 5, '$.failedTests[?@.id == "]"]', "0"),
    (3 + 24 * 5, "$.failedTests[:]", "0"),
    (3 + 24 * 5, "$.failedTests[0]", "0"),
    (3 + 24 * 5, "$.failedTests[0,1]", "0"),
    (3 + 4 * 4 + 24 * 5, "$.components[*]", "1"),
    (0 + 24 * 0, "$.result", "^PASS(ED)?$"),
    (1 + 24 * 0, "$.components[*].licenses[*].license.id", "^(MIT|Apache-2\\.0)$"),
    (2 + 24 * 0, "$..id", "[a-z]+"),
    (0 + 24 * 1, "$.result", '["PASSED", "SKIPPED"]'),
    (0 + 24 * 2, "$.nil", ""),
    (0 + 24 * 3, "$.failedTests", ""),
    (1 + 24 * 4, "$.a.b[*]", ""),
    (0 + 4 * 2 + 24 * 5, "$.n", "3"),
    (2 + 4 * 5 + 24 * 5, "$.a.b[1:4]", "0"),
    (3 + 24 * 5, "$.a.b[?@ > 1]", "1"),
    (3 + 24 * 5, "$.a['b'][-1]", "1"),
    (0 + 24 * 0, "$.runner", "^ci-[0-9]+$"),
]
seeds = []
for pred in predicates:
    for first, path, operand in checks:
        seeds.append(bytes([first % 256]) + f"{path}\0{operand}\0{pred}".encode())
write("predicate_checks", seeds, 120)

patterns = ["*", "src/*", "bin/*", "*.c", "[!a]*.c", "a[]]b", "[!]]x", "[a-c-e]", "[--0]", "?x*y?", "**/*.py", "[z-a]", "a*b*c", "foo", "[!a-z][0-9]", "*[!/]", ".*", "[]-]", "é*ü"]
names = ["src/a.c", "bin/app", "a]b", "x", "b.c", "-", "0", "axyb", "dir/sub/f.py", "abc", "foo", "Z9", ".hidden", "]", "éxü", ""]
seeds = [f"{p}\0{n}".encode() for p in patterns for n in names]
write("artifact_patterns", seeds, 200)
