#!/usr/bin/env python3
"""Times `cairn verify` against in-toto-verify on chains of growing size and
prints how cost grows with the artifacts.

    python3 scripts/bench/scale.py --runs 3 --data target/bench-scale \\
        --sizes 1000 10000 100000 200002 1000000 --intoto-up-to 200002 \\
        --cairn target/dist/cairn --intoto .venv/bin/in-toto-verify

Each size's folder holds the classic chain of scripts/bench/gen.py
(`SIZE/classic/`: checkout, build, package; the build step records SIZE
products). The verifiers run alternately on the same files, round after
round; each run's wall time is measured around the child and its peak RSS
taken from the child's own rusage (`wait4`). Both must give the same
verdict (exit 0: the chain verifies); any disagreement stops the script.
Above --intoto-up-to only cairn runs.

Columns: the build step's products, the bytes of all links and of the
largest, the medians, in-toto's time over cairn's, cairn's highest peak RSS
over the link bytes, and cairn's time and peak RSS per artifact entry (each
link holds 2 x SIZE entries, 6 x SIZE in all): constant columns there mean
cost linear in the input. The last column is in-toto's CPU time (user +
system) over cairn's, medians: on a machine other work shares, a process
that uses both cores loses more wall time than one that uses one, and CPU
time shows the work each did.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd, cwd):
    """Runs `cmd` in `cwd`; returns (exit code, wall seconds, CPU seconds (user +
    system), peak RSS in MiB, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), elapsed, cpu, usage.ru_maxrss / 1024, stderr


def links(folder):
    return [os.path.getsize(os.path.join(folder, f))
            for f in os.listdir(folder) if f.endswith(".link")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", required=True)
    parser.add_argument("--intoto-up-to", type=int, default=200002,
                        help="run in-toto-verify only on chains of at most this many artifacts")
    parser.add_argument("--cairn", required=True)
    parser.add_argument("--intoto", required=True)
    args = parser.parse_args()
    cairn = os.path.abspath(args.cairn)
    intoto = os.path.abspath(args.intoto)
    print(f"{'artifacts':>9} {'links MB':>8} {'largest':>8} {'in-toto s':>10} {'MiB':>6} "
          f"{'cairn s':>8} {'MiB':>6} {'speed-up':>9} {'RSS/links':>9} "
          f"{'ns/entry':>8} {'B/entry':>7} {'CPU x':>6}")
    for size in args.sizes:
        folder = os.path.join(args.data, str(size), "classic")
        cmds = [("cairn", [cairn, "verify", "--layout", "root.layout", "--layout-key",
                           "owner.pub", "--links", ".", "--format", "json"])]
        if size <= args.intoto_up_to:
            cmds.insert(0, ("in-toto", [intoto, "--layout", "root.layout",
                                        "--verification-keys", "owner.pub", "--link-dir", "."]))
        times = {name: [] for name, _ in cmds}
        cpus = {name: [] for name, _ in cmds}
        rss = {name: [] for name, _ in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds:
                code, t, c, m, err = run(cmd, folder)
                if code != 0:
                    sys.exit(f"{name} in {folder} exited {code} (the chain verifies):\n{err}")
                times[name].append(t)
                cpus[name].append(c)
                rss[name].append(m)
        sizes = links(folder)
        total = sum(sizes)
        c_t = statistics.median(times["cairn"])
        c_m = max(rss["cairn"])
        if "in-toto" in times:
            i_t = statistics.median(times["in-toto"])
            ref = f"{i_t:>10.3f} {max(rss['in-toto']):>6.0f}"
            ratio = f"{i_t / c_t:>8.1f}x"
            cpu_ratio = statistics.median(cpus["in-toto"]) / statistics.median(cpus["cairn"])
            cpu_ratio = f"{cpu_ratio:>5.1f}x"
        else:
            ref = f"{'-':>10} {'-':>6}"
            ratio = f"{'-':>9}"
            cpu_ratio = f"{'-':>6}"
        entries = 6 * size
        print(f"{size:>9} {total / 1e6:>8.1f} {max(sizes) / 1e6:>8.1f} {ref} {c_t:>8.3f} "
              f"{c_m:>6.0f} {ratio} {c_m * 1024 * 1024 / total:>9.2f} "
              f"{c_t * 1e9 / entries:>8.0f} {c_m * 1024 * 1024 / entries:>7.0f} {cpu_ratio}",
              flush=True)
        for name in times:
            print(f"    {name}: " + " ".join(f"{t:.3f}s/{c:.3f}s CPU/{m:.0f}MiB" for t, c, m
                                             in zip(times[name], cpus[name], rss[name])),
                  flush=True)


if __name__ == "__main__":
    main()
