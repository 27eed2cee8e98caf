"""Writing files so that a failure never leaves half a file, nor touches an existing one."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import disk_error

STALE_SECONDS = 60.0
"""A temporary file this old was left by a run that was killed: it is removed."""


def clean_stale(target: Path) -> None:
    """Remove the temporary files of ``target`` that a killed run left behind."""
    now = time.time()
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > STALE_SECONDS:
                leftover.unlink()


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it when the block succeeds.

    A write that fails for the disk's sake (full, read-only, no permission) is an
    :class:`~werkboek.errors.OutputError` naming ``target``, in Dutch; nothing is left."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise disk_error(exc, target, "kan niet schrijven") from None
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as exc:
        raise disk_error(exc, target, "kan niet schrijven") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_atomically(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    with atomic_target(target) as temporary:
        temporary.write_bytes(data)
    return target
