"""The account ``xladdin import`` prints: what was imported, how sure, what was left out and why.

Written for the finance officer (Chinese): lines imported, the methods inferred with their
confidence, where the scoring rule came from (the form's footnote or the national default), rows
skipped, evidence taken, lines whose printed score is the evaluator's own decision, lines to be
checked by hand (须人工核对) and the contradictions the form prints.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..core.infer import REVIEW_BELOW
from ..core.rubric import METHOD_NAMES


@dataclass
class ImportAccount:
    """What an import did, line by line where it matters."""

    lines: int = 0
    groups: int = 0
    methods: dict[str, tuple[str, float]] = field(default_factory=dict)  # code → (type, conf.)
    rule_source: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    discretion: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    contradictions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def review(self) -> list[str]:
        return [code for code, (_, conf) in self.methods.items() if conf < REVIEW_BELOW]

    def method_summary(self) -> str:
        by_type: dict[str, list[float]] = defaultdict(list)
        for kind, confidence in self.methods.values():
            by_type[kind].append(confidence)
        parts = []
        for kind, confidences in sorted(by_type.items(), key=lambda item: -len(item[1])):
            low, high = min(confidences), max(confidences)
            sure = f"置信度{low:g}" if low == high else f"置信度{low:g}–{high:g}"
            parts.append(f"{METHOD_NAMES.get(kind, kind)} {len(confidences)}项（{sure}）")
        return "，".join(parts)

    def text(self) -> str:
        """The account as printed by ``xladdin import``."""
        out = [f"导入指标：{self.lines}个末级指标（{self.groups}个一级指标）"]
        if self.methods:
            out.append(f"评分方法：{self.method_summary()}")
        out.extend(f"计分规则：{text}" for text in self.rule_source)
        review = self.review
        if review:
            out.append(f"请核对（低置信度）：{'、'.join(review)}")
        if self.skipped:
            out.append(f"跳过的行（{len(self.skipped)}）：")
            out.extend(f"  - {text}" for text in self.skipped)
        if self.not_applicable:
            out.append(f"不适用：{'；'.join(self.not_applicable)}")
        if self.evidence:
            out.append(f"佐证取自原表：{'；'.join(self.evidence)}")
        if self.discretion:
            out.append(
                f"原表得分为评价人酌情认定、不能按规则复算的指标（{len(self.discretion)}）："
                + "、".join(self.discretion)
            )
        if self.checks:
            out.append(f"须人工核对（{len(self.checks)}）：")
            out.extend(f"  - {code}：{reason}" for code, reason in self.checks.items())
        if self.contradictions:
            out.append(f"原表自相矛盾之处（{len(self.contradictions)}，照原表导入，未作折算）：")
            out.extend(f"  - {text}" for text in self.contradictions)
        else:
            out.append("原表自相矛盾之处（分值合计、总分、资金块）：未发现")
        out.extend(f"提示：{note}" for note in self.notes)
        out.extend(f"警告：{text}" for text in self.warnings)
        return "\n".join(out)
