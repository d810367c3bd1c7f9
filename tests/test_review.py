"""What a reviewer checks (xladdin.core.review): reasons, inflation, the money block, targets,
and the risk ranking of a batch; on workbooks and imported forms shaped like real ones."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from tests.forms import MONITORING, ROADS, TRAINING, Form, Line, write_xlsx
from xladdin.bureau.audit_output import audit_file, ranking, review_files
from xladdin.cli import main
from xladdin.core.evidence import Evidence
from xladdin.core.lint import lint
from xladdin.core.result import Finding
from xladdin.core.review import TARGET_CHECKS, review_targets, risk
from xladdin.core.rubric import Rubric
from xladdin.importer import import_table
from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"
PUBLISHED = ("nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021")
NATIONAL = TEMPLATES / "national-self-eval-example.xlsx"
REVIEW_CHECKS = {
    "reason-missing",
    "reason-boilerplate",
    "reason-repeated",
    "all-full-marks",
    "vague-full-marks",
    "declared-above",
    "funds-reconcile",
    "target-count",
    *TARGET_CHECKS,
}


def _review(findings: list[Finding]) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for f in findings:
        if f.check in REVIEW_CHECKS:
            found.setdefault(f.check, []).append(f.code)
    return found


def _imported(form: Form, folder: Path) -> tuple[Rubric, Evidence]:
    result = import_table(write_xlsx(form, folder / f"{form.name}.xlsx"))
    return result.rubric, Evidence.model_validate(result.evidence)


def _line(form: Form, which: str, **changes: Any) -> Form:
    lines = [
        dataclasses.replace(line, **changes) if line.name.endswith(which) else line
        for line in form.lines
    ]
    assert lines != form.lines, which
    return dataclasses.replace(form, lines=lines)


# ---------------------------------------------------------------------------------------------
# The published examples: none of the reviewer's checks fires.


@pytest.mark.parametrize("rubric_id", PUBLISHED)
def test_no_review_finding_on_the_published_examples(rubric_id: str) -> None:
    book = read_workbook(TEMPLATES / f"{rubric_id}-example.xlsx")
    assert _review(lint(book.rubric, book.evidence)) == {}


# ---------------------------------------------------------------------------------------------
# Form checks on imported forms (tests/forms.py).


def test_imported_form_lines_below_full_marks_without_a_reason(tmp_path: Path) -> None:
    # 道路硬化 prints no 偏差原因 for 执行率 91.67% (9.17), 群众出行条件 9 of 10, 管护长效机制
    # 2.75 of 5; its other deducted lines give one.
    rubric, evidence = _imported(ROADS, tmp_path)
    findings = [f for f in lint(rubric, evidence) if f.check == "reason-missing"]
    named = {
        rubric.find(f.code).name if f.code and rubric.find(f.code) else f.code for f in findings
    }  # type: ignore[union-attr]
    assert named == {"预算执行率", "群众出行条件", "管护长效机制"}
    assert all(f.field == "deviation_reason" and f.severity == "info" for f in findings)


def test_reason_threshold_is_the_rubric_setting(tmp_path: Path) -> None:
    rubric, evidence = _imported(ROADS, tmp_path)
    # only lines below 90% of their weight need a reason: 管护长效机制 (55%) alone
    strict = rubric.model_copy(
        update={"review": rubric.review.model_copy(update={"reason_below": Decimal("0.9")})}
    )
    missing = [f.code for f in lint(strict, evidence) if f.check == "reason-missing"]
    assert [strict.find(c).name for c in missing if c] == ["管护长效机制"]  # type: ignore[union-attr]
    never = rubric.model_copy(
        update={"review": rubric.review.model_copy(update={"reason_below": Decimal(0)})}
    )
    assert not [f for f in lint(never, evidence) if f.check == "reason-missing"]


def test_imported_boilerplate_reasons(tmp_path: Path) -> None:
    form = _line(TRAINING, "培训人数", reason="暂无")
    form = _line(form, "人均培训成本", reason="见附件")
    rubric, evidence = _imported(form, tmp_path)
    found = [f for f in lint(rubric, evidence) if f.check == "reason-boilerplate"]
    assert {rubric.find(f.code).name for f in found if f.code} == {"培训人数", "人均培训成本"}  # type: ignore[union-attr]
    assert any("“暂无”" in f.message for f in found)


def test_imported_vague_value_at_full_marks(tmp_path: Path) -> None:
    form = _line(ROADS, "群众出行条件", actual="达成", score="10")
    rubric, evidence = _imported(form, tmp_path)
    found = [f for f in lint(rubric, evidence) if f.check == "vague-full-marks"]
    assert len(found) == 1 and found[0].code
    assert rubric.find(found[0].code).name == "群众出行条件"  # type: ignore[union-attr]
    assert "“达成”" in found[0].message


def test_imported_total_money_row_against_its_sources(tmp_path: Path) -> None:
    # MONITORING types 年度资金总额 as 0 while 当年财政拨款 holds 200 / 190
    rubric, evidence = _imported(MONITORING, tmp_path)
    found = [f for f in lint(rubric, evidence) if f.check == "funds-reconcile"]
    assert [(f.code, f.field) for f in found] == [("Z", "denominator")]
    assert "200" in found[0].message
    # ROADS: 1,200,000 = 1,200,000 + 0 (+ blank)
    rubric, evidence = _imported(ROADS, tmp_path)
    assert not [f for f in lint(rubric, evidence) if f.check == "funds-reconcile"]


def test_imported_sources_not_adding_up(tmp_path: Path) -> None:
    funds = list(ROADS.funds)
    funds[2] = dataclasses.replace(funds[2], budget="100000", spent="50000")
    rubric, evidence = _imported(dataclasses.replace(ROADS, funds=funds), tmp_path)
    found = [f for f in lint(rubric, evidence) if f.check == "funds-reconcile"]
    assert [(f.code, f.field) for f in found] == [("Z", "denominator"), ("Z", "numerator")]
    assert "1300000" in found[0].message


# ---------------------------------------------------------------------------------------------
# Form checks on a filled national form (the bundled example, edited as an officer would).


@pytest.fixture(scope="module")
def national() -> Any:
    return read_workbook(NATIONAL)


def _cell(book: Any, key: str, code: str) -> str:
    found = book.layout.find(key, book.rows.leaves[code])
    assert found is not None
    return str(found)


def _edited(path: Path, writes: dict[str, Any]) -> Path:
    package = XlsxPackage(NATIONAL)
    package.write_cells(SCORING_SHEET, {ref: (value, None) for ref, value in writes.items()})
    package.save(path)
    return path


def _checks(path: Path) -> dict[str, list[str | None]]:
    outcome = audit_file(path)
    assert outcome.audit is not None, outcome.error
    return _review(outcome.audit.all_findings)


CLEAN_Z_REASON = "剩余资金为质保金，按合同于次年验收后支付"


def test_workbook_reason_cells(national: Any, tmp_path: Path) -> None:
    z, a11 = _cell(national, "deviation_reason", "Z"), _cell(national, "deviation_reason", "A11")
    assert (z, a11) == ("I6", "I13")
    # "无" where a line lost no points is a fair answer
    full = _cell(national, "deviation_reason", "A12")
    clean = _edited(tmp_path / "clean.xlsx", {z: CLEAN_Z_REASON, full: "无"})
    assert _checks(clean).keys() == {"target-placeholder"}  # the starter's ×× names only
    missing = _edited(tmp_path / "missing.xlsx", {z: CLEAN_Z_REASON, a11: None})
    assert _checks(missing)["reason-missing"] == ["A11"]
    boiler = _edited(tmp_path / "boiler.xlsx", {z: "/", a11: CLEAN_Z_REASON})
    assert _checks(boiler)["reason-boilerplate"] == ["Z"]
    same = {_cell(national, "deviation_reason", c): "工作正常推进" for c in ("Z", "A11", "B11")}
    assert sorted(_checks(_edited(tmp_path / "same.xlsx", same))["reason-repeated"]) == [  # type: ignore[type-var]
        "A11",
        "B11",
        "Z",
    ]


def test_workbook_declared_score_above_the_rule(national: Any, tmp_path: Path) -> None:
    score = _cell(national, "score", "A11")
    assert score == "H13"
    path = _edited(
        tmp_path / "inflated.xlsx",
        {_cell(national, "deviation_reason", "Z"): CLEAN_Z_REASON, score: Decimal(10)},
    )
    outcome = audit_file(path)
    assert outcome.audit is not None
    line = next(line for line in outcome.audit.lines if line.code == "A11")
    above = [n for n in line.notes if n.check == "declared-above"]
    assert len(above) == 1 and "自评得分10高于按规则复算的9.6" in above[0].message
    assert [f.check for f in line.findings] == ["declared-differs"]


def test_workbook_every_line_at_full_marks(national: Any, tmp_path: Path) -> None:
    writes: dict[str, Any] = {
        _cell(national, "value", "Z"): Decimal(200),
        _cell(national, "value", "A11"): Decimal(100),
    }
    for code in ("A31", "B31", "B41"):
        writes[_cell(national, "band", code)] = "达成年度指标"
        writes[_cell(national, "decision_share", code)] = Decimal(1)
    writes[_cell(national, "decision_reason", "B21")] = "有效"
    path = _edited(tmp_path / "full.xlsx", writes)
    found = _checks(path)
    assert found["all-full-marks"] == [None]
    assert found["vague-full-marks"] == ["B21"]


def test_workbook_funds_sources(national: Any, tmp_path: Path) -> None:
    funds = national.layout.funds
    budget, spent = funds.letters["denominator"], funds.letters["value"]
    row = funds.rows[1]  # 其中：当年财政拨款
    writes = {
        _cell(national, "deviation_reason", "Z"): CLEAN_Z_REASON,
        f"{budget}{row}": Decimal(150),
        f"{spent}{row}": Decimal("184.8"),
    }
    path = _edited(tmp_path / "funds.xlsx", writes)
    book = read_workbook(path)
    sources = book.evidence.lines["Z"].sources
    assert sources is not None and sources[0].label == "其中：当年财政拨款"
    found = [f for f in lint(book.rubric, book.evidence) if f.check == "funds-reconcile"]
    assert [(f.code, f.field) for f in found] == [("Z", "denominator")]
    assert "全年预算数200" in found[0].message and "之和150" in found[0].message
    writes[f"{budget}{row}"] = Decimal(200)
    assert "funds-reconcile" not in _checks(_edited(tmp_path / "ok.xlsx", writes))


# ---------------------------------------------------------------------------------------------
# Targets.


def test_targets_of_the_starter_form_are_placeholders() -> None:
    entry = find_bundled("national-self-eval")
    assert entry is not None
    found = review_targets(load_rubric_file(entry.path))
    assert {f.check for f in found} == {"target-placeholder"}
    assert len(found) == 10 and all(f.field == "name" for f in found)


def test_targets_of_an_imported_form(tmp_path: Path) -> None:
    form = _line(ROADS, "培训养护人员", target="≥××人次")
    form = _line(form, "路面平整度达标率", target="≥120%", actual="100%", score="5", reason="")
    form = _line(form, "每公里建设成本", target="≥50万元", actual="52万元", score="5", reason="")
    form = _line(form, "按期完工率", name="指标1：2026年6月底前完工", target="=100%")
    form = _line(form, "道路设计使用年限", target="≥10", actual="10")
    rubric, _ = _imported(form, tmp_path)
    assert rubric.year == 2025
    found = {
        (f.check, rubric.find(f.code).name if f.code else None) for f in review_targets(rubric)
    }  # type: ignore[union-attr]
    assert ("target-placeholder", "培训养护人员") in found
    assert ("target-over-100", "路面平整度达标率") in found
    assert ("target-cost-at-least", "每公里建设成本") in found
    assert ("target-no-unit", "道路设计使用年限") in found
    assert ("target-deadline", "2026年6月底前完工") in found
    assert not [c for c, name in found if name == "道路硬化长度"]


def test_deadline_no_number_and_dimension(tmp_path: Path) -> None:
    lines = [
        Line("产出指标", "数量指标", "新建站点", "若干", "20个", "30", "30", nature="≥", unit="个"),
        Line("", "时效指标", "完工时间", "2026年6月底前", "已完工", "30", "30", nature="定性"),
        Line(
            "效益指标",
            "社会效益指标",
            "监测覆盖",
            "明显提升",
            "明显提升",
            "30",
            "27",
            "部分区域未覆盖",
            discretion=True,
        ),
    ]
    form = dataclasses.replace(
        TRAINING, name="thin", lines=lines, nature_column=True, unit_column=True
    )
    rubric, _ = _imported(form, tmp_path)
    found = {(f.check, f.code) for f in review_targets(rubric)}
    names = {check: rubric.find(code).name if code else None for check, code in found}  # type: ignore[union-attr]
    assert names["target-no-number"] == "新建站点"
    assert names["target-deadline"] == "完工时间"
    assert ("dimension-missing", None) in found
    assert any(check == "weights-off-default" for check, _ in found)  # 产出 60, 效益 30


def test_imported_weights_off_the_defaults(tmp_path: Path) -> None:
    # MONITORING's grid gives 产出 60 against the default 50
    rubric, _ = _imported(MONITORING, tmp_path)
    found = [f for f in review_targets(rubric) if f.check == "weights-off-default"]
    assert [(f.code, f.message) for f in found] == [("A", "“产出指标”分值为60，默认为50")]
    rubric, _ = _imported(ROADS, tmp_path)
    assert not review_targets(rubric)


def test_target_findings_count_as_the_cases_of_000_a22() -> None:
    entry = find_bundled("nanjing-dsj-2022")
    assert entry is not None and entry.evidence_path is not None
    data = load_rubric_file(entry.path).model_dump(exclude_defaults=True)
    data["review"] = {"target_line": "A22"}
    leaf = data["levels"][3]["children"][0]["children"][0]
    leaf["target"] = "≥××家"
    rubric = Rubric.model_validate(data)
    evidence = load_evidence(entry.evidence_path)
    found = [f for f in lint(rubric, evidence) if f.check == "target-count"]
    assert len(found) == 1 and found[0].code == "A22"
    assert found[0].message.startswith("绩效目标检查发现1例，按本指标规则建议得")
    assert leaf["code"] in found[0].message and "××" in found[0].message


# ---------------------------------------------------------------------------------------------
# Risk ranking of a batch.


def test_risk_reasons_name_the_lines() -> None:
    found = risk(
        [
            Finding(severity="info", check="reason-missing", message="x", code="A11"),
            Finding(severity="info", check="reason-missing", message="x", code="B11"),
            Finding(severity="info", check="declared-above", message="x", code="A12"),
            Finding(severity="info", check="code-assigned", message="x", code="E11"),
        ]
    )
    assert found.score == 8
    # the heaviest check first
    assert found.reasons == ["自评得分高于复算（1处：A12）", "扣分未说明偏差原因（2处：A11、B11）"]
    many = [
        Finding(severity="info", check="target-placeholder", message="x", code=f"A{i}")
        for i in range(10)
    ]
    assert risk(many).score == 3
    assert risk(many).reasons == [
        f"指标名称或指标值含占位符（10处：{'、'.join(f'A{i}' for i in range(10))}）"
    ]


DEFECTS = ("declared", "boilerplate", "missing", "repeated", "vague", "funds", "full")
BATCH = 200


def _batch_writes(book: Any, i: int) -> tuple[dict[str, Any], str | None]:
    """Writes for workbook ``i``: every third one gets one defect, cycling through DEFECTS."""
    cell = lambda key, code: _cell(book, key, code)  # noqa: E731
    writes: dict[str, Any] = {
        book.layout.info_cell("unit"): f"测试单位{i:03d}",
        cell("deviation_reason", "Z"): CLEAN_Z_REASON,
    }
    if i % 3:
        return writes, None
    defect = DEFECTS[(i // 3) % len(DEFECTS)]
    if defect == "declared":
        writes[cell("score", "A11")] = Decimal(10)
    elif defect == "boilerplate":
        writes[cell("deviation_reason", "A11")] = "暂无"
    elif defect == "missing":
        writes[cell("deviation_reason", "A11")] = None
    elif defect == "repeated":
        for code in ("Z", "A11", "B11"):
            writes[cell("deviation_reason", code)] = "按计划推进"
    elif defect == "vague":
        writes[cell("decision_reason", "B21")] = "达成"
    elif defect == "funds":
        funds = book.layout.funds
        writes[f"{funds.letters['denominator']}{funds.rows[1]}"] = Decimal(180)
    else:
        writes[cell("value", "Z")] = Decimal(200)
        writes[cell("score", "Z")] = Decimal(10)
        writes[cell("value", "A11")] = Decimal(100)
        writes[cell("score", "A11")] = Decimal(10)
        for code in ("A31", "B31", "B41"):
            writes[cell("decision_share", code)] = Decimal(1)
            writes[cell("band", code)] = "达成年度指标"
            writes[cell("score", code)] = None
    return writes, defect


def test_batch_of_200_ranks_every_defective_workbook_first(tmp_path: Path) -> None:
    book = read_workbook(NATIONAL)
    folder = tmp_path / "batch"
    folder.mkdir()
    defective: dict[str, str] = {}
    data = NATIONAL.read_bytes()
    for i in range(BATCH):
        writes, defect = _batch_writes(book, i)
        package = XlsxPackage(NATIONAL, data)
        package.write_cells(SCORING_SHEET, {ref: (v, None) for ref, v in writes.items()})
        path = folder / f"自评表{i:03d}.xlsx"
        package.save(path)
        if defect:
            defective[str(path)] = defect
    outcomes, _ = review_files(sorted(folder.iterdir()))
    ranked = ranking(outcomes)
    assert len(ranked) == BATCH
    order = [str(o.source) for o, _ in ranked]
    top = order[: len(defective)]
    assert set(top) == set(defective), [
        (str(o.source), a.risk) for o, a in ranked[len(defective) - 3 : len(defective) + 3]
    ]
    clean = {a.risk.score for o, a in ranked if str(o.source) not in defective}
    assert len(clean) == 1  # the clean copies differ only in their unit's name
    lowest = min(a.risk.score for o, a in ranked if str(o.source) in defective)
    assert lowest > clean.pop()

    summary = tmp_path / "汇总.xlsx"
    run = CliRunner().invoke(main, ["audit", str(folder), "--summary", str(summary), "--json"])
    assert run.exit_code in (0, 1), run.output
    data_json = json.loads(run.stdout)
    by_rank = sorted(data_json["workbooks"], key=lambda entry: entry["rank"])
    assert [entry["workbook"] for entry in by_rank] == order
    assert by_rank[0]["risk"]["reasons"] and by_rank[0]["risk"]["score"] > 0
    sheets = pd.read_excel(summary, sheet_name=None)
    assert "复核重点" in sheets
    sheet = sheets["复核重点"]
    assert list(sheet["文件"][: len(defective)].map(str)) == order[: len(defective)]
    assert list(sheet["排名"][:3]) == [1, 2, 3]
    reasons = dict(zip(sheet["文件"], sheet["复核要点"], strict=True))
    expected = {
        "declared": "自评得分高于复算（1处：A11）",
        "boilerplate": "偏差原因为套话（1处：A11）",
        "missing": "扣分未说明偏差原因（1处：A11）",
        "repeated": "偏差原因千篇一律（3处：Z、A11、B11）",
        "vague": "定性指标满分但完成值笼统（1处：B21）",
        "funds": "资金总额与来源不符（1处：Z）",
        "full": "全部满分",
    }
    for path, defect in defective.items():
        assert expected[defect] in reasons[path], (path, reasons[path])


def test_audit_text_lists_the_ranking(tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    book = read_workbook(NATIONAL)
    _edited(folder / "a.xlsx", {_cell(book, "deviation_reason", "Z"): CLEAN_Z_REASON})
    _edited(folder / "b.xlsx", {_cell(book, "deviation_reason", "Z"): "暂无"})
    run = CliRunner().invoke(main, ["audit", str(folder)])
    assert "复核重点（按风险分从高到低）：" in run.output
    ranking_part = run.output.split("复核重点（按风险分从高到低）：", 1)[1]
    assert ranking_part.index("b.xlsx") < ranking_part.index("a.xlsx")
    assert "偏差原因为套话（1处：Z）" in ranking_part


def test_audit_names_the_cell_of_each_note(national: Any, tmp_path: Path) -> None:
    funds = national.layout.funds
    budget_cell = f"{funds.letters['denominator']}{funds.first_row}"
    path = _edited(
        tmp_path / "自评表.xlsx",
        {
            _cell(national, "deviation_reason", "Z"): CLEAN_Z_REASON,
            _cell(national, "deviation_reason", "A11"): "暂无",
            f"{funds.letters['denominator']}{funds.rows[1]}": Decimal(150),
        },
    )
    run = CliRunner().invoke(main, ["audit", str(path)])
    assert "[提示] A11（评分表!I13） 得分9.6低于分值10，偏差原因“暂无”未说明原因" in run.output
    assert f"[提示] Z（评分表!{budget_cell}） 资金块年度资金总额全年预算数200" in run.output
    data = json.loads(CliRunner().invoke(main, ["audit", str(path), "--json"]).stdout)
    (workbook,) = data["workbooks"]
    a11 = next(line for line in workbook["lines"] if line["code"] == "A11")
    note = next(n for n in a11["notes"] if n["check"] == "reason-boilerplate")
    assert (note["field"], note["cell"]) == ("deviation_reason", "评分表!I13")
    assert workbook["rank"] == 1 and workbook["risk"]["score"] > 0


def test_recalc_summary_carries_the_risk_of_each_workbook(national: Any, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _edited(folder / "a.xlsx", {_cell(national, "deviation_reason", "Z"): CLEAN_Z_REASON})
    _edited(folder / "b.xlsx", {_cell(national, "deviation_reason", "Z"): "见附件"})
    summary = tmp_path / "汇总.xlsx"
    run = CliRunner().invoke(main, ["recalc", str(folder), "--summary", str(summary), "-q"])
    assert run.exit_code == 0, run.output
    table = pd.read_excel(summary, sheet_name="汇总").set_index("文件")
    a, b = str(folder / "a.xlsx"), str(folder / "b.xlsx")
    assert table.loc[b, "风险分"] > table.loc[a, "风险分"]
    assert "偏差原因为套话（1处：Z）" in table.loc[b, "复核要点"]
