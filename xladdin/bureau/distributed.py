"""Running a batch on a Dask cluster (``xladdin recalc … --scheduler ADDRESS``).

The workers run the same per-file scoring as the local pool, but on the file's contents: this
machine reads each workbook, a worker reads, scores and patches it in memory and sends back the
``recalc --json`` dict and the patched file, and this machine writes the output. Workers
therefore need xladdin installed but no access to this machine's disks (a bureau's workbooks
usually sit on one PC or a shared drive the cluster cannot see).

dask.distributed is an optional extra: ``pip install 'xladdin[dask]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import XladdinError
from .tasks import Outcome, Task, internal_error, recalc_bytes, recalc_one, write_output

MISSING_DASK = "需要安装 dask：pip install 'xladdin[dask]'"

# Workbooks in flight per worker thread: enough to keep workers busy while this machine reads
# and writes files, few enough that a batch of thousands is not all held in memory at once.
IN_FLIGHT_PER_THREAD = 4


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise XladdinError(MISSING_DASK) from None
    return distributed


def connect(scheduler: str) -> Any:
    """A Client for the scheduler at ``scheduler`` (e.g. tcp://10.0.0.5:8786)."""
    distributed = _import_distributed()
    try:
        return distributed.Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise XladdinError(f"无法连接 Dask 调度器 {scheduler}：{exc}") from None


def run_on_dask(
    tasks: list[Task],
    scheduler: str | Any,
    on_done: Callable[[int], None],
) -> list[Outcome]:
    """Run ``tasks`` on the cluster at ``scheduler`` (an address, or a connected Client).

    Outcomes are returned in input order; a file that fails, here or on a worker, becomes a
    failed outcome and the batch goes on.
    """
    distributed = _import_distributed()
    owned = isinstance(scheduler, str)
    client: Any = connect(scheduler) if owned else scheduler
    try:
        threads = sum(client.nthreads().values()) or 1
        window = max(8, threads * IN_FLIGHT_PER_THREAD)
        results: dict[int, Outcome] = {}
        queue = iter(tasks)
        running: dict[Any, Task] = {}
        completed = distributed.as_completed()

        def submit_next() -> bool:
            for task in queue:
                try:
                    data = task.source.read_bytes()
                except OSError:
                    # Unreadable here: the local function gives the same message as a local run.
                    results[task.index] = recalc_one(task.source, None, task.force)
                    on_done(1)
                    continue
                future = client.submit(
                    recalc_bytes, task.source, data, task.output is not None, pure=False
                )
                running[future] = task
                completed.add(future)
                return True
            return False

        for _ in range(window):
            if not submit_next():
                break
        for future in completed:
            task = running.pop(future)
            results[task.index] = _finish(task, future)
            future.release()
            on_done(1)
            submit_next()
    finally:
        if owned:
            client.close()
    return [results[task.index] for task in tasks]


def _finish(task: Task, future: Any) -> Outcome:
    try:
        outcome, patched, changed = future.result()
    except Exception as exc:
        return Outcome(task.source, task.output, None, internal_error(task.source, exc))
    outcome.output = task.output
    if outcome.error is None and task.output is not None and patched is not None:
        try:
            write_output(task.source, task.output, patched, changed, force=task.force)
        except XladdinError as exc:
            outcome.summary, outcome.error = None, str(exc.in_file(str(task.source)))
    return outcome
