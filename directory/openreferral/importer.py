"""Import an Open Referral JSON feed or a staff CSV file into the directory.

Every record is cleaned first (HTML removed, phone labels stripped, times
without an offset read as UK local time, missing ids made from the
organisation and service names). Records that cannot be used are rejected with
their number and the reason. The rest are written in one transaction, so a
file that cannot be imported, or a database failure, writes nothing.

New services arrive unpublished, so that staff check them before visitors
see them, unless `publish` is set. A service whose id is already in the
directory is updated and keeps its published state, unless `publish` is set.
"""

import logging
from collections import Counter
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.db.base import Base
from directory.db.models import Organization
from directory.openreferral.csv_format import (
    CSV_SHAPE,
    parse_csv_feed,
    service_from_csv_row,
)
from directory.openreferral.drafts import (
    AddressDraft,
    ContactDraft,
    LocationDraft,
    OrganizationDraft,
    PhoneDraft,
    ScheduleDraft,
    ServiceAreaDraft,
    ServiceDraft,
    TermDraft,
)
from directory.openreferral.feeds import parse_json_feed, service_from_record
from directory.openreferral.report import (
    FeedError,
    ImportReport,
    RecordContext,
    RecordNote,
    RecordRejectedError,
)
from directory.openreferral.writer import DirectoryWriter

logger = logging.getLogger(__name__)

# Largest file read, so that a wrong file (a database dump, say) fails fast.
MAX_FILE_BYTES = 50 * 1024 * 1024

# The table each draft is written to, for the column length checks.
DRAFT_TABLES: dict[type, str] = {
    ServiceDraft: "service",
    OrganizationDraft: "organization",
    PhoneDraft: "phone",
    ContactDraft: "contact",
    ScheduleDraft: "schedule",
    ServiceAreaDraft: "service_area",
    LocationDraft: "location",
    AddressDraft: "address",
    TermDraft: "taxonomy_term",
}


def read_records(path: Path, report: ImportReport) -> list[tuple[str, Any]]:
    """Return (shape, record) pairs of a .json or .csv file; raise FeedError."""
    suffix = path.suffix.lower()
    if suffix not in {".json", ".csv"}:
        raise FeedError(f"the file name must end in .json or .csv, not {suffix!r}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FeedError(
                f"the file is {size} bytes; the largest file imported is "
                f"{MAX_FILE_BYTES} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"the file could not be read ({exc.strerror})") from exc

    if suffix == ".csv":
        rows = parse_csv_feed(data, report.notes)
        report.shape = CSV_SHAPE
        return [(CSV_SHAPE, row) for row in rows]
    shape, records = parse_json_feed(data)
    report.shape = shape
    return [(shape, record) for record in records]


def draft_services(
    records: list[tuple[str, Any]], report: ImportReport
) -> list[ServiceDraft]:
    """Clean every record; note the rejected ones and the dropped values."""
    drafts: list[ServiceDraft] = []
    seen_ids: dict[str, int] = {}
    ignored: Counter[str] = Counter()
    for number, (shape, record) in enumerate(records, start=1):
        context = RecordContext(number)
        try:
            if shape == CSV_SHAPE:
                draft = service_from_csv_row(record, context)
            else:
                draft = service_from_record(shape, record, context, ignored)
            check_draft(draft)
            if draft.id in seen_ids:
                raise RecordRejectedError(
                    f"the id {draft.id!r} is also used by record {seen_ids[draft.id]}"
                )
        except RecordRejectedError as exc:
            report.rejected.append(RecordNote(number, context.record_id, str(exc)))
            continue
        finally:
            report.warnings.extend(context.warnings)
        seen_ids[draft.id] = number
        drafts.append(draft)
    report.ignored_fields.update(ignored)
    return drafts


def check_draft(draft: object, path: str = "") -> None:
    """Reject a draft with a value longer than its database column."""
    table_name = DRAFT_TABLES.get(type(draft))
    if table_name is None or not is_dataclass(draft):
        return
    for field in fields(draft):
        value = getattr(draft, field.name)
        name = f"{path}{field.name}"
        if isinstance(value, list):
            for item in value:
                check_draft(item, f"{name}.")
        elif is_dataclass(value):
            check_draft(value, f"{name}.")
        elif isinstance(value, str):
            length = _column_length(table_name, field.name)
            if length is not None and len(value) > length:
                raise RecordRejectedError(
                    f"{name} is {len(value)} characters long; at most {length} "
                    "fit in the directory"
                )


def _column_length(table_name: str, field_name: str) -> int | None:
    """Return the length limit of the column a draft field is written to."""
    if table_name == "taxonomy_term" and field_name == "taxonomy":
        table_name, field_name = "taxonomy", "name"
    column = Base.metadata.tables[table_name].c.get(field_name)
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def reject_unknown_organizations(
    session: Session, drafts: list[ServiceDraft], report: ImportReport
) -> list[ServiceDraft]:
    """Reject drafts that give only an organisation id that nothing defines."""
    named_in_file = {
        draft.organization.id
        for draft in drafts
        if draft.organization.id and draft.organization.name
    }
    referenced_only = {
        draft.organization.id
        for draft in drafts
        if draft.organization.id and not draft.organization.name
    } - named_in_file
    known = (
        set(
            session.scalars(
                select(Organization.id).where(Organization.id.in_(referenced_only))
            )
        )
        if referenced_only
        else set()
    )

    accepted = []
    for draft in drafts:
        organization_id = draft.organization.id
        if organization_id in referenced_only and organization_id not in known:
            report.rejected.append(
                RecordNote(
                    draft.record_number,
                    draft.id,
                    f"organization_id {organization_id!r} is not in the directory "
                    "and the record has no organization object with a name",
                )
            )
            continue
        accepted.append(draft)
    return accepted


def import_file(
    session: Session,
    path: Path,
    *,
    publish: bool = False,
    dry_run: bool = False,
    strict: bool = False,
) -> ImportReport:
    """Import a feed into the directory in one transaction and report what happened.

    Raises FeedError, after rolling back, when the file as a whole cannot be
    imported: unreadable, not JSON or CSV of the expected shape, no usable
    record, any rejected record when `strict` is set, or a database failure.
    """
    report = ImportReport(source=path.name, publish=publish, dry_run=dry_run)
    records = read_records(path, report)
    report.records_read = len(records)
    if not records:
        raise FeedError("the file contains no service records")

    drafts = reject_unknown_organizations(
        session, draft_services(records, report), report
    )
    report.rejected.sort(key=lambda note: note.record_number)
    if not drafts:
        raise FeedError(
            f"none of the {len(records)} records could be imported:\n"
            + "\n".join(f"  {note}" for note in report.rejected[:20])
        )
    if strict and report.rejected:
        raise FeedError(
            f"{len(report.rejected)} records were rejected and strict mode is on:\n"
            + "\n".join(f"  {note}" for note in report.rejected[:20])
        )

    writer = DirectoryWriter(session, publish=publish, source=path.name)
    try:
        for draft in drafts:
            context = RecordContext(
                draft.record_number, draft.id if draft.id_given else None
            )
            if writer.write(draft, context):
                report.created.append(draft.id)
            else:
                report.updated.append(draft.id)
            report.warnings.extend(context.warnings)
        if dry_run:
            session.rollback()
        else:
            session.commit()
            report.written = True
    except SQLAlchemyError as exc:
        session.rollback()
        logger.exception("Import of %s failed in the database", path.name)
        raise FeedError(
            f"the database rejected the import, so nothing was written: "
            f"{type(exc).__name__}: {getattr(exc, 'orig', exc)}"
        ) from exc
    report.warnings.sort(key=lambda note: note.record_number)
    logger.info(
        "Imported %s: %d created, %d updated, %d rejected, written=%s",
        path.name,
        len(report.created),
        len(report.updated),
        len(report.rejected),
        report.written,
    )
    return report
