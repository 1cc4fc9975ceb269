# SPDX-License-Identifier: LGPL-2.1-or-later
"""No leaks and no reference cycles: hundreds of thousands of operations
over the fake leave the interpreter's memory where it was.

Three witnesses: the garbage collector (switched off during the run, it
must then find nothing: the binding makes no reference cycles, so every
object goes the moment it is dropped), tracemalloc (Python allocations),
and the resident set (C allocations too: libctnl's lists, cursors, event
batches).
"""

from __future__ import annotations

import gc
import os
import tracemalloc

import pytest

import ctnl
from ctnl.testing import FakeConntrack

from helpers import tcp, udp6

ROUNDS = int(os.environ.get("CTNL_PY_LEAK_ROUNDS", "30000"))


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def one_round(ct: ctnl.Conntrack, key: ctnl.Flow) -> int:
    """Seven operations that each allocate and free in C and in Python."""
    n = 0
    for f in ct.dump():                          # a whole dump
        n += f.sport + len(str(f.src))
    for f in ct.dump(proto="udp"):               # a dump left early
        n += f.dport
        break
    flows = ct.list()                            # a list, with views
    n += flows[-1].dport + flows[0].labels
    n += ct.get(key).mark
    try:
        ct.delete(tcp(999))
    except FileNotFoundError as e:               # an error with its text
        n += e.errno
    n += ct.batch("update", flows[:2], mark=1).applied
    n += ct.delete_if(lambda f: f.sport == 0)    # the predicate path
    return n


def run(ct, key, rounds):
    total = 0
    for _ in range(rounds):
        total += one_round(ct, key)
    return total


@pytest.fixture
def table():
    fake = FakeConntrack([tcp(i, mark=i) for i in range(3)]
                         + [udp6(i, labels=1 << 100) for i in range(2)])
    yield fake, fake.list()[1]
    fake.close()


def test_operations_make_no_reference_cycles(table):
    ct, key = table
    run(ct, key, 200)
    gc.collect()
    gc.disable()
    try:
        run(ct, key, 2000)
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0, \
        f"{found} objects were only freed by the cycle collector"


def test_memory_stays_flat_over_hundreds_of_thousands_of_operations(table):
    ct, key = table
    run(ct, key, 2000)                            # warm caches and pools
    gc.collect()
    tracemalloc.start()
    try:
        run(ct, key, 2000)
        gc.collect()
        traced_before, _ = tracemalloc.get_traced_memory()
        run(ct, key, 8000)
        gc.collect()
        traced_after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Python objects: nothing kept per operation (56,000 operations).
    assert traced_after - traced_before < 16 * 1024, \
        f"tracemalloc grew by {traced_after - traced_before} bytes"

    rss_before = rss_kib()
    run(ct, key, ROUNDS)                          # 7 operations each
    gc.collect()
    grown = rss_kib() - rss_before
    # C and Python together: a leak of even 16 bytes per operation would
    # show as 3.7 MiB here.
    assert grown < 1024, \
        f"RSS grew by {grown} KiB over {ROUNDS * 7} operations"
