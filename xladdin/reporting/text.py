"""Terminal tables of a result."""

from __future__ import annotations

from ..core.numbers import fmt_number, fmt_percent
from ..core.result import STATUS_NAMES, Result
from ..termtable import render


def result_table(result: Result) -> str:
    """Lines, first-level groups and the total, as the terminal shows them."""
    lines = render(
        ["指标", "名称", "权重", "得分", "状态", "扣分原因"],
        [
            (
                line.code,
                line.name if len(line.name) <= 16 else line.name[:15] + "…",
                fmt_number(line.weight),
                "" if line.score is None else fmt_number(line.score),
                STATUS_NAMES[line.status],
                line.reason,
            )
            for line in result.indicators
        ],
        numeric=(2, 3),
    )
    groups = render(
        ["一级指标", "权重分值", "得分", "得分率"],
        [
            (
                f"{level.code} {level.name}",
                fmt_number(level.weight),
                fmt_number(level.score),
                "" if level.rate is None else fmt_percent(level.rate),
            )
            for level in result.top_levels()
        ],
        numeric=(1, 2, 3),
    )
    grade = result.grade if result.grade else "未完成（有指标未评分）"
    total = f"总分 {fmt_number(result.total)}，等级：{grade}"
    return "\n\n".join([lines, groups, total])
