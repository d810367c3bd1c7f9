"""Write workbooks from rubrics: templates, filled examples, the bundled example set.

A workbook is its layout's scoring sheet (the 评分表 of the published tables, or the national
self-evaluation form), then the sheets every workbook has (得分情况, the hidden 指标体系,
xlwings.conf).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter

from ..core.errors import Location, WorkbookError
from ..core.evidence import Evidence
from ..core.rubric import Rubric
from ..core.scoring import score
from ..library import bundled, load_evidence, load_rubric_file
from .form import form_sheet
from .layout import FormLayout, layout_for
from .package import file_mode
from .plan import build_plan
from .sheets import config_sheet, rubric_sheet, summary_sheet
from .styles import Formats
from .template import scoring_sheet

FIXED_TIME = dt.datetime(2000, 1, 1)


def build_workbook(
    rubric: Rubric,
    path: Path,
    evidence: Evidence | None = None,
    extend: Callable[[Any], None] | None = None,
) -> None:
    """Write a template (or, with evidence, a filled and scored example) of ``rubric`` to ``path``.

    ``extend`` receives the XlsxWriter workbook before it is closed, to add a bureau's own
    sheets, charts or a VBA project (``.xlsm``) to the generated file.
    """
    if rubric.depth > 3:
        raise ValueError("the scoring table supports three indicator levels")
    filled = evidence if evidence is not None else Evidence(rubric=rubric.id)
    result = score(rubric, filled)
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    plan = build_plan(rubric, result, rows, layout)

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
    if extend is not None:
        extend(book)
    book.close()


def write_workbook(rubric: Rubric, output: Path, evidence: Evidence | None = None) -> None:
    """Build the workbook of ``rubric`` (filled with ``evidence`` if given) atomically at ``output``."""
    if output.suffix.lower() not in (".xlsx",):
        raise WorkbookError("输出文件应以 .xlsx 结尾", Location(file=str(output)))
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".xladdin-", suffix=".xlsx", dir=output.parent)
    os.close(handle)
    try:
        build_workbook(rubric, Path(temp), evidence)
        os.chmod(temp, file_mode(output))
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def example_name(rubric_id: str) -> str:
    return f"{rubric_id}-example.xlsx"


def write_examples(directory: Path) -> list[Path]:
    """A blank template of every bundled rubric and a filled example of every one with evidence."""
    written: list[Path] = []
    for entry in bundled():
        rubric = load_rubric_file(entry.path)
        template = directory / f"{entry.id}.xlsx"
        write_workbook(rubric, template)
        written.append(template)
        if entry.evidence_path is not None:
            example = directory / example_name(entry.id)
            write_workbook(rubric, example, load_evidence(entry.evidence_path))
            written.append(example)
    return written
