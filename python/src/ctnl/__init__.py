# SPDX-License-Identifier: LGPL-2.1-or-later
"""ctnl: the Linux conntrack table from Python, on libctnl.

Open a handle on a network namespace's table and read or change it::

    import ctnl

    with ctnl.open() as ct:                       # or ctnl.open(netns="blue")
        for flow in ct.dump(proto="tcp", dport=443):   # constant memory
            print(flow.src, flow.sport, flow.mark)
        flows = ct.list(family="ipv4")            # all at once
        ct.update(flows[0], mark=42)
        ct.delete_matching(mark=42)
        ct.update_matching(ctnl.Filter(dst="10.0.0.0/8"), mark=7)

Follow it as it changes::

    with ctnl.subscribe(ctnl.EventType.NEW | ctnl.EventType.DESTROY) as ev:
        for event in ev:                          # or select on ev.fileno()
            if event.is_loss:                     # never silent
                ...

Test code that uses it without root or a kernel:
:class:`ctnl.testing.FakeConntrack` is a handle over an in-memory table.

Errors are :class:`ctnl.Error` (an OSError: ``FileNotFoundError`` for no
such entry, ``PermissionError`` without CAP_NET_ADMIN) with the kernel's
explanation; bad arguments raise ValueError before anything is sent.
"""

from __future__ import annotations

from ._addrset import AddressSet
from ._constants import EventType, Op, Proto, Status, Table, TcpState
from ._errors import (ArgumentTypeError, BatchError, BusyError, Error,
                      EventLossWarning, ExistsError, InvalidArgumentError,
                      NotFoundError, PermissionDeniedError)
from ._events import Event, EventInfo, Events, subscribe
from ._flow import Counters, Expect, Filter, Flow, Tuple, label_bits
from ._handle import (BatchFailure, BatchResult, Change, Conntrack, CpuStats,
                      DeleteStats, Dump, DumpInfo, Stats, open)
from ._native import ffi as _ffi, lib as _lib

__version__ = "0.2.0"

LABELS_ALL: int = (1 << 128) - 1
"""Every one of the 128 labels: the mask that replaces them all."""


def library_version() -> str:
    """The version of the libctnl this module runs on."""
    return _ffi.string(_lib.ctnl_version()).decode()


__all__ = [
    "AddressSet", "ArgumentTypeError", "BatchError", "BatchFailure",
    "BatchResult", "BusyError", "Change", "Conntrack", "Counters", "CpuStats",
    "DeleteStats", "Dump", "DumpInfo", "Error", "Event", "EventInfo",
    "EventLossWarning", "Events", "EventType", "ExistsError", "Expect",
    "Filter", "Flow", "InvalidArgumentError", "label_bits", "LABELS_ALL",
    "library_version", "NotFoundError", "Op", "open", "PermissionDeniedError",
    "Proto", "Stats", "Status", "subscribe", "Table", "TcpState", "Tuple",
]
