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
        except click.ClickException:
            raise  # usage errors: click prints them with the command's usage line
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
) -> None:
    """不用 Excel 重算评分表：读取佐证，写回得分、扣分原因、小计、总分与等级。

    FILES 可以是工作簿或文件夹（递归查找其中的 .xlsx/.xlsm）。不加 -o / --out-dir /
    --in-place 时只计算并显示结果，不写任何文件。个别文件出错时继续处理其余文件，
    最后列出全部失败的文件及原因，退出码为 1。
    """
    from .batch import run_recalc

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
        )
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
    """
    from .importer import evidence_path_for, import_table, write_import

    result = import_table(
        file,
        rubric_id=rubric_id,
        kind=kind,  # type: ignore[arg-type]
        title=title,
        sheet=sheet,
        table=table_number,
        table_only=table_only,
    )
    evidence_path = evidence_output or evidence_path_for(output)
    write_import(result, output, evidence_path)
    rubric = result.rubric
    leaves = list(rubric.leaves())
    click.echo(
        f"已导入：{output}（{rubric.title}，{len(rubric.levels)}个一级指标、{len(leaves)}个末级指标）"
    )
    click.echo(f"佐证：{evidence_path}")
    click.echo(result.account_text())


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
