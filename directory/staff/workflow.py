"""Drafts, publishing, archiving, checking and the audit trail of services.

Staff edits are saved as a `ServiceDraft`. Publishing applies the draft to the
HSDS tables and writes one `metadata` row per changed field, all in one
transaction, so signposting never reads a half-applied record.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from directory.db.models import Metadata, Service, new_id
from directory.db.queries import SERVICE_ENTITY
from directory.settings import settings
from directory.staff.models import ServiceDraft
from directory.staff.records import (
    ServiceRecord,
    apply_record,
    changed_fields,
    read_record,
    terms_by_code,
)

logger = logging.getLogger(__name__)

CREATE = "create"
UPDATE = "update"
ARCHIVE = "archive"
RESTORE = "restore"
CONFIRM = "confirm"
AUDIT_PAGE_SIZE = 200


class WorkflowError(Exception):
    """An action that does not apply to the service in its current state."""


def load_service(db: Session, service_id: str) -> Service | None:
    """Return a service with its organisation, phones, hours and areas."""
    return db.scalar(
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.organization),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.service_areas),
        )
    )


def draft_of(db: Session, service_id: str) -> ServiceDraft | None:
    """Return the unpublished draft of a service, if there is one."""
    return db.scalar(select(ServiceDraft).where(ServiceDraft.service_id == service_id))


def draft_record(draft: ServiceDraft) -> ServiceRecord:
    """Return the record a draft proposes."""
    return ServiceRecord.model_validate(draft.data)


def save_draft(
    db: Session,
    service_id: str | None,
    record: ServiceRecord,
    by: str,
    now: datetime | None = None,
) -> ServiceDraft:
    """Save a record as the draft of a service. A None id starts a new service."""
    now = now or datetime.now(UTC)
    draft = draft_of(db, service_id) if service_id else None
    data = record.model_dump(mode="json")
    if draft is None:
        draft = ServiceDraft(
            service_id=service_id or new_id(),
            is_new=service_id is None,
            data=data,
            created_by=by,
            created_at=now,
            updated_by=by,
            updated_at=now,
        )
        db.add(draft)
    else:
        draft.data = data
        draft.updated_by = by
        draft.updated_at = now
    db.commit()
    logger.info("Saved a draft of service %s", draft.service_id)
    return draft


def discard_draft(db: Session, service_id: str) -> None:
    """Delete the draft of a service without applying it."""
    draft = draft_of(db, service_id)
    if draft is None:
        raise WorkflowError("This service has no draft to discard.")
    db.delete(draft)
    db.commit()
    logger.info("Discarded the draft of service %s", service_id)


def publish(
    db: Session, service_id: str, by: str, now: datetime | None = None
) -> Service:
    """Apply the draft of a service and record each changed field, in one commit.

    A new service is created published. An archived service stays archived.
    """
    now = now or datetime.now(UTC)
    draft = draft_of(db, service_id)
    if draft is None:
        raise WorkflowError("This service has no draft to publish.")
    record = draft_record(draft)
    _check_terms_exist(db, record)

    service = load_service(db, service_id)
    if service is None:
        service = Service(id=service_id, published=True)
        old = None
        action = CREATE
    else:
        old = read_record(db, service)
        action = UPDATE

    changes = changed_fields(old, record)
    apply_record(db, service, record)
    service.last_modified = now
    for field, previous, replacement in changes:
        _audit(db, service.id, action, field, previous, replacement, by, now)
    db.delete(draft)
    db.commit()
    logger.info(
        "Published service %s (%s, %d fields changed)", service.id, action, len(changes)
    )
    return service


def _check_terms_exist(db: Session, record: ServiceRecord) -> None:
    """Reject a draft that names taxonomy terms removed since it was saved."""
    known = terms_by_code(db)
    missing = [
        f"{taxonomy_name} {code}"
        for taxonomy_name, codes in record.terms.items()
        for code in codes
        if (taxonomy_name, code) not in known
    ]
    if missing:
        raise WorkflowError(
            f"The draft uses options that no longer exist ({', '.join(missing)}). "
            "Edit the draft, save it again, then publish it."
        )


def archive(db: Session, service: Service, by: str) -> None:
    """Take a service out of the directory that visitors see."""
    if not service.published:
        raise WorkflowError("This service is already archived.")
    _set_published(db, service, False, ARCHIVE, by)


def restore(db: Session, service: Service, by: str) -> None:
    """Put an archived service back into the directory that visitors see."""
    if service.published:
        raise WorkflowError("This service is not archived.")
    _set_published(db, service, True, RESTORE, by)


def _set_published(
    db: Session, service: Service, published: bool, action: str, by: str
) -> None:
    now = datetime.now(UTC)
    previous = str(service.published)
    service.published = published
    service.last_modified = now
    _audit(db, service.id, action, "published", previous, str(published), by, now)
    db.commit()
    logger.info("Service %s: %s", service.id, action)


def confirm(db: Session, service: Service, by: str, today: date | None = None) -> None:
    """Record that the service's details were confirmed as correct today."""
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    previous_date = service.assured_date.isoformat() if service.assured_date else ""
    _audit(
        db,
        service.id,
        CONFIRM,
        "assured_date",
        previous_date,
        today.isoformat(),
        by,
        now,
    )
    _audit(
        db,
        service.id,
        CONFIRM,
        "assurer_email",
        service.assurer_email or "",
        by,
        by,
        now,
    )
    service.assured_date = today
    service.assurer_email = by
    db.commit()
    logger.info("Service %s confirmed as correct", service.id)


def _audit(
    db: Session,
    resource_id: str,
    action: str,
    field: str,
    previous: str,
    replacement: str,
    by: str,
    now: datetime,
    resource_type: str = SERVICE_ENTITY,
) -> None:
    db.add(
        Metadata(
            resource_id=resource_id,
            resource_type=resource_type,
            last_action_date=now,
            last_action_type=action,
            field_name=field,
            previous_value=previous,
            replacement_value=replacement,
            updated_by=by,
        )
    )


def audit(
    db: Session,
    resource_id: str,
    resource_type: str,
    action: str,
    field: str,
    previous: str,
    replacement: str,
    by: str,
) -> None:
    """Add an audit row for a change to any resource. The caller commits."""
    _audit(
        db,
        resource_id,
        action,
        field,
        previous,
        replacement,
        by,
        datetime.now(UTC),
        resource_type=resource_type,
    )


def check_due_before(today: date) -> date:
    """Return the date before which a check counts as out of date."""
    return today - timedelta(days=settings.staff_check_interval_days)


def services_due_for_check(db: Session, today: date | None = None) -> list[Service]:
    """Return published services never checked, or checked too long ago.

    Never-checked services come first, then the oldest checks.
    """
    today = today or datetime.now(UTC).date()
    services = db.scalars(
        select(Service)
        .where(Service.published.is_(True))
        .where(
            or_(
                Service.assured_date.is_(None),
                Service.assured_date < check_due_before(today),
            )
        )
        .options(selectinload(Service.organization))
    ).all()
    return sorted(
        services,
        key=lambda service: (
            service.assured_date is not None,
            service.assured_date or today,
            service.name.casefold(),
        ),
    )


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit search, where an empty string matches everything."""

    text: str = ""
    resource_id: str = ""
    updated_by: str = ""
    field_name: str = ""


def search_audit(db: Session, query: AuditQuery) -> list[Metadata]:
    """Return the newest audit rows that match every filter given."""
    statement = select(Metadata)
    if query.resource_id:
        statement = statement.where(Metadata.resource_id == query.resource_id)
    if query.updated_by:
        statement = statement.where(
            Metadata.updated_by.ilike(f"%{_escape(query.updated_by)}%", escape="\\")
        )
    if query.field_name:
        statement = statement.where(Metadata.field_name == query.field_name)
    if query.text:
        pattern = f"%{_escape(query.text)}%"
        names = select(Service.id).where(Service.name.ilike(pattern, escape="\\"))
        statement = statement.where(
            or_(
                Metadata.previous_value.ilike(pattern, escape="\\"),
                Metadata.replacement_value.ilike(pattern, escape="\\"),
                Metadata.field_name.ilike(pattern, escape="\\"),
                Metadata.resource_id.ilike(pattern, escape="\\"),
                Metadata.resource_id.in_(names),
            )
        )
    statement = statement.order_by(
        Metadata.last_action_date.desc(), Metadata.field_name
    ).limit(AUDIT_PAGE_SIZE)
    return list(db.scalars(statement))


def _escape(text: str) -> str:
    """Escape the LIKE wildcards in a search text."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def service_names(db: Session, ids: set[str]) -> dict[str, str]:
    """Return the names of the services with these ids."""
    if not ids:
        return {}
    rows = db.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))
    return {service_id: name for service_id, name in rows}
