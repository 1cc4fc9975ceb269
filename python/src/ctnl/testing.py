# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fakes for unit tests: the conntrack table without root or a kernel.

:class:`FakeConntrack` is a :class:`ctnl.Conntrack` handle over libctnl's
in-memory table (libctnl-mocks), which answers as the kernel does: the same
argument checks, the kernel's rules for creating, updating and deleting
entries, labels and zones, ids, filters, errors. Seed it, hand it to the
code under test wherever that takes a handle, then look at the table::

    from ctnl.testing import FakeConntrack

    def test_agent_marks_dns():
        fake = FakeConntrack()
        fake.add(ctnl.Flow(src="10.0.0.1", dst="10.0.0.53", proto="udp",
                           sport=5000, dport=53, timeout=30))
        agent.mark_dns(fake)                      # the code under test
        assert [f.mark for f in fake.flows()] == [53]

Code that calls :func:`ctnl.open` itself can be given the fake with
pytest's ``monkeypatch.setattr(ctnl, "open", fake.open)``.

What the fake does not do: time does not pass (timeouts are kept, never
counted down), and it carries no traffic. See ``<ctnl/mocks.h>`` for every
rule it follows.
"""

from __future__ import annotations

import errno as _errno
from typing import Any, Dict, Iterable, List, Optional, Union

from ._errors import ArgumentTypeError, error_for
from ._flow import Expect, Flow, as_key, check_int, copy_expect, copy_flow
from ._handle import Conntrack
from ._native import ffi, lib

__all__ = ["FakeConntrack", "SLOTS"]

SLOTS: Dict[str, int] = {
    "dump": lib.CTNL_FAKE_CT_DUMP,
    "get": lib.CTNL_FAKE_CT_GET,
    "create": lib.CTNL_FAKE_CT_CREATE,
    "update": lib.CTNL_FAKE_CT_UPDATE,
    "delete": lib.CTNL_FAKE_CT_DEL,
    "batch": lib.CTNL_FAKE_CT_BATCH,
    "flush": lib.CTNL_FAKE_CT_FLUSH,
    "update_matching": lib.CTNL_FAKE_CT_UPDATE_MATCHING,
    "delete_matching": lib.CTNL_FAKE_CT_DELETE_MATCHING,
    "stats": lib.CTNL_FAKE_CT_STATS,
    "stats_cpu": lib.CTNL_FAKE_CT_STATS_CPU,
    "dump_expect": lib.CTNL_FAKE_CT_DUMP_EXPECT,
    "get_expect": lib.CTNL_FAKE_CT_GET_EXPECT,
    "create_expect": lib.CTNL_FAKE_CT_CREATE_EXPECT,
    "delete_expect": lib.CTNL_FAKE_CT_DEL_EXPECT,
    "delete_if": lib.CTNL_FAKE_CT_DELETE_IF,
}
"""The fake's operations by name, for :meth:`FakeConntrack.fail` and
:meth:`FakeConntrack.calls`. Python operations map onto them: list() and
dump() are "dump", update_matching() is "update_matching", and so on."""


def _slot(name: str) -> int:
    if not isinstance(name, str):
        raise ArgumentTypeError("slot must be a name, such as 'delete'")
    try:
        return SLOTS[name]
    except KeyError:
        raise ValueError(f"unknown slot {name!r}: one of "
                         f"{', '.join(SLOTS)}") from None


class FakeConntrack(Conntrack):
    """A handle over an in-memory conntrack table (libctnl-mocks' fake),
    usable wherever a :class:`ctnl.Conntrack` is.

    ``flows`` seeds it (as :meth:`add` does). ``labels_enabled=False`` is a
    namespace whose ruleset uses no labels (changing labels then fails with
    ENOSPC, as the kernel does); ``max_entries`` is nf_conntrack_max (0: no
    limit). The table outlives ``close()``: inspect it afterwards with
    :meth:`flows` and :attr:`count`.
    """

    def __init__(self, flows: Iterable[Flow] = (), *,
                 labels_enabled: bool = True,
                 max_entries: Optional[int] = None) -> None:
        self._setup(None)
        out = ffi.new("struct ctnl_fake_ct **")
        rc = lib.ctnl_fake_ct_new(out)
        if rc < 0:
            raise error_for(-rc, "FakeConntrack")
        self._fake = ffi.gc(out[0], lib.ctnl_fake_ct_free)
        self.opened: List[Any] = []
        """The netns argument of each :meth:`open` call, in order."""
        self.labels_enabled = labels_enabled
        self._max = int(lib.CTNL_FAKE_CT_MAX)
        if max_entries is not None:
            self.max_entries = max_entries
        self._ct = lib.ctnl_fake_ct_ct(self._fake)
        for f in flows:
            self.add(f)

    # ---- as a handle ----

    def open(self, netns: Any = None, **options: Any) -> "FakeConntrack":
        """Stands in for :func:`ctnl.open`: (re)opens this handle on the
        same table and returns it; ``netns`` is recorded in
        :attr:`opened`. With ``monkeypatch.setattr(ctnl, "open",
        fake.open)`` code that opens its own handles gets the fake."""
        self.opened.append(netns)
        if self._ct is None:
            self._ct = lib.ctnl_fake_ct_ct(self._fake)
        return self

    def _close_ct(self, ct) -> None:
        # The fake records the close; its table lives on.
        lib.ctnl_ct_close(ct)

    @property
    def was_closed(self) -> bool:
        """Whether the handle was closed (by the code under test, say)
        since it was last opened."""
        return bool(lib.ctnl_fake_ct_closed(self._fake))

    # ---- seeding and inspecting ----

    def add(self, flow: Optional[Flow] = None, **fields: Any) -> Flow:
        """Puts an entry into the table as given, bypassing the kernel's
        rules for creating one (the limit, status bits, the labels
        setting): a fixture for what the kernel holds. Gives it an id
        (unless the flow has one) and the inverse reply tuple (unless it
        has one). Returns the entry as the table holds it. Raises
        :class:`ctnl.ExistsError` if a tuple or the id is taken."""
        f = as_key(flow, fields, "flow")
        rc = lib.ctnl_fake_ct_add(self._fake, f._c)
        if rc < 0:
            raise error_for(-rc, "FakeConntrack.add")
        n = ffi.new("size_t *")
        arr = lib.ctnl_fake_ct_flows(self._fake, n)
        return copy_flow(arr[n[0] - 1])

    def flows(self) -> List[Flow]:
        """The entries, oldest first, as the table holds them (copies)."""
        n = ffi.new("size_t *")
        arr = lib.ctnl_fake_ct_flows(self._fake, n)
        return [copy_flow(arr[i]) for i in range(n[0])]

    def expectations(self) -> List[Expect]:
        """The expectations, oldest first (copies)."""
        n = ffi.new("size_t *")
        arr = lib.ctnl_fake_ct_expects(self._fake, n)
        return [copy_expect(arr[i]) for i in range(n[0])]

    # ---- the kernel's settings ----

    @property
    def labels_enabled(self) -> bool:
        """Whether the namespace keeps labels. Entries created while it is
        off have no room for labels and never gain it."""
        return self._labels_enabled

    @labels_enabled.setter
    def labels_enabled(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise ArgumentTypeError("labels_enabled must be a bool")
        lib.ctnl_fake_ct_set_labels_enabled(self._fake, value)
        self._labels_enabled = value

    @property
    def max_entries(self) -> int:
        """The table's limit (nf_conntrack_max; 0: none): creating an
        entry in a full table fails with ENOMEM."""
        return self._max

    @max_entries.setter
    def max_entries(self, value: int) -> None:
        self._max = check_int("max_entries", value, 0xFFFFFFFF)
        lib.ctnl_fake_ct_set_max(self._fake, self._max)

    # ---- failures ----

    def fail(self, slot: str, err: Union[int, str] = _errno.EIO, *,
             nth: Optional[int] = None) -> None:
        """Makes the ``nth`` call of ``slot`` (one of :data:`SLOTS`;
        counted from the fake's creation; default: the next one) fail with
        ``err`` (an errno number or name, such as "EPERM") without touching
        the table."""
        s = _slot(slot)
        if isinstance(err, str):
            try:
                err = getattr(_errno, err)
            except AttributeError:
                raise ValueError(f"unknown errno name {err!r}") from None
        e = check_int("err", err, 4095, 1)
        when = (self.calls(slot) + 1 if nth is None
                else check_int("nth", nth, 0xFFFFFFFF, 1))
        lib.ctnl_fake_ct_fail(self._fake, s, when, -e)

    def calls(self, slot: str) -> int:
        """How many times ``slot`` was called."""
        return int(lib.ctnl_fake_ct_calls(self._fake, _slot(slot)))

    def __repr__(self) -> str:
        state = "closed" if self._ct is None else "open"
        n = int(lib.ctnl_fake_ct_count(self._fake))
        return f"<FakeConntrack {state}, {n} entries>"
