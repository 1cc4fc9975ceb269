# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flows, tuples, expectations and filters: libctnl's plain data in Python.

A :class:`Flow` is a thin view of a C ``struct ctnl_flow``: reading a field
reads the struct, and addresses become :mod:`ipaddress` objects only when
they are read, so a list of 250,000 flows costs one small Python object per
entry. Flows made in Python (``Flow(src=..., ...)``) are checked as they are
made: a bad value raises there, long before any request is sent.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any, Dict, Iterable, NamedTuple, Optional, Union
from typing import Tuple as _Tup

from ._constants import Proto, Status, TcpState
from ._errors import ArgumentTypeError
from ._native import ffi, lib

__all__ = [
    "Address",
    "Counters",
    "Expect",
    "Filter",
    "Flow",
    "Tuple",
    "label_bits",
]

Address = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[str, ipaddress.IPv4Address, ipaddress.IPv6Address,
                ipaddress.IPv4Network, ipaddress.IPv6Network]
ProtoLike = Union[int, str]
FamilyLike = Union[int, str, None]

LABELS_MAX = (1 << 128) - 1
_U32 = 0xFFFFFFFF

_A = lib  # attribute bits, read once as module constants below
_ORIG = _A.CTNL_ATTR_ORIG
_REPLY = _A.CTNL_ATTR_REPLY
_ID = _A.CTNL_ATTR_ID
_STATUS = _A.CTNL_ATTR_STATUS
_TIMEOUT = _A.CTNL_ATTR_TIMEOUT
_MARK = _A.CTNL_ATTR_MARK
_USE = _A.CTNL_ATTR_USE
_LABELS = _A.CTNL_ATTR_LABELS
_CNT_ORIG = _A.CTNL_ATTR_COUNTERS_ORIG
_CNT_REPLY = _A.CTNL_ATTR_COUNTERS_REPLY
_START = _A.CTNL_ATTR_START
_STOP = _A.CTNL_ATTR_STOP
_TCP_STATE = _A.CTNL_ATTR_TCP_STATE
_TCP_WSCALE = _A.CTNL_ATTR_TCP_WSCALE
_TCP_FLAGS = _A.CTNL_ATTR_TCP_FLAGS
_SCTP_STATE = _A.CTNL_ATTR_SCTP_STATE
_SCTP_VTAG = _A.CTNL_ATTR_SCTP_VTAG
_DCCP_STATE = _A.CTNL_ATTR_DCCP_STATE
_DCCP_ROLE = _A.CTNL_ATTR_DCCP_ROLE
_DCCP_SEQ = _A.CTNL_ATTR_DCCP_HANDSHAKE_SEQ
_HELPER = _A.CTNL_ATTR_HELPER
_NAT = _A.CTNL_STATUS_SRC_NAT | _A.CTNL_STATUS_DST_NAT

_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6
_ICMPS = (socket.IPPROTO_ICMP, socket.IPPROTO_ICMPV6)
_ntohl = socket.ntohl
_I4 = ipaddress.IPv4Address
_I6 = ipaddress.IPv6Address
_from_bytes = int.from_bytes
_buffer = ffi.buffer
_new = ffi.new

# The protocols whose tuples carry ports, as libctnl says, read once: a set
# lookup is cheaper than a call into C for every field read.
_HAS_PORTS = frozenset(p for p in range(256) if lib.ctnl_proto_has_ports(p))

_PROTO_NAMES = {p.name.lower(): int(p) for p in Proto}
_PROTO_NAMES["ipv6-icmp"] = socket.IPPROTO_ICMPV6
_PROTO_NAMES["udp-lite"] = Proto.UDPLITE
_FAMILY_NAMES = {"ipv4": _AF_INET, "inet": _AF_INET, "ipv6": _AF_INET6,
                 "inet6": _AF_INET6}


# ---- Checking what callers give ----

def check_int(name: str, value: Any, hi: int, lo: int = 0) -> int:
    """``value`` as an int in lo..hi; ArgumentTypeError or ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(
            f"{name} must be an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} {value} is out of range ({lo}..{hi})")
    return int(value)


def check_proto(value: Any) -> int:
    """A protocol number from a number or a name ("tcp", "icmpv6", ...)."""
    if isinstance(value, str):
        try:
            return _PROTO_NAMES[value.lower()]
        except KeyError:
            raise ValueError(f"unknown protocol {value!r}; give its number "
                             f"or one of {sorted(_PROTO_NAMES)}") from None
    return check_int("proto", value, 255)


def check_family(value: FamilyLike) -> int:
    """0 (both), AF_INET or AF_INET6, from a number or "ipv4"/"ipv6"."""
    if value is None or value == 0:
        return 0
    if isinstance(value, str):
        try:
            return _FAMILY_NAMES[value.lower()]
        except KeyError:
            raise ValueError(f"unknown family {value!r}: use 'ipv4' or "
                             "'ipv6'") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(
            f"family must be 'ipv4', 'ipv6' or socket.AF_INET(6), not "
            f"{type(value).__name__}")
    if value in (4, _AF_INET):
        return _AF_INET
    if value in (6, _AF_INET6):
        return _AF_INET6
    raise ValueError(f"unknown family {value}: use socket.AF_INET or "
                     "socket.AF_INET6")


def check_address(name: str, value: Any):
    """An IPv4Address or IPv6Address from text or an address object."""
    family, packed = packed_address(name, value)
    return _I4(packed) if family == _AF_INET else _I6(packed)


_inet_pton = socket.inet_pton


def packed_address(name: str, value: Any) -> _Tup[int, bytes]:
    """(family, the address in network byte order) from text or an address
    object. Text goes through inet_pton(3): strict, and far quicker than
    the ipaddress module's parser."""
    if isinstance(value, str):
        for family in (_AF_INET, _AF_INET6):
            try:
                return family, _inet_pton(family, value)
            except OSError:
                pass
        raise ValueError(f"{name} {value!r} is not an IPv4 or IPv6 address")
    if isinstance(value, _I4):
        return _AF_INET, value.packed
    if isinstance(value, _I6):
        return _AF_INET6, value.packed
    raise ArgumentTypeError(
        f"{name} must be an address (str or ipaddress), not "
        f"{type(value).__name__}")


def check_network(name: str, value: Any):
    """An address or a network (``"10.0.0.0/8"``) as a network object."""
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        net = value
    elif isinstance(value, (_I4, _I6)):
        net = ipaddress.ip_network(value)
    elif isinstance(value, str):
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError as e:
            raise ValueError(f"{name} {value!r} is not an address or a "
                             f"network ({e})") from None
    else:
        raise ArgumentTypeError(
            f"{name} must be an address or network (str or ipaddress), not "
            f"{type(value).__name__}")
    if net.prefixlen == 0:
        raise ValueError(f"{name} {value!r}: a /0 prefix matches every "
                         "address; leave the criterion out instead")
    return net


def check_labels(name: str, value: Any) -> int:
    """A 128-bit label set as an int (bit n is label n)."""
    return check_int(name, value, LABELS_MAX)


def label_bits(*bits: int) -> int:
    """The label set holding labels ``bits`` (each 0..127), as an int:
    ``label_bits(1, 5) == 0b100010``."""
    value = 0
    for b in bits:
        value |= 1 << check_int("label", b, 127)
    return value


def _family_of(addr) -> int:
    return _AF_INET if addr.version == 4 else _AF_INET6


def _put_addr(dst, addr) -> None:
    packed = addr.packed
    _buffer(dst.u8, len(packed))[:] = packed


def _get_addr(family: int, a):
    if family == _AF_INET:
        return _I4(_ntohl(a.u32[0]))
    return _I6(_from_bytes(_buffer(a.u8, 16), "big"))


def labels_to_c(c_labels, value: int) -> None:
    for i in range(4):
        c_labels.words[i] = (value >> (32 * i)) & _U32


def labels_from_c(c_labels) -> int:
    w = c_labels.words
    return w[0] | (w[1] << 32) | (w[2] << 64) | (w[3] << 96)


class Counters(NamedTuple):
    """Packets and bytes of one direction (needs nf_conntrack_acct=1)."""
    packets: int
    bytes: int


# ---- Tuples ----

def fill_tuple(t, src: Any, dst: Any, proto: Any, sport: Any = None,
               dport: Any = None, *, zone: Any = 0, icmp_type: Any = None,
               icmp_code: Any = None, icmp_id: Any = None,
               what: str = "tuple") -> None:
    """Checks one direction's fields and writes them into C tuple ``t``."""
    if src is None or dst is None or proto is None:
        raise ValueError(f"{what} needs src, dst and proto")
    sfam, s = packed_address("src", src)
    dfam, d = packed_address("dst", dst)
    if sfam != dfam:
        raise ValueError(f"{what}: src {src} and dst {dst} are of different "
                         "families")
    p = check_proto(proto)
    t.family = sfam
    t.proto = p
    t.zone = check_int("zone", zone, 0xFFFF)
    _buffer(t.src.u8, len(s))[:] = s
    _buffer(t.dst.u8, len(d))[:] = d
    if p in _HAS_PORTS:
        if not (icmp_type is None and icmp_code is None and icmp_id is None):
            raise ValueError(f"{what}: protocol {p} has ports, not ICMP "
                             "type, code and id")
        if sport is None or dport is None:
            raise ValueError(f"{what}: protocol {p} needs sport and dport")
        t.port.src = check_int("sport", sport, 0xFFFF)
        t.port.dst = check_int("dport", dport, 0xFFFF)
    elif p in _ICMPS:
        if sport is not None or dport is not None:
            raise ValueError(f"{what}: ICMP has no ports; give icmp_type, "
                             "icmp_code and icmp_id")
        if icmp_type is None:
            raise ValueError(f"{what}: ICMP needs icmp_type (and icmp_code, "
                             "icmp_id, 0 unless given)")
        t.icmp.type = check_int("icmp_type", icmp_type, 255)
        t.icmp.code = check_int("icmp_code", icmp_code or 0, 255)
        t.icmp.id = check_int("icmp_id", icmp_id or 0, 0xFFFF)
    elif (sport is not None or dport is not None or icmp_type is not None
          or icmp_code is not None or icmp_id is not None):
        raise ValueError(f"{what}: protocol {p} has neither ports nor ICMP "
                         "fields")


class Tuple:
    """One direction of a connection: family, protocol, addresses, ports
    (or ICMP type, code and id) and zone.

    ``Tuple(src, dst, proto, sport, dport, zone=0)`` makes one (checked
    now: a bad value raises ValueError); a flow's ``orig`` and ``reply``
    are views of the flow's data.
    """

    __slots__ = ("_c", "_o")
    _c: Any     # struct ctnl_tuple *
    _o: Any     # what keeps _c's memory alive

    def __init__(self, src: Address, dst: Address, proto: ProtoLike,
                 sport: Optional[int] = None, dport: Optional[int] = None, *,
                 zone: int = 0, icmp_type: Optional[int] = None,
                 icmp_code: Optional[int] = None,
                 icmp_id: Optional[int] = None) -> None:
        c = _new("struct ctnl_tuple *")
        fill_tuple(c, src, dst, proto, sport, dport, zone=zone,
                   icmp_type=icmp_type, icmp_code=icmp_code, icmp_id=icmp_id)
        self._c = c
        self._o = None

    @classmethod
    def _view(cls, c, owner) -> "Tuple":
        t = cls.__new__(cls)
        t._c = c
        t._o = owner
        return t

    @property
    def family(self) -> int:
        """socket.AF_INET or socket.AF_INET6."""
        return self._c.family

    @property
    def proto(self) -> int:
        """The IP protocol number (socket.IPPROTO_TCP, ...)."""
        return self._c.proto

    @property
    def src(self) -> Union[ipaddress.IPv4Address, ipaddress.IPv6Address]:
        """The source address (IPv4Address or IPv6Address)."""
        c = self._c
        return _get_addr(c.family, c.src)

    @property
    def dst(self) -> Union[ipaddress.IPv4Address, ipaddress.IPv6Address]:
        """The destination address."""
        c = self._c
        return _get_addr(c.family, c.dst)

    @property
    def sport(self) -> Optional[int]:
        """The source port; None for a protocol without ports."""
        c = self._c
        return c.port.src if c.proto in _HAS_PORTS else None

    @property
    def dport(self) -> Optional[int]:
        """The destination port; None for a protocol without ports."""
        c = self._c
        return c.port.dst if c.proto in _HAS_PORTS else None

    @property
    def icmp_type(self) -> Optional[int]:
        """The ICMP or ICMPv6 type; None for other protocols."""
        c = self._c
        return c.icmp.type if c.proto in _ICMPS else None

    @property
    def icmp_code(self) -> Optional[int]:
        """The ICMP or ICMPv6 code; None for other protocols."""
        c = self._c
        return c.icmp.code if c.proto in _ICMPS else None

    @property
    def icmp_id(self) -> Optional[int]:
        """The ICMP or ICMPv6 id; None for other protocols."""
        c = self._c
        return c.icmp.id if c.proto in _ICMPS else None

    @property
    def zone(self) -> int:
        """The conntrack zone of this direction (0: the default zone)."""
        return self._c.zone

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a dict (ports or ICMP fields as the protocol
        has them)."""
        d: Dict[str, Any] = {"family": self.family, "proto": self.proto,
                             "src": self.src, "dst": self.dst,
                             "zone": self.zone}
        if self.proto in _HAS_PORTS:
            d["sport"] = self.sport
            d["dport"] = self.dport
        elif self.proto in _ICMPS:
            d["icmp_type"] = self.icmp_type
            d["icmp_code"] = self.icmp_code
            d["icmp_id"] = self.icmp_id
        return d

    def _key(self):
        return tuple(self.to_dict().values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tuple):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        c = self._c
        if c.proto in _HAS_PORTS:
            ends = (f"{_fmt(self.src)}:{c.port.src} -> "
                    f"{_fmt(self.dst)}:{c.port.dst}")
        else:
            ends = f"{self.src} -> {self.dst}"
            if c.proto in _ICMPS:
                ends += (f" type={c.icmp.type} code={c.icmp.code} "
                         f"id={c.icmp.id}")
        zone = f" zone={c.zone}" if c.zone else ""
        return f"Tuple({_proto_name(c.proto)} {ends}{zone})"


def _fmt(addr) -> str:
    return f"[{addr}]" if addr.version == 6 else str(addr)


def _proto_name(p: int) -> str:
    try:
        return Proto(p).name.lower()
    except ValueError:
        return str(p)


# ---- Flows ----

class Flow:
    """One conntrack entry: what the kernel reported of it, or what to ask
    of it. Fields the entry does not carry read as None.

    Made in Python, a flow names an entry (a key for get, update, delete)
    or describes one to create::

        Flow(src="10.0.0.1", dst="10.0.0.2", proto="tcp", sport=40000,
             dport=80, timeout=120, mark=42)

    Everything is checked here: a malformed address, a port out of range or
    a wrong type raises ValueError before any request exists. ``orig`` and
    ``reply`` give whole tuples (``reply`` defaults to the inverse of the
    original when the entry is created); the other keywords set the fields
    of the same names. A flow read from the table also carries its ``id``:
    used as a key, it reaches only that entry (get and delete).

    Flows are immutable. ``str(flow)`` is the line ``conntrack -L`` prints.
    """

    __slots__ = ("_c", "_o")
    _c: Any     # struct ctnl_flow *
    _o: Any     # what keeps _c's memory alive (None: _c owns it)

    def __init__(self, src: Optional[Address] = None,
                 dst: Optional[Address] = None,
                 proto: Optional[ProtoLike] = None,
                 sport: Optional[int] = None, dport: Optional[int] = None, *,
                 zone: int = 0, icmp_type: Optional[int] = None,
                 icmp_code: Optional[int] = None,
                 icmp_id: Optional[int] = None,
                 orig: Optional[Tuple] = None, reply: Optional[Tuple] = None,
                 id: Optional[int] = None, status: Optional[int] = None,
                 timeout: Optional[int] = None, mark: Optional[int] = None,
                 labels: Optional[int] = None,
                 tcp_state: Optional[int] = None,
                 helper: Optional[str] = None) -> None:
        c = _new("struct ctnl_flow *")
        if orig is not None:
            if any(v is not None for v in (src, dst, proto, sport, dport,
                                           icmp_type, icmp_code, icmp_id)) \
                    or zone:
                raise ValueError("give either orig or src/dst/proto (and "
                                 "ports, zone, ICMP fields), not both")
            _copy_tuple(ffi.addressof(c, "orig"), orig, "orig")
        else:
            fill_tuple(c.orig, src, dst, proto, sport, dport, zone=zone,
                       icmp_type=icmp_type, icmp_code=icmp_code,
                       icmp_id=icmp_id, what="flow")
        attrs = _ORIG
        if reply is not None:
            _copy_tuple(ffi.addressof(c, "reply"), reply, "reply")
            if c.reply.family != c.orig.family:
                raise ValueError("reply tuple is of another family")
            attrs |= _REPLY
        if id is not None:
            c.id = check_int("id", id, _U32)
            attrs |= _ID
        if status is not None:
            c.status = check_int("status", status, _U32)
            attrs |= _STATUS
        if timeout is not None:
            c.timeout = check_int("timeout", timeout, _U32)
            attrs |= _TIMEOUT
        if mark is not None:
            c.mark = check_int("mark", mark, _U32)
            attrs |= _MARK
        if labels is not None:
            labels_to_c(c.labels, check_labels("labels", labels))
            attrs |= _LABELS
        if tcp_state is not None:
            if c.orig.proto != socket.IPPROTO_TCP:
                raise ValueError("tcp_state is for TCP flows")
            c.tcp.state = check_int("tcp_state", tcp_state,
                                    lib.CTNL_TCP_STATE_MAX - 1)
            attrs |= _TCP_STATE
        if helper is not None:
            if not isinstance(helper, str):
                raise ArgumentTypeError("helper must be a str")
            raw = helper.encode()
            if not raw or len(raw) > 15 or b"\0" in raw:
                raise ValueError(f"helper {helper!r}: 1 to 15 bytes, no NUL")
            c.helper = raw
            attrs |= _HELPER
        c.attrs = attrs
        self._c = c
        self._o = None

    @classmethod
    def _view(cls, c, owner) -> "Flow":
        """A flow over C memory ``c`` that ``owner`` keeps alive."""
        f = cls.__new__(cls)
        f._c = c
        f._o = owner
        return f

    # -- the original direction, the common case, at top level --

    @property
    def family(self) -> int:
        """socket.AF_INET or socket.AF_INET6."""
        return self._c.orig.family

    @property
    def proto(self) -> int:
        """The IP protocol number."""
        return self._c.orig.proto

    @property
    def src(self) -> Union[ipaddress.IPv4Address, ipaddress.IPv6Address]:
        """The original direction's source address."""
        t = self._c.orig
        if t.family == _AF_INET:
            return _I4(_ntohl(t.src.u32[0]))
        return _I6(_from_bytes(_buffer(t.src.u8, 16), "big"))

    @property
    def dst(self) -> Union[ipaddress.IPv4Address, ipaddress.IPv6Address]:
        """The original direction's destination address."""
        t = self._c.orig
        if t.family == _AF_INET:
            return _I4(_ntohl(t.dst.u32[0]))
        return _I6(_from_bytes(_buffer(t.dst.u8, 16), "big"))

    @property
    def sport(self) -> Optional[int]:
        """The original direction's source port; None without ports."""
        t = self._c.orig
        return t.port.src if t.proto in _HAS_PORTS else None

    @property
    def dport(self) -> Optional[int]:
        """The original direction's destination port; None without ports."""
        t = self._c.orig
        return t.port.dst if t.proto in _HAS_PORTS else None

    @property
    def zone(self) -> int:
        """The original direction's zone (0: the default zone)."""
        return self._c.orig.zone

    @property
    def orig(self) -> Tuple:
        """The original direction."""
        return Tuple._view(self._c.orig, self)

    @property
    def reply(self) -> Optional[Tuple]:
        """The reply direction; None if the flow carries none."""
        c = self._c
        return Tuple._view(c.reply, self) if c.attrs & _REPLY else None

    # -- the rest of struct ctnl_flow --

    @property
    def attrs(self) -> int:
        """Which fields hold data: CTNL_ATTR_* bits, as libctnl sets them."""
        return self._c.attrs

    @property
    def id(self) -> Optional[int]:
        """The entry's id in the kernel (a key with it reaches only this
        entry)."""
        c = self._c
        return c.id if c.attrs & _ID else None

    @property
    def status(self) -> Optional[Status]:
        """Status bits (ctnl.Status)."""
        c = self._c
        return Status(c.status) if c.attrs & _STATUS else None

    @property
    def timeout(self) -> Optional[int]:
        """Seconds left."""
        c = self._c
        return c.timeout if c.attrs & _TIMEOUT else None

    @property
    def mark(self) -> Optional[int]:
        """The connection mark."""
        c = self._c
        return c.mark if c.attrs & _MARK else None

    @property
    def use(self) -> Optional[int]:
        """The kernel's reference count of the entry."""
        c = self._c
        return c.use if c.attrs & _USE else None

    @property
    def labels(self) -> int:
        """The 128 labels as an int, bit n being label n (0 if none)."""
        c = self._c
        return labels_from_c(c.labels) if c.attrs & _LABELS else 0

    def has_label(self, bit: int) -> bool:
        """Whether label ``bit`` (0..127) is set."""
        return bool(self.labels >> check_int("label", bit, 127) & 1)

    @property
    def counters_orig(self) -> Optional[Counters]:
        """Packets and bytes of the original direction (needs
        nf_conntrack_acct=1)."""
        c = self._c
        if not c.attrs & _CNT_ORIG:
            return None
        k = c.counters[0]
        return Counters(k.packets, k.bytes)

    @property
    def counters_reply(self) -> Optional[Counters]:
        """Packets and bytes of the reply direction."""
        c = self._c
        if not c.attrs & _CNT_REPLY:
            return None
        k = c.counters[1]
        return Counters(k.packets, k.bytes)

    @property
    def start(self) -> Optional[int]:
        """When the entry was made, ns since the epoch (timestamping on)."""
        c = self._c
        return c.start if c.attrs & _START else None

    @property
    def stop(self) -> Optional[int]:
        """When it went, ns since the epoch (destroy events)."""
        c = self._c
        return c.stop if c.attrs & _STOP else None

    @property
    def tcp_state(self) -> Optional[TcpState]:
        """The TCP state (ctnl.TcpState)."""
        c = self._c
        return TcpState(c.tcp.state) if c.attrs & _TCP_STATE else None

    @property
    def tcp_wscale(self) -> Optional[_Tup[int, int]]:
        """Window scale per direction (orig, reply)."""
        c = self._c
        if not c.attrs & _TCP_WSCALE:
            return None
        return (c.tcp.wscale[0], c.tcp.wscale[1])

    @property
    def tcp_flags(self) -> Optional[_Tup[int, int]]:
        """IP_CT_TCP_FLAG_* per direction (orig, reply)."""
        c = self._c
        if not c.attrs & _TCP_FLAGS:
            return None
        return (c.tcp.flags[0], c.tcp.flags[1])

    @property
    def sctp_state(self) -> Optional[int]:
        """The SCTP state (the kernel's SCTP_CONNTRACK_*)."""
        c = self._c
        return c.sctp.state if c.attrs & _SCTP_STATE else None

    @property
    def sctp_vtag(self) -> Optional[_Tup[int, int]]:
        """SCTP verification tags per direction (orig, reply)."""
        c = self._c
        if not c.attrs & _SCTP_VTAG:
            return None
        return (c.sctp.vtag[0], c.sctp.vtag[1])

    @property
    def dccp_state(self) -> Optional[int]:
        """The DCCP state."""
        c = self._c
        return c.dccp.state if c.attrs & _DCCP_STATE else None

    @property
    def dccp_role(self) -> Optional[int]:
        """The DCCP role."""
        c = self._c
        return c.dccp.role if c.attrs & _DCCP_ROLE else None

    @property
    def dccp_handshake_seq(self) -> Optional[int]:
        """The DCCP handshake sequence number."""
        c = self._c
        return c.dccp.handshake_seq if c.attrs & _DCCP_SEQ else None

    @property
    def helper(self) -> Optional[str]:
        """The helper's name ("ftp", ...)."""
        c = self._c
        if not c.attrs & _HELPER:
            return None
        return ffi.string(c.helper).decode(errors="replace")

    @property
    def is_nat(self) -> bool:
        """Whether source or destination NAT applies."""
        c = self._c
        return bool(c.attrs & _STATUS) and bool(c.status & _NAT)

    _FIELDS = ("id", "status", "timeout", "mark", "use", "counters_orig",
               "counters_reply", "start", "stop", "tcp_state", "tcp_wscale",
               "tcp_flags", "sctp_state", "sctp_vtag", "dccp_state",
               "dccp_role", "dccp_handshake_seq", "helper")

    def to_dict(self) -> Dict[str, Any]:
        """Every field the flow carries, tuples as dicts."""
        d: Dict[str, Any] = {"orig": self.orig.to_dict()}
        reply = self.reply
        if reply is not None:
            d["reply"] = reply.to_dict()
        for name in self._FIELDS:
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        if self.labels:
            d["labels"] = self.labels
        return d

    def format(self, *, extended: bool = False, show_id: bool = False,
               now: Optional[int] = None,
               label_names: Optional[Iterable[Optional[str]]] = None) -> str:
        """The line ``conntrack -L`` prints for this entry (``-o
        extended``, ``-o id`` with the flags; delta-time counted to ``now``,
        seconds since the epoch; ``label_names``, by bit, adds labels=)."""
        return _format(lib.ctnl_flow_format_opts, self._c, extended,
                       show_id, now, label_names)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        parts = [repr(self.orig)[6:-1]]
        for name in ("id", "mark", "timeout", "tcp_state"):
            value = getattr(self, name)
            if value is not None:
                if name == "tcp_state":
                    value = value.name
                parts.append(f"{name}={value}")
        if self.labels:
            parts.append(f"labels={self.labels:#x}")
        return f"Flow({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Flow):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.orig, self.id))

    def __reduce__(self):
        return (_flow_from_bytes, (bytes(_buffer(self._c)),))


def _flow_from_bytes(data: bytes) -> Flow:
    c = _new("struct ctnl_flow *")
    _buffer(c)[:] = data
    return Flow._view(c, None)


def copy_flow(src) -> Flow:
    """A flow owning a copy of C flow ``src`` (a struct, not a pointer)."""
    return Flow._view(_new("struct ctnl_flow *", src), None)


def _copy_tuple(dst, t: Any, what: str) -> None:
    if not isinstance(t, Tuple):
        raise ArgumentTypeError(f"{what} must be a ctnl.Tuple, not "
                                f"{type(t).__name__}")
    ffi.memmove(dst, t._c, ffi.sizeof("struct ctnl_tuple"))


def _format(fn, c, extended, show_id, now, label_names) -> str:
    opts = _new("struct ctnl_format_opts *")
    opts.size = ffi.sizeof("struct ctnl_format_opts")
    opts.flags = ((lib.CTNL_FORMAT_EXTENDED if extended else 0)
                  | (lib.CTNL_FORMAT_ID if show_id else 0))
    keep = []
    if now is not None:
        opts.now = check_int("now", now, (1 << 63) - 1)
    if label_names is not None:
        names = list(label_names)[:128]
        arr = _new("const char *[128]")
        for i, name in enumerate(names):
            if name:
                keep.append(ffi.new("char[]", str(name).encode()))
                arr[i] = keep[-1]
        keep.append(arr)
        opts.label_names = arr
    size = 512
    while True:
        buf = _new("char[]", size)
        n = fn(c, opts, buf, size)
        if n < size:
            return ffi.string(buf).decode(errors="replace")
        size = n + 1


def as_key(key: Any, kwargs: Dict[str, Any], what: str = "key") -> Flow:
    """A flow from a Flow, a Tuple, or the keywords of Flow()."""
    if key is None:
        if not kwargs:
            raise ValueError(f"{what}: give a Flow, or src, dst, proto, ...")
        return Flow(**kwargs)
    if kwargs:
        raise ValueError(f"{what}: give a Flow or keywords, not both")
    if isinstance(key, Flow):
        return key
    if isinstance(key, Tuple):
        return Flow(orig=key)
    raise ArgumentTypeError(f"{what} must be a ctnl.Flow or ctnl.Tuple, not "
                            f"{type(key).__name__}")


# ---- Expectations ----

class Expect:
    """An expectation: a connection a helper expects, related to a master
    entry. Read-only; fields the kernel did not report read as None."""

    __slots__ = ("_c", "_o")
    _c: Any     # struct ctnl_expect *
    _o: Any     # what keeps _c's memory alive

    @classmethod
    def _view(cls, c, owner) -> "Expect":
        e = cls.__new__(cls)
        e._c = c
        e._o = owner
        return e

    def _has(self, bit: int) -> bool:
        return bool(self._c.attrs & bit)

    @property
    def master(self) -> Optional[Tuple]:
        """The master entry's original tuple."""
        return (Tuple._view(self._c.master, self)
                if self._has(lib.CTNL_EXP_ATTR_MASTER) else None)

    @property
    def tuple(self) -> Optional[Tuple]:
        """The expected connection."""
        return (Tuple._view(self._c.tuple, self)
                if self._has(lib.CTNL_EXP_ATTR_TUPLE) else None)

    @property
    def mask(self) -> Optional[Tuple]:
        """Which bits of ``tuple`` must match."""
        return (Tuple._view(self._c.mask, self)
                if self._has(lib.CTNL_EXP_ATTR_MASK) else None)

    @property
    def timeout(self) -> Optional[int]:
        """Seconds left."""
        c = self._c
        return c.timeout if c.attrs & lib.CTNL_EXP_ATTR_TIMEOUT else None

    @property
    def id(self) -> Optional[int]:
        """The expectation's id in the kernel."""
        return self._c.id if self._has(lib.CTNL_EXP_ATTR_ID) else None

    @property
    def flags(self) -> Optional[int]:
        """NF_CT_EXPECT_* flags."""
        return self._c.flags if self._has(lib.CTNL_EXP_ATTR_FLAGS) else None

    @property
    def klass(self) -> Optional[int]:
        """The expectation class (``class`` in C)."""
        if not self._has(lib.CTNL_EXP_ATTR_CLASS):
            return None
        return getattr(self._c, "class")

    @property
    def zone(self) -> Optional[int]:
        """The zone (the kernel does not report it: 0 from a read)."""
        return self._c.zone if self._has(lib.CTNL_EXP_ATTR_ZONE) else None

    @property
    def helper(self) -> Optional[str]:
        """The helper's name."""
        if not self._has(lib.CTNL_EXP_ATTR_HELPER):
            return None
        return ffi.string(self._c.helper).decode(errors="replace")

    @property
    def fn(self) -> Optional[str]:
        """The expectation function's name."""
        if not self._has(lib.CTNL_EXP_ATTR_FN):
            return None
        return ffi.string(self._c.fn).decode(errors="replace")

    def format(self) -> str:
        """The line ``conntrack -L expect`` prints."""
        return _format(lib.ctnl_expect_format_opts, self._c, False, False,
                       None, None)

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Expect({self.tuple!r}, master={self.master!r}, id={self.id})"


def copy_expect(src) -> Expect:
    return Expect._view(_new("struct ctnl_expect *", src), None)


# ---- Filters ----

class Filter:
    """Which entries an operation acts on: every criterion given must hold.

    ``Filter()`` matches every entry of every family. Criteria::

        family      "ipv4" / "ipv6" (or socket.AF_INET / AF_INET6)
        proto       a number or a name ("tcp", "udp", "icmp", ...)
        src, dst, reply_src, reply_dst
                    an address, or a network ("10.0.0.0/8"): a prefix
        sport, dport, reply_sport, reply_dport
                    ports (with a proto that has them)
        mark        an int, with mark_mask (default all bits):
                    entries whose mark & mark_mask == mark
        status      Status bits, with status_mask (default: status):
                    entries whose status & status_mask == status
        zone        the zone (0 is the default zone)
        tcp_state   a TcpState
        labels      an int of labels that must all be set
        userspace   True: filter here only, never asking the kernel

    Checked when made: a bad criterion raises ValueError. The kernel
    applies what it can, libctnl the rest, with the same result either way.
    """

    __slots__ = ("_c", "_criteria")

    _KEYS = frozenset(("family", "proto", "src", "dst", "reply_src",
                       "reply_dst", "sport", "dport", "reply_sport",
                       "reply_dport", "mark", "mark_mask", "status",
                       "status_mask", "zone", "tcp_state", "labels",
                       "userspace"))

    def __init__(self, **criteria: Any) -> None:
        unknown = set(criteria) - self._KEYS
        if unknown:
            raise ArgumentTypeError(
                f"unknown filter criteria: {', '.join(sorted(unknown))}")
        c = _new("struct ctnl_filter *")
        crit = {k: v for k, v in criteria.items() if v is not None}
        match = 0
        family = check_family(crit.get("family"))
        if "proto" in crit:
            c.proto = check_proto(crit["proto"])
            match |= lib.CTNL_MATCH_PROTO
        for key, bit, field in (
                ("src", lib.CTNL_MATCH_ORIG_SRC, "orig_src"),
                ("dst", lib.CTNL_MATCH_ORIG_DST, "orig_dst"),
                ("reply_src", lib.CTNL_MATCH_REPLY_SRC, "reply_src"),
                ("reply_dst", lib.CTNL_MATCH_REPLY_DST, "reply_dst")):
            if key not in crit:
                continue
            net = check_network(key, crit[key])
            fam = _family_of(net)
            if family and family != fam:
                raise ValueError(f"{key} {net} is not of the filter's family")
            family = fam
            _put_addr(getattr(c, field), net.network_address)
            plen = net.prefixlen
            exact = plen == net.max_prefixlen
            setattr(c, field + "_len", 0 if exact else plen)
            match |= bit
        c.family = family
        for key, bit, field in (
                ("sport", lib.CTNL_MATCH_ORIG_SPORT, "orig_sport"),
                ("dport", lib.CTNL_MATCH_ORIG_DPORT, "orig_dport"),
                ("reply_sport", lib.CTNL_MATCH_REPLY_SPORT, "reply_sport"),
                ("reply_dport", lib.CTNL_MATCH_REPLY_DPORT, "reply_dport")):
            if key not in crit:
                continue
            if not match & lib.CTNL_MATCH_PROTO or \
                    not c.proto in _HAS_PORTS:
                raise ValueError(f"{key} needs a proto that has ports")
            setattr(c, field, check_int(key, crit[key], 0xFFFF))
            match |= bit
        if "mark" in crit:
            c.mark = check_int("mark", crit["mark"], _U32)
            c.mark_mask = check_int("mark_mask", crit.get("mark_mask", _U32),
                                    _U32)
            if c.mark & ~c.mark_mask & _U32:
                raise ValueError(f"mark {c.mark:#x} has bits outside "
                                 f"mark_mask {c.mark_mask:#x}: nothing "
                                 "would match")
            match |= lib.CTNL_MATCH_MARK
        elif "mark_mask" in crit:
            raise ValueError("mark_mask needs mark")
        if "status" in crit:
            c.status = check_int("status", crit["status"], _U32)
            c.status_mask = check_int("status_mask",
                                      crit.get("status_mask", c.status), _U32)
            match |= lib.CTNL_MATCH_STATUS
        elif "status_mask" in crit:
            raise ValueError("status_mask needs status")
        if "zone" in crit:
            c.zone = check_int("zone", crit["zone"], 0xFFFF)
            match |= lib.CTNL_MATCH_ZONE
        if "tcp_state" in crit:
            c.tcp_state = check_int("tcp_state", crit["tcp_state"],
                                    lib.CTNL_TCP_STATE_MAX - 1)
            match |= lib.CTNL_MATCH_TCP_STATE
        if "labels" in crit:
            labels_to_c(c.labels, check_labels("labels", crit["labels"]))
            match |= lib.CTNL_MATCH_LABELS
        if crit.get("userspace"):
            c.flags = lib.CTNL_FILTER_USERSPACE
        c.match = match
        self._c = c
        self._criteria = crit

    @classmethod
    def of(cls, value: Any, criteria: Dict[str, Any]) -> Optional["Filter"]:
        """A filter from a Filter, a dict of criteria, or keywords."""
        if value is None:
            return cls(**criteria) if criteria else None
        if criteria:
            raise ValueError("give a filter or criteria as keywords, not both")
        if isinstance(value, Filter):
            return value
        if isinstance(value, dict):
            return cls(**value)
        raise ArgumentTypeError(f"filter must be a ctnl.Filter or a dict, "
                                f"not {type(value).__name__}")

    def match(self, flow: Flow) -> bool:
        """Whether ``flow`` passes the filter, as libctnl decides."""
        if not isinstance(flow, Flow):
            raise ArgumentTypeError("match() takes a ctnl.Flow")
        return bool(lib.ctnl_filter_match(self._c, flow._c))

    def __call__(self, flow: Flow) -> bool:
        return self.match(flow)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._criteria.items())
        return f"Filter({args})"
