"""Times recording a step: `cairn run`, GNU `sha256sum` and `in-toto-run`
3.1.0 hashing the same files, alternately, in one run; prints the medians,
cairn's time as a fraction of sha256sum's, and the speed-up over in-toto-run.

    python3 scripts/bench/record.py --cairn target/dist/cairn \
        --intoto .venv/bin/in-toto-run --data target/bench-data/record [--runs 5]

Two trees, made once under --data with fixed pseudo-random contents:
`many` (20,000 files of 4 KiB in 100 directories: per-file cost) and `large`
(8 files of 64 MiB: hashing throughput). sha256sum is one process over the
list `find` gives (`find DIR -type f -print0 | xargs -0 sha256sum`), as a
user would hash a tree; cairn and in-toto-run record the tree as materials of
a step that runs no command (`-x`) and write a signed link.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

TREES = {
    "many": (100, 200, 4096),  # directories, files per directory, bytes per file
    "large": (1, 8, 64 * 1024 * 1024),
}


def make_tree(root, dirs, files, size):
    done = os.path.join(root, ".done")
    if os.path.exists(done):
        return
    rng = random.Random(7)
    for d in range(dirs):
        folder = os.path.join(root, "files", f"d{d:03}")
        os.makedirs(folder, exist_ok=True)
        for f in range(files):
            with open(os.path.join(folder, f"f{f:05}.bin"), "wb") as out:
                left = size
                while left:
                    piece = min(left, 1 << 20)
                    out.write(rng.randbytes(piece))
                    left -= piece
    open(done, "w").close()


def timed(cmd, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, shell=isinstance(cmd, str))
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd} exited {proc.returncode}:\n{proc.stderr.decode(errors='replace')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", required=True)
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--intoto", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    cairn, intoto, key = (os.path.abspath(p) for p in (args.cairn, args.intoto, args.key))
    print(f"{'tree':<7} {'files':>6} {'MB':>6} {'sha256sum s':>11} {'cairn s':>8} "
          f"{'in-toto-run s':>13} {'cairn/sha256sum':>15} {'vs in-toto':>10}")
    for name, (dirs, files, size) in TREES.items():
        root = os.path.abspath(os.path.join(args.data, name))
        os.makedirs(root, exist_ok=True)
        make_tree(root, dirs, files, size)
        with tempfile.TemporaryDirectory() as out:
            cmds = {
                "sha256sum": "find files -type f -print0 | xargs -0 sha256sum",
                "cairn": [cairn, "run", "-n", "bench", "--key", key, "-m", "files",
                          "-x", "-d", out],
                "in-toto-run": [intoto, "-n", "bench", "--signing-key", key, "-m",
                                "files", "-x", "-d", out],
            }
            # Once each first, so that every command reads from the page cache.
            for cmd in cmds.values():
                timed(cmd, root)
            times = {k: [] for k in cmds}
            for _ in range(args.runs):
                for k, cmd in cmds.items():
                    times[k].append(timed(cmd, root))
        med = {k: statistics.median(v) for k, v in times.items()}
        count = dirs * files
        print(f"{name:<7} {count:>6} {count * size / 1e6:>6.0f} {med['sha256sum']:>11.3f} "
              f"{med['cairn']:>8.3f} {med['in-toto-run']:>13.3f} "
              f"{med['cairn'] / med['sha256sum']:>14.2f}x {med['in-toto-run'] / med['cairn']:>9.1f}x",
              flush=True)
        for k, v in times.items():
            print(f"    {k}: " + " ".join(f"{t:.3f}s" for t in v), flush=True)


if __name__ == "__main__":
    main()
