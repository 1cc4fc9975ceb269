# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flows, tuples, filters and changes made in Python: every field lands
where libctnl reads it, and bad values raise before anything exists."""

from __future__ import annotations

import ipaddress
import pickle
import socket

import pytest

import ctnl
from ctnl._native import ffi, lib


def test_flow_fields_land_in_the_c_struct():
    f = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=40000,
                  dport=80, zone=7, timeout=120, mark=0xDEADBEEF,
                  labels=ctnl.label_bits(0, 127), status=ctnl.Status.ASSURED,
                  tcp_state=ctnl.TcpState.ESTABLISHED, id=9, helper="ftp")
    c = f._c
    assert c.orig.family == socket.AF_INET
    assert c.orig.proto == socket.IPPROTO_TCP
    assert bytes(ffi.buffer(c.orig.src.u8, 4)) == bytes([10, 0, 0, 1])
    assert bytes(ffi.buffer(c.orig.dst.u8, 4)) == bytes([10, 0, 0, 2])
    assert (c.orig.port.src, c.orig.port.dst, c.orig.zone) == (40000, 80, 7)
    assert (c.timeout, c.mark, c.id) == (120, 0xDEADBEEF, 9)
    assert list(c.labels.words) == [1, 0, 0, 0x80000000]
    assert c.tcp.state == lib.CTNL_TCP_ESTABLISHED
    assert ffi.string(c.helper) == b"ftp"
    assert c.attrs == (lib.CTNL_ATTR_ORIG | lib.CTNL_ATTR_ID
                       | lib.CTNL_ATTR_STATUS | lib.CTNL_ATTR_TIMEOUT
                       | lib.CTNL_ATTR_MARK | lib.CTNL_ATTR_LABELS
                       | lib.CTNL_ATTR_TCP_STATE | lib.CTNL_ATTR_HELPER)
    # ... and read back the same.
    assert f.src == ipaddress.IPv4Address("10.0.0.1")
    assert f.dst == ipaddress.IPv4Address("10.0.0.2")
    assert (f.sport, f.dport, f.zone, f.proto) == (40000, 80, 7, 6)
    assert f.labels == (1 << 127) | 1
    assert f.has_label(127) and f.has_label(0) and not f.has_label(1)
    assert f.status == ctnl.Status.ASSURED
    assert f.tcp_state is ctnl.TcpState.ESTABLISHED
    assert f.helper == "ftp"
    assert f.reply is None and f.use is None and f.counters_orig is None


def test_absent_fields_read_as_none():
    f = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto=17, sport=1, dport=2)
    assert f.attrs == lib.CTNL_ATTR_ORIG
    for name in ("id", "status", "timeout", "mark", "use", "start", "stop",
                 "tcp_state", "helper", "counters_reply", "sctp_state"):
        assert getattr(f, name) is None, name
    assert f.labels == 0


def test_ipv6_and_address_objects():
    src = ipaddress.IPv6Address("fd00::1")
    f = ctnl.Flow(src=src, dst="fd00::2", proto="udp", sport=5, dport=53)
    assert f.family == socket.AF_INET6
    assert f.src == src and f.dst == ipaddress.IPv6Address("fd00::2")
    assert bytes(ffi.buffer(f._c.orig.src.u8, 16)) == src.packed


def test_icmp_tuples_take_type_code_id_and_no_ports():
    f = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="icmp", icmp_type=8,
                  icmp_id=77)
    assert (f.orig.icmp_type, f.orig.icmp_code, f.orig.icmp_id) == (8, 0, 77)
    assert f.sport is None and f.dport is None
    with pytest.raises(ValueError, match="no ports"):
        ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="icmp", sport=1,
                  dport=2)
    with pytest.raises(ValueError, match="icmp_type"):
        ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="icmp")
    with pytest.raises(ValueError, match="has ports"):
        ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=1,
                  dport=2, icmp_type=8)


@pytest.mark.parametrize("kwargs, message", [
    (dict(src="10.0.0.256"), "not an IPv4 or IPv6 address"),
    (dict(src="10.0.0"), "not an IPv4 or IPv6 address"),
    (dict(src="fe80::1%eth0"), "not an IPv4 or IPv6 address"),
    (dict(dst="fd00::1"), "different families"),
    (dict(sport=65536), r"sport 65536 is out of range \(0..65535\)"),
    (dict(dport=-1), r"dport -1 is out of range"),
    (dict(proto="tcpp"), "unknown protocol 'tcpp'"),
    (dict(proto=256), "proto 256 is out of range"),
    (dict(zone=65536), "zone 65536 is out of range"),
    (dict(mark=1 << 32), "mark 4294967296 is out of range"),
    (dict(labels=1 << 128), "labels .* is out of range"),
    (dict(timeout=-5), "timeout -5 is out of range"),
    (dict(helper="a-name-too-long!"), "1 to 15 bytes"),
    (dict(sport=None), "needs sport and dport"),
    (dict(tcp_state=99), "tcp_state 99 is out of range"),
])
def test_bad_values_raise_valueerror(kwargs, message):
    args = dict(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=1,
                dport=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        ctnl.Flow(**args)


@pytest.mark.parametrize("kwargs", [
    dict(src=167772161), dict(sport="80"), dict(sport=80.0), dict(mark=True),
    dict(proto=6.0), dict(labels="1"),
])
def test_wrong_types_raise_an_error_that_is_both_type_and_value_error(kwargs):
    args = dict(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=1,
                dport=2)
    args.update(kwargs)
    with pytest.raises(ctnl.ArgumentTypeError) as info:
        ctnl.Flow(**args)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TypeError)


def test_orig_and_reply_tuples():
    orig = ctnl.Tuple("10.0.0.1", "10.0.0.2", "udp", 1, 2, zone=3)
    reply = ctnl.Tuple("10.0.0.2", "192.0.2.1", "udp", 2, 1)
    f = ctnl.Flow(orig=orig, reply=reply, timeout=5)
    assert f.orig == orig and f.reply == reply
    assert f.zone == 3
    assert f.attrs & lib.CTNL_ATTR_REPLY
    with pytest.raises(ValueError, match="either orig"):
        ctnl.Flow(orig=orig, src="10.0.0.1")
    with pytest.raises(ValueError, match="either orig"):
        ctnl.Flow(orig=orig, zone=4)
    with pytest.raises(ValueError, match="another family"):
        ctnl.Flow(orig=orig, reply=ctnl.Tuple("::1", "::2", "udp", 1, 2))
    with pytest.raises(ctnl.ArgumentTypeError):
        ctnl.Flow(orig=("10.0.0.1", "10.0.0.2"))


def test_flows_compare_hash_pickle_and_print():
    a = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=1,
                  dport=2, mark=3, timeout=60)
    b = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto=6, sport=1, dport=2,
                  mark=3, timeout=60)
    c = ctnl.Flow(src="10.0.0.1", dst="10.0.0.2", proto=6, sport=1, dport=2,
                  mark=4, timeout=60)
    assert a == b and hash(a) == hash(b) and a != c
    assert pickle.loads(pickle.dumps(a)) == a
    assert str(a) == ("tcp      6 60 src=10.0.0.1 dst=10.0.0.2 sport=1 "
                      "dport=2 mark=3")
    assert repr(a) == "Flow(tcp 10.0.0.1:1 -> 10.0.0.2:2, mark=3, timeout=60)"
    assert a.to_dict() == {
        "orig": {"family": socket.AF_INET, "proto": 6,
                 "src": ipaddress.IPv4Address("10.0.0.1"),
                 "dst": ipaddress.IPv4Address("10.0.0.2"), "zone": 0,
                 "sport": 1, "dport": 2},
        "timeout": 60, "mark": 3}


def test_label_bits():
    assert ctnl.label_bits() == 0
    assert ctnl.label_bits(1, 5) == 0b100010
    assert ctnl.label_bits(127) == 1 << 127
    with pytest.raises(ValueError):
        ctnl.label_bits(128)


def test_filter_sets_the_c_criteria():
    f = ctnl.Filter(proto="tcp", src="10.0.0.0/8", dst="10.1.2.3", dport=80,
                    mark=0x42, mark_mask=0xFF, zone=0, tcp_state=3,
                    labels=0b101, status=ctnl.Status.ASSURED)
    c = f._c
    assert c.family == socket.AF_INET and c.proto == 6
    assert (c.orig_src_len, c.orig_dst_len) == (8, 0)  # 0: the whole address
    assert bytes(ffi.buffer(c.orig_src.u8, 4)) == bytes([10, 0, 0, 0])
    assert (c.orig_dport, c.mark, c.mark_mask, c.zone) == (80, 0x42, 0xFF, 0)
    assert (c.status, c.status_mask) == (lib.CTNL_STATUS_ASSURED,
                                         lib.CTNL_STATUS_ASSURED)
    assert c.match == (lib.CTNL_MATCH_PROTO | lib.CTNL_MATCH_ORIG_SRC
                       | lib.CTNL_MATCH_ORIG_DST | lib.CTNL_MATCH_ORIG_DPORT
                       | lib.CTNL_MATCH_MARK | lib.CTNL_MATCH_ZONE
                       | lib.CTNL_MATCH_TCP_STATE | lib.CTNL_MATCH_LABELS
                       | lib.CTNL_MATCH_STATUS)
    assert ctnl.Filter()._c.match == 0
    assert ctnl.Filter(family="ipv6")._c.family == socket.AF_INET6
    assert ctnl.Filter(mark=5)._c.mark_mask == 0xFFFFFFFF
    assert ctnl.Filter(userspace=True)._c.flags == lib.CTNL_FILTER_USERSPACE


def test_filter_match_is_libctnls():
    flow = ctnl.Flow(src="10.2.3.4", dst="10.1.0.1", proto="tcp", sport=9,
                     dport=80, mark=0x142)
    assert ctnl.Filter(src="10.0.0.0/8", mark=0x42, mark_mask=0xFF)(flow)
    assert not ctnl.Filter(src="10.3.0.0/16").match(flow)
    assert not ctnl.Filter(family="ipv6").match(flow)
    assert ctnl.Filter(proto="tcp", dport=80).match(flow)


@pytest.mark.parametrize("kwargs, message", [
    (dict(src="10.0.0.1/8"), "host bits set"),
    (dict(src="0.0.0.0/0"), "/0 prefix"),
    (dict(src="10.0.0.0/8", dst="fd00::/8"), "not of the filter's family"),
    (dict(family="ipv6", src="10.0.0.1"), "not of the filter's family"),
    (dict(dport=80), "needs a proto that has ports"),
    (dict(proto="icmp", dport=80), "needs a proto that has ports"),
    (dict(mark=0x100, mark_mask=0xFF), "bits outside mark_mask"),
    (dict(mark_mask=0xFF), "mark_mask needs mark"),
    (dict(family="ipx"), "unknown family"),
    (dict(family=3), "unknown family"),
    (dict(tcp_state=10), "tcp_state 10 is out of range"),
])
def test_bad_filters_raise_valueerror(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ctnl.Filter(**kwargs)


def test_unknown_filter_criteria_are_refused():
    with pytest.raises(ctnl.ArgumentTypeError, match="sorce"):
        ctnl.Filter(sorce="10.0.0.1")


def test_change_fields():
    c = ctnl.Change(mark=1, timeout=2, status=ctnl.Status.ASSURED,
                    labels=0b10, labels_mask=0b11)._c
    assert (c.mark, c.timeout, c.status) == (1, 2, lib.CTNL_STATUS_ASSURED)
    assert list(c.labels.words) == [2, 0, 0, 0]
    assert list(c.labels_mask.words) == [3, 0, 0, 0]
    # labels alone replace all 128; a mask alone clears under it.
    assert list(ctnl.Change(labels=1)._c.labels_mask.words) == [0xFFFFFFFF] * 4
    clear = ctnl.Change(labels_mask=1 << 100)._c
    assert list(clear.labels.words) == [0, 0, 0, 0]
    assert list(clear.labels_mask.words) == [0, 0, 0, 1 << 4]
    with pytest.raises(ValueError, match="nothing to change"):
        ctnl.Change()
    with pytest.raises(ValueError, match="outside labels_mask"):
        ctnl.Change(labels=0b100, labels_mask=0b11)
