"""The one place that knows where things sit in an xladdin workbook.

Templates, the reader, the write plan and the Excel macros ask this module for sheet names,
columns and rows; none of them hard-codes a cell.

The scoring sheet (评分表) keeps the official columns of the published tables first — 一级指标,
二级指标, 三级指标, 权重, 目标值, 评分规则, 评分过程, 得分 (000's order) and 扣分原因 — so the
printed area is the official table. To their right: the line's status and code (owned by the
add-in), then the evidence inputs (yellow, unlocked). Every row the add-in cares about carries
a code in the code column: an indicator code, a bonus/penalty code, or a marker for the
subtotal, total and grade rows.

The other sheets have layout objects too: the self-evaluation form's funds block
(:class:`FundsBlock`), the 得分情况 summary (:class:`SummaryLayout`), the hidden 指标体系 sheet
(:class:`RubricSheetLayout`) and the 检查结果 sheet of the check macro (:class:`CheckLayout`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..core.codec import NO_WORDS as NO_WORDS  # the words officers type live in the codec
from ..core.codec import YES_WORDS as YES_WORDS
from ..core.codec import item_count
from ..core.rubric import Rubric
from .cellref import col_letter, split_ref

SCORING_SHEET = "评分表"
SUMMARY_SHEET = "得分情况"
RUBRIC_SHEET = "指标体系"
CONFIG_SHEET = "xlwings.conf"
CHECK_SHEET = "检查结果"

RUBRIC_MARKER = "xladdin-rubric"
RUBRIC_FORMAT = 1
RUBRIC_CHUNK = 30000  # characters per cell (Excel allows 32,767)

UDF_MODULE = "xladdin.excel.udfs"

CODE_HEADER = "指标编码"

SUBTOTAL_MARK = "#小计"
TOTAL_MARK = "#总分"
GRADE_MARK = "#等级"
ROW_MARKS = (SUBTOTAL_MARK, TOTAL_MARK, GRADE_MARK)


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its key, header, width (0: the sheet's own column sets it, or
    nothing does) and role."""

    key: str
    header: str
    width: float
    role: str  # official | owned | input | code
    help: str = ""


class _Columns:
    """Column letters by key for a sheet (or block) whose ``columns`` start at column
    ``first_column`` (0 = A)."""

    columns: tuple[Column, ...]
    first_column = 0

    @cached_property
    def letters(self) -> dict[str, str]:
        return {c.key: col_letter(self.first_column + i) for i, c in enumerate(self.columns)}

    def col(self, key: str) -> str:
        return self.letters[key]


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

NOTE = Column("note", "提示", 30, "owned")
"""The line's messages: why it is 需核对, 缺少佐证 or 佐证有误, or what was confirmed."""

CONFIRM = Column(
    "confirmed",
    "已核对",
    7,
    "input",
    "评分状态为“需核对”时：核对佐证无误后选“是”，本项即按所填佐证计分；有误请改正佐证",
)

TRAILER = (
    Column("status", "评分状态", 10, "owned"),
    Column("code", CODE_HEADER, 9, "code"),
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

# Last on every line, after the columns the published tables and earlier workbooks have (their
# cells stay where they were): the officer's confirmation and the line's messages. A workbook
# made before they existed has their headers blank, and is read as it is.
CHECKS = (CONFIRM, NOTE)
LATER_HEADERS = frozenset(column.header for column in CHECKS)

# Which column of a scoring sheet a linter finding's field points at.
FINDING_KEYS = {
    "declared": "score",
    "decision": "decision_reason",
    "deviation_reason": "deviation_reason",
    "rule": "rule",
    "weight": "weight",
}

INFO_FIELDS = (("unit", "评价单位"), ("project", "项目名称"), ("evaluator", "评价人"))


def checklist_width(rubric: Rubric) -> int:
    """How many item columns (要点①…) the scoring sheet needs: the most item inputs of a line
    (a checklist's points, an itemized deduction's kinds of shortcoming)."""
    return max((item_count(leaf) for leaf in rubric.leaves()), default=1) or 1


def _item_columns(rubric: Rubric) -> tuple[Column, ...]:
    return tuple(
        Column(f"item{i}", f"要点{_circled(i)}", 6, "input", "要点是否符合：√ 符合，× 不符合")
        for i in range(1, checklist_width(rubric) + 1)
    )


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

    def runs(self, codes: list[str] | None = None) -> list[tuple[int, int]]:
        """The rows of ``codes`` (default: every leaf) as runs of consecutive rows."""
        rows = sorted(self.leaves[c] for c in (codes if codes is not None else self.leaves))
        runs: list[tuple[int, int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        return runs


@dataclass(frozen=True)
class ScoringLayout(_Columns):
    """Columns and fixed rows of the 评分表 of the published tables, for one rubric."""

    items: int = 1
    title_row: int = 1
    info_row: int = 2
    header_row: int = 3
    first_row: int = 4
    columns: tuple[Column, ...] = field(default=(), compare=False)
    kind: str = "scoring_table"
    funds: FundsBlock | None = None  # the self-evaluation form's funds block
    funds_code: str = ""  # the line scored in the funds block

    @classmethod
    def for_rubric(cls, rubric: Rubric) -> ScoringLayout:
        columns = OFFICIAL + TRAILER + INPUTS_HEAD + _item_columns(rubric) + INPUTS_TAIL + CHECKS
        return cls(items=checklist_width(rubric), columns=columns)

    def cell(self, key: str, row: int) -> str:
        found = self.find(key, row)
        if found is None:
            raise KeyError(key)
        return found

    def find(self, key: str, row: int) -> str | None:
        """The cell of ``key`` on ``row``, or None when that row has no such cell."""
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None

    @property
    def code_col(self) -> str:
        return self.letters["code"]

    @property
    def scan_from(self) -> int:
        """The first row that may carry an indicator code."""
        return self.first_row

    @property
    def print_last(self) -> str:
        return self.col("reason")

    @property
    def last_col(self) -> str:
        return col_letter(len(self.columns) - 1)

    def info_cell(self, key: str) -> str:
        """Where the 评价单位 / 项目名称 / 评价人 inputs sit (row 2: label, value, label, value…)."""
        return self.info_cells()[key]

    def info_cells(self) -> dict[str, str]:
        return {
            key: f"{col_letter(index * 3 + 1)}{self.info_row}"
            for index, (key, _) in enumerate(INFO_FIELDS)
        }

    def header_checks(self) -> list[tuple[str, str]]:
        """(cell, expected header) pairs that identify this layout in a workbook."""
        return [(f"{self.col(c.key)}{self.header_row}", c.header) for c in self.columns]

    def input_keys(self) -> list[str]:
        return [c.key for c in self.columns if c.role == "input" and c.key != "narrative"]

    def input_cells(self, row: int) -> dict[str, str]:
        """The evidence input cells of a line's ``row`` by key: the one list the template
        makes into inputs and the reader reads."""
        cells: dict[str, str] = {}
        for key in self.input_keys():
            ref = self.find(key, row)
            if ref is not None:
                cells[key] = ref
        return cells

    def finding_cell(self, field: str | None, row: int) -> str | None:
        """The cell on ``row`` a linter finding about ``field`` points at (default: 得分)."""
        key = FINDING_KEYS.get(field or "", "score")
        return self.find(key, row) or self.find("score", row)

    def adjustment_inputs(self, row: int) -> dict[str, str]:
        """The input cells of a bonus or penalty row: its points, in the value column."""
        ref = self.find("value", row)
        return {"value": ref} if ref is not None else {}

    def header_of(self, key: str, row: int) -> str:
        """The header over ``key``'s cell on ``row``, as an officer sees it."""
        return next((c.header for c in self.columns if c.key == key), key)

    def amounts_only(self, row: int) -> bool:
        """Whether the value on ``row`` is always a numerator that needs its denominator (the
        form's funds row), rather than possibly a rate typed whole."""
        return False

    def na_capable(self, code: str) -> bool:
        return True

    def template_rows(self, rubric: Rubric) -> SheetRows:
        """Leaves in rubric order from the first data row, then 小计, 加减分项, 总分, 等级."""
        row = self.first_row
        leaves: dict[str, int] = {}
        for leaf in rubric.leaves():
            leaves[leaf.code] = row
            row += 1
        return _closing_rows(rubric, leaves, row)


def _closing_rows(rubric: Rubric, leaves: dict[str, int], row: int) -> SheetRows:
    subtotal = row
    row += 1
    adjustments: dict[str, int] = {}
    for _, item in rubric.adjustment_items():
        adjustments[item.code] = row
        row += 1
    return SheetRows(leaves, adjustments, subtotal, row, row + 1)


# -- the national project self-evaluation form (项目支出绩效自评表) -------------------------

FORM_OFFICIAL = (
    Column("level1", "一级指标", 10, "official"),
    Column("level2", "二级指标", 12, "official"),
    Column("level3", "三级指标", 24, "official"),
    Column("nature", "指标性质", 8, "official"),
    Column("target", "年度指标值(A)", 11, "official"),
    Column(
        "value",
        "实际完成值(B)",
        11,
        "input",
        "本年度实际完成值；定性指标可留空，在右侧“评价档次”“得分比例”中认定",
    ),
    Column("weight", "分值", 7, "official"),
    Column("score", "得分", 8, "owned"),
    Column(
        "deviation_reason",
        "偏差原因分析及改进措施",
        28,
        "input",
        "完成值偏离年度指标值较大、或预算执行率偏低时，说明原因与改进措施",
    ),
)

FORM_TRAILER = (
    Column("reason", "扣分原因", 24, "owned"),
    Column("status", "评分状态", 10, "owned"),
    Column("code", CODE_HEADER, 9, "code"),
    Column("not_applicable", "不适用", 7, "input", "本指标不适用时选“是”，其分值按规则重新分配"),
)

FORM_INPUTS = tuple(c for c in INPUTS_TAIL if c.key != "deviation_reason")

FUNDS_COLUMNS = (
    Column(
        "initial_budget",
        "年初预算数",
        0,
        "input",
        "年初批复的预算数（照录于自评表，不参与计分）",
    ),
    Column("denominator", "全年预算数(A)", 0, "input", "执行率的分母"),
    Column("value", "全年执行数(B)", 0, "input", "执行率的分子"),
    Column("weight", "分值", 0, "official"),
    Column("exec_rate", "执行率(B/A)", 0, "owned"),
    Column("score", "得分", 0, "owned"),
)
FUNDS_HEADERS = tuple(column.header for column in FUNDS_COLUMNS)
FUNDS_ROWS = ("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金")


@dataclass(frozen=True)
class FundsBlock(_Columns):
    """The form's funds block (项目资金（万元）): a header row, then 年度资金总额 and its three
    sub-rows, each labelled across the first columns, then one column per :data:`FUNDS_COLUMNS`.

    The 年度资金总额 row is the budget-execution line: 全年执行数(B) / 全年预算数(A) is its
    rate, read as two amounts (never as a rate typed into one cell); 年初预算数 and the
    sub-rows are recorded on the form but not scored.
    """

    header_row: int = 5
    first_row: int = 6
    first_column: int = 2  # the amounts start at C: A:B hold the row names
    columns: tuple[Column, ...] = field(default=FUNDS_COLUMNS, compare=False)
    labels: tuple[str, ...] = FUNDS_ROWS

    @property
    def label_columns(self) -> int:
        """How many columns the row names span."""
        return self.first_column

    def cell(self, key: str) -> str:
        """The cell of ``key`` on the 年度资金总额 row."""
        return f"{self.letters[key]}{self.first_row}"

    @property
    def rows(self) -> range:
        return range(self.first_row, self.first_row + len(self.labels))

    @property
    def scored_inputs(self) -> tuple[str, ...]:
        """The amounts the rate is read from: its numerator and its denominator."""
        return ("value", "denominator")

    @property
    def recorded_inputs(self) -> tuple[str, ...]:
        """The amounts an officer records on every row of the block (scored on the first row
        only: see :attr:`scored_inputs`)."""
        return tuple(c.key for c in self.columns if c.role == "input")

    def header_cells(self) -> list[tuple[str, str]]:
        return [(f"{self.letters[c.key]}{self.header_row}", c.header) for c in self.columns]


@dataclass(frozen=True)
class FormLayout(ScoringLayout):
    """The 项目支出绩效自评表: header, funds block, goals, then the indicator block.

    The budget-execution line (the rubric's first level-1 leaf) lives in the funds block's
    年度资金总额 row: its 全年预算数(A) and 全年执行数(B) are the rate's denominator and
    numerator, 分值 its weight; 得分 sits in the same column as the indicator block's 得分.
    """

    kind: str = "self_eval_form"
    funds: FundsBlock | None = FundsBlock()
    title_row: int = 1
    year_row: int = 2
    project_row: int = 3
    department_row: int = 4
    goals_row: int = 10
    header_row: int = 12
    first_row: int = 13

    @classmethod
    def for_rubric(cls, rubric: Rubric) -> FormLayout:
        columns = FORM_OFFICIAL + FORM_TRAILER + _item_columns(rubric) + FORM_INPUTS + CHECKS
        funds = next((leaf.code for leaf in rubric.levels if leaf.is_leaf), "")
        return cls(items=checklist_width(rubric), columns=columns, funds_code=funds)

    @property
    def funds_block(self) -> FundsBlock:
        assert self.funds is not None
        return self.funds

    @property
    def funds_row(self) -> int:
        return self.funds_block.first_row

    @property
    def funds_header_row(self) -> int:
        return self.funds_block.header_row

    def find(self, key: str, row: int) -> str | None:
        funds = self.funds_block
        if row == funds.first_row:
            if key in funds.letters:
                return funds.cell(key)
            if key in ("nature", "target", "level1", "level2", "level3"):
                return None
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else None

    def input_cells(self, row: int) -> dict[str, str]:
        cells = super().input_cells(row)
        if row == self.funds_row:
            for key in self.funds_block.scored_inputs:
                cells.setdefault(key, self.funds_block.cell(key))
        return cells

    def amounts_only(self, row: int) -> bool:
        return row == self.funds_row

    def header_of(self, key: str, row: int) -> str:
        if row == self.funds_row and key in self.funds_block.letters:
            return next(c.header for c in self.funds_block.columns if c.key == key)
        return super().header_of(key, row)

    @property
    def print_last(self) -> str:
        return self.col("deviation_reason")

    def info_cells(self) -> dict[str, str]:
        return {
            "project": f"B{self.project_row}",
            "department": f"B{self.department_row}",
            "unit": f"G{self.department_row}",
        }

    def header_checks(self) -> list[tuple[str, str]]:
        return super().header_checks() + self.funds_block.header_cells()

    def na_capable(self, code: str) -> bool:
        return code != self.funds_code

    @property
    def scan_from(self) -> int:
        return self.funds_row

    def template_rows(self, rubric: Rubric) -> SheetRows:
        row = self.first_row
        leaves: dict[str, int] = {}
        for leaf in rubric.leaves():
            if leaf.code == self.funds_code:
                leaves[leaf.code] = self.funds_row
                continue
            leaves[leaf.code] = row
            row += 1
        return _closing_rows(rubric, leaves, row)


_LAYOUTS: dict[int, tuple[Rubric, ScoringLayout]] = {}


def layout_for(rubric: Rubric) -> ScoringLayout:
    """The layout of the rubric's kind of table (built once per rubric object)."""
    cached = _LAYOUTS.get(id(rubric))
    if cached is not None and cached[0] is rubric:
        return cached[1]
    layout: ScoringLayout = (
        FormLayout.for_rubric(rubric)
        if rubric.layout == "self_eval_form"
        else ScoringLayout.for_rubric(rubric)
    )
    if len(_LAYOUTS) > 64:
        _LAYOUTS.clear()
    _LAYOUTS[id(rubric)] = (rubric, layout)
    return layout


def template_rows(rubric: Rubric, layout: ScoringLayout) -> SheetRows:
    """The rows a freshly generated workbook uses for ``rubric`` in ``layout``."""
    return layout.template_rows(rubric)


def _circled(i: int) -> str:
    from ..core.numbers import circled

    return circled(i)


# -- the 得分情况 summary sheet ---------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("name", "一级指标", 28, "official"),
    Column("weight", "权重分值", 12, "official"),
    Column("score", "得分", 12, "owned"),
    Column("rate", "得分率", 12, "owned"),
)
SECOND_LEVEL_HEADER = "#二级表头"  # the key of the second table's header row in summary rows


@dataclass(frozen=True)
class SummaryLayout(_Columns):
    """The 得分情况 sheet: a title, then every first-level group (as 004 publishes them:
    权重分值, 得分, 得分率), 合计 and 等级; after a blank row the second-level groups under a
    header of their own; a chart of the first-level groups to the right."""

    title_row: int = 1
    header_row: int = 3
    first_row: int = 4
    columns: tuple[Column, ...] = field(default=SUMMARY_COLUMNS, compare=False)
    second_level_name: str = "二级指标"
    chart_cell: str = "F3"

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters[key]}{row}"

    @property
    def last_col(self) -> str:
        return col_letter(len(self.columns) - 1)

    def headers(self, second_level: bool = False) -> tuple[str, ...]:
        """The header texts of the first table, or of the second-level table."""
        texts = tuple(column.header for column in self.columns)
        return (self.second_level_name, *texts[1:]) if second_level else texts

    def rows(self, rubric: Rubric) -> dict[str, int]:
        """Rows of the sheet: every first-level group, then 合计 and 等级, then the
        second-level table (its own header row first). Keys are group codes, the two marks and
        :data:`SECOND_LEVEL_HEADER`."""
        rows: dict[str, int] = {}
        row = self.first_row
        for level in rubric.levels:
            rows[level.code] = row
            row += 1
        rows[TOTAL_MARK] = row
        rows[GRADE_MARK] = row + 1
        second = [node for node, depth in rubric.walk() if depth == 2 and not node.is_leaf]
        if second:
            row += 3  # a blank row, then the second table's header
            rows[SECOND_LEVEL_HEADER] = row
            row += 1
            for node in second:
                rows[node.code] = row
                row += 1
        return rows


def summary_rows(rubric: Rubric, layout: SummaryLayout | None = None) -> dict[str, int]:
    """Rows of the 得分情况 sheet (see :meth:`SummaryLayout.rows`)."""
    return (layout or SummaryLayout()).rows(rubric)


# -- the hidden 指标体系 sheet ------------------------------------------------------------------


@dataclass(frozen=True)
class RubricSheetLayout:
    """The hidden 指标体系 sheet: A1 the marker, B1 the format version, C1 a note to officers;
    the rubric as JSON from A2 down, :data:`RUBRIC_CHUNK` characters per cell."""

    marker_cell: str = "A1"
    version_cell: str = "B1"
    note_cell: str = "C1"
    text_col: str = "A"
    first_text_row: int = 2
    chunk: int = RUBRIC_CHUNK

    @property
    def columns(self) -> list[str]:
        """The columns a reader needs."""
        return sorted(
            {split_ref(self.marker_cell)[0], split_ref(self.version_cell)[0], self.text_col}
        )

    def text_cell(self, index: int) -> str:
        """The cell of the ``index``-th chunk (from 0)."""
        return f"{self.text_col}{self.first_text_row + index}"

    def text_cells(self, text: str) -> list[tuple[str, str]]:
        """(cell, chunk) pairs that hold ``text``."""
        return [
            (self.text_cell(i // self.chunk), text[i : i + self.chunk])
            for i in range(0, len(text), self.chunk)
        ]


# -- the 检查结果 sheet the PERF_CHECK macro writes -----------------------------------------------

CHECK_COLUMNS = (
    Column("number", "序号", 0, "owned"),
    Column("severity", "级别", 0, "owned"),
    Column("code", "指标编码", 0, "owned"),
    Column("where", "位置", 0, "owned"),
    Column("message", "说明", 0, "owned"),
)
CHECK_HEADERS = tuple(column.header for column in CHECK_COLUMNS)


@dataclass(frozen=True)
class CheckLayout(_Columns):
    """The 检查结果 sheet: a header row, then one row per finding (or one line saying there
    is none)."""

    header_row: int = 1
    first_row: int = 2
    columns: tuple[Column, ...] = field(default=CHECK_COLUMNS, compare=False)

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters[key]}{row}"

    def header_cells(self) -> list[tuple[str, str]]:
        return [(self.cell(c.key, self.header_row), c.header) for c in self.columns]

    def finding_row(self, number: int) -> int:
        """The row of the ``number``-th finding (from 1)."""
        return self.first_row + number - 1

    @property
    def nothing_found_cell(self) -> str:
        return self.cell("number", self.first_row)
