"""人工认定 (manual): the line's score is the evaluator's figure."""

from __future__ import annotations

from typing import Literal

from ..fields import Frozen
from .base import (
    DECISION_REASON,
    DECISION_SCORE,
    EvidenceInput,
    MethodSpec,
)


class ManualMethod(Frozen):
    """人工认定: the line's score is the evaluator's figure (004 publishes only group scores)."""

    type: Literal["manual"]


def _needs(method: ManualMethod) -> list[EvidenceInput]:
    return [DECISION_SCORE.needed(), DECISION_REASON.needed()]


SPEC = MethodSpec(type="manual", name="人工认定", model=ManualMethod, needs=_needs)
