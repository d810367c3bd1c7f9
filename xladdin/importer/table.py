"""A neutral grid: a scoring table read from a worksheet or a Word table, before it is understood.

Each cell has its text, the rectangle of the merged cell it belongs to (if any) and a location
label for error messages ("B12" in a worksheet, "表格1 第5行第3列" in a Word document). The
readers (:mod:`.xlsx`, :mod:`.docx`) build grids; :mod:`.structure` reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.errors import Location


@dataclass(frozen=True)
class Merge:
    """A merged rectangle, 0-based and inclusive: rows ``top..bottom``, columns ``left..right``."""

    top: int
    left: int
    bottom: int
    right: int

    def contains(self, row: int, col: int) -> bool:
        return self.top <= row <= self.bottom and self.left <= col <= self.right

    @property
    def is_single(self) -> bool:
        return self.top == self.bottom and self.left == self.right


@dataclass
class Grid:
    """Rows of cell texts with merge information. Covered cells of a merge hold ``""``."""

    source: str
    sheet: str | None
    rows: list[list[str]]
    merges: list[Merge] = field(default_factory=list)
    locate: Callable[[int, int], str] | None = None
    locate_row: Callable[[int], str] | None = None
    a1: bool = False
    title_candidates: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # paragraphs after a Word table (a footnote)
    _merge_at: dict[tuple[int, int], Merge] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        width = max((len(row) for row in self.rows), default=0)
        for row in self.rows:
            row.extend([""] * (width - len(row)))
        for merge in self.merges:
            if merge.is_single:
                continue
            for r in range(merge.top, merge.bottom + 1):
                for c in range(merge.left, merge.right + 1):
                    self._merge_at[(r, c)] = merge

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    @property
    def height(self) -> int:
        return len(self.rows)

    def text(self, row: int, col: int) -> str:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""

    def merge(self, row: int, col: int) -> Merge | None:
        return self._merge_at.get((row, col))

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merge that covers (row, col), or the cell itself."""
        merge = self.merge(row, col)
        return (merge.top, merge.left) if merge is not None else (row, col)

    def covered_from_above(self, row: int, col: int) -> bool:
        """Part of a vertical merge that started on an earlier row (a continuation cell)."""
        merge = self.merge(row, col)
        return merge is not None and merge.top < row

    def covered_from_left(self, row: int, col: int) -> bool:
        """Part of a horizontal merge that started in an earlier column of this row."""
        merge = self.merge(row, col)
        return merge is not None and merge.left < col and merge.top == row

    def value(self, row: int, col: int) -> str:
        """The text shown at (row, col): a covered cell shows its merge's anchor text."""
        return self.text(*self.anchor(row, col))

    def cell_name(self, row: int, col: int) -> str:
        """ "B12" in a worksheet, "表格1 第5行第3列" in a Word document."""
        if self.locate is not None:
            return self.locate(row, col)
        return f"第{row + 1}行第{col + 1}列"

    def row_name(self, row: int) -> str:
        """ "第12行" in a worksheet, "表格1 第5行" in a Word document."""
        if self.locate_row is not None:
            return self.locate_row(row)
        return f"第{row + 1}行"

    def where(self, row: int, col: int | None = None) -> Location:
        """A located error position for a cell (or, with ``col`` None, for a whole row)."""
        cell = self.row_name(row) if col is None else self.cell_name(row, col)
        return Location(file=self.source, sheet=self.sheet, cell=cell)

    def merge_name(self, merge: Merge) -> str:
        """ "A4:A10" in a worksheet; "表格1 第2行第1列至第5行第1列" in a Word document."""
        first = self.cell_name(merge.top, merge.left)
        last = self.cell_name(merge.bottom, merge.right)
        if self.a1:
            return f"{first}:{last}"
        return f"{first}至{last.split(' ')[-1]}"
