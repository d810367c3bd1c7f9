"""The ``xladdin`` command. Heavy libraries are imported inside the commands that use them."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .core.errors import XladdinError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FINDINGS = 1
EXIT_ERROR = 2


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def friendly(func: F) -> F:
    """Print domain errors as one Chinese line, without a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except XladdinError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("XLADDIN_DEBUG"):
                raise
            click.echo(
                f"内部错误：{type(exc).__name__}: {exc}\n（设置环境变量 XLADDIN_DEBUG=1 可查看详细信息，并请报告此问题）",
                err=True,
            )
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xladdin")
def main() -> None:
    """xladdin：预算绩效评价评分（评分表模板、无 Excel 重算、Excel 函数与宏）。"""


@main.command("rubrics")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@friendly
def rubrics_command(as_json: bool) -> None:
    """列出内置的指标体系。"""
    from .core.rubric import KIND_NAMES
    from .library import bundled
    from .termtable import render

    entries = bundled()
    if as_json:
        _echo_json(
            [
                {
                    "id": e.id,
                    "title": e.title,
                    "kind": e.kind,
                    "year": e.year,
                    "starter": e.starter,
                    "has_evidence": e.evidence_path is not None,
                    "path": str(e.path),
                }
                for e in entries
            ]
        )
        return
    rows = [
        (
            e.id,
            e.title,
            KIND_NAMES[e.kind],
            e.year or "",
            "起步模板" if e.starter else "已发布评分表",
        )
        for e in entries
    ]
    click.echo(render(["编号", "名称", "类型", "年度", "来源"], rows))


def _load_pair(target: str, evidence: str | None) -> tuple[Any, Any, str]:
    """A rubric and optional evidence from a rubric id/YAML (+ evidence YAML) or a workbook."""
    from .library import find_bundled, load_evidence, load_rubric

    if Path(target).suffix.lower() in (".xlsx", ".xlsm"):
        from .workbook.reader import read_workbook

        book = read_workbook(Path(target))
        return book.rubric, book.evidence, target
    rubric = load_rubric(target)
    loaded = None
    if evidence is not None:
        loaded = load_evidence(evidence)
    return rubric, loaded, target if find_bundled(target) is None else rubric.id


@main.command("lint")
@click.argument("target")
@click.argument("evidence", required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@friendly
def lint_command(target: str, evidence: str | None, as_json: bool) -> None:
    """检查指标体系（及佐证）：权重、编码、评分规则与评价人认定是否一致。

    TARGET 为内置编号、YAML 文件或工作簿；EVIDENCE 为佐证 YAML（工作簿自带佐证）。
    有错误时退出码为 1。
    """
    from .core.export import finding_dict
    from .core.lint import has_errors, lint

    rubric, loaded, name = _load_pair(target, evidence)
    findings = lint(rubric, loaded)
    if as_json:
        _echo_json(
            {"target": name, "rubric": rubric.id, "findings": [finding_dict(f) for f in findings]}
        )
    else:
        counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
        for finding in findings:
            click.echo(finding.line())
        click.echo(
            f"{name}：{counts['error']}个错误，{counts['warning']}个警告，{counts['info']}个提示"
        )
    if has_errors(findings):
        sys.exit(EXIT_FINDINGS)


@main.command("score")
@click.argument("rubric")
@click.argument("evidence")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@friendly
def score_command(rubric: str, evidence: str, as_json: bool) -> None:
    """按佐证 YAML 计算得分：逐项得分、扣分原因、各级小计、总分与等级。"""
    from .core.export import result_dict
    from .core.scoring import score
    from .library import load_evidence, load_rubric
    from .reporting.text import result_table

    loaded_rubric = load_rubric(rubric)
    result = score(loaded_rubric, load_evidence(evidence))
    if as_json:
        _echo_json(result_dict(result))
    else:
        click.echo(result_table(result))


@main.command("template")
@click.argument("rubric")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="要生成的 .xlsx 文件。",
)
@click.option(
    "--evidence",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时填入此佐证 YAML 并计算得分。",
)
@friendly
def template_command(rubric: str, output: Path, evidence: Path | None) -> None:
    """按指标体系生成评分表工作簿（RUBRIC 为内置编号或 YAML 文件）。"""
    from .library import load_evidence, load_rubric
    from .workbook.build import write_workbook

    loaded = load_rubric(rubric)
    write_workbook(loaded, output, load_evidence(evidence) if evidence else None)
    click.echo(f"已生成：{output}")


@main.command("examples")
@click.option(
    "--out",
    "out",
    default="workbook_templates",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出文件夹。",
)
@click.option(
    "--check",
    is_flag=True,
    help="只检查文件夹中的工作簿是否与指标体系一致（不写文件），不一致时退出码为 1。",
)
@friendly
def examples_command(out: Path, check: bool) -> None:
    """由内置指标体系生成全部模板与填好的示例工作簿（workbook_templates/）。"""
    import tempfile

    from .workbook.build import write_examples

    if not check:
        for path in write_examples(out):
            click.echo(f"已生成：{path}")
        return
    with tempfile.TemporaryDirectory() as fresh:
        stale = []
        for path in write_examples(Path(fresh)):
            current = out / path.name
            if not current.exists() or current.read_bytes() != path.read_bytes():
                stale.append(current.name)
        extra = sorted(
            {p.name for p in out.glob("*.xlsx")} - {p.name for p in Path(fresh).glob("*.xlsx")}
        )
    for name in stale:
        click.echo(f"需要重新生成：{name}")
    for name in extra:
        click.echo(f"多余的文件：{name}")
    if stale or extra:
        click.echo("请运行 xladdin examples 重新生成。")
        sys.exit(EXIT_FINDINGS)
    click.echo("示例工作簿与指标体系一致。")


@main.command("recalc")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="输出文件（仅限一个输入文件）。",
)
@click.option(
    "--out-dir", type=click.Path(file_okay=False, path_type=Path), help="输出文件夹（文件名不变）。"
)
@click.option(
    "--in-place", is_flag=True, help="直接更新原文件（先写临时文件再替换，不会写坏原文件）。"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@friendly
def recalc_command(
    files: tuple[Path, ...],
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    as_json: bool,
) -> None:
    """不用 Excel 重算评分表：读取佐证，写回得分、扣分原因、小计、总分与等级。

    不加 -o / --out-dir / --in-place 时只计算并显示结果，不写任何文件。
    """
    from .batch import run_recalc

    chosen = sum(x is not None and x is not False for x in (output, out_dir, in_place or None))
    if chosen > 1:
        raise click.UsageError("-o、--out-dir 与 --in-place 只能选一个")
    if output is not None and len(files) != 1:
        raise click.UsageError("-o 只能用于一个输入文件；多个文件请用 --out-dir")
    sys.exit(
        run_recalc(list(files), output=output, out_dir=out_dir, in_place=in_place, as_json=as_json)
    )


@main.command("audit")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时写出复核表（.xlsx）：自评得分、复核得分与差异说明并列，差异行标色。",
)
@friendly
def audit_command(files: tuple[Path, ...], as_json: bool, xlsx: Path | None) -> None:
    """复核评分表：逐项比较自评得分（得分栏）与按佐证和评分规则计算的复核得分，列出差异及原因。

    给出多个工作簿时，还比较同类比率指标（如执行率）的计分口径是否一致。
    输入的工作簿不会被修改。退出码：0 无差异，1 有差异，2 有文件无法复核。
    """
    from .audit_output import run_audit

    sys.exit(run_audit(list(files), as_json=as_json, xlsx=xlsx))


@main.command("report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写出 Markdown 文件（不加时输出到屏幕）。",
)
@click.option(
    "--docx",
    "docx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时写出 Word 文档（.docx），可直接粘贴到评价报告中。",
)
@friendly
def report_command(file: Path, output: Path | None, docx: Path | None) -> None:
    """生成评价报告的表格与文字：得分情况表、各类指标得分情况、评价结论、扣分指标及原因。

    FILE 为评分表工作簿；得分按工作簿中的佐证重新计算，不采用文件中缓存的数值。
    """
    from .reporting.report import load_evaluation, report_markdown, write_docx, write_markdown

    evaluation = load_evaluation(file)
    if output is not None:
        write_markdown(evaluation, output)
        click.echo(f"已生成：{output}")
    if docx is not None:
        write_docx(evaluation, docx)
        click.echo(f"已生成：{docx}")
    if output is None and docx is None:
        click.echo(report_markdown(evaluation), nl=False)


@main.command("demo")
@click.option(
    "--out",
    "out",
    default="xladdin-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="示例输出文件夹。",
)
@friendly
def demo_command(out: Path) -> None:
    """生成三份已发布评分表的示例工作簿（按佐证重算），并列出总分与等级。"""
    from .batch import run_demo

    sys.exit(run_demo(out))


if __name__ == "__main__":  # pragma: no cover
    main()
