# SPDX-License-Identifier: LGPL-2.1-or-later
"""Following the table: subscriptions and events."""

from __future__ import annotations

import collections
import errno
import time
import warnings
from typing import (TYPE_CHECKING, Any, AsyncIterator, Deque, Iterator, List,
                    NamedTuple, Optional, Union)

from ._constants import EventType
from ._errors import EventLossWarning
from ._flow import Expect, Filter, Flow, check_int
from ._native import ffi, lib

if TYPE_CHECKING:
    from ._handle import Conntrack

__all__ = ["Event", "EventInfo", "Events", "subscribe"]

_new = ffi.new
_NULL = ffi.NULL
# Events per read of the socket: a bounded array reused for every read.
_READ_BATCH = 64

_FLOW_TYPES = (lib.CTNL_EVENT_NEW | lib.CTNL_EVENT_UPDATE
               | lib.CTNL_EVENT_DESTROY | lib.CTNL_EVENT_SYNC)
_EXP_TYPES = (lib.CTNL_EVENT_EXP_NEW | lib.CTNL_EVENT_EXP_DESTROY
              | lib.CTNL_EVENT_EXP_SYNC)
_OVERFLOW = lib.CTNL_EVENT_OVERFLOW


class Event:
    """One event: ``type`` (an :class:`ctnl.EventType`), and by type the
    ``flow`` (NEW, UPDATE, DESTROY, SYNC), the ``expect`` (EXP_NEW,
    EXP_DESTROY, EXP_SYNC) or, for OVERFLOW, ``lost`` (messages the kernel
    dropped, as far as it counted them; 0 when it could not say) and
    ``overflows`` (overflow reports so far on this subscription).

    An OVERFLOW means the view of the table is stale: re-read it, with
    :meth:`Events.resync`.
    """

    __slots__ = ("_c",)
    _c: Any     # struct ctnl_event *, the event's own copy

    @property
    def type(self) -> EventType:
        """What happened (ctnl.EventType)."""
        return EventType(self._c.type)

    @property
    def portid(self) -> int:
        """The netlink port id of the socket whose request caused the
        change, or 0 when the kernel made it on its own."""
        return self._c.portid

    @property
    def flow(self) -> Optional[Flow]:
        """The entry (NEW, UPDATE, DESTROY, SYNC); None otherwise."""
        c = self._c
        if not c.type & _FLOW_TYPES:
            return None
        return Flow._view(ffi.addressof(c, "flow"), self)

    @property
    def expect(self) -> Optional[Expect]:
        """The expectation (EXP_NEW, EXP_DESTROY, EXP_SYNC); None otherwise."""
        c = self._c
        if not c.type & _EXP_TYPES:
            return None
        return Expect._view(ffi.addressof(c, "expect"), self)

    @property
    def lost(self) -> Optional[int]:
        """OVERFLOW: messages the kernel dropped (0: it could not say);
        None for other events."""
        c = self._c
        return c.overflow.lost if c.type == _OVERFLOW else None

    @property
    def overflows(self) -> Optional[int]:
        """OVERFLOW: overflow reports so far on this subscription; None
        for other events."""
        c = self._c
        return c.overflow.count if c.type == _OVERFLOW else None

    @property
    def is_loss(self) -> bool:
        """Whether this is an OVERFLOW report."""
        return self._c.type == _OVERFLOW

    def __repr__(self) -> str:
        t = self.type.name
        if self.is_loss:
            return f"Event({t}, lost={self.lost}, overflows={self.overflows})"
        body = self.flow if self.flow is not None else self.expect
        return f"Event({t}, {body!r})" if body is not None else f"Event({t})"


def _copy_event(c) -> Event:
    e = _event_new(Event)
    e._c = _new("struct ctnl_event *", c)
    return e


_event_new = Event.__new__


class EventInfo(NamedTuple):
    """A subscription as it stands, and what it has seen."""
    events: EventType    # subscribed kinds
    flags: int           # CTNL_EVENTS_* in force
    kernel: int          # filter criteria the kernel applies
    user: int            # filter criteria applied in user space
    rcvbuf: int          # the kernel queue's size, as it counts it
    received: int        # event messages read
    delivered: int       # events handed over
    filtered: int        # messages the user-space filter dropped
    overflows: int       # OVERFLOW reports
    lost: int            # messages lost, as far as known


class Events:
    """A subscription: the events of one handle's table, in order.

    Iterate over it to wait for events forever (``for ev in events``), or
    use it in an event loop: ``fileno()`` is the descriptor to wait on
    (``selectors``, ``asyncio``'s ``add_reader``), and ``read()`` takes what
    is queued without blocking. ``async for ev in events`` does that with
    asyncio. ``poll(timeout)`` waits at most that long.

    Loss is never silent: when the kernel dropped events, an OVERFLOW event
    comes in their place, carrying the count; then re-read the table with
    ``resync()``.
    """

    _handle: Optional["Conntrack"]     # None once closed
    _on: "Conntrack"
    _owns: bool
    _pending: Deque[Event]
    _batch: Any     # struct ctnl_event[], reused for every read
    _err: Any       # int *, a read's error after the events it stored

    def __init__(self) -> None:
        raise TypeError("use ctnl.subscribe() or Conntrack.subscribe()")

    @classmethod
    def _subscribe(cls, handle: "Conntrack", events: Union[EventType, int],
                   filt: Optional[Filter], rcvbuf: int, reliable: bool,
                   no_enobufs: bool, owns: bool) -> "Events":
        bits = check_int("events", int(events), lib.CTNL_EVENT_ALL, 1)
        cfg = _new("struct ctnl_events_config *")
        cfg.size = ffi.sizeof("struct ctnl_events_config")
        cfg.events = bits
        cfg.flags = ((lib.CTNL_EVENTS_RELIABLE if reliable else 0)
                     | (lib.CTNL_EVENTS_NO_ENOBUFS if no_enobufs else 0))
        cfg.rcvbuf = check_int("rcvbuf", rcvbuf, 0x7FFFFFFF)
        cfg.filter = filt._c if filt is not None else _NULL
        with handle._calling("subscribe") as ct:
            handle._check(lib.ctnl_ct_subscribe_config(ct, cfg), "subscribe")
        self = cls.__new__(cls)
        self._handle = self._on = handle
        self._owns = owns
        self._pending = collections.deque()
        self._batch = _new("struct ctnl_event[]", _READ_BATCH)
        self._err = _new("int *")
        return self

    @property
    def handle(self) -> "Conntrack":
        """The handle the subscription is (or was) on."""
        return self._on

    def _live(self, op: str) -> "Conntrack":
        if self._handle is None:
            raise ValueError(f"{op}: the subscription is closed")
        return self._handle

    def fileno(self) -> int:
        """The descriptor to wait on for readability (owned by the handle;
        do not close it)."""
        h = self._live("fileno")
        with h._calling("fileno") as ct:
            return h._check(lib.ctnl_ct_event_fd(ct), "fileno")

    def read(self) -> List[Event]:
        """The events already queued (possibly none), without blocking."""
        h = self._live("read")
        with h._calling("read") as ct:
            return self._read(h, ct)

    def _read(self, h: "Conntrack", ct: Any) -> List[Event]:
        out = list(self._pending)
        self._pending.clear()
        while True:
            n = lib.pyctnl_event_read(ct, self._batch, _READ_BATCH, self._err)
            if n < 0:
                self._pending.extend(out)
                h._check(n, "read events")
            batch = self._batch
            out.extend(_copy_event(batch[i]) for i in range(n))
            if self._err[0] < 0:
                # Hand these over next time; the error is now.
                self._pending.extend(out)
                h._check(self._err[0], "read events")
            if n < _READ_BATCH:
                return out

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Waits until events can be read, or ``timeout`` seconds (None:
        forever). Returns whether they can. Signal handlers run meanwhile
        (Ctrl-C raises KeyboardInterrupt)."""
        if self._pending:
            return True
        h = self._live("wait")
        with h._calling("wait") as ct:
            return self._wait(h, ct, timeout)

    def _wait(self, h: "Conntrack", ct: Any,
              timeout: Optional[float]) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if deadline is None:
                ms = -1
            else:
                ms = max(0, int((deadline - time.monotonic()) * 1000 + 0.999))
            rc = lib.ctnl_ct_event_wait(ct, ms)
            if rc == -errno.EINTR:
                continue    # the interpreter runs the handlers here (PEP 475)
            return h._check(rc, "wait") > 0

    def poll(self, timeout: Optional[float] = None) -> List[Event]:
        """Waits up to ``timeout`` seconds (None: forever) for events and
        returns those queued (an empty list on timeout)."""
        if self.wait(timeout):
            return self.read()
        return []

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        pending = self._pending
        while not pending:
            if self._handle is None:
                raise StopIteration
            self.wait()
            pending.extend(self.read())
        return pending.popleft()

    async def _aiter(self) -> AsyncIterator[Event]:
        import asyncio
        loop = asyncio.get_running_loop()
        fd = self.fileno()
        ready = asyncio.Event()
        loop.add_reader(fd, ready.set)
        try:
            while self._handle is not None:
                batch = self.read()
                if not batch:
                    ready.clear()
                    await ready.wait()
                    continue
                for ev in batch:
                    yield ev
        finally:
            loop.remove_reader(fd)

    def __aiter__(self) -> AsyncIterator[Event]:
        """``async for ev in events``: waits with the running asyncio loop."""
        return self._aiter()

    def info(self) -> EventInfo:
        """The subscription and its counters."""
        h = self._live("info")
        out = _new("struct ctnl_event_info *")
        with h._calling("info") as ct:
            h._check(lib.ctnl_ct_event_info(ct, out), "event info")
        return EventInfo(EventType(out.events), out.flags, out.kernel,
                         out.user, out.rcvbuf, out.received, out.delivered,
                         out.filtered, out.overflows, out.lost)

    def resync(self, req: "Conntrack") -> Iterator[Event]:
        """Brings a view back in line after a loss, or builds a first one.
        ``req`` is another handle, for the re-dump. Yields, in order: the
        events still queued, SYNC_BEGIN, a SYNC event per entry (and an
        EXP_SYNC per expectation, if subscribed), SYNC_END — then drop
        from the view whatever no SYNC refreshed since SYNC_BEGIN. In
        constant memory, like :meth:`Conntrack.dump`."""
        from ._handle import Dump
        h = self._live("resync")
        if req is h:
            raise ValueError("resync needs a second handle for the re-dump")
        dump = Dump(h, lib.PYCTNL_WALK_RESYNC, req=req, copy=_copy_event)
        pending = list(self._pending)
        self._pending.clear()
        return _chain(pending, dump)

    def close(self) -> List[Event]:
        """Ends the subscription, and returns what it had not handed over:
        the events read from the socket that iteration had not reached
        yet, then, if anything was lost, an OVERFLOW event counting the
        loss the kernel counted that no read reported plus the events
        still queued in the socket, which are dropped (libctnl's
        ctnl_ct_unsubscribe()): ``read()`` them first to have them. With
        those, every event the kernel sent was handed over or counted.

        Closes the handle if :func:`ctnl.subscribe` opened it, else leaves
        it able to make requests again. Closing twice returns ``[]``.
        Leaving a ``with`` block closes it too, and warns
        (:class:`ctnl.EventLossWarning`) if that loses a loss report.
        """
        handle, self._handle = self._handle, None
        rest = list(self._pending)
        self._pending.clear()
        if handle is None or handle.closed:
            return rest
        report = _new("struct ctnl_event *")
        try:
            with handle._calling("unsubscribe") as ct:
                rc = lib.pyctnl_unsubscribe(ct, report)
                if report.type:
                    rest.append(_copy_event(report[0]))
                handle._check(rc, "unsubscribe")
        finally:
            if self._owns:
                handle.close()
        return rest

    @property
    def closed(self) -> bool:
        """Whether the subscription was closed."""
        return self._handle is None

    def __enter__(self) -> "Events":
        return self

    def __exit__(self, *exc: object) -> None:
        losses = [e for e in self.close() if e.is_loss]
        if losses:
            warnings.warn(EventLossWarning(
                f"{sum(e.lost or 0 for e in losses)} events were lost and "
                "not yet reported when the subscription was closed: call "
                "close() to have the report as an event"), stacklevel=2)

    def __repr__(self) -> str:
        return f"<Events {'closed' if self._handle is None else 'open'}>"


def _chain(first: List[Event], rest: Any) -> Iterator[Event]:
    yield from first
    with rest:
        yield from rest


def subscribe(events: Union[EventType, int] = EventType.CT_ALL, *,
              netns: Any = None, filter: Any = None, rcvbuf: int = 0,
              reliable: bool = False, no_enobufs: bool = False) -> Events:
    """Opens a handle (with :func:`ctnl.open`, on ``netns``) dedicated to
    events and subscribes it; closing the :class:`Events` closes it. See
    :meth:`Conntrack.subscribe` for the arguments. (A test that replaces
    ``ctnl.open`` with :meth:`ctnl.testing.FakeConntrack.open` has this
    subscribe on the fake.)"""
    import ctnl
    handle = ctnl.open(netns)
    try:
        return Events._subscribe(handle, events, Filter.of(filter, {}),
                                 rcvbuf, reliable, no_enobufs, owns=True)
    except BaseException:
        handle.close()
        raise
