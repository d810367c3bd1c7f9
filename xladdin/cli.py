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

from .core.errors import Location, XladdinError

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
        except click.ClickException:
            raise  # usage errors: click prints them with the command's usage line
        except OSError as exc:
            if os.environ.get("XLADDIN_DEBUG"):
                raise
            from .files import os_error_line

            click.echo(f"错误：{os_error_line(exc)}", err=True)
            sys.exit(EXIT_ERROR)
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
    from .files import install_signal_cleanup

    install_signal_cleanup()


FORCE = click.option(
    "--force", is_flag=True, help="覆盖已存在的输出文件（默认只覆盖本命令先前生成的同类文件）。"
)
STRICT = click.option(
    "--strict", is_flag=True, help="有任何警告或错误提示（或评分未完成）时退出码为 1，供脚本使用。"
)


def _finding_lines(
    findings: list[dict[str, Any]],
    file: str | None = None,
    cells: dict[str, str] | None = None,
) -> list[str]:
    """One line per error or warning (``finding_dict`` shape): label, file, cell, indicator,
    message. Infos are left out: they are notes, not something to fix."""
    names = {"error": "错误", "warning": "警告"}
    lines = []
    for finding in findings:
        label = names.get(finding["severity"])
        if label is None:
            continue
        code = finding.get("code")
        where = [f"文件 {file}"] if file else []
        if code and cells and code in cells:
            where.append(f"单元格 {cells[code]}")
        if code:
            where.append(f"指标 {code}")
        head = f"{'，'.join(where)}：" if where else ""
        lines.append(f"[{label}] {head}{finding['message']}")
    return lines


def _result_warnings(
    findings: list[dict[str, Any]],
    indicators: list[dict[str, Any]],
    complete: bool,
    file: str | None = None,
    cells: dict[str, str] | None = None,
) -> list[str]:
    """The warning lines of one scored table: its findings, then whether it is unfinished."""
    lines = _finding_lines(findings, file, cells)
    if not complete:
        missing = [i["code"] for i in indicators if i["status"] == "missing_evidence"]
        where = f"文件 {file}：" if file else ""
        doubtful = [i["code"] for i in indicators if i["status"] == "needs_check"]
        parts = [f"缺少佐证：{'、'.join(missing)}"] if missing else []
        parts += [f"需核对：{'、'.join(doubtful)}"] if doubtful else []
        listed = f"（{'；'.join(parts)}）" if parts else ""
        lines.append(f"[警告] {where}评分尚未完成{listed}，总分和等级不是最终结果")
    return lines


def _warn(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)


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
@STRICT
@friendly
def score_command(rubric: str, evidence: str, as_json: bool, strict: bool) -> None:
    """按佐证 YAML 计算得分：逐项得分、扣分原因、各级小计、总分与等级。

    指标体系或佐证有不一致之处（如一级指标权重之和与总分不符）时逐条列出警告。
    """
    from .core.export import result_dict
    from .core.lint import lint
    from .core.scoring import score
    from .library import load_evidence, load_rubric
    from .reporting.text import result_table

    loaded_rubric = load_rubric(rubric)
    loaded_evidence = load_evidence(evidence)
    result = score(loaded_rubric, loaded_evidence)
    findings = lint(loaded_rubric, loaded_evidence, result)
    if as_json:
        _echo_json(result_dict(result))
    else:
        click.echo(result_table(result))
    data = result_dict(result, findings=findings)
    warnings = _result_warnings(data["warnings"], data["indicators"], result.complete)
    _warn(warnings)
    if strict and warnings:
        sys.exit(EXIT_FINDINGS)


@main.command("template")
@click.argument("rubric")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="要生成的 .xlsx 文件；以 .xlsm 结尾时生成含宏的评分表（得分单元格为 SCORE_LINE 公式，内含 xlwings 的 VBA 模块）。",
)
@click.option(
    "--evidence",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时填入此佐证 YAML 并计算得分。",
)
@FORCE
@STRICT
@friendly
def template_command(
    rubric: str, output: Path, evidence: Path | None, force: bool, strict: bool
) -> None:
    """按指标体系生成评分表工作簿（RUBRIC 为内置编号或 YAML 文件）。

    OUTPUT 已存在时，只有它是同一指标体系的工作簿、且其中填写的内容与要生成的相同（例如
    重新生成空白模板）才会覆盖；已填写佐证的工作簿或其他文件不会被覆盖，除非加 --force。
    指标体系有不一致之处时逐条列出警告，照常生成。
    """
    from .core.export import finding_dict
    from .core.lint import lint
    from .library import load_evidence, load_rubric
    from .workbook.build import FunctionInfo, write_workbook

    loaded = load_rubric(rubric)
    loaded_evidence = load_evidence(evidence) if evidence else None
    functions: tuple[FunctionInfo, ...] = ()
    if output.suffix.lower() == ".xlsm":
        from .excel.udfs import workbook_function_help

        functions = tuple(workbook_function_help())
    write_workbook(loaded, output, loaded_evidence, force=force, functions=functions)
    click.echo(f"已生成：{output}")
    warnings = _finding_lines([finding_dict(f) for f in lint(loaded, loaded_evidence)])
    _warn(warnings)
    if strict and warnings:
        sys.exit(EXIT_FINDINGS)


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
@FORCE
@friendly
def examples_command(out: Path, check: bool, force: bool) -> None:
    """由内置指标体系生成全部模板与填好的示例工作簿（workbook_templates/）。"""
    import tempfile

    from .workbook.build import write_examples

    if not check:
        for path in write_examples(out, force=force):
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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="并行处理的进程数（默认：全部 CPU 核心；1 表示不开子进程）。",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="另写一份汇总工作簿（.xlsx）：逐个工作簿的总分与等级、等级分布、扣分最多的指标。",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="在 Dask 集群上运行（调度器地址，如 tcp://10.0.0.5:8786；需安装 xladdin[dask]）。",
)
@click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")
@FORCE
@STRICT
@friendly
def recalc_command(
    files: tuple[Path, ...],
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    as_json: bool,
    jobs: int | None,
    summary: Path | None,
    scheduler: str | None,
    quiet: bool,
    force: bool,
    strict: bool,
) -> None:
    """不用 Excel 重算评分表：读取佐证，写回得分、扣分原因、小计、总分与等级。

    FILES 可以是工作簿或文件夹（递归查找其中的 .xlsx/.xlsm）。不加 -o / --out-dir /
    --in-place 时只计算并显示结果，不写任何文件。个别文件出错时继续处理其余文件，
    最后列出全部失败的文件及原因，退出码为 1。

    \b
    已存在的输出文件只在它与输入是同一指标体系、填写的内容相同时（即先前重算的结果）
    才覆盖，否则须加 --force；输出文件不能就是输入文件（请用 --in-place），
    含宏的工作簿只能输出为 .xlsm，汇总表不能是输入的工作簿之一。
    每条警告和错误提示单独列出（文件、单元格、指标、说明）。
    """
    chosen = sum(x is not None and x is not False for x in (output, out_dir, in_place or None))
    if chosen > 1:
        raise click.UsageError("-o、--out-dir 与 --in-place 只能选一个")
    if output is not None and len(files) != 1:
        raise click.UsageError("-o 只能用于一个输入文件；多个文件请用 --out-dir")
    if summary is not None and summary.suffix.lower() != ".xlsx":
        raise click.UsageError("--summary 的文件名应以 .xlsx 结尾")
    if scheduler is not None and jobs is not None:
        raise click.UsageError("--jobs 与 --scheduler 只能选一个（集群的并行度由其工作进程决定）")
    sys.exit(
        run_recalc(
            list(files),
            output=output,
            out_dir=out_dir,
            in_place=in_place,
            as_json=as_json,
            jobs=jobs,
            summary=summary,
            scheduler=scheduler,
            quiet=quiet,
            force=force,
            strict=strict,
        )
    )


class Progress:
    """A tqdm bar on stderr, only when stderr is a terminal and not ``quiet``."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.bar: Any = None
        if total > 1 and not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="个", desc="重算", file=sys.stderr, leave=False)

    def update(self, count: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_recalc(
    files: list[Path],
    *,
    output: Path | None,
    out_dir: Path | None,
    in_place: bool,
    as_json: bool,
    jobs: int | None = None,
    summary: Path | None = None,
    scheduler: str | None = None,
    quiet: bool = False,
    force: bool = False,
    strict: bool = False,
) -> int:
    """The ``recalc`` command: returns the exit code (1 if any file failed, or with
    ``strict`` if any file has a warning)."""
    from .bureau import batch

    plan = batch.prepare(
        files, output=output, out_dir=out_dir, in_place=in_place, force=force, summary=summary
    )
    if output is not None and len(plan.tasks) + len(plan.refused) != 1:
        raise click.UsageError("-o 只能用于一个输入文件；多个文件请用 --out-dir")
    progress = Progress(len(plan.tasks), quiet)
    try:
        outcomes = batch.run(plan, jobs=jobs, scheduler=scheduler, on_done=progress.update)
    finally:
        progress.close()
    if summary is not None:
        from .bureau.summary import write_summary

        write_summary(outcomes, summary, ranking=True)
    warned = show_outcomes(outcomes, as_json, wrote=plan.writes)
    if summary is not None and not as_json:
        click.echo(f"汇总表已写入：{summary}")
    if any(o.error for o in outcomes):
        return 1
    return 1 if strict and warned else 0


def _number_text(value: Any) -> str:
    from decimal import Decimal

    from .core.numbers import fmt_number

    return "" if value is None else fmt_number(Decimal(str(value)))


def outcome_warnings(outcome: Any) -> list[str]:
    """The warning lines of one recalculated workbook (none for a failed one)."""
    data = outcome.summary
    if data is None:
        return []
    return _result_warnings(
        data["warnings"], data["indicators"], data["complete"], str(outcome.source), outcome.cells
    )


def show_outcomes(outcomes: list[Any], as_json: bool, wrote: bool) -> bool:
    """Print the outcomes of a batch (table or JSON on stdout; warnings and failures on
    stderr); returns whether any workbook had a warning."""
    from .termtable import render

    good = [o for o in outcomes if o.summary is not None]
    failed = [o for o in outcomes if o.error is not None]
    if as_json:
        data: Any = [o.summary for o in good]
        if len(outcomes) == 1 and good:
            data = good[0].summary
        _echo_json(data)
    else:
        rows = []
        for o in good:
            rows.append(
                (
                    str(o.output or o.source),
                    _number_text(o.summary["total"]),
                    o.summary["grade"] or "未完成",
                    len(o.summary["warnings"]),
                )
            )
        if rows:
            click.echo(render(["工作簿", "总分", "等级", "提示"], rows, numeric=(1, 3)))
        if good and not wrote:
            click.echo("（未写出文件：如需保存结果，请使用 -o、--out-dir 或 --in-place）")
    warnings = [line for o in good for line in outcome_warnings(o)]
    if not as_json:
        _warn(warnings)
    for o in failed:
        click.echo(f"失败：{o.error}", err=True)
    if failed:
        click.echo(f"共 {len(outcomes)} 个文件，{len(failed)} 个失败。", err=True)
    return bool(warnings)


@main.command("audit")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时写出复核表（.xlsx）：自评得分、复核得分与差异说明并列，差异行标色。",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    help="另写一份汇总工作簿（.xlsx），其“复核重点”表按风险分从高到低列出各工作簿及复核要点。",
)
@FORCE
@friendly
def audit_command(
    files: tuple[Path, ...],
    as_json: bool,
    xlsx: Path | None,
    summary: Path | None,
    force: bool,
) -> None:
    """复核评分表：逐项比较自评得分（得分栏）与按佐证和评分规则计算的复核得分，列出差异及原因。

    FILES 可以是工作簿或文件夹（递归查找其中的 .xlsx/.xlsm）。
    同时检查偏差原因（缺失、套话、千篇一律）、虚高信号（全部满分、定性指标满分而完成值笼统、
    自评得分高于复算）、资金块各来源之和与年度资金总额、绩效目标（占位符、无数值、无单位、
    百分比超过100%、成本指标用“≥”、时效期限晚于评价年度、缺少指标类别、分值与默认不符），
    并按这些发现给每个工作簿打风险分，列出“复核重点”。
    给出多个工作簿时，还比较同类比率指标（如执行率）的计分口径是否一致。
    输入的工作簿不会被修改。退出码：0 无差异，1 有差异，2 有文件无法复核。
    """
    from .bureau import audit_output as review
    from .bureau.batch import collect_inputs
    from .bureau.summary import is_summary_workbook, write_summary
    from .files import guard_output

    if summary is not None and summary.suffix.lower() != ".xlsx":
        raise click.UsageError("--summary 的文件名应以 .xlsx 结尾")
    inputs = [path for path, _ in collect_inputs(list(files), exclude_file=summary)]
    if xlsx is not None:
        inputs = [p for p, _ in collect_inputs(inputs, exclude_file=xlsx)]
        review.check_review_output(inputs, xlsx)
        guard_output(xlsx, force=force, own=review.is_review_workbook, what="复核表")
    if summary is not None:
        review.check_review_output(inputs, summary)
        guard_output(summary, force=force, own=is_summary_workbook, what="汇总表")
    outcomes, conventions = review.review_files(inputs)
    if as_json:
        _echo_json(review.review_dict(outcomes, conventions))
    else:
        click.echo(review.review_text(outcomes, conventions))
    if xlsx is not None:
        review.write_review_xlsx(outcomes, conventions, xlsx)
        if not as_json:
            click.echo(f"复核表已写入：{xlsx}")
    if summary is not None:
        write_summary(review.summary_outcomes(outcomes), summary, ranking=True)
        if not as_json:
            click.echo(f"汇总表已写入：{summary}")
    failed = [o for o in outcomes if o.error is not None]
    for outcome in failed:
        click.echo(f"失败：{outcome.error}", err=True)
    if failed:
        click.echo(f"共 {len(outcomes)} 个文件，{len(failed)} 个无法复核。", err=True)
    sys.exit(review.exit_code(outcomes, conventions))


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
@FORCE
@STRICT
@friendly
def report_command(
    file: Path, output: Path | None, docx: Path | None, force: bool, strict: bool
) -> None:
    """生成评价报告的表格与文字：得分情况表、各类指标得分情况、评价结论、扣分指标及原因。

    FILE 为评分表工作簿；得分按工作簿中的佐证重新计算，不采用文件中缓存的数值。
    评分表有不一致或未完成之处时，报告中加一行说明，并逐条列出警告。
    已存在的 .md / .docx 只在它是 xladdin report 先前生成的报告时才覆盖，否则须加 --force。
    """
    from .core.export import result_dict
    from .files import OutputError, guard_output, same_file
    from .reporting.report import (
        is_report_document,
        is_report_markdown,
        load_evaluation,
        report_markdown,
        write_docx,
        write_markdown,
    )

    for target, suffixes, own in (
        (output, (".md", ".markdown", ".txt"), is_report_markdown),
        (docx, (".docx",), is_report_document),
    ):
        if target is None:
            continue
        if target.suffix.lower() not in suffixes:
            raise OutputError(
                f"报告文件应以 {' 或 '.join(suffixes)} 结尾", Location(file=str(target))
            )
        if same_file(target, file):
            raise OutputError("报告不能写到评分表工作簿上", Location(file=str(target)))
        guard_output(target, force=force, own=own, what="报告文件")
    evaluation = load_evaluation(file)
    if output is not None:
        write_markdown(evaluation, output)
        click.echo(f"已生成：{output}")
    if docx is not None:
        write_docx(evaluation, docx)
        click.echo(f"已生成：{docx}")
    if output is None and docx is None:
        click.echo(report_markdown(evaluation), nl=False)
    data = result_dict(evaluation.result, findings=evaluation.findings)
    warnings = _result_warnings(
        data["warnings"],
        data["indicators"],
        evaluation.result.complete,
        str(file),
        evaluation.cells,
    )
    _warn(warnings)
    if strict and warnings:
        sys.exit(EXIT_FINDINGS)


@main.command("demo")
@click.option(
    "--out",
    "out",
    default="xladdin-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="示例输出文件夹。",
)
@FORCE
@friendly
def demo_command(out: Path, force: bool) -> None:
    """生成三份已发布评分表的示例工作簿（按佐证重算），并列出总分与等级。"""
    sys.exit(run_demo(out, force=force))


def run_demo(out: Path, *, force: bool = False) -> int:
    """The ``demo`` command: build and recalculate the examples, list them; the exit code."""
    from .bureau.demo import build_demo
    from .termtable import render

    outcomes = build_demo(out, force=force)
    rows = [
        (
            o.source.name,
            o.summary["title"],
            _number_text(o.summary["total"]),
            o.summary["grade"] or "未完成",
        )
        for o in outcomes
        if o.summary is not None
    ]
    click.echo(render(["工作簿", "评分表", "总分", "等级"], rows, numeric=(2,)))
    for o in outcomes:
        if o.error:
            click.echo(f"失败：{o.error}", err=True)
    click.echo(f"示例已写入：{out}")
    return 1 if any(o.error for o in outcomes) else 0


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="要写出的指标体系 YAML。",
)
@click.option(
    "--evidence",
    "evidence_output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="佐证 YAML 的输出路径（默认与 -o 同名：X.evidence.yaml）。",
)
@click.option(
    "--id", "rubric_id", help="指标体系编号（默认由文件名得出，中文文件名为 imported-<短哈希>）。"
)
@click.option(
    "--kind",
    type=click.Choice(["project", "department", "special_fund"]),
    help="评价类型（默认：标题含“专项资金”为 special_fund，含“部门整体”或一级指标名含“部门”为 department，否则 project）。",
)
@click.option("--title", help="指标体系标题（默认取表格上方的标题行，否则用文件名）。")
@click.option("--sheet", help="工作表名称（.xlsx；默认在可见工作表中查找评分表表头）。")
@click.option(
    "--table",
    "table_number",
    type=int,
    help="第几个表格（.docx，从1开始；默认查找表头匹配的表格）。",
)
@click.option(
    "--table-only",
    is_flag=True,
    help="xladdin 生成的工作簿：不取隐藏的“指标体系”工作表，只按表格内容导入。",
)
@FORCE
@friendly
def import_command(
    file: Path,
    output: Path,
    evidence_output: Path | None,
    rubric_id: str | None,
    kind: str | None,
    title: str | None,
    sheet: str | None,
    table_number: int | None,
    table_only: bool,
    force: bool,
) -> None:
    """从已有评分表（.xlsx 工作簿或 .docx 文档中的表格）导入指标体系和佐证。

    \b
    表头按名称识别（一级/二级/三级指标、权重或分值、目标值或标准值、评分规则或评分标准、
    评分过程、得分、扣分原因等），不按列的位置；层级按合并单元格或空白续行识别；
    编码和权重取自本列或指标名称（如“A部门决策（15分）”“A11决策机制科学规范性”）。
    每项的评分方法由评分规则文字推断，YAML 中逐项注明推断依据和置信度，低置信度的标“请核对”；
    无法推断的按酌情认定处理。原表得分和评分过程写入佐证 YAML（declared / narrative），可用于核对。
    项目支出绩效自评表（无评分规则列）按指标性质和年度指标值推断，资金块的分值为预算执行率一项。
    \b
    以下情况报错并指明工作表和单元格，不写出文件：末级指标缺少权重、指标编码重复、
    层级合并单元格跨越上级分组、无法识别表头。
    下级权重之和与上级不一致时照常导入，在此列为警告（xladdin lint 报为错误）。
    由 xladdin template 生成的工作簿直接取用其隐藏的“指标体系”工作表（完整还原），
    加 --table-only 则只按表格内容导入。
    \b
    -o 与 --evidence 须以 .yaml 或 .yml 结尾；已存在的文件只在它是 xladdin import 先前
    导出的 YAML 时才覆盖，否则须加 --force。
    """
    from .importer import evidence_path_for, import_table, write_import

    evidence_path = evidence_output or evidence_path_for(output)
    _check_import_outputs(file, output, evidence_path, force)
    result = import_table(
        file,
        rubric_id=rubric_id,
        kind=kind,  # type: ignore[arg-type]
        title=title,
        sheet=sheet,
        table=table_number,
        table_only=table_only,
    )
    write_import(result, output, evidence_path)
    rubric = result.rubric
    leaves = list(rubric.leaves())
    click.echo(
        f"已导入：{output}（{rubric.title}，{len(rubric.levels)}个一级指标、{len(leaves)}个末级指标）"
    )
    click.echo(f"佐证：{evidence_path}")
    click.echo(result.account_text())


IMPORT_MARK = "由 xladdin import 从"  # in the header comment of both YAML files an import writes


def _is_import_output(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as stream:
            head = [stream.readline() for _ in range(3)]
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith("#") and IMPORT_MARK in line for line in head)


def _check_import_outputs(source: Path, output: Path, evidence: Path, force: bool) -> None:
    from .files import OutputError, guard_output, same_file

    for target in (output, evidence):
        if target.suffix.lower() not in (".yaml", ".yml"):
            raise OutputError(
                "导入结果是 YAML 文本，文件名应以 .yaml 或 .yml 结尾", Location(file=str(target))
            )
        if same_file(target, source):
            raise OutputError("输出文件就是要导入的文件", Location(file=str(target)))
        guard_output(target, force=force, own=_is_import_output, what="YAML 文件")
    if same_file(output, evidence):
        raise OutputError("指标体系与佐证不能写到同一个文件", Location(file=str(output)))


@main.command("excel")
@click.argument("action", type=click.Choice(["recalc", "check", "new"]))
@click.option("--rubric", help="new：指标体系编号（可用 xladdin rubrics 查看）。")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="new：新评分表所在文件夹（默认当前文件夹）。",
)
@friendly
def excel_command(action: str, rubric: str | None, folder: Path | None) -> None:
    """在正在运行的 Excel 中操作当前工作簿：recalc 重算、check 检查、new 新建评分表。

    与宏 PERF_RECALC / PERF_CHECK / PERF_NEW 相同，供 macOS 或未导入宏时使用。
    """
    from .excel.macros import run_in_excel

    click.echo(run_in_excel(action, rubric, folder))


if __name__ == "__main__":  # pragma: no cover
    main()
