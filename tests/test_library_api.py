"""`import xladdin` for people who script their evaluations."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import xladdin

ROOT = Path(__file__).parent.parent


def test_score_a_bundled_rubric_from_a_script() -> None:
    rubric = xladdin.load_rubric("nanjing-dsj-2022")
    evidence = xladdin.load_evidence(ROOT / "rubrics" / "evidence" / "nanjing-dsj-2022.yaml")
    result = xladdin.score(rubric, evidence)
    assert (result.total, result.grade) == (Decimal("93.08"), "优")
    assert result.indicator("B11").reason == "部门预算执行率93.25%，扣7%权重分"
    assert {f.code for f in xladdin.lint(rubric, evidence) if f.check == "decision-share"} == {
        "A32",
        "B61",
        "B62",
    }


def test_template_then_recalc_from_a_script(tmp_path: Path) -> None:
    evidence = xladdin.load_evidence(ROOT / "rubrics" / "evidence" / "nanjing-zwxx-2021.yaml")
    xladdin.template("nanjing-zwxx-2021", tmp_path / "t.xlsx", evidence)
    done = xladdin.recalc(tmp_path / "t.xlsx", tmp_path / "out.xlsx")
    assert done.result.total == Decimal("90.23")
    assert (tmp_path / "out.xlsx").exists()


def test_a_one_file_recalc_does_not_import_pandas_or_xlwings(tmp_path: Path) -> None:
    example = ROOT / "workbook_templates" / "nanyang-zsj-2021-example.xlsx"
    code = (
        "import sys\n"
        "from xladdin.cli import main\n"
        f"sys.argv = ['xladdin', 'recalc', {str(example)!r}, '-o', {str(tmp_path / 'o.xlsx')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "loaded = [m for m in ('pandas', 'xlwings', 'openpyxl', 'docx') if m in sys.modules]\n"
        "print('LOADED:' + ','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "LOADED:"
