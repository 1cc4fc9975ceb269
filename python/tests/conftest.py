# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures shared by the unit tests (over the fake) and the kernel tests."""

from __future__ import annotations

import pytest

from ctnl.testing import FakeConntrack

from helpers import tcp, udp6


@pytest.fixture
def fake() -> FakeConntrack:
    f = FakeConntrack()
    yield f
    f.close()


@pytest.fixture
def seeded(fake: FakeConntrack) -> FakeConntrack:
    """A fake holding 10 TCP/IPv4 flows (marks 0..9) and 5 UDP/IPv6 ones
    (mark 100)."""
    for i in range(10):
        fake.add(tcp(i, mark=i))
    for i in range(5):
        fake.add(udp6(i, mark=100))
    return fake
