"""Plausibility of an evaluation's evidence: values no line can have, and values to check.

Each line's method says what is impossible (an error: a negative amount or rate) and what is
implausible (a warning: a rate that looks like a percentage typed as a whole number, spending
above the budget, a completion far above the target). The findings name the indicator and the
evidence field.
"""

from __future__ import annotations

from .evidence import Evidence
from .methods import method_spec
from .result import Finding
from .rubric import Rubric


def plausibility(rubric: Rubric, evidence: Evidence) -> list[Finding]:
    """Impossible (error) and implausible (warning) evidence of every applicable line."""
    findings: list[Finding] = []
    for leaf in rubric.leaves():
        line = evidence.line(leaf.code)
        if line is None or line.not_applicable:
            continue
        spec = method_spec(leaf)
        findings.extend(spec.plausibility(leaf, leaf.method, line, rubric.rounding))
    return findings
