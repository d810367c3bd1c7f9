"""The worksheet cell engine, one ``<c>`` element at a time, with the exact XML it reads and writes.

In the style of XlsxWriter's tests (``<c r="A1"><v>1</v></c>``): each case builds a one-sheet
workbook around a cell, reads it back through ``XlsxPackage.cells`` and writes it through
``XlsxPackage.write_cells``, asserting the decoded value and the exact text of the new element.
Unprefixed worksheets go through the text patcher, ``x:``-prefixed ones and sheets whose cells
lack positions through the XML tree; both must read and write the same.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from xladdin.core.errors import WorkbookError
from xladdin.workbook.cellxml import SheetXml, render
from xladdin.workbook.package import SHARED_MASTER, Cell, XlsxPackage

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PART = "xl/worksheets/sheet1.xml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _sheet(cells: str, prefix: str = "") -> str:
    if prefix:
        p = f"{prefix}:"
        return (
            f'{HEAD}<{p}worksheet xmlns:{prefix}="{MAIN}"><{p}sheetData><{p}row r="1">{cells}'
            f"</{p}row></{p}sheetData></{p}worksheet>"
        )
    return f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'


def _book(sheet: str, shared: list[str] | None = None) -> XlsxPackage:
    """A one-sheet workbook (sheet "S") whose worksheet part is ``sheet``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        book.writestr(PART, sheet)
        if shared is not None:
            book.writestr(
                "xl/sharedStrings.xml",
                f'<sst xmlns="{MAIN}" count="{len(shared)}">{"".join(shared)}</sst>',
            )
    return XlsxPackage(Path("t.xlsx"), buffer.getvalue())


def _read(cells: str, prefix: str = "", shared: list[str] | None = None) -> dict[str, Cell]:
    return dict(_book(_sheet(cells, prefix), shared).cells("S"))


def _written(
    cells: str, writes: dict[str, tuple[Any, str | None]], prefix: str = "", shared: Any = None
) -> tuple[int, str]:
    """(cells changed, the worksheet part's text after writing)."""
    package = _book(_sheet(cells, prefix), shared)
    changed = package.write_cells("S", writes)
    with zipfile.ZipFile(io.BytesIO(package.to_bytes())) as book:
        return changed, book.read(PART).decode("utf-8")


# -- reading: the value each kind of cell holds ------------------------------------------------

READS: list[tuple[str, str, Cell]] = [
    ("number", '<c r="A1"><v>1</v></c>', Cell(Decimal("1"))),
    ("17-digit double", '<c r="A1"><v>0.93000000000000005</v></c>', Cell(Decimal("0.93"))),
    ("explicit number type", '<c r="A1" t="n"><v>2.5</v></c>', Cell(Decimal("2.5"))),
    ("style kept", '<c r="A1" s="3"><v>2</v></c>', Cell(Decimal("2"))),
    ("inline string", '<c r="A1" t="inlineStr"><is><t>是</t></is></c>', Cell("是")),
    (
        "inline rich text",
        '<c r="A1" t="inlineStr"><is><r><t>得</t></r><r><rPr><b/></rPr><t>分</t></r></is></c>',
        Cell("得分"),
    ),
    (
        "inline phonetic run",
        '<c r="A1" t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh>'
        '<phoneticPr fontId="1"/></is></c>',
        Cell("東京"),
    ),
    ("boolean", '<c r="A1" t="b"><v>1</v></c>', Cell(True)),
    ("boolean false", '<c r="A1" t="b"><v>0</v></c>', Cell(False)),
    ("str without formula", '<c r="A1" t="str"><v>x</v></c>', Cell("x")),
    ("escaped text", '<c r="A1" t="str"><v>a &amp; b &lt; c</v></c>', Cell("a & b < c")),
    (
        "formula, cached number",
        '<c r="A1"><f>SUM(B1:B2)</f><v>3</v></c>',
        Cell(Decimal("3"), "SUM(B1:B2)"),
    ),
    (
        "formula, cached string",
        '<c r="A1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
        Cell("ab", '"a"&"b"'),
    ),
    ("formula, cached boolean", '<c r="A1" t="b"><f>1=1</f><v>1</v></c>', Cell(True, "1=1")),
    ("formula, no cached value", '<c r="A1"><f>B1</f></c>', Cell(None, "B1")),
    ("error", '<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', Cell("#DIV/0!", "1/0")),
    (
        "shared formula master",
        '<c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>4</v></c>',
        Cell(Decimal("4"), "B1*2"),
    ),
    ("shared formula child", '<c r="A1"><f t="shared" si="0"/><v>6</v></c>', Cell(Decimal("6"))),
]


@pytest.mark.parametrize(("cells", "expected"), [r[1:] for r in READS], ids=[r[0] for r in READS])
@pytest.mark.parametrize("prefix", ["", "x"], ids=["text", "tree x:c"])
def test_reading_a_cell(cells: str, expected: Cell, prefix: str) -> None:
    if prefix:
        cells = cells.replace("<", "<x:").replace("<x:/", "</x:")
    assert _read(cells, prefix) == {"A1": expected}


SHARED = [
    "<si><t>已评分</t></si>",
    "<si><r><t>缺少</t></r><r><rPr><i/></rPr><t>佐证</t></r></si>",
    '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>',
    "<si><t/></si>",
    '<si><t xml:space="preserve"> a &amp; b </t></si>',
]


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, "已评分"), (1, "缺少佐证"), (2, "東京"), (3, None), (4, " a & b ")],
    ids=["plain", "rich text", "phonetic run", "empty", "escaped"],
)
def test_reading_a_shared_string(index: int, expected: str | None) -> None:
    found = _read(f'<c r="A1" t="s"><v>{index}</v></c>', shared=SHARED)
    assert found == ({"A1": Cell(expected)} if expected is not None else {})


def test_shared_string_index_out_of_range_reads_as_empty() -> None:
    assert _read('<c r="A1" t="s"><v>9</v></c>', shared=SHARED) == {}


@pytest.mark.parametrize("prefix", ["", "x"], ids=["text", "tree x:c"])
def test_empty_cells_are_left_out(prefix: str) -> None:
    cells = '<c r="A1" s="3"/><c r="B1" s="3"></c><c r="C1"><v>7</v></c>'
    if prefix:
        cells = cells.replace("<", "<x:").replace("<x:/", "</x:")
    assert _read(cells, prefix) == {"C1": Cell(Decimal("7"))}


def test_cells_without_positions_take_the_next_column() -> None:
    """The format allows cells without r: the text patcher declines the sheet, the tree reads it."""
    sheet = _sheet('<c r="B1"><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c>')
    assert SheetXml.parse(sheet.encode()) is None
    assert _read('<c r="B1"><v>1</v></c><c><v>2</v></c><c t="inlineStr"><is><t>x</t></is></c>') == {
        "B1": Cell(Decimal("1")),
        "C1": Cell(Decimal("2")),
        "D1": Cell("x"),
    }


def test_columns_and_rows_select_cells() -> None:
    package = _book(
        f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>3</v></c><c r="B2"><v>4</v></c></row>'
        "</sheetData></worksheet>"
    )
    assert list(package.cells("S", ["B"], [1])) == ["A1", "B1", "B2"]


# -- writing: the exact element each value gives ------------------------------------------------

WRITES: list[tuple[str, str, Any, str | None, str]] = [
    ("number into a styled blank", '<c r="A1" s="3"/>', Decimal("5"), None, '<c r="A1" s="3"><v>5</v></c>'),
    ("number over text", '<c r="A1" t="inlineStr"><is><t>x</t></is></c>', Decimal("0.5"), None, '<c r="A1"><v>0.5</v></c>'),
    ("text", '<c r="A1" s="3"/>', "已评分", None, '<c r="A1" s="3" t="inlineStr"><is><t>已评分</t></is></c>'),
    ("text escaped", '<c r="A1"/>', "a<b & c>", None, '<c r="A1" t="inlineStr"><is><t>a&lt;b &amp; c&gt;</t></is></c>'),
    ("text with edge spaces", '<c r="A1"/>', " a ", None, '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c>'),
    ("text over a shared string", '<c r="A1" s="5" t="s"><v>0</v></c>', "缺少佐证", None, '<c r="A1" s="5" t="inlineStr"><is><t>缺少佐证</t></is></c>'),
    ("formula, number", '<c r="A1" s="2"><f>SUM(B1:B2)</f><v>1</v></c>', Decimal("3"), "SUM(B1:B2)", '<c r="A1" s="2"><f>SUM(B1:B2)</f><v>3</v></c>'),
    ("formula, string", '<c r="A1"/>', "优", 'IF(B1>0,"优","差")', '<c r="A1" t="str"><f>IF(B1&gt;0,"优","差")</f><v>优</v></c>'),
    ("formula, no value", '<c r="A1"><v>1</v></c>', None, "B1", '<c r="A1"><f>B1</f></c>'),
    ("formula over a boolean", '<c r="A1" t="b"><f>B1</f><v>1</v></c>', Decimal("2"), "B1*2", '<c r="A1"><f>B1*2</f><v>2</v></c>'),
    ("formula over an error", '<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', Decimal("0"), "0", '<c r="A1"><f>0</f><v>0</v></c>'),
    ("17-digit double in shortest form", '<c r="A1"><v>0.93000000000000005</v></c>', Decimal("0.93"), None, '<c r="A1"><v>0.93</v></c>'),
    ("cleared, style kept", '<c r="A1" s="4" t="str"><v>x</v></c>', None, None, '<c r="A1" s="4"/>'),
    ("over a shared formula child", '<c r="A1"><f t="shared" si="0"/><v>6</v></c>', Decimal("6"), None, '<c r="A1"><v>6</v></c>'),
    ("phonetic text replaced", '<c r="A1" t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c>', "大阪", None, '<c r="A1" t="inlineStr"><is><t>大阪</t></is></c>'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "value", "formula", "after"), [w[1:] for w in WRITES], ids=[w[0] for w in WRITES]
)
def test_writing_a_cell(before: str, value: Any, formula: str | None, after: str) -> None:
    changed, text = _written(f'{before}<c r="B1"><v>9</v></c>', {"A1": (value, formula)})
    assert changed == 1
    # the element is replaced and every other byte stays as it was
    assert text == _sheet(f'{after}<c r="B1"><v>9</v></c>')


@pytest.mark.parametrize(
    ("before", "value", "formula", "after"), [w[1:] for w in WRITES], ids=[w[0] for w in WRITES]
)
def test_writing_a_prefixed_cell_through_the_tree(
    before: str, value: Any, formula: str | None, after: str
) -> None:
    def prefixed(xml: str) -> str:
        return xml.replace("<", "<x:").replace("<x:/", "</x:").replace("&lt;", "&lt;")

    changed, text = _written(prefixed(before), {"A1": (value, formula)}, prefix="x")
    assert changed == 1
    assert prefixed(after) in text
    assert "xmlns=" not in text and text.count("xmlns:x=") == 1


def test_render_is_the_one_writer() -> None:
    assert render("A1", "", Decimal("1"), None) == '<c r="A1"><v>1</v></c>'
    assert render("A1", ' s="1"', None, None, "x:") == '<x:c r="A1" s="1"/>'
    assert (
        render("A1", "", "a\r\nb", None) == '<c r="A1" t="inlineStr"><is><t>a&#13;\nb</t></is></c>'
    )


@pytest.mark.parametrize(
    ("before", "value"),
    [
        ('<c r="A1" s="5" t="s"><v>0</v></c>', "已评分"),  # a shared string with that text
        ('<c r="A1"><v>0.930</v></c>', Decimal("0.93")),  # the same number
        ('<c r="A1" t="inlineStr"><is><r><t>已</t></r><r><t>评分</t></r></is></c>', "已评分"),
        ('<c r="A1" t="str"><v>已评分</v></c>', "已评分"),
        ('<c r="A1" s="3"/>', None),
        ('<c r="A1" s="3"><v></v></c>', None),
        ('<c r="A1" s="2"><f>SUM(B1:B2)</f><v>3</v></c>', (Decimal("3"), "SUM(B1:B2)")),
        (
            '<c r="A1" t="str"><f>IF(B1&gt;0,"优","差")</f><v>优</v></c>',
            ("优", 'IF(B1>0,"优","差")'),
        ),
        ('<c r="A1"><f>B1</f><v>3.50</v></c>', (Decimal("3.5"), "B1")),
    ],
    ids=[
        "shared string",
        "same number",
        "rich inline",
        "str",
        "blank",
        "empty v",
        "formula number",
        "formula text",
        "formula, number written otherwise",
    ],
)
@pytest.mark.parametrize("prefix", ["", "x"], ids=["text", "tree x:c"])
def test_a_cell_already_showing_the_value_is_left_alone(
    before: str, value: Any, prefix: str
) -> None:
    value, formula = value if isinstance(value, tuple) else (value, None)
    if prefix:
        before = before.replace("<", "<x:").replace("<x:/", "</x:")
    package = _book(_sheet(before, prefix), SHARED)
    data = package.to_bytes()
    assert package.write_cells("S", {"A1": (value, formula)}) == 0
    assert package.to_bytes() == data


@pytest.mark.parametrize(
    ("before", "value", "after"),
    [
        # looks like the number at first sight, but is a shared string's index
        ('<c r="A1" t="s"><v>0</v></c>', Decimal("0"), '<c r="A1"><v>0</v></c>'),
        # an empty element of a text type is not an empty number cell
        ('<c r="A1" s="2" t="s"/>', None, '<c r="A1" s="2"/>'),
        # the number, then more content: a formula after it
        ('<c r="A1"><v>1</v><f>B1</f></c>', Decimal("1"), '<c r="A1"><v>1</v></c>'),
        # the number's text as a prefix of a longer number
        ('<c r="A1"><v>1.25</v></c>', Decimal("1.2"), '<c r="A1"><v>1.2</v></c>'),
        # an empty cell given a number
        ('<c r="A1" s="4"/>', Decimal("7"), '<c r="A1" s="4"><v>7</v></c>'),
        # the formula's text, but shared with other cells
        (
            '<c r="A1"><f t="shared" si="0">B1</f><v>2</v></c>',
            (Decimal("2"), "B1"),
            '<c r="A1"><f>B1</f><v>2</v></c>',
        ),
        # the formula, with another result as text
        (
            '<c r="A1" t="str"><f>IF(B1&gt;0,"优","差")</f><v>差</v></c>',
            ("优", 'IF(B1>0,"优","差")'),
            '<c r="A1" t="str"><f>IF(B1&gt;0,"优","差")</f><v>优</v></c>',
        ),
        # the formula's result as a number where text is written
        (
            '<c r="A1"><f>B1</f><v>1</v></c>',
            ("1", "B1"),
            '<c r="A1" t="str"><f>B1</f><v>1</v></c>',
        ),
    ],
    ids=[
        "shared index",
        "empty text type",
        "formula after value",
        "longer number",
        "blank",
        "shared formula",
        "other text result",
        "number for text",
    ],
)
def test_a_cell_that_only_looks_the_same_is_rewritten(before: str, value: Any, after: str) -> None:
    value, formula = value if isinstance(value, tuple) else (value, None)
    changed, text = _written(before, {"A1": (value, formula)}, shared=SHARED)
    assert changed == 1
    assert after in text


def test_a_formula_is_not_the_same_as_its_cached_value() -> None:
    changed, text = _written('<c r="A1"><f>B1</f><v>1</v></c>', {"A1": (Decimal("1"), None)})
    assert changed == 1
    assert '<c r="A1"><v>1</v></c>' in text


@pytest.mark.parametrize("prefix", ["", "x"], ids=["text", "tree x:c"])
def test_a_shared_formula_master_is_refused(prefix: str) -> None:
    cells = '<c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>4</v></c>'
    if prefix:
        cells = cells.replace("<", "<x:").replace("<x:/", "</x:")
    package = _book(_sheet(cells, prefix))
    with pytest.raises(WorkbookError) as raised:
        package.write_cells("S", {"A1": (Decimal("1"), None)})
    assert raised.value.message == SHARED_MASTER
    assert raised.value.location.cell == "A1"


def test_writing_twice_gives_the_same_element() -> None:
    package = _book(_sheet('<c r="A1" s="3" t="s"><v>0</v></c>'), SHARED)
    assert package.write_cells("S", {"A1": ("缺少佐证", None)}) == 1
    first = package.to_bytes()
    assert package.write_cells("S", {"A1": ("缺少佐证", None)}) == 0
    assert package.to_bytes() == first
    again = XlsxPackage(Path("t.xlsx"), first)
    assert again.write_cells("S", {"A1": ("缺少佐证", None)}) == 0
    assert again.to_bytes() == first


def test_a_missing_cell_is_created_through_the_tree() -> None:
    changed, text = _written(
        '<c r="A1"><v>1</v></c><c r="C1"><v>3</v></c>',
        {"B1": (Decimal("2"), None), "A2": ("新", None)},
    )
    assert changed == 2
    assert (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1"><v>3</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>新</t></is></c></row>'
    ) in text


@pytest.mark.parametrize(
    "other",
    [
        "<c><v>2</v></c>",
        '<c s="1" r="B1"><v>2</v></c>',
        '<c r="b1"><v>2</v></c>',
        '<c r="B12345678"><v>2</v></c>',
        '<c\nr="B1"><v>2</v></c>',
        "<c r='B1'><v>2</v></c>",
        "<c/>",
    ],
    ids=["no r", "r not first", "lower case", "too long", "newline", "single quotes", "empty"],
)
def test_a_cell_written_another_way_sends_the_sheet_to_the_tree(other: str) -> None:
    """The text patcher cuts at '<c r="A1"'; a cell started any other way would hide inside
    the cell before it, so the whole part goes through the XML tree instead."""
    assert SheetXml.parse(_sheet('<c r="A1"><v>1</v></c>').encode()) is not None
    assert SheetXml.parse(_sheet(f'<c r="A1"><v>1</v></c>{other}').encode()) is None


def test_cells_without_positions_are_written_through_the_tree() -> None:
    changed, text = _written('<c r="A1"><v>1</v></c><c s="2"><v>2</v></c>', {"B1": ("x", None)})
    assert changed == 1
    assert '<c r="A1"><v>1</v></c><c s="2" t="inlineStr"><is><t>x</t></is></c>' in text


def test_a_worksheet_in_another_encoding_goes_through_the_tree() -> None:
    sheet = _sheet('<c r="A1" t="inlineStr"><is><t>é</t></is></c>').replace("UTF-8", "ISO-8859-1")
    raw = sheet.encode("latin-1")
    assert SheetXml.parse(raw) is None
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_book(sheet).to_bytes())) as source,
        zipfile.ZipFile(buffer, "w") as book,
    ):
        for info in source.infolist():
            book.writestr(info, raw if info.filename == PART else source.read(info))
    package = XlsxPackage(Path("t.xlsx"), buffer.getvalue())
    assert package.cells("S") == {"A1": Cell("é")}
    assert package.write_cells("S", {"A1": ("è", None)}) == 1
    assert XlsxPackage(Path("t.xlsx"), package.to_bytes()).cells("S") == {"A1": Cell("è")}


def test_a_batch_decodes_each_distinct_shared_string_table_once() -> None:
    sheet = _sheet('<c r="A1" t="s"><v>0</v></c>')
    first, second = _book(sheet, SHARED), _book(sheet, SHARED)
    other = _book(sheet, ["<si><t>另一个</t></si>"])
    assert first.shared_strings() is second.shared_strings()
    assert other.shared_strings() is not first.shared_strings()
    assert first.cells("S") == {"A1": Cell("已评分")}
    assert other.cells("S") == {"A1": Cell("另一个")}


def test_edits_are_placed_by_their_own_reference_not_a_longer_one() -> None:
    """H1 is written where H1 is, not at H12 (whose start tag begins with the same text)."""
    sheet = (
        f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="H1" s="1"><v>1</v></c></row>'
        '<row r="12"><c r="H12" s="1"><v>12</v></c><c r="I12"><v>0</v></c></row>'
        "</sheetData></worksheet>"
    )
    package = _book(sheet)
    assert package.write_cells("S", {"H12": (Decimal("5"), None), "H1": (Decimal("7"), None)}) == 2
    with zipfile.ZipFile(io.BytesIO(package.to_bytes())) as book:
        text = book.read(PART).decode("utf-8")
    assert text == sheet.replace("<v>1</v>", "<v>7</v>").replace("<v>12</v>", "<v>5</v>")


def test_a_reference_written_twice_in_the_sheet_has_its_last_element_written() -> None:
    """Two elements with one reference (a damaged file): the last is the cell, as the XML
    tree's index also takes it; the first stays as it was."""
    changed, text = _written('<c r="A1"><v>1</v></c><c r="A1"><v>2</v></c>', {"A1": ("x", None)})
    assert changed == 1
    assert '<c r="A1"><v>1</v></c><c r="A1" t="inlineStr"><is><t>x</t></is></c>' in text
