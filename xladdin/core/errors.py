"""Domain errors: every problem a user can cause carries where it happened and a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a problem sits: any of file, sheet, cell, indicator code and field."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    code: str | None = None
    field: str | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.cell:
            parts.append(f"单元格 {self.cell}")
        if self.code:
            parts.append(f"指标 {self.code}")
        if self.field:
            parts.append(f"字段 {self.field}")
        return "，".join(parts)

    def with_file(self, file: str) -> Location:
        return Location(file, self.sheet, self.cell, self.code, self.field)


@dataclass
class XladdinError(Exception):
    """A problem the user can fix. ``str()`` gives one line: location, then the message."""

    message: str
    location: Location = field(default_factory=Location)
    details: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = self.location.describe()
        head = f"{where}：{self.message}" if where else self.message
        if self.details:
            return head + "\n" + "\n".join(f"  - {d}" for d in self.details)
        return head

    def in_file(self, file: str) -> XladdinError:
        """The same error, located in ``file`` (kept if a file is already named)."""
        if self.location.file:
            return self
        return type(self)(self.message, self.location.with_file(file), list(self.details))


class RubricError(XladdinError):
    """A rubric that cannot be used as it stands."""


class EvidenceError(XladdinError):
    """Evidence that does not fit its rubric or cannot be read."""


class WorkbookError(XladdinError):
    """A workbook that cannot be read or written."""
