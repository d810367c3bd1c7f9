"""The worksheet cell engine: read, compare and write one ``<c>`` element, as XML text.

Every cell goes through the same three functions whichever way its worksheet is handled:
:func:`decode` (what a cell holds as written), :func:`same` (whether it already holds what the
add-in would write) and :func:`render` (the new element's text). :class:`SheetXml`, the text
patcher, cuts a worksheet part at every cell and replaces only the owned cells' text, so every
other byte stays as it was; the XML tree path in ``package.py`` (for worksheets the patcher
declines) hands each ``<c>`` element to the same functions as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from html import unescape as html_unescape
from itertools import accumulate
from typing import Any, NamedTuple

from ..core.numbers import fmt_number

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class Cell(NamedTuple):
    """What a cell holds: its value as read (str, Decimal or bool; None when empty) and formula."""

    value: str | Decimal | bool | None
    formula: str | None = None

    @property
    def uncomputed(self) -> bool:
        """A formula saved without its result (as openpyxl and many scripts write one): what
        the cell shows is unknown until a spreadsheet calculates it, never 0 or blank. (A text
        formula whose result is the empty text holds "".)"""
        return self.value is None and self.formula is not None


class CellXml(NamedTuple):
    """A ``<c>`` element's content as written, texts unescaped."""

    kind: str | None  # the t attribute
    v: str | None  # <v> text
    formula: str | None  # <f> text
    inline: str | None  # <is> text, phonetic runs left out
    shared_formula: bool = False  # <f t="shared" …>
    shared_master: bool = False  # … with ref=: other cells' formulas hang on this one


_NAME = r"(?:[A-Za-z_][\w.\-]*:)?"
_T_ATTR = re.compile(r'\st="([^"]*)"')
_V_RE = re.compile(rf"<{_NAME}v(?:\s[^>]*)?>(.*?)</{_NAME}v>", re.S)
_F_RE = re.compile(rf"<({_NAME})f\b([^>]*?)(?:/>|>(.*?)</\1f>)", re.S)
_IS_RE = re.compile(rf"<({_NAME})is\b[^>]*>(.*?)</\1is>", re.S)
_RPH_RE = re.compile(rf"<({_NAME})rPh\b.*?</\1rPh>", re.S)
_TEXT_RE = re.compile(rf"<({_NAME})t\b[^>]*?(?:/>|>(.*?)</\1t>)", re.S)
_SI_RE = re.compile(rf"<({_NAME})si\b[^>]*?(?:/>|>(.*?)</\1si>)", re.S)
_DECLARED_ENCODING = re.compile(rb'^\s*<\?xml[^>]*encoding="([^"]+)"')
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FORMULA_TEXT = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]")
# A cell's start tag as the worksheet writers write it, reference first; any other start of a
# <c> element (``<c>``, ``<c s="1" r="A1">``, a lower-case reference) is cut too, with no
# reference, so that one split both cuts the part and tells it was not written that way.
_START_TAG = re.compile(r'<c(?: r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)>|[\s>/])')
_ROOT = re.compile(r"<(?!\?|!)([^\s>/]+)")


def unescape(text: str) -> str:
    return html_unescape(text) if "&" in text else text


def escape(text: str) -> str:
    """XML character data; a carriage return as a reference, or a parser reads it as a newline."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def rich_text(inner: str) -> str:
    """The text of an ``<si>`` or ``<is>`` body: plain ``<t>`` or runs, phonetic runs left out."""
    if "<" not in inner:
        return ""
    if "rPh" in inner:
        inner = _RPH_RE.sub("", inner)
    return "".join(unescape(t.group(2) or "") for t in _TEXT_RE.finditer(inner))


def kind_of(attributes: str) -> str | None:
    """The t attribute in the text of a start tag."""
    at = attributes.find(' t="')
    return attributes[at + 4 : attributes.find('"', at + 4)] if at >= 0 else None


def decode(kind: str | None, inner: str | None) -> CellXml:
    """A cell's content from its type and the text between its start and end tags."""
    if not inner:
        return CellXml(kind, None, None, None)
    if inner.startswith("<v>") and inner.endswith("</v>") and inner.count("<") == 2:
        return CellXml(kind, unescape(inner[3:-4]), None, None)  # the common case: a plain value
    v = _V_RE.search(inner)
    f = _F_RE.search(inner)
    inline = None
    if kind == "inlineStr":
        found = _IS_RE.search(inner)
        if found:
            inline = rich_text(found.group(2))
    formula = None
    shared = master = False
    if f is not None:
        formula = unescape(f.group(3)) if f.group(3) is not None else None
        shared = 't="shared"' in f.group(2)
        master = shared and " ref=" in f.group(2)
    return CellXml(kind, unescape(v.group(1)) if v else None, formula, inline, shared, master)


def number(text: str) -> Decimal:
    # Excel writes up to 17 significant digits (0.92999999999999994); the shortest repr of the
    # double is what the user typed.
    try:
        return Decimal(repr(float(text)))
    except ValueError:
        try:
            return Decimal(text)
        except InvalidOperation:
            return Decimal(0)


def numbers_equal(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def value_of(
    kind: str | None,
    v_text: str | None,
    inline: str | None,
    shared: Callable[[], SharedStrings],
) -> str | Decimal | bool | None:
    """A cell's value from its type, ``<v>`` text and inline text; None for an empty cell."""
    value: str | Decimal | bool | None = None
    if kind is None or kind == "n":
        if v_text:  # an empty <v/> (a formula saved without its result) holds nothing
            value = number(v_text)
    elif kind == "s":
        if v_text:
            table = shared()
            index = int(v_text)
            value = table[index] if 0 <= index < len(table) else None
    elif kind == "inlineStr":
        value = inline
    elif kind == "b":
        value = v_text == "1"
    elif kind in ("str", "e"):
        value = v_text
    elif v_text:
        value = number(v_text)
    return None if value == "" else value


_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)(%?)|([-+*/()]))")


def constant_value(formula: str) -> Decimal | None:
    """The result of a formula that is pure arithmetic over numbers (``0.979``, ``184.8/200``,
    ``-(1+2)*5%``), computed as a spreadsheet does; None for anything else (a cell reference,
    a function, a division by zero). Only + - * / ( ) and a % after a number are understood."""
    tokens: list[str | Decimal] = []
    at = 0
    text = formula.strip()
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:
            return None
        if found.group(1) is not None:
            literal = Decimal(found.group(1))
            tokens.append(literal / 100 if found.group(2) else literal)
        else:
            tokens.append(found.group(3))
        at = found.end()
        while at < len(text) and text[at].isspace():
            at += 1
    position = 0

    def peek() -> str | Decimal | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str | Decimal | None:
        nonlocal position
        position += 1
        return tokens[position - 1] if position <= len(tokens) else None

    def term() -> Decimal:  # a number, a signed term or a bracketed sum
        token = take()
        if isinstance(token, Decimal):
            return token
        if token in ("-", "+"):
            inner = term()
            return -inner if token == "-" else inner
        if token == "(":
            inside = total()
            if take() != ")":
                raise ValueError
            return inside
        raise ValueError

    def product() -> Decimal:
        value = term()
        while peek() in ("*", "/"):
            op, right = take(), term()
            value = value * right if op == "*" else value / right
        return value

    def total() -> Decimal:
        value = product()
        while peek() in ("+", "-"):
            op, right = take(), product()
            value = value + right if op == "+" else value - right
        return value

    try:
        result = total()
    except (ValueError, ArithmeticError, RecursionError):
        return None
    if position != len(tokens) or not tokens:
        return None
    # a spreadsheet holds a double: the shortest repr of the double is what it shows
    shown = Decimal(repr(float(result)))
    return shown if shown.is_finite() else None


def read_cell(content: CellXml, shared: Callable[[], SharedStrings]) -> Cell | None:
    """What the cell holds, or None when it holds nothing."""
    value = value_of(content.kind, content.v, content.inline, shared)
    if content.formula is None:
        return None if value is None else Cell(value)
    if value is None:
        if content.kind == "str" and content.v is not None:
            value = ""  # a text formula's result, the empty text
        else:  # no result saved: what a spreadsheet would show, when it is certain
            value = constant_value(content.formula)
    return Cell(value, content.formula)


def same(
    content: CellXml, value: Any, formula: str | None, shared: Callable[[], SharedStrings]
) -> bool:
    """Whether a cell holding ``content`` already shows ``value`` with ``formula``."""
    if content.formula != formula or content.shared_formula:
        return False
    kind, v_text = content.kind, content.v
    if value is None:
        return kind in (None, "n", "str") and not v_text and content.inline is None
    if isinstance(value, Decimal):
        return kind in (None, "n") and numbers_equal(v_text, fmt_number(value))
    if kind == "s" and v_text is not None:
        table = shared()
        index = int(v_text)
        return 0 <= index < len(table) and table[index] == value
    if kind == "inlineStr":
        return content.inline == value
    if kind == "str":
        return (v_text or "") == value
    return False


# A batch's workbooks carry the same formulas (subtotals, the grade): each is escaped once.
_escaped_formula = lru_cache(maxsize=4096)(escape)


def written(value: Any, formula: str | None, prefix: str = "") -> tuple[str | None, str]:
    """What the add-in writes in a cell: its t attribute (None for a number or an empty cell)
    and the text between its tags: a number as ``<v>``, text as an inline string, a formula
    with its cached value."""
    if formula is not None:
        inner = f"<{prefix}f>{_escaped_formula(formula)}</{prefix}f>"
        if isinstance(value, str):
            return "str", f"{inner}<{prefix}v>{escape(value)}</{prefix}v>"
        if value is not None:
            return None, f"{inner}<{prefix}v>{fmt_number(value)}</{prefix}v>"
        return None, inner
    if isinstance(value, Decimal):
        return None, f"<{prefix}v>{fmt_number(value)}</{prefix}v>"
    if value is not None:
        text = str(value)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return "inlineStr", f"<{prefix}is><{prefix}t{space}>{escape(text)}</{prefix}t></{prefix}is>"
    return None, ""


def render(ref: str, attributes: str, value: Any, formula: str | None, prefix: str = "") -> str:
    """The ``<c>`` element the add-in writes (:func:`written`), keeping ``attributes`` (style…,
    without t)."""
    kind, inner = written(value, formula, prefix)
    start = f'<{prefix}c r="{ref}"{attributes}' + (f' t="{kind}"' if kind else "")
    return f"{start}>{inner}</{prefix}c>" if inner else f"{start}/>"


def without_kind(attributes: str) -> str:
    """A start tag's attribute text without its t attribute (a rewrite sets its own)."""
    return _T_ATTR.sub("", attributes) if ' t="' in attributes else attributes


class SharedStrings:
    """The shared-string table, each text decoded only when a cell asks for it."""

    def __init__(self, bodies: list[str]) -> None:
        self._bodies = bodies
        self._texts: dict[int, str] = {}

    @classmethod
    def parse(cls, text: str) -> SharedStrings:
        return cls([found.group(2) or "" for found in _SI_RE.finditer(text)])

    def __len__(self) -> int:
        return len(self._bodies)

    def __getitem__(self, index: int) -> str:
        text = self._texts.get(index)
        if text is None:
            text = self._texts[index] = rich_text(self._bodies[index])
        return text


def utf8_text(raw: bytes) -> str | None:
    """A part's text, or None when it declares another encoding or is not UTF-8."""
    declared = _DECLARED_ENCODING.match(raw)
    if declared and declared.group(1).decode("ascii", "replace").lower().replace("-", "") != "utf8":
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


class SheetXml:
    """A worksheet part as text cut at every cell, patched cell by cell.

    ``re.split`` on the cells' start tags gives, per cell, its reference, the rest of its start
    tag, and the text that follows up to the next cell. Only the owned cells' XML changes;
    every other byte of the part stays as it was. Worksheets written differently (a namespace
    prefix, ``r`` not the first attribute, a non-UTF-8 encoding) get None from :meth:`parse`
    and go through the XML tree instead.
    """

    def __init__(self, text: str, pieces: list[str], raw: bytes | None = None) -> None:
        self.text = text
        self.raw = text.encode("utf-8") if raw is None else raw  # the text's own bytes
        self.pieces = pieces  # the text before the first cell, then per cell the three below
        self.refs = pieces[1::3]
        self.attrs = pieces[2::3]  # the rest of each start tag, ending in "/" for an empty cell
        self.follows = pieces[3::3]  # "inner</c>" then the text up to the next cell
        # each reference's cell (the last, for a reference used twice)
        self.position = dict(zip(self.refs, range(len(self.refs)), strict=True))
        self.edits: dict[int, str] = {}
        self._formulas: list[str] | None = None

    @classmethod
    def parse(cls, raw: bytes) -> SheetXml | None:
        text = utf8_text(raw)
        if text is None:
            return None
        root = _ROOT.search(text)
        if root is None or root.group(1) != "worksheet":
            return None
        parsed = cls(text, _START_TAG.split(text), raw)
        # a cell written another way was cut without its reference
        return None if None in parsed.position else parsed

    def inner(self, k: int) -> str | None:
        """Cell ``k``'s text between its tags as read (None for an empty element)."""
        if self.attrs[k][-1:] == "/":
            return None
        follow = self.follows[k]
        end = follow.find("</c>")
        return follow[:end] if end >= 0 else None

    def content(self, k: int) -> CellXml:
        """What cell ``k`` holds as written (as edited, once it has been)."""
        if k in self.edits:
            edit = self.edits[k]
            start = edit.find(">") + 1
            return decode(kind_of(edit[:start]), edit[start:-4] if edit[-2:] != "/>" else None)
        return decode(kind_of(self.attrs[k]), self.inner(k))

    def element(self, k: int) -> str:
        """Cell ``k``'s element text (as edited, once it has been)."""
        if k in self.edits:
            return self.edits[k]
        start = f'<c r="{self.refs[k]}"{self.attrs[k]}>'
        inner = self.inner(k)
        return start if inner is None else f"{start}{inner}</c>"

    def read(
        self,
        shared: Callable[[], SharedStrings],
        columns: Set[str] | None = None,
        rows: Set[str] = frozenset(),
    ) -> dict[str, Cell]:
        """The non-empty cells, by reference in document order; with ``columns`` (letters),
        only those in these columns or in ``rows`` (numbers as text)."""
        found: dict[str, Cell] = {}
        digits = "0123456789"
        cell_at = self.cell_at
        for k, (ref, attributes) in enumerate(zip(self.refs, self.attrs, strict=True)):
            if attributes[-1:] == "/":
                continue  # an empty (styled blank) cell
            if columns is not None:
                letters = ref.rstrip(digits)
                if letters not in columns and ref[len(letters) :] not in rows:
                    continue
            cell = cell_at(k, shared)
            if cell is not None:
                found[ref] = cell
        return found

    def cells_at(
        self, refs: Iterable[str], shared: Callable[[], SharedStrings]
    ) -> list[Cell | None]:
        """What each of ``refs`` holds as read, in their order (None: empty or not in the
        sheet): a row's listed cells are read without passing over the others."""
        position, attrs, cell_at = self.position, self.attrs, self.cell_at
        found: list[Cell | None] = []
        for ref in refs:
            k = position.get(ref)
            found.append(None if k is None or attrs[k][-1:] == "/" else cell_at(k, shared))
        return found

    def cell_at(self, k: int, shared: Callable[[], SharedStrings]) -> Cell | None:
        """What cell ``k`` holds as read (not as edited); None when it is empty."""
        attributes = self.attrs[k]
        if attributes[-1:] == "/":
            return None  # an empty (styled blank) cell
        follow = self.follows[k]
        end = follow.find("</c>")
        if end <= 0:
            return None
        at = attributes.find(' t="')
        kind = attributes[at + 4 : attributes.find('"', at + 4)] if at >= 0 else None
        if (
            follow.startswith("<v>")
            and follow.find("<", 3) == end - 4
            and follow.startswith("</v>", end - 4)
        ):
            # the common case, a plain value, read without building its content
            v = unescape(follow[3 : end - 4])
            if kind is None and v:
                return Cell(number(v))
            value = value_of(kind, v, None, shared)
            return None if value is None else Cell(value)
        return read_cell(decode(kind, follow[:end]), shared)

    def last_row(self) -> int:
        """The row of the last cell (a worksheet's rows come in order)."""
        return int(self.refs[-1].lstrip(_LETTERS)) if self.refs else 0

    def formula_refs(self) -> list[str]:
        """The cells holding a formula element as read, in document order (found once)."""
        if self._formulas is None:
            follows = self.follows
            # a cheap look first: most cells hold no "f" at all, let alone a formula element
            self._formulas = [
                self.refs[k]
                for k in [k for k, follow in enumerate(follows) if "f" in follow]
                if ("<f" in follows[k] or ":f" in follows[k])
                and _FORMULA_TEXT.search(self.inner(k) or "") is not None
            ]
        return self._formulas

    def unchanged(
        self, k: int, value: Any, formula: str | None, shared: Callable[[], SharedStrings]
    ) -> bool:
        """Whether cell ``k``, not yet edited, surely shows ``value`` with ``formula`` already,
        told from its text alone: the very type and content :func:`written` gives (an empty
        element for nothing), or a shared string with that text. False means only "not
        told": :func:`same` decides the rest."""
        if k in self.edits:
            return False
        attributes = self.attrs[k]
        kind = kind_of(attributes)
        follow = self.follows[k]
        if attributes[-1:] == "/":
            return value is None and formula is None and kind is None
        if kind == "s":
            if formula is not None or type(value) is not str or not follow.startswith("<v>"):
                return False
            end = follow.find("</v></c>")
            index = follow[3:end]
            if end < 0 or not (index.isascii() and index.isdigit()):
                return False
            table = shared()
            return int(index) < len(table) and table[int(index)] == value
        if type(value) is Decimal and kind is None:
            # the number as any program wrote it ("3.0" for 3), compared as a number
            head = "<v>" if formula is None else f"<f>{_escaped_formula(formula)}</f><v>"
            end = follow.find("</v></c>", len(head))
            if not follow.startswith(head) or end < 0:
                return False
            shown, wanted = follow[len(head) : end], fmt_number(value)
            return shown == wanted or ("<" not in shown and numbers_equal(shown, wanted))
        expected, inner = written(value, formula)
        return kind == expected and bool(inner) and follow.startswith(f"{inner}</c>")

    def rendered(self, k: int, value: Any, formula: str | None) -> str:
        """Cell ``k`` written anew: its other attributes (style…) kept, its content replaced."""
        return render(self.refs[k], without_kind(self.attrs[k].rstrip("/")), value, formula)

    def to_bytes(self) -> bytes:
        """The part with the edited cells replaced and every other byte as it was."""
        if not self.edits:
            return self.raw
        refs, attrs, follows = self.refs, self.attrs, self.follows
        if len(self.position) == len(refs):
            # Cells come in document order and each reference once: the edited cell's start
            # tag is the first after the previous edit. Found in the part's bytes, which are
            # then copied around the edits without encoding the whole text again.
            raw = self.raw
            out: list[bytes] = []
            at = 0
            for k in sorted(self.edits):
                ref = refs[k]
                start = raw.find(f'<c r="{ref}"'.encode(), at)
                original = f'<c r="{ref}"{attrs[k]}>'
                if not attrs[k].endswith("/"):
                    original += follows[k][: follows[k].find("</c>") + 4]
                out.append(raw[at:start])
                out.append(self.edits[k].encode("utf-8"))
                at = start + len(original.encode("utf-8"))
            out.append(raw[at:])
            return b"".join(out)
        # Two cells with one reference (a damaged file): placed by the pieces' lengths (the
        # pieces leave out each start tag's fixed text, '<c r="', '"' and '>')
        text = self.text
        ends = list(accumulate(map(len, self.pieces)))
        pieces: list[str] = []
        position = 0
        for k in sorted(self.edits):
            start = ends[3 * k] + 8 * k
            end = start + 8 + len(refs[k]) + len(attrs[k])
            if not attrs[k].endswith("/"):
                end += follows[k].find("</c>") + 4
            pieces.append(text[position:start])
            pieces.append(self.edits[k])
            position = end
        pieces.append(self.text[position:])
        return "".join(pieces).encode("utf-8")
