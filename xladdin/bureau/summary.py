"""The summary workbook of a batch (``xladdin recalc … --summary 汇总.xlsx``).

Built from each file's ``recalc --json`` dict with pandas and xlsxwriter. Sheets:

- 汇总: one row per workbook — file, unit, rubric, total, grade, 得分率 of every first-level
  group (by group name, so batches mixing rubrics get one column per distinct name), the lines
  missing evidence and the linter's findings;
- 等级分布: workbooks per grade, including 未完成, with a column chart;
- 扣分指标: the indicators most often deducted across the batch, with a bar chart;
- 复核重点 (``audit --summary``): the workbooks ranked by their review risk
  (:func:`xladdin.core.review.risk` of their findings), highest first, with the reasons (the
  汇总 sheet carries the same 风险分 and 复核要点 in every summary);
- 失败: the files that could not be recalculated, with the reason.

pandas is imported here only, and this module only when ``--summary`` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import write_file, zip_member
from .tasks import Outcome

if TYPE_CHECKING:
    import pandas as pd

    from ..core.review import Risk

FONT = "宋体"  # the templates' font: present on every Chinese Windows, and in WPS
INCOMPLETE = "未完成"
GRADE_ORDER = ("优", "良", "中", "差")
CHART_TOP = 20  # indicators shown in the deduction chart
LABEL_CHARS = 14  # of an indicator's name on the chart's axis (some names run to 40 characters)

SUMMARY_SHEET = "汇总"
GRADES_SHEET = "等级分布"
DEDUCTIONS_SHEET = "扣分指标"
FAILURES_SHEET = "失败"
RANKING_SHEET = "复核重点"
# A custom document property marks the workbook as a summary, so that a later run may replace
# it without --force (and never replaces anything else).
MARK_NAME = "xladdin"
MARK_VALUE = "recalc --summary"
MARK = f"<vt:lpwstr>{MARK_VALUE}</vt:lpwstr>"


def summary_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """One row per recalculated workbook."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    rate_columns: dict[str, None] = {}
    for outcome in outcomes:
        data = outcome.summary
        if data is None:
            continue
        missing = [i["code"] for i in data["indicators"] if i["status"] == "missing_evidence"]
        findings = data["warnings"]
        row: dict[str, Any] = {
            "文件": str(outcome.source),
            "评价单位": outcome.info.get("unit"),
            "项目名称": outcome.info.get("project"),
            "指标体系": data["title"],
            "指标体系编号": data["rubric"],
            "总分": data["total"],
            "等级": data["grade"] or INCOMPLETE,
        }
        for level in data["levels"]:
            if level["depth"] == 1:
                column = f"{level['name']}得分率"
                rate_columns.setdefault(column)
                row[column] = level["rate"]
        row["缺少佐证行数"] = len(missing)
        row["缺少佐证指标"] = "、".join(missing)
        row["错误数"] = sum(f["severity"] == "error" for f in findings)
        row["警告数"] = sum(f["severity"] == "warning" for f in findings)
        row["检查提示"] = "\n".join(_finding_line(f) for f in findings)
        found = _risk(findings)
        row["风险分"] = found.score
        row["复核要点"] = "\n".join(found.reasons)
        rows.append(row)
    head = ["文件", "评价单位", "项目名称", "指标体系", "指标体系编号", "总分", "等级"]
    tail = ["缺少佐证行数", "缺少佐证指标", "错误数", "警告数", "检查提示", "风险分", "复核要点"]
    return pd.DataFrame(rows, columns=[*head, *rate_columns, *tail])


def _risk(findings: list[dict[str, Any]]) -> Risk:
    from ..core.result import Finding
    from ..core.review import risk

    return risk(Finding(**f) for f in findings)


def _finding_line(finding: dict[str, Any]) -> str:
    names = {"error": "错误", "warning": "警告", "info": "提示"}
    code = f"{finding['code']} " if finding.get("code") else ""
    return f"[{names.get(finding['severity'], finding['severity'])}] {code}{finding['message']}"


def grades_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Workbooks per grade: 优 良 中 差, any other grade of a rubric's scale, then 未完成."""
    import pandas as pd

    counts = table["等级"].value_counts() if len(table) else pd.Series(dtype="int64")
    others = [g for g in counts.index if g not in GRADE_ORDER and g != INCOMPLETE]
    order = [*GRADE_ORDER, *others, INCOMPLETE]
    frame = pd.DataFrame({"等级": order, "数量": [int(counts.get(g, 0)) for g in order]})
    total = frame["数量"].sum()
    frame["占比"] = frame["数量"] / total if total else 0.0
    return frame


def deductions_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """Indicators deducted at least once, most often deducted first."""
    import pandas as pd

    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for outcome in outcomes:
        data = outcome.summary
        if data is None:
            continue
        for line in data["indicators"]:
            key = (data["rubric"], line["code"])
            entry = seen.setdefault(
                key,
                {
                    "指标编码": line["code"],
                    "指标名称": line["name"],
                    "指标体系": data["title"],
                    "权重": line["weight"],
                    "评分数": 0,
                    "扣分次数": 0,
                    "扣分合计": 0.0,
                },
            )
            if line["score"] is not None:
                entry["评分数"] += 1
            deduction = line["deduction"]
            if deduction is not None and deduction > 0:
                entry["扣分次数"] += 1
                entry["扣分合计"] += deduction
    columns = [
        "指标编码",
        "指标名称",
        "指标体系",
        "权重",
        "扣分次数",
        "扣分合计",
        "平均扣分",
        "扣分率",
        "图表标签",
    ]
    rows = [e for e in seen.values() if e["扣分次数"] > 0]
    for entry in rows:
        # Sums of two-decimal scores: round away the float noise of the addition.
        entry["扣分合计"] = round(entry["扣分合计"], 2)
        entry["平均扣分"] = round(entry["扣分合计"] / entry["扣分次数"], 2)
        entry["扣分率"] = entry["扣分次数"] / entry["评分数"] if entry["评分数"] else None
        name = entry["指标名称"]
        short = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
        entry["图表标签"] = f"{entry['指标编码']} {short}"
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["扣分次数", "扣分合计", "指标体系", "指标编码"],
        ascending=[False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)


def failures_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    import pandas as pd

    rows = [{"文件": str(o.source), "原因": o.error} for o in outcomes if o.error is not None]
    return pd.DataFrame(rows, columns=["文件", "原因"])


def ranking_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """The 复核重点 sheet: every scored workbook with its risk score and reasons, highest first."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        data = outcome.summary
        if data is None:
            continue
        found = _risk(data["warnings"])
        rows.append(
            {
                "文件": str(outcome.source),
                "评价单位": outcome.info.get("unit"),
                "项目名称": outcome.info.get("project"),
                "总分": data["total"],
                "等级": data["grade"] or INCOMPLETE,
                "风险分": found.score,
                "复核要点": "\n".join(found.reasons),
            }
        )
    rows.sort(key=lambda row: (-row["风险分"], row["文件"]))
    for rank, row in enumerate(rows, start=1):
        row["排名"] = rank
    columns = ["排名", "文件", "评价单位", "项目名称", "总分", "等级", "风险分", "复核要点"]
    return pd.DataFrame(rows, columns=columns)


def is_summary_workbook(path: Path) -> bool:
    """Whether ``path`` is a summary workbook xladdin wrote (its document property says so)."""
    custom = zip_member(path, "docProps/custom.xml")
    return custom is not None and MARK.encode() in custom


def write_summary(outcomes: Sequence[Outcome], path: Path, ranking: bool = False) -> None:
    """Write the summary workbook of ``outcomes`` to ``path`` (.xlsx), safely
    (:func:`xladdin.files.write_file`); whether it may replace an existing file is the
    caller's decision. ``ranking`` adds the 复核重点 sheet (``audit --summary``); the 汇总
    sheet carries each workbook's 风险分 and 复核要点 either way."""
    table = summary_frame(outcomes)
    grades = grades_frame(table)
    deducted = deductions_frame(outcomes)
    failures = failures_frame(outcomes)
    ranked = ranking_frame(outcomes) if ranking else None
    write_file(path, lambda temp: _write_book(temp, table, grades, deducted, failures, ranked))


def _write_book(
    path: Path,
    table: pd.DataFrame,
    grades: pd.DataFrame,
    deducted: pd.DataFrame,
    failures: pd.DataFrame,
    ranked: pd.DataFrame | None,
) -> None:
    import pandas as pd

    with pd.ExcelWriter(
        path,
        engine="xlsxwriter",
        engine_kwargs={
            "options": {"default_format_properties": {"font_name": FONT, "font_size": 10}}
        },
    ) as writer:
        book = writer.book
        book.set_custom_property(MARK_NAME, MARK_VALUE)
        formats = _Formats(book)
        _write_table(writer, formats, SUMMARY_SHEET, table, _summary_widths(table))
        _write_table(writer, formats, GRADES_SHEET, grades, {"等级": 10, "数量": 8, "占比": 8})
        _grade_chart(book, writer.sheets[GRADES_SHEET], len(grades))
        _write_table(
            writer,
            formats,
            DEDUCTIONS_SHEET,
            deducted,
            {
                "指标编码": 9,
                "指标名称": 24,
                "指标体系": 36,
                "权重": 6,
                "扣分率": 8,
                "图表标签": 22,
            },
        )
        if len(deducted):
            _deduction_chart(book, writer.sheets[DEDUCTIONS_SHEET], min(len(deducted), CHART_TOP))
        if ranked is not None:
            _write_table(
                writer,
                formats,
                RANKING_SHEET,
                ranked,
                {
                    "排名": 6,
                    "文件": 40,
                    "评价单位": 20,
                    "项目名称": 24,
                    "风险分": 8,
                    "复核要点": 70,
                },
            )
        _write_table(writer, formats, FAILURES_SHEET, failures, {"文件": 50, "原因": 100})


class _Formats:
    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "top"}
        self.header = book.add_format(
            {
                **base,
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.text = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.score = book.add_format({**base, "num_format": "0.00"})
        self.rate = book.add_format({**base, "num_format": "0.00%"})
        self.count = book.add_format({**base, "num_format": "0"})

    def for_column(self, name: str) -> Any:
        if name.endswith("率") or name == "占比":
            return self.rate
        if name in ("总分", "权重", "扣分合计", "平均扣分"):
            return self.score
        if name.endswith("数") or name.endswith("次数") or name == "数量":
            return self.count
        if name in ("检查提示", "缺少佐证指标", "原因"):
            return self.wrap
        return self.text


def _summary_widths(table: pd.DataFrame) -> dict[str, float]:
    widths: dict[str, float] = {
        "文件": 40,
        "评价单位": 24,
        "项目名称": 24,
        "指标体系": 36,
        "指标体系编号": 18,
        "总分": 8,
        "等级": 6,
        "缺少佐证行数": 8,
        "缺少佐证指标": 16,
        "错误数": 6,
        "警告数": 6,
        "检查提示": 60,
        "风险分": 8,
        "复核要点": 50,
    }
    for column in table.columns:
        if column.endswith("得分率"):
            widths[column] = max(10.0, len(column) * 1.6)
    return widths


def _write_table(
    writer: Any, formats: _Formats, sheet: str, frame: pd.DataFrame, widths: dict[str, float]
) -> None:
    """A frame with a styled Chinese header, a frozen header row and an autofilter."""
    frame.to_excel(writer, sheet_name=sheet, index=False, header=False, startrow=1)
    worksheet = writer.sheets[sheet]
    for col, name in enumerate(frame.columns):
        worksheet.write(0, col, name, formats.header)
        worksheet.set_column(col, col, widths.get(name, 12), formats.for_column(name))
    worksheet.set_row(0, 30)
    worksheet.freeze_panes(1, 0)
    if len(frame.columns):
        worksheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def _grade_chart(book: Any, worksheet: Any, rows: int) -> None:
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "工作簿数量",
            "categories": [GRADES_SHEET, 1, 0, rows, 0],
            "values": [GRADES_SHEET, 1, 1, rows, 1],
            "data_labels": {"value": True, "font": {"name": FONT}},
            "fill": {"color": "#4472C4"},
        }
    )
    _style_chart(chart, "等级分布", "工作簿数量")
    worksheet.insert_chart(1, 4, chart, {"x_scale": 1.2, "y_scale": 1.2})


def _deduction_chart(book: Any, worksheet: Any, rows: int) -> None:
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "扣分次数",
            "categories": [DEDUCTIONS_SHEET, 1, 8, rows, 8],  # 图表标签: code and short name
            "values": [DEDUCTIONS_SHEET, 1, 4, rows, 4],
            "data_labels": {"value": True, "font": {"name": FONT}},
            "fill": {"color": "#ED7D31"},
        }
    )
    _style_chart(chart, f"扣分最多的指标（前{rows}项）", "扣分次数")
    # In a bar chart the category axis is the vertical one: reversed, the most deducted is on top.
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT}})
    chart.set_x_axis(
        {
            "name": "扣分次数",
            "name_font": {"name": FONT},
            "num_font": {"name": FONT},
            "major_gridlines": {"visible": True},
        }
    )
    worksheet.insert_chart(1, 10, chart, {"x_scale": 1.6, "y_scale": max(1.2, rows / 10)})


def _style_chart(chart: Any, title: str, value_axis: str) -> None:
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": FONT}})
    chart.set_y_axis(
        {
            "name": value_axis,
            "name_font": {"name": FONT},
            "num_font": {"name": FONT},
            "major_gridlines": {"visible": True},
        }
    )
