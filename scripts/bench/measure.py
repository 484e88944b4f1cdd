#!/usr/bin/env python3
"""Times verifiers alternately on the same files and prints a table.

    python3 scripts/bench/measure.py --runs 3 --data target/bench-data \\
        --sizes 1000 10000 100000 --cairn target/release/cairn --intoto .venv/bin/in-toto-verify

For each size and variant (classic, dsse, native), the commands run one after
the other, round after round (in-toto, cairn, in-toto, cairn, ...), so that
load from other processes hits both alike. Each run's wall time is measured
around the child, its peak RSS from the child's own rusage (`wait4`). Every
run must exit 0 (the chain verifies): a failing run stops the script. Prints
medians, the ratio of in-toto's time to cairn's, and cairn's peak RSS over the
link bytes.

It also prints the hashing floor: the time one core takes (Python's hashlib,
which is OpenSSL) for the work no verifier of these files can skip in cairn's
design, SHA-256 over every file's bytes (an attestation's identity) plus
SHA-512 over the bytes the signatures cover (Ed25519 hashes them with
SHA-512): a link's canonical JSON, or a DSSE envelope's PAE. The fastest of
three timings; on two cores the wall time can at best be half of it.
"""

import argparse
import base64
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time


def run(cmd, cwd):
    """Runs `cmd` in `cwd`; returns (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} in {cwd} exited {proc.returncode}:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def link_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, f))
               for f in os.listdir(folder) if f.endswith((".link", ".jsonl")))


def signed_bytes(text):
    """The bytes the signatures of one envelope or metablock cover."""
    doc = json.loads(text)
    if "payload" in doc:
        payload = base64.b64decode(doc["payload"])
        kind = doc["payloadType"].encode()
        return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
    # Canonical JSON of these links: sorted keys, no spaces, no escapes
    # beyond `"` and `\` (the generated names and values have none).
    return json.dumps(doc["signed"], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def hash_floor(folder):
    """Seconds one core takes to hash what every run must hash (see above),
    worked out by a child process: the files it reads would stay in this
    process's memory, and a child started from it counts them in its peak
    RSS until it runs the program measured."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--floor", folder],
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def hash_floor_here(folder):
    """`hash_floor`, in this process."""
    files, signed = [], []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".link", ".jsonl")):
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            files.append(data)
            docs = data.splitlines() if name.endswith(".jsonl") else [data]
            signed.extend(signed_bytes(doc) for doc in docs if doc.strip())
    best = None
    for _ in range(3):
        start = time.perf_counter()
        for data in files:
            hashlib.sha256(data).digest()
        for data in signed:
            hashlib.sha512(data).digest()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def commands(variant, folder, cairn, intoto):
    classic = [cairn, "verify", "--layout", "root.layout", "--layout-key", "owner.pub",
               "--links", ".", "--format", "json"]
    reference = [intoto, "--layout", "root.layout", "--verification-keys", "owner.pub",
                 "--link-dir", "."]
    if variant == "native":
        return [("cairn", [cairn, "verify", "policy.cairn", "--bundle", "chain.intoto.jsonl",
                           "--format", "json"])]
    return [("in-toto", reference), ("cairn", classic)]


def main():
    if sys.argv[1:2] == ["--floor"]:
        print(hash_floor_here(sys.argv[2]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", default=["classic", "dsse", "native"])
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--intoto", required=True)
    args = parser.parse_args()
    cairn = os.path.abspath(args.cairn)
    intoto = os.path.abspath(args.intoto)
    print(f"{'chain':<22} {'links MB':>8} {'in-toto s':>10} {'MiB':>6} "
          f"{'cairn s':>8} {'MiB':>6} {'speed-up':>9} {'RSS/links':>9} {'hash s':>7}")
    for size in args.sizes:
        for variant in args.variants:
            folder = os.path.join(args.data, str(size), variant)
            cmds = commands(variant, folder, cairn, intoto)
            times = {name: [] for name, _ in cmds}
            rss = {name: [] for name, _ in cmds}
            for _ in range(args.runs):
                for name, cmd in cmds:
                    t, m = run(cmd, folder)
                    times[name].append(t)
                    rss[name].append(m)
            size_mb = link_bytes(folder) / 1e6
            c_t = statistics.median(times["cairn"])
            c_m = max(rss["cairn"])
            if "in-toto" in times:
                i_t = statistics.median(times["in-toto"])
                i_m = max(rss["in-toto"])
                ref = f"{i_t:>10.3f} {i_m:>6.0f}"
                ratio = f"{i_t / c_t:>8.1f}x"
            else:
                ref = f"{'-':>10} {'-':>6}"
                ratio = f"{'-':>9}"
            rss_ratio = c_m * 1024 * 1024 / (size_mb * 1e6)
            floor = hash_floor(folder)
            print(f"{variant + ' 3x' + str(size):<22} {size_mb:>8.1f} {ref} "
                  f"{c_t:>8.3f} {c_m:>6.0f} {ratio} {rss_ratio:>9.2f} {floor:>7.3f}",
                  flush=True)
            for name in times:
                print(f"    {name}: " + " ".join(f"{t:.3f}s/{m:.0f}MiB"
                                                 for t, m in zip(times[name], rss[name])),
                      flush=True)


if __name__ == "__main__":
    main()
