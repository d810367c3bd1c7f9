"""Rows of a scoring table → the indicator tree, with located errors.

Levels come from the 一级/二级/三级 columns: a cell with text starts a new indicator at its
level; a cell merged with the one above (Excel merged cells, Word vMerge) or left blank continues
the indicator above. A leaf whose title is merged across the deeper level columns (xladdin's
template does this) is a leaf at a higher level. Codes and weights are read from the titles
("A部门决策（15分）", "C3数据标准、规范工作完成情况（8）", "A11决策机制科学规范性") or from their
own columns.

Never guessed: a leaf without a weight, a duplicated code, a merged level cell that runs across
the start of a higher level's group, or a level left blank under a new group is an error naming
the cell. A group without a printed weight takes the sum of its children, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.errors import Location, WorkbookError
from ..core.infer import clean_text
from ..core.numbers import NumberParseError, fmt_number, to_decimal
from .headers import Header, is_header_row, normalize_header
from .table import Grid

_TITLE_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]+\s*$")
_TITLE_CAP = re.compile(
    r"[（(]\s*(?:≤|<=|不超过|最高|上限|最多)\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]+\s*$"
)
_CODE = re.compile(r"^([A-Za-z]\d*(?:[.\-]\d+)*|\d+(?:\.\d+)+)(?![A-Za-z0-9])\s*[、.．:：]?\s*")
_TOTAL_WORDS = {
    "小计",
    "合计",
    "总计",
    "总分",
    "得分合计",
    "合计得分",
    "总得分",
    "综合得分",
    "等级",
    "评价等级",
    "评分等级",
    "绩效等级",
}
_NOTE_PREFIX = re.compile(r"^(注[:：]|注\d|备注|说明[:：]|填表说明)")
_LEVEL_NAMES = ("一级指标", "二级指标", "三级指标")
_ADJUSTMENT_NAMES = {"加分项", "减分项", "加分", "减分", "扣分项"}


@dataclass(frozen=True)
class Title:
    """A level cell's text read as code, name, weight ("（15分）") and cap ("（≤5分）")."""

    code: str | None
    name: str
    weight: Decimal | None
    cap: Decimal | None


def parse_title(text: str) -> Title:
    """ "A部门决策（15分）" → A, 部门决策, 15; "A11决策机制科学规范性" → A11, 决策机制科学规范性."""
    text = clean_text(text)
    weight = cap = None
    match = _TITLE_CAP.search(text)
    if match is not None:
        cap = Decimal(match.group(1))
        text = text[: match.start()].strip()
    else:
        match = _TITLE_WEIGHT.search(text)
        if match is not None:
            weight = Decimal(match.group(1))
            text = text[: match.start()].strip()
    code = None
    match = _CODE.match(text)
    if match is not None and match.end() < len(text):
        code = match.group(1).upper()
        text = text[match.end() :].strip()
    return Title(code, text, weight, cap)


@dataclass
class LineCells:
    """What a row says about its indicator, with the cells it came from."""

    row: int
    weight: str = ""
    target: str = ""
    rule: str = ""
    narrative: str = ""
    score: str = ""
    reason: str = ""
    nature: str = ""
    unit: str = ""
    code: str = ""


@dataclass
class TableNode:
    """An indicator as the table shows it; the rubric node is made from it."""

    title: Title
    depth: int
    row: int
    col: int
    parent: TableNode | None = None
    children: list[TableNode] = field(default_factory=list)
    cells: LineCells | None = None
    code: str = ""
    code_assigned: bool = False
    weight: Decimal | None = None
    weight_derived: bool = False

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> list[TableNode]:
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass
class AdjustmentRow:
    """A 加分项 / 减分项 row."""

    kind: str  # bonus | penalty
    group_name: str
    cap: Decimal | None
    code: str | None
    name: str
    rule: str
    score: str
    narrative: str
    row: int
    col: int


@dataclass
class TableContent:
    """The table read: its indicator tree, adjustment rows, total row and notes for the officer."""

    roots: list[TableNode]
    adjustments: list[AdjustmentRow]
    total_weight: Decimal | None
    total_score: Decimal | None
    notes: list[str]
    level_names: list[str]
    funds: FundsLine | None = None


class _Reader:
    def __init__(self, grid: Grid, header: Header) -> None:
        self.grid = grid
        self.header = header
        self.levels = header.levels
        self.depth = len(self.levels)
        self.level_names = [
            normalize_header(header.texts.get(col, _LEVEL_NAMES[i]))
            for i, col in enumerate(self.levels)
        ]
        self.roots: list[TableNode] = []
        self.current: list[TableNode | None] = [None] * self.depth
        self.last_own: TableNode | None = None
        self.adjustments: list[AdjustmentRow] = []
        self.total_weight: Decimal | None = None
        self.total_score: Decimal | None = None
        self.notes: list[str] = []
        self.funds = read_funds(grid, header)
        self.reserved = {self.funds.code} if self.funds is not None and self.funds.code else set()

    # -- cells ----------------------------------------------------------------------------

    def error(
        self, message: str, row: int, col: int | None, details: list[str] | None = None
    ) -> WorkbookError:
        return WorkbookError(message, self.grid.where(row, col), details or [])

    def column(self, role: str) -> int | None:
        return self.header.columns.get(role)

    def own_text(self, role: str, row: int) -> str:
        """The role's text in this row; "" for a cell continued from the row above."""
        col = self.column(role)
        if col is None or self.grid.covered_from_above(row, col):
            return ""
        return self.grid.value(row, col).strip()

    def shown_text(self, role: str, row: int) -> str:
        """The role's text as shown in this row, a merged cell's text included."""
        col = self.column(role)
        if col is None:
            return ""
        return self.grid.value(row, col).strip()

    def number(self, text: str, row: int, role: str, what: str) -> Decimal | None:
        text = text.strip()
        if not text:
            return None
        cleaned = re.sub(r"\s*分$", "", text)
        try:
            return to_decimal(cleaned)
        except NumberParseError:
            col = self.column(role)
            raise self.error(f"{what}应为数字，实际为“{text}”", row, col) from None

    def first_text(self, row: int) -> str:
        for col in range(self.grid.width):
            if self.grid.covered_from_left(row, col):
                continue
            text = self.grid.text(row, col).strip()
            if text:
                return text
        return ""

    def is_empty(self, row: int) -> bool:
        return not any(self.grid.text(row, col).strip() for col in range(self.grid.width))

    # -- rows -----------------------------------------------------------------------------

    def read(self) -> TableContent:
        for row in range(self.header.first_data_row, self.grid.height):
            if self.is_empty(row):
                continue
            first = self.first_text(row)
            if _NOTE_PREFIX.match(first):
                continue
            if normalize_header(first) in _TOTAL_WORDS:
                self.total_row(row)
                continue
            if is_header_row(self.grid, row, self.header):
                continue
            if self.adjustment_row(row) or self.section_row(row):
                continue
            self.indicator_row(row)
        if not self.roots:
            raise self.error("表头下没有找到任何指标行", self.header.row, self.levels[0])
        self.assign_codes()
        self.check_codes()
        self.assign_weights()
        if self.funds is not None and not self.funds.code:
            self.funds.code = "Z" if "Z" not in {n.code for n in self.all_nodes()} else "Z0"
        return TableContent(
            self.roots,
            self.adjustments,
            self.total_weight,
            self.total_score,
            self.notes,
            self.level_names,
            self.funds,
        )

    def total_row(self, row: int) -> None:
        if normalize_header(self.first_text(row)) in ("等级", "评价等级", "评分等级", "绩效等级"):
            return
        weight = self.own_text("weight", row)
        score = self.own_text("score", row)
        try:
            if weight and self.total_weight is None:
                self.total_weight = to_decimal(re.sub(r"\s*分$", "", weight))
            if score and self.total_score is None:
                self.total_score = to_decimal(score)
        except NumberParseError:
            self.notes.append(f"{self.grid.row_name(row)}的合计行数字无法识别，已忽略")

    def level_states(self, row: int) -> list[str]:
        states = []
        for col in self.levels:
            if self.grid.covered_from_above(row, col):
                states.append("merged")
            elif self.grid.covered_from_left(row, col):
                states.append("span")
            elif self.grid.text(row, col).strip():
                states.append("new")
            else:
                states.append("blank")
        return states

    def adjustment_row(self, row: int) -> bool:
        """A 加分项 / 减分项 row: 加分/减分 in the first level's title (000: "F 加分项（≤5分）"),
        or a second-level title that is just 加分项 / 减分项 (000: "F2 减分项")."""
        titles: list[tuple[int, Title, str | None]] = []
        for col in self.levels:
            if self.grid.covered_from_left(row, col):
                continue
            text = self.grid.value(row, col).strip()
            if text:
                title = parse_title(text)
                titles.append((col, title, _adjustment_kind(title.name)))
        if not titles:
            return False
        first_kind = titles[0][2]
        second_is_kind = len(titles) > 1 and titles[1][1].name in _ADJUSTMENT_NAMES
        if first_kind is None and not second_is_kind:
            return False
        decided = [entry for entry in titles if entry[2] is not None]
        kind = decided[-1][2]
        assert kind is not None
        same = [entry for entry in decided if entry[2] == kind]
        caps = [title.cap for _, title, _ in same if title.cap is not None]
        coded = [title.code for _, title, _ in titles if title.code]
        item_col, item_title, _ = titles[-1]
        self.adjustments.append(
            AdjustmentRow(
                kind=kind,
                group_name=same[0][1].name,
                cap=caps[0] if caps else None,
                code=self.own_text("code", row).upper() or (coded[-1] if coded else None),
                name=item_title.name,
                rule=self.own_text("rule", row),
                score=self.own_text("score", row),
                narrative=self.own_text("narrative", row) or self.own_text("reason", row),
                row=row,
                col=item_col,
            )
        )
        return True

    def section_row(self, row: int) -> bool:
        """A title row merged across the table ("一、共性指标"): not an indicator."""
        anchors = [
            col
            for col in range(self.grid.width)
            if self.grid.text(row, col).strip() and not self.grid.covered_from_left(row, col)
        ]
        if len(anchors) != 1:
            return False
        merge = self.grid.merge(row, anchors[0])
        weight_col = self.column("weight")
        if merge is None or weight_col is None or merge.top != row:
            return False
        if merge.left <= weight_col <= merge.right:
            self.notes.append(
                f"{self.grid.row_name(row)}“{clean_text(self.grid.text(row, anchors[0]))}”是跨列标题行，已跳过"
            )
            return True
        return False

    def cells(self, row: int) -> LineCells:
        score = self.own_text("score", row)
        score_col = self.column("score")
        merge = self.grid.merge(row, score_col) if score_col is not None else None
        if score and merge is not None and merge.bottom > merge.top:
            self.notes.append(
                f"得分单元格 {self.grid.merge_name(merge)} 合并了多行，无法分到各指标，未作为自评得分导入"
            )
            score = ""
        target = self.shown_text("target", row)
        unit = self.shown_text("unit", row)
        if is_self_eval_form(self.header) and not self.header.has("unit"):
            target, unit = split_target_unit(target)
        return LineCells(
            row=row,
            weight=self.own_text("weight", row),
            target=target,
            rule=self.shown_text("rule", row),
            narrative=self.own_text("narrative", row),
            score=score,
            reason=self.own_text("reason", row),
            nature=self.shown_text("nature", row),
            unit=unit,
            code=self.own_text("code", row),
        )

    def continuation_row(self, row: int) -> None:
        """A row with no new indicator title: more text for the indicator above."""
        leaf_col = self.levels[-1]
        weight_col = self.column("weight")
        if weight_col is not None and self.own_text("weight", row):
            merge = self.grid.merge(row, leaf_col)
            if merge is not None:
                raise self.error(
                    f"合并单元格 {self.grid.merge_name(merge)} 跨越了多个带权重的行：每个指标应单独一行",
                    row,
                    leaf_col,
                )
            raise self.error("本行有权重但没有指标名称", row, leaf_col)
        if self.last_own is None or self.last_own.cells is None:
            raise self.error("本行没有指标名称，也没有可归属的上一指标", row, leaf_col)
        cells = self.last_own.cells
        for role in ("rule", "narrative", "reason"):
            extra = self.own_text(role, row)
            if extra:
                current = getattr(cells, role)
                setattr(cells, role, f"{current}\n{extra}" if current else extra)
        score = self.own_text("score", row)
        if score and not cells.score:
            cells.score = score

    def indicator_row(self, row: int) -> None:
        states = self.level_states(row)
        new = [k for k, state in enumerate(states) if state == "new"]
        if not new:
            self.continuation_row(row)
            return
        first = new[0]
        for k in range(first):
            if self.current[k] is None:
                raise self.error(
                    f"{self.level_names[k]}为空，找不到本行所属的{self.level_names[k]}",
                    row,
                    self.levels[k],
                )
        for k in range(first + 1, self.depth):
            if states[k] == "merged":
                merge = self.grid.merge(row, self.levels[k])
                assert merge is not None
                raise self.error(
                    f"合并单元格 {self.grid.merge_name(merge)}（{self.level_names[k]}）跨越了"
                    f"{self.level_names[first]}的分组：新的{self.level_names[first]}"
                    f"“{clean_text(self.grid.text(row, self.levels[first]))}”从"
                    f"{self.grid.cell_name(row, self.levels[first])}开始",
                    row,
                    self.levels[k],
                )
        parent = self.current[first - 1] if first > 0 else None
        own: TableNode | None = None
        k = first
        while k < self.depth:
            state = states[k]
            if state == "new":
                if own is not None and own.depth != k:
                    raise self.error(
                        f"{self.level_names[k - 1]}为空：新的{self.level_names[own.depth - 1]}"
                        f"“{own.title.name}”下缺少{self.level_names[k - 1]}",
                        row,
                        self.levels[k - 1],
                    )
                col = self.levels[k]
                node = TableNode(parse_title(self.grid.text(row, col)), k + 1, row, col, parent)
                if not node.title.name and node.title.code is None:
                    raise self.error("指标名称为空", row, col)
                (parent.children if parent is not None else self.roots).append(node)
                self.current[k] = node
                parent = own = node
            elif state == "span" and (
                own is None or self.grid.anchor(row, self.levels[k]) != (own.row, own.col)
            ):
                raise self.error(
                    f"{self.level_names[k]}的合并单元格与上一级不对齐", row, self.levels[k]
                )
            k += 1
        assert own is not None
        for deeper in range(own.depth, self.depth):
            self.current[deeper] = None
        own.cells = self.cells(row)
        self.last_own = own

    # -- codes and weights ----------------------------------------------------------------

    def all_nodes(self) -> list[TableNode]:
        nodes: list[TableNode] = []
        for root in self.roots:
            nodes.extend(root.walk())
        return nodes

    def assign_codes(self) -> None:
        template = self.header.has("status") and self.header.has("code")
        form = is_self_eval_form(self.header)
        for node in self.all_nodes():
            column_code = node.cells.code.strip().upper() if node.cells is not None else ""
            if column_code and node.title.code and column_code != node.title.code:
                code_col = self.column("code")
                raise self.error(
                    f"指标编码列为“{column_code}”，而指标名称写作“{node.title.code}{node.title.name}”：两者不一致",
                    node.row,
                    code_col,
                )
            node.code = column_code or node.title.code or ""
            # The national form never prints codes: coding it by position is its convention.
            node.code_assigned = not form and not node.title.code and (not column_code or template)
        used = {node.code for node in self.all_nodes() if node.code} | self.reserved
        assigned = 0
        for siblings, parent in self.sibling_groups():
            for index, node in enumerate(siblings):
                if node.code:
                    continue
                node.code = _next_code(parent, index, used)
                used.add(node.code)
                assigned += 1
                if not form:
                    self.notes.append(
                        f"{self.grid.cell_name(node.row, node.col)}“{node.title.name}”原表未列编码，已补为{node.code}"
                    )
        if form and assigned:
            self.notes.append(
                f"项目支出绩效自评表不列指标编码：已按位置为{assigned}个指标编码（A、A1、A11…）"
            )

    def sibling_groups(self) -> list[tuple[list[TableNode], TableNode | None]]:
        groups: list[tuple[list[TableNode], TableNode | None]] = [(self.roots, None)]
        for node in self.all_nodes():
            if node.children:
                groups.append((node.children, node))
        return groups

    def check_codes(self) -> None:
        """Name the two cells of a duplicated code. The rubric rejects duplicates itself (when it
        is validated); this only says where they are in the table, before anything is built."""
        seen: dict[str, TableNode] = {}
        for node in self.all_nodes():
            if node.code in seen:
                first = seen[node.code]
                raise WorkbookError(
                    f"指标编码{node.code}重复：{self.grid.cell_name(first.row, first.col)}"
                    f"“{first.title.name}”与本格“{node.title.name}”",
                    self.where_code(node),
                )
            seen[node.code] = node
        for item in self.adjustments:
            if item.code and item.code in seen:
                first = seen[item.code]
                raise WorkbookError(
                    f"加减分项编码{item.code}与{self.grid.cell_name(first.row, first.col)}的指标重复",
                    self.grid.where(item.row, item.col),
                )

    def where_code(self, node: TableNode) -> Location:
        col = self.column("code")
        if node.cells is not None and node.cells.code and col is not None:
            return self.grid.where(node.row, col)
        return self.grid.where(node.row, node.col)

    def assign_weights(self) -> None:
        for root in self.roots:
            self.weigh(root)

    def weigh(self, node: TableNode) -> Decimal:
        weight_col = self.column("weight")
        row_weight = None
        if node.cells is not None:
            row_weight = self.number(node.cells.weight, node.cells.row, "weight", "权重")
        if node.is_leaf:
            if (
                row_weight is not None
                and node.title.weight is not None
                and row_weight != node.title.weight
            ):
                raise self.error(
                    f"权重列为{fmt_number(row_weight)}，而指标名称写作{fmt_number(node.title.weight)}分：两者不一致",
                    node.row,
                    weight_col,
                )
            weight = row_weight if row_weight is not None else node.title.weight
            if weight is None:
                assert node.cells is not None
                raise self.error(
                    f"指标{node.code}“{node.title.name}”缺少权重（分值）",
                    node.cells.row,
                    weight_col,
                )
            node.weight = weight
            return weight
        if node.cells is not None and (node.cells.rule or node.cells.target):
            raise self.error(
                f"指标{node.code}“{node.title.name}”既有下级指标，本行又写了评分规则或目标值：请把本行拆成单独的下级指标",
                node.row,
                node.col,
            )
        total = sum((self.weigh(child) for child in node.children), Decimal(0))
        stated = node.title.weight
        if stated is not None and row_weight is not None and stated != row_weight:
            raise self.error(
                f"权重列为{fmt_number(row_weight)}，而指标名称写作{fmt_number(stated)}分：两者不一致",
                node.row,
                weight_col,
            )
        weight = stated if stated is not None else row_weight
        if weight is None:
            weight = total
            node.weight_derived = True
            self.notes.append(
                f"{self.grid.cell_name(node.row, node.col)}“{node.title.name}”未写权重，按下级指标合计{fmt_number(total)}分"
            )
        node.weight = weight
        return weight


def is_self_eval_form(header: Header) -> bool:
    """The national self-evaluation form (指标性质 / 实际完成值 columns, no rule texts)."""
    return header.has("nature") or header.has("actual")


_TARGET_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|[^\d\s%.]{1,4})")


def split_target_unit(target: str) -> tuple[str, str]:
    """The national form writes 年度指标值 and 度量单位 together: "100个" → ("100", "个")."""
    match = _TARGET_UNIT.fullmatch(target.strip())
    if match is None:
        return target, ""
    return match.group(1), match.group(2)


@dataclass
class FundsLine:
    """The national form's funds block: 年度资金总额 with its 分值 is the 预算执行率 line."""

    code: str
    weight: Decimal
    score: str
    reason: str
    numerator_label: str
    denominator_label: str
    row: int
    col: int
    score_col: int | None


def read_funds(grid: Grid, header: Header) -> FundsLine | None:
    """The 年度资金总额 row above the indicator header, if it carries a 分值 (weight)."""
    labels: dict[str, int] = {}
    for row in range(header.row):
        texts = {col: normalize_header(grid.text(row, col)) for col in range(grid.width)}
        if "分值" in texts.values() and any("全年预算数" in t for t in texts.values()):
            labels = {text: col for col, text in texts.items() if text}
            continue
        if not labels or not any(t == "年度资金总额" for t in texts.values()):
            continue
        weight_text = grid.text(row, labels["分值"]).strip()
        if not weight_text:
            return None
        try:
            weight = to_decimal(weight_text)
        except NumberParseError:
            raise WorkbookError(
                f"年度资金总额的分值应为数字，实际为“{weight_text}”",
                grid.where(row, labels["分值"]),
            ) from None
        numerator = next((t for t in labels if "全年执行数" in t), "全年执行数(B)")
        denominator = next((t for t in labels if "全年预算数" in t), "全年预算数(A)")
        score_col = labels.get("得分")
        reason_col = next((col for t, col in labels.items() if "偏差原因" in t), None)
        code_col = header.columns.get("code")
        return FundsLine(
            code=grid.text(row, code_col).strip().upper() if code_col is not None else "",
            weight=weight,
            score=grid.text(row, score_col).strip() if score_col is not None else "",
            reason=grid.text(row, reason_col).strip() if reason_col is not None else "",
            numerator_label=numerator,
            denominator_label=denominator,
            row=row,
            col=labels["分值"],
            score_col=score_col,
        )
    return None


def _adjustment_kind(name: str) -> str | None:
    if "减分" in name or "扣分项" in name:
        return "penalty"
    if "加分" in name:
        return "bonus"
    return None


def _next_code(parent: TableNode | None, index: int, used: set[str]) -> str:
    if parent is None:
        candidates = [chr(ord("A") + i) for i in range(index, 26)] + [
            f"Z{i}" for i in range(1, 100)
        ]
        return next(code for code in candidates if code not in used)
    number = index + 1
    while f"{parent.code}{number}" in used:
        number += 1
    return f"{parent.code}{number}"


def read_structure(grid: Grid, header: Header) -> TableContent:
    """Read the indicator rows below ``header`` into a tree (see the module docstring)."""
    return _Reader(grid, header).read()
