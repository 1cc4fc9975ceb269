# SPDX-License-Identifier: LGPL-2.1-or-later
"""Enumerations of libctnl's constants, with values from its headers."""

from __future__ import annotations

import enum
import socket

from ._native import lib

__all__ = [
    "EventType",
    "Op",
    "Proto",
    "Status",
    "Table",
    "TcpState",
]


class Table(enum.IntEnum):
    """The two tables of a network namespace."""
    CONNTRACK = lib.CTNL_TABLE_CONNTRACK
    EXPECT = lib.CTNL_TABLE_EXPECT


class Op(enum.IntEnum):
    """What a batch does to each of its flows."""
    CREATE = lib.CTNL_OP_CREATE
    UPDATE = lib.CTNL_OP_UPDATE
    DELETE = lib.CTNL_OP_DELETE


class Proto(enum.IntEnum):
    """IP protocol numbers of the protocols conntrack knows by name."""
    ICMP = socket.IPPROTO_ICMP
    TCP = socket.IPPROTO_TCP
    UDP = socket.IPPROTO_UDP
    DCCP = 33
    GRE = 47
    ICMPV6 = socket.IPPROTO_ICMPV6
    SCTP = 132
    UDPLITE = 136


class Status(enum.IntFlag):
    """Status bits of an entry (the kernel's IPS_*)."""
    EXPECTED = lib.CTNL_STATUS_EXPECTED
    SEEN_REPLY = lib.CTNL_STATUS_SEEN_REPLY
    ASSURED = lib.CTNL_STATUS_ASSURED
    CONFIRMED = lib.CTNL_STATUS_CONFIRMED
    SRC_NAT = lib.CTNL_STATUS_SRC_NAT
    DST_NAT = lib.CTNL_STATUS_DST_NAT
    SEQ_ADJUST = lib.CTNL_STATUS_SEQ_ADJUST
    SRC_NAT_DONE = lib.CTNL_STATUS_SRC_NAT_DONE
    DST_NAT_DONE = lib.CTNL_STATUS_DST_NAT_DONE
    DYING = lib.CTNL_STATUS_DYING
    FIXED_TIMEOUT = lib.CTNL_STATUS_FIXED_TIMEOUT
    TEMPLATE = lib.CTNL_STATUS_TEMPLATE
    UNTRACKED = lib.CTNL_STATUS_UNTRACKED
    HELPER = lib.CTNL_STATUS_HELPER
    OFFLOAD = lib.CTNL_STATUS_OFFLOAD
    HW_OFFLOAD = lib.CTNL_STATUS_HW_OFFLOAD


class TcpState(enum.IntEnum):
    """TCP connection-tracking states (the kernel's TCP_CONNTRACK_*)."""
    NONE = lib.CTNL_TCP_NONE
    SYN_SENT = lib.CTNL_TCP_SYN_SENT
    SYN_RECV = lib.CTNL_TCP_SYN_RECV
    ESTABLISHED = lib.CTNL_TCP_ESTABLISHED
    FIN_WAIT = lib.CTNL_TCP_FIN_WAIT
    CLOSE_WAIT = lib.CTNL_TCP_CLOSE_WAIT
    LAST_ACK = lib.CTNL_TCP_LAST_ACK
    TIME_WAIT = lib.CTNL_TCP_TIME_WAIT
    CLOSE = lib.CTNL_TCP_CLOSE
    SYN_SENT2 = lib.CTNL_TCP_SYN_SENT2


class EventType(enum.IntFlag):
    """Kinds of event. The first five are what the kernel announces and
    what :meth:`ctnl.Conntrack.subscribe` takes; OVERFLOW (events were
    lost) and the SYNC kinds (a re-dump, :meth:`ctnl.Events.resync`) are
    libctnl's own reports."""
    NEW = lib.CTNL_EVENT_NEW
    UPDATE = lib.CTNL_EVENT_UPDATE
    DESTROY = lib.CTNL_EVENT_DESTROY
    EXP_NEW = lib.CTNL_EVENT_EXP_NEW
    EXP_DESTROY = lib.CTNL_EVENT_EXP_DESTROY
    OVERFLOW = lib.CTNL_EVENT_OVERFLOW
    SYNC_BEGIN = lib.CTNL_EVENT_SYNC_BEGIN
    SYNC = lib.CTNL_EVENT_SYNC
    EXP_SYNC = lib.CTNL_EVENT_EXP_SYNC
    SYNC_END = lib.CTNL_EVENT_SYNC_END
    CT_ALL = lib.CTNL_EVENT_CT_ALL
    EXP_ALL = lib.CTNL_EVENT_EXP_ALL
    ALL = lib.CTNL_EVENT_ALL
