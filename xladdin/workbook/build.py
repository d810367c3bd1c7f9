"""Write workbooks from rubrics: templates, filled examples, the bundled example set."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..core.errors import Location, WorkbookError
from ..core.evidence import Evidence
from ..core.rubric import Rubric
from ..library import bundled, load_evidence, load_rubric_file
from .package import file_mode
from .template import build_workbook


def write_workbook(rubric: Rubric, output: Path, evidence: Evidence | None = None) -> None:
    """Build the workbook of ``rubric`` (filled with ``evidence`` if given) atomically at ``output``."""
    if output.suffix.lower() not in (".xlsx",):
        raise WorkbookError("输出文件应以 .xlsx 结尾", Location(file=str(output)))
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".xladdin-", suffix=".xlsx", dir=output.parent)
    os.close(handle)
    try:
        build_workbook(rubric, Path(temp), evidence)
        os.chmod(temp, file_mode(output))
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def example_name(rubric_id: str) -> str:
    return f"{rubric_id}-example.xlsx"


def write_examples(directory: Path) -> list[Path]:
    """A blank template of every bundled rubric and a filled example of every one with evidence."""
    written: list[Path] = []
    for entry in bundled():
        rubric = load_rubric_file(entry.path)
        template = directory / f"{entry.id}.xlsx"
        write_workbook(rubric, template)
        written.append(template)
        if entry.evidence_path is not None:
            example = directory / example_name(entry.id)
            write_workbook(rubric, example, load_evidence(entry.evidence_path))
            written.append(example)
    return written
