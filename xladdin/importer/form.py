"""The national project self-evaluation form (项目支出绩效自评表) as provinces print it.

What the import meets on printed forms and reads here, not in the scoring core:

- comparison signs in every printed form: ≥ ≧ >= ＞＝ ⩾, ≤ ≦ <= ＜＝ ⩽, = ＝ ═, > ＞, < ＜, in a
  指标性质 column or inside the target cell ("≥266米", "≤50万元", "=100%", "95%以上");
- placeholder rows ("指标2：……", "……", "指标1：" alone) and rows that do not apply
  ("/", "—", "无", "不适用");
- the footnote that states the rule for every line: 定量 lines in proportion to the target
  (lower-is-better lines as target / result, or falling to 0 at twice the target), 定性 lines in
  three bands whose edges vary by province (100–80% / 80–50% / 50–0%, 100–80% / 80–60% / 60–0%).

``line_method`` turns one printed line into a scoring method under the footnote's rule, or under
the national default when no rule is printed anywhere, and says why and how sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..core.infer import Inference
from ..core.numbers import HUNDRED, NumberParseError, fmt_number, to_decimal
from ..core.rubric import NATIONAL_JUDGEMENT_BANDS

# -- signs ------------------------------------------------------------------------------------

_SIGN_FORMS: dict[str, str] = {
    "≥": "≥",
    "≧": "≥",
    "⩾": "≥",
    ">=": "≥",
    "＞＝": "≥",
    "＞=": "≥",
    ">＝": "≥",
    "≤": "≤",
    "≦": "≤",
    "⩽": "≤",
    "<=": "≤",
    "＜＝": "≤",
    "＜=": "≤",
    "<＝": "≤",
    "=": "=",
    "＝": "=",
    "═": "=",
    "==": "=",
    ">": ">",
    "＞": ">",
    "<": "<",
    "＜": "<",
}
_SIGN = re.compile("|".join(re.escape(s) for s in sorted(_SIGN_FORMS, key=len, reverse=True)))

_NATURE_WORDS: dict[str, str] = {
    "定性": "定性",
    "定性指标": "定性",
    "正向": "≥",
    "正向指标": "≥",
    "反向": "≤",
    "反向指标": "≤",
    "逆向": "≤",
    "逆向指标": "≤",
    "定量": "",
    "定量指标": "",
}

Sign = Literal["≥", "≤", "=", ">", "<"]


def canonical_sign(text: str) -> str | None:
    """ "≧" → "≥", "＝" → "=", "═" → "="; None when ``text`` is not a sign."""
    return _SIGN_FORMS.get(re.sub(r"\s+", "", text))


def read_nature(text: str) -> tuple[str | None, bool]:
    """A 指标性质 cell: (sign or "定性" or "" for a bare 定量, recognised)."""
    key = re.sub(r"\s+", "", text)
    if not key:
        return None, True
    sign = canonical_sign(key)
    if sign is not None:
        return sign, True
    if key in _NATURE_WORDS:
        return _NATURE_WORDS[key], True
    return None, False


def rubric_nature(text: str) -> str:
    """A printed 指标性质 as the rubric writes it (≥ ≤ = 定性), "" when it says no direction."""
    nature, _ = read_nature(text)
    return _nature_value(nature) if nature else ""


# -- printed values ---------------------------------------------------------------------------

_VALUE = re.compile(
    r"(?P<number>[+-]?\d[\d,，]*(?:\.\d+)?)\s*(?P<percent>%|％)?\s*(?P<unit>[^\d\s%％]{0,6})"
)
_SUFFIX_SIGNS = (("及以上", "≥"), ("以上", "≥"), ("以下", "≤"), ("以内", "≤"))
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


@dataclass(frozen=True)
class Printed:
    """A printed target or result: "≥266米" → sign ≥, number 266, unit 米."""

    text: str
    sign: str | None = None
    number: Decimal | None = None
    percent: bool = False
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.number is not None

    @property
    def value(self) -> Decimal | None:
        """The number as the core reads it: a percentage as a fraction."""
        if self.number is None:
            return None
        return self.number / HUNDRED if self.percent else self.number

    @property
    def unit_text(self) -> str:
        return "%" if self.percent else self.unit


def parse_printed(text: str) -> Printed:
    """Read a target or result cell as printed; ``number`` is None for words ("按时完成")."""
    raw = text.strip()
    body = raw.translate(_FULLWIDTH_DIGITS)
    sign = None
    match = _SIGN.match(body)
    if match is not None:
        sign = _SIGN_FORMS[match.group(0)]
        body = body[match.end() :].strip()
    found = _VALUE.fullmatch(body)
    if found is None:
        return Printed(raw, sign)
    unit = found.group("unit")
    for suffix, suffix_sign in _SUFFIX_SIGNS:
        if unit.endswith(suffix) and sign is None:
            sign, unit = suffix_sign, unit[: -len(suffix)]
            break
    if re.search(r"[，,。；;：:、（）()]", unit):
        return Printed(raw, sign)
    try:
        number = to_decimal(found.group("number"))
    except NumberParseError:
        return Printed(raw, sign)
    return Printed(raw, sign, number, found.group("percent") is not None, unit)


# -- placeholder and not-applicable rows ------------------------------------------------------

_INDICATOR_NUMBER = re.compile(r"^指标\s*[\d一二三四五六七八九十]+\s*[:：]\s*")
_PLACEHOLDER = re.compile(r"^(?:指标\s*[\d一二三四五六七八九十]+\s*[:：]?)?\s*[…\.。·．]*$")
NOT_APPLICABLE = frozenset(
    {"/", "／", "\\", "—", "——", "-", "－", "–", "--", "无", "不适用", "N/A", "n/a", "NA", "×"}
)


def is_placeholder(text: str) -> bool:
    """ "指标2：……", "……", "指标1：" (a line of the blank form nobody filled in)."""
    text = text.strip()
    return bool(text) and _PLACEHOLDER.fullmatch(text) is not None


def is_not_applicable(text: str) -> bool:
    return text.strip() in NOT_APPLICABLE


def indicator_name(text: str) -> str:
    """ "指标1：道路硬化长度" → "道路硬化长度" (the form numbers its lines in the name cell)."""
    return _INDICATOR_NUMBER.sub("", text.strip()).strip()


# -- the footnote -----------------------------------------------------------------------------

_ITEM_START = re.compile(r"(?:(?<=[。；;\s])|^)(?:\d+[.、．]|[（(]\d+[）)])(?!\d)")
_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*[%％]?\s*(?:[（(]含[）)])?\s*[-－—–~～至到]\s*(\d+(?:\.\d+)?)\s*[%％]"
)
_LOWER_FORMULA = re.compile(
    r"(?:年度指标值|指标值|目标值|计划值|[(（]A[)）]|A)\s*[/÷]\s*(?:全年)?(?:实际|完成|[(（]?B)"
)
_HIGHER_FORMULA = re.compile(
    r"(?:全年实际值|实际完成值|实际值|完成值|[(（]B[)）]|B)\s*[/÷]\s*(?:年度)?(?:指标值|目标值|计划值|[(（]?A)"
)

Inverse = Literal["target_over_actual", "linear_to_double"]
QuantMode = Literal["proportional", "all_or_nothing"]

NATIONAL_EDGES = (
    NATIONAL_JUDGEMENT_BANDS["达成年度指标"][0],
    NATIONAL_JUDGEMENT_BANDS["部分达成并具有一定效果"][0],
)
"""The national qualitative bands' lower edges: 80% and 60% of the weight."""


@dataclass
class FormRules:
    """The rule a form prints for its lines (empty when it prints none)."""

    text: str = ""
    where: str = ""
    quantitative: str = ""
    lower: str = ""
    qualitative: str = ""
    mode: QuantMode | None = None
    inverse: Inverse | None = None
    edges: tuple[Decimal, Decimal] | None = None
    score_places: int | None = None  # "保留整数", "保留一位小数"
    score_mode: Literal["half_up", "truncate"] = "half_up"
    problems: list[str] = field(default_factory=list)

    @property
    def printed(self) -> bool:
        return bool(self.text)

    def edges_text(self) -> str:
        if self.edges is None:
            return ""
        high, mid = (fmt_number(edge * HUNDRED) for edge in self.edges)
        return f"100%-{high}%、{high}%-{mid}%、{mid}%-0%"


def _items(text: str) -> list[str]:
    text = re.sub(r"^\s*(?:注|备注|说明|填表说明)\s*\d*\s*[:：]?\s*", "", text.strip())
    starts = [m.start() for m in _ITEM_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    parts = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    items: list[str] = []
    for part in parts:
        items.extend(s.strip() for s in re.split(r"(?<=。)", part) if s.strip())
    return items


def read_footnote(text: str, where: str = "") -> FormRules:
    """The rules a footnote states: 定量 proportional or all-or-nothing, the lower-is-better
    convention, and the 定性 band edges. What it does not say stays None."""
    rules = FormRules(text=text.strip(), where=where)
    if not rules.text:
        return rules
    items = _items(rules.text)
    quantitative = [item for item in items if re.search("定量|正向", item)]
    lower = [item for item in items if re.search("反向|逆向|越低越好|越小越好", item)]
    qualitative = [item for item in items if "定性" in item]
    rules.quantitative = "\n".join(quantitative)
    rules.lower = "\n".join(lower)
    rules.qualitative = "\n".join(qualitative)
    for item in quantitative:
        part = re.split("反向|逆向", item)[0]
        if "比例" in part or _HIGHER_FORMULA.search(part.replace(" ", "")):
            rules.mode = "proportional"
        elif "不得分" in part or "得0分" in part:
            rules.mode = "all_or_nothing"
    for item in lower:
        part = re.split("(?=反向|逆向|越低越好|越小越好)", item, maxsplit=1)[-1]
        if re.search("两倍|2倍|二倍|线性", part):
            rules.inverse = "linear_to_double"
        elif _LOWER_FORMULA.search(part.replace(" ", "")):
            rules.inverse = "target_over_actual"
    _rounding(rules)
    if qualitative:
        rules.edges = _band_edges(rules.qualitative)
        if rules.edges is None:
            rules.problems.append("脚注的定性指标分档无法识别")
    if quantitative and rules.mode is None:
        rules.problems.append("脚注的定量指标计分办法无法识别")
    if lower and rules.inverse is None:
        rules.problems.append("脚注的反向指标计分办法无法识别")
    return rules


_PLACES = re.compile(r"(?:保留|精确到)(\d|一|两|二|三)位小数")
_WHOLE = re.compile(r"保留整数|取整|精确到个位|保留到个位")
_PLACE_WORDS = {"一": 1, "两": 2, "二": 2, "三": 3}


def _rounding(rules: FormRules) -> None:
    """How the form rounds line scores: "得分四舍五入保留整数" (86.2% of 10 → 9)."""
    text = re.sub(r"\s+", "", rules.text)
    places = _PLACES.search(text)
    if places is not None:
        word = places.group(1)
        rules.score_places = int(word) if word.isdigit() else _PLACE_WORDS[word]
    elif _WHOLE.search(text):
        rules.score_places = 0
    if rules.score_places is not None and re.search("截尾|去尾|舍去|直接舍|不进位", text):
        rules.score_mode = "truncate"


def _band_edges(text: str) -> tuple[Decimal, Decimal] | None:
    """Three ranges covering 0–100%: their two inner edges, the higher first."""
    ranges = sorted(
        (tuple(sorted((Decimal(a), Decimal(b)))) for a, b in _RANGE.findall(text)),
        key=lambda pair: pair[1],
        reverse=True,
    )
    if len(ranges) != 3:
        return None
    (low1, high1), (low2, high2), (low3, high3) = ranges
    if high1 != HUNDRED or low3 != 0 or low1 != high2 or low2 != high3:
        return None
    return low1 / HUNDRED, low2 / HUNDRED


# -- a line's method --------------------------------------------------------------------------


@dataclass
class FormLine:
    """How one printed line is imported: method, rule text, nature, target and unit."""

    inference: Inference
    rule: str
    nature: str | None
    target: str
    unit: str
    check: str | None = None  # why the officer must check it by hand (须人工核对)
    quantitative: bool = False
    target_value: Printed | None = None


_NATIONAL_DEFAULT_QUANT = "原表未印计分规则，按全国通行做法：达到年度指标值得满分，未达到的按实际完成值/年度指标值×分值计分"
_NATIONAL_DEFAULT_LOWER = "原表未印反向指标计分办法，按全国通行做法：不高于年度指标值得满分，高于的按年度指标值/实际完成值×分值计分"
_NATIONAL_DEFAULT_QUAL = (
    "原表未印定性指标分档，按全国通行三档：达成年度指标80%-100%、部分达成60%-80%、未达成0-60%"
)


def line_method(nature_text: str, target_text: str, unit_text: str, rules: FormRules) -> FormLine:
    """The method of a form line from its 指标性质, 年度指标值 and 度量单位 cells as printed."""
    nature, known = read_nature(nature_text)
    target = parse_printed(target_text)
    unit = unit_text.strip()
    details: list[str] = []
    check: str | None = None
    if not known:
        check = f"指标性质“{nature_text.strip()}”无法识别，按年度指标值“{target_text.strip()}”判断"
    if target.numeric and unit and not target.unit and not target.percent:
        if unit in ("%", "％"):
            target = Printed(target.text, target.sign, target.number, True, "")
        else:
            target = Printed(target.text, target.sign, target.number, False, unit)
    if nature == "定性":
        return _qualitative(target, rules, details, "指标性质为定性", unit, check)
    sign = nature or target.sign
    if nature and target.sign and _direction(nature) != _direction(target.sign):
        check = f"指标性质“{nature}”与年度指标值“{target.text}”中的符号不一致，按指标性质导入"
    if not target.numeric:
        if sign:
            check = f"指标性质为“{sign}”，但年度指标值“{target.text}”不是数字，无法按比例计分，按酌情认定导入"
            return FormLine(
                Inference({"type": "judgement"}, 0.4, check),
                rules.quantitative,
                _nature_value(sign),
                target.text,
                unit,
                check,
            )
        return _qualitative(target, rules, details, "年度指标值为文字，按定性指标处理", unit, check)
    assumed = sign is None
    if assumed:
        sign = "≥"
        details.append("原表未标指标性质，按正向（≥）处理")
    assert sign is not None
    if sign in (">", "<"):
        details.append(f"“{sign}”按“{sign}=”计分（达到即得满分）")
    lower = sign in ("≤", "<")
    method: dict[str, Any] = {"type": "ratio", "mode": "proportional"}
    mode = rules.mode or "proportional"
    threshold = mode == "all_or_nothing"
    assert target.value is not None
    if threshold:
        op = {"≥": ">=", "≤": "<=", "=": "=", ">": ">", "<": "<"}[sign]
        method = {"type": "threshold", "op": op, "value": _yaml_number(target)}
        if not target.percent:
            method["percent"] = False
            if target.unit:
                method["unit"] = target.unit
        else:
            method["percent"] = True
        method["value_label"] = "实际完成值"
    else:
        if target.percent:
            if target.value != 1:
                method["target"] = _yaml_number(target)
        else:
            method["target"] = target.number
            method["percent"] = False
            if target.unit:
                method["unit"] = target.unit
        if lower:
            method["direction"] = "lower"
            inverse = rules.inverse or "target_over_actual"
            if inverse != "target_over_actual":
                method["inverse"] = inverse
        method["value_label"] = "实际完成值"
    if rules.printed and rules.mode is not None:
        source = "原表脚注"
        confidence = 0.9
    else:
        source = "全国通行做法"
        confidence = 0.8
        details.append(_NATIONAL_DEFAULT_QUANT)
    if lower and rules.inverse is None:
        details.append(_NATIONAL_DEFAULT_LOWER)
        confidence = min(confidence, 0.7)
    if assumed:
        confidence = min(confidence, 0.65)
    if check is not None:
        confidence = min(confidence, 0.5)
    nature_said = "未标指标性质，按“≥”" if assumed else f"指标性质“{sign}”"
    what = "未达到不得分" if threshold else "未达到的按比例计分"
    if lower:
        what = (
            "高于年度指标值不得分"
            if threshold
            else (
                "高于的线性递减、两倍指标值得0分"
                if method.get("inverse") == "linear_to_double"
                else "高于的按年度指标值/实际完成值×分值计分"
            )
        )
        note = f"{source}：{nature_said}，不高于年度指标值{target.text}得满分，{what}"
    else:
        note = f"{source}：{nature_said}，达到年度指标值{target.text}得满分，{what}"
    return FormLine(
        Inference(method, confidence, note, details),
        "\n".join(part for part in (rules.quantitative, rules.lower if lower else "") if part),
        _nature_value(sign),
        fmt_number(target.number) if target.number is not None else target.text,
        target.unit_text,
        check,
        quantitative=True,
        target_value=target,
    )


def _qualitative(
    target: Printed,
    rules: FormRules,
    details: list[str],
    why: str,
    unit: str,
    check: str | None,
) -> FormLine:
    if rules.qualitative and rules.edges is None:
        check = "原表脚注的定性指标分档无法识别，按酌情认定导入"
        inference = Inference({"type": "judgement"}, 0.5, f"{why}；{check}", details)
    elif rules.edges is not None and rules.edges != NATIONAL_EDGES:
        edges = [f"{fmt_number(edge * HUNDRED)}%" for edge in rules.edges]
        inference = Inference(
            {"type": "judgement", "scale": "national", "edges": edges},
            0.9,
            f"{why}；原表脚注：定性指标分三档（{rules.edges_text()}），与全国三档"
            "（100%-80%、80%-60%、60%-0%）不同，按原表分档",
            details,
        )
    elif rules.edges is not None:
        inference = Inference(
            {"type": "judgement", "scale": "national"},
            0.9,
            f"{why}；原表脚注：定性指标分三档（{rules.edges_text()}）",
            details,
        )
    else:
        inference = Inference(
            {"type": "judgement", "scale": "national"},
            0.75,
            f"{why}；{_NATIONAL_DEFAULT_QUAL}",
            details,
        )
    if check is not None and not inference.needs_review:
        inference = Inference(inference.method, 0.6, f"{inference.note}；{check}", details)
    return FormLine(inference, rules.qualitative, "定性", target.text, unit, check)


def _direction(sign: str) -> str:
    return {"≥": "up", ">": "up", "≤": "down", "<": "down"}.get(sign, "equal")


def _nature_value(sign: str) -> str:
    """The rubric's 指标性质 (≥ ≤ = 定性): a strict sign is written as its non-strict twin."""
    return {">": "≥", "<": "≤"}.get(sign, sign)


def _yaml_number(target: Printed) -> Any:
    """A target as the rubric YAML writes it: "95%" for a percentage, else the number."""
    assert target.number is not None
    return f"{fmt_number(target.number)}%" if target.percent else target.number
