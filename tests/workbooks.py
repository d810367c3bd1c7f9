"""Helpers for workbook tests: building examples and editing input cells like a user would."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlwings

from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.build import build_workbook
from xladdin.workbook.layout import SCORING_SHEET, ScoringLayout, template_rows
from xladdin.workbook.package import XlsxPackage


def build_example(rubric_id: str, path: Path, extend: Any = None, filled: bool = True) -> Path:
    entry = find_bundled(rubric_id)
    assert entry is not None and entry.evidence_path is not None
    evidence = load_evidence(entry.evidence_path) if filled else None
    build_workbook(load_rubric_file(entry.path), path, evidence, extend)
    return path


def input_ref(rubric_id: str, code: str, key: str) -> str:
    """The cell of ``key`` (a layout column key) on ``code``'s row in a freshly built workbook."""
    entry = find_bundled(rubric_id)
    assert entry is not None
    rubric = load_rubric_file(entry.path)
    layout = ScoringLayout.for_rubric(rubric)
    rows = template_rows(rubric, layout)
    row = rows.leaves.get(code) or rows.adjustments[code]
    return layout.cell(key, row)


def edit_cells(
    path: Path, writes: dict[str, Any], target: Path | None = None, sheet: str = SCORING_SHEET
) -> Path:
    """Change cells as a user would (values only), saving to ``target`` (default: in place)."""
    package = XlsxPackage(path)
    package.write_cells(
        sheet,
        {
            ref: (Decimal(str(v)) if isinstance(v, int | float) else v, None)
            for ref, v in writes.items()
        },
    )
    package.save(target or path)
    return target or path


def tiny_png() -> bytes:
    """A 2×2 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def vba_project() -> bytes:
    """A real vbaProject.bin, taken from xlwings' own quickstart workbook."""
    quickstart = Path(xlwings.__file__).parent / "quickstart.xlsm"
    with zipfile.ZipFile(quickstart) as book:
        return book.read("xl/vbaProject.bin")


def add_user_content(book: Any) -> None:
    """What an officer adds to a generated workbook: own sheet, chart, image, comments, names,
    validation, conditional formats, protection, print settings and a VBA project."""
    sheet = book.add_worksheet("我的测算")
    sheet.write_row(0, 0, ["项目", "金额"])
    sheet.write_column(1, 0, ["培训费", "咨询费", "运维费"])
    sheet.write_column(1, 1, [2.22, 8.76, 15.0])
    sheet.write_formula("B5", "=SUM(B2:B4)", None, 25.98)
    sheet.write_comment("A2", "预算执行率偏低的项目")
    sheet.data_validation("B2:B4", {"validate": "decimal", "criteria": ">=", "value": 0})
    sheet.conditional_format(
        "B2:B4",
        {"type": "cell", "criteria": ">", "value": 10, "format": book.add_format({"bold": True})},
    )
    sheet.insert_image("D2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    chart = book.add_chart({"type": "pie"})
    chart.add_series({"categories": "='我的测算'!$A$2:$A$4", "values": "='我的测算'!$B$2:$B$4"})
    sheet.insert_chart("D8", chart)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.protect("secret")
    book.define_name("测算合计", "='我的测算'!$B$5")
    scoring = book.get_worksheet_by_name(SCORING_SHEET)
    scoring.write_comment("F5", "评分规则来源：部门整体绩效评价办法")
    book.add_vba_project(io.BytesIO(vba_project()), is_stream=True)


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the ``xladdin`` command in-process: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from xladdin.cli import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr
