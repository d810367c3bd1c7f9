"""Decimal parsing, rounding and the way numbers are written in Chinese tables.

Every score and rate in xladdin is a :class:`decimal.Decimal`. Floats only appear at the edges
(Excel hands us floats) and are converted through their shortest ``repr`` so that ``8.125``
stays ``8.125`` and rounds half-up to ``8.13``.

The percent rule, used everywhere (YAML, workbooks, worksheet functions): a rate is a fraction,
as Excel stores a cell formatted as a percentage (87.58% is ``0.8758``); text that ends with
``%`` (or the full-width ``％``) is divided by 100. A bare number is never guessed to be a
percentage.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Literal

RoundingMode = Literal["half_up", "half_even", "truncate", "up", "ceiling", "floor"]

ROUNDING_MODES: dict[str, str] = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "truncate": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}

ROUNDING_MODE_NAMES: dict[str, str] = {
    "half_up": "四舍五入",
    "half_even": "四舍六入五成双",
    "truncate": "截尾",
    "up": "进一",
    "ceiling": "向上取整",
    "floor": "向下取整",
}

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Enough digits that a quotient such as 2/3 never decides a rounding by itself.
_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，％", "0123456789.-+,%")


class NumberParseError(ValueError):
    """Raised when a value cannot be read as a number; the message is for the user."""


TOO_LARGE = Decimal("1e15")
"""No amount, count or rate of an evaluation reaches this; a spreadsheet keeps 15 digits."""


def to_decimal(value: object) -> Decimal:
    """Read a number the way a finance officer writes it.

    Accepts int, Decimal, float (through its shortest repr), and text such as ``"1,689.29"``,
    ``"93.25%"``, ``"９３.２５％"`` or ``" 2 "``. Booleans are refused: ``True`` is not a score;
    so are numbers of :data:`TOO_LARGE` or more (1e400 typed as text).
    """
    number = _to_decimal(value)
    if abs(number) >= TOO_LARGE:
        raise NumberParseError(f"数值过大（{value}），请核对")
    return number


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise NumberParseError(f"应为数字，实际为逻辑值 {value}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberParseError(f"应为有限数字，实际为 {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberParseError(f"应为有限数字，实际为 {value}")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        percent = text.endswith("%")
        if percent:
            text = text[:-1]
        try:
            number = Decimal(text)
        except decimal.InvalidOperation:
            raise NumberParseError(f"应为数字，实际为“{value}”") from None
        if not number.is_finite():
            raise NumberParseError(f"应为有限数字，实际为“{value}”")
        return number / HUNDRED if percent else number
    raise NumberParseError(f"应为数字，实际为 {type(value).__name__}")


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Exact-enough division that never inherits a caller's decimal context."""
    return _CONTEXT.divide(numerator, denominator)


_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(11)}
# _CONTEXT with each rounding mode: quantizing through one is quantizing with the mode in _CONTEXT.
_ROUNDING = {
    mode: decimal.Context(prec=_CONTEXT.prec, rounding=rounding)
    for mode, rounding in ROUNDING_MODES.items()
}


def quantize(value: Decimal, places: int, mode: str) -> Decimal:
    """Round ``value`` to ``places`` decimals with a named mode (see ROUNDING_MODES)."""
    exponent = _EXPONENTS.get(places) or Decimal(1).scaleb(-places)
    return _ROUNDING[mode].quantize(value, exponent)


def fmt_number(value: Decimal) -> str:
    """Write a number without trailing zeros: 1.50 → "1.5", 2.00 → "2", 0.67 → "0.67"."""
    if value == value.to_integral_value():
        return str(value.quantize(ONE))
    text = format(value.normalize(), "f")
    return text


def fmt_percent(fraction: Decimal, places: int = 2) -> str:
    """0.9325 → "93.25%" (``places`` decimals of a percent, half-up)."""
    return f"{quantize(fraction * HUNDRED, places, 'half_up')}%"


def fmt_percent_short(fraction: Decimal) -> str:
    """A percentage as written in rule texts: 0.25 → "25%", 0.0333 → "3.33%"."""
    return f"{fmt_number(quantize(fraction * HUNDRED, 2, 'half_up'))}%"


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled(number: int) -> str:
    """1 → "①"; beyond 20 the plain number in parentheses."""
    return CIRCLED[number - 1] if 1 <= number <= len(CIRCLED) else f"({number})"
