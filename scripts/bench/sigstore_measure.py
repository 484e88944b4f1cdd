#!/usr/bin/env python3
"""Times Sigstore bundle verification: cairn against sigstore-python 4.5.1.

    target/sigstore-python/bin/python scripts/bench/sigstore_measure.py --runs 5 --bundles 1000 \\
        --sample 50 --cairn target/dist/cairn --data target/bench-data/sigstore

Run with the interpreter of target/sigstore-python (scripts/setup-sigstore-python.sh).
Makes N copies of one bundle (tests/sigstore/cases/dsse_provenance_v03: a
v0.3 DSSE bundle with SLSA provenance, signed by the release workflow of
acme/app on GitHub Actions, made by cairn's private Sigstore instance), as N
files and as one `.intoto.jsonl` file of N lines, then times, round after
round and in alternating order:

- process per bundle: sigstore-python's CLI (`python -m sigstore
  --trust-config CFG verify identity --offline ...`, one process per bundle,
  a sample of S bundles) against `cairn verify-bundle` (one process per
  bundle, 4 x S bundles, four after each Python process);
- one process for all N bundles: sigstore-python's library (a `Verifier`
  from the same trust config, the N files read, parsed and verified in a
  loop, as the CLI does for one) against `cairn verify policy.cairn
  --bundle bundles.intoto.jsonl` (policies/github/policy.cairn: every
  line is verified and counted for its identity and step).

and, to show what starting costs, a process that only imports
sigstore-python's CLI module (`python -c "import sigstore._cli"`) and
`cairn --version`, S/2 processes of each a round. Each process's wall time
is measured around it (so it includes this script's fork and exec) and its
CPU time (user + system) read from its own rusage (`wait4`); every process
must exit 0 and say that it verified (sigstore-python: `OK:`; cairn
verify-bundle: `verified:`; cairn verify: `N of N attestations counted`).
One round of each is run first and not counted (files in the page cache,
Python's bytecode compiled). Rounds alternate which comes first.

Neither verifier keeps anything from one bundle for the next (each bundle's
signatures are checked again), so the same bundle N times costs what N
bundles of the same shape would.

Per round: the median of the sample's processes, or the process's time over
N for the one-process rows; printed is the median over the rounds, each
round's value below it, and the ratios sigstore-python / cairn.

`library` as first argument runs the library loop itself (the child
process timed as "sigstore-python library"): prints the seconds of its
imports, of its set-up and of the loop as JSON on stdout.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "tests/sigstore/cases/dsse_provenance_v03"
POLICY = ROOT / "policies/github/policy.cairn"
IDENTITY = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
ISSUER = "https://token.actions.githubusercontent.com"
TIME = "2026-06-01T00:00:00Z"


# ---------------------------------------------------------------- the data


def prepare(data: Path, n: int) -> None:
    """data/: the bundle N times (bundles/NNNNN.sigstore.json and
    bundles.intoto.jsonl), trusted_root.json, trust-config.json (the same
    root for sigstore-python), policy.cairn and the artifact."""
    sys.path.insert(0, str(ROOT / "scripts/sigstore-instance"))
    import instance as si  # the trust config differential.py gives sigstore-python

    if data.exists():
        shutil.rmtree(data)
    (data / "bundles").mkdir(parents=True)
    raw = (CASE / "bundle.sigstore.json").read_bytes()
    line = json.dumps(json.loads(raw), separators=(",", ":")).encode() + b"\n"
    for i in range(n):
        (data / "bundles" / f"{i:05}.sigstore.json").write_bytes(raw)
    (data / "bundles.intoto.jsonl").write_bytes(line * n)
    root = json.loads((CASE / "trusted_root.json").read_text())
    shutil.copyfile(CASE / "trusted_root.json", data / "trusted_root.json")
    (data / "trust-config.json").write_text(json.dumps(si.trust_config(root)))
    shutil.copyfile(POLICY, data / "policy.cairn")
    shutil.copyfile(CASE / "artifact", data / "artifact")


# ---------------------------------------------------- the library, in a child


def library(data: Path) -> None:
    """Verifies every bundle file of data/bundles with sigstore-python's
    library, as its CLI does for one (`_verify_identity`: an Identity
    policy, `verify_dsse`, the payload type, a subject with the artifact's
    digest), with one Verifier for all."""
    t0 = time.perf_counter()
    from sigstore import dsse
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle, ClientTrustConfig
    from sigstore.verify import Verifier, policy
    from sigstore_models.common.v1 import HashAlgorithm

    t1 = time.perf_counter()
    config = ClientTrustConfig.from_json((data / "trust-config.json").read_text())
    verifier = Verifier(trusted_root=config.trusted_root)
    identity = policy.Identity(identity=IDENTITY, issuer=ISSUER)
    hashed = Hashed(
        algorithm=HashAlgorithm.SHA2_256,
        digest=hashlib.sha256((data / "artifact").read_bytes()).digest(),
    )
    files = sorted((data / "bundles").iterdir())
    t2 = time.perf_counter()
    for path in files:
        bundle = Bundle.from_json(path.read_bytes())
        type_, payload = verifier.verify_dsse(bundle=bundle, policy=identity)
        if type_ != dsse.Envelope._TYPE:
            sys.exit(f"{path}: payload type {type_}")
        if not dsse.Statement(payload)._matches_digest(hashed):
            sys.exit(f"{path}: no subject with the artifact's digest")
    t3 = time.perf_counter()
    print(json.dumps({"bundles": len(files), "import": t1 - t0, "setup": t2 - t1, "loop": t3 - t2}))


# ---------------------------------------------------------------- timing


def run(cmd: list[str], cwd: Path, must_say: str) -> tuple[float, float, str]:
    """Runs cmd in cwd; returns (wall seconds, CPU seconds, stdout). Stops
    the script unless it exits 0 with `must_say` in its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read both pipes before waiting, so that a talkative child never blocks.
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = (out + err).decode(errors="replace")
    if proc.returncode != 0 or must_say not in text:
        sys.exit(f"{' '.join(cmd)} in {cwd} exited {proc.returncode}"
                 f" (wanted {must_say!r} in its output):\n{text[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, out.decode(errors="replace")


def main() -> int:
    if sys.argv[1:2] == ["library"]:
        library(Path(sys.argv[2]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bundles", type=int, default=1000, help="N, the bundles of the one-process rows")
    ap.add_argument("--sample", type=int, default=50, help="sigstore-python CLI processes per round")
    ap.add_argument("--cairn", required=True)
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    n, s = args.bundles, args.sample
    if n < 1 or s < 1 or args.runs < 1:
        sys.exit("--bundles, --sample and --runs must be at least 1")
    data = Path(args.data).resolve() / str(n)
    cairn = str(Path(args.cairn).resolve())
    py = sys.executable
    prepare(data, n)
    files = [str(p) for p in sorted((data / "bundles").iterdir())]

    def py_cli(i: int) -> list[str]:
        return [py, "-m", "sigstore", "--trust-config", "trust-config.json", "verify", "identity",
                "--offline", "--bundle", files[i % n], "--cert-identity", IDENTITY,
                "--cert-oidc-issuer", ISSUER, "artifact"]

    def cairn_one(i: int) -> list[str]:
        return [cairn, "verify-bundle", "--bundle", files[i % n], "--trusted-root", "trusted_root.json",
                "--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER, "artifact"]

    py_import = [py, "-c", "import sigstore._cli"]
    cairn_start = [cairn, "--version"]
    py_lib = [py, str(Path(__file__).resolve()), "library", str(data)]
    cairn_batch = [cairn, "verify", "policy.cairn", "--bundle", "bundles.intoto.jsonl",
                   "--artifact", "artifact", "--time", TIME]
    counted = f"({n} of {n} attestation"

    # Warm-up, not counted.
    run(py_cli(0), data, "OK:")
    run(cairn_one(0), data, "verified:")
    run(py_import, data, "")
    run(py_lib, data, '"loop"')
    run(cairn_batch, data, counted)

    rows = ["py-cli", "py-import", "cairn-one", "cairn-start", "py-lib", "py-loop", "cairn-batch"]
    wall = {r: [] for r in rows}  # per round, seconds per bundle
    cpu = {r: [] for r in rows}
    cairn_s = 4 * s
    imports = max(1, s // 2)
    started = time.perf_counter()
    for k in range(args.runs):
        per = {r: ([], []) for r in ("py-cli", "cairn-one", "py-import", "cairn-start")}

        def processes() -> None:
            for i in range(s):
                order = [("py-cli", py_cli(i), "OK:")] + [
                    ("cairn-one", cairn_one(4 * i + j), "verified:") for j in range(4)]
                if k % 2:
                    order.reverse()
                for name, cmd, say in order:
                    w, c, _ = run(cmd, data, say)
                    per[name][0].append(w)
                    per[name][1].append(c)
                if i < imports:
                    for name, cmd, say in (("py-import", py_import, ""),
                                           ("cairn-start", cairn_start, "cairn")):
                        w, c, _ = run(cmd, data, say)
                        per[name][0].append(w)
                        per[name][1].append(c)

        def batches() -> None:
            order = [("py-lib", py_lib, '"loop"'), ("cairn-batch", cairn_batch, counted)]
            if k % 2:
                order.reverse()
            for name, cmd, say in order:
                w, c, out = run(cmd, data, say)
                wall[name].append(w / n)
                cpu[name].append(c / n)
                if name == "py-lib":
                    said = json.loads(out.strip().splitlines()[-1])
                    if said["bundles"] != n:
                        sys.exit(f"the library loop verified {said['bundles']} bundles, not {n}")
                    wall["py-loop"].append(said["loop"] / n)
                    cpu["py-loop"].append(float("nan"))

        for part in ((processes, batches) if k % 2 == 0 else (batches, processes)):
            part()
        for name, (ws, cs) in per.items():
            wall[name].append(statistics.median(ws))
            cpu[name].append(statistics.median(cs))
    took = time.perf_counter() - started

    med = {r: statistics.median(wall[r]) for r in rows}
    medc = {r: statistics.median(cpu[r]) for r in rows if r != "py-loop"}
    label = {
        "py-cli": f"sigstore-python CLI, process per bundle ({s}/round)",
        "cairn-one": f"cairn verify-bundle, process per bundle ({cairn_s}/round)",
        "py-import": f"  python -c 'import sigstore._cli' ({imports}/round)",
        "cairn-start": f"  cairn --version ({imports}/round)",
        "py-lib": f"sigstore-python library, 1 process, {n} bundles",
        "py-loop": "  of which the verification loop",
        "cairn-batch": f"cairn verify policy, 1 process, {n} bundle lines",
    }
    print(f"bundle: {CASE.relative_to(ROOT)}/bundle.sigstore.json, the same bundle {n} times")
    print(f"{args.runs} rounds, medians; wall and CPU (user+sys) in ms per bundle")
    print(f"{'':<58} {'wall ms':>9} {'CPU ms':>8}")
    for r in rows:
        c = f"{medc[r] * 1e3:>8.3f}" if r in medc else f"{'-':>8}"
        print(f"{label[r]:<58} {med[r] * 1e3:>9.3f} {c}")
        print("    rounds: " + " ".join(f"{x * 1e3:.3f}" for x in wall[r]))
    print()
    print("sigstore-python / cairn, per bundle (wall; CPU):")
    print(f"  process per bundle:   {med['py-cli'] / med['cairn-one']:>7.1f}x; "
          f"{medc['py-cli'] / medc['cairn-one']:.1f}x"
          f"   (Python start-up and imports alone: {med['py-import'] * 1e3:.0f} ms, "
          f"{med['py-import'] / med['py-cli'] * 100:.0f}% of the CLI's time;"
          f" cairn's start-up {med['cairn-start'] * 1e3:.1f} ms)")
    print(f"  one process, N={n}: {med['py-lib'] / med['cairn-batch']:>7.2f}x; "
          f"{medc['py-lib'] / medc['cairn-batch']:.2f}x"
          f"   (the library's loop alone: {med['py-loop'] / med['cairn-batch']:.2f}x)")
    for what, py_row, cairn_row in (("process per bundle", "py-cli", "cairn-one"),
                                     ("one process", "py-lib", "cairn-batch")):
        ratio = med[py_row] / med[cairn_row]
        print(f"  target 50x, {what}: {'met' if ratio >= 50 else 'missed'}"
              f" (50x needs cairn at {med[py_row] / 50 * 1e3:.3f} ms per bundle or less;"
              f" cairn {med[cairn_row] * 1e3:.3f} ms)")
    print(f"measured in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
