"""Read the tables of a Word document into :class:`~.table.Grid` s with python-docx.

Horizontal merges come from ``w:gridSpan``, vertical ones from ``w:vMerge`` (restart/continue).
A cell's paragraphs are joined with line breaks. Cells are named "表格1 第5行第3列" (table, row
and grid column, counted from 1). The paragraphs just before a table are kept as title candidates.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..core.errors import Location, WorkbookError
from .table import Grid, Merge


def open_document(path: Path) -> Any:
    import docx

    try:
        return docx.Document(str(path))
    except FileNotFoundError:
        raise WorkbookError("文件不存在", Location(file=str(path))) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(
            f"无法读取 Word 文件（{type(exc).__name__}）：请确认是 .docx 格式且未损坏",
            Location(file=str(path)),
        ) from None


def _cell_text(tc: Any, table: Any) -> str:
    from docx.table import _Cell

    text = _Cell(tc, table).text
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _rows_and_merges(table: Any) -> tuple[list[list[str]], list[Merge]]:
    rows: list[list[str]] = []
    finished: list[Merge] = []
    open_merges: dict[int, list[int]] = {}  # left column → [top, left, bottom, right]
    for r, tr in enumerate(table._tbl.tr_lst):
        row: list[str] = [""] * tr.grid_before
        seen: set[int] = set()
        for tc in tr.tc_lst:
            left = len(row)
            span = max(1, tc.grid_span)
            vmerge = tc.vMerge
            if vmerge == "continue" and left in open_merges:
                open_merges[left][2] = r
                row.extend([""] * span)
            else:
                if left in open_merges:
                    finished.append(Merge(*open_merges.pop(left)))
                row.append(_cell_text(tc, table))
                row.extend([""] * (span - 1))
                rect = [r, left, r, left + span - 1]
                if vmerge == "restart":
                    open_merges[left] = rect
                elif span > 1:
                    finished.append(Merge(*rect))
            seen.add(left)
        for left in [col for col in open_merges if col not in seen]:
            finished.append(Merge(*open_merges.pop(left)))
        rows.append(row)
    finished.extend(Merge(*rect) for rect in open_merges.values())
    return rows, finished


def _preceding_paragraphs(document: Any) -> list[list[str]]:
    """For each top-level table, in document order, the paragraph texts just before it."""
    from docx.oxml.ns import qn

    before: list[list[str]] = []
    recent: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(node.text or "" for node in child.iter(qn("w:t"))).strip()
            if text:
                recent = [*recent, text][-4:]
        elif child.tag == qn("w:tbl"):
            before.append(recent)
            recent = []
    return before


def _following_paragraphs(document: Any) -> list[list[str]]:
    """For each top-level table, the paragraph texts between it and the next table."""
    from docx.oxml.ns import qn

    after: list[list[str]] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            after.append([])
        elif child.tag == qn("w:p") and after:
            text = "".join(node.text or "" for node in child.iter(qn("w:t"))).strip()
            if text:
                after[-1].append(text)
    return after


def table_grids(path: Path, document: Any) -> list[Grid]:
    """Every top-level table of the document as a grid (table numbers count from 1)."""
    titles = _preceding_paragraphs(document)
    following = _following_paragraphs(document)
    grids: list[Grid] = []
    for number, table in enumerate(document.tables, start=1):
        rows, merges = _rows_and_merges(table)

        def locate(r: int, c: int, n: int = number) -> str:
            return f"表格{n} 第{r + 1}行第{c + 1}列"

        def locate_row(r: int, n: int = number) -> str:
            return f"表格{n} 第{r + 1}行"

        grids.append(
            Grid(
                source=str(path),
                sheet=None,
                rows=rows,
                merges=merges,
                locate=locate,
                locate_row=locate_row,
                title_candidates=titles[number - 1] if number <= len(titles) else [],
                after=following[number - 1] if number <= len(following) else [],
            )
        )
    return grids


def join_grids(first: Grid, more: list[Grid], numbers: list[int]) -> Grid:
    """A table continued in further tables (one per page): their rows appended, names kept."""
    rows = [list(row) for row in first.rows]
    merges = list(first.merges)
    owners: list[tuple[int, int, Grid]] = [(0, numbers[0], first)]
    for grid, number in zip(more, numbers[1:], strict=True):
        offset = len(rows)
        rows.extend(list(row) for row in grid.rows)
        merges.extend(
            Merge(m.top + offset, m.left, m.bottom + offset, m.right) for m in grid.merges
        )
        owners.append((offset, number, grid))

    def owner(r: int) -> tuple[int, int]:
        for offset, number, _ in reversed(owners):
            if r >= offset:
                return offset, number
        return 0, numbers[0]

    def locate(r: int, c: int) -> str:
        offset, number = owner(r)
        return f"表格{number} 第{r - offset + 1}行第{c + 1}列"

    def locate_row(r: int) -> str:
        offset, number = owner(r)
        return f"表格{number} 第{r - offset + 1}行"

    return Grid(
        source=first.source,
        sheet=None,
        rows=rows,
        merges=merges,
        locate=locate,
        locate_row=locate_row,
        title_candidates=first.title_candidates,
        after=more[-1].after if more else first.after,
    )
