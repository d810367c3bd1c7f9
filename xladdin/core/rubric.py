"""The rubric (指标体系): the indicator tree, each leaf's scoring method, and the rubric's policies.

A rubric is data. It is loaded from YAML (``rubrics/*.yaml``) or from the hidden sheet of a
workbook, validated here, and never changed by scoring.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .fields import Model, NonNeg, Num, Text
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
from .policy import PlausibilityPolicy, RoundingPolicy, RoundingRule

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


class GradeBand(Model):
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
    plausibility: PlausibilityPolicy = PlausibilityPolicy()
    not_applicable: Literal["rescale", "forbidden"] = "rescale"
    reason_rules: list[ReasonRule] = Field(default_factory=list)
    level_names: list[str] = Field(default_factory=lambda: ["一级指标", "二级指标", "三级指标"])
    levels: list[Node] = Field(min_length=1)
    bonus: Adjustment | None = None
    penalty: Adjustment | None = None

    @model_validator(mode="after")
    def _unique_codes(self) -> Rubric:
        codes = [node.code for node, _ in self._walk]
        codes += [item.code for _, item in self.adjustment_items()]
        duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
        if duplicates:
            raise ValueError(f"指标编码重复：{'、'.join(duplicates)}，无法对应佐证")
        return self

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

    @property
    def depth(self) -> int:
        return max(depth for _, depth in self.walk())


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
    "GradeBand",
    "JudgementMethod",
    "ManualMethod",
    "Method",
    "Model",
    "Node",
    "NonNeg",
    "Num",
    "PlausibilityPolicy",
    "RatioMethod",
    "ReasonRule",
    "RoundingPolicy",
    "RoundingRule",
    "Rubric",
    "Text",
    "ThresholdMethod",
    "grade_for",
]
