"""Writing output files: one safe replacement used by every command, and the rule for which
existing files a command may replace.

:func:`write_file` never leaves a half-written file behind. The new content is written to a
temporary file in the target's own folder (``.xladdin-<pid>-<random><suffix>``), given the
permissions the target should have, then renamed over the target, so a reader sees either the
old file or the new one. Around that:

- a symbolic link is followed: the file it points to is replaced and the link is kept;
- a file with several hard links is rewritten in place (same inode), so every name keeps
  seeing the same content: the new content is first complete in the temporary file, then
  copied over the old content; if that copy fails, the old content is written back;
- the file gets the permissions of the file it replaces, else the umask's (like any program);
  a read-only file (no write permission for anyone) is not replaced;
- the temporary file is removed on any error, on Ctrl+C and, once :func:`install_signal_cleanup`
  has run, on SIGTERM/SIGHUP; what a hard kill leaves behind is removed by a later run writing
  to the same folder (:func:`remove_stale_temporaries`);
- an operating-system error becomes one Chinese line naming the file (:class:`OutputError`).

:func:`guard_output` is the overwrite rule: an existing file is replaced only when ``--force``
is given or the command recognises the file as its own earlier output (each command passes
its own recogniser).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from .core.errors import Location, WorkbookError

TEMP_PREFIX = ".xladdin-"
# A temporary file left by a process that still runs is kept, unless it is older than this
# (the process id may have been reused since).
STALE_AFTER_SECONDS = 24 * 3600
# Temporaries without a process id in their name (written by earlier versions) are removed
# when they are older than this.
UNNAMED_STALE_AFTER_SECONDS = 3600

_RUN_STARTED = time.time()
_TEMP_NAME = re.compile(r"^\.xladdin-(?:(\d+)-)?[A-Za-z0-9_]+")
_live: set[str] = set()  # this process's temporary files, for the signal handler
_swept: set[str] = set()  # folders already cleaned of stale temporaries in this run

WriteContent = bytes | str | Callable[[Path], None]


class OutputError(WorkbookError):
    """An output file that cannot or must not be written."""


# -- errors -----------------------------------------------------------------------------------

_REASONS = {
    errno.EACCES: "没有写入权限（或文件正在 Excel、WPS 中打开）",
    errno.EPERM: "没有写入权限（或文件正在 Excel、WPS 中打开）",
    errno.EROFS: "所在磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "输出路径是一个文件夹",
    errno.ENAMETOOLONG: "文件名太长",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ETXTBSY: "文件正被其他程序使用",
}


def write_error(exc: OSError, target: Path) -> OutputError:
    """An operating-system error while writing ``target``, as one Chinese line."""
    reason = _REASONS.get(exc.errno or 0)
    if reason is None:
        reason = f"无法写出文件（{exc.strerror or type(exc).__name__}）"
    else:
        reason = f"无法写出文件：{reason}"
    return OutputError(reason, Location(file=str(target)))


def os_error_line(exc: OSError) -> str:
    """Any other operating-system error (reading included), as one Chinese line."""
    if exc.errno == errno.ENOENT:
        reason = "文件或文件夹不存在"
    else:
        reason = _REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__)
    if exc.filename:
        return f"文件 {exc.filename}：无法访问（{reason}）"
    return f"无法访问文件（{reason}）"


# -- the overwrite rule -----------------------------------------------------------------------


def guard_output(
    target: Path, *, force: bool, own: Callable[[Path], bool] | None = None, what: str = "文件"
) -> None:
    """Refuse to replace an existing ``target`` unless ``force`` is set or ``own(target)`` says
    it is this command's own earlier output. A folder is always refused."""
    if target.is_dir():
        raise OutputError("输出路径是一个文件夹", Location(file=str(target)))
    if force or not target.exists():
        return
    recognised = False
    if own is not None:
        try:
            recognised = own(target)
        except Exception:  # an unreadable file is simply not recognised
            recognised = False
    if not recognised:
        raise OutputError(
            f"{what}已存在，且不是本命令先前生成的输出，未覆盖（确要覆盖请加 --force）",
            Location(file=str(target)),
        )


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name the same file (through links, when both exist)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def zip_member(path: Path, name: str) -> bytes | None:
    """One member of a zip package (xlsx, docx), or None if the file is no such package."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            return package.read(name)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None


# -- writing ----------------------------------------------------------------------------------


def file_mode(target: Path) -> int:
    """The permissions a written file gets: those of the file it replaces, else the umask's."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_file(target: Path, content: WriteContent) -> None:
    """Replace ``target`` with ``content`` safely (see the module's docstring).

    ``content`` is the bytes, a text (written as UTF-8), or a function that writes the file at
    the temporary path it is given (for libraries that save to a path).
    """
    import tempfile

    real = Path(os.path.realpath(target))  # a symlink's target; the link itself stays
    try:
        if real.is_dir():
            raise OutputError("输出路径是一个文件夹", Location(file=str(target)))
        if _read_only(real):
            raise OutputError(
                "文件是只读的，未覆盖（如确要更新，请先取消其只读属性）", Location(file=str(target))
            )
        real.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(real.parent)
        mode = file_mode(real)
        handle, name = tempfile.mkstemp(
            prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=real.suffix, dir=real.parent
        )
        _live.add(name)
        try:
            if callable(content):
                os.close(handle)
                content(Path(name))
            else:
                data = content.encode("utf-8") if isinstance(content, str) else content
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
            os.chmod(name, mode)
            if _hard_linked(real):
                _rewrite_in_place(Path(name), real)
            else:
                os.replace(name, real)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            _live.discard(name)
    except OSError as exc:
        raise write_error(exc, target) from None
    except Exception as exc:
        # Libraries that save to a path wrap the system's error (xlsxwriter's FileCreateError).
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise write_error(cause, target) from None
        raise


def _read_only(path: Path) -> bool:
    # Renaming over a file needs no write permission on it; a file nobody may write (Windows'
    # read-only attribute, chmod a-w) is kept as its owner asked, for every user, root included.
    try:
        return not path.stat().st_mode & 0o222
    except FileNotFoundError:
        return False


def _hard_linked(path: Path) -> bool:
    try:
        return path.stat().st_nlink > 1
    except FileNotFoundError:
        return False


def _rewrite_in_place(source: Path, target: Path) -> None:
    # Renaming would give ``target``'s name a new inode and split it from its other names.
    new = source.read_bytes()
    old = target.read_bytes()
    with open(target, "r+b") as stream:
        try:
            stream.write(new)
            stream.truncate()
            stream.flush()
            os.fsync(stream.fileno())
        except BaseException:
            stream.seek(0)
            stream.write(old)
            stream.truncate()
            raise


# -- temporary files left behind --------------------------------------------------------------


def _running(pid: int) -> bool:
    if os.name == "nt":
        # os.kill would terminate the process there; such files go after STALE_AFTER_SECONDS.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def is_stale_temporary(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary file an interrupted xladdin run left behind: named
    ``.xladdin-…``, last written before this run started, by a process that no longer runs
    (or long ago)."""
    match = _TEMP_NAME.match(path.name)
    if match is None:
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    if not path.is_file() or info.st_mtime >= _RUN_STARTED:
        return False
    age = (time.time() if now is None else now) - info.st_mtime
    pid = match.group(1)
    if pid is None:
        return age > UNNAMED_STALE_AFTER_SECONDS
    if int(pid) == os.getpid():
        return False
    return age > STALE_AFTER_SECONDS or not _running(int(pid))


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the stale temporaries in ``folder`` (once per folder and run); returns them."""
    key = os.path.realpath(folder)
    if key in _swept:
        return []
    _swept.add(key)
    removed: list[Path] = []
    try:
        entries = [folder / name for name in os.listdir(folder) if name.startswith(TEMP_PREFIX)]
    except OSError:
        return removed
    for path in entries:
        if is_stale_temporary(path):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def _remove_live_and_exit(signum: int, frame: FrameType | None) -> None:
    for name in list(_live):
        with contextlib.suppress(OSError):
            os.unlink(name)
    raise SystemExit(128 + signum)


def install_signal_cleanup() -> None:
    """Remove this process's temporary files on SIGTERM and SIGHUP, then exit (Ctrl+C already
    unwinds through :func:`write_file`, which removes its temporary file)."""
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) in (signal.SIG_DFL, None):
                signal.signal(number, _remove_live_and_exit)
        except (ValueError, OSError):  # not the main thread
            pass
