# SPDX-License-Identifier: LGPL-2.1-or-later
"""Flows of the test tables, shared by the unit and the kernel tests."""

from __future__ import annotations

import ctnl


def tcp(i: int, **kw) -> ctnl.Flow:
    """The i-th TCP flow of a test table: 10.0.x.y:(1000+i) -> 10.1.0.1:80."""
    kw.setdefault("timeout", 300)
    return ctnl.Flow(src=f"10.0.{i >> 8}.{i & 255}", dst="10.1.0.1",
                     proto="tcp", sport=1000 + i, dport=80, **kw)


def udp6(i: int, **kw) -> ctnl.Flow:
    """The i-th UDP flow over IPv6: fd00::i:(2000+i) -> fd00::53:53."""
    kw.setdefault("timeout", 30)
    return ctnl.Flow(src=f"fd00::{i + 1:x}", dst="fd00::53", proto="udp",
                     sport=2000 + i, dport=53, **kw)
