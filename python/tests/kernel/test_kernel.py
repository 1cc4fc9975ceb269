# SPDX-License-Identifier: LGPL-2.1-or-later
"""The binding against the real kernel, each test in a network namespace
of its own (conftest.py), with `conntrack` (conntrack-tools) as the
independent witness."""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import selectors
import subprocess
import sys

import pytest

import ctnl

from witness import conntrack_list, labels_on, sh
from helpers import tcp, udp6


def witness_keys(entries):
    return sorted((e["proto"], e["src"], e.get("sport"), e["dst"],
                   e.get("dport"), int(e.get("mark", 0)),
                   int(e.get("zone", 0))) for e in entries)


def flow_keys(flows):
    return sorted((ctnl.Proto(f.proto).name.lower(), str(f.src),
                   None if f.sport is None else str(f.sport), str(f.dst),
                   None if f.dport is None else str(f.dport), f.mark, f.zone)
                  for f in flows)


def icmp(i: int, **kw) -> ctnl.Flow:
    return ctnl.Flow(src="10.2.0.1", dst="10.2.0.2", proto="icmp",
                     icmp_type=8, icmp_id=i, timeout=30, **kw)


def test_what_ctnl_creates_conntrack_lists_and_back():
    with ctnl.open() as ct:
        for i in range(20):
            ct.create(tcp(i, mark=i))
        for i in range(5):
            ct.create(udp6(i, zone=3))
        ct.create(icmp(7))
        # conntrack created one too: ctnl must see it.
        sh("conntrack -I -p udp -s 192.0.2.1 -d 192.0.2.2 --sport 9 "
           "--dport 10 -t 50 -m 77 2>/dev/null")
        flows = ct.list()
        witness = conntrack_list()
        assert len(flows) == len(witness) == 27
        assert flow_keys(f for f in flows if f.proto != 1) == \
            witness_keys(e for e in witness if e["proto"] != "icmp")
        assert sorted(f.id for f in flows) == sorted(int(e["ct_id"])
                                                     for e in witness)
        got = ct.get(src="192.0.2.1", dst="192.0.2.2", proto="udp", sport=9,
                     dport=10)
        assert got.mark == 77 and 45 <= got.timeout <= 50
        # A dump reads what a list reads.
        assert flow_keys(ct.dump()) == flow_keys(flows)
        ping = ct.get(icmp(7))
        assert (ping.orig.icmp_type, ping.orig.icmp_id) == (8, 7)
        assert ping.reply.icmp_type == 0          # the echo reply


def test_filters_select_what_conntrack_selects():
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i, mark=i % 4) for i in range(40)]
                 + [udp6(i, zone=2) for i in range(8)]).check()
        assert flow_keys(ct.list(mark=1)) == witness_keys(
            conntrack_list("-m 1"))
        assert len(ct.list(mark=1)) == 10
        assert flow_keys(ct.dump(family="ipv6")) == witness_keys(
            conntrack_list("-f ipv6"))
        assert flow_keys(ct.list(zone=2)) == witness_keys(
            conntrack_list("-w 2"))
        assert sorted(f.sport for f in ct.list(src="10.0.0.0/30")) == \
            [1000, 1001, 1002, 1003]
        d = ct.dump(mark=2)
        assert len(list(d)) == 10
        assert d.info.kernel & ctnl._lib.CTNL_MATCH_MARK   # the kernel did it


def test_get_update_delete_and_their_errors():
    with ctnl.open() as ct:
        ct.create(tcp(1))
        with pytest.raises(FileExistsError) as info:
            ct.create(tcp(1))
        assert info.value.errno == errno.EEXIST
        ct.update(tcp(1), mark=0x1234, timeout=99)
        entry, = conntrack_list()
        assert entry["mark"] == str(0x1234)
        f = ct.get(tcp(1))
        assert f.mark == 0x1234 and 95 <= f.timeout <= 99
        ct.delete(f)
        assert conntrack_list() == []
        with pytest.raises(FileNotFoundError) as info:
            ct.get(tcp(1))
        e = info.value
        assert isinstance(e, ctnl.NotFoundError) and e.errno == errno.ENOENT
        with pytest.raises(FileNotFoundError):
            ct.delete(f)
        with pytest.raises(FileNotFoundError):
            ct.update(tcp(1), mark=1)


def test_labels_with_a_mask_and_their_absence():
    with ctnl.open() as ct:
        ct.create(tcp(1))                  # no label-using rule yet
        with pytest.raises(ctnl.Error) as info:
            ct.update(tcp(1), labels=1)
        assert info.value.errno == errno.ENOSPC
        assert "label" in (info.value.kernel_message or "")
        labels_on()
        ct.create(tcp(2, labels=ctnl.label_bits(3, 127)))
        ct.update(tcp(2), labels=ctnl.label_bits(64),
                  labels_mask=ctnl.label_bits(64, 3))
        assert ct.get(tcp(2)).labels == ctnl.label_bits(64, 127)
        assert [f.sport for f in ct.list(labels=ctnl.label_bits(64))] == [1002]
        # (conntrack names labels from connlabel.conf only: no witness.)


def test_batch_results_per_item():
    with ctnl.open() as ct:
        ct.create(tcp(5))
        r = ct.batch("create", [tcp(i) for i in range(10)])
        assert r.applied == 9 and [f.index for f in r.failures] == [5]
        assert r[5].errno == errno.EEXIST
        assert len(conntrack_list()) == 10
        r = ct.batch("delete", [tcp(i) for i in range(0, 20, 2)])
        assert r.applied == 5
        assert {f.error.errno for f in r.failures} == {errno.ENOENT}
        assert [f.index for f in r.failures] == [5, 6, 7, 8, 9]
        assert len(conntrack_list()) == 5


def test_update_and_delete_matching_are_counted_exactly():
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i, mark=i % 10) for i in range(500)]).check()
        assert ct.update_matching(None, mark=0x700) == 500
        assert {e["mark"] for e in conntrack_list()} == {str(0x700)}
        assert ct.update_matching(ctnl.Filter(src="10.0.0.0/25"),
                                  mark=1) == 128
        assert ct.delete_matching(mark=1) == 128
        assert len(conntrack_list()) == 372
        assert ct.delete_matching(mark=1, counted=True) == 0
        ct.delete_matching(mark=0x700, counted=False)
        assert conntrack_list() == []


def test_delete_if_with_a_python_predicate():
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i) for i in range(600)]
                 + [udp6(i) for i in range(30)]).check()
        gone = {ipaddress.ip_address(f"10.0.0.{i}") for i in range(0, 256, 5)}
        n = ct.delete_if(lambda f: f.src in gone or f.sport % 100 == 7,
                         family="ipv4")
        expected = sum(1 for i in range(600)
                       if (i < 256 and i % 5 == 0) or (1000 + i) % 100 == 7)
        assert n == expected
        left = conntrack_list()
        assert len(left) == 630 - expected
        assert not any(e["src"] in {str(a) for a in gone} for e in left)
        assert sum(e["proto"] == "udp" for e in left) == 30


def test_delete_if_with_an_address_set():
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i) for i in range(300)]
                 + [udp6(i) for i in range(10)]).check()
        pods = ctnl.AddressSet(f"10.0.0.{i}" for i in range(100, 150))
        pods.add("fd00::3")
        assert ct.delete_if(pods) == 51
        left = {e["src"] for e in conntrack_list()}
        assert len(conntrack_list()) == 259
        assert not left & {f"10.0.0.{i}" for i in range(100, 150)}
        assert "fd00::3" not in left and "fd00::4" in left


def test_flush_one_family_and_stats():
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i) for i in range(7)]
                 + [udp6(i) for i in range(3)]).check()
        assert ct.stats().count == 10 == int(sh("conntrack -C"))
        assert ct.count() == 10
        assert ct.stats().max > 0
        assert len(ct.stats_cpu()) == os.cpu_count() or ct.stats_cpu()
        ct.flush(family="ipv6")
        assert {e["proto"] for e in conntrack_list()} == {"tcp"}
        assert len(conntrack_list("-f ipv4")) == 7
        ct.flush()
        assert conntrack_list() == []


def test_zones():
    with ctnl.open() as ct:
        ct.create(tcp(1, zone=1))
        ct.create(tcp(1, zone=2))          # the same tuple, another zone
        assert sorted(f.zone for f in ct.list()) == [1, 2]
        assert witness_keys(conntrack_list("-w 2")) == flow_keys(
            ct.list(zone=2))
        ct.delete(tcp(1, zone=1))
        assert [e["zone"] for e in conntrack_list()] == ["2"]


def test_the_go_operations():
    labels_on()
    with ctnl.open() as ct:
        ct.batch("create", [tcp(i) for i in range(5)]).check()
        ct.update_mark("10.0.0.3", "10.1.0.1", "tcp", 1003, 80, 33)
        assert ct.get(tcp(3)).mark == 33
        flows = ct.list()
        assert ct.update_mark_for_available_flow(
            flows, "10.0.0.4", "10.1.0.1", 6, 1004, 80, 44) == 1
        assert ct.update_label(flows, "10.0.0.4", "10.1.0.1", "tcp", 1004,
                               80, 1 << 100) == 1
        assert ct.update_label32(flows, "10.0.0.4", "10.1.0.1", "tcp", 1004,
                                 80, 0b11) == 1
        f = ct.get(tcp(4))
        assert (f.mark, f.labels) == (44, 0b11 | (1 << 100))
        marks = {e["sport"]: e["mark"] for e in conntrack_list()}
        assert marks == {"1000": "0", "1001": "0", "1002": "0",
                         "1003": "33", "1004": "44"}
        with pytest.raises(FileNotFoundError):
            ct.update_mark("10.0.0.9", "10.1.0.1", "tcp", 1009, 80, 1)


def test_a_named_namespace_is_not_this_one():
    name = f"pyctnl-{os.getpid()}"
    sh(f"ip netns add {name}")
    try:
        with ctnl.open(netns=name) as there, ctnl.open() as here:
            there.create(tcp(1, mark=5))
            assert here.list() == []
            assert [f.mark for f in there.list()] == [5]
            seen = sh(f"ip netns exec {name} conntrack -L 2>/dev/null")
            assert "sport=1001" in seen and "mark=5" in seen
        # The same namespace by path and by descriptor.
        with ctnl.open(netns=f"/run/netns/{name}") as by_path:
            assert [f.mark for f in by_path.list()] == [5]
        fd = os.open(f"/run/netns/{name}", os.O_RDONLY | os.O_CLOEXEC)
        try:
            with ctnl.open(netns=fd) as by_fd:
                assert [f.mark for f in by_fd.list()] == [5]
        finally:
            os.close(fd)
        with pytest.raises(FileNotFoundError):
            ctnl.open(netns=f"{name}-none")
    finally:
        sh(f"ip netns del {name}")


def test_dump_runs_in_constant_memory():
    n = 20000
    with ctnl.open() as ct:
        for start in range(0, n, 5000):
            ct.batch("create", [ctnl.Flow(
                src=f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}",
                dst="10.255.0.1", proto="udp", sport=1, dport=53, timeout=60)
                for i in range(start, start + 5000)]).check()

        def rss() -> int:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4

        before, peak, count = rss(), 0, 0
        for f in ct.dump():
            count += 1
            if count % 1000 == 0:
                peak = max(peak, rss())
        assert count == n
        # A list of 20,000 would hold 4+ MiB of flows; the dump holds a
        # batch of them at a time.
        assert peak - before < 1024, f"RSS grew {peak - before} KiB"


def test_without_cap_net_admin_requests_raise_permissionerror():
    # ctnetlink asks CAP_NET_ADMIN of reads and changes alike.
    code = ("import ctnl, errno\n"
            "ct = ctnl.open()\n"
            "for call in (ct.list, lambda: ct.create(src='10.0.0.1',"
            " dst='10.0.0.2', proto='tcp', sport=1, dport=2, timeout=5)):\n"
            "    try:\n"
            "        call()\n"
            "    except PermissionError as e:\n"
            "        assert isinstance(e, ctnl.PermissionDeniedError)\n"
            "        print('EPERM' if e.errno == errno.EPERM else e.errno)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups", "--inh-caps=-all",
                        "--bounding-set=-all", sys.executable, "-c", code],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["EPERM", "EPERM"]
    assert conntrack_list() == []


# ---- events ----

def test_events_arrive_in_order_with_their_flows():
    with ctnl.subscribe(ctnl.EventType.NEW | ctnl.EventType.DESTROY) as ev, \
            ctnl.open() as ct:
        ct.create(tcp(1, mark=3))
        ct.delete(tcp(1))
        got = []
        while len(got) < 2:
            got += ev.poll(timeout=5)
        assert [e.type for e in got] == [ctnl.EventType.NEW,
                                         ctnl.EventType.DESTROY]
        assert got[0].flow.sport == 1001 and got[0].flow.mark == 3
        assert got[1].flow.src == ipaddress.IPv4Address("10.0.0.1")
        assert ev.info().delivered == 2
        with pytest.raises(ctnl.BusyError):
            ev.handle.list()               # a subscribed handle only reads


def test_loss_is_an_overflow_event_carrying_the_count():
    with ctnl.subscribe(ctnl.EventType.NEW, rcvbuf=1) as ev, \
            ctnl.open() as ct:
        ct.batch("create", [tcp(i) for i in range(300)]).check()
        got = ev.poll(timeout=5)
        while ev.wait(0.2):
            got += ev.read()
        losses = [e for e in got if e.is_loss]
        news = [e for e in got if e.type == ctnl.EventType.NEW]
        assert losses, "300 events into a tiny queue and no loss reported"
        assert losses[0].lost > 0 and losses[0].overflows == 1
        assert len(news) + sum(e.lost for e in losses) == 300
        assert ev.info().overflows == len(losses)
        # resync re-reads the table through another handle.
        with ctnl.open() as req:
            synced = [e for e in ev.resync(req)
                      if e.type == ctnl.EventType.SYNC]
        assert len(synced) == 300


def test_events_wait_with_selectors_and_asyncio():
    with ctnl.subscribe() as ev, ctnl.open() as ct:
        sel = selectors.DefaultSelector()
        sel.register(ev, selectors.EVENT_READ)   # by its fileno()
        assert sel.select(timeout=0) == []
        ct.create(tcp(1))
        assert len(sel.select(timeout=5)) == 1
        assert [e.type for e in ev.read()] == [ctnl.EventType.NEW]
        sel.close()

        async def first_two():
            got = []
            async for e in ev:
                got.append(e)
                if len(got) == 2:
                    return got

        async def main():
            task = asyncio.ensure_future(first_two())
            await asyncio.sleep(0.05)
            ct.update(tcp(1), mark=9)
            ct.delete(tcp(1))
            return await asyncio.wait_for(task, 5)

        got = asyncio.run(main())
        assert [e.type for e in got] == [ctnl.EventType.UPDATE,
                                         ctnl.EventType.DESTROY]
        assert got[0].flow.mark == 9


def test_closing_hands_over_the_loss_no_read_reported():
    with ctnl.open() as ct:
        ev = ctnl.subscribe(ctnl.EventType.NEW, rcvbuf=1, no_enobufs=True)
        ct.batch("create", [tcp(i) for i in range(300)]).check()
        rest = ev.close()                  # nothing was read
        assert [e.type for e in rest] == [ctnl.EventType.OVERFLOW]
        assert rest[0].lost == 300         # dropped, or queued unread
        assert ev.close() == []

        # Leaving a with block cannot hand it over: it warns instead.
        with pytest.warns(ctnl.EventLossWarning, match="were lost"):
            with ctnl.subscribe(ctnl.EventType.DESTROY, rcvbuf=1,
                                no_enobufs=True):
                ct.flush()

        # What iteration had read but not yet reached comes back too.
        ev = ctnl.subscribe(ctnl.EventType.NEW)
        ct.batch("create", [tcp(i) for i in range(1000, 1003)]).check()
        assert ev.wait(5)
        first = next(iter(ev))
        rest = ev.close()
        assert [e.flow.sport for e in [first] + rest] == [2000, 2001, 2002]
