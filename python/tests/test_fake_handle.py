# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every operation of a handle, over ctnl.testing.FakeConntrack: no root,
no kernel. The fake answers as the kernel does (see <ctnl/mocks.h>)."""

from __future__ import annotations

import errno
import ipaddress
import socket

import pytest

import ctnl
from ctnl.testing import SLOTS, FakeConntrack

from helpers import tcp


def keys(flows):
    return [(str(f.src), f.sport, f.mark) for f in flows]


# ---- reading ----

def test_list_returns_every_entry_in_table_order(seeded):
    flows = seeded.list()
    assert len(flows) == 15
    assert keys(flows[:3]) == [("10.0.0.0", 1000, 0), ("10.0.0.1", 1001, 1),
                               ("10.0.0.2", 1002, 2)]
    assert [f.id for f in flows] == list(range(1, 16))
    assert all(f.reply is not None for f in flows)
    # The reply tuple the fake gave is the inverse of the original.
    assert flows[0].reply.src == ipaddress.IPv4Address("10.1.0.1")
    assert flows[0].reply.sport == 80 and flows[0].reply.dport == 1000


def test_list_and_dump_filter_alike(seeded):
    assert keys(seeded.list(family="ipv6")) == keys(seeded.list()[10:])
    assert [f.mark for f in seeded.list(mark=3)] == [3]
    assert [f.mark for f in seeded.dump(mark=3)] == [3]
    f = ctnl.Filter(proto="tcp", src="10.0.0.0/30")
    assert keys(seeded.list(f)) == keys(seeded.dump(f))
    assert [f.sport for f in seeded.list(f)] == [1000, 1001, 1002, 1003]
    assert len(seeded.list({"proto": "udp"})) == 5
    with pytest.raises(ValueError, match="not both"):
        seeded.list(f, mark=1)


def test_an_empty_table_is_an_empty_list(fake):
    assert fake.list() == []
    assert list(fake.dump()) == []


def test_dump_streams_and_reports_what_it_did(seeded):
    d = seeded.dump(proto="tcp")
    assert d.info is None
    flows = list(d)
    assert len(flows) == 10
    assert d.info.received == 15 and d.info.matched == 10
    assert d.info.user == ctnl._lib.CTNL_MATCH_PROTO and d.info.kernel == 0
    # Flows from a dump own their data: they outlive the dump.
    del d
    assert flows[9].sport == 1009


def test_dump_crosses_batches_in_order(fake):
    fake.max_entries = 0
    assert fake.batch("create", [tcp(i) for i in range(1000)]).ok
    assert [f.sport for f in fake.dump()] == list(range(1000, 2000))


def test_handle_is_busy_while_a_dump_is_iterated(seeded):
    d = seeded.dump()
    next(d)
    with pytest.raises(ctnl.BusyError) as info:
        seeded.list()
    assert info.value.errno == errno.EBUSY
    assert "still being iterated" in str(info.value)
    d.close()
    assert len(seeded.list()) == 15
    # Dropping an unfinished dump frees the handle too.
    d = iter(seeded.dump())
    next(d)
    del d
    assert len(seeded.list()) == 15
    with seeded.dump() as d:
        next(d)
    assert seeded.count() == 15


def test_get_by_key_and_by_keywords(seeded):
    f = seeded.get(tcp(4))
    assert (f.mark, f.id) == (4, 5)
    same = seeded.get(src="10.0.0.4", dst="10.1.0.1", proto="tcp",
                      sport=1004, dport=80)
    assert same == f
    # The reply tuple names the same entry.
    assert seeded.get(ctnl.Tuple("10.1.0.1", "10.0.0.4", "tcp", 80,
                                 1004)).id == 5


def test_get_of_a_missing_entry_raises_filenotfounderror(seeded):
    with pytest.raises(FileNotFoundError) as info:
        seeded.get(tcp(99))
    e = info.value
    assert isinstance(e, ctnl.NotFoundError) and isinstance(e, ctnl.Error)
    assert e.errno == errno.ENOENT and e.operation == "get"


# ---- changing ----

def test_create_then_get(fake):
    fake.create(tcp(1, mark=5, zone=3, labels=ctnl.label_bits(2)))
    f = fake.get(tcp(1, zone=3))
    assert (f.mark, f.zone, f.labels, f.timeout) == (5, 3, 4, 300)
    assert f.status & ctnl.Status.CONFIRMED
    with pytest.raises(FileNotFoundError):
        fake.get(tcp(1))                   # another zone


def test_create_twice_raises_fileexistserror(fake):
    fake.create(tcp(1))
    with pytest.raises(FileExistsError) as info:
        fake.create(tcp(1))
    assert isinstance(info.value, ctnl.ExistsError)
    assert info.value.errno == errno.EEXIST


def test_create_needs_a_timeout_and_sends_nothing_without(fake):
    with pytest.raises(ValueError, match="timeout"):
        fake.create(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=1,
                    dport=2)
    assert fake.calls("create") == 0


def test_update_mark_labels_timeout(seeded):
    seeded.update(tcp(1), mark=77)
    assert seeded.get(tcp(1)).mark == 77
    seeded.update(tcp(1), labels=ctnl.label_bits(1, 100))
    seeded.update(tcp(1), labels=ctnl.label_bits(5),
                  labels_mask=ctnl.label_bits(5, 1))
    assert seeded.get(tcp(1)).labels == ctnl.label_bits(5, 100)
    seeded.update(tcp(1), ctnl.Change(timeout=9))
    assert seeded.get(tcp(1)).timeout == 9
    with pytest.raises(FileNotFoundError):
        seeded.update(tcp(50), mark=1)


def test_delete_by_key_honours_the_id(seeded):
    f = seeded.get(tcp(2))
    seeded.delete(f)
    with pytest.raises(FileNotFoundError):
        seeded.delete(f)
    seeded.create(tcp(2))                  # the same tuple, a new id
    with pytest.raises(FileNotFoundError):
        seeded.delete(f)                   # the old id names nothing
    seeded.delete(tcp(2))                  # no id: whatever holds the tuple
    assert seeded.count() == 14


def test_batch_gives_a_result_per_item(seeded):
    flows = [tcp(100), tcp(3), tcp(101), tcp(4)]   # 3 and 4 exist
    r = seeded.batch("create", flows)
    assert len(r) == 4 and r.applied == 2 and not r.ok
    assert r[0] is None and r[2] is None
    assert isinstance(r[1], FileExistsError) and r[1].errno == errno.EEXIST
    assert [(f.index, f.flow.sport, f.error.errno) for f in r.failures] == [
        (1, 1003, errno.EEXIST), (3, 1004, errno.EEXIST)]
    assert "#1 EEXIST" in repr(r)
    with pytest.raises(FileExistsError):
        r.check()
    # Deletes, with per-item errors; updates with one change or one each.
    r = seeded.batch(ctnl.Op.DELETE, [tcp(100), tcp(200)])
    assert [e is None for e in r] == [True, False]
    assert r[1].errno == errno.ENOENT
    assert seeded.batch("update", [tcp(0), tcp(1)], mark=9).ok
    assert seeded.batch("update", [tcp(0), tcp(1)],
                        [ctnl.Change(mark=10), {"mark": 11}]).ok
    assert [seeded.get(tcp(i)).mark for i in (0, 1)] == [10, 11]


def test_batch_refuses_bad_items_before_sending(seeded):
    with pytest.raises(ValueError, match="timeout"):
        seeded.batch("create", [tcp(100), ctnl.Flow(src="1.1.1.1",
                                                    dst="2.2.2.2", proto=17,
                                                    sport=1, dport=2)])
    with pytest.raises(ctnl.ArgumentTypeError, match=r"flows\[1\]"):
        seeded.batch("delete", [tcp(1), "10.0.0.1"])
    with pytest.raises(ValueError, match="2 changes for 3 flows"):
        seeded.batch("update", [tcp(0), tcp(1), tcp(2)],
                     [{"mark": 1}, {"mark": 2}])
    with pytest.raises(ValueError, match="only an update"):
        seeded.batch("delete", [tcp(0)], mark=1)
    with pytest.raises(ValueError, match="unknown operation"):
        seeded.batch("upsert", [tcp(0)])
    assert seeded.calls("batch") == 0
    assert seeded.batch("delete", []).applied == 0


def test_a_batch_failing_as_a_whole_raises_batcherror_with_the_results(seeded):
    seeded.fail("batch", errno.ENOBUFS)
    with pytest.raises(ctnl.BatchError) as info:
        seeded.batch("delete", [tcp(0), tcp(1)])
    e = info.value
    assert e.errno == errno.ENOBUFS
    assert [r.errno for r in e.results] == [errno.ENOBUFS, errno.ENOBUFS]
    assert seeded.count() == 15


def test_update_matching_and_delete_matching_count(seeded):
    assert seeded.update_matching(ctnl.Filter(family="ipv4"), mark=7) == 10
    assert [f.mark for f in seeded.list(proto="tcp")] == [7] * 10
    assert seeded.update_matching(None, ctnl.Change(timeout=1)) == 15
    assert seeded.delete_matching(mark=100) == 5
    assert seeded.delete_matching(mark=100) == 0
    # Uncounted: where the kernel could flush by filter, no count comes back.
    assert seeded.delete_matching(mark=7, counted=False) is None
    assert seeded.list() == []


def test_flush_one_family_leaves_the_other(seeded):
    seeded.flush(family="ipv6")
    assert {f.family for f in seeded.list()} == {socket.AF_INET}
    seeded.flush()
    assert seeded.count() == 0
    with pytest.raises(ValueError, match="unknown table"):
        seeded.flush(table="nat")


def test_stats(seeded):
    assert seeded.stats() == ctnl.Stats(count=15, max=65536)
    seeded.max_entries = 20
    assert seeded.stats().max == 20
    cpus = seeded.stats_cpu()
    assert len(cpus) == 1 and cpus[0].cpu == 0 and cpus[0].found == 0


def test_zones_keep_tuples_apart(fake):
    fake.create(tcp(1, zone=1))
    fake.create(tcp(1, zone=2))
    assert [f.zone for f in fake.list()] == [1, 2]
    assert [f.zone for f in fake.list(zone=2)] == [2]
    assert fake.delete_matching(zone=1) == 1
    assert [f.zone for f in fake.list()] == [2]


def test_labels_unavailable_raise_with_the_explanation(fake):
    fake.labels_enabled = False
    fake.create(tcp(1))
    with pytest.raises(ctnl.Error) as info:
        fake.update(tcp(1), labels=1)
    e = info.value
    assert e.errno == errno.ENOSPC
    assert e.kernel_message and "label" in e.kernel_message
    assert e.kernel_message in str(e)


def test_filter_by_labels(fake):
    fake.create(tcp(1, labels=ctnl.label_bits(1, 2)))
    fake.create(tcp(2, labels=ctnl.label_bits(2)))
    assert [f.sport for f in fake.list(labels=ctnl.label_bits(2))] == \
        [1001, 1002]
    assert [f.sport for f in fake.list(labels=ctnl.label_bits(1, 2))] == [1001]


# ---- the Go package's operations ----

def test_update_mark(seeded):
    seeded.update_mark("10.0.0.5", "10.1.0.1", "tcp", 1005, 80, 55)
    assert seeded.get(tcp(5)).mark == 55
    with pytest.raises(FileNotFoundError):
        seeded.update_mark("10.0.0.5", "10.1.0.1", 6, 1, 80, 55)
    with pytest.raises(ValueError, match="no ports"):
        seeded.update_mark("10.0.0.5", "10.1.0.1", "icmp", 1, 2, 55)
    assert seeded.calls("update") == 2


def test_update_mark_for_available_flow_and_update_label(seeded):
    flows = seeded.list()
    n = seeded.update_mark_for_available_flow(flows, "10.0.0.6", "10.1.0.1",
                                              "tcp", 1006, 80, 66)
    assert n == 1 and seeded.get(tcp(6)).mark == 66
    assert seeded.update_mark_for_available_flow(
        flows[:3], "10.0.0.6", "10.1.0.1", "tcp", 1006, 80, 67) == 0
    n = seeded.update_label(flows, "10.0.0.6", "10.1.0.1", "tcp", 1006, 80,
                            value=1 << 120, mask=(1 << 120) | 1)
    assert n == 1 and seeded.get(tcp(6)).labels == 1 << 120
    n = seeded.update_label32(flows, "10.0.0.6", "10.1.0.1", "tcp", 1006, 80,
                              ctnl._lib.CTNL_LABEL32_ENCRYPTED)
    assert n == 1 and seeded.get(tcp(6)).labels == (1 << 120) | 1
    with pytest.raises(ctnl.Error) as info:
        seeded.update_label(flows, "10.0.0.6", "10.1.0.1", "tcp", 1006, 80,
                            1, table="expect")
    assert info.value.errno == errno.EOPNOTSUPP


# ---- errors, closing, the fake itself ----

def test_permission_errors_are_permissionerror(seeded):
    seeded.fail("delete", "EPERM")
    with pytest.raises(PermissionError) as info:
        seeded.delete(tcp(1))
    assert isinstance(info.value, ctnl.PermissionDeniedError)
    assert info.value.errno == errno.EPERM
    assert seeded.count() == 15            # the fake changed nothing


def test_injected_failures_hit_the_nth_call(seeded):
    seeded.fail("get", errno.EIO, nth=seeded.calls("get") + 2)
    seeded.get(tcp(1))
    with pytest.raises(ctnl.Error) as info:
        seeded.get(tcp(1))
    assert info.value.errno == errno.EIO and type(info.value) is ctnl.Error
    seeded.get(tcp(1))
    assert seeded.calls("get") == 3
    with pytest.raises(ValueError, match="unknown slot"):
        seeded.fail("gte")
    assert set(SLOTS) >= {"dump", "get", "create", "update", "delete"}


def test_bad_arguments_send_nothing(seeded):
    before = {s: seeded.calls(s) for s in SLOTS}
    for call in (lambda: seeded.get(src="10.0.0.1", dst="x", proto=6,
                                    sport=1, dport=2),
                 lambda: seeded.delete(tcp(1), mark=3),
                 lambda: seeded.update(tcp(1)),
                 lambda: seeded.update(tcp(1), mark=-1),
                 lambda: seeded.list(sport=5),
                 lambda: seeded.dump(src="10.0.0.0/33"),
                 lambda: seeded.delete_matching(zone=70000),
                 lambda: seeded.update_matching({"mark": 1}),
                 lambda: seeded.flush(family="ipv5"),
                 lambda: seeded.update_mark("10.0.0.1", "::1", 6, 1, 2, 3),
                 lambda: seeded.delete(42)):
        with pytest.raises(ValueError):
            call()
    assert {s: seeded.calls(s) for s in SLOTS} == before


def test_a_closed_handle_refuses_and_closes_once(seeded):
    with seeded as h:
        assert h.count() == 15
    assert seeded.closed and seeded.was_closed
    with pytest.raises(ValueError, match="closed"):
        seeded.list()
    seeded.close()                        # harmless
    # The table outlives the handle, for inspection.
    assert len(seeded.flows()) == 15


def test_open_stands_in_for_ctnl_open(monkeypatch, seeded):
    monkeypatch.setattr(ctnl, "open", seeded.open)

    def agent_code():                     # opens and closes its own handle
        with ctnl.open(netns="blue") as ct:
            return ct.delete_matching(mark=100)

    assert agent_code() == 5
    assert seeded.was_closed and seeded.opened == ["blue"]
    assert agent_code() == 0              # reopened on the same table
    assert seeded.opened == ["blue", "blue"]
    assert len(seeded.flows()) == 10


def test_add_seeds_as_given_and_refuses_duplicates(fake):
    f = fake.add(tcp(1, status=ctnl.Status.ASSURED | ctnl.Status.SEEN_REPLY,
                     id=500))
    assert f.id == 500 and f.status == (ctnl.Status.ASSURED
                                        | ctnl.Status.SEEN_REPLY)
    with pytest.raises(FileExistsError):
        fake.add(tcp(1))
    assert fake.add(tcp(2)).id != 500
    assert FakeConntrack([tcp(1), tcp(2)]).count() == 2


def test_the_table_limit(fake):
    fake.max_entries = 2
    fake.create(tcp(1))
    fake.create(tcp(2))
    with pytest.raises(ctnl.Error) as info:
        fake.create(tcp(3))
    assert info.value.errno == errno.ENOMEM
    assert fake.max_entries == 2


def test_iterating_a_handle_dumps_it(seeded):
    assert len([f for f in seeded]) == 15


def test_a_second_thread_gets_busyerror_not_a_crash(seeded):
    import threading

    started, release, seen = threading.Event(), threading.Event(), []

    def slow(flow):                       # holds the handle in one thread
        started.set()
        release.wait(5)
        return False

    t = threading.Thread(target=seeded.delete_if, args=(slow,))
    t.start()
    assert started.wait(5)
    try:
        seeded.list()
    except ctnl.BusyError as e:
        seen.append(e.errno)
    release.set()
    t.join(5)
    assert seen == [errno.EBUSY]
    # Any call while another thread is inside the C library is refused
    # the same way (the guard every call takes).
    with seeded._guard:
        with pytest.raises(ctnl.BusyError, match="another thread"):
            seeded.get(tcp(1))
        with pytest.raises(ctnl.BusyError, match="another thread"):
            seeded.close()
    assert seeded.count() == 15
