"""Recalculating many workbooks: which files, where their outputs go, and running them on this
machine (in-process or on a process pool). The per-file work is :mod:`.tasks`; the Dask runner
is :mod:`.distributed`; the summary workbook :mod:`.summary`. Nothing here prints: the command
line shows the outcomes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Location, XladdinError
from ..files import TEMP_PREFIX, OutputError, guard_output, same_file
from .tasks import Outcome, Task, internal_error, recalc_one

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Excel's lock files (~$书.xlsx) and our own temporaries (.xladdin-*.xlsx, see xladdin.files).
SKIPPED_PREFIXES = ("~$", TEMP_PREFIX)


# -- inputs and outputs -----------------------------------------------------------------------


def _is_workbook_name(name: str) -> bool:
    return name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith(SKIPPED_PREFIXES)


def _inside(path: Path, directory: Path | None) -> bool:
    return directory is not None and path.resolve().is_relative_to(directory.resolve())


def collect_inputs(
    paths: Sequence[Path], exclude_dir: Path | None = None, exclude_file: Path | None = None
) -> list[tuple[Path, Path]]:
    """The workbooks to process, each with its path relative to its output folder.

    A directory is searched recursively for .xlsx/.xlsm files (sorted, skipping Excel's ``~$``
    lock files, our own ``.xladdin-`` temporaries, ``exclude_dir`` — the output folder, when it
    lies inside an input folder — and ``exclude_file``, the summary workbook). A file is taken
    as given, even if it is not a workbook, so that the batch reports why it cannot be read.
    The same file reached twice is processed once.
    """
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    excluded_file = exclude_file.resolve() if exclude_file is not None else None
    for path in paths:
        if path.is_dir():
            candidates: list[Path] = []
            for root, dirs, names in os.walk(path):
                base = Path(root)
                dirs[:] = sorted(d for d in dirs if not _inside(base / d, exclude_dir))
                candidates.extend(base / n for n in sorted(names) if _is_workbook_name(n))
            for candidate in sorted(candidates, key=lambda p: p.relative_to(path).parts):
                if candidate.resolve() == excluded_file:
                    continue
                if candidate.resolve() not in seen:
                    seen.add(candidate.resolve())
                    found.append((candidate, candidate.relative_to(path)))
        else:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                found.append((path, Path(path.name)))
    return found


def _own_summary(path: Path) -> bool:
    from .summary import is_summary_workbook

    return is_summary_workbook(path)


def target_for(
    source: Path, output: Path | None, out_dir: Path | None, in_place: bool
) -> Path | None:
    if output is not None:
        return output
    if out_dir is not None:
        return out_dir / source.name
    if in_place:
        return source
    return None


def plan_tasks(
    inputs: list[tuple[Path, Path]],
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    force: bool = False,
) -> tuple[list[Task], dict[int, Outcome]]:
    """Tasks in input order, and failed outcomes (by input index) for inputs whose output
    would overwrite another input's output.

    An output that is its own input without ``in_place`` is refused for the whole run
    (:class:`~xladdin.files.OutputError`), before anything is written.
    """
    tasks: list[Task] = []
    clashes: dict[int, Outcome] = {}
    targets: dict[Path, Path] = {}
    for index, (source, relative) in enumerate(inputs):
        if out_dir is not None:
            target: Path | None = out_dir / relative
        else:
            target = target_for(source, output, None, in_place)
        if target is not None and out_dir is not None:
            key = target.resolve()
            if key in targets:
                clashes[index] = Outcome(
                    source,
                    target,
                    None,
                    f"文件 {source}：输出文件 {target} 与 {targets[key]} 的输出重名，未处理",
                )
                continue
            targets[key] = source
        if target is not None and not in_place and same_file(source, target):
            raise OutputError(
                f"输出文件就是输入文件 {source}；要直接更新原文件请用 --in-place，"
                "否则请换一个输出文件名或文件夹",
                Location(file=str(target)),
            )
        tasks.append(Task(index, source, target, force))
    return tasks, clashes


# -- running ----------------------------------------------------------------------------------


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ignore_ctrl_c() -> None:
    # Ctrl+C reaches every process of the console: the parent stops the batch, the workers
    # finish the file in hand instead of dying mid-write with a traceback. A SIGTERM sent to a
    # worker removes its temporary file before it exits.
    import signal

    from ..files import install_signal_cleanup

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    install_signal_cleanup()


def _run_chunk(tasks: list[Task]) -> list[tuple[int, Outcome]]:
    return [(t.index, recalc_one(t.source, t.output, t.force)) for t in tasks]


def _chunks(tasks: list[Task], jobs: int) -> list[list[Task]]:
    # A few files per submission keeps the pool's per-task overhead small while leaving enough
    # pieces (16 per worker) to balance the load and move the progress bar smoothly.
    size = max(1, min(8, len(tasks) // (jobs * 16)))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def run_local(tasks: list[Task], jobs: int, on_done: Callable[[int], None]) -> list[Outcome]:
    """Run ``tasks`` on this machine: in-process for one job, else on a process pool.

    Outcomes arrive in completion order (``on_done`` is called with how many finished) and
    are returned in input order.
    """
    results: dict[int, Outcome] = {}
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            results[task.index] = recalc_one(task.source, task.output, task.force)
            on_done(1)
    else:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        # Imported before the pool starts so that forked workers inherit the modules.
        from ..core import export  # noqa: F401
        from ..workbook import recalc  # noqa: F401

        pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), initializer=_ignore_ctrl_c)
        pending: dict[Any, list[Task]] = {}
        try:
            for chunk in _chunks(tasks, jobs):
                pending[pool.submit(_run_chunk, chunk)] = chunk
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = pending.pop(future)
                    try:
                        for index, outcome in future.result():
                            results[index] = outcome
                    except Exception as exc:
                        # A worker died (killed, out of memory: the pool is broken and the
                        # remaining files fail too) or a result could not be sent back.
                        hint = (
                            "（处理进程意外退出，可用 --jobs 1 重试）"
                            if isinstance(exc, BrokenProcessPool)
                            else ""
                        )
                        for task in chunk:
                            results[task.index] = Outcome(
                                task.source,
                                task.output,
                                None,
                                internal_error(task.source, exc) + hint,
                            )
                    on_done(len(chunk))
        except BaseException:
            # Ctrl+C: drop the files not started instead of waiting for the whole batch (the
            # futures are cancelled here, not only by shutdown(), which may lose the race
            # against the pool's garbage collection).
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    return [results[task.index] for task in tasks]


@dataclass
class BatchPlan:
    """What a ``recalc`` run will do: its tasks, and the inputs refused before running."""

    tasks: list[Task]
    refused: dict[int, Outcome] = field(default_factory=dict)
    writes: bool = False


def prepare(
    files: Sequence[Path],
    *,
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    force: bool = False,
    summary: Path | None = None,
) -> BatchPlan:
    """Find the inputs and plan their outputs; refuses (raises) before anything is written.

    The summary workbook may not be one of the inputs, and replaces an existing file only if
    that is an xladdin summary (or with ``force``).
    """
    if summary is not None:
        if summary.suffix.lower() != ".xlsx":
            raise OutputError("汇总表的文件名应以 .xlsx 结尾", Location(file=str(summary)))
        own = summary.exists() and _own_summary(summary)
        if summary.exists() and not own:
            given = collect_inputs(files, exclude_dir=out_dir)
            if any(same_file(summary, source) for source, _ in given):
                raise OutputError(
                    "汇总表不能写到要重算的工作簿上（它是输入文件之一），请换一个文件名",
                    Location(file=str(summary)),
                )
        guard_output(summary, force=force, own=_own_summary, what="汇总表")
    inputs = collect_inputs(files, exclude_dir=out_dir, exclude_file=summary)
    if not inputs:
        raise XladdinError(
            "没有找到要重算的工作簿（.xlsx/.xlsm）：" + "、".join(str(f) for f in files)
        )
    tasks, clashes = plan_tasks(inputs, output, out_dir, in_place, force)
    return BatchPlan(tasks, clashes, output is not None or out_dir is not None or in_place)


def run(
    plan: BatchPlan,
    *,
    jobs: int | None = None,
    scheduler: str | Any | None = None,
    on_done: Callable[[int], None] = lambda count: None,
) -> list[Outcome]:
    """Run a planned batch here or on a Dask cluster; outcomes in input order."""
    if scheduler is not None:
        from .distributed import run_on_dask

        outcomes = run_on_dask(plan.tasks, scheduler, on_done)
    else:
        outcomes = run_local(plan.tasks, jobs or default_jobs(), on_done)
    by_index = {task.index: o for task, o in zip(plan.tasks, outcomes, strict=True)}
    by_index.update(plan.refused)
    return [by_index[index] for index in sorted(by_index)]
