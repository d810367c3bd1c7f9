"""Import an existing scoring table (评分表) from .xlsx or .docx into a rubric and its evidence.

``import_table`` reads the file, finds the table by its header, reads the indicator tree, infers
each line's scoring method from its rule text (:mod:`xladdin.core.infer`) and returns the rubric
data with the evidence the table carries (declared scores, 评分过程 / 扣分原因 texts).
``write_import`` writes both as commented YAML.

A workbook made by ``xladdin template`` carries its rubric on the hidden 指标体系 sheet: that
rubric is taken as it is (an exact round trip) unless ``table_only`` asks to read the table.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from ..core.errors import Location, WorkbookError, XladdinError
from ..core.infer import Inference, clean_text, infer_method
from ..core.lint import lint_rubric
from ..core.numbers import NumberParseError, fmt_number, to_decimal
from ..core.result import Finding
from ..core.rubric import Rubric
from ..core.validation import evidence_from_data, rubric_from_data
from .account import ImportAccount
from .form import FormLine, FormRules, line_method, read_footnote, rubric_nature
from .headers import Header, find_header
from .national import FormEvidence, funds_evidence, line_evidence
from .structure import FundsLine, TableContent, TableNode, read_form_header, read_structure
from .table import Grid

Kind = Literal["project", "department", "special_fund"]

SUFFIXES = (".xlsx", ".xlsm", ".docx")


@dataclass
class ImportResult:
    """A rubric read from a table: the data to write, the validated model, evidence and notes."""

    rubric: Rubric
    data: dict[str, Any]
    evidence: dict[str, Any]
    inferences: dict[str, Inference]
    source: str
    where: str
    embedded: bool = False
    notes: list[str] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    account: ImportAccount = field(default_factory=ImportAccount)

    @property
    def review(self) -> list[str]:
        """Codes of the lines whose inferred method an officer should check."""
        return [code for code, inference in self.inferences.items() if inference.needs_review]

    def method_counts(self) -> Counter[str]:
        return Counter(inference.type for inference in self.inferences.values())

    def account_text(self) -> str:
        """The short account ``xladdin import`` prints (Chinese, for the officer)."""
        return self.account.text()


def import_table(
    path: Path,
    *,
    rubric_id: str | None = None,
    kind: Kind | None = None,
    title: str | None = None,
    sheet: str | None = None,
    table: int | None = None,
    table_only: bool = False,
) -> ImportResult:
    """Read the scoring table in ``path`` (.xlsx or .docx) as a rubric with its evidence."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise WorkbookError(
            f"不支持的文件类型“{path.suffix}”：可导入 .xlsx 工作簿或 .docx 文档中的评分表",
            Location(file=str(path)),
        )
    if not path.is_file():
        raise WorkbookError("文件不存在", Location(file=str(path)))
    if suffix == ".docx":
        grid, header = _docx_table(path, table)
    else:
        from .xlsx import has_embedded_rubric, open_workbook

        book = open_workbook(path)
        if has_embedded_rubric(book) and not table_only:
            return _embedded(path, rubric_id)
        grid, header = _xlsx_table(path, book, sheet)
    content = read_structure(grid, header)
    return _build(
        path, grid, header, content, rubric_id=rubric_id, kind=kind, title=title, after=grid.after
    )


# -- finding the table ------------------------------------------------------------------------


def _xlsx_table(path: Path, book: Any, sheet: str | None) -> tuple[Grid, Header]:
    from .xlsx import candidate_sheets, sheet_grid

    first_error: XladdinError | None = None
    sheets = candidate_sheets(book, sheet, path)
    for ws in sheets:
        grid = sheet_grid(path, ws)
        try:
            return grid, find_header(grid)
        except WorkbookError as exc:
            first_error = first_error or exc
    if first_error is not None:
        if len(sheets) > 1:
            first_error.details.append(
                "已查找的工作表：" + "、".join(ws.title for ws in sheets) + "（可用 --sheet 指定）"
            )
        raise first_error
    raise WorkbookError("工作簿中没有可见的工作表", Location(file=str(path)))


def _docx_table(path: Path, number: int | None) -> tuple[Grid, Header]:
    from .docx import join_grids, open_document, table_grids
    from .headers import is_header_row

    grids = table_grids(path, open_document(path))
    if not grids:
        raise WorkbookError("文档中没有表格", Location(file=str(path)))
    if number is not None:
        if not 1 <= number <= len(grids):
            raise WorkbookError(
                f"文档中只有{len(grids)}个表格，没有表格{number}", Location(file=str(path))
            )
        indexes = [number - 1]
    else:
        indexes = list(range(len(grids)))
    first_error: WorkbookError | None = None
    for index in indexes:
        grid = grids[index]
        try:
            header = find_header(grid)
        except WorkbookError as exc:
            first_error = first_error or exc
            continue
        # a table split across pages into several Word tables: follow on while the header repeats
        more: list[Grid] = []
        numbers = [index + 1]
        for follow in range(index + 1, len(grids)):
            nxt = grids[follow]
            if nxt.width != grid.width or not nxt.rows or not is_header_row(nxt, 0, header):
                break
            more.append(nxt)
            numbers.append(follow + 1)
        if more:
            grid = join_grids(grid, more, numbers)
        return grid, header
    assert first_error is not None
    if number is None and len(grids) > 1:
        first_error.details.append(
            f"文档共有{len(grids)}个表格，均未识别出评分表表头（可用 --table 指定）"
        )
    raise first_error


# -- the embedded rubric of an xladdin workbook -----------------------------------------------


def _embedded(path: Path, rubric_id: str | None) -> ImportResult:
    from ..workbook.reader import read_workbook

    book = read_workbook(path)
    rubric = book.rubric
    if rubric_id:
        rubric = rubric.model_copy(update={"id": _checked_id(rubric_id)})
    data = rubric.model_dump(exclude_defaults=True)
    data = {"id": rubric.id, "title": rubric.title, "kind": rubric.kind, **data}
    evidence = book.evidence.model_dump(exclude_defaults=True)
    evidence["rubric"] = rubric.id
    evidence.setdefault("source", f"从 {path.name} 导入")
    evidence = {key: evidence[key] for key in _EVIDENCE_KEYS if key in evidence}
    notes = ["工作簿由 xladdin 生成：已直接取用隐藏工作表“指标体系”中的指标体系（未做推断）"]
    findings = lint_rubric(rubric)
    return ImportResult(
        rubric=rubric,
        data=data,
        evidence=evidence,
        inferences={},
        source=str(path),
        where="隐藏工作表“指标体系”",
        embedded=True,
        notes=notes,
        findings=findings,
        account=ImportAccount(
            lines=len(rubric.leaves()),
            groups=len(rubric.levels),
            evidence=[f"佐证{len(evidence.get('lines', {}))}项（取自工作簿）"],
            notes=notes,
            warnings=[f.line() for f in findings if f.severity != "info"],
        ),
    )


_EVIDENCE_KEYS = ("rubric", "unit", "project", "evaluator", "period", "source", "lines")


# -- building the rubric ----------------------------------------------------------------------


def _checked_id(rubric_id: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rubric_id):
        raise WorkbookError(
            f"编号“{rubric_id}”格式不符：只能用小写字母、数字、点、下划线和连字符，且以字母或数字开头"
        )
    return rubric_id


def derive_id(path: Path) -> str:
    """The rubric id from the file name: lower-case ascii, or imported-<hash> for a Chinese name."""
    stem = path.stem
    if stem.isascii():
        slug = re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-._")
        if slug:
            return slug
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]
    return f"imported-{digest}"


_TITLE_SKIP = re.compile(
    r"^(附件\s*\d*[:：]?|附表\s*\d*|评价单位|项目名称|评价人|单位名称|填报单位)$"
)


def _table_title(grid: Grid, header: Header, path: Path) -> str:
    candidates: list[str] = []
    for row in range(header.row):
        texts = [grid.text(row, c).strip() for c in range(grid.width) if grid.text(row, c).strip()]
        if texts:
            candidates.append(texts[0])
    candidates = list(grid.title_candidates) + candidates
    cleaned = [clean_text(re.sub(r"^附件\s*\d*\s*[:：]\s*", "", c)) for c in candidates]
    cleaned = [c for c in cleaned if c and not _TITLE_SKIP.match(c)]
    for text in reversed(cleaned):
        if "表" in text or "指标" in text:
            return text
    return cleaned[-1] if cleaned else path.stem


def _guess_kind(title: str, roots: list[TableNode]) -> Kind:
    names = "".join(root.title.name for root in roots)
    if "专项资金" in title:
        return "special_fund"
    if "部门整体" in title or "整体支出" in title or "部门" in names:
        return "department"
    return "project"


def _head(node: TableNode) -> dict[str, Any]:
    """A node's code, name, whether the code was assigned, and weight, in the YAML's order."""
    data: dict[str, Any] = {"code": node.code, "name": node.title.name}
    if node.code_assigned:
        data["code_assigned"] = True
    data["weight"] = node.weight
    return data


def _leaf_data(node: TableNode, inference: Inference) -> dict[str, Any]:
    cells = node.cells
    assert cells is not None and node.weight is not None
    data = _head(node)
    target = clean_text(cells.target) if "\n" not in cells.target else cells.target
    if target:
        data["target"] = target
    nature = rubric_nature(cells.nature)
    if nature in ("≥", "≤", "=", "定性"):
        data["nature"] = nature
    if cells.unit.strip():
        data["unit"] = cells.unit.strip()
    data["rule"] = cells.rule.strip()
    data["method"] = inference.method
    return data


def _form_leaf_data(node: TableNode, line: FormLine) -> dict[str, Any]:
    assert node.weight is not None
    data = _head(node)
    if line.target:
        data["target"] = line.target
    if line.nature in ("≥", "≤", "=", "定性"):
        data["nature"] = line.nature
    if line.unit:
        data["unit"] = line.unit
    data["rule"] = line.rule
    data["method"] = line.inference.method
    return data


def _node_data(
    node: TableNode,
    inferences: dict[str, Inference],
    comments: dict[str, list[str]],
    form: tuple[FormRules, dict[str, FormLine]] | None = None,
) -> dict[str, Any]:
    if node.is_leaf and form is not None:
        assert node.cells is not None
        rules, lines = form
        line = line_method(node.cells.nature, node.cells.target, node.cells.unit, rules)
        if node.cells.not_applicable:
            # a line printed as "/" is not scored: nothing about its method to check
            line.check = None
            line.inference = Inference(
                line.inference.method, 1.0, f"原表该行为“{node.cells.not_applicable}”：不适用"
            )
        lines[node.code] = line
        inferences[node.code] = line.inference
        return _form_leaf_data(node, line)
    if node.is_leaf:
        assert node.cells is not None and node.weight is not None
        inference = infer_method(
            node.cells.rule,
            weight=node.weight,
            name=node.title.name,
            target=node.cells.target,
            nature=rubric_nature(node.cells.nature) or node.cells.nature,
            unit=node.cells.unit,
        )
        inferences[node.code] = inference
        return _leaf_data(node, inference)
    assert node.weight is not None
    data = _head(node)
    if node.weight_derived:
        comments.setdefault(node.code, []).append(
            f"{node.code}：原表未列权重，取下级指标合计{fmt_number(node.weight)}分"
        )
    data["children"] = [_node_data(child, inferences, comments, form) for child in node.children]
    return data


def _funds_data(funds: FundsLine, inferences: dict[str, Inference]) -> dict[str, Any]:
    """The funds block's 预算执行率 line (a level-1 leaf, as in the national-self-eval rubric).

    The block's money unit (元 or 万元, printed in its label) goes with the amounts' labels.
    """
    money = f"（{funds.money_unit}）" if funds.money_unit else ""
    method = {
        "type": "ratio",
        "mode": "proportional",
        "value_label": "预算执行率",
        "numerator_label": funds.numerator_label + money,
        "denominator_label": funds.denominator_label + money,
    }
    inferences[funds.code] = Inference(
        method,
        0.75,
        "资金块：预算执行率=全年执行数/全年预算数，按比例计分（自评表通行做法），原表未列评分规则",
    )
    return {
        "code": funds.code,
        "name": "预算执行率",
        "weight": funds.weight,
        "target": "100%",
        "rule": "",
        "method": method,
    }


def _adjustments(content: TableContent, used: set[str]) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(content.adjustments, start=1):
        code = row.code
        if not code:
            number = index
            while f"F{number}" in used:
                number += 1
            code = f"F{number}"
        used.add(code)
        row.code = code
        group = groups.setdefault(
            row.kind, {"name": row.group_name or ("加分项" if row.kind == "bonus" else "减分项")}
        )
        if row.cap is not None and "cap" not in group:
            group["cap"] = row.cap
        item: dict[str, Any] = {"code": code, "name": row.name or group["name"]}
        if row.rule:
            item["rule"] = row.rule
        group.setdefault("items", []).append(item)
    return groups


def _evidence_lines(
    grid: Grid, header: Header, content: TableContent, notes: list[str]
) -> dict[str, dict[str, Any]]:
    lines: dict[str, dict[str, Any]] = {}
    score_col = header.columns.get("score")
    reason_col = header.columns.get("reason")
    # 偏差原因分析及改进措施 (the national form) answers reason rules; 扣分原因 narrates the score
    deviation = reason_col is not None and "偏差" in header.texts.get(reason_col, "")
    funds = content.funds
    line: dict[str, Any]
    if funds is not None:
        line = {}
        if funds.reason:
            line["deviation_reason"] = funds.reason
        declared = _declared(funds.score, grid, funds.row, funds.score_col, notes)
        if declared is not None:
            line["declared"] = declared
        if line:
            lines[funds.code] = line
    for root in content.roots:
        for node in root.walk():
            if not node.is_leaf or node.cells is None:
                continue
            line = {}
            declared = _declared(node.cells.score, grid, node.cells.row, score_col, notes)
            narrative = node.cells.narrative or ("" if deviation else node.cells.reason)
            if narrative:
                line["narrative"] = narrative
            if deviation and node.cells.reason:
                line["deviation_reason"] = node.cells.reason
            if declared is not None:
                line["declared"] = declared
            if line:
                lines[node.code] = line
    for row in content.adjustments:
        points = _declared(row.score, grid, row.row, score_col, notes)
        line = {}
        if row.narrative:
            line["narrative"] = row.narrative
        if points is not None:
            if points < 0:
                points = -points  # a 减分项 printed as −2 deducts 2
            line["points"] = points
        if line and row.code:
            lines[row.code] = line
    return lines


def _declared(text: str, grid: Grid, row: int, col: int | None, notes: list[str]) -> Decimal | None:
    text = text.strip()
    if not text or col is None:
        return None
    try:
        return to_decimal(re.sub(r"\s*分$", "", text))
    except NumberParseError:
        notes.append(f"{grid.cell_name(row, col)}的得分“{text}”不是数字，未作为自评得分导入")
        return None


def _build(
    path: Path,
    grid: Grid,
    header: Header,
    content: TableContent,
    *,
    rubric_id: str | None,
    kind: Kind | None,
    title: str | None,
    after: list[str] | None = None,
) -> ImportResult:
    rubric_title = title or _table_title(grid, header, path)
    inferences: dict[str, Inference] = {}
    comments: dict[str, list[str]] = {}
    rules: FormRules | None = None
    form_lines: dict[str, FormLine] = {}
    if content.form:
        rules = _form_rules(content, after or [])
    form = (rules, form_lines) if rules is not None else None
    levels = [_node_data(root, inferences, comments, form) for root in content.roots]
    if content.funds is not None:
        levels.insert(0, _funds_data(content.funds, inferences))
    used = {node.code for root in content.roots for node in root.walk()}
    if content.funds is not None:
        used.add(content.funds.code)
    adjustments = _adjustments(content, used)
    where = f"工作表“{grid.sheet}”" if grid.sheet else grid.cell_name(header.row, 0).split(" ")[0]
    data: dict[str, Any] = {
        "id": _checked_id(rubric_id) if rubric_id else derive_id(path),
        "title": rubric_title,
        "kind": kind or _guess_kind(rubric_title, content.roots),
    }
    form_header = read_form_header(grid, header) if content.funds or content.form else None
    year = re.search(r"(20\d\d)\s*年", rubric_title) or (
        re.search(r"(20\d\d)", form_header.period) if form_header is not None else None
    )
    if year:
        data["year"] = int(year.group(1))
    if header.has("actual") or header.has("nature"):
        data["layout"] = "self_eval_form"
    data["source"] = f"从 {path.name}（{where}）导入"
    if form_header is not None and form_header.goal:
        data["description"] = f"年度总体目标（预期目标）：{form_header.goal}"
    if content.total_weight is not None:
        data["total_weight"] = content.total_weight
    if rules is not None and rules.score_places is not None:
        data["rounding"] = {"score": {"places": rules.score_places, "mode": rules.score_mode}}
    if (
        content.level_names[: len(content.level_names)]
        != ["一级指标", "二级指标", "三级指标"][: len(content.level_names)]
    ):
        data["level_names"] = content.level_names
    data["levels"] = levels
    for key in ("bonus", "penalty"):
        if key in adjustments:
            data[key] = adjustments[key]
    for root in content.roots:
        for node in root.walk():
            if node.code_assigned and node.cells is not None and not header.has("code"):
                comments.setdefault(node.code, []).append(
                    f"{node.code}：原表未列编码，按位置补为{node.code}"
                )
    for code, line in form_lines.items():
        if line.check is not None:
            comments.setdefault(code, []).append(f"{code}：须人工核对：{line.check}")
    rubric = rubric_from_data(data, str(path))
    notes = list(content.notes)
    found = FormEvidence()
    evidence: dict[str, Any] = {"rubric": rubric.id}
    if form_header is not None:
        for key in ("project", "department", "unit", "period"):
            if getattr(form_header, key):
                evidence[key] = getattr(form_header, key)
    evidence["source"] = data["source"]
    if rules is not None:
        evidence["lines"] = _form_evidence_lines(grid, header, content, form_lines, found, notes)
    else:
        evidence["lines"] = _evidence_lines(grid, header, content, notes)
    evidence_from_data(evidence, str(path))
    contradictions = list(found.contradictions)
    total = _check_total(content, evidence["lines"], notes)
    if total is not None:
        contradictions.append(total)
    top = sum((level.weight for level in rubric.levels), Decimal(0))
    if content.total_weight is not None and top != content.total_weight:
        contradictions.append(
            f"一级指标分值合计{fmt_number(top)}（含预算执行率），而原表总分为{fmt_number(content.total_weight)}"
        )
    findings = lint_rubric(rubric)
    account = _account(
        rubric,
        inferences,
        content,
        rules,
        form_lines,
        found,
        contradictions,
        notes,
        findings,
        evidence["lines"],
    )
    if form_header is not None and form_header.achieved:
        account.notes.append(
            "年度总体目标的“实际完成情况”未导入（佐证中无对应项），预期目标写入指标体系说明"
        )
    return ImportResult(
        rubric=rubric,
        data=data,
        evidence=evidence,
        inferences=inferences,
        source=str(path),
        where=where,
        notes=notes,
        comments=comments,
        findings=findings,
        account=account,
    )


def _form_rules(content: TableContent, after: list[str]) -> FormRules:
    """The form's footnote: in the table below its last row, or the paragraphs after it."""
    if content.footnote:
        return read_footnote(content.footnote, content.footnote_where)
    notes = [text for text in after if re.match(r"^\s*(注|备注|说明|填表说明)", text)]
    if notes:
        start = after.index(notes[0])
        return read_footnote("\n".join(after[start:]), "表格后的注释")
    return read_footnote("")


def _form_evidence_lines(
    grid: Grid,
    header: Header,
    content: TableContent,
    form_lines: dict[str, FormLine],
    found: FormEvidence,
    notes: list[str],
) -> dict[str, dict[str, Any]]:
    lines: dict[str, dict[str, Any]] = {}
    if content.funds is not None:
        lines[content.funds.code] = funds_evidence(content.funds, found)
    for root in content.roots:
        for node in root.walk():
            if node.is_leaf and node.cells is not None:
                where = grid.row_name(node.cells.row)
                lines[node.code] = line_evidence(node, form_lines[node.code], where, found)
    score_col = header.columns.get("score")
    for row in content.adjustments:
        points = _declared(row.score, grid, row.row, score_col, notes)
        line: dict[str, Any] = {}
        if row.narrative:
            line["narrative"] = row.narrative
        if points is not None:
            line["points"] = -points if points < 0 else points
        if line and row.code:
            lines[row.code] = line
    return {code: line for code, line in lines.items() if line}


def _account(
    rubric: Rubric,
    inferences: dict[str, Inference],
    content: TableContent,
    rules: FormRules | None,
    form_lines: dict[str, FormLine],
    found: FormEvidence,
    contradictions: list[str],
    notes: list[str],
    findings: list[Finding],
    evidence_lines: dict[str, dict[str, Any]],
) -> ImportAccount:
    account = ImportAccount(
        lines=len(rubric.leaves()),
        groups=len(rubric.levels),
        methods={code: (inf.type, inf.confidence) for code, inf in inferences.items()},
        skipped=list(content.skipped),
        not_applicable=list(found.not_applicable),
        contradictions=contradictions,
        notes=[note for note in notes if note not in contradictions],
        warnings=[f.line() for f in findings if f.severity != "info"],
    )
    if rules is not None:
        if rules.printed:
            where = f"（{rules.where}）" if rules.where else ""
            account.rule_source.append(f"取自原表脚注{where}")
            if rules.mode is not None:
                mode = "未完成不得分" if rules.mode == "all_or_nothing" else "未完成按比例"
                account.rule_source.append(f"定量指标：完成得满分，{mode}")
            if rules.inverse is not None:
                inverse = (
                    "两倍指标值得0分、其间线性递减"
                    if rules.inverse == "linear_to_double"
                    else "年度指标值/实际完成值×分值"
                )
                account.rule_source.append(f"反向指标：{inverse}")
            if rules.edges is not None:
                account.rule_source.append(f"定性指标三档：{rules.edges_text()}")
            if rules.score_places is not None:
                places = f"{rules.score_places}位小数" if rules.score_places else "整数"
                mode = "截尾" if rules.score_mode == "truncate" else "四舍五入"
                account.rule_source.append(f"各项得分{mode}保留{places}")
            for problem in rules.problems:
                account.rule_source.append(f"{problem}（相关指标须人工核对）")
        uses = {line.quantitative for line in form_lines.values()}
        lower = any(
            line.inference.method.get("direction") == "lower" for line in form_lines.values()
        )
        if True in uses and (not rules.printed or rules.mode is None):
            account.rule_source.append(
                "原表未印定量指标计分办法：按全国通行做法（达到年度指标值得满分，未达到的按比例计分）"
            )
        if lower and rules.inverse is None:
            account.rule_source.append(
                "原表未印反向指标计分办法：按全国通行做法（年度指标值/实际完成值×分值）"
            )
        if False in uses and not rules.qualitative:
            account.rule_source.append(
                "原表未印定性指标分档：按全国通行三档（达成80%-100%、部分达成60%-80%、未达成0-60%）"
            )
        for code, line in form_lines.items():
            if line.check is not None:
                account.checks[code] = line.check
        for code, reason in found.checks.items():
            account.checks[code] = (
                f"{account.checks[code]}；{reason}" if code in account.checks else reason
            )
        names = {leaf.code: leaf.name for leaf in rubric.leaves()}
        account.discretion = [f"{code}{names[code]}" for code in found.decisions]
        taken = []
        if found.funds:
            taken.append(found.funds)
        if found.values:
            taken.append(f"实际完成值{found.values}项")
        if found.declared:
            taken.append(f"原表得分{found.declared}项（作为自评得分 declared，供 audit 核对）")
        if found.decisions:
            taken.append(f"定性指标的原表得分{len(found.decisions)}项作为评价人认定（decision）")
        account.evidence = taken
    else:
        declared = sum(1 for line in evidence_lines.values() if "declared" in line)
        narratives = sum(1 for line in evidence_lines.values() if "narrative" in line)
        taken = [f"原表得分{declared}项（declared）"] if declared else []
        if narratives:
            taken.append(f"评分过程或扣分原因{narratives}项（narrative）")
        account.evidence = taken
    return account


def _check_total(
    content: TableContent, lines: dict[str, dict[str, Any]], notes: list[str]
) -> str | None:
    """The table's printed 小计/合计 against the sum of its line scores (published tables slip)."""
    if content.total_score is None:
        return None
    adjustment_codes = {row.code for row in content.adjustments}
    declared = [
        line["declared"]
        for code, line in lines.items()
        if "declared" in line and code not in adjustment_codes
    ]
    if not declared:
        return None
    total = sum(declared, Decimal(0))
    if total != content.total_score:
        text = f"原表合计得分{fmt_number(content.total_score)}，各项得分之和为{fmt_number(total)}，两者不一致"
        notes.append(text)
        return text
    return None


def evidence_path_for(output: Path) -> Path:
    """ "X.yaml" → "X.evidence.yaml" (next to the rubric)."""
    return output.with_name(f"{output.stem}.evidence{output.suffix or '.yaml'}")


def write_import(result: ImportResult, output: Path, evidence_output: Path) -> None:
    """Write the rubric YAML and the evidence YAML of an import."""
    from .writer import evidence_yaml, rubric_yaml

    if result.embedded:
        header = [
            f"由 xladdin import 从 {Path(result.source).name} 导入：取自其隐藏工作表“指标体系”，与生成该工作簿的指标体系完全一致。",
        ]
    else:
        review = result.review
        header = [
            f"由 xladdin import 从 {Path(result.source).name}（{result.where}）导入。",
            "评分规则（rule）照录原表；评分方法（method）由规则文字推断，每项后的注释写明推断依据和置信度。",
            f"标有“请核对”的{len(review)}项为低置信度推断，请对照原表逐项核对后使用（xladdin lint 可检查）。"
            if review
            else "所有评分方法均为较高置信度推断，仍建议对照原表核对。",
        ]
    names = {node.code: node.name for node, _ in result.rubric.walk() if node.is_leaf}
    names.update({item.code: item.name for _, item in result.rubric.adjustment_items()})
    rubric_text = rubric_yaml(
        result.data, header=header, inferences=result.inferences, comments=result.comments
    )
    evidence_header = [
        f"{result.rubric.id} 的佐证，由 xladdin import 从 {Path(result.source).name} 导入。",
        "declared = 原表得分；narrative = 原表评分过程（或扣分原因）。其他佐证须另行填写。",
    ]
    if result.rubric.layout == "self_eval_form" and not result.embedded:
        evidence_header[1] = (
            "declared = 原表得分；value = 实际完成值；numerator / denominator = 资金块全年执行数 / 全年预算数；"
            "decision = 定性指标的原表得分（评价人认定）；deviation_reason = 偏差原因分析。"
        )
    evidence_text = evidence_yaml(result.evidence, header=evidence_header, names=names)
    from ..files import write_file

    write_file(output, rubric_text)
    write_file(evidence_output, evidence_text)
