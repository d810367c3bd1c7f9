"""The rubric (指标体系): the indicator tree, each leaf's scoring method, and the rubric's policies.

A rubric is data. It is loaded from YAML (``rubrics/*.yaml``) or from the hidden sheet of a
workbook, validated here, and never changed by scoring.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .fields import Frozen, Model, NonNeg, Num, Text
from .methods import (
    METHOD_NAMES,
    NATIONAL_JUDGEMENT_BANDS,
    Band,
    BandsMethod,
    ChecklistItem,
    ChecklistMethod,
    DeductionMethod,
    JudgementMethod,
    ManualMethod,
    Method,
    RatioMethod,
    ThresholdMethod,
)
from .methods.judgement import check_edges
from .numbers import (
    ROUNDING_MODE_NAMES,
    NumberParseError,
    RoundingMode,
    divide,
    fmt_number,
    quantize,
    to_decimal,
)
from .policy import PlausibilityPolicy, RoundingPolicy, RoundingRule
from .result import Finding
from .ruletext import flat

# ---------------------------------------------------------------------------------------------
# The tree.


class DeclaredCounts(Frozen):
    """How many sub-indicators a report says a group has when the table itself is not published."""

    level2: int = Field(ge=0)
    level3: int = Field(ge=0)


class DerivedWeights(Frozen):
    """Children's weights derived from their count: "三级指标分值 = 二级指标分值 ÷ 三级指标个数，
    四舍五入保留整数" (``places: 0``, ``mode: half_up``)."""

    places: int = Field(default=0, ge=0, le=10)
    mode: RoundingMode = "half_up"

    def weight(self, parent: Decimal, count: int) -> Decimal:
        """Each child's weight: ``parent`` ÷ ``count``, rounded."""
        return quantize(divide(parent, Decimal(count)), self.places, self.mode)


class Node(Frozen):
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
    transfer_to: str | None = None
    """When this indicator does not apply, its weight moves to the indicator with this code
    ("无满意度指标的，其分值计入效益指标"), instead of rescaling every line."""
    child_weights: DerivedWeights | None = None
    """A group whose children's weights are its weight ÷ their count: children without a
    ``weight`` get it; a printed weight that differs is kept and reported by ``lint``."""
    rounding: RoundingRule | None = None
    """A leaf's own score rounding (one decimal on one line, whole points on another); None:
    the rubric's ``rounding.score``."""

    @model_validator(mode="before")
    @classmethod
    def _derive_child_weights(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not data.get("child_weights"):
            return data
        children, rule = data.get("children"), data["child_weights"]
        if not isinstance(children, list) or not children or data.get("weight") is None:
            return data
        if not isinstance(rule, DerivedWeights):
            rule = DerivedWeights.model_validate(rule)
        try:
            each = rule.weight(to_decimal(data["weight"]), len(children))
        except NumberParseError:
            return data  # the weight's own validation says what is wrong
        data = dict(data)
        data["children"] = [
            {**child, "weight": each}
            if isinstance(child, dict) and child.get("weight") is None
            else child
            for child in children
        ]
        return data

    def derived_child_weight(self) -> Decimal | None:
        """The weight ``child_weights`` gives each child, or None."""
        if self.child_weights is None or not self.children:
            return None
        return self.child_weights.weight(self.weight, len(self.children))

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
    def _leaves(self) -> list[Node]:
        return [node for node, _ in self.descendants if node.children is None]

    def walk(self, depth: int = 1) -> list[tuple[Node, int]]:
        """This node and its descendants, pre-order, with their depth (1 = 一级)."""
        return [(node, d + depth) for node, d in self.descendants]

    def leaves(self) -> list[Node]:
        """The leaves (三级指标) under this node, in order."""
        return self._leaves


# ---------------------------------------------------------------------------------------------
# Policies.


class GradeBand(Frozen):
    grade: str = Field(min_length=1)
    min: Num


NATIONAL_GRADES: list[GradeBand] = [
    GradeBand(grade="优", min=Decimal(90)),
    GradeBand(grade="良", min=Decimal(80)),
    GradeBand(grade="中", min=Decimal(60)),
    GradeBand(grade="差", min=Decimal(0)),
]


def grade_for(total: Decimal, grades: Sequence[GradeBand]) -> str:
    """The grade of ``total``: the band with the highest minimum it reaches (else the lowest)."""
    for band in sorted(grades, key=lambda g: g.min, reverse=True):
        if total >= band.min:
            return band.grade
    return min(grades, key=lambda g: g.min).grade


class ReasonRule(Frozen):
    """A reason the evidence must give: 偏差原因 at ≥130% of target (广西), or below 90% execution (四川).

    ``completion`` is value / target of a quantitative line.
    """

    when: Literal["completion_at_least", "completion_below"]
    threshold: NonNeg
    codes: list[str] | None = None
    label: str = "偏差原因"
    source: str | None = None


class ReviewSettings(Frozen):
    """What a reviewer (复核) checks where provinces differ; the defaults are the national ones.

    ``reason_below``: a line whose score rate is below this needs a 偏差原因 (1 = every line
    below full marks; 0.9 = only below 90% of its weight; 0 = never). ``boilerplate``: reasons
    that say nothing. ``repeated_reason``: the same reason on this many lines is boilerplate.
    ``vague_values``: completion values of a qualitative line too vague for full marks.
    ``money_tolerance``: how far 年度资金总额 may be from the sum of its sources (万元 or 元,
    as the form prints). ``dimensions`` and ``default_weights``: the level-1 groups a
    self-evaluation form must have and their default 分值. ``target_line``: the code of a
    deduction line that scores target quality (000 A22): each target finding counts as one
    例 of it.
    """

    reason_below: NonNeg = Decimal(1)
    boilerplate: list[str] = Field(
        default_factory=lambda: ["暂无", "无", "见附件", "详见附件", "/", "略", "同上", "无偏差"]
    )
    repeated_reason: int = Field(default=3, ge=2)
    vague_values: list[str] = Field(
        default_factory=lambda: ["达成", "已达成", "有效", "完成", "已完成", "良好", "较好", "是"]
    )
    money_tolerance: NonNeg = Decimal("0.01")
    dimensions: list[str] = Field(default_factory=lambda: ["产出", "效益", "满意度"])
    default_weights: dict[str, NonNeg] = Field(
        default_factory=lambda: {
            "预算执行率": Decimal(10),
            "产出": Decimal(50),
            "效益": Decimal(30),
            "满意度": Decimal(10),
        }
    )
    target_line: str | None = None


class AdjustmentItem(Frozen):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    rule: str = ""
    max_points: NonNeg | None = None


class Adjustment(Frozen):
    """加分项 / 减分项 with an optional cap on their sum (000 F: 加分项 ≤ 5)."""

    name: str
    cap: NonNeg | None = None
    items: list[AdjustmentItem] = Field(default_factory=list)


class Rubric(Frozen):
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
    plausibility: PlausibilityPolicy = PlausibilityPolicy()
    not_applicable: Literal["rescale", "forbidden"] = "rescale"
    judgement_edges: list[NonNeg] | None = None
    """The inner edges of every qualitative line's three bands (``[80%, 50%]``: 100–80% /
    80–50% / 50–0%) unless the line sets its own; None: the national 80% and 60%."""
    reason_rules: list[ReasonRule] = Field(default_factory=list)
    review: ReviewSettings = ReviewSettings()
    level_names: list[str] = Field(default_factory=lambda: ["一级指标", "二级指标", "三级指标"])
    levels: list[Node] = Field(min_length=1)
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None

    @field_validator("judgement_edges")
    @classmethod
    def _edges(cls, value: list[Decimal] | None) -> list[Decimal] | None:
        return check_edges(value)

    @model_validator(mode="after")
    def _unique_codes(self) -> Rubric:
        codes = [node.code for node, _ in self._walk]
        codes += [item.code for _, item in self.adjustment_items()]
        duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
        if duplicates:
            raise ValueError(f"指标编码重复：{'、'.join(duplicates)}，无法对应佐证")
        self._check_transfers()
        return self

    def _check_transfers(self) -> None:
        for node, _ in self._walk:
            if node.transfer_to is None:
                continue
            target = self._by_code.get(node.transfer_to)
            if target is None:
                raise ValueError(
                    f"指标{node.code}不适用时分值计入的“{node.transfer_to}”不在指标体系中"
                )
            inside = {below.code for below, _ in node.descendants}
            if target.code in inside or node.code in {
                below.code for below, _ in target.descendants
            }:
                raise ValueError(f"指标{node.code}的分值不能计入其上级或下级指标{target.code}")
            if any(below.transfer_to for below, depth in node.descendants if depth):
                raise ValueError(f"指标{node.code}及其下级指标不能都设置不适用时分值计入")

    def transfers(self) -> list[tuple[Node, Node]]:
        """(source, target) for every indicator whose weight moves when it does not apply."""
        return [
            (node, self._by_code[node.transfer_to])
            for node, _ in self._walk
            if node.transfer_to is not None
        ]

    # Rubrics are not changed after loading: the walks and the index are computed once.
    @cached_property
    def _walk(self) -> list[tuple[Node, int]]:
        return [(node, depth + 1) for level in self.levels for node, depth in level.descendants]

    @cached_property
    def _leaves(self) -> list[Node]:
        return [node for node, _ in self._walk if node.children is None]

    @cached_property
    def _by_code(self) -> dict[str, Node]:
        return {node.code: node for node, _ in self._walk}

    def walk(self) -> list[tuple[Node, int]]:
        """Every node, pre-order, with its depth (1 = 一级)."""
        return self._walk

    def leaves(self) -> list[Node]:
        """The leaves (三级指标), in order."""
        return self._leaves

    def find(self, code: str) -> Node | None:
        """The node with ``code`` (codes are unique), or None."""
        return self._by_code.get(code)

    def adjustment_items(self) -> Iterator[tuple[Literal["bonus", "penalty"], AdjustmentItem]]:
        """Bonus and penalty items, tagged ``bonus`` or ``penalty``."""
        if self.bonus is not None:
            for item in self.bonus.items:
                yield "bonus", item
        if self.penalty is not None:
            for item in self.penalty.items:
                yield "penalty", item

    def grade_for(self, total: Decimal) -> str:
        return grade_for(total, self.grades)

    def score_rule(self, node: Node) -> RoundingRule:
        """How ``node``'s score is rounded: its own ``rounding``, else the rubric's."""
        return node.rounding if node.rounding is not None else self.rounding.score

    @property
    def depth(self) -> int:
        return max(depth for _, depth in self.walk())


# ---------------------------------------------------------------------------------------------
# Rule-text patterns of the rubric's options.

_PLACES_WORDS = {"整数": 0, "一": 1, "1": 1, "两": 2, "二": 2, "2": 2, "三": 3, "3": 3}
_KEEP_PLACES = re.compile(r"保留(?:到)?(整数|(一|1|两|二|2|三|3)位小数)")
_WHOLE = re.compile(r"(?:得分|分值|结果)?(?:取整数?|按整数计)")
_TRUNCATE = ("截尾", "去尾", "舍去尾数", "不四舍五入", "直接舍去", "向下取整")


@dataclass(frozen=True)
class OptionInference:
    """An option inferred from a rule text: its YAML-ready value, a confidence and a note."""

    value: dict[str, Any]
    confidence: float
    note: str


def infer_rounding(rule: str) -> OptionInference | None:
    """A line's own score rounding from its rule: "保留一位小数", "四舍五入保留整数", "取整"."""
    text = flat(rule)
    kept = _KEEP_PLACES.search(text)
    whole = kept is None and _WHOLE.search(text) is not None
    if kept is None and not whole:
        return None
    places = 0 if whole or kept is None else _PLACES_WORDS[kept.group(2) or kept.group(1)]
    truncate = any(word in text for word in _TRUNCATE)
    mode: RoundingMode = "truncate" if truncate else "half_up"
    stated = truncate or "四舍五入" in text
    confidence = 0.85 if stated else 0.65
    kept_text = _places_text(places)
    how = ROUNDING_MODE_NAMES[mode] + ("" if stated else "（规则未写舍入方式，按四舍五入）")
    return OptionInference(
        {"places": places, "mode": mode}, confidence, f"本行得分保留{kept_text}，{how}"
    )


def option_findings(rubric: Rubric) -> list[Finding]:
    """Lint findings about the rubric's per-line options (rounding, weight transfer, derived
    weights)."""
    findings: list[Finding] = []
    whole = rubric.rounding.score
    for node in rubric.leaves():
        if node.rounding is not None and node.rounding != whole:
            findings.append(
                Finding(
                    severity="info",
                    check="line-rounding",
                    message=f"本行得分保留{_places_text(node.rounding.places)}、"
                    f"{ROUNDING_MODE_NAMES[node.rounding.mode]}，与全表"
                    f"（{_places_text(whole.places)}、{ROUNDING_MODE_NAMES[whole.mode]}）不同",
                    code=node.code,
                    field="rounding",
                )
            )
    for node, _ in rubric.walk():
        each = node.derived_child_weight()
        if each is None:
            continue
        assert node.child_weights is not None and node.children is not None
        for child in node.children:
            if child.weight != each:
                findings.append(
                    Finding(
                        severity="warning",
                        check="derived-weight",
                        message=f"按“{node.name}分值{fmt_number(node.weight)}÷{len(node.children)}个下级指标，"
                        f"保留{_places_text(node.child_weights.places)}”应为{fmt_number(each)}分，"
                        f"表内为{fmt_number(child.weight)}分",
                        code=child.code,
                        field="weight",
                    )
                )
    for source, target in rubric.transfers():
        findings.append(
            Finding(
                severity="info",
                check="weight-transfer",
                message=f"{source.name}不适用时，其分值{fmt_number(source.weight)}计入"
                f"{target.name}（{target.code}），不按全表折算",
                code=source.code,
                field="transfer_to",
            )
        )
    return findings


_TRANSFER = re.compile(
    r"(?:无|没有|未设置?|不设置?|缺少|不涉及)(?P<source>[^，,；;。的]{1,12}?指标)的?[，,]?"
    r"(?:其|该指标)?(?:分值|权重|分数)?(?:计入|并入|归入|转入|加到|加入|划入)(?P<target>[^，,；;。]{1,12}?指标)"
)


def infer_transfer(rule: str, names: Sequence[str]) -> OptionInference | None:
    """A weight transfer from its wording ("无满意度指标的，其分值计入效益指标"): the source
    and target as named, sure when both are among ``names`` (the rubric's indicator names)."""
    found = _TRANSFER.search(flat(rule))
    if found is None:
        return None
    source, target = found["source"], found["target"]
    known = {flat(name) for name in names}
    sure = source in known and target in known
    note = f"{source}不适用时，其分值计入{target}"
    if not sure:
        note += "（指标名称与表内不完全一致，请核对）"
    return OptionInference({"source": source, "target": target}, 0.85 if sure else 0.6, note)


_DERIVED = re.compile(
    r"(?:分值|权重|分数)=\S{0,10}?(?:分值|权重|分数)[÷/]\S{0,10}?(?:个数|数量|项数|数)"
)


def infer_child_weights(rule: str) -> OptionInference | None:
    """Weights derived from counts: "三级指标分值=二级指标分值÷三级指标个数，四舍五入保留整数"."""
    text = flat(rule)
    if _DERIVED.search(text) is None:
        return None
    rounding = infer_rounding(text)
    if rounding is None:
        return OptionInference(
            {"places": 2, "mode": "half_up"},
            0.6,
            "下级指标分值=本级分值÷下级指标个数（规则未写保留位数，按两位小数）",
        )
    kept = _places_text(int(rounding.value["places"]))
    how = ROUNDING_MODE_NAMES[rounding.value["mode"]]
    return OptionInference(
        rounding.value,
        rounding.confidence,
        f"下级指标分值=本级分值÷下级指标个数，保留{kept}，{how}",
    )


def _places_text(places: int) -> str:
    return "整数" if places == 0 else f"{places}位小数"


KIND_NAMES: dict[str, str] = {
    "project": "项目支出",
    "department": "部门整体支出",
    "special_fund": "专项资金",
}


__all__ = [
    "KIND_NAMES",
    "METHOD_NAMES",
    "NATIONAL_GRADES",
    "NATIONAL_JUDGEMENT_BANDS",
    "Adjustment",
    "AdjustmentItem",
    "Band",
    "BandsMethod",
    "ChecklistItem",
    "ChecklistMethod",
    "DeclaredCounts",
    "DeductionMethod",
    "DerivedWeights",
    "GradeBand",
    "JudgementMethod",
    "ManualMethod",
    "Method",
    "Model",
    "Node",
    "NonNeg",
    "Num",
    "OptionInference",
    "PlausibilityPolicy",
    "RatioMethod",
    "ReasonRule",
    "ReviewSettings",
    "RoundingPolicy",
    "RoundingRule",
    "Rubric",
    "Text",
    "ThresholdMethod",
    "grade_for",
    "infer_child_weights",
    "infer_rounding",
    "infer_transfer",
    "option_findings",
]
