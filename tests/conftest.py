from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
REPO = TESTS.parent
CONTENT = REPO / "content"
SEEDS = REPO.parent / "shared" / "seeds"


def make_content(tmp_path: Path, case: str | None = None) -> Path:
    """A copy of the minimal content with the files of ``tests/roots/<case>`` laid over it."""
    target = tmp_path / "content"
    shutil.copytree(ROOTS / "minimal", target)
    if case is not None:
        for path in (ROOTS / case).rglob("*.yaml"):
            destination = target / path.relative_to(ROOTS / case)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


@pytest.fixture(scope="session")
def content():
    from werkboek import load_content

    return load_content(CONTENT)
