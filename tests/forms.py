"""项目支出绩效自评表 fixtures written the way provinces print the form (not from xladdin's templates).

The national layout of 财预〔2020〕10号: a title and "（2025年度）", 项目名称 / 主管部门 / 实施单位,
the funds block (项目资金（万元）or（元）merged down its rows; 年初预算数, 全年预算数（A）,
全年执行数（B）, 分值, 执行率（B/A）, 得分), 年度总体目标 (预期目标 | 实际完成情况), then the
indicator block under a 绩效指标 cell merged down the block, with merged 一级/二级 cells, a 总分
row and a footnote. The provinces' variations are each form's options: a 指标性质 column with
≧ ≦ ═ ＞ ＜ signs and a 度量单位 column, or neither with the signs inside the targets; placeholder
rows left from the blank form; rows of "/"; band edges in the footnote; amounts in 元 or 万元.

Every printed 得分 follows the form's footnote for quantitative lines (worked out by hand in the
comments) and is the evaluator's choice on qualitative lines. ``python -m tests.forms DIR`` writes
the files for trying ``xladdin import`` by hand.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


@dataclass
class Line:
    """A printed row of the indicator block; "" in level1/level2 continues the merged cell above."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: str
    score: str
    reason: str = ""
    nature: str = ""
    unit: str = ""
    discretion: bool = False  # the printed score is the evaluator's choice (a qualitative line)


@dataclass
class Funds:
    """A row of the funds block."""

    label: str
    start: str
    budget: str
    spent: str
    weight: str = "—"
    rate: str = "—"
    score: str = "—"


@dataclass
class Form:
    name: str
    title: str
    period: str
    project: str
    department: str
    unit: str
    money_unit: str
    funds: list[Funds]
    goal: str
    achieved: str
    lines: list[Line]
    total_weight: str
    footnote: list[str] = field(default_factory=list)
    nature_column: bool = False
    # "绩效指标" over 一级/二级/三级 in a two-row header instead of a column down the block
    two_row_header: bool = False
    unit_column: bool = False

    @property
    def columns(self) -> list[str]:
        columns = ["一级指标", "二级指标", "三级指标"]
        if not self.two_row_header:
            columns.insert(0, "绩效指标")
        if self.nature_column:
            columns.append("指标性质")
        columns.append("年度指标值（A）")
        if self.unit_column:
            columns.append("度量单位")
        columns += ["实际完成值（B）", "分值", "得分", "偏差原因分析及改进措施"]
        return columns

    def printed_total(self) -> str:
        """The 总分 row's 得分: the sum of the printed scores, as a province adds them up."""
        scores = [f.score for f in self.funds[:1]] + [line.score for line in self.lines]
        total = sum((Decimal(s) for s in scores if _is_number(s)), Decimal(0))
        return str(total)

    def scored_lines(self) -> list[Line]:
        return [line for line in self.lines if _is_number(line.score)]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The forms.

FOOTNOTE_50 = (
    "注：1.定量指标完成年度指标值的得满分，未完成的按实际完成值占年度指标值的比例计分；"
    "反向指标按年度指标值/实际完成值×该指标分值计分。"
    "2.定性指标根据指标完成情况分为：达成年度指标、部分达成年度指标并具有一定效果、"
    "未达成年度指标且效果较差三档，分别按照该指标对应分值区间100-80%（含）、80-50%（含）、"
    "50-0%合理确定分值。"
)

ROADS = Form(
    name="roads-yuan",
    title="项目支出绩效自评表",
    period="（2025年度）",
    project="乡村道路硬化工程",
    department="某县交通运输局",
    unit="某县公路养护中心",
    money_unit="元",
    funds=[
        # 1,100,000 / 1,200,000 = 91.67% × 10 = 9.17
        Funds("年度资金总额", "1000000", "1200000", "1100000", "10", "0.9167", "9.17"),
        Funds("其中：当年财政拨款", "1000000", "1200000", "1100000"),
        Funds("上年结转资金", "0", "0", "0"),
        Funds("其他资金", "", "", ""),
    ],
    goal="完成乡村道路硬化266米，培训养护人员120人次，改善沿线群众出行条件。",
    achieved="完成道路硬化270米，培训养护人员108人次，群众出行条件明显改善。",
    lines=[
        Line("产出指标", "数量指标", "指标1：道路硬化长度", "≥266米", "270米", "15", "15"),
        # 108 / 120 × 10 = 9
        Line("", "", "指标2：培训养护人员", "≥120人次", "108人次", "10", "9", "部分人员外出务工"),
        Line("", "", "指标3：……", "", "", "", ""),
        Line("", "质量指标", "指标1：工程验收合格率", "100%", "100%", "10", "10"),
        # 93% / 95% × 5 = 4.894… → 4.89
        Line("", "", "指标2：路面平整度达标率", "≧95%", "93%", "5", "4.89", "局部路段返工"),
        Line("", "时效指标", "指标1：按期完工率", "=100%", "100%", "5", "5"),
        # lower is better: 50 / 52 × 5 = 4.807… → 4.81
        Line("", "成本指标", "指标1：每公里建设成本", "≤50万元", "52万元", "5", "4.81", "材料涨价"),
        Line("效益指标", "经济效益指标", "/", "/", "/", "/", "/", "/"),
        Line(
            "",
            "社会效益指标",
            "指标1：群众出行条件",
            "明显改善",
            "明显改善",
            "10",
            "9",
            discretion=True,
        ),
        Line("", "", "指标2：沿线村庄通达率", "＝100%", "100%", "5", "5"),
        Line("", "可持续影响指标", "指标1：道路设计使用年限", "≥10年", "10年", "10", "10"),
        # 55%: 部分达成 in this province's bands (80–50%), 未达成 in the national ones (60–0%)
        Line("", "", "指标2：管护长效机制", "建立", "初步建立", "5", "2.75", discretion=True),
        Line(
            "满意度指标", "服务对象满意度指标", "指标1：沿线群众满意度", "≥90%", "0.925", "10", "10"
        ),
        Line("", "", "……", "", "", "", ""),
    ],
    total_weight="100",
    footnote=[FOOTNOTE_50],
)

TRAINING = Form(
    name="training-wanyuan",
    title="2025年度项目支出绩效自评表",
    period="（2025年度）",
    project="农村劳动力技能培训",
    department="某市人力资源和社会保障局",
    unit="某市职业技能培训指导中心",
    money_unit="万元",
    funds=[
        # 57.6 / 60 = 96% × 10 = 9.6
        Funds("年度资金总额", "50", "60", "57.6", "10", "0.96", "9.6"),
        Funds("其中：当年财政拨款", "50", "60", "57.6"),
        Funds("上年结转资金", "", "", ""),
        Funds("其他资金", "", "", ""),
    ],
    goal="举办技能培训班12期，培训600人次，培训合格率不低于90%。",
    achieved="举办培训班12期，培训540人次，合格率95%。",
    lines=[
        Line(
            "产出指标", "数量指标", "举办技能培训班", "12", "12", "10", "10", nature="≧", unit="期"
        ),
        # 540 / 600 × 10 = 9
        Line("", "", "培训人数", "600", "540", "10", "9", "报名人数不足", nature="≧", unit="人次"),
        Line("", "质量指标", "培训合格率", "90", "95", "5", "5", nature="≧", unit="%"),
        Line("", "", "安全事故发生次数", "1", "0", "5", "5", nature="＜", unit="次"),
        Line("", "时效指标", "资金拨付及时率", "100", "100", "10", "10", nature="═", unit="%"),
        # lower is better: 1000 / 1100 × 10 = 9.0909… → 9.09
        Line("", "成本指标", "人均培训成本", "1000", "1100", "10", "9.09", nature="≦", unit="元"),
        Line("效益指标", "经济效益指标", "—", "—", "—", "—", "—", "—", nature="—", unit="—"),
        # 57% / 60% × 15 = 14.25
        Line(
            "",
            "社会效益指标",
            "培训后就业率",
            "60",
            "57",
            "15",
            "14.25",
            nature="＞",
            unit="%",
        ),
        Line(
            "",
            "",
            "技能水平提升情况",
            "明显提升",
            "有所提升",
            "15",
            "10.5",
            nature="定性",
            discretion=True,
        ),
        Line(
            "满意度指标",
            "服务对象满意度指标",
            "参训学员满意度",
            "90",
            "93",
            "10",
            "10",
            nature="≧",
            unit="%",
        ),
    ],
    total_weight="100",
    footnote=[
        "说明：1.定量指标完成年度指标值的得满分，未完成的按比例得分；"
        "反向指标实际完成值超过年度指标值的，按年度指标值/实际完成值×分值计分。",
        "2.定性指标分三档：达成年度指标的按该指标分值的100%-80%（含）计分；"
        "部分达成并具有一定效果的按80%-60%（含）计分；未达成且效果较差的按60%-0%计分。",
    ],
    nature_column=True,
    unit_column=True,
)

MONITORING = Form(
    name="monitoring-contradictions",
    title="项目支出绩效自评表",
    period="（2025年度）",
    project="大气环境监测能力建设",
    department="某市生态环境局",
    unit="某市环境监测站",
    money_unit="万元",
    funds=[
        # typed as 0 while the 当年财政拨款 row holds the figures; 执行率 left blank
        Funds("年度资金总额", "0", "0", "0", "10", "", "9.5"),
        Funds("其中：当年财政拨款", "200", "200", "190"),
        Funds("上年结转资金", "0", "0", "0"),
        Funds("其他资金", "", "", ""),
    ],
    goal="新建空气质量监测站点20个，实现监测数据共享。",
    achieved="建成监测站点20个，数据共享机制基本健全。",
    lines=[
        # the grid's weights add up to 110 against the printed 总分 100
        Line("产出指标", "数量指标", "新建监测站点", "≥20个", "20个", "20", "20"),
        # 10 / 12 × 10 = 8.33
        Line("", "", "数据采集频次", "≥12次", "10次", "10", "8.33", "设备调试延误"),
        Line("", "质量指标", "数据有效率", "≥95%", "96%", "15", "15"),
        # 90% / 100% × 15 = 13.5
        Line("", "时效指标", "按期建成率", "100%", "90%", "15", "13.5", "两个站点延期"),
        Line("效益指标", "生态效益指标", "空气质量优良天数比例", "≥80%", "82%", "20", "20"),
        Line("", "社会效益指标", "不适用", "不适用", "不适用", "不适用", "不适用"),
        Line("", "经济效益指标", "指标1：", "无", "无", "", ""),
        Line(
            "", "可持续影响指标", "监测数据共享机制", "健全", "基本健全", "10", "8", discretion=True
        ),
        Line("满意度指标", "服务对象满意度指标", "公众满意度", "≥85%", "88%", "10", "10"),
    ],
    total_weight="100",
)

FORMS = {form.name: form for form in (ROADS, TRAINING, MONITORING)}


# ---------------------------------------------------------------------------------------------
# The printed sheet: cell texts and merged ranges (0-based, inclusive), shared by .xlsx and .docx.


@dataclass
class Sheet:
    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]]
    numeric: set[tuple[int, int]]  # cells a province types as numbers
    percent: set[tuple[int, int]]  # numbers formatted as percentages
    footnote_rows: int = 0


def layout(form: Form, footnote_in_table: bool = True) -> Sheet:
    columns = form.columns
    width = len(columns)
    last = width - 1
    rows: list[list[str]] = []
    merges: list[tuple[int, int, int, int]] = []
    numeric: set[tuple[int, int]] = set()
    percent: set[tuple[int, int]] = set()

    def add(cells: list[str]) -> int:
        rows.append(cells + [""] * (width - len(cells)))
        return len(rows) - 1

    r = add([form.title])
    merges.append((r, 0, r, last))
    r = add([form.period])
    merges.append((r, 0, r, last))
    r = add(["项目名称", form.project])
    merges.append((r, 1, r, last))
    r = add(["主管部门", form.department, "", "", "实施单位", form.unit])
    merges += [(r, 1, r, 3), (r, 5, r, last)]
    funds_top = add(
        [
            f"项目资金（{form.money_unit}）",
            "",
            "年初预算数",
            "全年预算数（A）",
            "全年执行数（B）",
            "分值",
            "执行率（B/A）",
            "得分",
        ]
    )
    merges.append((funds_top, 7, funds_top, last))
    for funds in form.funds:
        r = add(
            [
                "",
                funds.label,
                funds.start,
                funds.budget,
                funds.spent,
                funds.weight,
                funds.rate,
                funds.score,
            ]
        )
        merges.append((r, 7, r, last))
        numeric.update((r, c) for c in (2, 3, 4, 5, 6, 7))
        percent.add((r, 6))
    merges.append((funds_top, 0, len(rows) - 1, 0))
    r = add(["年度总体目标", "预期目标", "", "", "", "实际完成情况"])
    merges += [(r, 0, r + 1, 0), (r, 1, r, 4), (r, 5, r, last)]
    r = add(["", form.goal, "", "", "", form.achieved])
    merges += [(r, 1, r, 4), (r, 5, r, last)]

    index = {name: c for c, name in enumerate(columns)}
    one = index["一级指标"]
    if form.two_row_header:
        header = add(["绩效指标", "", "", *columns[3:]])
        merges.append((header, 0, header, 2))
        merges.extend((header, c, header + 1, c) for c in range(3, width))
        add(columns[:3])
    else:
        header = add(columns)
    first = len(rows)
    for line in form.lines:
        cells = [""] * width
        cells[one], cells[one + 1], cells[one + 2] = line.level1, line.level2, line.name
        if form.nature_column:
            cells[index["指标性质"]] = line.nature
        if form.unit_column:
            cells[index["度量单位"]] = line.unit
        cells[index["年度指标值（A）"]] = line.target
        cells[index["实际完成值（B）"]] = line.actual
        cells[index["分值"]] = line.weight
        cells[index["得分"]] = line.score
        cells[index["偏差原因分析及改进措施"]] = line.reason
        r = add(cells)
        numeric.update((r, index[name]) for name in ("分值", "得分"))
        if line.actual.startswith("0."):
            numeric.add((r, index["实际完成值（B）"]))
            percent.add((r, index["实际完成值（B）"]))
    if not form.two_row_header:
        merges.append((header, 0, len(rows) - 1, 0))
    for col in (one, one + 1):
        top = None
        for r in range(first, len(rows) + 1):
            starts = r == len(rows) or rows[r][col] or any(rows[r][c] for c in range(one, col))
            if starts:
                if top is not None and r - 1 > top:
                    merges.append((top, col, r - 1, col))
                top = r if r < len(rows) and rows[r][col] else None
    weight_col = index["分值"]
    r = add(["总分"] + [""] * (weight_col - 1) + [form.total_weight, form.printed_total()])
    merges.append((r, 0, r, weight_col - 1))
    numeric.update({(r, weight_col), (r, weight_col + 1)})
    footnote_rows = 0
    if footnote_in_table:
        for text in form.footnote:
            r = add([text])
            merges.append((r, 0, r, last))
            footnote_rows += 1
    return Sheet(rows, merges, numeric, percent, footnote_rows)


def write_xlsx(form: Form, path: Path) -> Path:
    import openpyxl

    sheet = layout(form)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "自评表"
    covered = {
        (r, c)
        for top, left, bottom, right in sheet.merges
        for r in range(top, bottom + 1)
        for c in range(left, right + 1)
        if (r, c) != (top, left)
    }
    for r, row in enumerate(sheet.rows):
        for c, text in enumerate(row):
            if not text or (r, c) in covered:
                continue
            value: Any = text
            if (r, c) in sheet.numeric and _is_number(text):
                number = Decimal(text)
                value = int(number) if number == number.to_integral_value() else float(number)
            cell = ws.cell(r + 1, c + 1, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # the target "=100%" is text, not a formula
            if (r, c) in sheet.percent:
                cell.number_format = "0.00%"
    for top, left, bottom, right in sheet.merges:
        ws.merge_cells(
            start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1
        )
    book.save(path)
    return path


def write_docx(form: Form, path: Path) -> Path:
    """The same form in Word: title above the table, footnote as paragraphs below it."""
    import docx

    sheet = layout(form, footnote_in_table=False)
    document = docx.Document()
    document.add_paragraph(form.title)
    rows = sheet.rows[2:]  # title and period are paragraphs in Word
    document.add_paragraph(form.period)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for top, left, bottom, right in sheet.merges:
        if top < 2:
            continue
        table.cell(top - 2, left).merge(table.cell(bottom - 2, right))
    anchors = {(top, left) for top, left, _, _ in sheet.merges}
    covered = {
        (r, c)
        for top, left, bottom, right in sheet.merges
        for r in range(top, bottom + 1)
        for c in range(left, right + 1)
        if (r, c) != (top, left)
    }
    for r, row in enumerate(rows, start=2):
        for c, text in enumerate(row):
            if (r, c) in covered and (r, c) not in anchors:
                continue
            value = text
            if (r, c) in sheet.percent and _is_number(text):
                value = f"{Decimal(text) * 100:f}".rstrip("0").rstrip(".") + "%"
            if value:
                table.cell(r - 2, c).text = value
    for text in form.footnote:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for form in FORMS.values():
        print(write_xlsx(form, out / f"{form.name}.xlsx"))
    print(write_docx(ROADS, out / f"{ROADS.name}.docx"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "forms")
