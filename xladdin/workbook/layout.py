"""The one place that knows where things sit in an xladdin workbook.

Templates, the reader, the write plan and the Excel macros ask this module for sheet names,
columns and rows; none of them hard-codes a cell.

The scoring sheet (评分表) keeps the official columns of the published tables first — 一级指标,
二级指标, 三级指标, 权重, 目标值, 评分规则, 评分过程, 得分 (000's order) and 扣分原因 — so the
printed area is the official table. To their right: the line's status and code (owned by the
add-in), then the evidence inputs (yellow, unlocked). Every row the add-in cares about carries
a code in the code column: an indicator code, a bonus/penalty code, or a marker for the
subtotal, total and grade rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..core.rubric import ChecklistMethod, Rubric

SCORING_SHEET = "评分表"
SUMMARY_SHEET = "得分情况"
RUBRIC_SHEET = "指标体系"
CONFIG_SHEET = "xlwings.conf"
CHECK_SHEET = "检查结果"

RUBRIC_MARKER = "xladdin-rubric"
RUBRIC_FORMAT = 1
RUBRIC_CHUNK = 30000  # characters per cell (Excel allows 32,767)

UDF_MODULE = "xladdin.excel.udfs"

SUBTOTAL_MARK = "#小计"
TOTAL_MARK = "#总分"
GRADE_MARK = "#等级"
ROW_MARKS = (SUBTOTAL_MARK, TOTAL_MARK, GRADE_MARK)

YES_WORDS = ("是", "√", "✓", "✔", "符合", "true", "TRUE", "True", "1", "Y", "y", "yes", "对")
NO_WORDS = ("否", "×", "✗", "✘", "不符合", "false", "FALSE", "False", "0", "N", "n", "no", "错")


def col_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def split_ref(ref: str) -> tuple[str, int]:
    """ "H12" → ("H", 12)."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    return ref[:i], int(ref[i:])


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    role: str  # official | owned | input | code
    help: str = ""


OFFICIAL = (
    Column("level1", "一级指标", 12, "official"),
    Column("level2", "二级指标", 14, "official"),
    Column("level3", "三级指标", 20, "official"),
    Column("weight", "权重", 6, "official"),
    Column("target", "目标值", 10, "official"),
    Column("rule", "评分规则", 44, "official"),
    Column(
        "narrative",
        "评分过程",
        30,
        "input",
        "评价人对本项的评分过程说明（照录于评分表，不影响计分）",
    ),
    Column("score", "得分", 8, "owned"),
    Column("reason", "扣分原因", 26, "owned"),
)

TRAILER = (
    Column("status", "评分状态", 10, "owned"),
    Column("code", "指标编码", 9, "code"),
)

INPUTS_HEAD = (
    Column("not_applicable", "不适用", 7, "input", "本指标不适用时选“是”，其权重按规则重新分配"),
    Column(
        "value",
        "实际值/分子",
        12,
        "input",
        "按比例、分档、达标类指标的实际值；比率可填两数（分子在此，分母在右）",
    ),
    Column("denominator", "分母", 12, "input", "比率的分母（如预算数）；直接填写比率时留空"),
)

INPUTS_TAIL = (
    Column("count", "发现问题数", 9, "input", "逐项扣分类指标：发现的问题个数"),
    Column(
        "band",
        "评价档次",
        16,
        "input",
        "定性指标：达成年度指标 / 部分达成并具有一定效果 / 未达成且效果较差",
    ),
    Column("decision_score", "认定得分", 9, "input", "人工认定的得分（分）"),
    Column("decision_share", "得分比例", 9, "input", "认定得权重分的比例，如 90%"),
    Column(
        "deduct_share", "扣分比例", 9, "input", "酌情扣除权重分的比例，如 25%；多项可写 25%+25%"
    ),
    Column("deduct_points", "扣分", 8, "input", "酌情扣除的分值；多项可写 0.5+0.5"),
    Column(
        "decision_reason",
        "认定理由",
        28,
        "input",
        "评价人认定或酌情扣分的理由（必填）；多项用“；”分隔",
    ),
    Column("deviation_reason", "偏差原因", 24, "input", "完成值偏离目标较大时的原因分析及改进措施"),
)

INFO_FIELDS = (("unit", "评价单位"), ("project", "项目名称"), ("evaluator", "评价人"))


def checklist_width(rubric: Rubric) -> int:
    """How many checklist columns the scoring sheet needs (the longest checklist)."""
    counts = [
        leaf.method.item_count
        for leaf in rubric.leaves()
        if isinstance(leaf.method, ChecklistMethod)
    ]
    return max(counts, default=1)


@dataclass(frozen=True)
class ScoringLayout:
    """Columns and fixed rows of the 评分表 sheet for one rubric."""

    items: int = 1
    title_row: int = 1
    info_row: int = 2
    header_row: int = 3
    first_row: int = 4
    columns: tuple[Column, ...] = field(default=(), compare=False)

    @classmethod
    def for_rubric(cls, rubric: Rubric) -> ScoringLayout:
        items = checklist_width(rubric)
        item_columns = tuple(
            Column(f"item{i}", f"要点{_circled(i)}", 6, "input", "要点是否符合：√ 符合，× 不符合")
            for i in range(1, items + 1)
        )
        columns = OFFICIAL + TRAILER + INPUTS_HEAD + item_columns + INPUTS_TAIL
        return cls(items=items, columns=columns)

    @cached_property
    def letters(self) -> dict[str, str]:
        return {column.key: col_letter(i) for i, column in enumerate(self.columns)}

    def col(self, key: str) -> str:
        return self.letters[key]

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters[key]}{row}"

    @property
    def print_last(self) -> str:
        return self.col("reason")

    @property
    def last_col(self) -> str:
        return col_letter(len(self.columns) - 1)

    def info_cell(self, key: str) -> str:
        """Where the 评价单位 / 项目名称 / 评价人 inputs sit (row 2: label, value, label, value…)."""
        index = [k for k, _ in INFO_FIELDS].index(key)
        return f"{col_letter(index * 3 + 1)}{self.info_row}"

    def input_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.role == "input" and c.key != "narrative"]


def _circled(i: int) -> str:
    from ..core.numbers import circled

    return circled(i)


@dataclass(frozen=True)
class SummaryLayout:
    """The 得分情况 sheet: first-level groups (as 004 publishes them), then second-level groups."""

    title_row: int = 1
    header_row: int = 3
    first_row: int = 4
    columns: tuple[str, ...] = ("一级指标", "权重分值", "得分", "得分率")

    # columns of the summary table
    NAME = "A"
    WEIGHT = "B"
    SCORE = "C"
    RATE = "D"


@dataclass
class SheetRows:
    """Which row of the 评分表 holds what: found by the template, or by scanning the code column."""

    leaves: dict[str, int]
    adjustments: dict[str, int]
    subtotal: int
    total: int
    grade: int

    @property
    def first(self) -> int:
        return min(self.leaves.values())

    @property
    def last(self) -> int:
        return max(self.leaves.values())

    def span(self, codes: list[str]) -> tuple[int, int]:
        rows = [self.leaves[code] for code in codes]
        return min(rows), max(rows)


def template_rows(rubric: Rubric, layout: ScoringLayout) -> SheetRows:
    """The rows a freshly generated 评分表 uses: leaves in rubric order, then the fixed rows."""
    row = layout.first_row
    leaves: dict[str, int] = {}
    for leaf in rubric.leaves():
        leaves[leaf.code] = row
        row += 1
    subtotal = row
    row += 1
    adjustments: dict[str, int] = {}
    for _, item in rubric.adjustment_items():
        adjustments[item.code] = row
        row += 1
    return SheetRows(leaves, adjustments, subtotal, row, row + 1)


def summary_rows(rubric: Rubric, layout: SummaryLayout | None = None) -> dict[str, int]:
    """Rows of the 得分情况 sheet: every first-level group, then 合计 and 等级, then the
    second-level table (its own header row first). Keys are group codes and the two marks."""
    layout = layout or SummaryLayout()
    rows: dict[str, int] = {}
    row = layout.first_row
    for level in rubric.levels:
        rows[level.code] = row
        row += 1
    rows[TOTAL_MARK] = row
    rows[GRADE_MARK] = row + 1
    second = [node for node, depth in rubric.walk() if depth == 2 and not node.is_leaf]
    if second:
        row += 3  # a blank row, then the second table's header
        rows["#二级表头"] = row
        row += 1
        for node in second:
            rows[node.code] = row
            row += 1
    return rows
