"""``xladdin import`` on 项目支出绩效自评表 printed the way provinces print them (tests/forms.py).

The imported rubric and evidence reproduce every printed line score with ``xladdin score``; the
qualitative lines, whose printed score is the evaluator's own choice, are listed by the import.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.forms import FORMS, MONITORING, ROADS, TRAINING, Form, Line, write_docx, write_xlsx
from xladdin.cli import main
from xladdin.core.lint import lint
from xladdin.core.rubric import JudgementMethod, RatioMethod
from xladdin.core.scoring import score
from xladdin.importer import ImportResult, import_table, write_import
from xladdin.importer.form import (
    canonical_sign,
    indicator_name,
    is_placeholder,
    line_method,
    parse_printed,
    read_footnote,
)
from xladdin.library import load_evidence, load_rubric_file


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("forms")
    built = {
        f"{name}.xlsx": write_xlsx(form, folder / f"{name}.xlsx") for name, form in FORMS.items()
    }
    built["roads-yuan.docx"] = write_docx(ROADS, folder / "roads-yuan.docx")
    return built


@pytest.fixture(scope="module")
def imports(files: dict[str, Path]) -> dict[str, ImportResult]:
    return {name: import_table(path) for name, path in files.items()}


def written(result: ImportResult, folder: Path) -> tuple[Path, Path]:
    rubric, evidence = folder / "form.yaml", folder / "form.evidence.yaml"
    write_import(result, rubric, evidence)
    return rubric, evidence


def leaf_by_name(result: ImportResult, name: str) -> Any:
    found = [leaf for leaf in result.rubric.leaves() if leaf.name == name]
    assert len(found) == 1, name
    return found[0]


# ---------------------------------------------------------------------------------------------
# Done when: each form imports without a stop and reproduces its printed line scores.


@pytest.mark.parametrize(
    "name",
    [
        "roads-yuan.xlsx",
        "roads-yuan.docx",
        "training-wanyuan.xlsx",
        "monitoring-contradictions.xlsx",
    ],
)
def test_printed_form_imports_and_reproduces_every_printed_line_score(
    imports: dict[str, ImportResult], name: str, tmp_path: Path
) -> None:
    result = imports[name]
    form = FORMS[name.rsplit(".", 1)[0]]
    rubric_path, evidence_path = written(result, tmp_path)
    rubric, evidence = load_rubric_file(rubric_path), load_evidence(evidence_path)
    outcome = {line.code: line for line in score(rubric, evidence).indicators}
    printed = {line.name.split("：")[-1]: line for line in form.scored_lines()}
    assert {leaf.name for leaf in rubric.leaves() if leaf.code != "Z"} == set(printed)
    discretion = []
    for leaf in rubric.leaves():
        line = outcome[leaf.code]
        if leaf.code == "Z":
            expected = Decimal(form.funds[0].score)
        else:
            expected = Decimal(printed[leaf.name].score)
            if printed[leaf.name].discretion:
                discretion.append(f"{leaf.code}{leaf.name}")
                assert isinstance(leaf.method, JudgementMethod) and line.decided
        assert line.declared == expected, leaf.code
        if form is MONITORING and leaf.code == "Z":
            continue  # its total money row is typed as 0: no rate to score from (reported)
        assert line.score == expected, (leaf.code, line.reason)
    assert result.account.discretion == discretion
    assert not [f for f in lint(rubric, evidence) if f.check == "declared-differs"]


def test_score_command_gives_the_printed_total(
    imports: dict[str, ImportResult], tmp_path: Path
) -> None:
    for name, total in (("roads-yuan.xlsx", "94.62"), ("training-wanyuan.xlsx", "92.44")):
        assert FORMS[name[:-5]].printed_total() == total
        rubric, evidence = written(imports[name], tmp_path)
        run = CliRunner().invoke(main, ["score", str(rubric), str(evidence), "--json"])
        assert run.exit_code == 0, run.output
        data = json.loads(run.output)
        assert Decimal(str(data["total"])) == Decimal(total)
        assert data["grade"] == "优"


def test_import_command_prints_the_account(files: dict[str, Path], tmp_path: Path) -> None:
    run = CliRunner().invoke(
        main, ["import", str(files["roads-yuan.xlsx"]), "-o", str(tmp_path / "r.yaml")]
    )
    assert run.exit_code == 0, run.output
    out = run.output
    assert "导入指标：12个末级指标（4个一级指标）" in out
    assert "计分规则：取自原表脚注（第28行）" in out
    assert "定性指标三档：100%-80%、80%-50%、50%-0%" in out
    assert "第15行“指标3：……”：空白表的占位行" in out
    assert "第20行：全行为“/”，视为不适用的空行" in out
    assert "第26行“……”：空白表的占位行" in out
    assert "二级指标“经济效益指标”下没有可导入的指标" in out
    assert "实际完成值9项" in out
    assert (
        "原表得分为评价人酌情认定、不能按规则复算的指标（2）：B11群众出行条件、B22管护长效机制"
        in out
    )
    # the footnote's 100–80 / 80–50 / 50–0 bands are the 定性 lines' own: nothing to check by hand
    assert "须人工核对" not in out
    assert "原表自相矛盾之处（分值合计、总分、资金块）：未发现" in out


# ---------------------------------------------------------------------------------------------
# Signs, units and the footnote's rule.


def test_signs_inside_the_targets_set_nature_direction_and_unit(
    imports: dict[str, ImportResult],
) -> None:
    result = imports["roads-yuan.xlsx"]
    cases = {
        "道路硬化长度": ("≥", "266", "米", "higher", Decimal(266)),
        "培训养护人员": ("≥", "120", "人次", "higher", Decimal(120)),
        "路面平整度达标率": ("≥", "95", "%", "higher", Decimal("0.95")),
        "按期完工率": ("=", "100", "%", "higher", Decimal(1)),
        "每公里建设成本": ("≤", "50", "万元", "lower", Decimal(50)),
        "沿线村庄通达率": ("=", "100", "%", "higher", Decimal(1)),
        "道路设计使用年限": ("≥", "10", "年", "higher", Decimal(10)),
    }
    for name, (nature, target, unit, direction, method_target) in cases.items():
        leaf = leaf_by_name(result, name)
        assert (leaf.nature, leaf.target, leaf.unit) == (nature, target, unit), name
        assert isinstance(leaf.method, RatioMethod), name
        assert (leaf.method.direction, leaf.method.target) == (direction, method_target), name
        assert leaf.method.mode == "proportional"
        assert result.inferences[leaf.code].confidence >= 0.9, name
    unsigned = leaf_by_name(result, "工程验收合格率")
    assert unsigned.nature == "≥" and unsigned.code in result.account.review
    assert "未标指标性质" in result.inferences[unsigned.code].note


def test_signs_in_a_nature_column_with_full_width_and_box_drawing_twins(
    imports: dict[str, ImportResult],
) -> None:
    result = imports["training-wanyuan.xlsx"]
    cases = {
        "举办技能培训班": ("≥", "期", "higher"),  # ≧
        "安全事故发生次数": ("≤", "次", "lower"),  # ＜
        "资金拨付及时率": ("=", "%", "higher"),  # ═
        "人均培训成本": ("≤", "元", "lower"),  # ≦
        "培训后就业率": ("≥", "%", "higher"),  # ＞
    }
    for name, (nature, unit, direction) in cases.items():
        leaf = leaf_by_name(result, name)
        assert (leaf.nature, leaf.unit) == (nature, unit), name
        assert isinstance(leaf.method, RatioMethod) and leaf.method.direction == direction
    qualitative = leaf_by_name(result, "技能水平提升情况")
    assert qualitative.nature == "定性"
    assert qualitative.method == JudgementMethod(type="judgement", scale="national")
    assert result.account.checks == {}


def test_footnote_rule_is_the_rule_text_of_the_lines_it_governs(
    imports: dict[str, ImportResult],
) -> None:
    result = imports["roads-yuan.xlsx"]
    quantitative = leaf_by_name(result, "道路硬化长度")
    assert "定量指标完成年度指标值的得满分" in quantitative.rule
    qualitative = leaf_by_name(result, "管护长效机制")
    assert "100-80%（含）、80-50%（含）、50-0%" in qualitative.rule


def test_band_edges_as_printed_are_the_qualitative_lines_bands(
    imports: dict[str, ImportResult], tmp_path: Path
) -> None:
    result = imports["roads-yuan.xlsx"]
    edges = [Decimal("0.8"), Decimal("0.5")]
    for name in ("群众出行条件", "管护长效机制"):
        leaf = leaf_by_name(result, name)
        assert leaf.method == JudgementMethod(type="judgement", scale="national", edges=edges)
        assert leaf.code not in result.account.checks
        assert leaf.code not in result.account.review
        assert "100%-80%、80%-50%、50%-0%" in result.inferences[leaf.code].note
    # 2.75 of 5 is 55%: 部分达成 in this province's bands (80–50%), not 未达成 (national 60–0%)
    _, evidence_path = written(result, tmp_path)
    evidence = load_evidence(evidence_path)
    decision = evidence.lines[leaf.code].decision
    assert decision is not None
    assert (decision.band, decision.share) == ("部分达成并具有一定效果", Decimal("0.55"))


def test_no_printed_rule_uses_the_national_default_and_says_so(
    imports: dict[str, ImportResult],
) -> None:
    result = imports["monitoring-contradictions.xlsx"]
    text = result.account_text()
    assert "原表未印定量指标计分办法：按全国通行做法" in text
    assert "原表未印定性指标分档：按全国通行三档" in text
    shared = leaf_by_name(result, "监测数据共享机制")
    assert shared.method == JudgementMethod(type="judgement", scale="national")


def test_money_block_in_yuan_and_wanyuan(imports: dict[str, ImportResult]) -> None:
    roads, training = imports["roads-yuan.xlsx"], imports["training-wanyuan.xlsx"]
    for result, unit, numerator, denominator in (
        (roads, "元", 1100000, 1200000),
        (training, "万元", Decimal("57.6"), 60),
    ):
        z = result.rubric.find("Z")
        assert z is not None and isinstance(z.method, RatioMethod)
        assert z.method.numerator_label == f"全年执行数(B)（{unit}）"
        assert z.method.denominator_label == f"全年预算数(A)（{unit}）"
        line = result.evidence["lines"]["Z"]
        assert (line["numerator"], line["denominator"]) == (numerator, denominator)
    assert roads.evidence["project"] == "乡村道路硬化工程"
    assert roads.evidence["department"] == "某县交通运输局"
    assert roads.evidence["unit"] == "某县公路养护中心"
    assert roads.evidence["period"] == "2025年度"
    assert roads.rubric.year == 2025
    word = imports["roads-yuan.docx"]
    assert (word.evidence["period"], word.rubric.year) == ("2025年度", 2025)
    assert "完成乡村道路硬化266米" in (roads.rubric.description or "")


def test_template_from_an_imported_form_shows_its_units(
    imports: dict[str, ImportResult], tmp_path: Path
) -> None:
    from xladdin.importer.xlsx import open_workbook, sheet_grid
    from xladdin.workbook.build import write_workbook

    result = imports["roads-yuan.xlsx"]
    book = write_workbook(result.rubric, tmp_path / "t.xlsx") or tmp_path / "t.xlsx"
    grid = sheet_grid(book, open_workbook(book).worksheets[0])
    shown = {text for row in grid.rows for text in row}
    assert {"266米", "120人次", "95%", "50万元", "10年"} <= shown


# ---------------------------------------------------------------------------------------------
# Contradictions: imported as printed, reported by import, then by lint/score where they can.


def test_contradictions_are_imported_as_printed_and_reported(
    imports: dict[str, ImportResult], tmp_path: Path
) -> None:
    result = imports["monitoring-contradictions.xlsx"]
    rubric = result.rubric
    assert rubric.total_weight == 100
    assert sum(level.weight for level in rubric.levels) == 110  # not rescaled
    found = "\n".join(result.account.contradictions)
    assert "一级指标分值合计110（含预算执行率），而原表总分为100" in found
    assert (
        "“年度资金总额”行全年预算数为0，而“其中：当年财政拨款”全年预算数200、全年执行数190" in found
    )
    assert "资金块执行率单元格为空，而得分印为9.5" in found
    skipped = "\n".join(result.account.skipped)
    assert "全行为“不适用”，视为不适用的空行" in skipped
    assert "“指标1：”：空白表的占位行" in skipped
    assert "二级指标“社会效益指标”下没有可导入的指标" in skipped
    z = result.evidence["lines"]["Z"]
    assert "numerator" not in z and z["declared"] == Decimal("9.5")
    rubric_path, evidence_path = written(result, tmp_path)
    run = CliRunner().invoke(main, ["lint", str(rubric_path), str(evidence_path)])
    assert run.exit_code == 1
    assert "一级指标权重合计110，应为100" in run.output
    assert "Z 缺少预算执行率" in run.output
    scored = CliRunner().invoke(main, ["score", str(rubric_path), str(evidence_path)])
    assert "未完成（有指标未评分）" in scored.output


def test_blank_rate_beside_usable_amounts_is_reported(tmp_path: Path) -> None:
    funds = [dataclasses.replace(TRAINING.funds[0], rate=""), *TRAINING.funds[1:]]
    form = dataclasses.replace(TRAINING, funds=funds)
    result = import_table(write_xlsx(form, tmp_path / "blank-rate.xlsx"))
    assert result.account.contradictions == [
        "资金块执行率单元格为空，而全年执行数/全年预算数=96.00%：按两数计算"
    ]
    assert result.evidence["lines"]["Z"]["numerator"] == Decimal("57.6")


def test_a_line_printed_as_not_applicable_is_marked_so(tmp_path: Path) -> None:
    lines = [
        *TRAINING.lines[:-1],
        Line("", "生态效益指标", "能源消耗降低率", "/", "/", "5", "/", nature="≧", unit="%"),
        TRAINING.lines[-1],
    ]
    form: Form = dataclasses.replace(TRAINING, lines=lines, total_weight="105")
    result = import_table(write_xlsx(form, tmp_path / "na.xlsx"))
    leaf = leaf_by_name(result, "能源消耗降低率")
    assert result.evidence["lines"][leaf.code] == {
        "not_applicable": True,
        "na_reason": "原表该行为“/”",
    }
    assert "能源消耗降低率" in "".join(result.account.not_applicable)
    assert leaf.code not in result.account.checks


# ---------------------------------------------------------------------------------------------
# The printed wording, one piece at a time.


@pytest.mark.parametrize(
    ("text", "sign", "number", "percent", "unit"),
    [
        ("≥266米", "≥", "266", False, "米"),
        ("≤50万元", "≤", "50", False, "万元"),
        ("100%", None, "100", True, ""),
        ("=100%", "=", "100", True, ""),
        ("≧95%", "≥", "95", True, ""),
        ("≦ 3 天", "≤", "3", False, "天"),
        ("═100%", "=", "100", True, ""),
        ("＞＝90％", "≥", "90", True, ""),
        ("＜1次", "<", "1", False, "次"),
        (">=1,200人次", "≥", "1200", False, "人次"),
        ("95%以上", "≥", "95", True, ""),
        ("１２０人", None, "120", False, "人"),
    ],
)
def test_parse_printed_target(
    text: str, sign: str | None, number: str, percent: bool, unit: str
) -> None:
    printed = parse_printed(text)
    assert (printed.sign, printed.number, printed.percent, printed.unit) == (
        sign,
        Decimal(number),
        percent,
        unit,
    )


def test_words_are_not_numbers() -> None:
    for text in ("明显改善", "按时完成", "建立", "≥较上年提高"):
        assert parse_printed(text).number is None


def test_signs_and_placeholders() -> None:
    assert [canonical_sign(s) for s in ("≧", "≦", "═", "＝", "＞", "＜", ">=", "=")] == [
        "≥",
        "≤",
        "=",
        "=",
        ">",
        "<",
        "≥",
        "=",
    ]
    assert all(is_placeholder(t) for t in ("指标2：……", "……", "指标1：", "...", "指标3："))
    assert not any(is_placeholder(t) for t in ("指标1：培训人次", "/", "××完成数量"))
    assert indicator_name("指标1：道路硬化长度") == "道路硬化长度"


def test_footnote_band_edges_and_conventions() -> None:
    fifty = read_footnote(ROADS.footnote[0])
    assert fifty.mode == "proportional" and fifty.inverse == "target_over_actual"
    assert fifty.edges == (Decimal("0.8"), Decimal("0.5"))
    sixty = read_footnote("\n".join(TRAINING.footnote))
    assert sixty.edges == (Decimal("0.8"), Decimal("0.6"))
    national = read_footnote(
        "注：定性指标分别按照该指标分值的80%（含）-100%、60%（含）-80%、0-60%合理确定得分。"
    )
    assert national.edges == (Decimal("0.8"), Decimal("0.6"))
    double = read_footnote(
        "注：1.定量指标未完成的按比例计分。2.反向指标超过指标值的线性递减，达到两倍指标值的得0分。"
    )
    assert double.inverse == "linear_to_double"
    national_2020 = read_footnote(
        "注：1.定量指标若为正向指标，则得分计算方法应用全年实际值（B）/年度指标值（A）×该指标分值；"
        "若定量指标为反向指标，则得分计算方法应用年度指标值（A）/全年实际值（B）×该指标分值。"
        "2.定性指标根据指标完成情况分为：达成年度指标、部分达成年度指标并具有一定效果、"
        "未达成年度指标且效果较差三档，分别按照该指标对应分值区间100-80%（含）、80-50%（含）、"
        "50-0%合理确定分值。"
    )
    assert national_2020.mode == "proportional"
    assert national_2020.inverse == "target_over_actual"
    assert national_2020.edges == (Decimal("0.8"), Decimal("0.5"))
    nothing = read_footnote("注：请如实填写。")
    assert (nothing.mode, nothing.inverse, nothing.edges) == (None, None, None)
    assert read_footnote("注：定性指标按档计分。").problems == ["脚注的定性指标分档无法识别"]


def test_audit_of_the_imported_form_finds_no_difference(
    imports: dict[str, ImportResult], tmp_path: Path
) -> None:
    runner = CliRunner()
    for name, code in (("roads-yuan.xlsx", 0), ("monitoring-contradictions.xlsx", 1)):
        rubric, evidence = written(imports[name], tmp_path)
        book = tmp_path / f"{name}.book.xlsx"
        made = runner.invoke(
            main, ["template", str(rubric), "--evidence", str(evidence), "-o", str(book)]
        )
        assert made.exit_code == 0, made.output
        audited = runner.invoke(main, ["audit", str(book)])
        assert audited.exit_code == code, audited.output
    assert "一级指标权重合计110，应为100" in audited.output


def test_printed_rate_that_is_not_b_over_a_is_reported(tmp_path: Path) -> None:
    funds = [dataclasses.replace(TRAINING.funds[0], rate="0.95"), *TRAINING.funds[1:]]
    form = dataclasses.replace(TRAINING, funds=funds)
    result = import_table(write_xlsx(form, tmp_path / "rate.xlsx"))
    assert result.account.contradictions == ["资金块执行率印为95%，而全年执行数/全年预算数=96.00%"]


def test_footnote_all_or_nothing_gives_threshold_lines(tmp_path: Path) -> None:
    footnote = ["注：定量指标完成年度指标值的得满分，未完成的不得分。"]
    form = dataclasses.replace(MONITORING, footnote=footnote)
    result = import_table(write_xlsx(form, tmp_path / "threshold.xlsx"))
    leaf = leaf_by_name(result, "数据采集频次")
    assert leaf.method is not None and leaf.method.type == "threshold"
    assert leaf.method.model_dump(include={"op", "value", "unit"}) == {
        "op": ">=",
        "value": Decimal(12),
        "unit": "次",
    }
    rubric, evidence = written(result, tmp_path)
    scored = score(load_rubric_file(rubric), load_evidence(evidence))
    line = next(i for i in scored.indicators if i.code == leaf.code)
    assert line.score == 0  # 10 of 12: not reached, so nothing under this province's rule


def test_doubtful_natures_are_marked_for_manual_check() -> None:
    rules = read_footnote("\n".join(TRAINING.footnote))
    unknown = line_method("约束性", "明显提升", "", rules)
    assert unknown.check is not None and unknown.inference.needs_review
    clash = line_method("≦", "≥100", "个", rules)
    assert clash.check is not None and "不一致" in clash.check
    assert clash.inference.method["direction"] == "lower"
    words = line_method("≧", "按期完成", "", rules)
    assert words.inference.method == {"type": "judgement"} and words.check is not None
    assert line_method("正向", "90", "%", rules).nature == "≥"
    assert line_method("反向指标", "3", "天", rules).inference.method["direction"] == "lower"


def test_two_row_header_with_the_level_columns_under_one_title(tmp_path: Path) -> None:
    form = dataclasses.replace(TRAINING, two_row_header=True)
    result = import_table(write_xlsx(form, tmp_path / "two-rows.xlsx"))
    rubric, evidence = written(result, tmp_path)
    scored = score(load_rubric_file(rubric), load_evidence(evidence))
    assert [(i.name, i.score) for i in scored.indicators if i.code != "Z"] == [
        (line.name, Decimal(line.score)) for line in TRAINING.scored_lines()
    ]
    assert len(result.account.skipped) == 2  # the "—" row and the group it leaves empty
    assert scored.total == Decimal(TRAINING.printed_total())


def test_whole_point_rounding_printed_in_the_footnote(tmp_path: Path) -> None:
    footnote = [*TRAINING.footnote, "3.各项得分四舍五入保留整数。"]
    rounded = {"人均培训成本": "9", "培训后就业率": "14", "技能水平提升情况": "11"}
    lines = [
        dataclasses.replace(line, score=rounded.get(line.name, line.score))
        for line in TRAINING.lines
    ]
    funds = [dataclasses.replace(TRAINING.funds[0], score="10"), *TRAINING.funds[1:]]
    form = dataclasses.replace(TRAINING, footnote=footnote, lines=lines, funds=funds)
    result = import_table(write_xlsx(form, tmp_path / "whole.xlsx"))
    assert result.rubric.rounding.score.places == 0
    assert "各项得分四舍五入保留整数" in result.account_text()
    rubric, evidence = written(result, tmp_path)
    scored = score(load_rubric_file(rubric), load_evidence(evidence))
    assert [(i.name, i.score) for i in scored.indicators] == [("预算执行率", Decimal(10))] + [
        (line.name, Decimal(line.score)) for line in form.scored_lines()
    ]
    assert scored.total == Decimal(form.printed_total()) == 93
