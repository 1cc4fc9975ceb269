# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conntrack handle: ctnl.open() and the operations on a table."""

from __future__ import annotations

import dataclasses
import errno
import os
import threading
import weakref
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator,
                    List, NamedTuple,
                    Optional, Sequence, Union)

from ._constants import EventType, Op, Table
from ._errors import (ArgumentTypeError, BatchError, BusyError, Error,
                      error_for)
from ._flow import (LABELS_MAX, Expect, Filter, Flow, FamilyLike, ProtoLike,
                    Address, as_key, check_address, check_family, check_int,
                    check_labels, check_proto, copy_expect, labels_to_c)
from ._native import ffi, lib

__all__ = [
    "BatchFailure",
    "BatchResult",
    "Change",
    "Conntrack",
    "CpuStats",
    "DeleteStats",
    "Dump",
    "DumpInfo",
    "Stats",
    "open",
]

if TYPE_CHECKING:
    from ._addrset import AddressSet
    from ._events import Events

_U32 = 0xFFFFFFFF
_NULL = ffi.NULL
_new = ffi.new

# Entries per batch of a dump: big enough that switching to the walk and
# back costs nothing per entry, small enough to stay in cache.
_DUMP_BATCH = 128

TableLike = Union[Table, int, str]


class DumpInfo(NamedTuple):
    """What a filtered read did (struct ctnl_dump_info)."""
    kernel: int          # CTNL_MATCH_* bits the kernel applied
    user: int            # CTNL_MATCH_* bits applied in user space
    received: int        # entries the kernel sent
    matched: int         # entries that passed the filter
    duplicates: int      # entries dropped as seen before
    interrupted: bool    # the kernel flagged the dump inconsistent
    kernel_flush: bool   # delete_matching(): one filtered flush did it


def _dump_info(c) -> DumpInfo:
    return DumpInfo(c.kernel, c.user, c.received, c.matched, c.duplicates,
                    bool(c.interrupted), bool(c.kernel_flush))


@dataclasses.dataclass(frozen=True)
class DeleteStats:
    """What :meth:`Conntrack.delete_if` did, exactly (on an error, the
    exception's ``stats``)."""
    seen: int           # entries the dump handed over
    matched: int        # of those, chosen by the filter and the predicate
    deleted: int        # deletes the kernel acknowledged
    gone: int           # chosen but gone before the delete came
    failed: int         # chosen and refused for another reason
    retries: int        # dump restarts
    interrupted: bool   # the kernel flagged the dump inconsistent


def _delete_stats(c) -> DeleteStats:
    return DeleteStats(c.seen, c.matched, c.deleted, c.gone, c.failed,
                       c.retries, bool(c.interrupted))


class _Predicate:
    """A predicate on its way through C, and what it raised."""
    __slots__ = ("fn", "error")

    def __init__(self, fn: Optional[Callable[[Flow], Any]]) -> None:
        self.fn = fn
        self.error: Optional[BaseException] = None


@ffi.def_extern()
def pyctnl_predicate(flow, data) -> int:
    """libctnl's ctnl_flow_pred, calling a Python predicate: 1 deletes the
    entry, 0 leaves it; an exception stops the pass (-ECANCELED) and is
    raised again once libctnl has returned."""
    state = ffi.from_handle(data)
    try:
        return 1 if state.fn(_copy_flow(flow[0])) else 0
    except BaseException as e:  # noqa: B902 - handed back to the caller
        state.error = e
        return -errno.ECANCELED


@dataclasses.dataclass(frozen=True)
class Stats:
    """A table's size: entries now, and the table's limit (0 if unknown)."""
    count: int
    max: int


class CpuStats(NamedTuple):
    """One CPU's counters of both tables (``conntrack -S``)."""
    cpu: int
    found: int
    invalid: int
    insert: int
    insert_failed: int
    drop: int
    early_drop: int
    error: int
    search_restart: int
    clash_resolve: int
    chaintoolong: int
    exp_new: int
    exp_create: int
    exp_delete: int


def _table(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(Table[value.upper()])
        except KeyError:
            raise ValueError(f"unknown table {value!r}: 'conntrack' or "
                             "'expect'") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"table must be a ctnl.Table or a name, not "
                                f"{type(value).__name__}")
    try:
        return int(Table(value))
    except ValueError:
        raise ValueError(f"unknown table {value}") from None


def _op(value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(Op[value.upper()])
        except KeyError:
            raise ValueError(f"unknown operation {value!r}: 'create', "
                             "'update' or 'delete'") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(f"op must be a ctnl.Op or a name, not "
                                f"{type(value).__name__}")
    try:
        return int(Op(value))
    except ValueError:
        raise ValueError(f"unknown operation {value}") from None


class Change:
    """What an update sets. Give at least one of:

    ``mark``            the new mark
    ``timeout``         seconds the entry has left
    ``status``          status bits to set (bits can be set, not cleared)
    ``labels``, ``labels_mask``
                        labels under the mask take their value from
                        ``labels``, the others stay; without a mask,
                        ``labels`` replaces all 128; a mask alone clears
                        the labels under it.
    """

    __slots__ = ("_c",)

    def __init__(self, *, mark: Optional[int] = None,
                 timeout: Optional[int] = None, status: Optional[int] = None,
                 labels: Optional[int] = None,
                 labels_mask: Optional[int] = None) -> None:
        c = _new("struct ctnl_change *")
        attrs = 0
        if mark is not None:
            c.mark = check_int("mark", mark, _U32)
            attrs |= lib.CTNL_ATTR_MARK
        if timeout is not None:
            c.timeout = check_int("timeout", timeout, _U32)
            attrs |= lib.CTNL_ATTR_TIMEOUT
        if status is not None:
            c.status = check_int("status", status, _U32)
            attrs |= lib.CTNL_ATTR_STATUS
        if labels is not None or labels_mask is not None:
            value = check_labels("labels", labels or 0)
            mask = (LABELS_MAX if labels_mask is None
                    else check_labels("labels_mask", labels_mask))
            if value & ~mask:
                raise ValueError(f"labels {value:#x} has bits outside "
                                 f"labels_mask {mask:#x}")
            labels_to_c(c.labels, value)
            labels_to_c(c.labels_mask, mask)
            attrs |= lib.CTNL_ATTR_LABELS
        if not attrs:
            raise ValueError("nothing to change: give mark, timeout, status "
                             "or labels")
        c.attrs = attrs
        self._c = c

    @classmethod
    def of(cls, value: Any) -> "Change":
        if isinstance(value, Change):
            return value
        if isinstance(value, dict):
            return cls(**value)
        raise ArgumentTypeError(f"a change must be a ctnl.Change or a dict, "
                                f"not {type(value).__name__}")


@dataclasses.dataclass(frozen=True)
class BatchFailure:
    """One item of a batch the kernel refused."""
    index: int
    flow: Flow
    error: Error


class BatchResult(Sequence[Optional[Error]]):
    """The outcome of a batch, per item: ``result[i]`` is None when item i
    was applied, or the :class:`ctnl.Error` it failed with.

    ``applied`` counts the items applied; ``failures`` lists the others
    (index, flow, error); ``check()`` raises the first failure, if any.
    """

    def __init__(self, flows: List[Flow], errors: List[Optional[Error]],
                 applied: int) -> None:
        self._flows = flows
        self._errors = errors
        self.applied = applied

    def __len__(self) -> int:
        return len(self._errors)

    def __getitem__(self, i):  # type: ignore[override]
        return self._errors[i]

    @property
    def failures(self) -> List[BatchFailure]:
        """The items refused: (index, flow, error) each."""
        return [BatchFailure(i, self._flows[i], e)
                for i, e in enumerate(self._errors) if e is not None]

    @property
    def ok(self) -> bool:
        """Whether every item was applied."""
        return self.applied == len(self._errors)

    def check(self) -> "BatchResult":
        """Raises the first item's error if any item failed; else returns
        the result."""
        for e in self._errors:
            if e is not None:
                raise e
        return self

    def __repr__(self) -> str:
        fails = self.failures
        text = f"BatchResult({self.applied} applied, {len(fails)} failed"
        if fails:
            names = errno.errorcode
            shown = ", ".join(
                f"#{f.index} {names.get(f.error.errno, f.error.errno)}"
                for f in fails[:5])
            text += f": {shown}" + (", ..." if len(fails) > 5 else "")
        return text + ")"


class Dump:
    """An iterator over a dump: entries come from the kernel a datagram at
    a time, in constant memory, however big the table.

    While it is being iterated the handle is busy (its socket is in the
    middle of the dump): other operations on it raise :class:`BusyError`.
    It is released when the dump ends, when ``close()`` is called, or when
    the iterator is dropped; ``with handle.dump() as d:`` makes that
    explicit. ``info`` (a :class:`DumpInfo`) says what the dump did, once
    it has ended. Errors part-way raise from the iteration, after the
    entries read before them.
    """

    __slots__ = ("_handle", "_req", "_cursor", "_batch", "_i", "_n",
                 "_copy", "info", "__weakref__")

    def __init__(self, handle: "Conntrack", kind: int,
                 filt: Optional[Filter] = None, family: int = 0,
                 req: Optional["Conntrack"] = None, *,
                 copy: Callable[[Any], Any]) -> None:
        ct = handle._use("dump")
        req_ct = req._use("resync") if req is not None else _NULL
        cp = _new("struct pyctnl_cursor **")
        rc = lib.pyctnl_cursor_new(ct, kind, filt._c if filt else _NULL,
                                   family, req_ct, handle._walk_stack(), cp)
        if rc < 0:
            raise error_for(-rc, "dump")
        self._handle = handle
        self._req = req
        self._cursor = ffi.gc(cp[0], lib.pyctnl_cursor_free)
        self._batch = _new(_BATCH_TYPES[kind], _DUMP_BATCH)
        self._i = self._n = 0
        self._copy = copy
        self.info: Optional[DumpInfo] = None
        # Both handles are in the middle of the walk until it ends.
        handle._walk = weakref.ref(self)
        if req is not None:
            req._walk = handle._walk

    def __iter__(self) -> "Dump":
        return self

    def __next__(self):
        i = self._i
        if i >= self._n:
            self._fill()
            i = 0
        self._i = i + 1
        return self._copy(self._batch[i])

    def _fill(self) -> None:
        cursor = self._cursor
        if cursor is None:
            raise StopIteration
        handle = self._handle
        if not handle._guard.acquire(False):
            raise BusyError(errno.EBUSY, "dump", "the handle is in use by "
                            "another thread")
        try:
            n = lib.pyctnl_cursor_next(cursor, self._batch, _DUMP_BATCH)
            message = handle._message() if n < 0 else None
        finally:
            handle._guard.release()
        if n > 0:
            self._n = n
            return
        if n == 0:
            self.info = _dump_info(lib.pyctnl_cursor_info(cursor))
            self._release()
            raise StopIteration
        self._release()
        raise error_for(-n, "dump", message)

    def _release(self) -> None:
        cursor, self._cursor = self._cursor, None
        self._i = self._n = 0
        for handle in (self._handle, self._req):
            if handle is not None and handle._walk is not None \
                    and handle._walk() is self:
                handle._walk = None
        if cursor is not None:
            # Stops the walk if under way, through the handle (still open:
            # Conntrack.close() ends its walk first).
            with self._handle._guard:
                ffi.release(cursor)

    def close(self) -> None:
        """Ends the dump now (the rest is read and dropped by libctnl, so
        the handle stays usable) and frees the handle for other calls."""
        if self._cursor is not None:
            self._release()

    def __enter__(self) -> "Dump":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_cursor", None) is not None:
            self._release()


_BATCH_TYPES = {
    lib.PYCTNL_WALK_FLOWS: "struct ctnl_flow[]",
    lib.PYCTNL_WALK_EXPECTS: "struct ctnl_expect[]",
    lib.PYCTNL_WALK_RESYNC: "struct ctnl_event[]",
}


def _copy_flow(c) -> Flow:
    f = _flow_new(Flow)
    f._c = _new("struct ctnl_flow *", c)
    f._o = None
    return f


_flow_new = Flow.__new__


def _netns_config(cfg, netns: Any, keep: list) -> None:
    if netns is None:
        return
    if isinstance(netns, bool):
        raise ArgumentTypeError("netns must be a name, a path or a "
                                "descriptor, not bool")
    if isinstance(netns, int):
        cfg.flags |= lib.CTNL_SOCK_NETNS_FD
        cfg.netns_fd = check_int("netns", netns, 0x7FFFFFFF)
        return
    if isinstance(netns, os.PathLike):
        netns = os.fspath(netns)
    if not isinstance(netns, str):
        raise ArgumentTypeError(f"netns must be a name, a path or a "
                                f"descriptor, not {type(netns).__name__}")
    if not netns or "\0" in netns or netns in (".", ".."):
        raise ValueError(f"netns {netns!r} is not a namespace name or path")
    keep.append(ffi.new("char[]", netns.encode()))
    if "/" in netns:
        cfg.netns_path = keep[-1]
    else:
        cfg.netns_name = keep[-1]


class _Calling:
    """One operation's hold on a handle: its C pointer, kept from other
    threads for the length of the call (a handle, like a socket, is for
    one thread at a time; a second one gets BusyError, not a crash)."""

    __slots__ = ("handle", "op")

    def __init__(self, handle: "Conntrack", op: str) -> None:
        self.handle = handle
        self.op = op

    def __enter__(self):
        h = self.handle
        ct = h._use(self.op)
        if not h._guard.acquire(False):
            raise BusyError(errno.EBUSY, self.op,
                            "the handle is in use by another thread: a "
                            "handle is for one thread at a time")
        return ct

    def __exit__(self, *exc: object) -> None:
        self.handle._guard.release()


class Conntrack:
    """A handle on one network namespace's conntrack table, over one
    netlink socket reused by every call. Made by :func:`ctnl.open`; a
    :class:`ctnl.testing.FakeConntrack` is one over an in-memory table.

    Use it as a context manager, or call ``close()``. A handle is for one
    thread at a time (as a socket is); open one per thread.

    Every operation raises a :class:`ctnl.Error` (an OSError) when libctnl
    or the kernel refuses, with the kernel's explanation; bad arguments
    raise ValueError before anything is sent.
    """

    _ct: Any
    _walk: Optional["weakref.ref[Dump]"]
    # The operation running Python code of the caller's (a predicate), or
    # None: the handle cannot be used meanwhile.
    _in_call: Optional[str] = None

    def __init__(self,
                 netns: Union[str, int, "os.PathLike[str]", None] = None, *,
                 rcvbuf: int = 0, sndbuf: int = 0, bufsize: int = 0) -> None:
        self._setup(netns)
        cfg = _new("struct ctnl_sock_config *")
        cfg.size = ffi.sizeof("struct ctnl_sock_config")
        keep: list = []
        _netns_config(cfg, netns, keep)
        cfg.rcvbuf = check_int("rcvbuf", rcvbuf, 0x7FFFFFFF)
        cfg.sndbuf = check_int("sndbuf", sndbuf, 0x7FFFFFFF)
        cfg.bufsize = check_int("bufsize", bufsize, 1 << 30)
        out = _new("struct ctnl_ct **")
        rc = lib.ctnl_ct_open(_NULL, cfg, out)
        if rc < 0:
            raise error_for(-rc, "open" if netns is None else
                            f"open (netns {netns!r})")
        self._ct = out[0]

    def _setup(self, netns: Any) -> None:
        """The state every kind of handle starts from, before its C
        handle exists."""
        self._ct = None
        self._walk = None
        self._netns = netns
        self._guard = threading.Lock()

    def _calling(self, op: str) -> _Calling:
        """``with self._calling(op) as ct:`` around every use of the C
        handle."""
        return _Calling(self, op)

    # ---- lifetime ----

    def close(self) -> None:
        """Closes the handle (and ends a dump still being iterated).
        Closing twice is harmless."""
        ct = self._ct
        if ct is None:
            return
        walk = self._walk() if self._walk is not None else None
        if walk is not None:
            walk.close()
        if not self._guard.acquire(False):
            raise BusyError(errno.EBUSY, "close", "the handle is in use by "
                            "another thread")
        try:
            self._ct = None
            self._close_ct(ct)
        finally:
            self._guard.release()

    def _close_ct(self, ct) -> None:
        lib.ctnl_ct_close(ct)

    def _walk_stack(self):
        """The stack this handle's walks (dump(), ...) run on: made once,
        as faulting in a fresh one costs more than a small dump."""
        stack = self.__dict__.get("_stack")
        if stack is None:
            out = _new("struct pyctnl_stack **")
            rc = lib.pyctnl_stack_new(out)
            if rc < 0:
                raise error_for(-rc, "dump")
            stack = self._stack = ffi.gc(out[0], lib.pyctnl_stack_free)
        return stack

    @property
    def closed(self) -> bool:
        """Whether the handle was closed."""
        return self._ct is None

    def __enter__(self) -> "Conntrack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_ct", None) is not None:
            self.close()

    def _use(self, op: str):
        """The C handle, for operation ``op``; raises if it cannot be used."""
        ct = self._ct
        if ct is None:
            raise ValueError(f"{op}: the ctnl handle is closed")
        if self._walk is not None and self._walk() is not None:
            raise BusyError(errno.EBUSY, op,
                            "a dump() of this handle is still being "
                            "iterated: finish or close() it first, or use "
                            "list() or another handle")
        if self._in_call is not None:
            raise BusyError(errno.EBUSY, op,
                            f"called from inside {self._in_call}() on the "
                            "same handle, whose socket is mid-request: use "
                            "another handle")
        return ct

    def _message(self) -> Optional[str]:
        ct = self._ct
        if ct is None:
            return None
        msg = lib.ctnl_ct_error_msg(ct)
        return ffi.string(msg).decode(errors="replace") if msg else None

    def _check(self, rc: int, op: str) -> int:
        if rc < 0:
            raise error_for(-rc, op, self._message())
        return rc

    # ---- reading ----

    def dump(self, filter: Union[Filter, Dict[str, Any], None] = None,
             **criteria: Any) -> Dump:
        """Iterates over the entries that pass ``filter`` (a
        :class:`ctnl.Filter`, a dict, or its criteria as keywords; none:
        every entry of both families), in constant memory. See
        :class:`Dump` for how long the handle stays busy."""
        filt = Filter.of(filter, criteria)
        return Dump(self, lib.PYCTNL_WALK_FLOWS, filt, copy=_copy_flow)

    def __iter__(self) -> Iterator[Flow]:
        """Iterating over a handle dumps the whole table: ``for flow in
        handle``."""
        return self.dump()

    def list(self, filter: Union[Filter, Dict[str, Any], None] = None, *,
             dedup: bool = False, **criteria: Any) -> List[Flow]:
        """Reads the entries that pass ``filter`` (as for :meth:`dump`;
        ``family="ipv4"`` for one family, as the Go package's list) into a
        list, in one growing C array and one small Python object per
        entry. ``dedup=True`` drops entries the kernel sent twice (it can
        under churn)."""
        filt = Filter.of(filter, criteria)
        out = _new("struct ctnl_list *")
        with self._calling("list") as ct:
            self._check(lib.ctnl_ct_list_filtered(
                ct, filt._c if filt else _NULL,
                lib.CTNL_LIST_DEDUP if dedup else 0, out), "list")
        owner = ffi.gc(out, lib.ctnl_list_free)
        return _views(owner.flows, owner.count, owner)

    def get(self, key: Union[Flow, Any, None] = None, **fields: Any) -> Flow:
        """Reads the one entry ``key`` names (a Flow or Tuple, or Flow's
        keywords: ``get(src=..., dst=..., proto="tcp", sport=.., dport=..)``).
        Raises :class:`ctnl.NotFoundError` (a FileNotFoundError) when there
        is none."""
        k = as_key(key, fields)
        out = _new("struct ctnl_flow *")
        with self._calling("get") as ct:
            self._check(lib.ctnl_ct_get(ct, k._c, out), "get")
        return Flow._view(out, None)

    def count(self) -> int:
        """The number of entries in the table (``conntrack -C``)."""
        return self.stats().count

    # ---- changing ----

    def create(self, flow: Optional[Flow] = None, **fields: Any) -> None:
        """Creates an entry from a Flow (or Flow's keywords). Needs the
        original tuple and a timeout; the reply tuple defaults to the
        inverse. Raises :class:`ctnl.ExistsError` if it exists."""
        f = as_key(flow, fields, "flow")
        if f.timeout is None:
            raise ValueError("create: the flow needs a timeout")
        with self._calling("create") as ct:
            self._check(lib.ctnl_ct_create(ct, f._c), "create")

    def update(self, key: Union[Flow, Any],
               change: Union[Change, Dict[str, Any], None] = None,
               **values: Any) -> None:
        """Changes the entry ``key`` names: a :class:`Change`, or its
        keywords (``mark=``, ``timeout=``, ``status=``, ``labels=``,
        ``labels_mask=``). Not atomic: the kernel applies timeout, status,
        mark and labels in that order, and keeps those before a refusal."""
        k = as_key(key, {})
        chg = _change(change, values)
        with self._calling("update") as ct:
            self._check(lib.ctnl_ct_update(ct, k._c, chg._c), "update")

    def delete(self, key: Union[Flow, Any, None] = None,
               **fields: Any) -> None:
        """Deletes the entry ``key`` names (with its id, when the key was
        read from the table: only that entry). Raises
        :class:`ctnl.NotFoundError` when there is none."""
        k = as_key(key, fields)
        with self._calling("delete") as ct:
            self._check(lib.ctnl_ct_delete(ct, k._c), "delete")

    def batch(self, op: Union[Op, str], flows: Iterable[Union[Flow, Any]],
              changes: Union[Change, Sequence[Change], None] = None,
              **values: Any) -> BatchResult:
        """Applies ``op`` ("create", "update", "delete" or a
        :class:`ctnl.Op`) to every flow, in as few system calls as the
        kernel allows, and returns a :class:`BatchResult` with each item's
        outcome. Updates take one change for all (a :class:`Change` or
        its keywords) or a sequence of one per flow.

        Raises ValueError before sending anything if any item is invalid,
        and :class:`ctnl.BatchError` (carrying the per-item results) if
        the batch fails as a whole part-way.
        """
        code = _op(op)
        keys = [as_key(f, {}, f"flows[{i}]") for i, f in enumerate(flows)]
        n = len(keys)
        chg_arr, nchg = _batch_changes(code, changes, values, n)
        if code == lib.CTNL_OP_CREATE:
            for i, f in enumerate(keys):
                if f.timeout is None:
                    raise ValueError(f"flows[{i}]: a created flow needs a "
                                     "timeout")
        if n == 0:
            return BatchResult([], [], 0)
        arr = _flow_array(keys)
        results = _new("int[]", n)
        with self._calling("batch") as ct:
            rc = lib.ctnl_ct_batch(ct, code, arr, n, chg_arr, nchg, results)
            message = self._message()
        if rc == -errno.EINVAL and all(r == 0 for r in results):
            raise error_for(errno.EINVAL, "batch", message)
        errors = _item_errors(results, n, Op(code).name.lower(), message)
        applied = sum(1 for e in errors if e is None)
        result = BatchResult(keys, errors, applied)
        if rc < 0:
            raise BatchError(-rc, "batch", message, result)
        return result

    def flush(self, family: FamilyLike = None,
              table: TableLike = Table.CONNTRACK) -> None:
        """Empties the table for ``family`` ("ipv4", "ipv6"; None: both).
        Expectations are flushed for every family at once."""
        fam = check_family(family)
        tab = _table(table)
        with self._calling("flush") as ct:
            self._check(lib.ctnl_ct_flush(ct, tab, fam), "flush")

    def update_matching(self,
                        filter: Union[Filter, Dict[str, Any], None] = None,
                        change: Union[Change, Dict[str, Any], None] = None,
                        **values: Any) -> int:
        """Applies a change (a :class:`Change` or its keywords) to every
        entry passing ``filter`` (a :class:`ctnl.Filter` or dict; None:
        every entry), each named by tuple and id so an entry re-created
        meanwhile is left alone. Returns how many the kernel updated;
        entries gone meanwhile are not counted."""
        filt = Filter.of(filter, {})
        chg = _change(change, values)
        with self._calling("update_matching") as ct:
            return self._check(lib.ctnl_ct_update_matching(
                ct, filt._c if filt else _NULL, chg._c, _NULL),
                "update_matching")

    def delete_matching(self,
                        filter: Union[Filter, Dict[str, Any], None] = None,
                        *, counted: bool = True,
                        **criteria: Any) -> Optional[int]:
        """Deletes every entry passing ``filter`` (or its criteria as
        keywords; none: every entry) and returns how many it deleted.

        ``counted=False`` lets one filtered flush do it where the kernel
        can apply every criterion (Linux 6.12 on): faster for big tables,
        and then the count is unknown and None is returned."""
        filt = Filter.of(filter, criteria)
        if not counted:
            filt = _uncounted(filt)
        info = _new("struct ctnl_dump_info *")
        with self._calling("delete_matching") as ct:
            rc = self._check(lib.ctnl_ct_delete_matching(
                ct, filt._c if filt else _NULL, info), "delete_matching")
        return None if info.kernel_flush else rc

    def delete_if(self, predicate: Union[Callable[[Flow], Any], "AddressSet"],
                  filter: Union[Filter, Dict[str, Any], None] = None,
                  **criteria: Any) -> int:
        """Deletes, in one pass, the entries passing ``filter`` (or its
        criteria as keywords; none: every entry) for which
        ``predicate(flow)`` is true, and returns how many it deleted.

        The kernel filters the dump where it can; the predicate runs on
        each entry left, as libctnl reads it, and the deletes of the
        chosen ones go out while the dump goes on, so memory stays
        constant whatever the table. Each delete names its entry by tuple
        and id: one deleted, expired or re-created since it was read is
        left alone and not counted.

        An :class:`ctnl.AddressSet` in place of the predicate chooses the
        entries whose original or reply source is in the set, decided in C.

        The predicate gets a :class:`Flow` of its own (it may keep it) and
        must not use this handle (that raises BusyError). If it raises,
        the pass stops, the entries it chose before are still deleted, and
        its exception propagates. A refusal of a chosen entry raises
        :class:`ctnl.Error` after the pass went on with the others; its
        ``stats`` (a :class:`DeleteStats`) say what was done.
        """
        from ._addrset import AddressSet
        if isinstance(predicate, AddressSet):
            # libctnl's own predicate: no Python call per entry.
            state = _Predicate(None)
            pred = ffi.addressof(lib, "ctnl_addr_set_has_src")
            data = predicate._c
        elif callable(predicate):
            state = _Predicate(predicate)
            pred, data = lib.pyctnl_predicate, ffi.new_handle(state)
        else:
            raise ArgumentTypeError(f"predicate must be callable or an "
                                    f"AddressSet, not "
                                    f"{type(predicate).__name__}")
        filt = Filter.of(filter, criteria)
        stats = _new("struct ctnl_delete_stats *")
        with self._calling("delete_if") as ct:
            self._in_call = "delete_if"
            try:
                rc = lib.ctnl_ct_delete_if(ct, filt._c if filt else _NULL,
                                           pred, data, stats)
            finally:
                self._in_call = None
            if state.error is not None:
                raise state.error
            if rc < 0:
                e = error_for(-rc, "delete_if", self._message())
                e.stats = _delete_stats(stats)  # type: ignore[attr-defined]
                raise e
        return rc

    # ---- statistics ----

    def stats(self, table: TableLike = Table.CONNTRACK) -> Stats:
        """The table's entries now and its limit (``conntrack -C``)."""
        tab = _table(table)
        out = _new("struct ctnl_stats *")
        with self._calling("stats") as ct:
            self._check(lib.ctnl_ct_stats(ct, tab, out), "stats")
        return Stats(out.count, out.max)

    def stats_cpu(self) -> List[CpuStats]:
        """Per-CPU counters of both tables (``conntrack -S``)."""
        size = 64
        while True:
            arr = _new("struct ctnl_cpu_stats[]", size)
            with self._calling("stats_cpu") as ct:
                n = self._check(lib.ctnl_ct_stats_cpu(ct, arr, size),
                                "stats_cpu")
            if n <= size:
                return [_cpu_stats(arr[i]) for i in range(n)]
            size = n

    # ---- expectations ----

    def dump_expectations(self, family: FamilyLike = None) -> Dump:
        """Iterates over the expectation table of ``family`` (None: both)
        in constant memory, as :meth:`dump` does the entries."""
        return Dump(self, lib.PYCTNL_WALK_EXPECTS, None, check_family(family),
                    copy=copy_expect)

    def list_expectations(self, family: FamilyLike = None) -> List[Expect]:
        """Reads the expectation table of ``family`` (None: both)."""
        fam = check_family(family)
        out = _new("struct ctnl_list *")
        with self._calling("list_expectations") as ct:
            self._check(lib.ctnl_ct_list(ct, lib.CTNL_TABLE_EXPECT, fam, out),
                        "list_expectations")
        owner = ffi.gc(out, lib.ctnl_list_free)
        arr = owner.expects
        return [Expect._view(arr + i, owner) for i in range(owner.count)]

    # ---- the Go package's operations ----

    def update_mark(self, src: Address, dst: Address, proto: ProtoLike,
                    sport: int, dport: int, mark: int) -> None:
        """Sets the mark of the entry whose original tuple this is (the Go
        package's UpdateMark). ICMP entries cannot be named this way: use
        :meth:`update` with a Flow."""
        args = _go_args(src, dst, proto, sport, dport)
        m = check_int("mark", mark, _U32)
        with self._calling("update_mark") as ct:
            self._check(lib.ctnl_ct_update_mark(ct, *args, m), "update_mark")

    def update_mark_for_available_flow(
            self, flows: Sequence[Flow], src: Address, dst: Address,
            proto: ProtoLike, sport: int, dport: int, mark: int) -> int:
        """Sets the mark of those of ``flows`` (a :meth:`list`, say) whose
        original tuple this is, in one batch. Returns how many the kernel
        updated (entries gone meanwhile are not counted)."""
        arr = _flow_array([as_key(f, {}, "flows[]") for f in flows])
        args = _go_args(src, dst, proto, sport, dport)
        m = check_int("mark", mark, _U32)
        with self._calling("update_mark_for_available_flow") as ct:
            return self._check(lib.ctnl_ct_update_mark_for_available_flow(
                ct, arr, len(arr), *args, m),
                "update_mark_for_available_flow")

    def update_label(self, flows: Sequence[Flow], src: Address, dst: Address,
                     proto: ProtoLike, sport: int, dport: int, value: int,
                     mask: int = LABELS_MAX,
                     table: TableLike = Table.CONNTRACK) -> int:
        """Sets the labels under ``mask`` to ``value`` (128-bit ints; the
        other labels stay) on those of ``flows`` with this original
        tuple. Returns how many the kernel updated. Where the namespace
        keeps no labels the error (ENOSPC) says how to enable them."""
        arr = _flow_array([as_key(f, {}, "flows[]") for f in flows])
        args = _go_args(src, dst, proto, sport, dport)
        v = _new("struct ctnl_labels *")
        m = _new("struct ctnl_labels *")
        labels_to_c(v, check_labels("value", value))
        labels_to_c(m, check_labels("mask", mask))
        tab = _table(table)
        with self._calling("update_label") as ct:
            return self._check(lib.ctnl_ct_update_label(
                ct, tab, arr, len(arr), *args, v, m), "update_label")

    def update_label32(self, flows: Sequence[Flow], src: Address,
                       dst: Address, proto: ProtoLike, sport: int, dport: int,
                       labels: int, table: TableLike = Table.CONNTRACK) -> int:
        """The Go package's form: ``labels`` replaces labels 0..31."""
        arr = _flow_array([as_key(f, {}, "flows[]") for f in flows])
        args = _go_args(src, dst, proto, sport, dport)
        value = check_int("labels", labels, _U32)
        tab = _table(table)
        with self._calling("update_label32") as ct:
            return self._check(lib.ctnl_ct_update_label32(
                ct, tab, arr, len(arr), *args, value), "update_label32")

    # ---- events ----

    def subscribe(self, events: Union[EventType, int] = EventType.CT_ALL, *,
                  filter: Union[Filter, Dict[str, Any], None] = None,
                  rcvbuf: int = 0, reliable: bool = False,
                  no_enobufs: bool = False) -> "Events":
        """Subscribes this handle to ``events`` (EventType bits; default
        NEW, UPDATE and DESTROY of entries) of the entries passing
        ``filter``, and returns the :class:`ctnl.Events` to read them from.
        A subscribed handle makes no requests (they raise BusyError): keep
        another handle for those. ``rcvbuf`` sizes the kernel's queue;
        ``reliable`` is conntrackd's mode (no destroy event lost);
        ``no_enobufs`` lets the kernel drop silently while libctnl still
        counts the loss. Loss is always reported, as an OVERFLOW event
        carrying the count."""
        from ._events import Events
        return Events._subscribe(self, events, Filter.of(filter, {}), rcvbuf,
                                 reliable, no_enobufs, owns=False)

    def __repr__(self) -> str:
        state = "closed" if self._ct is None else "open"
        netns = getattr(self, "_netns", None)
        where = f" netns={netns!r}" if netns else ""
        return f"<{type(self).__name__} {state}{where}>"


def open(netns: Union[str, int, "os.PathLike[str]", None] = None, *,
         rcvbuf: int = 0, sndbuf: int = 0, bufsize: int = 0) -> Conntrack:
    """Opens a handle on the conntrack table of this network namespace, or
    of ``netns``: a name as ``ip netns`` gives it (/run/netns/NAME), the
    path of a namespace file (/proc/PID/ns/net), or an open descriptor of
    one. The calling thread does not move. ``rcvbuf``/``sndbuf`` size the
    kernel's socket queues, ``bufsize`` the receive buffer.

    Opening needs no privilege, but the kernel answers every request
    (reads too) from a process without CAP_NET_ADMIN in that namespace
    with :class:`ctnl.PermissionDeniedError` (a PermissionError)."""
    return Conntrack(netns, rcvbuf=rcvbuf, sndbuf=sndbuf, bufsize=bufsize)


# ---- helpers ----

def _views(arr, n: int, owner) -> List[Flow]:
    """Flows over ``arr[0..n)``, kept alive by ``owner``: one small object
    per entry, no copy."""
    new = _flow_new
    out = [new(Flow) for _ in range(n)]
    for i, f in enumerate(out):
        f._c = arr + i
        f._o = owner
    return out


def _flow_array(keys: List[Flow]):
    arr = _new("struct ctnl_flow[]", len(keys))
    for i, f in enumerate(keys):
        arr[i] = f._c[0]
    return arr


def _change(change: Union[Change, Dict[str, Any], None],
            values: Dict[str, Any]) -> Change:
    if change is not None:
        if values:
            raise ValueError("give a Change or its keywords, not both")
        return Change.of(change)
    return Change(**values)


def _batch_changes(code: int, changes: Any, values: Dict[str, Any], n: int):
    if code != lib.CTNL_OP_UPDATE:
        if changes is not None or values:
            raise ValueError("only an update batch takes changes")
        return _NULL, 0
    if changes is None or isinstance(changes, (Change, dict)):
        one = _change(changes, values)
        return one._c, 1
    if values:
        raise ValueError("give changes or their keywords, not both")
    items = [Change.of(c) for c in changes]
    if len(items) != n:
        raise ValueError(f"{len(items)} changes for {n} flows: give one for "
                         "all, or one per flow")
    arr = _new("struct ctnl_change[]", max(n, 1))
    for i, c in enumerate(items):
        arr[i] = c._c[0]
    return arr, n


def _item_errors(results, n: int, op: str,
                 message: Optional[str]) -> List[Optional[Error]]:
    errors: List[Optional[Error]] = []
    told = False
    for i in range(n):
        r = results[i]
        if r == 0:
            errors.append(None)
            continue
        # The kernel's text is for the first refused request only.
        errors.append(error_for(-r, f"{op} (item {i})",
                                None if told else message))
        told = True
    return errors


def _uncounted(filt: Optional[Filter]) -> Filter:
    f = Filter.__new__(Filter)
    f._c = _new("struct ctnl_filter *", filt._c[0]) if filt else \
        _new("struct ctnl_filter *")
    f._c.flags |= lib.CTNL_FILTER_UNCOUNTED
    f._criteria = dict(filt._criteria) if filt else {}
    return f


def _go_args(src: Any, dst: Any, proto: Any, sport: Any, dport: Any):
    s = check_address("src", src)
    d = check_address("dst", dst)
    if s.version != d.version:
        raise ValueError(f"src {s} and dst {d} are of different families")
    p = check_proto(proto)
    sp = check_int("sport", sport, 0xFFFF)
    dp = check_int("dport", dport, 0xFFFF)
    if not lib.ctnl_proto_has_ports(p) and (sp or dp):
        raise ValueError(f"protocol {p} has no ports: sport and dport "
                         "must be 0")
    return (str(s).encode(), str(d).encode(), p, sp, dp)


def _cpu_stats(c) -> CpuStats:
    return CpuStats(c.cpu, c.found, c.invalid, c.insert, c.insert_failed,
                    c.drop, c.early_drop, c.error, c.search_restart,
                    c.clash_resolve, c.chaintoolong, c.exp_new, c.exp_create,
                    c.exp_delete)


