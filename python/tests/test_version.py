# SPDX-License-Identifier: LGPL-2.1-or-later
"""The package's version is the project's, and it runs on the library the
tree built."""

from __future__ import annotations

import re
from pathlib import Path

import ctnl

ROOT = Path(__file__).resolve().parents[2]


def project_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(libctnl VERSION (\S+)", text).group(1)


def test_the_package_version_is_the_projects():
    assert ctnl.__version__ == project_version()
    pyproject = (ROOT / "python" / "pyproject.toml").read_text()
    assert f'version = "{project_version()}"' in pyproject


def test_it_runs_on_the_library_of_the_tree():
    assert ctnl.library_version() == project_version()
