"""The same batch on a Dask cluster (issue 5, part 4), against an in-process local cluster."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from xladdin.bureau.batch import Task, collect_inputs, run_local
from xladdin.cli import main
from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.build import write_workbook
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        silence_logs=50,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve copies of the 000 example with B11's spending varied, and one broken file."""
    entry = find_bundled("nanjing-dsj-2022")
    assert entry is not None and entry.evidence_path is not None
    root = tmp_path_factory.mktemp("dask") / "in"
    example = root / "sub" / "example.xlsx"
    write_workbook(load_rubric_file(entry.path), example, load_evidence(entry.evidence_path))
    book = read_workbook(example)
    ref = book.layout.cell("value", book.rows.leaves["B11"])
    data = example.read_bytes()
    for i in range(12):
        package = XlsxPackage(example, data)
        package.write_cells("评分表", {ref: (Decimal(1500 + 25 * i), None)})
        (root / f"{i:02d}.xlsx").write_bytes(package.to_bytes())
    (root / "broken.xlsx").write_bytes(data[:1000])
    return root


def _tasks(root: Path, out: Path) -> list[Task]:
    return [
        Task(i, source, out / relative)
        for i, (source, relative) in enumerate(collect_inputs([root]))
    ]


def test_dask_gives_the_local_results_and_files(cluster: Any, inputs: Path, tmp_path: Path) -> None:
    from xladdin.bureau.distributed import run_on_dask

    local = run_local(_tasks(inputs, tmp_path / "local"), 1, lambda n: None)
    done: list[int] = []
    with distributed.Client(cluster) as client:
        remote = run_on_dask(_tasks(inputs, tmp_path / "dask"), client, done.append)
    assert sum(done) == len(local) == 14
    assert [o.summary for o in remote] == [o.summary for o in local]
    assert [o.error for o in remote] == [o.error for o in local]
    assert [o.info for o in remote] == [o.info for o in local]
    totals = [o.summary["total"] for o in remote if o.summary is not None]
    assert len(set(totals)) == 12
    failed = [o for o in remote if o.error is not None]
    assert len(failed) == 1 and "broken.xlsx" in str(failed[0].error)
    for name in ["00.xlsx", "11.xlsx", "sub/example.xlsx"]:
        written, expected = tmp_path / "dask" / name, tmp_path / "local" / name
        assert written.read_bytes() == expected.read_bytes()
        assert written.stat().st_mode == expected.stat().st_mode
    assert not (tmp_path / "dask" / "broken.xlsx").exists()


def test_recalc_scheduler_option(cluster: Any, inputs: Path, tmp_path: Path) -> None:
    summary = tmp_path / "汇总.xlsx"
    args = ["recalc", str(inputs), "--json", "--summary", str(summary)]
    on_dask = CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address])
    here = CliRunner().invoke(main, [*args, "--jobs", "1"])
    assert on_dask.exit_code == here.exit_code == 1
    assert json.loads(on_dask.stdout) == json.loads(here.stdout)
    assert "broken.xlsx" in on_dask.stderr
    assert summary.is_file()


def test_without_dask_the_message_says_what_to_install(
    inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = CliRunner().invoke(
        main, ["recalc", str(inputs / "00.xlsx"), "--scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 2
    assert "需要安装 dask：pip install 'xladdin[dask]'" in result.stderr


def test_on_dask_an_existing_output_is_replaced_only_if_it_is_its_own(
    cluster: Any, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["recalc", str(inputs), "--out-dir", str(out), "--json"]
    first = CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address])
    assert first.exit_code == 1  # broken.xlsx
    # 01.xlsx holds other figures than 00.xlsx: as the output of 00.xlsx it is not replaced.
    (out / "00.xlsx").write_bytes((out / "01.xlsx").read_bytes())
    before = (out / "00.xlsx").read_bytes()
    again = CliRunner().invoke(main, [*args, "--scheduler", cluster.scheduler_address])
    assert again.exit_code == 1
    refused = [line for line in again.stderr.splitlines() if str(out / "00.xlsx") in line]
    assert len(refused) == 1 and "未覆盖" in refused[0] and "--force" in refused[0]
    assert (out / "00.xlsx").read_bytes() == before
    forced = CliRunner().invoke(main, [*args, "--force", "--scheduler", cluster.scheduler_address])
    assert str(out / "00.xlsx") not in forced.stderr
    assert (out / "00.xlsx").read_bytes() != before
