"""Running recalculation over files from the command line: outputs, failures, JSON, the demo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .core.errors import XladdinError
from .core.numbers import fmt_number
from .termtable import render


@dataclass
class Outcome:
    source: Path
    output: Path | None
    summary: dict[str, Any] | None
    error: str | None


def recalc_one(source: Path, output: Path | None) -> Outcome:
    """Recalculate one file; a domain error becomes the outcome's error, never an exception."""
    from .core.export import result_dict
    from .workbook.recalc import recalc

    try:
        done = recalc(source, output)
    except XladdinError as exc:
        return Outcome(source, output, None, str(exc.in_file(str(source))))
    return Outcome(source, output, result_dict(done.result, str(source), done.findings), None)


def target_for(
    source: Path, output: Path | None, out_dir: Path | None, in_place: bool
) -> Path | None:
    if output is not None:
        return output
    if out_dir is not None:
        return out_dir / source.name
    if in_place:
        return source
    return None


def run_recalc(
    files: list[Path], *, output: Path | None, out_dir: Path | None, in_place: bool, as_json: bool
) -> int:
    outcomes = [recalc_one(f, target_for(f, output, out_dir, in_place)) for f in files]
    report(outcomes, as_json, wrote=output is not None or out_dir is not None or in_place)
    return 1 if any(o.error for o in outcomes) else 0


def report(outcomes: list[Outcome], as_json: bool, wrote: bool) -> None:
    good = [o for o in outcomes if o.summary is not None]
    failed = [o for o in outcomes if o.error is not None]
    if as_json:
        data: Any = [o.summary for o in good]
        if len(outcomes) == 1 and good:
            data = good[0].summary
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        rows = []
        for o in good:
            assert o.summary is not None
            grade = o.summary["grade"] or "未完成"
            rows.append(
                (
                    str(o.output or o.source),
                    fmt_number_any(o.summary["total"]),
                    grade,
                    len(o.summary["warnings"]),
                )
            )
        if rows:
            click.echo(render(["工作簿", "总分", "等级", "提示"], rows, numeric=(1, 3)))
        if good and not wrote:
            click.echo("（未写出文件：如需保存结果，请使用 -o、--out-dir 或 --in-place）")
    for o in failed:
        click.echo(f"失败：{o.error}", err=True)
    if failed:
        click.echo(f"共 {len(outcomes)} 个文件，{len(failed)} 个失败。", err=True)


def fmt_number_any(value: Any) -> str:
    from decimal import Decimal

    if value is None:
        return ""
    return fmt_number(Decimal(str(value)))


DEMO_RUBRICS = ("nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021")


def run_demo(out: Path) -> int:
    """Build the published examples from the bundled rubrics and evidence, recalculate them."""
    from .library import find_bundled, load_evidence, load_rubric_file
    from .workbook.build import example_name, write_workbook

    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for rubric_id in DEMO_RUBRICS:
        entry = find_bundled(rubric_id)
        assert entry is not None and entry.evidence_path is not None, rubric_id
        path = out / example_name(rubric_id)
        write_workbook(load_rubric_file(entry.path), path, load_evidence(entry.evidence_path))
        outcomes.append(recalc_one(path, path))
    rows = []
    for o in outcomes:
        if o.summary is not None:
            rows.append(
                (
                    o.source.name,
                    o.summary["title"],
                    fmt_number_any(o.summary["total"]),
                    o.summary["grade"] or "未完成",
                )
            )
    click.echo(render(["工作簿", "评分表", "总分", "等级"], rows, numeric=(2,)))
    for o in outcomes:
        if o.error:
            click.echo(f"失败：{o.error}", err=True)
    click.echo(f"示例已写入：{out}")
    return 1 if any(o.error for o in outcomes) else 0
