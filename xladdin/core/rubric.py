"""The rubric (指标体系): the indicator tree, each leaf's scoring method, and the rubric's policies.

A rubric is data. It is loaded from YAML (``rubrics/*.yaml``) or from the hidden sheet of a
workbook, validated here, and never changed by scoring.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .numbers import NumberParseError, RoundingMode, to_decimal


def _number(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except NumberParseError as exc:
        raise ValueError(str(exc)) from None


def _non_negative(value: Any) -> Decimal:
    number = _number(value)
    if number < 0:
        raise ValueError(f"不能为负数（{number}）")
    return number


def _text(value: Any) -> Any:
    # Targets such as 100% or 1 arrive from YAML as numbers; they are printed text in the table.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


Num = Annotated[Decimal, BeforeValidator(_number)]
NonNeg = Annotated[Decimal, BeforeValidator(_non_negative)]
Text = Annotated[str, BeforeValidator(_text)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# ---------------------------------------------------------------------------------------------
# Scoring methods. ``type`` names the method; each has a published example in DOMAIN.md.


class RatioMethod(Model):
    """按比例 / 逐点扣分: score from how far a value reaches its target.

    ``proportional``: weight × completion (001 C11: 81.25% × 10 = 8.13).
    ``step_started``: every started step below the target deducts ``step_deduct`` of the weight
    (000 B11: 93.25% → 7% deducted → 0.93). ``step_full``: only full steps count.
    ``direction: lower`` for lower-is-better values (成本, 超支率): ``target_over_actual`` gives
    weight × target / actual, ``linear_to_double`` falls linearly to 0 at twice the target.
    """

    type: Literal["ratio"]
    target: NonNeg = Decimal(1)
    mode: Literal["proportional", "step_started", "step_full"] = "proportional"
    step: NonNeg = Decimal("0.01")
    step_deduct: NonNeg = Decimal("0.01")
    direction: Literal["higher", "lower"] = "higher"
    inverse: Literal["target_over_actual", "linear_to_double"] = "target_over_actual"
    value_label: str = "完成率"
    numerator_label: str | None = None
    denominator_label: str | None = None
    percent: bool = True
    unit: str = ""

    @field_validator("step")
    @classmethod
    def _step_positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("步长必须大于0")
        return value


class Band(Model):
    """One band: reaching ``bound`` (inclusive unless said otherwise) earns ``points`` or ``share``."""

    bound: Num
    inclusive: bool = True
    points: NonNeg | None = None
    share: NonNeg | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> Band:
        if (self.points is None) == (self.share is None):
            raise ValueError("每档须且只须给出 points（分值）或 share（权重比例）之一")
        return self


class BandsMethod(Model):
    """分档: 001 D41 满意度 ≥90% → 7, 80–90% → 6 … below 50% → 0."""

    type: Literal["bands"]
    bands: list[Band] = Field(min_length=1)
    otherwise: NonNeg = Decimal(0)
    direction: Literal["higher", "lower"] = "higher"
    value_label: str = "比值"
    percent: bool = True
    unit: str = ""

    def ordered(self) -> list[Band]:
        """Bands from the best one down."""
        return sorted(self.bands, key=lambda b: b.bound, reverse=self.direction == "higher")


class ChecklistItem(Model):
    text: str | None = None
    points: NonNeg | None = None


class ChecklistMethod(Model):
    """要点: N items with equal shares (``items: 3``) or explicit points per item.

    ``strict``: an item is met or not ("否则不得分"); ``strict: false`` when the rule lets the
    evaluator deduct at discretion ("否则酌情扣除权重分").
    """

    type: Literal["checklist"]
    items: int | list[ChecklistItem]
    strict: bool = True

    @field_validator("items")
    @classmethod
    def _some_items(cls, value: int | list[ChecklistItem]) -> int | list[ChecklistItem]:
        count = value if isinstance(value, int) else len(value)
        if count < 1:
            raise ValueError("要点数至少为1")
        if isinstance(value, list):
            with_points = [item.points is not None for item in value]
            if any(with_points) and not all(with_points):
                raise ValueError("要点分值须全部给出或全部不给（等分权重）")
        return value

    @property
    def item_count(self) -> int:
        return self.items if isinstance(self.items, int) else len(self.items)

    def item_points(self, weight: Decimal) -> list[Decimal] | None:
        """Explicit points per item, or None when the items share the weight equally."""
        if isinstance(self.items, list) and self.items[0].points is not None:
            return [item.points for item in self.items if item.points is not None]
        return None


class DeductionMethod(Model):
    """每发现一例扣分: a share of the weight (``per_share: 25%``) or points per occurrence."""

    type: Literal["deduction"]
    per_share: NonNeg | None = None
    per_points: NonNeg | None = None
    occurrence_label: str = "问题"
    unit: str = "处"

    @model_validator(mode="after")
    def _one_amount(self) -> DeductionMethod:
        if (self.per_share is None) == (self.per_points is None):
            raise ValueError(
                "须且只须给出 per_share（每次扣权重比例）或 per_points（每次扣分）之一"
            )
        return self


class ThresholdMethod(Model):
    """达标: full marks when the value meets ``op value`` (000 C42: ≥100家), else 0 or judgement."""

    type: Literal["threshold"]
    op: Literal[">=", "<=", "=", ">", "<"]
    value: Num
    otherwise: Literal["zero", "judgement"] = "zero"
    value_label: str = "实际值"
    percent: bool = False
    unit: str = ""


NATIONAL_JUDGEMENT_BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "达成年度指标": (Decimal("0.8"), Decimal("1")),
    "部分达成并具有一定效果": (Decimal("0.6"), Decimal("0.8")),
    "未达成且效果较差": (Decimal("0"), Decimal("0.6")),
}


class JudgementMethod(Model):
    """酌情扣分 / 定性: the evaluator decides, always with a reason.

    ``scale: national`` asks for one of the national three bands and a share within it.
    """

    type: Literal["judgement"]
    scale: Literal["national"] | None = None


class ManualMethod(Model):
    """人工认定: the line's score is the evaluator's figure (004 publishes only group scores)."""

    type: Literal["manual"]


Method = Annotated[
    RatioMethod
    | BandsMethod
    | ChecklistMethod
    | DeductionMethod
    | ThresholdMethod
    | JudgementMethod
    | ManualMethod,
    Field(discriminator="type"),
]

METHOD_NAMES: dict[str, str] = {
    "ratio": "按比例",
    "bands": "分档",
    "checklist": "要点",
    "deduction": "逐项扣分",
    "threshold": "达标",
    "judgement": "酌情认定",
    "manual": "人工认定",
}


# ---------------------------------------------------------------------------------------------
# The tree.


class DeclaredCounts(Model):
    """How many sub-indicators a report says a group has when the table itself is not published."""

    level2: int = Field(ge=0)
    level3: int = Field(ge=0)


class Node(Model):
    """An indicator: a group (一级/二级指标) with ``children``, or a leaf with a ``method``."""

    code: Text = Field(min_length=1)
    name: Text = Field(min_length=1)
    weight: NonNeg
    target: Text | None = None
    rule: str = ""
    method: Method | None = None
    children: list[Node] | None = None
    nature: Literal["≥", "≤", "=", "定性"] | None = None
    unit: str | None = None
    code_assigned: bool = False
    declared_counts: DeclaredCounts | None = None

    @field_validator("code")
    @classmethod
    def _code_clean(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("指标编码不能为空")
        return value

    @model_validator(mode="after")
    def _leaf_or_group(self) -> Node:
        if self.children is None and self.method is None:
            raise ValueError(
                "末级指标须给出 method（评分方法），上级指标须给出 children（下级指标）"
            )
        if self.children is not None and self.method is not None:
            raise ValueError("同一指标不能既有 method 又有 children")
        if self.children is not None and not self.children:
            raise ValueError("children（下级指标）不能为空列表")
        return self

    @property
    def is_leaf(self) -> bool:
        return self.children is None

    @cached_property
    def descendants(self) -> list[tuple[Node, int]]:
        """This node and everything below it, pre-order, with depth relative to this node (0).

        Rubrics are not changed after loading, so this is computed once.
        """
        found: list[tuple[Node, int]] = [(self, 0)]
        for child in self.children or []:
            found.extend((node, depth + 1) for node, depth in child.descendants)
        return found

    @cached_property
    def leaf_nodes(self) -> list[Node]:
        return [node for node, _ in self.descendants if node.children is None]

    def walk(self, depth: int = 1) -> list[tuple[Node, int]]:
        """This node and its descendants, pre-order, with their depth (1 = 一级)."""
        return [(node, d + depth) for node, d in self.descendants]

    def leaves(self) -> list[Node]:
        return self.leaf_nodes


# ---------------------------------------------------------------------------------------------
# Policies.


class RoundingRule(Model):
    places: int = Field(ge=0, le=10)
    mode: RoundingMode = "half_up"


class RoundingPolicy(Model):
    """How numbers are rounded. ``rate`` is the 得分率 as a fraction (4 places = 88.93%)."""

    score: RoundingRule = RoundingRule(places=2, mode="half_up")
    rate: RoundingRule = RoundingRule(places=4, mode="half_up")
    value: RoundingRule = RoundingRule(places=4, mode="half_up")
    score_on_rounded_value: bool = True


class GradeBand(Model):
    grade: str = Field(min_length=1)
    min: Num


NATIONAL_GRADES: list[GradeBand] = [
    GradeBand(grade="优", min=Decimal(90)),
    GradeBand(grade="良", min=Decimal(80)),
    GradeBand(grade="中", min=Decimal(60)),
    GradeBand(grade="差", min=Decimal(0)),
]


class ReasonRule(Model):
    """A reason the evidence must give: 偏差原因 at ≥130% of target (广西), or below 90% execution (四川).

    ``completion`` is value / target of a quantitative line.
    """

    when: Literal["completion_at_least", "completion_below"]
    threshold: NonNeg
    codes: list[str] | None = None
    label: str = "偏差原因"
    source: str | None = None


class AdjustmentItem(Model):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    rule: str = ""
    max_points: NonNeg | None = None


class Adjustment(Model):
    """加分项 / 减分项 with an optional cap on their sum (000 F: 加分项 ≤ 5)."""

    name: str
    cap: NonNeg | None = None
    items: list[AdjustmentItem] = Field(default_factory=list)


class Rubric(Model):
    """An indicator system (指标体系) with its policies."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = Field(min_length=1)
    kind: Literal["project", "department", "special_fund"]
    year: int | None = None
    layout: Literal["scoring_table", "self_eval_form"] = "scoring_table"
    starter: bool = False
    source: str | None = None
    description: str | None = None
    total_weight: NonNeg = Decimal(100)
    grades: list[GradeBand] = Field(default_factory=lambda: list(NATIONAL_GRADES))
    rounding: RoundingPolicy = RoundingPolicy()
    not_applicable: Literal["rescale", "forbidden"] = "rescale"
    reason_rules: list[ReasonRule] = Field(default_factory=list)
    level_names: list[str] = Field(default_factory=lambda: ["一级指标", "二级指标", "三级指标"])
    levels: list[Node] = Field(min_length=1)
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None

    @cached_property
    def nodes(self) -> list[tuple[Node, int]]:
        """Every node, pre-order, with its depth (1 = 一级); computed once."""
        return [(node, depth + 1) for level in self.levels for node, depth in level.descendants]

    @cached_property
    def leaf_nodes(self) -> list[Node]:
        return [node for node, _ in self.nodes if node.children is None]

    @cached_property
    def by_code(self) -> dict[str, Node]:
        """Every node by code (the first one, if a code is duplicated)."""
        index: dict[str, Node] = {}
        for node, _ in self.nodes:
            index.setdefault(node.code, node)
        return index

    def walk(self) -> list[tuple[Node, int]]:
        return self.nodes

    def leaves(self) -> list[Node]:
        return self.leaf_nodes

    def find(self, code: str) -> Node | None:
        return self.by_code.get(code)

    def index(self) -> dict[str, Node]:
        return self.by_code

    def adjustment_items(self) -> Iterator[tuple[Literal["bonus", "penalty"], AdjustmentItem]]:
        """Bonus and penalty items, tagged ``bonus`` or ``penalty``."""
        if self.bonus is not None:
            for item in self.bonus.items:
                yield "bonus", item
        if self.penalty is not None:
            for item in self.penalty.items:
                yield "penalty", item

    def grade_for(self, total: Decimal) -> str:
        for band in sorted(self.grades, key=lambda g: g.min, reverse=True):
            if total >= band.min:
                return band.grade
        return sorted(self.grades, key=lambda g: g.min)[0].grade

    @property
    def depth(self) -> int:
        return max(depth for _, depth in self.walk())


KIND_NAMES: dict[str, str] = {
    "project": "项目支出",
    "department": "部门整体支出",
    "special_fund": "专项资金",
}
