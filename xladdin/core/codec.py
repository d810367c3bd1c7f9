"""The evidence codec: one line's evidence ↔ the input cells a finance officer fills in.

:func:`encode` (evidence → cells, for templates and filled examples) and :func:`decode`
(cells → evidence, for the workbook reader and the Excel macros) sit side by side, and the words
officers type are read here and nowhere else:

- yes/no words: √ ✓ 是 符合 1 … / × ✗ 否 不符合 0 … (:func:`parse_flag`);
- numbers as typed: "1,689.29", "93.25%", "９３.２５％" (:func:`parse_number`, through
  :func:`xladdin.core.numbers.to_decimal`);
- several amounts joined by ``+`` or ``＋``: "25%+25%", "0.5＋0.5" (:func:`parse_amounts`);
- several reasons split by ``；`` (:func:`split_reasons`);
- 是/否 for 不适用, and the names of the national qualitative bands (:func:`parse_choice`);
- 是 (or √, 1 …) for 已核对: the officer confirms evidence the line's method finds implausible.

A cell value is what the workbook reader's cell decoder gives: ``Decimal``, ``str`` (trimmed),
``bool`` or ``None`` for an empty cell. Cells are named by input key (``value``, ``item1``,
``decision_reason`` …); the layout of a workbook says where each key sits. :func:`decode` raises
:class:`EvidenceInputError` naming the input key of the offending cell, so the caller can point
at that cell.

Pure: the standard library, pydantic and the core only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .evidence import Decision, Deduction, LineEvidence
from .methods import (
    BAND,
    COUNT,
    LINE_INPUTS,
    NATIONAL_JUDGEMENT_BANDS,
    EvidenceInput,
    method_spec,
)
from .numbers import TOO_LARGE, NumberParseError, fmt_number, fmt_percent_short, to_decimal
from .result import assembled
from .rubric import Node

# ---------------------------------------------------------------------------------------------
# The words officers type.

YES_WORDS = ("是", "√", "✓", "✔", "符合", "true", "TRUE", "True", "1", "Y", "y", "yes", "对")
NO_WORDS = ("否", "×", "✗", "✘", "不符合", "false", "FALSE", "False", "0", "N", "n", "no", "错")

_YES, _NO = frozenset(YES_WORDS), frozenset(NO_WORDS)

YES_MARK = "√"
NO_MARK = "×"
NA_YES = "是"
NA_NO = "否"
NA_CHOICES = (NA_YES, NA_NO)
BAND_NAMES = tuple(NATIONAL_JUDGEMENT_BANDS)

AMOUNT_JOIN = "+"
REASON_JOIN = "；"
_AMOUNT_SPLIT = re.compile(r"[+＋]")

UNSTATED_REASON = "未说明"


class WordError(ValueError):
    """A cell holds a word the codec does not know; ``text`` is the word as typed."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class EvidenceInputError(ValueError):
    """An input cell cannot be read as evidence: a Chinese ``message`` and the input ``key``."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def cell_text(value: Any) -> str:
    """A cell value as text: numbers without trailing zeros (1.50 → "1.5"), text as it is."""
    if type(value) is str:  # the common case, first
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        try:
            return format(to_decimal(value).normalize(), "f")
        except NumberParseError:
            return str(value)
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_flag_word(value: Any) -> bool:
    """True for TRUE/FALSE and for text that is a yes/no word ("√", "否", "1" typed as text)."""
    if isinstance(value, bool):
        return True
    return isinstance(value, str) and (value.strip() in YES_WORDS or value.strip() in NO_WORDS)


def parse_flag(value: Any) -> bool | None:
    """√ ✓ 是 符合 1 TRUE … → True; × ✗ 否 不符合 0 FALSE … → False; an empty cell → None.

    Numbers count by their text (1 → True, 0 → False). Raises :class:`WordError` otherwise.
    """
    if type(value) is str:  # a mark typed or chosen: the common case, read at once
        text = value.strip()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise WordError(text)
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(value).strip()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise WordError(text)


def format_flag(ok: bool, choices: Sequence[str] = ()) -> str:
    """The mark a template writes for a flag: the input's own pair of words (是/否), else √/×."""
    yes, no = choices if len(choices) == 2 else (YES_MARK, NO_MARK)
    return yes if ok else no


def parse_number(value: Any) -> Decimal | None:
    """A number as typed ("1,689.29", "93.25%", "９３.２５％"); None for an empty cell.

    Raises :class:`~xladdin.core.numbers.NumberParseError` (a Chinese message) otherwise.
    """
    if type(value) is Decimal and value.is_finite() and abs(value) < TOO_LARGE:
        return value  # what to_decimal gives a cell's number: the common case, at once
    if _blank(value):
        return None
    return to_decimal(value)


def parse_count(value: Any) -> int | None:
    """A whole number not below 0; None for an empty cell.

    Raises :class:`~xladdin.core.numbers.NumberParseError` for what is not a number and
    :class:`WordError` (with the number as written) for a fraction or a negative number.
    """
    number = parse_number(value)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise WordError(cell_text(number))
    return int(number)


def split_amounts(text: str) -> list[str]:
    """The parts of "25%+25%" or "0.5＋0.5", empty parts left out."""
    return [part for part in _AMOUNT_SPLIT.split(text) if part.strip()]


def parse_amounts(value: Any) -> list[Decimal] | None:
    """One or more amounts: 0.25, "25%", "25%+25%", "0.5＋0.5"; None for an empty cell.

    A part ending in % is a fraction (25% → 0.25). Raises
    :class:`~xladdin.core.numbers.NumberParseError` for a part that is not a number.
    """
    if _blank(value):
        return None
    if isinstance(value, str) and _AMOUNT_SPLIT.search(value):
        return [to_decimal(part) for part in split_amounts(value)]
    return [to_decimal(value)]


_DEDUCT_PREFIX = re.compile(r"^\s*扣\s*")
_DEDUCT_SUFFIX = re.compile(r"\s*(权重分|权重|分)\s*$")


@dataclass(frozen=True)
class Amount:
    """One deduction as typed: a share of the weight (25%) or points (0.5)."""

    share: Decimal | None = None
    points: Decimal | None = None


def parse_amount(value: Any, number_is_share: bool = False) -> Amount:
    """ "25%" or "扣25%权重分" → a share (0.25); 0.5 or "扣0.5分" → points (a share when
    ``number_is_share``, as for a cell formatted as a percentage).

    Raises :class:`~xladdin.core.numbers.NumberParseError` for what is not an amount; the range
    (not negative, a share at most 100%) is the caller's to check.
    """
    if isinstance(value, str):
        text = _DEDUCT_SUFFIX.sub("", _DEDUCT_PREFIX.sub("", value.strip()))
        amount = to_decimal(text)
        percent = text.rstrip().endswith(("%", "％"))
    else:
        amount, percent = to_decimal(value), False
    return Amount(share=amount) if percent or number_is_share else Amount(points=amount)


def parse_amount_list(value: Any, number_is_share: bool = False) -> list[Amount] | None:
    """One amount or several joined by "+" ("扣25%+扣25%", "0.5＋1分"); None for an empty cell."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return [parse_amount(part, number_is_share) for part in split_amounts(value)]
    return [parse_amount(value, number_is_share)]


def format_amounts(amounts: Sequence[Decimal], percent: bool) -> str:
    """Amounts joined by "+": shares as percentages ("25%+25%"), points as numbers ("0.5+0.5")."""
    write = fmt_percent_short if percent else fmt_number
    return AMOUNT_JOIN.join(write(amount) for amount in amounts)


def split_reasons(reason: str, count: int, fallback: str = UNSTATED_REASON) -> list[str]:
    """``count`` reasons from one text split by "；"; when the parts do not match ``count``, the
    whole text (or ``fallback`` when it is empty) for each."""
    parts = [part for part in reason.split(REASON_JOIN) if part.strip()]
    if len(parts) == count:
        return parts
    return [reason or fallback] * count


def join_reasons(reasons: Iterable[str]) -> str:
    return REASON_JOIN.join(reasons)


def parse_choice(value: Any, choices: Sequence[str]) -> str | None:
    """One of ``choices`` exactly as offered (是/否, a national band's name); None when empty.

    Raises :class:`WordError` otherwise.
    """
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip() in choices:
        return value.strip()
    raise WordError(cell_text(value))


def parse_not_applicable(value: Any) -> bool | None:
    """是 → True, 否 → False, an empty cell → None; :class:`WordError` otherwise."""
    choice = parse_choice(value, NA_CHOICES)
    return None if choice is None else choice == NA_YES


# ---------------------------------------------------------------------------------------------
# Which inputs a line takes.

# 不适用 is read as 是/否 only, whatever else a yes/no cell takes: the sheet's own formulas count
# “是” when they rescale the total, and the reader must agree with them.
_NOT_APPLICABLE = EvidenceInput("not_applicable", "不适用", "", "choice", NA_CHOICES, False)

# Read on any line where the layout has the cell (a workbook may carry them on lines whose
# method does not ask for them); the method's own inputs take precedence.
_ANY_LINE: tuple[EvidenceInput, ...] = (
    EvidenceInput("value", "实际值", "", "number", (), False),
    EvidenceInput("denominator", "分母", "", "number", (), False),
    COUNT,
    BAND,
    EvidenceInput("narrative", "评分过程", "", "text", (), False),
)


def line_inputs(leaf: Node) -> dict[str, EvidenceInput]:
    """Every input a line of ``leaf`` has a cell for, by key: the ones any line may use, and
    those its method needs (which take precedence)."""
    found = {spec.key: spec for spec in LINE_INPUTS}
    found.update((spec.key, spec) for spec in method_spec(leaf).inputs(leaf))
    return found


@dataclass(frozen=True)
class _Readable:
    """What :func:`decode` reads on a line: each input by key, the list fields held one per item
    cell (item1…itemN), and every key to read."""

    inputs: dict[str, EvidenceInput]
    item_fields: tuple[tuple[str, tuple[str, ...]], ...]
    keys: tuple[str, ...]


_READABLE: dict[int, tuple[Node, _Readable]] = {}


def _readable(leaf: Node) -> _Readable:
    # Asked once per line of every workbook read: remembered per leaf object, as layouts are.
    cached = _READABLE.get(id(leaf))
    if cached is not None and cached[0] is leaf:
        return cached[1]
    inputs = {spec.key: spec for spec in _ANY_LINE}
    inputs.update(line_inputs(leaf))
    inputs[_NOT_APPLICABLE.key] = _NOT_APPLICABLE
    found = _Readable(inputs, tuple(_item_keys(inputs).items()), (*inputs, "score"))
    if len(_READABLE) > 4096:
        _READABLE.clear()
    _READABLE[id(leaf)] = (leaf, found)
    return found


def item_count(leaf: Node) -> int:
    """How many item cells (item1…itemN) a line of ``leaf`` fills in: a checklist's points, an
    itemized deduction's kinds of shortcoming."""
    return sum(len(keys) for _, keys in _readable(leaf).item_fields)


def cell_keys(leaf: Node) -> tuple[str, ...]:
    """The keys :func:`decode` reads on a line of ``leaf``: its inputs, the narrative, and
    ``score`` (the declared score)."""
    return _readable(leaf).keys


# ---------------------------------------------------------------------------------------------
# Cells → evidence.

# What an input is called in the reader's messages (stable, whatever a rubric calls the value).
_NAMES = {
    "value": "实际值",
    "denominator": "分母",
    "count": "发现问题数",
    "decision_score": "认定得分",
    "decision_share": "得分比例",
    "band": "评价档次",
    "confirmed": "已核对",
}
_ITEM = re.compile(r"item(\d+)$")

# LineEvidence list fields held one per item cell, by the kind of the items: a checklist's
# flags (met), an itemized deduction's counts (counts), a survey's satisfaction rates (rates).
_ITEM_FIELDS = {"flag": "met", "count": "counts", "number": "rates"}


def _item_keys(inputs: Mapping[str, EvidenceInput]) -> dict[str, tuple[str, ...]]:
    """The item cells of a line by the list field they hold, in item order."""
    found: dict[str, list[str]] = {}
    for key, spec in inputs.items():
        field = _ITEM_FIELDS.get(spec.kind)
        if field is not None and _ITEM.match(key):
            found.setdefault(field, []).append(key)
    return {
        field: tuple(sorted(keys, key=lambda k: int(k[len("item") :])))
        for field, keys in found.items()
    }


# How a cell of each kind is read; a WordError means a word the kind does not take.
_READERS: dict[str, Callable[[EvidenceInput, Any], Any]] = {
    "number": lambda spec, value: parse_number(value),
    "number_or_flag": lambda spec, value: (
        parse_flag(value) if is_flag_word(value) else parse_number(value)
    ),
    "count": lambda spec, value: parse_count(value),
    "flag": lambda spec, value: parse_flag(value),
    "choice": lambda spec, value: parse_choice(value, spec.choices),
    "text": lambda spec, value: None if _blank(value) else cell_text(value),
    "amounts": lambda spec, value: parse_amounts(value),
}

_WORD_MESSAGES = {
    "count": "{what}应为不小于0的整数，实际为“{text}”",
    "flag": "{what}应填 √ 或 ×（也可填 是/否、1/0），实际为“{text}”",
    "choice": "{what}应为：{names}，实际为“{text}”",
    "not_applicable": "“不适用”一栏应填“是”或“否”，实际为“{text}”",
    "confirmed": "“已核对”一栏应填“是”或“否”，实际为“{text}”",
}


def _name(spec: EvidenceInput) -> str:
    item = _ITEM.match(spec.key)
    if item and spec.kind == "flag":
        return f"要点{item.group(1)}"
    return _NAMES.get(spec.key, spec.label)


def read_input(spec: EvidenceInput, value: Any) -> Any:
    """One cell as the value its kind holds (None for an empty cell).

    number → Decimal; count → int; flag → bool; number_or_flag → bool for a yes/no word, else
    Decimal; choice → the choice; text → str; amounts → list of Decimal. Raises
    :class:`EvidenceInputError` with the reader's Chinese message and ``spec.key``.
    """
    if value is None:
        return None
    try:
        return _READERS[spec.kind](spec, value)
    except WordError as exc:
        template = _WORD_MESSAGES.get(spec.key) or _WORD_MESSAGES[spec.kind]
        message = template.format(what=_name(spec), names="、".join(spec.choices), text=exc.text)
        raise EvidenceInputError(message, spec.key) from None
    except NumberParseError as exc:
        # the amounts' message names the part as typed, as the reader always has
        what = "" if spec.kind == "amounts" else _name(spec)
        raise EvidenceInputError(f"{what}{exc}", spec.key) from None


class _Cells:
    """The cells of one line, each read by the kind of its input when asked for."""

    def __init__(self, leaf: Node, raw: Mapping[str, Any]) -> None:
        readable = _readable(leaf)
        self.inputs = readable.inputs
        self.item_fields = readable.item_fields
        self.raw = raw

    def __call__(self, key: str) -> Any:
        value = self.raw.get(key)
        if value is None:
            return None
        spec = self.inputs.get(key)
        return None if spec is None else read_input(spec, value)

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        return None if value is None else cell_text(value)


# LineEvidence field → the input key whose cell holds it.
_FIELD_KEYS = {
    "value": "value",
    "numerator": "value",
    "denominator": "denominator",
    "count": "count",
    "decision": "decision_reason",
    "score": "decision_score",
    "share": "decision_share",
    "deduct_share": "deduct_share",
    "deduct_points": "deduct_points",
    "band": "band",
    "reason": "decision_reason",
    "deductions": "deduct_share",
    "confirmed": "confirmed",
}


def _failure(exc: ValidationError) -> tuple[str, list[str]]:
    error = exc.errors()[0]
    message = str((error.get("ctx") or {}).get("error", error["msg"]))
    return message, [str(part) for part in error["loc"]]


def decode(leaf: Node, raw: Mapping[str, Any]) -> LineEvidence | None:
    """The evidence in the input cells of one line of ``leaf`` (None when nothing is filled in).

    ``raw`` maps input keys (and ``narrative``, ``score`` for the declared score) to cell values
    as the reader gives them. Raises :class:`EvidenceInputError` naming the offending input.
    """
    cells = _Cells(leaf, raw)
    get = raw.get  # an empty cell is not read (``cells`` gives None for it)
    fields: dict[str, Any] = {}
    if get("not_applicable") is not None:
        not_applicable = cells("not_applicable")
        if not_applicable is not None:
            fields["not_applicable"] = not_applicable == NA_YES
    if get("confirmed") is not None and cells("confirmed"):  # 否 is the default: not recorded
        fields["confirmed"] = True
    fields.update(_measure(cells))
    for field, keys in cells.item_fields:
        values = [cells(key) for key in keys]
        if None not in values:
            fields[field] = values
    if get("count") is not None:
        count = cells("count")
        if count is not None:
            fields["count"] = count
    decision = _decode_decision(cells)
    if decision is not None:
        fields["decision"] = decision
    elif fields.get("not_applicable") and get("decision_reason"):
        fields["na_reason"] = str(raw["decision_reason"])
    for key in ("deviation_reason", "narrative"):
        text = get(key)
        if text is not None:
            fields[key] = cell_text(text)
    declared = get("score")
    if isinstance(declared, Decimal):
        fields["declared"] = declared
    if not fields:
        return None
    if _plain_line(fields):  # what validation would accept and keep as it is
        return _built(LineEvidence, fields)
    try:
        return LineEvidence.model_validate(fields)
    except ValidationError as exc:
        message, loc = _failure(exc)
        key = next((_FIELD_KEYS[p] for p in reversed(loc) if p in _FIELD_KEYS), "value")
        raise EvidenceInputError(message, key) from None


# ---------------------------------------------------------------------------------------------
# Evidence the codec read itself, built without a second validation when it plainly passes.
#
# decode gives LineEvidence and Decision the values it parsed: Decimals that passed
# ``to_decimal``, whole numbers, flags, texts. Where every value is of the type its field holds
# and within the field's constraints, and the models' own checks hold, validation would return
# the same values: the model is built from them directly. Anything else (a zero denominator,
# a negative amount, a declared score too large, a value of another type) goes through
# validation, which gives its message.

_M = TypeVar("_M", LineEvidence, Decision)


def _defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """Every field's default, in the order the model declares them."""
    found: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.is_required() or field.default_factory is not None:
            raise TypeError(f"{cls.__name__}.{name} has no plain default")
        found[name] = field.default
    return found


# The models' own checks the tests below repeat: a check added to either model must be added
# to them too (else a value it refuses could be built without it).
_MIRRORED: dict[type[BaseModel], set[str]] = {
    LineEvidence: {"_denominator_not_zero", "_failed_positive", "_consistent"},
    Decision: {"_one_amount"},
}


def _check_mirrored() -> None:
    for model, mirrored in _MIRRORED.items():
        decorators = model.__pydantic_decorators__
        checks = {
            *decorators.field_validators,
            *decorators.model_validators,
            *decorators.validators,
            *decorators.root_validators,
        }
        if checks != mirrored:
            raise TypeError(f"{model.__name__}'s checks changed: update codec._plain_*")


_check_mirrored()

_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {
    LineEvidence: _defaults(LineEvidence),
    Decision: _defaults(Decision),
}


def _built(cls: type[_M], fields: dict[str, Any]) -> _M:
    """``cls`` holding ``fields`` and the defaults, as validation builds it."""
    values = dict(_DEFAULTS[cls])
    values.update(fields)  # known fields only (checked): the declared order stays
    return assembled(cls, values, fields)


def _number(value: Any) -> bool:
    """A ``Num`` as ``to_decimal`` leaves it: a finite Decimal below :data:`TOO_LARGE`."""
    return type(value) is Decimal and value.is_finite() and abs(value) < TOO_LARGE


def _whole(value: Any) -> bool:
    return type(value) is int and value >= 0


_LINE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "value": _number,
    "numerator": _number,
    "denominator": lambda value: _number(value) and value != 0,
    "met": lambda value: type(value) is list and all(type(v) is bool for v in value),
    "count": _whole,
    "counts": lambda value: type(value) is list and all(_whole(v) for v in value),
    "rates": lambda value: type(value) is list and all(_number(v) for v in value),
    "passed": lambda value: type(value) is bool,
    "decision": lambda value: type(value) is Decision,
    "not_applicable": lambda value: type(value) is bool,
    "na_reason": lambda value: type(value) is str,
    "deviation_reason": lambda value: type(value) is str,
    "narrative": lambda value: type(value) is str,
    "declared": _number,
    "confirmed": lambda value: type(value) is bool,
}


def _typed(fields: Mapping[str, Any], checks: Mapping[str, Callable[[Any], bool]]) -> bool:
    """Every field is one ``checks`` knows, holding what its check accepts."""
    for key, value in fields.items():
        check = checks.get(key)
        if check is None or not check(value):
            return False
    return True


def _plain_line(fields: Mapping[str, Any]) -> bool:
    """Whether LineEvidence's validation would accept ``fields`` and keep every value."""
    if not _typed(fields, _LINE_CHECKS):
        return False
    # LineEvidence._consistent
    get = fields.get
    if (get("numerator") is None) != (get("denominator") is None):
        return False
    return get("value") is None or get("numerator") is None


def _amount(value: Any) -> bool:
    """A ``NonNeg``: a number not below 0."""
    return _number(value) and value >= 0


_DECISION_CHECKS: dict[str, Callable[[Any], bool]] = {
    "score": _amount,
    "share": _amount,
    "deduct_share": _amount,
    "deduct_points": _amount,
    "deductions": lambda value: (
        type(value) is list and all(type(part) is Deduction for part in value)
    ),
    "band": lambda value: value is None or type(value) is str,
    "reason": lambda value: type(value) is str,
}


def _plain_decision(fields: Mapping[str, Any]) -> bool:
    """Whether Decision's validation would accept ``fields`` and keep every value."""
    if not _typed(fields, _DECISION_CHECKS):
        return False
    # Decision._one_amount
    get = fields.get
    amounts = ("score", "share", "deduct_share", "deduct_points", "deductions")
    if sum(get(name) is not None for name in amounts) != 1:
        return False
    if get("band") is not None and get("share") is None:
        return False
    return bool(str(get("reason", "")).strip()) or bool(get("deductions"))


def _measure(cells: _Cells) -> dict[str, Any]:
    value = cells("value")
    if isinstance(value, bool):
        return {"passed": value}
    denominator = cells("denominator")
    if denominator is not None:
        if value is None:
            raise EvidenceInputError("填写了分母但没有填写分子（实际值）", "value")
        return {"numerator": value, "denominator": denominator}
    return {} if value is None else {"value": value}


_AMOUNT_KEYS = (("deduct_share", "share"), ("deduct_points", "points"))


_DECISION_KEYS = ("decision_score", "decision_share", "band", "deduct_share", "deduct_points")


def _decode_decision(cells: _Cells) -> Decision | None:
    get = cells.raw.get
    if (
        get("decision_score") is None
        and get("decision_share") is None
        and get("band") is None
        and get("deduct_share") is None
        and get("deduct_points") is None
    ):  # the _DECISION_KEYS, spelt out: asked on every line
        return None  # a reason alone is no decision (it may say why the line does not apply)
    reason = cells("decision_reason") or ""
    score = cells("decision_score")
    share = cells("decision_share")
    band = cells("band")
    amounts = {key: cells(key) for key, _ in _AMOUNT_KEYS}
    if score is None and share is None and all(a is None for a in amounts.values()):
        if band is not None:
            raise EvidenceInputError("选择了评价档次，但没有填写得分比例", "decision_share")
        return None
    fields: dict[str, Any] = {"reason": reason, "band": band}
    if score is not None:
        fields["score"] = score
    if share is not None:
        fields["share"] = share
    for key, part in _AMOUNT_KEYS:
        found = amounts[key]
        if found is None:
            continue
        if len(found) == 1:
            fields[key] = found[0]
            continue
        reasons = split_reasons(reason, len(found))
        try:
            fields["deductions"] = [
                Deduction.model_validate({part: amount, "reason": why})
                for amount, why in zip(found, reasons, strict=True)
            ]
        except ValidationError as exc:
            raise EvidenceInputError(_failure(exc)[0], key) from None
    if _plain_decision(fields):  # what validation would accept and keep as it is
        return _built(Decision, fields)
    try:
        return Decision.model_validate(fields)
    except ValidationError as exc:
        message, loc = _failure(exc)
        raise EvidenceInputError(message, _decision_key(loc, fields)) from None


def _decision_key(loc: list[str], fields: Mapping[str, Any]) -> str:
    """The input to blame for a rejected decision: the field's own cell, the reason's cell when
    the amount is in order but no reason was given, else the 认定得分 cell."""
    field = next((p for p in reversed(loc) if p in _FIELD_KEYS), None)
    if field is not None:
        return _FIELD_KEYS[field]
    amounts = ("score", "share", "deduct_share", "deduct_points", "deductions")
    one_amount = sum(name in fields for name in amounts) == 1
    band_in_order = fields.get("band") is None or "share" in fields
    if one_amount and band_in_order and not str(fields.get("reason", "")).strip():
        return "decision_reason"
    return "decision_score"


# ---------------------------------------------------------------------------------------------
# Evidence → cells.


def encode(leaf: Node, line: LineEvidence | None) -> dict[str, Any]:
    """The input cells of one line of ``leaf`` from its evidence: input key → cell value.

    Numbers stay Decimal (the writer chooses the cell type), flags are √/× (是/否 for 不适用),
    several deductions are joined by "+" with their reasons joined by "；". Evidence the cells
    cannot carry (a mixture of share and point deductions, a measure or items the line's method
    has no cell for) raises ValueError: a workbook must not show a score its own cells do not
    give.
    """
    if line is None:
        return {}
    inputs = line_inputs(leaf)
    cells: dict[str, Any] = {}
    if line.not_applicable:
        cells["not_applicable"] = format_flag(True, inputs["not_applicable"].choices)
        if line.na_reason:
            cells["decision_reason"] = line.na_reason
    cells.update(_encode_measure(leaf, inputs, line))
    cells.update(_encode_items(leaf, inputs, line))
    if line.count is not None:
        cells["count"] = line.count
    if line.decision is not None:
        cells.update(_encode_decision(leaf, line.decision))
    if line.deviation_reason:
        cells["deviation_reason"] = line.deviation_reason
    if line.confirmed:
        cells["confirmed"] = format_flag(True, inputs["confirmed"].choices)
    if line.narrative:
        cells["narrative"] = line.narrative
    missing = [key for key in cells if key not in inputs and key != "narrative"]
    if missing:
        raise ValueError(f"{leaf.code}: the line has no input cell for {', '.join(missing)}")
    return cells


def _encode_measure(
    leaf: Node, inputs: Mapping[str, EvidenceInput], line: LineEvidence
) -> dict[str, Any]:
    if line.passed is not None:
        value = inputs.get("value")
        if value is None or value.kind != "number_or_flag":
            raise ValueError(f"{leaf.code}: the line's value cell cannot hold pass or fail")
        return {"value": format_flag(line.passed, value.choices)}
    if line.numerator is not None:
        return {"value": line.numerator, "denominator": line.denominator}
    if line.value is not None:
        return {"value": line.value}
    return {}


def _encode_items(
    leaf: Node, inputs: Mapping[str, EvidenceInput], line: LineEvidence
) -> dict[str, Any]:
    keys = _item_keys(inputs)
    met = line.met
    if line.failed is not None:
        count = len(keys.get("met", ()))
        if any(number > count for number in line.failed):
            raise ValueError(f"{leaf.code}: an item beyond the line's {count} items failed")
        met = [(i + 1) not in line.failed for i in range(count)]
    cells: dict[str, Any] = {}
    for field, values in (("met", met), ("counts", line.counts), ("rates", line.rates)):
        if values is None:
            continue
        cells_of = keys.get(field, ())
        if len(values) != len(cells_of):
            raise ValueError(f"{leaf.code}: {len(values)} {field} for {len(cells_of)} item cells")
        for key, value in zip(cells_of, values, strict=True):
            spec = inputs[key]
            cells[key] = format_flag(bool(value), spec.choices) if spec.kind == "flag" else value
    return cells


def _encode_decision(leaf: Node, decision: Decision) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for key, amount in (
        ("decision_score", decision.score),
        ("decision_share", decision.share),
        ("deduct_share", decision.deduct_share),
        ("deduct_points", decision.deduct_points),
        ("band", decision.band),
    ):
        if amount is not None:
            cells[key] = amount
    if not decision.deductions:
        cells["decision_reason"] = decision.reason
        return cells
    shares = [d.share for d in decision.deductions if d.share is not None]
    points = [d.points for d in decision.deductions if d.points is not None]
    if len(shares) == len(decision.deductions):
        cells["deduct_share"] = format_amounts(shares, percent=True)
    elif len(points) == len(decision.deductions):
        cells["deduct_points"] = format_amounts(points, percent=False)
    else:
        raise ValueError(
            f"{leaf.code}: mixed share and point deductions cannot be entered in a workbook"
        )
    cells["decision_reason"] = join_reasons(d.reason for d in decision.deductions)
    return cells
