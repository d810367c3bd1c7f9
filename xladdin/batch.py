"""Running recalculation over files from the command line: inputs, parallel runs, failures,
JSON, the summary workbook and the demo.

The per-file functions (:func:`recalc_one` for paths, :func:`recalc_bytes` for a file's
contents) never raise: a domain error or any other exception becomes the outcome's error, so
one bad workbook never stops a batch. They are module-level and return plain picklable data,
so a process pool or a Dask cluster can run them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .core.errors import Location, WorkbookError, XladdinError
from .core.numbers import fmt_number
from .termtable import render

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# Excel's lock files (~$书.xlsx) and our own atomic-write temporaries (.xladdin-*.xlsx).
SKIPPED_PREFIXES = ("~$", ".xladdin-")


@dataclass
class Outcome:
    """What happened to one workbook: its ``recalc --json`` dict, or one Chinese error line."""

    source: Path
    output: Path | None
    summary: dict[str, Any] | None
    error: str | None
    info: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """One workbook of a batch, in input order."""

    index: int
    source: Path
    output: Path | None


# -- the per-file functions -------------------------------------------------------------------


def _internal_error(source: Path, exc: BaseException) -> str:
    return f"文件 {source}：内部错误：{type(exc).__name__}: {exc}"


def recalc_one(source: Path, output: Path | None) -> Outcome:
    """Recalculate one file; any error becomes the outcome's error, never an exception."""
    from .core.export import result_dict
    from .workbook.recalc import recalc

    try:
        done = recalc(source, output)
        evidence = done.data.evidence
        return Outcome(
            source,
            output,
            result_dict(done.result, str(source), done.findings),
            None,
            {"unit": evidence.unit, "project": evidence.project, "evaluator": evidence.evaluator},
        )
    except XladdinError as exc:
        return Outcome(source, output, None, str(exc.in_file(str(source))))
    except Exception as exc:
        return Outcome(source, output, None, _internal_error(source, exc))


def recalc_bytes(
    source: Path, data: bytes, want_output: bool
) -> tuple[Outcome, bytes | None, bool]:
    """Recalculate a workbook given its contents (for workers that cannot see the file).

    Returns the outcome, the patched file if ``want_output`` (the same bytes the headless writer
    saves) and whether any cell changed. Errors name ``source``, as :func:`recalc_one` would.
    """
    from .core.export import result_dict
    from .workbook.reader import read_workbook
    from .workbook.recalc import apply_plan, score_book

    try:
        book = read_workbook(source, data)
        result, findings, plan = score_book(book)
        apply_plan(book, plan)
        patched = book.package.to_bytes() if want_output else None
        evidence = book.evidence
        outcome = Outcome(
            source,
            None,
            result_dict(result, str(source), findings),
            None,
            {"unit": evidence.unit, "project": evidence.project, "evaluator": evidence.evaluator},
        )
        return outcome, patched, bool(book.package.changed)
    except XladdinError as exc:
        return Outcome(source, None, None, str(exc.in_file(str(source)))), None, False
    except Exception as exc:
        return Outcome(source, None, None, _internal_error(source, exc)), None, False


def write_output(source: Path, output: Path, data: bytes, changed: bool) -> None:
    """Write a patched workbook atomically, as the headless writer does (an unchanged workbook
    recalculated in place is left alone)."""
    if output.exists() and output.is_dir():
        raise WorkbookError("输出路径是一个文件夹", Location(file=str(output)))
    if not changed and output.resolve() == source.resolve():
        return
    from .workbook.package import file_mode

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".xladdin-", suffix=output.suffix, dir=output.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temp, file_mode(output))
            os.replace(temp, output)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WorkbookError(f"无法写出文件（{exc.strerror}）", Location(file=str(output))) from None


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
    inputs: list[tuple[Path, Path]], output: Path | None, out_dir: Path | None, in_place: bool
) -> tuple[list[Task], dict[int, Outcome]]:
    """Tasks in input order, and failed outcomes (by input index) for inputs whose output
    would overwrite another input's output."""
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
        tasks.append(Task(index, source, target))
    return tasks, clashes


# -- running ----------------------------------------------------------------------------------


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Progress:
    """A tqdm bar on stderr, only when stderr is a terminal and not ``quiet``."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar: Any = None
        if total > 1 and not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="个", desc="重算", file=sys.stderr, leave=False)

    def update(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _ignore_ctrl_c() -> None:
    # Ctrl+C reaches every process of the console: the parent stops the batch, the workers
    # finish the file in hand instead of dying mid-write with a traceback.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(tasks: list[Task]) -> list[tuple[int, Outcome]]:
    return [(t.index, recalc_one(t.source, t.output)) for t in tasks]


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
            results[task.index] = recalc_one(task.source, task.output)
            on_done(1)
    else:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        # Imported before the pool starts so that forked workers inherit the modules.
        from .core import export  # noqa: F401
        from .workbook import recalc  # noqa: F401

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
                                _internal_error(task.source, exc) + hint,
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


def run_recalc(
    files: list[Path],
    *,
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    as_json: bool,
    jobs: int | None = None,
    summary: Path | None = None,
    scheduler: str | None = None,
    quiet: bool = False,
) -> int:
    """The ``recalc`` command: returns the exit code (1 if any file failed)."""
    inputs = collect_inputs(files, exclude_dir=out_dir, exclude_file=summary)
    if not inputs:
        raise XladdinError(
            "没有找到要重算的工作簿（.xlsx/.xlsm）：" + "、".join(str(f) for f in files)
        )
    if output is not None and len(inputs) != 1:
        raise click.UsageError("-o 只能用于一个输入文件；多个文件请用 --out-dir")
    tasks, clashes = plan_tasks(inputs, output, out_dir, in_place)
    progress = Progress(len(tasks), quiet)
    try:
        if scheduler is not None:
            from .distributed import run_on_dask

            outcomes = run_on_dask(tasks, scheduler, progress.update)
        else:
            outcomes = run_local(tasks, jobs or default_jobs(), progress.update)
    finally:
        progress.close()
    outcomes = _in_input_order(tasks, outcomes, clashes)
    if summary is not None:
        from .summary import write_summary

        write_summary(outcomes, summary)
    report(outcomes, as_json, wrote=output is not None or out_dir is not None or in_place)
    if summary is not None and not as_json:
        click.echo(f"汇总表已写入：{summary}")
    return 1 if any(o.error for o in outcomes) else 0


def _in_input_order(
    tasks: list[Task], outcomes: list[Outcome], clashes: dict[int, Outcome]
) -> list[Outcome]:
    by_index = {task.index: outcome for task, outcome in zip(tasks, outcomes, strict=True)}
    by_index.update(clashes)
    return [by_index[index] for index in sorted(by_index)]


def report(outcomes: list[Outcome], as_json: bool, wrote: bool) -> None:
    good = [o for o in outcomes if o.summary is not None]
    failed = [o for o in outcomes if o.error is not None]
    if as_json:
        data: Any = [o.summary for o in good]
        if len(outcomes) == 1 and good:
            data = good[0].summary
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        rows = []
        for o in good:
            assert o.summary is not None
            grade = o.summary["grade"] or "未完成"
            rows.append(
                (
                    str(o.output or o.source),
                    fmt_number_any(o.summary["total"]),
                    grade,
                    len(o.summary["warnings"]),
                )
            )
        if rows:
            click.echo(render(["工作簿", "总分", "等级", "提示"], rows, numeric=(1, 3)))
        if good and not wrote:
            click.echo("（未写出文件：如需保存结果，请使用 -o、--out-dir 或 --in-place）")
    for o in failed:
        click.echo(f"失败：{o.error}", err=True)
    if failed:
        click.echo(f"共 {len(outcomes)} 个文件，{len(failed)} 个失败。", err=True)


def fmt_number_any(value: Any) -> str:
    from decimal import Decimal

    if value is None:
        return ""
    return fmt_number(Decimal(str(value)))


DEMO_RUBRICS = ("nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021")


def run_demo(out: Path) -> int:
    """Build the published examples from the bundled rubrics and evidence, recalculate them."""
    from .library import find_bundled, load_evidence, load_rubric_file
    from .workbook.build import example_name, write_workbook

    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for rubric_id in DEMO_RUBRICS:
        entry = find_bundled(rubric_id)
        assert entry is not None and entry.evidence_path is not None, rubric_id
        path = out / example_name(rubric_id)
        write_workbook(load_rubric_file(entry.path), path, load_evidence(entry.evidence_path))
        outcomes.append(recalc_one(path, path))
    rows = []
    for o in outcomes:
        if o.summary is not None:
            rows.append(
                (
                    o.source.name,
                    o.summary["title"],
                    fmt_number_any(o.summary["total"]),
                    o.summary["grade"] or "未完成",
                )
            )
    click.echo(render(["工作簿", "评分表", "总分", "等级"], rows, numeric=(2,)))
    for o in outcomes:
        if o.error:
            click.echo(f"失败：{o.error}", err=True)
    click.echo(f"示例已写入：{out}")
    return 1 if any(o.error for o in outcomes) else 0
