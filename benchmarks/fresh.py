"""Measuring in a fresh process, as every benchmark here does.

A benchmark runs its own file again with ``--child`` and its arguments for each measurement,
so imports, caches and memory of one measurement never reach the next; the child prints its
figures as JSON on its last line.

    parser = fresh.parser(__doc__)          # --runs, and the hidden --child
    args = fresh.parse(parser, child)       # None: this process was the child, done
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from collections.abc import Callable
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


def parser(doc: str) -> argparse.ArgumentParser:
    """A benchmark's arguments: ``--runs``, and ``--child`` (how :func:`in_fresh_process`
    starts it); add its own before :func:`parse`."""
    arguments = argparse.ArgumentParser(description=doc.splitlines()[0])
    arguments.add_argument("--runs", type=int, default=3)
    arguments.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    return arguments


def parse(
    arguments: argparse.ArgumentParser, child: Callable[..., dict[str, Any]]
) -> argparse.Namespace | None:
    """The arguments; None when this process is a child: then ``child`` has measured (called
    with the ``--child`` arguments, as text) and its figures are printed."""
    args = arguments.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return None
    return args
