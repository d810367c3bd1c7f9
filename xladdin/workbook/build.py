"""Write workbooks from rubrics: templates, filled examples, the bundled example set.

A workbook is its layout's scoring sheet (the 评分表 of the published tables, or the national
self-evaluation form), then the sheets every workbook has (得分情况, the hidden 指标体系,
xlwings.conf).

The macro-enabled workbook (``.xlsm``) is the same workbook whose line scores are live
formulas, ``=SCORE_LINE("B11")``, with what they show cached (so a viewer without the add-in
shows the right figures, and the officer sees how each score is computed), plus the VBA
project of xlwings' own standalone quickstart workbook (the xlwings VBA module inside the
workbook: no add-in to install and no VBA reference to tick) and the hidden ``_IntelliSense_``
sheet of argument help.

Which existing workbook a command may replace (without ``--force``): an xladdin workbook of the
same rubric whose entries — everything an officer types into the evidence cells, the header
cells included; not the scores xladdin writes — are the same as those of the workbook about to
be written. Replacing such a file loses nothing anyone typed: a blank template regenerated, an
example rebuilt, a workbook recalculated again. A filled workbook, a workbook of another unit
or of another rubric, and any other file are refused.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Location, WorkbookError
from ..core.evidence import Evidence
from ..core.lint import lint
from ..core.rubric import Rubric
from ..core.scoring import score
from ..files import OutputError, guard_output, write_file
from ..library import bundled, load_evidence, load_rubric_file
from .form import form_sheet
from .layout import FormLayout, layout_for
from .plan import build_plan
from .sheets import config_sheet, intellisense_sheet, rubric_sheet, summary_sheet
from .styles import Formats
from .template import scoring_sheet

# A worksheet function as Excel-DNA IntelliSense shows it: name, description, (argument,
# description) pairs. The Excel layer supplies them (``xladdin.excel.udfs.function_help``).
FunctionInfo = tuple[str, str, Sequence[tuple[str, str]]]

if TYPE_CHECKING:
    from .reader import BookData


FIXED_TIME = dt.datetime(2000, 1, 1)


def build_workbook(
    rubric: Rubric,
    path: Path,
    evidence: Evidence | None = None,
    extend: Callable[[Any], None] | None = None,
    *,
    macro_enabled: bool = False,
    functions: Sequence[FunctionInfo] = (),
) -> None:
    """Write a template (or, with evidence, a filled and scored example) of ``rubric`` to ``path``.

    ``extend`` receives the XlsxWriter workbook before it is closed, to add a bureau's own
    sheets, charts or a VBA project (``.xlsm``) to the generated file. ``macro_enabled``
    makes the macro-enabled workbook (see the module's docstring); ``path`` should then end
    in ``.xlsm``; its ``_IntelliSense_`` sheet lists ``functions`` (the Excel layer's
    ``function_help``; none: no such sheet).
    """
    if rubric.depth > 3:
        raise ValueError("the scoring table supports three indicator levels")
    filled = evidence if evidence is not None else Evidence(rubric=rubric.id)
    result = score(rubric, filled)
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    live = tuple(rows.leaves) if macro_enabled else ()
    # the 提示 show what recalculation shows, so a fresh workbook recalculates to itself
    findings = lint(rubric, filled, result)
    plan = build_plan(rubric, result, rows, layout, live_scores=live, findings=findings)

    import xlsxwriter  # here, not at the top: recalculation imports this module's look-ups

    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.set_properties(
        {
            "title": rubric.title,
            "author": "xladdin",
            "created": FIXED_TIME,
            "comments": "由 xladdin 生成",
        }
    )
    formats = Formats(book)
    if isinstance(layout, FormLayout):
        form_sheet(book, formats, rubric, layout, rows, plan, filled)
    else:
        scoring_sheet(book, formats, rubric, layout, rows, plan, filled)
    summary_sheet(book, formats, rubric, plan)
    rubric_sheet(book, rubric)
    config_sheet(book)
    if macro_enabled:
        if functions:
            intellisense_sheet(book, functions)
        book.add_vba_project(io.BytesIO(standalone_vba_project()), is_stream=True)
    if extend is not None:
        extend(book)
    book.close()


STANDALONE_QUICKSTART = "quickstart_standalone.xlsm"


def standalone_vba_project() -> bytes:
    """The VBA project of the standalone quickstart workbook that ships with xlwings (what
    ``xlwings quickstart --standalone`` copies): the xlwings VBA module and its Dictionary
    class, so the workbook runs its functions and macros without the xlwings add-in and
    without a reference to it; ``ImportPythonUDFs`` imports the functions."""
    spec = importlib.util.find_spec("xlwings")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        quickstart = Path(folder) / STANDALONE_QUICKSTART
        if quickstart.is_file():
            with zipfile.ZipFile(quickstart) as package:
                return package.read("xl/vbaProject.bin")
    raise WorkbookError(
        f"生成含宏的评分表需要 xlwings 自带的 {STANDALONE_QUICKSTART}，"
        "但没有找到：请按使用指南安装 xladdin 规定版本的 xlwings"
    )


def entries(evidence: Evidence) -> dict[str, Any]:
    """What an officer typed, as the reader gives it back: the evidence without the declared
    scores (the 得分 column, which recalculation writes)."""
    data = evidence.model_dump(mode="json", exclude_defaults=True)
    for line in (data.get("lines") or {}).values():
        line.pop("declared", None)
    return data


def holds_entries(existing: Path, rubric_id: str, expected: dict[str, Any]) -> bool:
    """Whether ``existing`` is an xladdin workbook of ``rubric_id`` holding ``expected``
    entries (see :func:`entries`)."""
    from .reader import read_workbook

    book = read_workbook(existing)
    return book.rubric.id == rubric_id and entries(book.evidence) == expected


def same_workbook_entries(existing: Path, new: Path | bytes) -> bool:
    """Whether replacing ``existing`` by the workbook ``new`` (a path or its bytes) keeps
    every entry: see the module's docstring. Never raises."""
    from .reader import read_workbook

    try:
        book = read_workbook(new, None) if isinstance(new, Path) else read_workbook(existing, new)
        return holds_entries(existing, book.rubric.id, entries(book.evidence))
    except Exception:
        return False


def write_workbook(
    rubric: Rubric,
    output: Path,
    evidence: Evidence | None = None,
    *,
    force: bool = True,
    functions: Sequence[FunctionInfo] = (),
) -> None:
    """Build the workbook of ``rubric`` (filled with ``evidence`` if given) safely at ``output``.

    With ``force=False`` an existing file is replaced only if it holds the same entries (see
    the module's docstring); otherwise :class:`~xladdin.files.OutputError` is raised and
    nothing is written.
    """
    if output.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(
            "输出文件应以 .xlsx 结尾（含宏、得分为公式的评分表以 .xlsm 结尾）",
            Location(file=str(output)),
        )
    macro_enabled = output.suffix.lower() == ".xlsm"
    guard_output(output, force=True)  # a folder is refused before anything is built
    replacing = not force and output.exists()

    def build(temp: Path) -> None:
        build_workbook(rubric, temp, evidence, macro_enabled=macro_enabled, functions=functions)
        if replacing and not same_workbook_entries(output, temp):
            raise OutputError(
                "文件已存在，且其中已填写的内容与要生成的不同，未覆盖（确要覆盖请加 --force）",
                Location(file=str(output)),
            )

    write_file(output, build)


def indicator_cells(book: BookData, codes: Iterable[str | None]) -> dict[str, str]:
    """The code cell of each indicator's row, with its sheet (e.g. ``评分表!K12``), for
    messages that name where a finding sits; codes without a row of their own are left out."""
    from .layout import SCORING_SHEET

    cells: dict[str, str] = {}
    rows = {**book.rows.leaves, **book.rows.adjustments}
    for code in codes:
        if code is None or code not in rows:
            continue
        ref = book.layout.find("code", rows[code])
        if ref is not None:
            cells[code] = f"{SCORING_SHEET}!{ref}"
    return cells


def check_replaceable(items: Iterable[tuple[Rubric, Path, Evidence | None]]) -> None:
    """Refuse, before any of them is written, a set of workbooks of which one would replace a
    file holding other entries (see the module's docstring): each existing target is compared
    with a fresh build in a temporary folder."""
    import tempfile

    existing = [(rubric, path, evidence) for rubric, path, evidence in items if path.exists()]
    if not existing:
        return
    with tempfile.TemporaryDirectory(prefix="xladdin-") as folder:
        for rubric, path, evidence in existing:
            guard_output(path, force=True)  # a folder
            fresh = Path(folder) / "fresh.xlsx"
            build_workbook(rubric, fresh, evidence)
            if not same_workbook_entries(path, fresh):
                raise OutputError(
                    "文件已存在，且其中已填写的内容与要生成的不同，未覆盖（确要覆盖请加 --force）",
                    Location(file=str(path)),
                )


def example_name(rubric_id: str) -> str:
    return f"{rubric_id}-example.xlsx"


def write_examples(directory: Path, *, force: bool = True) -> list[Path]:
    """A blank template of every bundled rubric and a filled example of every one with evidence.

    With ``force=False`` nothing is written if any existing file holds other entries."""
    items: list[tuple[Rubric, Path, Evidence | None]] = []
    for entry in bundled():
        rubric = load_rubric_file(entry.path)
        items.append((rubric, directory / f"{entry.id}.xlsx", None))
        if entry.evidence_path is not None:
            filled = load_evidence(entry.evidence_path)
            items.append((rubric, directory / example_name(entry.id), filled))
    if not force:
        check_replaceable(items)
    for rubric, path, evidence in items:
        write_workbook(rubric, path, evidence)
    return [path for _, path, _ in items]
