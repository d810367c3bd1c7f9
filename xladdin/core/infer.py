"""Infer a line's scoring method from the verbatim text of its rule (评分规则 / 评分标准).

Pure: text in, an :class:`Inference` out (the method as YAML-ready data, a confidence between 0
and 1 and a short Chinese note). Used by ``xladdin import`` to turn an existing scoring table
into a rubric. Each method module carries the patterns of its usual wordings (see
``xladdin.core.methods``); they are tried here, most specific first:

- judgement: the national three qualitative bands;
- bands: "比值在90%（含）以上，得7分；…80%（含）-90%之间，得6分；…不足50%不得分";
- ratio: "每降低1%扣1%权重分" / "每低于标准值1%，扣除权重分的1%" (``step_started``);
- checklist: "①…得0.5分；②…得0.5分", "（1 分）", "以上N项各占1/N权重", "上述五项各占20%权重分";
  ``strict: false`` when the rule allows "酌情扣除";
- deduction: "每发现一例…扣25%权重" (``per_share``), "每一项扣0.5分" (``per_points``);
- threshold: "≥100家得权重分", ``otherwise: judgement`` with "否则酌情扣除";
- ratio: "得分=完成率*10分" / "按比例得分" (proportional), labels from "执行率=（实际支出额/预算资金总额）×100%";
- then "酌情扣分" as judgement, or no recognisable rule.

When in doubt the line becomes a judgement line with a low confidence, so that the officer checks
it: nothing is guessed silently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .methods import METHODS, Pattern
from .ruletext import (
    REVIEW_BELOW,
    Formula,
    Inference,
    clean_text,
    find_formula,
    flat,
    percent_text,
    target_number,
    target_percent,
)

__all__ = [
    "PATTERNS",
    "REVIEW_BELOW",
    "Formula",
    "Inference",
    "clean_text",
    "find_formula",
    "flat",
    "infer_method",
]

PATTERNS: tuple[Pattern, ...] = tuple(
    sorted((p for spec in METHODS.values() for p in spec.patterns), key=lambda p: p.order)
)
"""Every method's rule-text patterns, in the order they are tried."""


def infer_method(
    rule: str,
    *,
    weight: Decimal | None = None,
    name: str = "",
    target: str | None = None,
    nature: str | None = None,
    unit: str | None = None,
) -> Inference:
    """The scoring method a rule text describes, with its parameters, a confidence and a note.

    ``name``, ``target``, ``nature`` (指标性质 ≥ ≤ = 定性) and ``unit`` (度量单位) help when the
    rule leaves them out: the rate's label, a threshold written only in the 目标值 column, the
    national form's lines that carry no rule text or measure against a target in its own unit.
    """
    text = flat(rule)
    if unit and unit.strip() == "%" and target and not flat(target).endswith("%"):
        target = f"{flat(target)}%"
    if not text:
        return _with_unit(_without_rule(name, target, nature), unit)
    for pattern in PATTERNS:
        found = pattern.infer(rule, text, weight, name, target)
        if found is not None:
            return _with_unit(found, unit)
    if "酌情" in text:
        return Inference({"type": "judgement"}, 0.8, "酌情扣分：由评价人认定并说明理由")
    return Inference(
        {"type": "judgement"},
        0.3,
        "未能从评分规则识别计分办法，暂按酌情认定",
    )


def _with_unit(found: Inference, unit: str | None) -> Inference:
    """The 度量单位 column's unit on a ratio or threshold that measures a count or an amount."""
    unit = (unit or "").strip()
    method = found.method
    if not unit or unit == "%" or method["type"] not in ("ratio", "threshold"):
        return found
    if method.get("percent", method["type"] == "ratio") or "unit" in method:
        return found
    return Inference({**method, "unit": unit}, found.confidence, found.note, found.details)


def _without_rule(name: str, target: str | None, nature: str | None) -> Inference:
    nature = (nature or "").strip()
    if nature == "定性":
        return Inference(
            {"type": "judgement", "scale": "national"},
            0.75,
            "定性指标：按达成年度指标、部分达成、未达成三档认定",
        )
    if nature in ("≥", "=", "≤"):
        method: dict[str, Any] = {"type": "ratio", "mode": "proportional"}
        percent = target_percent(target)
        number = None if percent is not None else target_number(f"={flat(target or '')}")
        if percent is not None and percent != 1:
            method["target"] = percent_text(percent)
        elif number is not None:
            method["target"] = number[1]
            method["percent"] = False
        method["value_label"] = "实际完成值"  # the form's 实际完成值(B) column
        if nature == "≤":
            method["direction"] = "lower"
            return Inference(
                method,
                0.6,
                "原表未列评分规则；指标性质“≤”：不高于年度指标值得满分，否则得分=指标值/实际值×分值",
                ["反向指标各省做法不一（也有超过后线性递减、两倍指标值得0分的）"],
            )
        return Inference(
            method,
            0.75,
            f"原表未列评分规则；指标性质“{nature}”：达到年度指标值得满分，否则按实际完成值/年度指标值×分值计分",
        )
    return Inference({"type": "judgement"}, 0.3, "原表未列评分规则，暂按酌情认定")
