"""Run LibreOffice headless as an independent spreadsheet engine and document converter.

A dedicated user profile sets OOXMLRecalcMode to 0 ("always recalculate"): by default
LibreOffice trusts the cached values of an .xlsx and recalculates nothing, which would make a
comparison with our cached values vacuous.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def make_profile(directory: Path) -> Path:
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
    return directory


def convert(
    files: list[Path], target: str, out_dir: Path, profile: Path, timeout: float = 300
) -> list[Path]:
    """Convert ``files`` with LibreOffice (e.g. target "xlsx" or "pdf"); returns the outputs."""
    binary = soffice()
    assert binary is not None, "LibreOffice (soffice) is not installed"
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        binary,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(out_dir),
        *[str(f) for f in files],
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    outputs = [out_dir / (f.stem + "." + target.split(":")[0]) for f in files]
    missing = [o for o in outputs if not o.exists()]
    assert not missing, f"LibreOffice produced no {missing}: {completed.stdout} {completed.stderr}"
    return outputs
