"""The command line on rubric and evidence files: listing, linting, scoring, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.workbooks import run_cli as run
from xladdin.library import bundled

ROOT = Path(__file__).parent.parent
RUBRICS = ROOT / "rubrics"


def test_rubrics_lists_the_published_tables_and_starters() -> None:
    code, out, _ = run("rubrics")
    assert code == 0
    for rubric_id in (
        "nanjing-dsj-2022",
        "nanjing-zwxx-2021",
        "nanyang-zsj-2021",
        "national-project-2020",
        "national-self-eval",
        "department-wide",
    ):
        assert rubric_id in out


def test_rubrics_json_describes_each_rubric() -> None:
    code, out, _ = run("rubrics", "--json")
    assert code == 0
    listed = {entry["id"]: entry for entry in json.loads(out)}
    assert listed["nanjing-dsj-2022"]["kind"] == "department"
    assert listed["nanjing-dsj-2022"]["has_evidence"] is True
    assert listed["national-self-eval"]["starter"] is True


def test_lint_000_warns_about_its_published_inconsistencies_without_errors() -> None:
    code, out, _ = run(
        "lint", "nanjing-dsj-2022", str(RUBRICS / "evidence" / "nanjing-dsj-2022.yaml"), "--json"
    )
    assert code == 0
    findings = json.loads(out)["findings"]
    flagged = {(f["code"], f["check"]) for f in findings if f["severity"] == "warning"}
    assert ("B62", "decision-share") in flagged
    assert ("C12", "rule-points") in flagged
    assert ("C13", "rule-points") in flagged
    notes = {f["code"] for f in findings if f["check"] == "code-assigned"}
    assert notes == {"E11", "E21"}


def test_lint_001_flags_a22_share_and_b12_convention() -> None:
    code, out, _ = run(
        "lint", "nanjing-zwxx-2021", str(RUBRICS / "evidence" / "nanjing-zwxx-2021.yaml"), "--json"
    )
    assert code == 0
    warnings = {
        (f["code"], f["check"]): f["message"]
        for f in json.loads(out)["findings"]
        if f["severity"] == "warning"
    }
    assert ("A22", "decision-share") in warnings
    assert "按比例计分" in warnings[("B12", "decision-differs")]
    assert "1.88" in warnings[("B12", "decision-differs")]


def test_score_prints_the_total_and_grade() -> None:
    code, out, _ = run(
        "score", "nanjing-zwxx-2021", str(RUBRICS / "evidence" / "nanjing-zwxx-2021.yaml")
    )
    assert code == 0
    assert "总分 90.23，等级：优" in out


def test_score_json_numbers_are_json_numbers() -> None:
    code, out, _ = run(
        "score", "nanyang-zsj-2021", str(RUBRICS / "evidence" / "nanyang-zsj-2021.yaml"), "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 87.96
    assert [level["rate"] for level in data["levels"]] == [0.8893, 1, 0.8504, 0.92, 0.9]


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _base() -> dict:
    return yaml.safe_load((RUBRICS / "nanjing-zwxx-2021.yaml").read_text(encoding="utf-8"))


def _leaf(data: dict, code: str) -> dict:
    stack = list(data["levels"])
    while stack:
        node = stack.pop()
        if node["code"] == code:
            return node
        stack.extend(node.get("children") or [])
    raise KeyError(code)


BAD_RUBRICS = {
    "weight_as_text": (
        lambda d: _leaf(d, "A11").update(weight="两分"),
        "A11",
        "weight",
        "应为数字",
    ),
    "unknown_method": (
        lambda d: _leaf(d, "B12").update(method={"type": "magic"}),
        "B12",
        "method",
        "未知的评分方法",
    ),
    "negative_weight": (lambda d: _leaf(d, "C11").update(weight=-1), "C11", "weight", "不能为负数"),
    "wrong_type": (
        lambda d: _leaf(d, "D41")["method"].update(bands="高"),
        "D41",
        "bands",
        "应为列表",
    ),
    "missing_code": (lambda d: _leaf(d, "A21").pop("code"), "A2", "code", "缺少必填项"),
}


@pytest.mark.parametrize("case", sorted(BAD_RUBRICS))
def test_bad_rubric_gives_one_message_naming_file_code_and_field(case: str, tmp_path: Path) -> None:
    change, code, field, words = BAD_RUBRICS[case]
    data = _base()
    change(data)
    path = _write(tmp_path / f"{case}.yaml", data)
    exit_code, out, err = run("lint", str(path))
    assert exit_code == 2
    first = err.strip().splitlines()[0]
    assert str(path) in first
    assert f"指标 {code}" in first
    assert field in first
    assert words in first
    assert "Traceback" not in err + out


def test_rate_over_a_zero_budget_names_the_evidence_file_code_and_field(tmp_path: Path) -> None:
    data = yaml.safe_load(
        (RUBRICS / "evidence" / "nanjing-zwxx-2021.yaml").read_text(encoding="utf-8")
    )
    data["lines"]["B12"]["denominator"] = 0
    path = _write(tmp_path / "zero.yaml", data)
    exit_code, _, err = run("lint", "nanjing-zwxx-2021", str(path))
    assert exit_code == 2
    assert str(path) in err and "指标 B12" in err and "denominator" in err and "为0" in err


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nlevels: [\n", encoding="utf-8")
    exit_code, _, err = run("lint", str(path))
    assert exit_code == 2
    assert "YAML 格式错误" in err and str(path) in err


def test_unknown_rubric_id_lists_the_bundled_ones() -> None:
    exit_code, _, err = run("lint", "no-such-rubric")
    assert exit_code == 2
    assert "nanjing-dsj-2022" in err


def test_lint_exits_non_zero_when_weights_do_not_add_up(tmp_path: Path) -> None:
    data = _base()
    _leaf(data, "A11")["weight"] = 3
    exit_code, out, _ = run("lint", str(_write(tmp_path / "sum.yaml", data)))
    assert exit_code == 1
    assert "A1" in out and "下级指标权重合计" in out


def test_every_bundled_rubric_lints_without_errors() -> None:
    for entry in bundled():
        args = ["lint", entry.id] + ([str(entry.evidence_path)] if entry.evidence_path else [])
        exit_code, out, _ = run(*args)
        assert exit_code == 0, out


@pytest.mark.slow
def test_the_wheel_ships_the_rubric_library(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("xladdin-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for entry in bundled():
        assert f"xladdin/rubrics/{entry.path.name}" in names
    assert "xladdin/rubrics/evidence/nanjing-dsj-2022.yaml" in names
