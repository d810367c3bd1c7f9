"""Files: the bundled rubric library and YAML rubric / evidence files.

Importing this module costs nothing beyond the core: PyYAML is loaded by the first file read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .core.errors import EvidenceError, Location, RubricError, XladdinError
from .core.evidence import Evidence
from .core.rubric import Rubric
from .core.validation import evidence_from_data, rubric_from_data


def rubrics_dir() -> Path:
    """The bundled rubric library: inside the installed package, or the source tree's rubrics/."""
    packaged = Path(__file__).parent / "rubrics"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rubrics"


def read_yaml(path: Path, error_type: type[XladdinError]) -> Any:
    """Parse a YAML file; a missing file or a syntax error becomes one located error.

    PyYAML is imported here, not with the module: the core, the worksheet functions and a
    workbook's hidden rubric sheet (JSON) need no YAML, and PyYAML may be missing where the
    core runs in a browser (xlwings Lite).
    """
    try:
        import yaml
    except ImportError:
        raise error_type(
            "读取 YAML 文件需要 PyYAML，当前环境没有安装（可用 pip install pyyaml 安装；"
            "在 Excel 中请使用工作簿隐藏的“指标体系”工作表）",
            Location(file=str(path)),
        ) from None

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error_type("文件不存在", Location(file=str(path))) from None
    except UnicodeDecodeError:
        raise error_type("不是 UTF-8 编码的文本文件", Location(file=str(path))) from None
    except OSError as exc:
        raise error_type(f"无法读取文件（{exc.strerror}）", Location(file=str(path))) from None
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_type(f"YAML 格式错误{where}：{problem}", Location(file=str(path))) from None


def _stringify_keys(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("lines"), dict):
        data = dict(data)
        data["lines"] = {str(key): value for key, value in data["lines"].items()}
    return data


def load_rubric_file(path: Path) -> Rubric:
    return rubric_from_data(read_yaml(path, RubricError), str(path))


def load_evidence(path: str | Path) -> Evidence:
    """Load an evidence YAML file."""
    path = Path(path)
    return evidence_from_data(_stringify_keys(read_yaml(path, EvidenceError)), str(path))


@dataclass(frozen=True)
class BundledRubric:
    id: str
    title: str
    kind: str
    year: int | None
    starter: bool
    path: Path
    evidence_path: Path | None


@lru_cache(maxsize=1)
def bundled() -> tuple[BundledRubric, ...]:
    """The rubrics shipped with xladdin, published tables first, then starting points."""
    found: list[BundledRubric] = []
    directory = rubrics_dir()
    for path in sorted(directory.glob("*.yaml")):
        rubric = load_rubric_file(path)
        evidence = directory / "evidence" / f"{rubric.id}.yaml"
        found.append(
            BundledRubric(
                rubric.id,
                rubric.title,
                rubric.kind,
                rubric.year,
                rubric.starter,
                path,
                evidence if evidence.is_file() else None,
            )
        )
    found.sort(key=lambda r: (r.starter, r.path.name))
    return tuple(found)


def find_bundled(rubric_id: str) -> BundledRubric | None:
    for entry in bundled():
        if entry.id == rubric_id:
            return entry
    return None


def load_rubric(ref: str | Path) -> Rubric:
    """A rubric by bundled id (``nanjing-dsj-2022``) or by YAML path."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_rubric_file(path)
    entry = find_bundled(str(ref))
    if entry is None:
        ids = "、".join(r.id for r in bundled())
        raise RubricError(f"找不到指标体系“{ref}”：既不是文件，也不是内置编号（可用：{ids}）")
    return load_rubric_file(entry.path)
