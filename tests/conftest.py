"""Fixtures shared by the workbook tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from xladdin.bureau.demo import DEMO_RUBRICS
from xladdin.cli import run_demo
from xladdin.workbook.build import example_name


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three published examples as `xladdin demo` writes them (evidence entered,
    recalculated, the 得分 column holding the published scores). One copy per test module;
    tests that change a workbook work on a copy."""
    out = tmp_path_factory.mktemp("examples")
    assert run_demo(out) == 0
    return {rubric_id: out / example_name(rubric_id) for rubric_id in DEMO_RUBRICS}
