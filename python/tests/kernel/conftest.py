# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kernel tests' ground: each test runs in a network namespace of its
own, made here and gone when the test ends; the host's table is never
touched. The whole session also takes a private mount namespace with an
empty tmpfs on /run, so the named namespaces it makes (``ip netns add``)
vanish with it and nothing of the machine's /run is relied on.

Without root (or without namespaces) every test is skipped, loudly, and
the session exits with 77, which ctest counts as skipped.

Python 3.11 has no os.unshare(): unshare(2) and setns(2) come from libc
through ctypes. The test process is single-threaded, as these need.
"""

from __future__ import annotations

import ctypes
import os
from typing import List

import pytest

from witness import sh

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)
_why_not: List[str] = []     # why kernel tests cannot run here, if they cannot


def _fail(what: str) -> str:
    err = ctypes.get_errno()
    return f"{what} failed: {os.strerror(err)}"


def _private_mounts() -> None:
    """This process's mounts become its own, with an empty /run."""
    if _libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(_fail("unshare(CLONE_NEWNS)"))
    if _libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise OSError(_fail("making / private"))
    if _libc.mount(b"tmpfs", b"/run", b"tmpfs", 0, b"size=4m,mode=755") != 0:
        raise OSError(_fail("mounting a tmpfs on /run"))


@pytest.fixture(scope="session")
def kernel_ground():
    """Root, and a private mount namespace for the session; else every
    kernel test is skipped, with the reason."""
    if os.geteuid() != 0:
        _why_not.append("not running as root")
    else:
        try:
            _private_mounts()
        except OSError as e:
            _why_not.append(str(e))
    if _why_not:
        pytest.skip(f"*** SKIPPED: {_why_not[0]}. The Python kernel tests "
                    "need root (CAP_SYS_ADMIN, CAP_NET_ADMIN) and network "
                    "namespaces; nothing was tested against the kernel")


def pytest_sessionfinish(session, exitstatus):
    if _why_not and exitstatus == 0:
        print(f"\n*** SKIPPED every Python kernel test: {_why_not[0]}.",
              flush=True)
        session.exitstatus = 77


def _netns_inode() -> int:
    return os.stat("/proc/thread-self/ns/net").st_ino


@pytest.fixture(autouse=True)
def netns(kernel_ground):
    """A fresh network namespace for this test, with lo up; the thread
    goes back to where it was afterwards and the namespace vanishes."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    home_ino = os.fstat(home).st_ino
    try:
        if _libc.unshare(CLONE_NEWNET) != 0:
            pytest.fail(_fail("unshare(CLONE_NEWNET)"))
        # Never run a test on the host's table.
        assert _netns_inode() != home_ino
        sh("ip link set lo up")
        yield
    finally:
        if _netns_inode() != home_ino and _libc.setns(home, CLONE_NEWNET) != 0:
            raise OSError(_fail("setns back to the test's own namespace"))
        os.close(home)
