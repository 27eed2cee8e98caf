"""Checking and building: the dry run over every product, and the scheduler that builds.

:func:`check_project` is Sphinx's dummy builder: it loads and checks the content, runs
every product's templates and checks every recipe in the recipes folder, and writes
nothing. :func:`build_products` renders the batches of the named products in worker
processes, one per core, the slowest first; the files are returned in the products'
order whatever finishes first, and the first failure (in that order) is raised as it
is, so the command line prints it as one line.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, did_you_mean, display_path
from .files.outputs import check_outputs
from .participants.lists import Person
from .products import (
    PRODUCTS,
    CardOptions,
    CardsProduct,
    Product,
    ProductOptions,
    Target,
    WorkbookProduct,
    product_class,
    workbook_options,
)
from .project import Project
from .recipes import Recipe, load_recipe
from .rendering.templates import OVERRIDES, package_templates


@dataclass(frozen=True)
class CheckReport:
    principles: int
    exercises: int
    stories: int
    articles: int
    recipes: int
    files: int
    """How many PDFs a build of every product would write."""
    warnings: tuple[Problem, ...]
    principle_word: tuple[str, str] = ("principe", "principes")
    """What the programme calls a principle, singular and plural."""


def check_project(project: Project) -> CheckReport:
    """Check everything and write nothing; raise the first kind of problem found (content
    first: recipes name its slugs)."""
    content = project.content
    products = [cls(project) for cls in PRODUCTS.values()]
    files = sum(product.check() for product in products)
    # the small cards too: a build with --kaartformaat a6 measures its own
    small = CardsProduct(project, CardOptions(card_size="a6"))
    small.check()
    measured = [p for product in [*products, small] for p in product.warnings()]
    recipes = WorkbookProduct(project).recipes()
    _check_training_day(project, recipes)
    template_warnings = _check_own_templates(project)
    recipe_warnings = [w for recipe in recipes for w in recipe.warnings]
    return CheckReport(
        principles=len(content.principles),
        exercises=sum(1 for _ in content.exercises()),
        stories=sum(1 for _ in content.stories()),
        articles=len(content.articles),
        recipes=len(recipes),
        files=files,
        warnings=tuple(
            sorted({*content.warnings(), *measured, *template_warnings, *recipe_warnings})
        ),
        principle_word=(content.words.principle.singular, content.words.principle.plural),
    )


def _check_training_day(project: Project, recipes: Sequence[Recipe]) -> None:
    """The attendance list and certificates of a day, run once against the first recipe with
    a stand-in participant: their templates (and styles) are checked like every other's."""
    if not recipes:
        return
    stand_in = Person(file="", line=0, name="Voorbeeld Deelnemer", fields={"organisatie": "x"})
    for name in ("attendance", "certificates"):
        cls = product_class(name)
        cls(project, cls.Options(recipe=recipes[0], people=(stand_in,))).check()  # type: ignore[call-arg]


def _check_own_templates(project: Project) -> list[Problem]:
    """Every template of the content set's ``sjablonen/`` compiles; one that replaces none of
    werkboek's is never used (a warning: a misspelt name, most likely)."""
    folder = project.content_dir / OVERRIDES
    if not folder.is_dir():
        return []
    templates = project.renderer.templates
    known = set(package_templates())
    warnings = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        if name not in known:
            hint = did_you_mean(name, known)
            message = f"geen sjabloon van werkboek heet zo, het wordt niet gebruikt{hint}"
            warnings.append(Problem(display_path(path), 1, 1, "", message))
            continue
        templates.check(name)
    return warnings


def build_products(
    project: Project,
    names: Sequence[str],
    options: Mapping[str, ProductOptions] | None = None,
    jobs: int | None = None,
    *,
    force: bool = False,
    inputs: Sequence[Path] = (),
) -> list[Path]:
    """Build the named products (``all`` or none: every one); return the files written.

    The one way to PDF files, for every command. Nothing is written unless every file may
    be (see :mod:`.files.outputs`): ``inputs`` are the run's own input files (a recipe, a
    participant list), never an output; ``force`` replaces files werkboek did not make.
    """
    if not names or list(names) == ["all"]:
        names = list(PRODUCTS)
    classes = [product_class(name) for name in names]
    options = options or {}
    project.content  # noqa: B018 - load and check the content once, before any worker starts
    products = [cls(project, options.get(cls.name)) for cls in classes]
    work = [(product, batch) for product in products for batch in product.batches()]
    check_outputs(
        (path for _, batch in work for target in batch for path in target.files),
        inputs=[*project.inputs, *inputs, *(p for product in products for p in product.inputs())],
        force=force,
    )
    workers = min(len(work), jobs or cores())
    if workers <= 1:
        return [path for product, batch in work for path in product.build(batch)]
    return [path for paths in _build_in_parallel(project, work, workers) for path in paths]


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_worker_project: Project | None = None
WORKER_TEMP_PREFIX = "werkboek-"
"""A worker's own temporary folder, ``werkboek-<pid>-…``: what WeasyPrint writes there
(its font files) goes when the worker ends, however it ends."""


def start_worker(project: Project, parent: int) -> None:
    """Set a worker up: it dies with its parent, cleans up after itself, leaves Ctrl-C to
    the parent, and has the project (content loaded, with fork)."""
    global _worker_project
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    # a SIGTERM (the parent gone) waits until the folder and its clean-up are both there
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    folder = tempfile.mkdtemp(prefix=f"{WORKER_TEMP_PREFIX}{os.getpid()}-")
    tempfile.tempdir = folder
    multiprocessing.util.Finalize(
        None, shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True}, exitpriority=10
    )

    def end(signum: int, frame: object) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, end)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    _worker_project = project


def worker_project() -> Project:
    """In a worker process: the project it works for."""
    if _worker_project is None:
        raise RuntimeError("not a werkboek worker process")
    return _worker_project


def clean_stale_tempdirs() -> None:
    """Remove the temporary folders of workers that are gone (killed with ``kill -9``)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WORKER_TEMP_PREFIX}*-*"):
        pid = folder.name.removeprefix(WORKER_TEMP_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # someone else's process
            continue


def _build_in_worker(
    cls: type[Product], options: ProductOptions, batch: list[Target]
) -> list[Path]:
    assert _worker_project is not None
    return cls(_worker_project, options).build(batch)


def _build_in_parallel(
    project: Project, work: list[tuple[Product, list[Target]]], workers: int
) -> list[list[Path]]:
    import threading
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    # fork: the workers start with the content loaded and WeasyPrint imported. Forking a
    # process that runs other threads is unsafe: then spawn, and the project is pickled.
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")

    def cost(index: int) -> float:
        product, batch = work[index]
        return sum(product.cost(target) for target in batch)

    slowest_first = sorted(range(len(work)), key=lambda i: -cost(i))
    clean_stale_tempdirs()
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=start_worker, initargs=(project, os.getpid())
    )
    try:
        futures = {}
        for i in slowest_first:
            product, batch = work[i]
            futures[i] = pool.submit(_build_in_worker, type(product), product.options, batch)
        done, _ = wait(futures.values(), return_when=FIRST_EXCEPTION)
        failed = [i for i in range(len(work)) if futures[i] in done and futures[i].exception()]
        if failed:
            for future in futures.values():
                future.cancel()
            exception = futures[failed[0]].exception()
            assert exception is not None
            raise exception
        return [futures[i].result() for i in range(len(work))]
    except BaseException:  # a failure, Ctrl-C, SIGTERM: stop every worker now
        stop_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def stop_pool(pool: Any) -> None:
    """Stop a process pool now: its workers terminated, not waited for. Its manager thread
    is then waited for (it ends as soon as it sees them gone), so the pool's queues can be
    let go of: their locks are named semaphores, left to the resource tracker (with a
    warning of "leaked semaphore objects") by a process that a signal ends next."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    if manager is not None:
        manager.join(timeout=10)


def build_workbook(
    project: Project,
    recipe: Recipe | Path,
    output: Path | None = None,
    *,
    edition: str | None = None,
    names: Sequence[str] = (),
    folder: bool = False,
    force: bool = False,
    inputs: Sequence[Path] = (),
    booklet: bool = False,
) -> list[Path]:
    """Build the workbook of a recipe (or recipe file), with the output rules of
    :func:`~.products.workbook_options`, through :func:`build_products` like every product."""
    if isinstance(recipe, Path):
        inputs = [*inputs, recipe]
        recipe = load_recipe(recipe, project.content)
    options = workbook_options(
        recipe, output, edition=edition, names=names, folder=folder, booklet=booklet
    )
    return build_products(project, ["workbook"], {"workbook": options}, force=force, inputs=inputs)
