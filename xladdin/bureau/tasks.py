"""One workbook of a batch: the task, its outcome, and the per-file functions every runner uses.

The per-file functions (:func:`recalc_one` for paths, :func:`recalc_bytes` for a file's
contents) never raise: a domain error or any other exception becomes the outcome's error, so
one bad workbook never stops a batch. They are module-level and return plain picklable data,
so a process pool or a Dask cluster can run them.

An output is written only if it may be: see :func:`check_output` (the package type must match
the output's extension) and :mod:`xladdin.workbook.build` (an existing file is replaced only
when it holds the same entries, unless ``force``).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Location, XladdinError
from ..files import OutputError, guard_output, same_file, write_file

if TYPE_CHECKING:
    from ..core.evidence import Evidence
    from ..core.result import Finding
    from ..workbook.reader import BookData

MACRO_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@dataclass
class Outcome:
    """What happened to one workbook: its ``recalc --json`` dict, or one Chinese error line."""

    source: Path
    output: Path | None
    summary: dict[str, Any] | None
    error: str | None
    info: dict[str, str | None] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # indicator code → its row's code cell


@dataclass(frozen=True)
class Task:
    """One workbook of a batch, in input order. ``force`` lets its output replace any file."""

    index: int
    source: Path
    output: Path | None
    force: bool = False


def internal_error(source: Path, exc: BaseException) -> str:
    return f"文件 {source}：内部错误：{type(exc).__name__}: {exc}"


def _failed(source: Path, output: Path | None, exc: BaseException) -> Outcome:
    if isinstance(exc, XladdinError):
        return Outcome(source, output, None, str(exc.in_file(str(source))))
    return Outcome(source, output, None, internal_error(source, exc))


def _cells(book: BookData, findings: list[Finding]) -> dict[str, str]:
    from ..workbook.build import indicator_cells

    return indicator_cells(book, (f.code for f in findings if f.severity != "info"))


def macro_enabled(content_types: bytes) -> bool:
    """Whether a package's ``[Content_Types].xml`` declares a macro-enabled workbook."""
    return MACRO_CONTENT_TYPE in content_types


def check_output(source: Path, output: Path, content_types: bytes) -> None:
    """Refuse an output whose extension does not match the package: a macro-enabled workbook
    must stay .xlsm (Excel refuses to open it as .xlsx), any other workbook .xlsx."""
    if same_file(source, output):
        return
    suffix = output.suffix.lower()
    wanted = ".xlsm" if macro_enabled(content_types) else ".xlsx"
    if suffix != wanted:
        kind = "含宏的工作簿" if wanted == ".xlsm" else "不含宏的工作簿"
        raise OutputError(
            f"输出文件的扩展名应为 {wanted}（输入 {source.name} 是{kind}），未写出",
            Location(file=str(output)),
        )


def recalc_one(source: Path, output: Path | None, force: bool = False) -> Outcome:
    """Recalculate one file, writing ``output`` if given; any error becomes the outcome's
    error, never an exception."""
    from ..core.export import result_dict
    from ..workbook.recalc import recalc

    try:
        done = recalc(source, None)  # read, score and patch in memory; written below
        package = done.data.package
        if output is not None and (not same_file(source, output) or package.changed):
            content_types = package.read("[Content_Types].xml")
            _write(source, output, package.to_bytes(), force, content_types, done.data.evidence)
        evidence = done.data.evidence
        return Outcome(
            source,
            output,
            result_dict(done.result, str(source), done.findings),
            None,
            {"unit": evidence.unit, "project": evidence.project, "evaluator": evidence.evaluator},
            _cells(done.data, done.findings),
        )
    except Exception as exc:
        return _failed(source, output, exc)


def recalc_bytes(
    source: Path, data: bytes, want_output: bool
) -> tuple[Outcome, bytes | None, bool]:
    """Recalculate a workbook given its contents (for workers that cannot see the file).

    Returns the outcome, the patched file if ``want_output`` (the same bytes the headless writer
    saves) and whether any cell changed. Errors name ``source``, as :func:`recalc_one` would.
    """
    from ..core.export import result_dict
    from ..workbook.reader import read_workbook
    from ..workbook.recalc import apply_plan, score_book

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
            _cells(book, findings),
        )
        return outcome, patched, bool(book.package.changed)
    except Exception as exc:
        return _failed(source, None, exc), None, False


def _content_types(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            return package.read("[Content_Types].xml")
    except (KeyError, zipfile.BadZipFile):
        return b""


def write_output(
    source: Path, output: Path, data: bytes, changed: bool, *, force: bool = False
) -> None:
    """Write a patched workbook safely (an unchanged workbook recalculated in place is left
    alone). An existing ``output`` other than ``source`` is replaced only with ``force`` or
    when it holds the same entries (:mod:`xladdin.workbook.build`)."""
    if not changed and same_file(source, output):
        return
    _write(source, output, data, force, _content_types(data))


def _write(
    source: Path,
    output: Path,
    data: bytes,
    force: bool,
    content_types: bytes,
    evidence: Evidence | None = None,
) -> None:
    """Write ``data`` to ``output`` if it may be replaced. ``evidence`` is the new workbook's
    (read from ``data`` when not given)."""
    if not same_file(source, output):
        check_output(source, output, content_types)
        guard_output(
            output, force=force, own=lambda old: _own(old, data, evidence), what="输出文件"
        )
    write_file(output, data)


def _own(existing: Path, data: bytes, evidence: Evidence | None) -> bool:
    # A rerun over unchanged inputs finds the very bytes it would write: no need to read them.
    from ..workbook.build import entries, holds_entries, same_workbook_entries

    if existing.stat().st_size == len(data) and existing.read_bytes() == data:
        return True
    if evidence is None:
        return same_workbook_entries(existing, data)
    return holds_entries(existing, evidence.rubric, entries(evidence))
