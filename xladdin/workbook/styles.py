"""What the generated sheets look like: fonts, fills, cell formats, row heights, group titles,
and writing a cell (an input's value, or an owned cell of the write plan) with its format.

Shared by every sheet builder (the 评分表 of the published tables, the self-evaluation form and
the sheets common to both), so none of them imports another for its looks.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..core.numbers import fmt_number
from ..termtable import display_width
from .cellref import col_index
from .layout import SCORING_SHEET

if TYPE_CHECKING:
    from ..core.evidence import Evidence
    from ..core.rubric import Node
    from .layout import ScoringLayout, SheetRows
    from .plan import CellWrite, WritePlan

FONT = "宋体"

FILL_REQUIRED = "#FFF2CC"  # yellow: this line needs it
FILL_OPTIONAL = "#FFFBEF"  # pale: may be used on any line
FILL_OWNED = "#E2EFDA"  # green: written by xladdin
FILL_HEADER = "#D9D9D9"
FILL_UNUSED = "#F2F2F2"

LINE_HEIGHT = 13.5  # points per wrapped line of 10-point text


class Formats:
    """XlsxWriter formats made on demand from keyword settings over the sheets' base format
    (宋体 10, centred vertically, wrapped, thin border), each distinct one made once."""

    def __init__(self, book: Any) -> None:
        base = {
            "font_name": FONT,
            "font_size": 10,
            "valign": "vcenter",
            "text_wrap": True,
            "border": 1,
        }
        self.book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.base = base

    def get(self, **extra: Any) -> Any:
        """The format of the base settings with ``extra`` over them.

        A green (owned) cell is unlocked unless ``locked`` is given: the 评分表 is protected
        so that the rule columns are not changed by mistake, yet the cells the add-in writes
        must stay writable for the macros and for xlwings Lite, which cannot lift a sheet's
        protection. An officer can overwrite an owned cell too; the next recalculation writes
        it again, and what was typed there is read as the declared (自评) score, which
        ``xladdin audit`` compares with the score the rules give.
        """
        if extra.get("bg_color") == FILL_OWNED:
            extra.setdefault("locked", False)
        spec = {**self.base, **extra}
        key = tuple(sorted(spec.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def group_title(node: Node, with_code: bool = True) -> str:
    """ "A部门决策（15分）": a group's heading with its points."""
    code = "" if node.code_assigned or not with_code else node.code
    return f"{code}{node.name}（{fmt_number(node.weight)}分）"


def leaf_title(node: Node) -> str:
    return node.name if node.code_assigned else f"{node.code}{node.name}"


def write_value(sheet: Any, ref: str, value: Any, fmt: Any) -> None:
    """Write a plain value (blank, boolean, number or text) with its format."""
    if value is None or value == "":
        sheet.write_blank(ref, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(ref, value, fmt)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(ref, float(value), fmt)
    else:
        sheet.write_string(ref, str(value), fmt)


def write_owned(sheet: Any, write: CellWrite, fmt: Any) -> None:
    """Write one owned cell of the write plan: its formula with the cached value, or its value."""
    if write.formula is not None:
        cached: Any = write.value
        if isinstance(cached, Decimal):
            cached = float(cached)
        sheet.write_formula(write.ref, "=" + write.formula, fmt, "" if cached is None else cached)
    else:
        write_value(sheet, write.ref, write.value, fmt)


def lines_needed(text: str, width: float) -> int:
    """Wrapped lines a text needs in a column ``width`` characters wide (CJK counts double)."""
    usable = max(1.0, (width - 1) * 1.08)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


class SheetWriter:
    """What writing one scoring sheet (the 评分表 or the self-evaluation form) starts from: the
    sheet, its formats, the layout's columns, the plan's owned cells of the sheet, the evidence,
    and the cell formats both kinds of sheet use."""

    def __init__(
        self,
        sheet: Any,
        formats: Formats,
        layout: ScoringLayout,
        rows: SheetRows,
        plan: WritePlan,
        evidence: Evidence,
    ) -> None:
        self.sheet = sheet
        self.formats = formats
        self.rows = rows
        self.owned = plan.for_sheet(SCORING_SHEET)
        self.evidence = evidence
        self.columns = {key: col_index(letter) for key, letter in layout.letters.items()}
        get = formats.get
        self.center = get(align="center")
        self.left = get(align="left")
        self.number = get(align="center", num_format="0.##")
        self.score = get(align="center", num_format="0.00", bg_color=FILL_OWNED)
        self.reason = get(align="left", bg_color=FILL_OWNED)
        self.code = get(align="center", font_color="#808080", bg_color=FILL_UNUSED)
