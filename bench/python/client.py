# SPDX-License-Identifier: LGPL-2.1-or-later
"""One measured operation of the Python benchmark, in a process of its own
so that its memory is its own. Run by bench/python/bench.py, in the
network namespace it made, on the table bench-ctnl filled.

    client.py ctnl-list              ctnl: list(), then 7 fields of each
    client.py ctnl-dump              ctnl: dump(), 7 fields of each as it goes
    client.py ctnl-update MARK       ctnl: update_matching() of every mark
    client.py pyroute2-dump          pyroute2: dump_entries() into a list,
                                     then 7 fields of each
    client.py pyroute2-update MARK   pyroute2: dump, then entry('set') of
                                     every mark, one request each

The 7 fields are those every client of bench/ reads: family, protocol,
both addresses, both ports, mark. Prints one line:
    ok ns=<timed> cpu=<ns> count=<entries> base=<KiB> peak=<KiB> [...]
ns is the wall time of the timed part and cpu the CPU time the process
spent in it (user and system: on a loaded machine, the steadier figure);
base is the resident set just before the timed part (the interpreter with
its modules and the open handle), peak the process's VmHWM at the end.
"""

from __future__ import annotations

import socket
import sys
import time

now = time.perf_counter_ns
cpu = time.process_time_ns


def kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def report(ns: int, cpu_ns: int, count: int, base: int,
           **extra: int) -> None:
    more = "".join(f" {k}={v}" for k, v in extra.items())
    print(f"ok ns={ns} cpu={cpu_ns} count={count} base={base} "
          f"peak={kib('VmHWM')}{more}", flush=True)


def read_ctnl(flow) -> int:
    return (flow.family + flow.proto + hash(flow.src) + hash(flow.dst)
            + flow.sport + flow.dport + flow.mark)


def read_pyroute2(entry) -> int:
    t = entry.tuple_orig
    return (t.family + t.proto + hash(t.saddr) + hash(t.daddr) + t.sport
            + t.dport + entry.mark)


def ctnl_list() -> None:
    import ctnl
    with ctnl.open() as ct:
        base = kib("VmRSS")
        c0, t0 = cpu(), now()
        flows = ct.list()
        c1, t1 = cpu(), now()
        digest = 0
        for f in flows:
            digest += read_ctnl(f)
        c2, t2 = cpu(), now()
        report(t2 - t0, c2 - c0, len(flows), base, list_ns=t1 - t0,
               list_cpu=c1 - c0)


def ctnl_dump() -> None:
    import ctnl
    with ctnl.open() as ct:
        base = kib("VmRSS")
        count = digest = 0
        c0, t0 = cpu(), now()
        for f in ct.dump():
            digest += read_ctnl(f)
            count += 1
        c1, t1 = cpu(), now()
        report(t1 - t0, c1 - c0, count, base)


def ctnl_update(mark: int) -> None:
    import ctnl
    with ctnl.open() as ct:
        base = kib("VmRSS")
        c0, t0 = cpu(), now()
        n = ct.update_matching(None, mark=mark)
        c1, t1 = cpu(), now()
        report(t1 - t0, c1 - c0, n, base)


def pyroute2_sockets():
    from pyroute2 import Conntrack
    # One socket per family for requests (pyroute2 puts the socket's
    # family in each request, and the kernel parses the tuple by it), and
    # AF_UNSPEC for a dump of both families.
    return {0: Conntrack(nfgen_family=socket.AF_UNSPEC),
            socket.AF_INET: Conntrack(nfgen_family=socket.AF_INET),
            socket.AF_INET6: Conntrack(nfgen_family=socket.AF_INET6)}


def pyroute2_dump() -> None:
    socks = pyroute2_sockets()
    base = kib("VmRSS")
    c0, t0 = cpu(), now()
    entries = list(socks[0].dump_entries())
    c1, t1 = cpu(), now()
    digest = 0
    for e in entries:
        digest += read_pyroute2(e)
    c2, t2 = cpu(), now()
    report(t2 - t0, c2 - c0, len(entries), base, list_ns=t1 - t0,
           list_cpu=c1 - c0)
    for s in socks.values():
        s.close()


def pyroute2_update(mark: int) -> None:
    socks = pyroute2_sockets()
    base = kib("VmRSS")
    c0, t0 = cpu(), now()
    n = 0
    for e in list(socks[0].dump_entries()):
        socks[e.tuple_orig.family].entry("set", mark=mark,
                                         tuple_orig=e.tuple_orig)
        n += 1
    c1, t1 = cpu(), now()
    report(t1 - t0, c1 - c0, n, base)
    for s in socks.values():
        s.close()


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "ctnl-list":
        ctnl_list()
    elif cmd == "ctnl-dump":
        ctnl_dump()
    elif cmd == "ctnl-update":
        ctnl_update(int(sys.argv[2], 0))
    elif cmd == "pyroute2-dump":
        pyroute2_dump()
    elif cmd == "pyroute2-update":
        pyroute2_update(int(sys.argv[2], 0))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
