"""Reading rule texts (评分规则): the text functions the methods' inference patterns share.

Half-width digits and signs, whitespace, numbers written in Chinese, a rate's formula
("执行率=（实际支出额/预算资金总额）×100%") and targets such as "≥90%" or "≥100家".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .numbers import HUNDRED, fmt_number

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
NUM = r"(\d+(?:\.\d+)?)"
INCL = r"(?:（含）|\(含\)|含)"
MEASURE_WORDS = "家个项次篇人件天户所套条份部台辆场期批元"
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


def to_number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def percent_text(value: Decimal) -> str:
    """0.25 → "25%" (how shares are written in the YAML)."""
    return f"{fmt_number(value * HUNDRED)}%"


def count_word(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1]]
    return None


def strip_quotes(label: str) -> str:
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
LABEL_STOP = "，,。；;：:、①②③④⑤⑥⑦⑧⑨⑩\n"


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
        while start > 0 and text[start - 1] not in LABEL_STOP:
            start -= 1
        value = strip_quotes(text[start:i])
        numerator = strip_quotes(_balance(parts[0]))
        denominator = strip_quotes(_balance(parts[1]))
        if value and numerator and denominator:
            return Formula(value, numerator, denominator)
    return None


def rate_label(formula: Formula | None, name: str) -> str | None:
    """The rate's name: the indicator's name unless the formula names the rate differently."""
    name = clean_text(name)
    if formula is not None and len(formula.value) <= 10 and not name.endswith(formula.value):
        return formula.value
    if name and len(name) <= 16:
        return name
    return formula.value if formula is not None and len(formula.value) <= 16 else None


def target_percent(target: str | None) -> Decimal | None:
    """A target such as "100%", "≥90%" or "=100%" as a fraction; None if it is not a percentage."""
    if not target:
        return None
    text = flat(target).lstrip("≥≤=<>")
    if not text.endswith("%"):
        return None
    number = to_number(text[:-1])
    return number / HUNDRED if number is not None else None


def target_number(target: str | None) -> tuple[str, Decimal, str] | None:
    """ "≥100家" → (">=", 100, "家"); "≥6篇" → (">=", 6, "篇"). Only with an explicit sign."""
    if not target:
        return None
    match = re.fullmatch(rf"(≥|>=|≤|<=|>|<|=){NUM}(%|[{MEASURE_WORDS}])?", flat(target))
    if match is None:
        return None
    op = {"≥": ">=", "≤": "<="}.get(match.group(1), match.group(1))
    value = Decimal(match.group(2))
    unit = match.group(3) or ""
    if unit == "%":
        value = value / HUNDRED
    return op, value, unit
