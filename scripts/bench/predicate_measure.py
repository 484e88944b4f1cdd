"""Times `cairn verify` (a policy of three checks over a CycloneDX
attestation) against `cairn verify-envelope` (its signature alone), in
alternating rounds; prints the median wall time, CPU time and the highest
peak RSS of each (the child's own rusage, wait4)."""
import os
import statistics
import subprocess
import sys
import time


def run(argv):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(argv)} exited {code}: {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def main():
    cairn, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sizes = [int(n) for n in sys.argv[4:]]
    print(f"{'N':>7} {'att MB':>7} {'verify s':>9} {'cpu s':>6} {'MiB':>5}"
          f" {'envelope s':>10} {'cpu s':>6} {'MiB':>5} {'time x':>6} {'cpu x':>6} {'RSS/att':>7}")
    for n in sizes:
        folder = os.path.join(data, str(n))
        bundle = os.path.join(folder, "sbom.intoto.jsonl")
        size = os.path.getsize(bundle)
        policy = [cairn, "verify", os.path.join(folder, "policy.cairn"), "--bundle", bundle,
                  "--color", "never"]
        envelope = [cairn, "verify-envelope", bundle, "--key", os.path.join(folder, "ci.pub")]
        got = {"v": [], "e": []}
        for r in range(runs):
            order = [("v", policy), ("e", envelope)] if r % 2 == 0 else [("e", envelope), ("v", policy)]
            for name, argv in order:
                got[name].append(run(argv))
        med = {k: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v),
                   max(m for _, _, m in v)) for k, v in got.items()}
        (vw, vc, vm), (ew, ec, em) = med["v"], med["e"]
        print(f"{n:>7} {size / 1e6:>7.1f} {vw:>9.3f} {vc:>6.3f} {vm / 2**20:>5.0f}"
              f" {ew:>10.3f} {ec:>6.3f} {em / 2**20:>5.0f} {vw / ew:>6.2f} {vc / ec:>6.2f} {vm / size:>7.2f}")
        for k, label in (("v", "verify"), ("e", "verify-envelope")):
            print(f"    {label}: " + " ".join(f"{w:.3f}s/{c:.3f}cpu/{m / 2**20:.0f}MiB" for w, c, m in got[k]))


main()
