"""Find the header row of a scoring table and what each column holds, by name and synonym.

Columns are found by their header text, never by position: 000's table (一级指标, 二级指标,
三级指标, 权重, 目标值, 评分规则, 评分过程, 得分), 001's (…, 标准值, 权重, 评分标准, 得分,
扣分原因), the national self-evaluation form (…, 年度指标值(A), 实际完成值(B), 分值, 得分,
偏差原因分析及改进措施) and xladdin's own 评分表 all work. Whitespace and line breaks inside a
header cell are ignored ("一级\\n指标" is 一级指标).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.errors import WorkbookError
from .table import Grid

LEVEL_ROLES = ("level1", "level2", "level3")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级", "一级指标名称", "一级评价指标"),
    "level2": ("二级指标", "二级", "二级指标名称", "二级评价指标"),
    "level3": ("三级指标", "三级", "三级指标名称", "三级评价指标", "末级指标"),
    "weight": (
        "权重",
        "分值",
        "权重分",
        "权重分值",
        "标准分",
        "标准分值",
        "指标分值",
        "指标权重",
        "满分",
        "满分值",
        "分数",
    ),
    "target": (
        "目标值",
        "标准值",
        "指标值",
        "年度指标值",
        "年度目标值",
        "预期目标值",
        "预期指标值",
        "绩效目标值",
        "指标目标值",
        "目标",
    ),
    "rule": (
        "评分规则",
        "评分标准",
        "评分方法",
        "评分办法",
        "计分方法",
        "计分规则",
        "计分办法",
        "评分细则",
        "评价标准",
        "评分标准及方法",
        "指标解释及评分标准",
        "指标说明及评分标准",
        "评分标准与方法",
    ),
    "narrative": (
        "评分过程",
        "评分说明",
        "得分说明",
        "打分说明",
        "评价过程",
        "评分情况",
        "评分依据",
    ),
    "score": ("得分", "自评得分", "评价得分", "实际得分", "最终得分", "自评分"),
    "reason": (
        "扣分原因",
        "扣分理由",
        "扣分说明",
        "偏差原因",
        "偏差原因分析",
        "偏差原因分析及改进措施",
        "未完成原因分析",
        "未完成原因",
        "原因分析",
    ),
    "nature": ("指标性质",),
    "unit": ("度量单位", "计量单位", "单位"),
    "code": ("指标编码", "编码", "指标代码", "指标编号"),
    "actual": ("实际完成值", "实际值", "完成值", "全年实际值", "实际完成情况"),
    "status": ("评分状态",),
}

_LOOKUP: dict[str, str] = {
    synonym: role for role, synonyms in SYNONYMS.items() for synonym in synonyms
}

SCAN_ROWS = 40


def normalize_header(text: str) -> str:
    """ "一级\\n指标" → "一级指标"; "年度指标值（A）" → "年度指标值(A)"."""
    text = re.sub(r"\s+", "", text)
    return text.replace("（", "(").replace("）", ")").replace("*", "").replace("＊", "")


def header_role(text: str) -> str | None:
    """The role of a header cell, or None when it is not a column the importer reads."""
    key = normalize_header(text)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = re.sub(r"\([^()]*\)$", "", key)  # 年度指标值(A), 权重(分), 分值(10)
    if bare in _LOOKUP:
        return _LOOKUP[bare]
    if "评分标准" in key or "评分规则" in key or "评分方法" in key:
        return "rule"
    if ("扣分" in key and ("原因" in key or "理由" in key)) or "偏差原因" in key:
        return "reason"
    return None


@dataclass
class Header:
    """The header row(s) found: which column holds which role."""

    row: int
    rows: int
    columns: dict[str, int]
    texts: dict[int, str]
    ignored: list[int] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.row + self.rows

    @property
    def levels(self) -> list[int]:
        """The level columns present, from 一级 down."""
        return [self.columns[role] for role in LEVEL_ROLES if role in self.columns]

    def has(self, role: str) -> bool:
        return role in self.columns


def _match_row(
    grid: Grid, texts: list[str], row: int, rows: int, sources: list[int] | None = None
) -> Header:
    """``sources`` names the row each text comes from (a two-row header takes some from below)."""
    columns: dict[str, int] = {}
    found: dict[int, str] = {}
    ignored: list[int] = []
    for col, text in enumerate(texts):
        source = sources[col] if sources is not None else row
        if not text.strip() or grid.covered_from_left(source, col):
            continue
        found[col] = text
        role = header_role(text)
        if role is None or role in columns:
            ignored.append(col)
            continue
        columns[role] = col
    return Header(row, rows, columns, found, ignored)


def _complete(header: Header) -> bool:
    return bool(header.levels) and header.has("weight")


def _roles_score(header: Header) -> int:
    return len(header.columns)


def is_header_row(grid: Grid, row: int, header: Header) -> bool:
    """A repeated header (a table continued on the next page) has the header's roles again."""
    match = _match_row(grid, grid.rows[row], row, 1)
    return match.columns == header.columns or (
        len(match.columns) >= 3 and set(match.columns) <= set(header.columns)
    )


def find_header(grid: Grid) -> Header:
    """The header row of ``grid`` (one row, or two when a merged title sits over 一级/二级/三级).

    Raises a located :class:`WorkbookError` listing the headers found and the ones expected.
    """
    best: Header | None = None
    for row in range(min(grid.height, SCAN_ROWS)):
        single = _match_row(grid, grid.rows[row], row, 1)
        if _complete(single):
            return single
        if row + 1 < grid.height and not _complete(
            _match_row(grid, grid.rows[row + 1], row + 1, 1)
        ):
            combined_texts = []
            sources = []
            for col in range(grid.width):
                lower = grid.text(row + 1, col)
                upper = grid.value(row, col)
                from_lower = bool(header_role(lower))
                combined_texts.append(lower if from_lower else upper)
                sources.append(row + 1 if from_lower else row)
            combined = _match_row(grid, combined_texts, row, 2, sources)
            if _complete(combined) and any(
                header_role(grid.text(row + 1, c)) for c in range(grid.width)
            ):
                return combined
        if best is None or _roles_score(single) > _roles_score(best):
            best = single
    optional = "；".join(
        f"{SYNONYMS[role][0]}（或{'、'.join(SYNONYMS[role][1:4])}）"
        for role in ("target", "rule", "narrative", "score", "reason")
    )
    hint = (
        "须有：一级指标/二级指标/三级指标中至少一列，以及权重列"
        f"（或{'、'.join(SYNONYMS['weight'][1:5])}）；可选：{optional}"
    )
    if best is None or not best.texts:
        raise WorkbookError(
            f"找不到评分表的表头行：前{SCAN_ROWS}行中没有“一级指标”“权重”等表头",
            grid.where(0, 0),
            [hint],
        )
    found = "、".join(
        f"“{normalize_header(text)}”（{grid.cell_name(best.row, col)}）"
        for col, text in best.texts.items()
    )
    missing = [] if best.levels else ["一级/二级/三级指标"]
    if not best.has("weight"):
        missing.append("权重（分值）")
    raise WorkbookError(
        f"无法识别评分表表头：缺少{'、'.join(missing)}列",
        grid.where(best.row, min(best.texts)),
        [f"找到的表头：{found}", hint],
    )
