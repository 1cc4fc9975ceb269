# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python binding beside pyroute2 (and beside libctnl's own C client),
on the tables bench/ uses, in a network namespace of its own.

    bench.py --bin BUILD/bench --site SITE [-n RUNS] [-s SIZE,...]
             [--pyroute2-runs N]

Run by bench/python/run.sh, which builds what it needs. The driver enters
a fresh network namespace first (unshare(2) through ctypes: Python 3.11 has
no os.unshare()), so nothing here reads or writes the host's table; the
namespace goes when the last process in it exits. Each measurement is a
process of its own (client.py, or bench-ctnl for the C rows), so its peak
memory is its own. Times are medians over the runs, with min and max.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import platform
import statistics
import subprocess
import sys
import time
from typing import Dict, List

CLONE_NEWNET = 0x40000000
HERE = os.path.dirname(os.path.abspath(__file__))


def enter_private_netns() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    before = os.stat("/proc/self/ns/net").st_ino
    if libc.unshare(CLONE_NEWNET) != 0:
        sys.exit(f"unshare(CLONE_NEWNET): {os.strerror(ctypes.get_errno())}"
                 " (the benchmark needs root)")
    if os.stat("/proc/thread-self/ns/net").st_ino == before:
        sys.exit("still in the host's network namespace: refusing to run")


def parse(line: str) -> Dict[str, int]:
    if not line.startswith("ok "):
        raise RuntimeError(f"client said: {line!r}")
    return {k: int(v) for k, v in (f.split("=", 1) for f in line.split()[1:]
                                   if not f.startswith("note="))}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.bin = args.bin
        self.env = dict(os.environ, PYTHONPATH=args.site,
                        PYTHONDONTWRITEBYTECODE="1")
        self.samples: Dict[str, List[Dict[str, int]]] = {}
        self.mark = 0

    def c_client(self, *argv: str) -> Dict[str, int]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([os.path.join(self.bin, "bench-ctnl"), *argv],
                             check=True, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sample = parse(out.stdout.strip().splitlines()[-1])
        # The C clients time themselves by the clock only: their CPU time
        # is the whole process's, start-up (about 1 ms) included.
        sample["cpu"] = int((after.ru_utime + after.ru_stime
                             - before.ru_utime - before.ru_stime) * 1e9)
        return sample

    def py_client(self, *argv: str) -> Dict[str, int]:
        out = subprocess.run([sys.executable, os.path.join(HERE, "client.py"),
                              *argv], env=self.env, check=True,
                             capture_output=True, text=True)
        return parse(out.stdout.strip().splitlines()[-1])

    def record(self, key: str, sample: Dict[str, int], n: int) -> None:
        if sample["count"] != n:
            raise RuntimeError(f"{key}: {sample['count']} entries, not {n}")
        self.samples.setdefault(key, []).append(sample)

    def next_mark(self) -> int:
        # A new value in bits 16-31 every time, so every update changes
        # every entry (the selectors of bench/ live in bits 0-15).
        self.mark += 1
        return self.mark << 16

    def check_marks(self, mark: int, n: int) -> None:
        import ctnl
        with ctnl.open() as ct:
            got = sum(1 for _ in ct.dump(mark=mark))
        if got != n:
            raise RuntimeError(f"after the update {got} of {n} entries "
                               f"carry mark {mark:#x}")

    def fill(self, n: int) -> None:
        self.c_client("flush")
        self.c_client("fill", str(n))
        import ctnl
        with ctnl.open() as ct:
            if ct.count() != n:
                raise RuntimeError(f"the fill made {ct.count()} entries, "
                                   f"not {n}")

    def size(self, n: int, runs: int, pr_runs: int) -> None:
        self.fill(n)
        reads = [("c-dump", lambda: self.c_client("dump")),
                 ("c-list", lambda: self.c_client("list")),
                 ("py-dump", lambda: self.py_client("ctnl-dump")),
                 ("py-list", lambda: self.py_client("ctnl-list"))]
        for r in range(runs):
            for key, run in reads[r % 4:] + reads[:r % 4]:
                self.record(f"{n}/{key}", run(), n)
            mark = self.next_mark()
            self.record(f"{n}/py-update", self.py_client("ctnl-update",
                                                         str(mark)), n)
            self.check_marks(mark, n)
        for _ in range(pr_runs):
            self.record(f"{n}/pr-dump", self.py_client("pyroute2-dump"), n)
            mark = self.next_mark()
            self.record(f"{n}/pr-update",
                        self.py_client("pyroute2-update", str(mark)), n)
            self.check_marks(mark, n)

    # ---- the report ----

    def ms(self, key: str, field: str = "ns") -> List[float]:
        return [s[field] / 1e6 for s in self.samples.get(key, [])]

    def row(self, n: int, key: str, label: str, field: str = "ns") -> str:
        v = self.ms(f"{n}/{key}", field)
        if not v:
            return f"| {label} | - | | | | | |"
        med = statistics.median(v)
        s = self.samples[f"{n}/{key}"]
        cpu_field = "cpu" if field == "ns" else field.replace("_ns", "_cpu")
        cpu = statistics.median(x[cpu_field] for x in s) / 1e6 \
            if cpu_field in s[0] else None
        above = max(x["peak"] - x.get("base", 0) for x in s) \
            if "base" in s[0] else None
        rss = max(x.get("peak", x.get("rss", 0)) for x in s)
        mem = f"{rss / 1024:.1f}" + (f" (+{above / 1024:.1f})"
                                     if above is not None else "")
        cpu_text = f"{cpu:.1f}" if cpu is not None else "-"
        return (f"| {label} | {med:.1f} | {min(v):.1f}–{max(v):.1f} | "
                f"{med * 1e3 / n:.2f} | {cpu_text} | {n / med:.0f}k | "
                f"{mem} |")

    def report(self, sizes: List[int]) -> List[str]:
        out = []
        for n in sizes:
            out += [f"\n### {n:,} entries\n",
                    "| operation | median ms | min–max | µs/entry | "
                    "CPU ms | "
                    "entries/s | peak RSS MiB (+ above base) |",
                    "|---|---:|---:|---:|---:|---:|---:|",
                    self.row(n, "c-dump", "C: ctnl_ct_dump, 7 fields"),
                    self.row(n, "c-list", "C: ctnl_ct_list"),
                    self.row(n, "py-dump", "ctnl: dump(), 7 fields"),
                    self.row(n, "py-list", "ctnl: list() + 7 fields"),
                    self.row(n, "py-list", "ctnl: list() alone", "list_ns"),
                    self.row(n, "pr-dump", "pyroute2: dump_entries() + "
                             "7 fields"),
                    self.row(n, "pr-dump", "pyroute2: dump_entries() alone",
                             "list_ns"),
                    self.row(n, "py-update", "ctnl: update_matching(mark)"),
                    self.row(n, "pr-update", "pyroute2: dump + entry('set') "
                             "each")]
        out.append("\n### Targets\n")
        for n in sizes:
            out += self.targets(n)
        return out

    def targets(self, n: int) -> List[str]:
        def med(key, field="ns"):
            v = self.ms(f"{n}/{key}", field)
            return statistics.median(v) if v else None

        def cpu_med(key, field="cpu"):
            s = self.samples.get(f"{n}/{key}")
            return statistics.median(x[field] for x in s) / 1e6 \
                if s and field in s[0] else None

        lines = []
        pl, pr = med("py-list"), med("pr-dump")
        if pl and pr:
            ratio = pr / pl
            lines.append(f"- {n:,}: list with 7 fields {ratio:.0f}× faster "
                         f"than pyroute2's dump (target ≥ 30×): "
                         f"{'MET' if ratio >= 30 else 'MISSED'}")
        pu, pru = med("py-update"), med("pr-update")
        if pu and pru:
            ratio = pru / pu
            lines.append(f"- {n:,}: whole-table mark update {ratio:.0f}× "
                         f"faster than pyroute2 (target ≥ 20×): "
                         f"{'MET' if ratio >= 20 else 'MISSED'}")
        s = self.samples.get(f"{n}/py-dump")
        if s:
            above = max(x["peak"] - x["base"] for x in s) / 1024
            lines.append(f"- {n:,}: dump() peak RSS {above:.1f} MiB above the "
                         f"interpreter's own (target < 8): "
                         f"{'MET' if above < 8 else 'MISSED'}")
        cd, pd, cl = med("c-dump"), med("py-dump"), med("c-list")
        pll = med("py-list", "list_ns")
        ccd, cpd = cpu_med("c-dump"), cpu_med("py-dump")
        ccl, cpl = cpu_med("c-list"), cpu_med("py-list", "list_cpu")
        if cd and pd:
            lines.append(f"- {n:,}: the binding's dump() costs "
                         f"{(pd - cd) * 1e3 / n:.2f} µs per entry over "
                         f"ctnl_ct_dump() by the clock, "
                         f"{(cpd - ccd) * 1e3 / n:.2f} µs of CPU "
                         f"(7 fields read in both)")
        if cl and pll:
            lines.append(f"- {n:,}: list() costs "
                         f"{(pll - cl) * 1e3 / n:.2f} µs "
                         f"per entry over ctnl_ct_list() by the clock, "
                         f"{(cpl - ccl) * 1e3 / n:.2f} µs of CPU")
        return lines


def machine() -> str:
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{time.strftime('%Y-%m-%d %H:%M:%S')}, "
            f"Linux {platform.release()},"
            f" {os.cpu_count()} CPUs, load average {' '.join(load)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="bench-ctnl's directory")
    ap.add_argument("--site", required=True, help="where ctnl is installed")
    ap.add_argument("-n", "--runs", type=int, default=3)
    ap.add_argument("--pyroute2-runs", type=int, default=1)
    ap.add_argument("-s", "--sizes", default="100000,250000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    sys.path.insert(0, args.site)

    enter_private_netns()
    print(f"Python binding beside pyroute2; start: {machine()}", flush=True)
    bench = Bench(args)
    for n in sizes:
        t = time.monotonic()
        bench.size(n, args.runs, args.pyroute2_runs)
        print(f"({n:,} entries measured in {time.monotonic() - t:.0f} s)",
              flush=True)
    print("\n".join(bench.report(sizes)))
    print(f"\nend: {machine()}")


if __name__ == "__main__":
    main()
