# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shell commands and the witness (`conntrack -L`) for the kernel tests;
they run in the test's own network namespace (see conftest.py)."""

from __future__ import annotations

import re
import subprocess
from typing import Dict, List


def sh(cmd: str, check: bool = True) -> str:
    """Runs a shell command in the test's namespace; its stdout."""
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd!r} failed ({r.returncode}): {r.stderr}")
    return r.stdout


_FIELD = re.compile(r"(\w+)=(\S+)")


def conntrack_list(args: str = "") -> List[Dict[str, str]]:
    """`conntrack -L` as dicts of the original direction's fields (src,
    dst, sport, dport, ...) plus proto, mark, zone and the entry's id
    (``ct_id``; ``id`` is an ICMP tuple's): the witness."""
    out = sh(f"conntrack -L -o id {args} 2>/dev/null")
    entries = []
    for line in out.splitlines():
        fields: Dict[str, str] = {"proto": line.split()[0]}
        for key, value in _FIELD.findall(line):
            fields.setdefault(key, value)     # the first: original direction
        fields["ct_id"] = _FIELD.findall(line)[-1][1]   # -o id puts it last
        entries.append(fields)
    return entries


def labels_on() -> None:
    """The namespace's ruleset uses labels, so its new entries have room
    for them (the kernel keeps none otherwise)."""
    sh("nft -f - <<'EOF'\n"
       "table inet pyctnl_labels {\n"
       "  chain out {\n"
       "    type filter hook output priority 0;\n"
       "    meta mark 0xdeadbeef ct label set 127\n"
       "  }\n"
       "}\n"
       "EOF\n")
