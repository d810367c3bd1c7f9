"""Safe outputs (issue 10, items 7 and 8): no command overwrites what it should not, writes keep
links and permissions, temporary files never outlive a run, write errors are one Chinese line.

Every test runs the real command (click's CliRunner, or a subprocess where a signal is sent) on
real files in a temporary folder.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from xladdin.cli import main
from xladdin.library import find_bundled

from .workbooks import build_example, edit_cells, input_ref

ID_000 = "nanjing-dsj-2022"
ID_004 = "nanyang-zsj-2021"


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _refused(result: Result, path: Path) -> None:
    """One Chinese line naming the file, a non-zero exit."""
    assert result.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    refusal = [
        line for line in lines if str(path) in line and ("错误：" in line or "失败：" in line)
    ]
    assert len(refusal) == 1, result.stderr
    assert "Error" not in refusal[0] and "内部错误" not in refusal[0]


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".xladdin-"))


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """The 000 example with its evidence entered and B11's spending changed since its scores
    were written, so that recalculation changes it."""
    return _changed(build_example(ID_000, tmp_path / "已填好的.xlsx"))


def _changed(path: Path) -> Path:
    return edit_cells(path, {input_ref(ID_000, "B11", "value"): 1500})


@pytest.fixture
def evidence_000() -> Path:
    entry = find_bundled(ID_000)
    assert entry is not None and entry.evidence_path is not None
    return entry.evidence_path


# -- item 7: what may be overwritten ----------------------------------------------------------


def test_template_does_not_replace_a_filled_workbook(filled: Path) -> None:
    before = filled.read_bytes()
    result = _cli("template", ID_000, "-o", filled)
    _refused(result, filled)
    assert "--force" in result.stderr
    assert filled.read_bytes() == before
    assert _temporaries(filled.parent) == []


def test_template_replaces_its_own_blank_template_and_force_replaces_anything(
    tmp_path: Path, filled: Path
) -> None:
    blank = tmp_path / "空白.xlsx"
    assert _cli("template", ID_000, "-o", blank).exit_code == 0
    assert _cli("template", ID_000, "-o", blank).exit_code == 0  # its own earlier output
    other = tmp_path / "别的.xlsx"
    other.write_bytes(b"not a workbook")
    _refused(_cli("template", ID_000, "-o", other), other)
    assert other.read_bytes() == b"not a workbook"
    forced = _cli("template", ID_000, "-o", filled, "--force")
    assert forced.exit_code == 0, forced.output
    assert filled.read_bytes() == blank.read_bytes()


def test_template_with_the_same_evidence_replaces_its_example(
    tmp_path: Path, evidence_000: Path
) -> None:
    example = tmp_path / "例.xlsx"
    for _ in range(2):
        result = _cli("template", ID_000, "--evidence", evidence_000, "-o", example)
        assert result.exit_code == 0, result.output
    recalculated = _cli("recalc", example, "--in-place")
    assert recalculated.exit_code == 0
    # The scores recalculation wrote are not entries: the example is still its own output.
    again = _cli("template", ID_000, "--evidence", evidence_000, "-o", example)
    assert again.exit_code == 0, again.output


def test_recalc_output_equal_to_its_input_needs_in_place(filled: Path) -> None:
    before = filled.read_bytes()
    result = _cli("recalc", filled, "-o", filled)
    _refused(result, filled)
    assert "--in-place" in result.stderr
    assert filled.read_bytes() == before
    same_folder = _cli("recalc", filled, "--out-dir", filled.parent)
    _refused(same_folder, filled)
    assert filled.read_bytes() == before


def test_recalc_output_through_a_symlink_to_the_input_is_refused(filled: Path) -> None:
    link = filled.parent / "link.xlsx"
    link.symlink_to(filled)
    before = filled.read_bytes()
    _refused(_cli("recalc", filled, "-o", link), link)
    assert filled.read_bytes() == before and link.is_symlink()


def test_recalc_does_not_replace_another_workbook_but_replaces_its_own_output(
    tmp_path: Path, filled: Path
) -> None:
    out = tmp_path / "重算.xlsx"
    assert _cli("recalc", filled, "-o", out).exit_code == 0
    assert _cli("recalc", filled, "-o", out).exit_code == 0  # its own earlier output
    other = build_example(ID_000, tmp_path / "另一单位.xlsx")
    edit_cells(other, {input_ref(ID_000, "B11", "value"): 1400})
    before = other.read_bytes()
    result = _cli("recalc", filled, "-o", other)
    _refused(result, other)
    assert other.read_bytes() == before
    assert _cli("recalc", filled, "-o", other, "--force").exit_code == 0
    assert other.read_bytes() != before


def test_recalc_summary_inside_the_input_set_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "各单位"
    folder.mkdir()
    first = build_example(ID_000, folder / "甲单位.xlsx")
    second = build_example(ID_000, folder / "某单位.xlsx")
    before = second.read_bytes()
    result = _cli("recalc", folder, "--out-dir", tmp_path / "out", "--summary", second)
    _refused(result, second)
    assert "输入文件之一" in result.stderr
    assert second.read_bytes() == before
    assert not (tmp_path / "out").exists()
    # An xladdin summary inside the folder is not an input, and a later run replaces it.
    summary = folder / "汇总.xlsx"
    for _ in range(2):
        done = _cli("recalc", folder, "--summary", summary, "--json")
        assert done.exit_code == 0, done.output
    assert first.exists() and summary.exists()


def test_recalc_summary_does_not_replace_another_file(tmp_path: Path, filled: Path) -> None:
    summary = tmp_path / "汇总.xlsx"
    summary.write_bytes(b"a colleague's table")
    _refused(_cli("recalc", filled, "--summary", summary), summary)
    assert summary.read_bytes() == b"a colleague's table"


def test_recalc_a_macro_workbook_to_xlsx_is_refused(tmp_path: Path) -> None:
    from .workbooks import add_user_content

    (tmp_path / "logo.png").write_bytes(b"")
    source = build_example(ID_000, tmp_path / "宏.xlsm", extend=add_user_content)
    out = tmp_path / "b.xlsx"
    result = _cli("recalc", source, "-o", out)
    _refused(result, out)
    assert ".xlsm" in result.stderr and not out.exists()
    assert _cli("recalc", source, "-o", tmp_path / "b.xlsm").exit_code == 0


def test_import_refuses_yaml_under_an_xlsx_name(tmp_path: Path, filled: Path) -> None:
    existing = build_example(ID_004, tmp_path / "已有.xlsx")
    before = existing.read_bytes()
    result = _cli("import", filled, "-o", existing)
    _refused(result, existing)
    assert existing.read_bytes() == before
    assert not (tmp_path / "已有.evidence.xlsx").exists()


def test_import_replaces_its_own_yaml_only(tmp_path: Path, filled: Path) -> None:
    output = tmp_path / "体系.yaml"
    for _ in range(2):
        result = _cli("import", filled, "-o", output)
        assert result.exit_code == 0, result.output
    notes = tmp_path / "笔记.yaml"
    notes.write_text("我的笔记: 1\n", encoding="utf-8")
    _refused(_cli("import", filled, "-o", notes), notes)
    assert notes.read_text(encoding="utf-8") == "我的笔记: 1\n"


def test_report_replaces_its_own_files_but_not_others(tmp_path: Path, filled: Path) -> None:
    markdown, docx = tmp_path / "报告.md", tmp_path / "报告.docx"
    for _ in range(2):
        result = _cli("report", filled, "-o", markdown, "--docx", docx)
        assert result.exit_code == 0, result.output
    notes = tmp_path / "说明.md"
    notes.write_text("# 我的说明\n", encoding="utf-8")
    _refused(_cli("report", filled, "-o", notes), notes)
    assert notes.read_text(encoding="utf-8") == "# 我的说明\n"
    edited = tmp_path / "手写.docx"
    edited.write_bytes(b"PK not ours")
    _refused(_cli("report", filled, "--docx", edited), edited)
    assert _cli("report", filled, "--docx", edited, "--force").exit_code == 0


def test_audit_review_workbook_replaces_its_own_only(tmp_path: Path, filled: Path) -> None:
    review = tmp_path / "复核.xlsx"
    for _ in range(2):
        assert _cli("audit", filled, "--xlsx", review).exit_code in (0, 1)
    other = build_example(ID_004, tmp_path / "其他.xlsx")
    before = other.read_bytes()
    _refused(_cli("audit", filled, "--xlsx", other), other)
    assert other.read_bytes() == before


def test_demo_reruns_into_its_own_folder_but_not_over_other_files(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert _cli("demo", "--out", out).exit_code == 0
    assert _cli("demo", "--out", out).exit_code == 0
    target = out / f"{ID_004}-example.xlsx"  # the last one the demo writes
    edit_cells(target, {input_ref(ID_004, "A", "narrative"): "我改过的评分过程"})
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    _refused(_cli("demo", "--out", out), target)
    # Refused before any example was written, the first ones included.
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    assert _cli("demo", "--out", out, "--force").exit_code == 0
    assert target.read_bytes() != before[target.name][0]


def test_examples_regenerate_their_folder_but_keep_an_edited_workbook(tmp_path: Path) -> None:
    out = tmp_path / "templates"
    assert _cli("examples", "--out", out).exit_code == 0
    assert _cli("examples", "--out", out).exit_code == 0
    assert _cli("examples", "--out", out, "--check").exit_code == 0
    blank = out / f"{ID_000}.xlsx"
    edit_cells(blank, {input_ref(ID_000, "B11", "value"): 1500})
    before = blank.read_bytes()
    _refused(_cli("examples", "--out", out), blank)
    assert blank.read_bytes() == before


# -- item 8: how files are written ------------------------------------------------------------


def test_in_place_on_a_symlink_writes_through_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = _changed(build_example(ID_000, tmp_path / "real" / "自评表.xlsx"))
    before = real.read_bytes()
    link = tmp_path / "链接.xlsx"
    link.symlink_to(real)
    result = _cli("recalc", link, "--in-place")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() != before
    assert link.read_bytes() == real.read_bytes()
    assert _temporaries(real.parent) == [] and _temporaries(tmp_path) == []


def test_in_place_keeps_hard_links(tmp_path: Path) -> None:
    first = _changed(build_example(ID_000, tmp_path / "甲.xlsx"))
    second = tmp_path / "乙.xlsx"
    os.link(first, second)
    inode = first.stat().st_ino
    before = first.read_bytes()
    result = _cli("recalc", first, "--in-place")
    assert result.exit_code == 0, result.output
    assert first.stat().st_ino == inode and first.stat().st_nlink == 2
    assert second.read_bytes() == first.read_bytes() != before
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("command", ["template", "report", "recalc", "import"])
def test_outputs_get_the_umask_permissions(tmp_path: Path, filled: Path, command: str) -> None:
    output = {
        "template": tmp_path / "t.xlsx",
        "report": tmp_path / "r.md",
        "recalc": tmp_path / "c.xlsx",
        "import": tmp_path / "i.yaml",
    }[command]
    args = {
        "template": ["template", ID_000, "-o", output],
        "report": ["report", filled, "-o", output],
        "recalc": ["recalc", filled, "-o", output],
        "import": ["import", filled, "-o", output],
    }[command]
    old = os.umask(0o022)
    try:
        assert _cli(*args).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(output.stat().st_mode) == 0o644


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
@pytest.mark.parametrize("command", ["template", "report", "import", "demo", "recalc"])
def test_an_unwritable_folder_is_one_chinese_line(
    tmp_path: Path, filled: Path, command: str
) -> None:
    locked = tmp_path / "只读"
    locked.mkdir()
    output = locked / {"template": "t.xlsx", "report": "r.md", "import": "i.yaml"}.get(
        command, "c.xlsx"
    )
    args = {
        "template": ["template", ID_000, "-o", output],
        "report": ["report", filled, "-o", output],
        "import": ["import", filled, "-o", output],
        "demo": ["demo", "--out", locked],
        "recalc": ["recalc", filled, "-o", output],
    }[command]
    locked.chmod(0o555)
    try:
        result = _cli(*args)
    finally:
        locked.chmod(0o755)
    assert result.exit_code != 0
    assert "没有写入权限" in result.stderr
    assert "内部错误" not in result.stderr and "PermissionError" not in result.stderr
    assert list(locked.iterdir()) == []


def test_a_read_only_file_is_kept_with_one_chinese_line(tmp_path: Path, filled: Path) -> None:
    target = tmp_path / "已有.md"
    assert _cli("report", filled, "-o", target).exit_code == 0
    before = target.read_bytes()
    target.chmod(0o444)
    result = _cli("report", filled, "-o", target, "--force")
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("错误：") and str(target) in line and "只读" in line
    assert target.read_bytes() == before and _temporaries(tmp_path) == []
    out = tmp_path / "重算.xlsx"
    assert _cli("recalc", filled, "-o", out).exit_code == 0
    out.chmod(0o444)
    _refused(_cli("recalc", filled, "-o", out, "--force"), out)


def test_a_write_error_is_one_chinese_line_even_as_root(tmp_path: Path, filled: Path) -> None:
    # A path through a regular file fails for every user, root included.
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x", encoding="utf-8")
    for args in (
        ["template", ID_000, "-o", blocker / "t.xlsx"],
        ["report", filled, "-o", blocker / "r.md"],
        ["import", filled, "-o", blocker / "i.yaml"],
        ["demo", "--out", blocker / "demo"],
        ["recalc", filled, "-o", blocker / "c.xlsx"],
    ):
        result = _cli(*args)
        assert result.exit_code != 0, args
        assert "内部错误" not in result.stderr and "Error" not in result.stderr, result.stderr
        assert str(blocker) in result.stderr


def test_stale_temporaries_are_removed_by_a_later_run(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(dead.stdout)
    hour_ago = time.time() - 3700
    stale = tmp_path / f".xladdin-{dead_pid}-abcd1234.xlsx"
    unnamed = tmp_path / ".xladdin-k3j2h1g0.xlsx"
    running = tmp_path / f".xladdin-{os.getpid()}-live0001.xlsx"  # this process runs
    for path in (stale, unnamed, running):
        path.write_bytes(b"partial")
        os.utime(path, (hour_ago, hour_ago))
    fresh = tmp_path / f".xladdin-{dead_pid}-fresh001.xlsx"
    fresh.write_bytes(b"partial")  # written after this run started: not ours to judge
    result = _cli("template", ID_000, "-o", tmp_path / "新.xlsx")
    assert result.exit_code == 0
    assert not stale.exists() and not unnamed.exists()
    assert running.exists() and fresh.exists()


# -- signals ----------------------------------------------------------------------------------

# The real command in a subprocess, paused after the temporary file is complete and before it
# replaces the target, so that the test can send a signal at that moment.
PAUSED_CLI = """
import sys, time
import xladdin.files as files

real = files._hard_linked

def paused(path):
    print("ready", flush=True)
    time.sleep(60)
    return real(path)

files._hard_linked = paused
from xladdin.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_write_removes_the_temporary_file(
    tmp_path: Path, filled: Path, signum: int
) -> None:
    before = filled.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CLI, "recalc", str(filled), "--in-place"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        assert _temporaries(filled.parent) != []  # the write is under way
        process.send_signal(signum)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert _temporaries(filled.parent) == []
    assert filled.read_bytes() == before
