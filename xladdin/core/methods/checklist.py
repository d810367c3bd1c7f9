"""要点 (checklist): items met or not, with equal shares or their own points."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from pydantic import field_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import (
    CIRCLED,
    HUNDRED,
    ZERO,
    circled,
    divide,
    fmt_number,
    fmt_percent_short,
    quantize,
)
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import (
    NUM,
    Inference,
    clean_text,
    count_word,
    flat,
)
from .base import (
    EvidenceInput,
    LineNode,
    MethodError,
    MethodSpec,
    MissingEvidence,
    Outcome,
    Pattern,
    Rounded,
    check_weight,
    error,
    warning,
)


class ChecklistItem(Frozen):
    text: str | None = None
    points: NonNeg | None = None


class ChecklistMethod(Frozen):
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

    @property
    def explicit_points(self) -> list[Decimal] | None:
        """The items' own points, or None when the items share the weight equally."""
        if isinstance(self.items, list) and self.items[0].points is not None:
            return [item.points for item in self.items if item.points is not None]
        return None

    def item_points(self, weight: Decimal) -> list[Decimal]:
        """What each item is worth on a line of ``weight``: its own points, or an equal share."""
        explicit = self.explicit_points
        if explicit is not None:
            return explicit
        return [divide(weight, Decimal(self.item_count))] * self.item_count


def checklist_points(
    weight: Decimal, met: Sequence[bool], item_points: Sequence[Decimal] | None = None
) -> Decimal:
    """要点: equal shares of the weight, or the explicit points of the items met."""
    check_weight(weight)
    if not met:
        raise MethodError("没有可计分的要点")
    if item_points is None:
        return weight * divide(Decimal(sum(met)), Decimal(len(met)))
    if len(item_points) != len(met):
        raise MethodError(f"要点有{len(met)}项，分值有{len(item_points)}个，数量须一致")
    return sum((p for p, ok in zip(item_points, met, strict=True) if ok), ZERO)


def checklist_flags(method: ChecklistMethod, line: LineEvidence) -> list[bool]:
    """Which items are met, from ``met`` or from the numbers of the ``failed`` items."""
    count = method.item_count
    if line.met is not None:
        if len(line.met) != count:
            raise MethodError(f"评分规则有{count}个要点，佐证填写了{len(line.met)}个")
        return list(line.met)
    if line.failed is not None:
        beyond = [n for n in line.failed if n > count]
        if beyond:
            raise MethodError(f"不符合的要点序号{beyond[0]}超出要点数{count}")
        return [(i + 1) not in line.failed for i in range(count)]
    raise MissingEvidence("缺少各要点是否符合的佐证")


def _score(
    node: LineNode, method: ChecklistMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    flags = checklist_flags(method, line)
    points = checklist_points(node.weight, flags, method.explicit_points)
    failed = [circled(i + 1) for i, ok in enumerate(flags) if not ok]
    if not failed:
        return Outcome(points, "")
    return Outcome(points, f"第{'、'.join(failed)}项不符合", states_deduction=True)


def _needs(method: ChecklistMethod) -> list[EvidenceInput]:
    return [
        EvidenceInput(f"item{i}", f"要点{i}", "√ 符合，× 不符合", "flag", ("√", "×"))
        for i in range(1, method.item_count + 1)
    ]


_CIRCLED_RE = re.compile(f"[{CIRCLED}]")

# ---------------------------------------------------------------------------------------------
# Checks of the rubric line and of an evaluator's decision.


def _lint(node: LineNode, method: ChecklistMethod) -> list[Finding]:
    findings: list[Finding] = []
    points = method.explicit_points
    if points is not None and sum(points, ZERO) != node.weight:
        findings.append(
            error(
                "checklist-points",
                f"各要点分值合计{fmt_number(sum(points, ZERO))}，与权重{fmt_number(node.weight)}不一致",
                node.code,
                "method.items",
            )
        )
    listed = len(set(_CIRCLED_RE.findall(node.rule)))
    if listed > 1 and listed != method.item_count:
        findings.append(
            warning(
                "checklist-count",
                f"评分规则列出{listed}个要点，评分方法按{method.item_count}个要点计分",
                node.code,
                "method.items",
            )
        )
    return findings


def achievable_checklist_scores(
    node: LineNode, method: ChecklistMethod, rubric: Rounded
) -> set[Decimal]:
    """Every score a strict checklist can give, rounded as the rubric rounds."""
    places, mode = rubric.rounding.score.places, rubric.rounding.score.mode
    points = method.explicit_points
    if points is None:
        n = method.item_count
        return {
            quantize(node.weight * divide(Decimal(k), Decimal(n)), places, mode)
            for k in range(n + 1)
        }
    sums: set[Decimal] = {ZERO}
    for item in points:
        sums |= {s + item for s in sums}
    return {quantize(s, places, mode) for s in sums}


_ACHIEVABLE: dict[tuple[int, int, int, str], tuple[Any, Any, frozenset[Decimal]]] = {}


def _achievable(node: LineNode, method: ChecklistMethod, rubric: Rounded) -> frozenset[Decimal]:
    """:func:`achievable_checklist_scores`, once per rubric line (its node and method objects)
    and rounding: a batch's workbooks share their rubric."""
    rule = rubric.rounding.score
    key = (id(node), id(method), rule.places, rule.mode)
    cached = _ACHIEVABLE.get(key)
    if cached is None or cached[0] is not node or cached[1] is not method:
        if len(_ACHIEVABLE) > 1024:
            _ACHIEVABLE.clear()
        cached = (node, method, frozenset(achievable_checklist_scores(node, method, rubric)))
        _ACHIEVABLE[key] = cached
    return cached[2]


def _share_text(node: LineNode, method: ChecklistMethod) -> str:
    points = method.explicit_points
    if points is None:
        n = method.item_count
        each = fmt_number(quantize(divide(node.weight, Decimal(n)), 2, "half_up"))
        return f"{n}项各占1/{n}权重分（每项{each}分）"
    return "各要点分值" + "、".join(fmt_number(p) for p in points) + "分"


def _decision_check(
    node: LineNode, method: ChecklistMethod, score: Decimal, rubric: Rounded
) -> str | None:
    """A strict checklist gives only the sums of its items; an evaluator's other figure is not
    one of them."""
    if not method.strict:
        return None
    achievable = _achievable(node, method, rubric)
    if score in achievable:
        return None
    awarded = fmt_percent_short(divide(score, node.weight)) if node.weight else "0%"
    options = "、".join(fmt_number(s) for s in sorted(achievable))
    return (
        f"评价人认定得{fmt_number(score)}分（{awarded}权重分），"
        f"但评分规则为{_share_text(node, method)}，只能得{options}分"
    )


def _discretion(method: ChecklistMethod) -> bool:
    return not method.strict


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.

_ITEM_POINTS = re.compile(rf"得{NUM}分|[（(]{NUM}分[）)]")
_ITEM_POINTS_TAIL = re.compile(
    r"[，,；;]?\s*(?:得\s*\d+(?:\.\d+)?\s*分|[（(]\s*\d+(?:\.\d+)?\s*分\s*[）)])\s*[。；;，,.]?\s*$"
)


def _items(rule: str) -> list[str]:
    """The texts after ①, ②, … (the preamble before ① is dropped)."""
    parts = _CIRCLED_RE.split(rule)
    markers = _CIRCLED_RE.findall(rule)
    if not markers:
        return []
    return parts[1:]


def _item_text(item: str, last: bool) -> str:
    text = clean_text(item)
    if last:
        text = re.split(r"(?<=[。；;])\s*(?:以上|上述)", text)[0]
    text = _ITEM_POINTS_TAIL.sub("", text)
    return text.strip().rstrip("。；;，,.、 ").strip()


def _points_checklist(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    items = _items(rule)
    if len(items) < 1:
        return None
    points: list[Decimal] = []
    for item in items:
        found = [m.group(1) or m.group(2) for m in _ITEM_POINTS.finditer(flat(item))]
        if len(found) != 1:
            return None
        points.append(Decimal(found[0]))
    entries = [
        {"text": _item_text(item, i == len(items) - 1), "points": value}
        for i, (item, value) in enumerate(zip(items, points, strict=True))
    ]
    strict = "酌情" not in text
    method: dict[str, Any] = {"type": "checklist", "items": entries}
    if not strict:
        method["strict"] = False
    doubts: list[str] = []
    confidence = 0.9
    total = sum(points, Decimal(0))
    if weight is not None and total != weight:
        confidence = 0.6
        doubts.append(f"各要点分值合计{fmt_number(total)}，与权重{fmt_number(weight)}不一致")
    listed = "、".join(fmt_number(p) for p in points)
    note = f"{len(points)}个要点，分别{listed}分" + ("，否则酌情扣除" if not strict else "")
    return Inference(method, confidence, note, doubts)


_SHARE = re.compile(r"各?占(?:比)?(\d+/\d+|\d+(?:\.\d+)?%)的?(?:权重|分值)")
_STATED = re.compile(r"(?:以上|上述)(各|[\d一二两三四五六七八九十]+)?(?:项|个)?")


def _share_checklist(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    match = _SHARE.search(text)
    if match is None:
        return None
    share = match.group(1)
    from_share: int | None = None
    if "/" in share:
        top, bottom = share.split("/")
        if top == "1" and int(bottom) > 0:
            from_share = int(bottom)
    else:
        percent = Decimal(share[:-1])
        if percent > 0 and (HUNDRED / percent) == (HUNDRED / percent).to_integral_value():
            from_share = int(HUNDRED / percent)
    before = text[max(0, match.start() - 10) : match.start()]
    stated_match = None
    for candidate in _STATED.finditer(before):
        stated_match = candidate
    stated = count_word(stated_match.group(1)) if stated_match is not None else None
    circled = len(set(_CIRCLED_RE.findall(rule)))
    stages = re.search(r"(\d+|[一二两三四五六七八九十])个(?:阶段|方面|环节)", text)
    counted = count_word(stages.group(1)) if stages else None
    candidates = [
        (f"各占{share}即{from_share}项", from_share),
        (f"文字写{stated}项", stated),
        (f"列出{circled}个要点", circled or None),
        (f"写明{counted}个阶段", counted),
    ]
    known = [(label, n) for label, n in candidates if n]
    if not known:
        return None
    items = known[0][1]
    assert items is not None
    strict = "酌情" not in text
    method: dict[str, Any] = {"type": "checklist", "items": items}
    if not strict:
        method["strict"] = False
    doubts: list[str] = []
    confidence = 0.9
    if any(n != items for _, n in known):
        confidence = 0.65
        listed = "，".join(label for label, _ in known)
        doubts.append(f"项数不一致：{listed}；按{items}项")
    note = f"以上{items}项各占1/{items}权重" + ("，否则酌情扣除" if not strict else "")
    return Inference(method, confidence, note, doubts)


def _all_or_nothing(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if re.search(r"得(?:权重分|满分|全部分值|\d+(?:\.\d+)?分)[，,；;]?否则不得分", text):
        return Inference(
            {"type": "checklist", "items": 1},
            0.65,
            "符合得权重分，否则不得分（按1个要点）",
        )
    return None


SPEC = MethodSpec(
    type="checklist",
    name="要点",
    model=ChecklistMethod,
    needs=_needs,
    rule=_score,
    lint=_lint,
    discretion=_discretion,
    decision_check=_decision_check,
    patterns=(
        Pattern(40, _points_checklist),
        Pattern(50, _share_checklist),
        Pattern(90, _all_or_nothing),
    ),
)
