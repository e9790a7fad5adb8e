"""Pages for editors: the service list, the form, drafts, checks and the audit."""

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.db.models import Service
from directory.db.queries import SERVICE_ENTITY
from directory.db.session import get_session
from directory.staff import workflow
from directory.staff.auth import SignedIn, require_role, verify_csrf
from directory.staff.forms import ServiceForm, form_from_record, parse_form
from directory.staff.models import EDITOR, ServiceDraft
from directory.staff.pages import render, see_other
from directory.staff.records import (
    ServiceRecord,
    changed_fields,
    read_record,
    term_choices,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/staff", include_in_schema=False)

Editor = Annotated[SignedIn, Depends(require_role(EDITOR))]
Db = Annotated[Session, Depends(get_session)]
CSRF = [Depends(verify_csrf)]


@router.get("/services", response_class=HTMLResponse)
def service_list(
    request: Request, staff: Editor, db: Db, show: str = "current"
) -> HTMLResponse:
    """List the services in the directory, or the archived ones."""
    archived = show == "archived"
    services = db.scalars(
        select(Service)
        .where(Service.published.is_(not archived))
        .options(selectinload(Service.organization))
        .order_by(Service.name)
    ).all()
    drafts = {draft.service_id: draft for draft in db.scalars(select(ServiceDraft))}
    new_drafts = [draft for draft in drafts.values() if draft.is_new]
    return render(
        request,
        "services.html",
        staff,
        services=services,
        drafts=drafts,
        new_drafts=[(draft, workflow.draft_record(draft)) for draft in new_drafts],
        archived=archived,
        due_before=workflow.check_due_before(datetime.now(UTC).date()),
    )


@router.get("/services/new", response_class=HTMLResponse)
def new_service(request: Request, staff: Editor, db: Db) -> HTMLResponse:
    """Show an empty service form."""
    return _form_page(request, staff, db, form_from_record(None), None)


@router.post("/services/new", response_class=HTMLResponse, dependencies=CSRF)
async def new_service_post(request: Request, staff: Editor, db: Db) -> Response:
    """Save a new service as a draft, or show the form again with its errors."""
    return await _save(request, staff, db, None)


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service_page(
    request: Request, staff: Editor, db: Db, service_id: str
) -> HTMLResponse:
    """Show a service, its draft changes, its checks and its change history."""
    service = workflow.load_service(db, service_id)
    draft = workflow.draft_of(db, service_id)
    if service is None and draft is None:
        return _not_found(request, staff)

    live = read_record(db, service) if service is not None else None
    proposed = workflow.draft_record(draft) if draft is not None else None
    history = workflow.search_audit(db, workflow.AuditQuery(resource_id=service_id))
    title = ""
    if live is not None:
        title = live.name
    elif proposed:
        title = proposed.name
    return render(
        request,
        "service.html",
        staff,
        title=title,
        service_id=service_id,
        service=service,
        live=live,
        draft=draft,
        proposed=proposed,
        changes=changed_fields(live, proposed) if proposed is not None else [],
        history=[row for row in history if row.resource_type == SERVICE_ENTITY],
        due_before=workflow.check_due_before(datetime.now(UTC).date()),
        message=request.query_params.get("done"),
    )


@router.get("/services/{service_id}/edit", response_class=HTMLResponse)
def edit_service(
    request: Request, staff: Editor, db: Db, service_id: str
) -> HTMLResponse:
    """Show the form filled in from the draft, or from the published record."""
    record = _editable_record(db, service_id)
    if record is None:
        return _not_found(request, staff)
    return _form_page(request, staff, db, form_from_record(record), service_id)


@router.post(
    "/services/{service_id}/edit", response_class=HTMLResponse, dependencies=CSRF
)
async def edit_service_post(
    request: Request, staff: Editor, db: Db, service_id: str
) -> Response:
    """Save the edit as the service's draft, or show the errors."""
    if _editable_record(db, service_id) is None:
        return _not_found(request, staff)
    return await _save(request, staff, db, service_id)


def _editable_record(db: Session, service_id: str) -> ServiceRecord | None:
    draft = workflow.draft_of(db, service_id)
    if draft is not None:
        return workflow.draft_record(draft)
    service = workflow.load_service(db, service_id)
    return read_record(db, service) if service is not None else None


async def _save(
    request: Request, staff: SignedIn, db: Session, service_id: str | None
) -> Response:
    choices = term_choices(db)
    known = {
        name: {term.code for term in terms if term.code}
        for name, terms in choices.items()
    }
    form, record = parse_form(await request.form(), known)
    if record is None:
        return _form_page(request, staff, db, form, service_id, status_code=400)
    draft = workflow.save_draft(db, service_id, record, staff.email)
    return see_other(f"/staff/services/{draft.service_id}?done=saved")


def _form_page(
    request: Request,
    staff: SignedIn,
    db: Session,
    form: ServiceForm,
    service_id: str | None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "service_form.html",
        staff,
        status_code=status_code,
        form=form,
        errors=form.errors,
        service_id=service_id,
        choices=term_choices(db),
    )


@router.post("/services/{service_id}/publish", dependencies=CSRF)
def publish_service(
    request: Request, staff: Editor, db: Db, service_id: str
) -> Response:
    """Publish the draft: the assistant uses the new details from now on."""
    try:
        workflow.publish(db, service_id, staff.email)
    except workflow.WorkflowError as exc:
        return _action_refused(request, staff, service_id, str(exc))
    return see_other(f"/staff/services/{service_id}?done=published")


@router.post("/services/{service_id}/discard", dependencies=CSRF)
def discard_draft(request: Request, staff: Editor, db: Db, service_id: str) -> Response:
    """Throw the draft away; the published details stay as they are."""
    is_new = (draft := workflow.draft_of(db, service_id)) is not None and draft.is_new
    try:
        workflow.discard_draft(db, service_id)
    except workflow.WorkflowError as exc:
        return _action_refused(request, staff, service_id, str(exc))
    if is_new and workflow.load_service(db, service_id) is None:
        return see_other("/staff/services")
    return see_other(f"/staff/services/{service_id}?done=discarded")


@router.post("/services/{service_id}/confirm", dependencies=CSRF)
def confirm_service(
    request: Request, staff: Editor, db: Db, service_id: str
) -> Response:
    """Record that the service's details were checked and are still correct."""
    service = workflow.load_service(db, service_id)
    if service is None:
        return _not_found(request, staff)
    workflow.confirm(db, service, staff.email)
    return see_other(f"/staff/services/{service_id}?done=confirmed")


@router.post("/services/{service_id}/archive", dependencies=CSRF)
def archive_service(
    request: Request, staff: Editor, db: Db, service_id: str
) -> Response:
    """Take the service out of what the assistant offers."""
    return _set_archived(request, staff, db, service_id, archive=True)


@router.post("/services/{service_id}/restore", dependencies=CSRF)
def restore_service(
    request: Request, staff: Editor, db: Db, service_id: str
) -> Response:
    """Put an archived service back into what the assistant offers."""
    return _set_archived(request, staff, db, service_id, archive=False)


def _set_archived(
    request: Request, staff: SignedIn, db: Session, service_id: str, archive: bool
) -> Response:
    service = workflow.load_service(db, service_id)
    if service is None:
        return _not_found(request, staff)
    try:
        if archive:
            workflow.archive(db, service, staff.email)
        else:
            workflow.restore(db, service, staff.email)
    except workflow.WorkflowError as exc:
        return _action_refused(request, staff, service_id, str(exc))
    done = "archived" if archive else "restored"
    return see_other(f"/staff/services/{service_id}?done={done}")


@router.get("/checks", response_class=HTMLResponse)
def checks(request: Request, staff: Editor, db: Db) -> HTMLResponse:
    """List the services whose details are due for checking."""
    today = datetime.now(UTC).date()
    return render(
        request,
        "checks.html",
        staff,
        services=workflow.services_due_for_check(db, today),
        due_before=workflow.check_due_before(today),
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    staff: Editor,
    db: Db,
    q: str = "",
    by: str = "",
    field: str = "",
    service: str = "",
) -> HTMLResponse:
    """Search the record of changes: who changed which field, and when."""
    query = workflow.AuditQuery(
        text=q.strip(),
        updated_by=by.strip(),
        field_name=field.strip(),
        resource_id=service.strip(),
    )
    rows = workflow.search_audit(db, query)
    names = workflow.service_names(
        db, {row.resource_id for row in rows if row.resource_type == SERVICE_ENTITY}
    )
    return render(
        request,
        "audit.html",
        staff,
        query=query,
        rows=rows,
        names=names,
        page_size=workflow.AUDIT_PAGE_SIZE,
    )


def _not_found(request: Request, staff: SignedIn) -> HTMLResponse:
    return render(
        request,
        "refused.html",
        staff,
        status_code=404,
        title="Service not found",
        message="No service or draft has this address. Go back to the list of "
        "services and choose one from there.",
    )


def _action_refused(
    request: Request, staff: SignedIn, service_id: str, message: str
) -> HTMLResponse:
    logger.info("Rejected an action on service %s: %s", service_id, message)
    return render(
        request,
        "refused.html",
        staff,
        status_code=409,
        title="Nothing was changed",
        message=message,
        back=f"/staff/services/{service_id}",
    )
