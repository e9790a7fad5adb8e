"""Outcome of an import: records read, written and rejected, with the reasons."""

from collections import Counter
from dataclasses import dataclass, field


class RecordRejectedError(Exception):
    """A record that cannot be imported. The message contains the reason."""


class FeedError(Exception):
    """A file that cannot be imported at all; nothing was written."""


@dataclass(frozen=True)
class RecordNote:
    """A message about one record: a rejection or a value that was dropped."""

    record_number: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        name = f" (id {self.record_id!r})" if self.record_id else ""
        return f"record {self.record_number}{name}: {self.message}"


@dataclass
class RecordContext:
    """The record being read, collecting the warnings about its values."""

    number: int
    record_id: str | None = None
    warnings: list[RecordNote] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Note a value that was dropped or changed."""
        self.warnings.append(RecordNote(self.number, self.record_id, message))


@dataclass
class ImportReport:
    """The outcome of one import."""

    source: str
    shape: str = ""
    records_read: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[RecordNote] = field(default_factory=list)
    warnings: list[RecordNote] = field(default_factory=list)
    ignored_fields: Counter[str] = field(default_factory=Counter)
    # Notes about the whole file, such as the text encoding that was assumed.
    notes: list[str] = field(default_factory=list)
    written: bool = False
    publish: bool = False
    dry_run: bool = False

    def summary_lines(self) -> list[str]:
        """Return the report as lines of text for a person to read."""
        lines = [f"Read {self.records_read} records from {self.source} ({self.shape})."]
        lines.extend(self.notes)
        imported = len(self.created) + len(self.updated)
        if self.dry_run:
            lines.append(
                f"Dry run: {imported} services would be imported "
                f"({len(self.created)} new, {len(self.updated)} updated); "
                "nothing was written."
            )
        elif self.written:
            state = (
                "published"
                if self.publish
                else "unpublished: review them, then publish them"
            )
            lines.append(
                f"Imported {imported} services: {len(self.created)} new, "
                f"{len(self.updated)} updated. New services are {state}; "
                "updated services keep their published state."
            )
        else:
            lines.append("Nothing was written to the database.")
        if self.rejected:
            lines.append(f"Rejected {len(self.rejected)} records:")
            lines.extend(f"  {note}" for note in self.rejected)
        if self.warnings:
            lines.append(f"Changed or dropped {len(self.warnings)} values:")
            lines.extend(f"  {note}" for note in self.warnings)
        if self.ignored_fields:
            fields = ", ".join(
                f"{name} ({count})"
                for name, count in sorted(self.ignored_fields.items())
            )
            lines.append(f"Fields this directory does not store, ignored: {fields}")
        return lines
