# SPDX-License-Identifier: LGPL-2.1-or-later
"""Address sets: libctnl's hash of addresses, for predicates in C."""

from __future__ import annotations

from typing import Any, Iterable

from ._errors import error_for
from ._flow import packed_address
from ._native import ffi, lib

__all__ = ["AddressSet"]


class AddressSet:
    """A set of IPv4 and IPv6 addresses held by libctnl, with
    constant-time membership (``ctnl_addr_set``).

    Given to :meth:`ctnl.Conntrack.delete_if` in place of a Python
    predicate, it chooses the entries whose original source or reply
    source is in it, decided in C with no Python call per entry: the
    teardown of gone pods' connections, in both directions, in one pass::

        gone = ctnl.AddressSet(["10.244.1.7", "10.244.3.2"])
        ct.delete_if(gone)

    An IPv4 address and an IPv6 one are never equal, IPv4-mapped or not.
    """

    __slots__ = ("_c",)

    def __init__(self, addresses: Iterable[Any] = ()) -> None:
        out = ffi.new("struct ctnl_addr_set **")
        rc = lib.ctnl_addr_set_new(out)
        if rc < 0:
            raise error_for(-rc, "AddressSet")
        self._c = ffi.gc(out[0], lib.ctnl_addr_set_free)
        for a in addresses:
            self.add(a)

    @staticmethod
    def _addr(value: Any):
        family, packed = packed_address("address", value)
        addr = ffi.new("union ctnl_addr *")
        ffi.buffer(addr.u8, len(packed))[:] = packed
        return family, addr

    def add(self, address: Any) -> bool:
        """Adds an address (text or ipaddress); whether it was new. A
        malformed one raises ValueError."""
        family, addr = self._addr(address)
        rc = lib.ctnl_addr_set_add(self._c, family, addr)
        if rc < 0:
            raise error_for(-rc, "AddressSet.add")
        return rc == 1

    def __contains__(self, address: object) -> bool:
        try:
            family, addr = self._addr(address)
        except (TypeError, ValueError):
            return False
        return bool(lib.ctnl_addr_set_contains(self._c, family, addr))

    def __len__(self) -> int:
        return int(lib.ctnl_addr_set_count(self._c))

    def clear(self) -> None:
        """Empties the set, keeping its memory for the next adds."""
        lib.ctnl_addr_set_clear(self._c)

    def __repr__(self) -> str:
        return f"<AddressSet of {len(self)}>"
