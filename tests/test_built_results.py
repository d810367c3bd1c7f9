"""Results the scorer builds without pydantic's validation are the models validation builds:
the same values, every field set, in the order the models declare."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from xladdin.core.evidence import LineEvidence
from xladdin.core.scoring import score
from xladdin.library import bundled, load_evidence, load_rubric_file

EXAMPLES = [entry for entry in bundled() if entry.evidence_path is not None]


def _same_as_validated(model: BaseModel) -> None:
    cls = type(model)
    again = cls.model_validate(model.model_dump())
    assert again == model
    assert list(model.__dict__) == list(cls.model_fields)
    assert model.model_fields_set == again.model_fields_set
    assert repr(model) == repr(again)


@pytest.mark.parametrize("entry", EXAMPLES, ids=lambda entry: entry.id)
def test_scored_results_are_the_validated_models(entry: Any) -> None:
    rubric = load_rubric_file(entry.path)
    evidence = load_evidence(entry.evidence_path)
    first = rubric.leaves()[0].code
    lines = {**evidence.lines, first: LineEvidence(not_applicable=True)}
    for variant in (evidence, evidence.model_copy(update={"lines": lines})):
        result = score(rubric, variant)
        _same_as_validated(result)
        for model in [*result.indicators, *result.levels, *result.adjustments]:
            _same_as_validated(model)
