"""The scoring core in a browser: the same results inside Pyodide (WebAssembly) as in CPython.

xlwings Lite runs Python in Excel through Pyodide; the core must import and score there with
only pydantic installed. ``test_import_xladdin_loads_no_desktop_module`` checks the import path
in CPython; ``test_every_bundled_rubric_scores_the_same_in_pyodide`` builds the wheel, installs
it into Pyodide under Node by the documented micropip recipe (pydantic, then xladdin with
``deps=False`` from a web address, as from an intranet server) and compares, for every bundled rubric, the total, grade, every line score,
status and reason, the lint findings and the narrative with CPython's.

``scripts/pyodide-setup`` (run by ``scripts/test``) installs Node, the pyodide npm package and
the wheels into ``.cache/pyodide/``; the Pyodide test skips, saying what is missing, only when
they could not be had. ``XLADDIN_PYODIDE_CACHE`` points at another cache folder and
``XLADDIN_NODE`` at another Node binary (the test passes under Debian's Node 18 and Node 20).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.pyodide.snapshot import (
    CORE_MODULES,
    DESKTOP_MODULES,
    FUNCTION_CALLS,
    function_results,
    lite_registration,
    snapshot,
)
from xladdin.library import bundled, load_evidence, load_rubric_file
from xladdin.workbook.sheets import rubric_json

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "pyodide"
CACHE = Path(os.environ.get("XLADDIN_PYODIDE_CACHE", ROOT / ".cache" / "pyodide"))
PUBLISHED = {"nanjing-dsj-2022": ("93.08", "优"), "nanjing-zwxx-2021": ("90.23", "优")}


def test_import_xladdin_loads_no_desktop_module() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "import xladdin\n"
        "xladdin.score, xladdin.lint, xladdin.Rubric, xladdin.rubric_from_data\n"
        f"print(json.dumps(sorted(m for m in {DESKTOP_MODULES!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(done.stdout) == []


def test_the_library_module_reads_yaml_only_when_asked() -> None:
    code = (
        "import sys\n"
        "import xladdin.library as library\n"
        "assert 'yaml' not in sys.modules, 'imported with the module'\n"
        "library.bundled()\n"
        "assert 'yaml' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_reading_yaml_without_pyyaml_is_a_located_error() -> None:
    # where only pydantic is installed (Pyodide), a YAML rubric gives a sentence, not an ImportError
    code = (
        "import sys\n"
        "sys.modules['yaml'] = None\n"
        "from xladdin.core.errors import RubricError\n"
        "from xladdin.library import bundled, load_rubric\n"
        "try:\n"
        "    load_rubric('rubrics/nanjing-dsj-2022.yaml')\n"
        "except RubricError as exc:\n"
        "    print(exc.location.file, exc.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.startswith("rubrics/nanjing-dsj-2022.yaml 读取 YAML 文件需要 PyYAML")


# ---------------------------------------------------------------------------------------------
# Inside Pyodide.


def _pyodide_setup() -> tuple[str, Path, Path]:
    """Node, the pyodide package folder and the wheel folder, or a skip saying what is missing."""
    node = os.environ.get("XLADDIN_NODE") or shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (scripts/pyodide-setup installs it)")
    package = CACHE / "node_modules" / "pyodide"
    if not (package / "pyodide.mjs").is_file():
        pytest.skip(f"the pyodide npm package is not in {package} (run scripts/pyodide-setup)")
    lock = json.loads((package / "pyodide-lock.json").read_text(encoding="utf-8"))
    wheels = CACHE / "wheels" / f"pyemscripten_{lock['info']['abi_version']}_wasm32"
    import pydantic

    found = [p.name for p in wheels.glob("*.whl")] if wheels.is_dir() else []
    if not any(name.startswith(f"pydantic-{pydantic.VERSION}-") for name in found):
        pytest.skip(f"no pydantic {pydantic.VERSION} wheels for Pyodide in {wheels}")
    if not any(name.startswith("pydantic_core-") for name in found):
        pytest.skip(f"no pydantic-core wheel for Pyodide in {wheels}")
    if not any(name.startswith("micropip-") for name in found):
        pytest.skip(f"no micropip wheel in {wheels}")
    return node, package, wheels


@pytest.fixture(scope="module")
def xladdin_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's wheel, built from this source tree as an officer would get it."""
    _pyodide_setup()
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("xladdin-*.whl")
    return wheel


def cases() -> list[dict[str, str]]:
    """Every bundled rubric as the workbook stores it (JSON) and its example evidence as JSON."""
    found = []
    for entry in bundled():
        rubric = load_rubric_file(entry.path)
        assert entry.evidence_path is not None, entry.id
        evidence = load_evidence(entry.evidence_path)
        found.append(
            {
                "id": entry.id,
                "rubric": rubric_json(rubric),
                "evidence": evidence.model_dump_json(exclude_defaults=True),
            }
        )
    return found


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on the loopback address, as an intranet server would offer a wheel."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_in_pyodide(
    xladdin_wheel: Path, folder: Path, payload: list[dict[str, str]], xladdin_url: str | None
) -> Any:
    node, package, wheels = _pyodide_setup()
    (folder / "cases.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    job = {
        "pyodide": str(package),
        "cache": str(folder / "package-cache"),
        "wheels": str(wheels),
        "xladdin": str(xladdin_wheel),
        "script": str(HARNESS / "cases.py"),
        "files": {
            "snapshot.py": str(HARNESS / "snapshot.py"),
            "cases.json": str(folder / "cases.json"),
        },
        "output": str(folder / "output.json"),
    }
    if xladdin_url is not None:
        job["xladdin_url"] = xladdin_url
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run(
        [node, str(HARNESS / "harness.mjs"), str(folder / "job.json")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:] + done.stdout[-4000:]
    return json.loads((folder / "output.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_every_bundled_rubric_scores_the_same_in_pyodide(
    xladdin_wheel: Path, tmp_path: Path
) -> None:
    payload = cases()
    assert len(payload) == len(bundled()) >= 6
    with serving(xladdin_wheel.parent) as address:
        ran = run_in_pyodide(xladdin_wheel, tmp_path, payload, f"{address}/{xladdin_wheel.name}")

    # really WebAssembly, with the wheel installed by the recipe and nothing else of ours
    assert ran["platform"] == "emscripten"
    assert ran["xladdin_file"].startswith("/lib/python")
    installed = set(ran["installed"])
    assert {"xladdin", "pydantic", "pydantic-core"} <= installed
    assert not installed & {"pyyaml", "lxml", "openpyxl", "xlsxwriter", "pandas", "click"}
    assert ran["desktop_modules_after_import"] == []
    assert ran["desktop_modules_after_scoring"] == []
    # the Lite entry point brings in xlwings (which Lite provides) and nothing else
    assert ran["desktop_modules_after_lite"] == ["xlwings"]

    # the worksheet functions of the Lite entry point: the same cell values
    assert ran["functions"] == function_results()
    shown = dict(
        zip((f"{name}{args}" for name, args in FUNCTION_CALLS), ran["functions"], strict=True)
    )
    assert shown["SCORE_RATE(1689.29, 1811.58, 1, 1)"] == 0.93
    assert shown["SCORE_RATE(81.25, 100, 10)"] == 8.13
    assert shown["PERF_GRADE(87.96,)"] == "良"
    # what Lite's registration reads (signatures, type hints, the script's book) on Python 3.14
    assert ran["lite_registration"] == lite_registration()
    assert ran["lite_registration"]["recalc_this_book"]["book"] == ["book"]
    assert ran["lite_registration"]["SCORE_RATE"]["parameters"][0] == [
        "actual",
        "POSITIONAL_OR_KEYWORD",
        None,
    ]

    for case in payload:
        expected = snapshot(case["rubric"], case["evidence"])
        got = ran["snapshots"][case["id"]]
        assert got["total"] == expected["total"], case["id"]
        assert got["grade"] == expected["grade"], case["id"]
        lines = [
            (i["code"], i["score"], i["status"], i["reason"]) for i in got["result"]["indicators"]
        ]
        expected_lines = [
            (i["code"], i["score"], i["status"], i["reason"])
            for i in expected["result"]["indicators"]
        ]
        assert lines == expected_lines, case["id"]
        assert got["lint_lines"] == expected["lint_lines"], case["id"]
        assert got == expected, case["id"]
    for rubric_id, (total, grade) in PUBLISHED.items():
        assert (ran["snapshots"][rubric_id]["total"], ran["snapshots"][rubric_id]["grade"]) == (
            total,
            grade,
        )


def test_the_evidence_json_round_trip_is_exact() -> None:
    # the Pyodide test feeds evidence as JSON: it must be the evidence the YAML gave
    from xladdin.core.evidence import Evidence

    for entry in bundled():
        assert entry.evidence_path is not None
        evidence = load_evidence(entry.evidence_path)
        again = Evidence.model_validate_json(evidence.model_dump_json(exclude_defaults=True))
        assert again == evidence, entry.id
