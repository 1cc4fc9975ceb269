# SPDX-License-Identifier: LGPL-2.1-or-later
"""Exceptions: what libctnl and the kernel refuse, as OSError subclasses.

Every failure of an operation raises an :class:`Error` (an :class:`OSError`)
carrying the errno, the operation, and the kernel's own explanation when it
gave one (``kernel_message``, from ``ctnl_ct_error_msg()``). The common
errnos get subclasses that are also Python's built-in ones, so either name
catches them::

    try:
        ct.delete(key)
    except FileNotFoundError:      # or ctnl.NotFoundError
        pass

Bad arguments are caught before anything is sent and raise
:class:`ValueError` (a malformed address, a port out of range, ...), or
:class:`ArgumentTypeError`, which is both a :class:`TypeError` and a
:class:`ValueError`, for a value of the wrong type.
"""

from __future__ import annotations

import errno as _errno
import os
from typing import Optional

__all__ = [
    "ArgumentTypeError",
    "BatchError",
    "BusyError",
    "Error",
    "EventLossWarning",
    "ExistsError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
]


class Error(OSError):
    """A failure libctnl or the kernel reported.

    ``errno`` and ``strerror`` as for any :class:`OSError`; ``operation`` is
    the call that failed (``"delete"``, ...) and ``kernel_message`` the
    kernel's (or libctnl's) explanation of the refusal, or ``None``.
    """

    operation: str
    kernel_message: Optional[str]

    def __init__(self, err: int, operation: str,
                 kernel_message: Optional[str] = None) -> None:
        text = f"{operation}: {os.strerror(err)}"
        if kernel_message:
            text += f" ({kernel_message})"
        super().__init__(err, text)
        self.operation = operation
        self.kernel_message = kernel_message

    def __reduce__(self):  # keep the subclass and fields through pickling
        return (type(self), (self.errno, self.operation, self.kernel_message))


class NotFoundError(Error, FileNotFoundError):
    """ENOENT: no such entry (or no such network namespace)."""


class ExistsError(Error, FileExistsError):
    """EEXIST: the entry exists already."""


class PermissionDeniedError(Error, PermissionError):
    """EPERM or EACCES: most often, the process lacks CAP_NET_ADMIN in the
    table's network namespace."""


class InvalidArgumentError(Error, ValueError):
    """EINVAL: libctnl or the kernel found the request invalid."""


class BusyError(Error):
    """EBUSY: the handle is in use — a dump() still being iterated, or a
    handle subscribed to events, which makes no requests."""


class BatchError(Error):
    """A batch failed as a whole, part-way: ``results`` (a
    :class:`ctnl.BatchResult`) says, per item, what is known — applied, or
    the error, which for items whose fate is unknown is this one."""

    results: object

    def __init__(self, err: int, operation: str,
                 kernel_message: Optional[str] = None,
                 results: object = None) -> None:
        super().__init__(err, operation, kernel_message)
        self.results = results

    def __reduce__(self):
        return (type(self), (self.errno, self.operation, self.kernel_message,
                             self.results))


class EventLossWarning(RuntimeWarning):
    """A subscription was closed by a ``with`` block while a loss of
    events was still unreported (Events.close() returns it as an event)."""


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type. Both a TypeError and a ValueError, so
    ``except ValueError`` catches every bad argument."""


_BY_ERRNO = {
    _errno.ENOENT: NotFoundError,
    _errno.EEXIST: ExistsError,
    _errno.EPERM: PermissionDeniedError,
    _errno.EACCES: PermissionDeniedError,
    _errno.EINVAL: InvalidArgumentError,
    _errno.EBUSY: BusyError,
}


def error_for(err: int, operation: str,
              kernel_message: Optional[str] = None) -> Error:
    """The exception for errno ``err`` (positive) of ``operation``."""
    return _BY_ERRNO.get(err, Error)(err, operation, kernel_message)
