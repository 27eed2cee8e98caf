"""Measuring in a fresh process, as every benchmark here does.

A benchmark runs its own file again with ``--child`` and its arguments for each measurement,
so imports, caches and memory of one measurement never reach the next; the child prints its
figures as JSON on its last line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any


def in_fresh_process(script: str, *args: object) -> dict[str, Any]:
    """What ``script --child ARGS…`` printed last, as JSON."""
    command = [sys.executable, script, "--child", *map(str, args)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def peak_mb() -> float:
    """The largest this process has been, in MB (its peak resident set)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
