# SPDX-License-Identifier: LGPL-2.1-or-later
"""delete_if(): a Python predicate deciding, entry by entry, inside
libctnl's one-pass delete (ctnl_ct_delete_if()), over the fake."""

from __future__ import annotations

import errno
import ipaddress

import pytest

import ctnl

from helpers import tcp


def test_the_predicate_chooses_what_goes(seeded):
    seen = []

    def odd_marks(flow):
        seen.append(flow)
        return flow.mark % 2 == 1

    assert seeded.delete_if(odd_marks, proto="tcp") == 5
    assert len(seen) == 10                       # the filter ran first
    assert sorted(f.mark for f in seeded.list(proto="tcp")) == [0, 2, 4, 6, 8]
    # The flows handed to the predicate are its own to keep.
    assert [f.sport for f in seen] == list(range(1000, 1010))
    assert seeded.count() == 10


def test_no_filter_means_every_entry(seeded):
    pods = {ipaddress.ip_address("10.0.0.3"), ipaddress.ip_address("fd00::2")}
    assert seeded.delete_if(lambda f: f.src in pods) == 2
    assert seeded.count() == 13
    assert seeded.delete_if(lambda f: True, ctnl.Filter(family="ipv6")) == 4
    assert seeded.delete_if(lambda f: False) == 0
    assert seeded.count() == 9


def test_a_raising_predicate_stops_the_pass_and_its_error_propagates(seeded):
    calls = []

    def boom(flow):
        calls.append(flow.sport)
        if len(calls) == 4:
            raise KeyError("stop here")
        return True

    with pytest.raises(KeyError, match="stop here"):
        seeded.delete_if(boom)
    assert len(calls) == 4
    # What it chose before the exception was deleted; the rest stays.
    assert sorted(f.sport for f in seeded.list(proto="tcp")) == \
        list(range(1003, 1010))
    assert seeded.count() == 12                  # the handle still works


def test_the_predicate_cannot_use_the_handle(seeded):
    def nested(flow):
        seeded.get(flow)                         # the socket is mid-dump

    with pytest.raises(ctnl.BusyError, match="inside delete_if"):
        seeded.delete_if(nested)
    assert seeded.count() == 15


def test_bad_arguments_send_nothing(seeded):
    with pytest.raises(ctnl.ArgumentTypeError, match="callable"):
        seeded.delete_if(42)
    with pytest.raises(ValueError, match="unknown family"):
        seeded.delete_if(bool, family="ipv5")
    assert seeded.calls("delete_if") == 0


def test_a_refusal_raises_with_what_was_done(seeded):
    seeded.fail("delete_if", errno.EPERM)
    with pytest.raises(PermissionError) as info:
        seeded.delete_if(lambda f: True)
    assert info.value.errno == errno.EPERM
    assert isinstance(info.value.stats, ctnl.DeleteStats)
    assert info.value.stats.deleted == 0
    assert seeded.count() == 15


def test_delete_if_under_a_dump_is_busy(seeded):
    with seeded.dump() as d:
        next(d)
        with pytest.raises(ctnl.BusyError):
            seeded.delete_if(bool)


def test_many_entries_one_pass(fake):
    fake.max_entries = 0
    assert fake.batch("create", [tcp(i, mark=i % 3) for i in range(3000)]).ok
    assert fake.delete_if(lambda f: f.mark == 1) == 1000
    assert fake.count() == 2000


def test_an_address_set_chooses_by_either_source_in_c(seeded):
    gone = ctnl.AddressSet(["10.0.0.4", ipaddress.ip_address("fd00::3")])
    assert len(gone) == 2 and "10.0.0.4" in gone and "10.0.0.5" not in gone
    assert not gone.add("10.0.0.4") and gone.add("10.1.0.1")
    assert "::ffff:10.0.0.4" not in gone and "not an address" not in gone
    # 10.1.0.1 is the reply source of every TCP entry: all ten go, and
    # fd00::3 takes one UDP entry by its original source.
    assert seeded.delete_if(gone) == 11
    assert [str(f.src) for f in seeded.list()] == [
        "fd00::1", "fd00::2", "fd00::4", "fd00::5"]
    gone.clear()
    assert len(gone) == 0 and seeded.delete_if(gone) == 0
    with pytest.raises(ValueError, match="not an IPv4 or IPv6"):
        gone.add("10.0.0.300")
