"""Plausibility of an evaluation's evidence: values no line can have, and values to check.

Each line's method says what is impossible (an error: a negative amount or rate) and what is
implausible (a warning: a rate that looks like a percentage typed as a whole number, spending
above the budget, a completion far above the target), by the rubric's thresholds
(``plausibility``: national defaults, a province may set its own). The findings name the
indicator and the evidence field.

Scoring acts on them (:func:`xladdin.core.scoring.score_line`): an impossible value makes the
line 佐证有误, an implausible one 需核对 until the officer confirms it (已核对: 是); a
confirmed line's findings are kept as information.
"""

from __future__ import annotations

from typing import Any

from .evidence import Evidence, LineEvidence
from .methods import MethodSpec, method_spec
from .methods.base import checking_with, plausibility_policy
from .once import per_object
from .result import Finding
from .rubric import Node, Rubric


def line_plausibility(node: Node, line: LineEvidence, rubric: Rubric) -> list[Finding]:
    """Impossible (error) and implausible (warning) evidence of one line, by the rubric's
    thresholds; nothing for a line marked not applicable."""
    if line.not_applicable:
        return []
    spec = method_spec(node)
    if plausibility_policy() is rubric.plausibility:  # a caller set them for every line
        return spec.plausibility(node, node.method, line, rubric.rounding)
    with checking_with(rubric.plausibility):
        return spec.plausibility(node, node.method, line, rubric.rounding)


@per_object
def _checked_leaves(rubric: Rubric) -> list[tuple[Node, MethodSpec[Any]]]:
    """The leaves whose method checks plausibility, with its spec: once per rubric object (a
    batch's workbooks share their rubric)."""
    specs = [(leaf, method_spec(leaf)) for leaf in rubric.leaves()]
    return [(leaf, spec) for leaf, spec in specs if spec.checks_plausibility]


def plausibility(rubric: Rubric, evidence: Evidence) -> list[Finding]:
    """Impossible (error) and implausible (warning) evidence of every applicable line; on a
    line the officer confirmed (已核对), the implausible findings are information."""
    findings: list[Finding] = []
    lines, policy = evidence.lines, rubric.rounding
    with checking_with(rubric.plausibility):
        for leaf, spec in _checked_leaves(rubric):
            line = lines.get(leaf.code)
            if line is None or line.not_applicable:
                continue
            for finding in spec.plausibility(leaf, leaf.method, line, policy):
                if line.confirmed and finding.severity == "warning":
                    finding = finding.model_copy(
                        update={"severity": "info", "message": f"已核对确认：{finding.message}"}
                    )
                findings.append(finding)
    return findings
