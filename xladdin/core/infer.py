"""Infer a line's scoring method from the verbatim text of its rule (评分规则 / 评分标准).

Pure: text in, an :class:`Inference` out (the method as YAML-ready data, a confidence between 0
and 1 and a short Chinese note). Used by ``xladdin import`` to turn an existing scoring table
into a rubric. The patterns are the ones of DOMAIN.md in their usual wordings:

- checklist: "以上N项各占1/N权重", "上述五项各占20%权重分", "①…得0.5分；②…得0.5分", "（1 分）";
  ``strict: false`` when the rule allows "酌情扣除";
- ratio: "每降低1%扣1%权重分" / "每低于标准值1%，扣除权重分的1%" (``step_started``),
  "得分=完成率*10分" / "按比例得分" (proportional), labels from "执行率=（实际支出额/预算资金总额）×100%";
- bands: "比值在90%（含）以上，得7分；…80%（含）-90%之间，得6分；…不足50%不得分";
- deduction: "每发现一例…扣25%权重" (``per_share``), "每一项扣0.5分" (``per_points``);
- threshold: "≥100家得权重分", ``otherwise: judgement`` with "否则酌情扣除";
- judgement: "酌情扣分", the national three qualitative bands, or no recognisable rule.

When in doubt the line becomes a judgement line with a low confidence, so that the officer checks
it: nothing is guessed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .numbers import CIRCLED, HUNDRED, fmt_number

REVIEW_BELOW = 0.7
"""Inferences below this confidence are marked 请核对 (please check)."""

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％＝＜＞／", "0123456789.%=<>/")
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_NUM = r"(\d+(?:\.\d+)?)"
_INCL = r"(?:（含）|\(含\)|含)"
_MEASURE_WORDS = "家个项次篇人件天户所套条份部台辆场期批元"
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’、]"


@dataclass(frozen=True)
class Inference:
    """A method inferred from a rule text: YAML-ready ``method``, ``confidence`` and a ``note``."""

    method: dict[str, Any]
    confidence: float
    note: str
    details: list[str] = field(default_factory=list)

    @property
    def type(self) -> str:
        return str(self.method["type"])

    @property
    def needs_review(self) -> bool:
        return self.confidence < REVIEW_BELOW


def flat(text: str) -> str:
    """The rule text for matching: half-width digits and signs, no whitespace at all."""
    return re.sub(r"\s+", "", text.translate(_FULLWIDTH))


def clean_text(text: str) -> str:
    """Collapse whitespace, and drop it next to Chinese characters (PDF and cell line breaks)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(rf"\s+(?={_CJK})", "", text)
    return re.sub(rf"(?<={_CJK})\s+", "", text)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _percent(value: Decimal) -> str:
    """0.25 → "25%" (how shares are written in the YAML)."""
    return f"{fmt_number(value * HUNDRED)}%"


def _count(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1]]
    return None


def _strip_quotes(label: str) -> str:
    return label.replace("“", "").replace("”", "").replace('"', "").strip()


_OPEN = "（([【"
_CLOSE = "）)]】"


def _balance(label: str) -> str:
    """Drop the brackets a formula's fraction left unmatched: "（实际支出额" → "实际支出额"."""
    label = label.strip()
    changed = True
    while changed and label:
        changed = False
        opens = sum(label.count(c) for c in _OPEN)
        closes = sum(label.count(c) for c in _CLOSE)
        if opens > closes and label[0] in _OPEN:
            label, changed = label[1:], True
        elif closes > opens and label[-1] in _CLOSE:
            label, changed = label[:-1], True
        elif label[0] in _OPEN and label[-1] in _CLOSE and opens == closes:
            inner = label[1:-1]
            if sum(inner.count(c) for c in _OPEN) == sum(inner.count(c) for c in _CLOSE):
                label, changed = inner, True
    return label.strip()


@dataclass(frozen=True)
class Formula:
    """ "预算执行率=（实际支出额/预算资金总额）×100%" → value, numerator and denominator labels."""

    value: str
    numerator: str
    denominator: str


_FORMULA_END = re.compile(r"[×*xX]100%")
_LABEL_STOP = "，,。；;：:、①②③④⑤⑥⑦⑧⑨⑩\n"


def find_formula(text: str) -> Formula | None:
    """The first "X率=（A/B）×100%" in ``text`` (whitespace ignored)."""
    text = flat(text)
    for match in re.finditer("=", text):
        i = match.start()
        end = _FORMULA_END.search(text, i)
        if end is None:
            continue
        rhs = text[i + 1 : end.start()]
        if "=" in rhs:
            continue
        rhs = _balance(rhs)
        parts = re.split(r"[/÷]", rhs)
        if len(parts) != 2:
            continue
        start = i
        while start > 0 and text[start - 1] not in _LABEL_STOP:
            start -= 1
        value = _strip_quotes(text[start:i])
        numerator = _strip_quotes(_balance(parts[0]))
        denominator = _strip_quotes(_balance(parts[1]))
        if value and numerator and denominator:
            return Formula(value, numerator, denominator)
    return None


def _value_label(formula: Formula | None, name: str) -> str | None:
    """The rate's name: the indicator's name unless the formula names the rate differently."""
    name = clean_text(name)
    if formula is not None and len(formula.value) <= 10 and not name.endswith(formula.value):
        return formula.value
    if name and len(name) <= 16:
        return name
    return formula.value if formula is not None and len(formula.value) <= 16 else None


def _target_percent(target: str | None) -> Decimal | None:
    """A target such as "100%", "≥90%" or "=100%" as a fraction; None if it is not a percentage."""
    if not target:
        return None
    text = flat(target).lstrip("≥≤=<>")
    if not text.endswith("%"):
        return None
    number = _number(text[:-1])
    return number / HUNDRED if number is not None else None


def _target_number(target: str | None) -> tuple[str, Decimal, str] | None:
    """ "≥100家" → (">=", 100, "家"); "≥6篇" → (">=", 6, "篇"). Only with an explicit sign."""
    if not target:
        return None
    match = re.fullmatch(rf"(≥|>=|≤|<=|>|<|=){_NUM}(%|[{_MEASURE_WORDS}])?", flat(target))
    if match is None:
        return None
    op = {"≥": ">=", "≤": "<="}.get(match.group(1), match.group(1))
    value = Decimal(match.group(2))
    unit = match.group(3) or ""
    if unit == "%":
        value = value / HUNDRED
    return op, value, unit


# ---------------------------------------------------------------------------------------------
# The patterns, most specific first.


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
    for infer in (
        _national_scale,
        _bands,
        _ratio_step,
        _points_checklist,
        _share_checklist,
        _deduction,
        _threshold,
        _ratio_proportional,
        _all_or_nothing,
        _target_threshold,
    ):
        found = infer(rule, text, weight, name, target)
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
        percent = _target_percent(target)
        number = None if percent is not None else _target_number(f"={flat(target or '')}")
        if percent is not None and percent != 1:
            method["target"] = _percent(percent)
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


def _national_scale(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if "达成年度指标" in text and "部分达成" in text:
        return Inference(
            {"type": "judgement", "scale": "national"},
            0.9,
            "定性指标三档：达成年度指标80%-100%、部分达成60%-80%、未达成0-60%",
        )
    return None


# bands --------------------------------------------------------------------------------------

_BAND_BOUND = re.compile(
    rf"{_NUM}%({_INCL})?[-－—~～至到]{_NUM}%({_INCL})?"  # 80%（含）-90%
    rf"|{_NUM}%({_INCL})?(及以上|以上|或以上)"  # 90%（含）以上
    rf"|(≥|>=|不低于|不少于|达到|>|高于|超过){_NUM}%"  # ≥90%
    rf"|(不足|低于|小于|<|未达到|未满){_NUM}%"  # 不足50%
)
_BAND_AMOUNT = re.compile(
    rf"不得分|得0分|得(?:满分|全部分值|全部权重分|权重分)|得{_NUM}%的?权重分?|得{_NUM}分"
)


def _amount(segment: str) -> tuple[str, Decimal] | None:
    match = _BAND_AMOUNT.search(segment)
    if match is None:
        return None
    whole = match.group(0)
    if whole in ("不得分", "得0分"):
        return "points", Decimal(0)
    if match.group(1) is not None:
        return "share", Decimal(match.group(1)) / HUNDRED
    if match.group(2) is not None:
        return "points", Decimal(match.group(2))
    return "share", Decimal(1)


def _bands(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    matches = list(_BAND_BOUND.finditer(text))
    if len(matches) < 2:
        return None
    bands: list[dict[str, Any]] = []
    otherwise: Decimal | None = None
    doubts: list[str] = []
    for i, match in enumerate(matches):
        following = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        amount = _amount(text[match.end() : following])
        if amount is None:
            return None
        kind, value = amount
        groups = match.groups()
        if groups[0] is not None:  # a range: its lower end is the bound
            bound, inclusive = Decimal(groups[0]), groups[1] is not None
            if groups[3] is not None:
                doubts.append(f"{groups[2]}%（含）为区间上端，下端{groups[0]}%按不含处理")
        elif groups[4] is not None:
            bound = Decimal(groups[4])
            inclusive = groups[5] is not None or groups[6] == "及以上"
            if not inclusive:
                inclusive = True
                doubts.append(f"“{groups[4]}%以上”未标（含），按含{groups[4]}%处理")
        elif groups[7] is not None:
            bound = Decimal(groups[8])
            inclusive = groups[7] not in (">", "高于", "超过")
        else:  # below the last band
            if kind == "share":
                if weight is None:
                    return None
                value = value * weight
            otherwise = value
            continue
        band: dict[str, Any] = {"bound": _percent(bound / HUNDRED), "inclusive": inclusive}
        if kind == "points":
            band["points"] = value
        else:
            band["share"] = _percent(value)
        bands.append(band)
    if len(bands) < 2:
        return None
    bands.sort(key=lambda b: Decimal(b["bound"][:-1]), reverse=True)
    method: dict[str, Any] = {"type": "bands"}
    formula = find_formula(rule)
    label = _value_label(formula, name)
    if label:
        method["value_label"] = label
    method["bands"] = bands
    method["otherwise"] = otherwise if otherwise is not None else Decimal(0)
    confidence = 0.9
    top = bands[0]
    if weight is not None and "points" in top and top["points"] != weight:
        confidence = 0.6
        doubts.append(f"最高档{fmt_number(top['points'])}分与权重{fmt_number(weight)}不一致")
    if otherwise is None:
        doubts.append("未写最低档以下的得分，按0分处理")
        confidence = min(confidence, 0.75)
    if doubts:
        confidence = min(confidence, 0.8)
    parts = []
    for band in bands:
        sign = "≥" if band["inclusive"] else ">"
        amount_text = (
            f"得{fmt_number(band['points'])}分" if "points" in band else f"得{band['share']}权重分"
        )
        parts.append(f"{sign}{band['bound']}{amount_text}")
    return Inference(method, confidence, "分档：" + "，".join(parts), doubts)


# ratio --------------------------------------------------------------------------------------

_STEP = re.compile(
    rf"每(?:降低|低于|减少|下降|少)[^，,；;。\d]{{0,8}}?{_NUM}(?:%|个百分点)"
    rf"[，,]?(?:扣除?|减)(?:权重分?的)?{_NUM}(%|分)"
)


def _ratio_labels(method: dict[str, Any], rule: str, name: str) -> Formula | None:
    formula = find_formula(rule)
    label = _value_label(formula, name)
    if formula is None and "实际完成值" in flat(rule):
        label = "实际完成值"  # the national form's wording: 实际完成值(B) / 年度指标值(A)
    if label:
        method["value_label"] = label
    if formula is not None:
        method["numerator_label"] = formula.numerator
        method["denominator_label"] = formula.denominator
    return formula


def _ratio_target(method: dict[str, Any], text: str, target: str | None) -> None:
    """A target other than 100% when the rule measures against the 目标值/标准值 column."""
    percent = _target_percent(target)
    if percent is not None and percent != 1 and re.search("(标准|目标|指标)值", text):
        method["target"] = _percent(percent)
        return
    if percent is None and re.search("年度指标值", text):
        number = _target_number(f"={flat(target or '')}")
        if number is not None:
            method["target"] = number[1]
            method["percent"] = False


def _ratio_step(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    match = _STEP.search(text)
    if match is None:
        return None
    step = Decimal(match.group(1)) / HUNDRED
    amount = Decimal(match.group(2))
    doubts: list[str] = []
    if match.group(3) == "%":
        deduct = amount / HUNDRED
    else:
        if not weight:
            return None
        deduct = amount / weight
        doubts.append(f"每步扣{fmt_number(amount)}分，折合权重的{_percent(deduct)}")
    full_only = re.search(r"不足\d+(?:\.\d+)?(?:%|个百分点)的?不(?:扣|计)", text) is not None
    method: dict[str, Any] = {
        "type": "ratio",
        "mode": "step_full" if full_only else "step_started",
    }
    if step != Decimal("0.01"):
        method["step"] = _percent(step)
    if deduct != Decimal("0.01"):
        method["step_deduct"] = _percent(deduct)
    _ratio_labels(method, rule, name)
    _ratio_target(method, text, target)
    size = f"{fmt_number(step * HUNDRED)}%"
    counting = f"满{size}才扣" if full_only else f"不足{size}按{size}计"
    note = (
        f"每降低{fmt_number(step * HUNDRED)}%扣{fmt_number(deduct * HUNDRED)}%权重分"
        f"（{counting}），扣完为止"
    )
    return Inference(method, 0.85, note, doubts)


_PROPORTIONAL = re.compile(
    r"得分=[^；;。，,]{0,30}?[×*xX]|按(?:实际完成值与\S{0,10}的)?比例(?:得分|计分|计算|折算)"
    r"|(?:比例|比率|完成率)[×*xX](?:权重|分值)"
)


def _ratio_proportional(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    explicit = _PROPORTIONAL.search(text) is not None
    formula = find_formula(rule)
    full_at_target = re.search(r"100%[的，,]?得(?:\d+(?:\.\d+)?分|满分|权重分)", text)
    if not explicit and not (formula is not None and full_at_target):
        return None
    method: dict[str, Any] = {"type": "ratio", "mode": "proportional"}
    doubts: list[str] = []
    lower = re.search(r"得分=(?:A/B|\S{0,8}指标值/\S{0,8}实际)", text) or re.search(
        r"(?:不高于|不超过|低于)\S{0,10}得(?:该指标)?(?:满分|全部分值)", text
    )
    if lower:
        method["direction"] = "lower"
        if re.search("两倍|2倍", text):
            method["inverse"] = "linear_to_double"
    _ratio_labels(method, rule, name)
    _ratio_target(method, text, target)
    confidence = 0.85
    if not explicit:
        confidence = 0.6
        doubts.append("规则只写达到100%得满分，未写未达到时的计分，按比例计分")
    numbers = re.findall(r"得分=\S{0,12}?[×*xX](\d+(?:\.\d+)?)分", text)
    if weight is not None and any(Decimal(n) != weight for n in numbers):
        doubts.append(f"规则写{numbers[0]}分，本行权重为{fmt_number(weight)}：按权重计分")
    if target and not re.search(r"\d", flat(target)):
        confidence = min(confidence, 0.5)
        doubts.append(f"目标值“{target}”不是数值，按比例计分需要完成率")
    label = method.get("value_label", "完成率")
    if method.get("direction") == "lower":
        note = "按比例计分（越低越好）：未超过目标值得满分，否则得分=目标值/实际值×权重"
    else:
        note = f"按比例计分：得分={label}×权重，最高为权重分"
    return Inference(method, confidence, note, doubts)


# checklist ----------------------------------------------------------------------------------

_CIRCLED_RE = re.compile(f"[{CIRCLED}]")
_ITEM_POINTS = re.compile(rf"得{_NUM}分|[（(]{_NUM}分[）)]")
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
    stated = _count(stated_match.group(1)) if stated_match is not None else None
    circled = len(set(_CIRCLED_RE.findall(rule)))
    stages = re.search(r"(\d+|[一二两三四五六七八九十])个(?:阶段|方面|环节)", text)
    counted = _count(stages.group(1)) if stages else None
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


# deduction ----------------------------------------------------------------------------------

_DEDUCTION = re.compile(
    rf"每(?:发现|有|出现|存在|查出|查实)?(?:一|1)?(例|处|项|个|次|条|起|家|份|篇|笔)"
    rf"([^，,；;。扣]{{0,20}})[，,]?(?:扣除?|减)(?:权重分?的)?{_NUM}(%|分)"
)


def _deduction(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    match = _DEDUCTION.search(text)
    if match is None:
        return None
    unit, label, amount, kind = match.groups()
    method: dict[str, Any] = {"type": "deduction"}
    value = Decimal(amount)
    if kind == "%":
        method["per_share"] = _percent(value / HUNDRED)
        each = f"扣{fmt_number(value)}%权重分"
    else:
        method["per_points"] = value
        each = f"扣{fmt_number(value)}分"
    label = label.strip("的，, ")
    if label:
        method["occurrence_label"] = label
    method["unit"] = unit
    floored = "扣完为止" in text
    note = f"每{unit}{label}{each}" + ("，扣完为止" if floored else "")
    doubts = [] if floored else ["未写“扣完为止”，最低按0分计"]
    return Inference(method, 0.85, note, doubts)


# threshold ----------------------------------------------------------------------------------

_OPS = {
    "≥": ">=",
    ">=": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "≤": "<=",
    "<=": "<=",
    "不高于": "<=",
    "不超过": "<=",
    ">": ">",
    "<": "<",
}
_THRESHOLD = re.compile(
    rf"(≥|>=|≤|<=|不低于|不少于|不高于|不超过|>|<){_NUM}(%|[{_MEASURE_WORDS}])?"
)
_FULL_MARKS = re.compile(r"得(?:权重分|满分|全部分值|该指标全部分值)")


def _threshold_method(
    op: str, value: Decimal, unit: str, percent: bool, label: str | None, judged: bool
) -> dict[str, Any]:
    method: dict[str, Any] = {"type": "threshold", "op": op}
    method["value"] = _percent(value) if percent else value
    if percent:
        method["percent"] = True
    if unit and not percent:
        method["unit"] = unit
    if label:
        method["value_label"] = label
    if judged:
        method["otherwise"] = "judgement"
    return method


def _threshold_note(op: str, value: Decimal, unit: str, percent: bool, judged: bool) -> str:
    sign = {">=": "≥", "<=": "≤"}.get(op, op)
    shown = _percent(value) if percent else f"{fmt_number(value)}{unit}"
    otherwise = "否则酌情扣分" if judged else "否则不得分"
    return f"{sign}{shown}得权重分，{otherwise}"


def _threshold(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if _FULL_MARKS.search(text) is None:
        return None
    judged = "酌情" in text
    match = _THRESHOLD.search(text)
    if match is not None:
        op = _OPS[match.group(1)]
        value = Decimal(match.group(2))
        unit = match.group(3) or ""
        formula = find_formula(rule)
        before = text[: match.start()]
        start = len(before)
        while start > 0 and before[start - 1] not in _LABEL_STOP + "（(":
            start -= 1
        named = _strip_quotes(before[start:])
        percent = unit == "%" or (unit == "" and (named or name).endswith("率"))
        if unit == "%":
            value = value / HUNDRED
        if 2 <= len(named) <= 12 and not clean_text(name).endswith(named):
            label: str | None = named
        else:
            label = _value_label(formula, name)
        method = _threshold_method(op, value, unit, percent, label, judged)
        return Inference(method, 0.8, _threshold_note(op, value, unit, percent, judged))
    if re.search(r"(?:未|不)超(?:过|出)?(?:预算|计划)", text):
        percent_target = _target_percent(target)
        value = percent_target if percent_target is not None else Decimal(1)
        formula = find_formula(rule)
        label = _value_label(formula, name)
        method = _threshold_method("<=", value, "", True, label, judged)
        return Inference(
            method,
            0.75,
            _threshold_note("<=", value, "", True, judged) + "（未超预算）",
        )
    return None


def _target_threshold(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    """ "符合得权重分，否则酌情扣除" with the bar only in the 目标值 column ("≥6篇")."""
    parsed = _target_number(target)
    if parsed is None or _FULL_MARKS.search(text) is None:
        return None
    op, value, unit = parsed
    percent = unit == "%"
    judged = "酌情" in text
    label = _value_label(None, name)
    method = _threshold_method(op, value, unit, percent, label, judged)
    note = _threshold_note(op, value, unit, percent, judged) + "（标准取自目标值列）"
    return Inference(method, 0.65, note)
