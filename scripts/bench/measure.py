#!/usr/bin/env python3
"""Times verifiers alternately on the same files and prints a table.

    python3 scripts/bench/measure.py --runs 3 --data target/bench-data \\
        --sizes 1000 10000 100000 --cairn target/dist/cairn --intoto .venv/bin/in-toto-verify

For each size and variant (classic, dsse, native), the commands run one after
the other, round after round (in-toto, cairn, in-toto, cairn, ...), so that
load from other processes hits both alike. Each run's wall time is measured
around the child, its peak RSS from the child's own rusage (`wait4`). Every
run must exit 0 (the chain verifies): a failing run stops the script. Prints
medians, the ratio of in-toto's time to cairn's, and cairn's peak RSS over the
link bytes.

It also prints the hashing floor: the time (Python's hashlib, which is
OpenSSL) of the work no verifier of these files can skip in cairn's design,
SHA-256 over every file's bytes (an attestation's identity) plus SHA-512
over the bytes the signatures cover (Ed25519 hashes them with SHA-512): a
link's canonical JSON, or a DSSE envelope's PAE. Two columns: `hash s`, one
process doing it all; `2 cores`, the same hashes shared between two
processes started together (each hash whole, given to the process with less
work so far, longest first, by the times of the first column), the time of
the slower one. A process's time is the sum of its hashes' times; each
column is the fastest of three rounds. No run of a verifier on this machine
can take much less than `2 cores`.
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


def hash_items(folder):
    """What must be hashed: (name, bytes) for every file and signed text."""
    items = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".link", ".jsonl")):
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            items.append(("sha256", data))
            docs = data.splitlines() if name.endswith(".jsonl") else [data]
            items.extend(("sha512", signed_bytes(doc)) for doc in docs if doc.strip())
    return items


def hash_worker(folder, chosen):
    """Child process: loads the items numbered in `chosen` (all of them for
    `all`), says `ready N` (N: how many items the folder has), then for every
    `go` line on stdin hashes them once and prints the seconds each took,
    until stdin ends."""
    items = hash_items(folder)
    mine = items if chosen == "all" else [items[int(i)] for i in chosen.split(",") if i]
    print(f"ready {len(items)}", flush=True)
    for _ in sys.stdin:
        took = []
        for name, data in mine:
            start = time.perf_counter()
            hashlib.new(name, data).digest()
            took.append(time.perf_counter() - start)
        print(" ".join(f"{t:.6f}" for t in took), flush=True)


def hash_rounds(folder, shares, rounds=3):
    """Starts one child per share of item numbers (or `all`), all hashing at
    once, for `rounds` rounds; gives how many items the folder has and, per
    round, the per-item seconds of each child.
    The hashing is done by children: the files a child reads would stay in
    this process's memory, and a child started from it counts them in its
    peak RSS until it runs the program measured."""
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hash-worker",
                               folder, share if share == "all" else ",".join(map(str, share))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for share in shares]
    counts = set()
    for proc in procs:
        said = proc.stdout.readline().split()
        if len(said) != 2 or said[0] != "ready":
            sys.exit("a hashing process failed")
        counts.add(int(said[1]))
    results = []
    for _ in range(rounds):
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results.append([[float(t) for t in proc.stdout.readline().split()] for proc in procs])
    for proc in procs:
        proc.stdin.close()
        proc.wait()
    return counts.pop(), results


def hash_floors(folder):
    """The two floors explained above: (one process, two processes)."""
    count, rounds = hash_rounds(folder, ["all"])
    one = min(sum(times[0]) for times in rounds)
    # Each item's fastest time alone, then longest first to the lighter share.
    alone = [min(times[0][i] for times in rounds) for i in range(count)]
    shares, loads = [[], []], [0.0, 0.0]
    for i in sorted(range(count), key=lambda i: -alone[i]):
        lighter = loads.index(min(loads))
        shares[lighter].append(i)
        loads[lighter] += alone[i]
    two = min(max(sum(t) for t in times) for times in hash_rounds(folder, shares)[1])
    return one, two


def commands(variant, folder, cairn, intoto, floor=None):
    classic = [cairn, "verify", "--layout", "root.layout", "--layout-key", "owner.pub",
               "--links", ".", "--format", "json"]
    reference = [intoto, "--layout", "root.layout", "--verification-keys", "owner.pub",
                 "--link-dir", "."]
    if variant == "native":
        return [("cairn", [cairn, "verify", "policy.cairn", "--bundle", "chain.intoto.jsonl",
                           "--format", "json"])]
    if variant == "dsse" and floor:
        return [("in-toto", reference), ("cairn", classic), ("floor", [floor, ".", "1"]),
                ("pieces", [floor, ".", "1", "--pieces"])]
    return [("in-toto", reference), ("cairn", classic)]


def main():
    if sys.argv[1:2] == ["--hash-worker"]:
        hash_worker(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", required=True)
    parser.add_argument("--variants", nargs="+", default=["classic", "dsse", "native"])
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--intoto", required=True)
    parser.add_argument("--floor", help="examples/dsse_floor built with --profile dist: the least "
                        "work of cairn's design, and with --pieces of a verifier without file "
                        "digests, timed with the DSSE chain, as a new process each time like "
                        "the others")
    args = parser.parse_args()
    cairn = os.path.abspath(args.cairn)
    intoto = os.path.abspath(args.intoto)
    print(f"{'chain':<22} {'links MB':>8} {'in-toto s':>10} {'MiB':>6} "
          f"{'cairn s':>8} {'MiB':>6} {'speed-up':>9} {'RSS/links':>9} {'hash s':>7} {'2 cores':>7}")
    for size in args.sizes:
        for variant in args.variants:
            folder = os.path.join(args.data, str(size), variant)
            floor = os.path.abspath(args.floor) if args.floor else None
            cmds = commands(variant, folder, cairn, intoto, floor)
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
            one, two = hash_floors(folder)
            print(f"{variant + ' 3x' + str(size):<22} {size_mb:>8.1f} {ref} "
                  f"{c_t:>8.3f} {c_m:>6.0f} {ratio} {rss_ratio:>9.2f} {one:>7.3f} {two:>7.3f}",
                  flush=True)
            for name in times:
                print(f"    {name}: " + " ".join(f"{t:.3f}s/{m:.0f}MiB"
                                                 for t, m in zip(times[name], rss[name])),
                      flush=True)
            if "floor" in times and "in-toto" in times:
                f_t = statistics.median(times["floor"])
                print(f"    least work of cairn's design (examples/dsse_floor): {f_t:.3f} s "
                      f"({i_t / f_t:.1f}x in-toto's time); 50x needs {i_t / 50:.3f} s",
                      flush=True)
                p_t = statistics.median(times["pieces"])
                print(f"    least work without file digests, read in pieces (dsse_floor "
                      f"--pieces): {p_t:.3f} s ({i_t / p_t:.1f}x in-toto's time)", flush=True)


if __name__ == "__main__":
    main()
