#!/usr/bin/env python3
"""Times two cairn binaries against each other on the chains compare.sh makes.

    python3 scripts/bench/ab.py --before OLD/cairn --after target/dist/cairn \\
        --data target/bench-data/100000 --rounds 9

For each round and each variant (the classic chain, the same chain as DSSE
envelopes, the chain as a cairn policy with a bundle), runs both binaries one
after the other, the order swapped every round so that load from other
processes hits both alike, and prints each binary's median wall time with its
range and the ratio after/before. Every run must exit 0. The data folder is
one size of `target/bench-data` (made by scripts/bench/compare.sh).
"""

import argparse
import os
import statistics
import subprocess
import time

VARIANTS = {
    "classic": ["verify", "--layout", "root.layout", "--layout-key", "owner.pub",
                "--links", ".", "--format", "json"],
    "dsse": ["verify", "--layout", "root.layout", "--layout-key", "owner.pub",
             "--links", ".", "--format", "json"],
    "native": ["verify", "policy.cairn", "--bundle", "chain.intoto.jsonl", "--format", "json"],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    bins = [("before", os.path.abspath(args.before)), ("after", os.path.abspath(args.after))]
    times = {(v, b): [] for v in VARIANTS for b, _ in bins}
    for r in range(args.rounds):
        order = bins if r % 2 == 0 else list(reversed(bins))
        for variant, argv in VARIANTS.items():
            cwd = os.path.join(args.data, variant)
            for name, exe in order:
                start = time.perf_counter()
                done = subprocess.run([exe] + argv, cwd=cwd, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, check=False)
                elapsed = time.perf_counter() - start
                if done.returncode != 0:
                    raise SystemExit(f"{name} {variant}: exit {done.returncode}")
                times[(variant, name)].append(elapsed)
    print(f"before: {args.before}\nafter:  {args.after}\n{args.rounds} rounds, data {args.data}")
    for variant in VARIANTS:
        cells = []
        medians = {}
        for name, _ in bins:
            runs = times[(variant, name)]
            medians[name] = statistics.median(runs)
            cells.append(f"{name} {medians[name]:.3f} s ({min(runs):.3f}-{max(runs):.3f})")
        ratio = medians["after"] / medians["before"]
        print(f"{variant:8} {'  '.join(cells)}  after/before {ratio:.3f}")


if __name__ == "__main__":
    main()
