"""Benchmark (issue 3): recalculating one workbook, against openpyxl's load-and-save.

Not a test. Both sides are measured in the same run, on the same files, so the ratio holds on a
busy machine even when the absolute figures do not:

1. in-process, per workbook: ``xladdin.workbook.recalc.recalc(src, out)`` against
   ``openpyxl.load_workbook(src).save(out)`` and against the zip floor, alternating file by
   file. The copies differ in one evidence cell (B11's spending) so that every recalculation
   rewrites the scores. The floor is the least any recalculation of the file must do: read
   the file, open the zip, inflate the parts a recalculation changes, deflate them, rebuild
   the zip (unchanged entries copied compressed) and write it;
2. whole processes: ``python -m xladdin recalc FILE -o OUT`` against
   ``python -c "import openpyxl; load + save"`` (and ``python -c pass`` for the interpreter);
3. for reference, if LibreOffice is installed: a headless batch conversion of a sample with
   recalculation on load forced, per workbook.

    python benchmarks/bench_recalc.py                 # 000 example, 60 copies, 10 processes
    python benchmarks/bench_recalc.py --copies 200 --processes 20 --example nanjing-zwxx-2021
    python benchmarks/bench_recalc.py --profile --processes 0 --libreoffice 0
    python benchmarks/bench_recalc.py --no-openpyxl --processes 0 --libreoffice 0 --copies 300
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl

from xladdin.core.codec import decode, encode
from xladdin.core.evidence import Evidence
from xladdin.core.lint import lint
from xladdin.core.scoring import score
from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.build import example_name, write_workbook
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.plan import build_plan
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import apply_plan, recalc, score_book
from xladdin.workbook.zipcopy import copy_zip

# LibreOffice trusts an .xlsx's cached values unless told to recalculate on load.
LO_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def build_example(rubric_id: str, directory: Path) -> Path:
    entry = find_bundled(rubric_id)
    if entry is None or entry.evidence_path is None:
        sys.exit(f"no bundled example for {rubric_id}")
    path = directory / example_name(rubric_id)
    write_workbook(load_rubric_file(entry.path), path, load_evidence(entry.evidence_path))
    return path


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``action`` (CPU time shrugs off a busy machine)."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def openpyxl_load_save(source: Path, target: Path) -> None:
    openpyxl.load_workbook(source).save(target)


def zip_floor(source: Path, target: Path, parts: list[str]) -> None:
    """The bare zip work of a recalculation that changes ``parts``, and nothing else."""
    data = source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        infos = book.infolist()
        changed = {name: book.read(name) for name in parts}
    # deflates the changed parts again and copies the other entries compressed as they were
    target.write_bytes(copy_zip(data, infos, changed) or b"")


def core_work(source: Path) -> Callable[[], object]:
    """The scoring core's share of a recalculation of ``source``, with no cell in it: decode
    each line from the cells the template types for its evidence, then score, lint and plan.
    The floor plus this is the least ratio any way of reading and writing the cells can reach."""
    book = read_workbook(source)
    rubric, rows, layout = book.rubric, book.rows, book.layout
    typed = {
        code: (node, encode(node, book.evidence.lines.get(code)))
        for code in rows.leaves
        if (node := rubric.find(code)) is not None
    }

    def run() -> object:
        lines = {
            code: line for code, (node, cells) in typed.items() if (line := decode(node, cells))
        }
        evidence = Evidence(rubric=rubric.id, lines=lines)
        result = score(rubric, evidence)
        return build_plan(rubric, result, rows, layout, findings=lint(rubric, evidence, result))

    return run


Timings = list[tuple[float, float]]


def in_process(copies: list[Path], out: Path, openpyxl_too: bool) -> dict[str, Timings]:
    """Per-workbook (wall, CPU) of recalc, the zip floor, the core's work alone and openpyxl,
    alternating file by file."""
    # Warm all up (imports, the rubric cache) before timing; the first recalculation also tells
    # which parts a recalculation changes.
    done = recalc(copies[0], out / "warm-ours.xlsx")
    parts = sorted(done.data.package.changed)
    zip_floor(copies[0], out / "warm-floor.xlsx", parts)
    if openpyxl_too:
        openpyxl_load_save(copies[0], out / "warm-openpyxl.xlsx")
    core = core_work(copies[0])
    core()
    times: dict[str, Timings] = {"recalc": [], "floor": [], "core": [], "openpyxl": []}
    for i, source in enumerate(copies):
        times["recalc"].append(timed(lambda s=source, i=i: recalc(s, out / f"ours-{i}.xlsx")))
        times["floor"].append(
            timed(lambda s=source, i=i: zip_floor(s, out / f"floor-{i}.xlsx", parts))
        )
        times["core"].append(timed(core))
        if openpyxl_too:
            times["openpyxl"].append(
                timed(lambda s=source, i=i: openpyxl_load_save(s, out / f"openpyxl-{i}.xlsx"))
            )
    return times


def make_copies(example: Path, directory: Path, count: int) -> list[Path]:
    """Copies of the example whose B11 spending differs, so that every recalculation has
    scores, reasons, subtotals and the total to rewrite (an up-to-date copy would be a no-op)."""
    book = read_workbook(example)
    ref = book.layout.cell("value", book.rows.leaves["B11"]) if "B11" in book.rows.leaves else None
    data = example.read_bytes()
    directory.mkdir(parents=True)
    copies = []
    for i in range(count):
        copy = directory / f"{i:04d}.xlsx"
        if ref is None:
            shutil.copyfile(example, copy)
        else:
            package = XlsxPackage(example, data)
            package.write_cells(SCORING_SHEET, {ref: (Decimal(1500 + i), None)})
            copy.write_bytes(package.to_bytes())
        copies.append(copy)
    return copies


def profile(copies: list[Path], out: Path) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i, source in enumerate(copies):
        recalc(source, out / f"profile-{i}.xlsx")
    profiler.disable()
    print(f"\ncProfile of {len(copies)} recalculations, by own time:")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def stages(source: Path, out: Path, rounds: int) -> dict[str, float]:
    """The fastest time of each step of our recalculation over ``rounds`` (on a shared machine
    the minimum moves least: a step is only ever slowed down by other work)."""
    times: dict[str, list[float]] = {"read": [], "score": [], "patch": [], "save": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        book = read_workbook(source)
        t1 = time.perf_counter()
        _, _, plan = score_book(book)  # the first copy: its cells need rewriting
        t2 = time.perf_counter()
        apply_plan(book, plan)
        t3 = time.perf_counter()
        book.package.save(out / "stages.xlsx")
        t4 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[key].append(value)
    return {key: min(values) for key, values in times.items()}


def processes(source: Path, out: Path, runs: int) -> dict[str, list[float]]:
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "xladdin recalc FILE -o OUT": [
            sys.executable,
            "-m",
            "xladdin",
            "recalc",
            str(source),
            "-o",
            str(out / "process-ours.xlsx"),
        ],
        "python -c 'openpyxl load+save'": [
            sys.executable,
            "-c",
            "import sys, openpyxl; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])",
            str(source),
            str(out / "process-openpyxl.xlsx"),
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return times


def libreoffice(copies: list[Path], out: Path) -> float | None:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        return None
    profile = out / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    command = [
        binary,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out / "lo"),
    ]
    # The first run creates the profile; time the second.
    subprocess.run([*command, str(copies[0])], check=True, capture_output=True, timeout=300)
    start = time.perf_counter()
    subprocess.run([*command, *map(str, copies)], check=True, capture_output=True, timeout=900)
    return (time.perf_counter() - start) / len(copies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--example", default="nanjing-dsj-2022", help="bundled rubric id")
    parser.add_argument("--copies", type=int, default=60, help="copies timed in-process")
    parser.add_argument("--processes", type=int, default=10, help="runs of each process")
    parser.add_argument(
        "--libreoffice", type=int, default=20, help="copies for LibreOffice (0: skip)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of our recalculation"
    )
    parser.add_argument(
        "--no-openpyxl", action="store_true", help="time only recalc and the zip floor in-process"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xladdin-bench-") as temp:
        work = Path(temp)
        example = build_example(args.example, work)
        copies = make_copies(example, work / "in", args.copies)
        out = work / "out"
        out.mkdir()
        book = read_workbook(example)
        print(
            f"{example.name}: {len(book.rubric.leaves())} lines, {example.stat().st_size:,} bytes; "
            f"Python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}"
        )

        times = in_process(copies, out, not args.no_openpyxl)
        print(
            f"\nin-process, per workbook ({len(copies)} each):"
            "     wall median      CPU median         CPU min"
        )
        cpu: dict[str, float] = {}
        for name, label in (
            ("recalc", "xladdin recalc"),
            ("floor", "zip floor"),
            ("core", "  core work (no cells)"),
            ("openpyxl", "openpyxl load+save"),
        ):
            if times[name]:
                cpu[name] = statistics.median(c for _, c in times[name])
                print(
                    f"  {label:<30}{ms(statistics.median(w for w, _ in times[name]))}"
                    f"     {ms(cpu[name])}     {ms(min(c for _, c in times[name]))}"
                )
        m_ours = statistics.median(w for w, _ in times["recalc"])
        print(f"  recalc / zip floor (CPU median)     {cpu['recalc'] / cpu['floor']:8.2f} ×")
        print(
            "  (floor + core work) / floor         "
            f"{(cpu['floor'] + cpu['core']) / cpu['floor']:8.2f} ×   the least any cell engine reaches"
        )
        if "openpyxl" in cpu:
            print(f"  openpyxl / recalc (CPU median)      {cpu['openpyxl'] / cpu['recalc']:8.2f} ×")
        print(
            "  xladdin steps (fastest):  "
            + ", ".join(
                f"{k} {v * 1000:.1f}"
                for k, v in stages(copies[0], out, max(10, len(copies) // 2)).items()
            )
            + " ms"
        )

        if args.profile:
            profile(copies, out)

        if args.processes:
            times = processes(copies[0], out, args.processes)
            print(f"\nwhole processes, one workbook (median of {args.processes}):")
            medians = {name: statistics.median(values) for name, values in times.items()}
            for name, value in medians.items():
                print(f"  {name:<32}{ms(value)}")
            ratio = (
                medians["python -c 'openpyxl load+save'"] / medians["xladdin recalc FILE -o OUT"]
            )
            print(f"  ratio                           {ratio:8.1f} ×")

        if args.libreoffice:
            per_file = libreoffice(copies[: args.libreoffice], out)
            if per_file is None:
                print("\nLibreOffice: not installed, skipped")
            else:
                print(
                    f"\nLibreOffice headless, batch of {min(args.libreoffice, len(copies))}, recalculating on load:"
                )
                print(
                    f"  per workbook              {ms(per_file)}   ({per_file / m_ours:.0f} × xladdin)"
                )


if __name__ == "__main__":
    main()
