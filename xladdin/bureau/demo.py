"""``xladdin demo``: the published examples built from the bundled rubrics and recalculated."""

from __future__ import annotations

from pathlib import Path

from .tasks import Outcome, recalc_one

DEMO_RUBRICS = ("nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021")


def build_demo(out: Path, *, force: bool = False) -> list[Outcome]:
    """Write the three published examples into ``out`` and recalculate them in place.

    An existing example is replaced only if it holds the same entries, or with ``force``
    (:mod:`xladdin.workbook.build`); a refusal is raised before any example is written.
    """
    from ..library import find_bundled, load_evidence, load_rubric_file
    from ..workbook.build import check_replaceable, example_name, write_workbook

    items = []
    for rubric_id in DEMO_RUBRICS:
        entry = find_bundled(rubric_id)
        assert entry is not None and entry.evidence_path is not None, rubric_id
        rubric = load_rubric_file(entry.path)
        evidence = load_evidence(entry.evidence_path)
        items.append((rubric, out / example_name(rubric_id), evidence))
    if not force:
        check_replaceable(items)
    outcomes = []
    for rubric, path, evidence in items:
        write_workbook(rubric, path, evidence)
        outcomes.append(recalc_one(path, path))
    return outcomes
