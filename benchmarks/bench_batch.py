"""Benchmark (issue 5): batch throughput of ``xladdin recalc DIR``, against openpyxl.

Not a test. Builds N workbooks (1,000 by default) from the published 000 example (南京市大数据局
2022, 56 indicator lines, 65 rows) with varied evidence — spending figures, checklist flags,
problem counts, evaluator's decisions, now and then a line left without evidence — by patching
the input cells of a copy (much faster than rebuilding each file). Then, in the same run:

- ``python -m xladdin recalc DIR --out-dir OUT --summary S.xlsx --jobs J --quiet``, a whole
  process, for each J;
- openpyxl's load-and-save of the same files on a process pool of J workers.

and prints seconds, workbooks per second and the ratio.

    python benchmarks/bench_batch.py                      # 1,000 workbooks, jobs 1 and 2
    python benchmarks/bench_batch.py -n 200 --jobs 1,2,4 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook

RUBRIC = "nanjing-dsj-2022"

_example: dict[str, Any] = {}


def _load_example(path: Path) -> None:
    book = read_workbook(path)
    _example.update(
        path=path,
        data=path.read_bytes(),
        layout=book.layout,
        rows=book.rows,
    )


def _ref(key: str, code: str) -> str:
    return str(_example["layout"].cell(key, _example["rows"].leaves[code]))


def variant(i: int) -> bytes:
    """Copy ``i`` of the example, its evidence varied (the same i gives the same file)."""
    rng = random.Random(i)
    writes: dict[str, Any] = {
        _example["layout"].info_cell("unit"): f"测试单位{i:04d}",
        _ref("value", "B11"): Decimal(rng.randint(150000, 181158)) / 100,
        _ref("value", "B12"): Decimal(rng.randint(130000, 146519)) / 100,
        _ref("value", "C42"): Decimal(rng.randint(100, 130)),
        _ref("count", "A22"): Decimal(rng.choice([0, 0, 1, 2])),
        _ref("count", "A42"): Decimal(rng.choice([0, 0, 0, 1])),
        _ref("count", "B52"): Decimal(rng.choice([0, 0, 0, 1])),
        _ref("decision_share", "D41"): Decimal(rng.choice(["0.6", "0.8", "0.9", "1"])),
        _ref("decision_share", "E21"): Decimal(rng.choice(["0.5", "0.75", "1"])),
        _ref("deduct_share", "C43"): Decimal(rng.choice(["0.1", "0.25", "0.5"])),
    }
    for code, items in (("A11", 3), ("A21", 4), ("A31", 4), ("A41", 3), ("C14", 4)):
        for k in range(1, items + 1):
            writes[_ref(f"item{k}", code)] = "√" if rng.random() < 0.85 else "×"
    if i % 17 == 0:
        writes[_ref("value", "B11")] = None
        writes[_ref("denominator", "B11")] = None
    package = XlsxPackage(_example["path"], _example["data"])
    package.write_cells(SCORING_SHEET, {ref: (value, None) for ref, value in writes.items()})
    return package.to_bytes()


def _write_variants(args: tuple[Path, Path, range]) -> int:
    example, directory, indices = args
    if not _example:
        _load_example(example)
    for i in indices:
        (directory / f"自评表{i:04d}.xlsx").write_bytes(variant(i))
    return len(indices)


def build_inputs(directory: Path, count: int, jobs: int) -> Path:
    entry = find_bundled(RUBRIC)
    assert entry is not None and entry.evidence_path is not None
    example = directory / "example.xlsx"
    write_workbook(load_rubric_file(entry.path), example, load_evidence(entry.evidence_path))
    inputs = directory / "in"
    inputs.mkdir()
    step = max(1, count // (jobs * 4))
    pieces = [(example, inputs, range(i, min(i + step, count))) for i in range(0, count, step)]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_write_variants, pieces))
    return inputs


def _lines(path: Path) -> int:
    return len(list(read_workbook(path).rubric.leaves()))


def xladdin_batch(inputs: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "xladdin",
        "recalc",
        str(inputs),
        "--out-dir",
        str(out / "out"),
        "--summary",
        str(out / "汇总.xlsx"),
        "--jobs",
        str(jobs),
        "--quiet",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1) or "失败" in done.stderr:
        sys.exit(f"xladdin recalc failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def _openpyxl_files(args: tuple[list[Path], Path]) -> int:
    import openpyxl

    files, out = args
    for source in files:
        openpyxl.load_workbook(source).save(out / source.name)
    return len(files)


def openpyxl_batch(files: list[Path], out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    if jobs == 1:
        _openpyxl_files((files, out))
    else:
        step = max(1, len(files) // (jobs * 8))
        pieces = [(files[i : i + step], out) for i in range(0, len(files), step)]
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_openpyxl_files, pieces))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=1000, help="workbooks (1000)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated job counts (1,2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of xladdin per job count")
    parser.add_argument(
        "--openpyxl", type=int, default=None, help="time openpyxl on only this many files"
    )
    parser.add_argument("--keep", type=Path, help="build the inputs in this folder and keep them")
    args = parser.parse_args()
    jobs_list = [int(j) for j in args.jobs.split(",")]

    work = args.keep or Path(tempfile.mkdtemp(prefix="xladdin-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not (work / "in").is_dir():
            start = time.perf_counter()
            build_inputs(work, args.count, max(jobs_list))
            print(f"built {args.count} workbooks in {time.perf_counter() - start:.1f} s")
        files = sorted((work / "in").glob("*.xlsx"))
        print(
            f"{len(files)} workbooks of {RUBRIC} ({_lines(files[0])} lines), "
            f"{sum(f.stat().st_size for f in files) / len(files) / 1024:.0f} KiB each; "
            f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
        )
        sample = files[: args.openpyxl] if args.openpyxl else files
        rows = []
        for jobs in jobs_list:
            ours = statistics.median(
                xladdin_batch(work / "in", work / f"xladdin-{jobs}", jobs)
                for _ in range(args.repeat)
            )
            theirs = openpyxl_batch(sample, work / f"openpyxl-{jobs}", jobs)
            ours_rate = len(files) / ours
            theirs_rate = len(sample) / theirs
            rows.append((jobs, ours, ours_rate, theirs * len(files) / len(sample), theirs_rate))
        print()
        print(
            f"{'jobs':>4}  {'xladdin s':>9}  {'wb/s':>7}  {'openpyxl s':>10}  {'wb/s':>6}  {'ratio':>6}"
        )
        for jobs, ours, ours_rate, theirs, theirs_rate in rows:
            print(
                f"{jobs:>4}  {ours:9.2f}  {ours_rate:7.1f}  {theirs:10.2f}  {theirs_rate:6.1f}"
                f"  {ours_rate / theirs_rate:5.1f}×"
            )
        print(
            "\nxladdin: one `python -m xladdin recalc DIR --out-dir OUT --summary S.xlsx --jobs J`"
            " process, start-up and summary included."
        )
        if args.openpyxl:
            print(f"openpyxl: load+save timed on {len(sample)} files, scaled to {len(files)}.")
        else:
            print("openpyxl: load_workbook + save of every file on a pool of J processes.")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
