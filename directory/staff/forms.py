"""The service form: what it shows, and how a posted form becomes a record.

Rows of phones and opening hours are numbered fields (`phone-0-number`,
`hours-1-opens`); a row left blank is ignored. Each error is keyed by the id of
the field it belongs to, so the error summary can link to it.
"""

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from directory.db.models import SERVICE_STATUSES
from directory.signposting.matching import REQUIRED_TAXONOMIES
from directory.staff import validation
from directory.staff.records import (
    DAYS,
    EDITABLE_TAXONOMIES,
    HoursEntry,
    PhoneEntry,
    ServiceRecord,
)

BLANK_PHONE_ROWS = 2
BLANK_HOURS_ROWS = 2
MAX_ROWS = 20

PHONE_TYPES = {
    "voice": "Voice call",
    "text": "Text message (SMS)",
    "textphone": "Textphone or text relay",
    "cell": "Mobile",
    "video": "Video call",
    "fax": "Fax",
}
STATUS_LABELS = {
    "active": "Open",
    "temporarily closed": "Temporarily closed",
    "inactive": "Closed",
    "defunct": "Closed for good",
}
DAY_LABELS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
TAXONOMY_LABELS = {
    "sos-routes": "What the service does",
    "sos-characteristics": "Characteristics it covers",
    "sos-faiths": "Faiths it covers (religion-specific services only)",
    "sos-incident-types": "Kinds of incident it deals with",
    "sos-areas": "Areas it covers",
    "sos-flags": "Features",
}
TEXT_LIMITS = {
    "name": 255,
    "organization": 255,
    "email": 255,
    "url": 2048,
    "description": 5000,
    "interpretation_services": 2000,
    "eligibility_description": 2000,
    "hours_description": 500,
}
FIELD_LABELS = {
    "name": "Service name",
    "organization": "Organisation",
    "description": "Description",
    "url": "Website",
    "email": "Email address",
    "interpretation_services": "Interpreting and languages",
    "eligibility_description": "Who can use it",
    "hours_description": "Opening hours as shown to visitors",
    "minimum_age": "Minimum age",
    "maximum_age": "Maximum age",
    "status": "Status",
    "phones": "Phone numbers",
    "hours": "Opening times",
    "published": "In the directory",
    "assured_date": "Checked on",
    "assurer_email": "Checked by",
}
MAX_AGE = 120


@dataclass
class ServiceForm:
    """Values to show in the form and the errors found in them."""

    values: dict[str, str] = field(default_factory=dict)
    phones: list[dict[str, str]] = field(default_factory=list)
    hours: list[dict[str, object]] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add_blank_rows(self) -> None:
        """Add empty rows so staff can add a phone or opening hours."""
        for _ in range(BLANK_PHONE_ROWS):
            self.phones.append({"number": "", "type": "voice", "description": ""})
        for _ in range(BLANK_HOURS_ROWS):
            self.hours.append({"days": [], "opens": "", "closes": ""})


def form_from_record(record: ServiceRecord | None) -> ServiceForm:
    """Return the form filled in from a record, or empty for a new service."""
    form = ServiceForm()
    if record is not None:
        form.values = {
            "name": record.name,
            "organization": record.organization,
            "description": record.description,
            "url": record.url or "",
            "email": record.email or "",
            "status": record.status,
            "interpretation_services": record.interpretation_services or "",
            "eligibility_description": record.eligibility_description or "",
            "minimum_age": _text(record.minimum_age),
            "maximum_age": _text(record.maximum_age),
            "hours_description": record.hours_description or "",
        }
        form.phones = [
            {
                "number": phone.number,
                "type": phone.type,
                "description": phone.description or "",
            }
            for phone in record.phones
        ]
        form.hours = [
            {"days": entry.days, "opens": entry.opens_at, "closes": entry.closes_at}
            for entry in record.hours
        ]
        form.terms = {name: list(codes) for name, codes in record.terms.items()}
    else:
        form.values = {"status": "active"}
    form.add_blank_rows()
    return form


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def parse_form(
    posted: FormData, known_terms: dict[str, set[str]]
) -> tuple[ServiceForm, ServiceRecord | None]:
    """Check a posted form and return it for display, with the record if valid."""
    form = ServiceForm()
    for name in (*TEXT_LIMITS, "status", "minimum_age", "maximum_age"):
        form.values[name] = _field(posted, name)
    _check_text(form)
    minimum_age = _check_age(form, "minimum_age")
    maximum_age = _check_age(form, "maximum_age")
    if (
        minimum_age is not None
        and maximum_age is not None
        and minimum_age > maximum_age
    ):
        form.errors["maximum_age"] = (
            "Enter a maximum age that is the same as or more than the minimum age."
        )

    phones = _parse_phones(posted, form)
    hours = _parse_hours(posted, form)
    _parse_terms(posted, form, known_terms)

    if form.errors:
        form.add_blank_rows()
        return form, None

    record = ServiceRecord(
        name=form.values["name"],
        organization=form.values["organization"],
        description=form.values["description"],
        url=form.values["url"] or None,
        email=form.values["email"] or None,
        status=form.values["status"],
        interpretation_services=form.values["interpretation_services"] or None,
        eligibility_description=form.values["eligibility_description"] or None,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        phones=phones,
        hours_description=form.values["hours_description"] or None,
        hours=hours,
        terms={name: codes for name, codes in form.terms.items() if codes},
    )
    return form, record


def _field(posted: FormData, name: str) -> str:
    value = posted.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_text(form: ServiceForm) -> None:
    values = form.values
    if not values["name"]:
        form.errors["name"] = "Enter the name of the service."
    if not values["organization"]:
        form.errors["organization"] = "Enter the organisation that runs the service."
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit and name not in form.errors:
            form.errors[name] = (
                f"{FIELD_LABELS[name]} must be {limit} characters or fewer; "
                f"it has {len(values[name])}."
            )
    if values["url"] and "url" not in form.errors:
        _set_error(form, "url", validation.url_error(values["url"]))
    if values["email"] and "email" not in form.errors:
        _set_error(form, "email", validation.email_error(values["email"]))
    if values["status"] not in SERVICE_STATUSES:
        form.errors["status"] = "Choose whether the service is open or closed."


def _set_error(form: ServiceForm, name: str, message: str | None) -> None:
    if message is not None:
        form.errors[name] = message


def _check_age(form: ServiceForm, name: str) -> int | None:
    text = form.values[name]
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_AGE:
        form.errors[name] = (
            f"{FIELD_LABELS[name]} must be a whole number of years from 0 to "
            f"{MAX_AGE}, like 18."
        )
        return None
    return int(text)


def _parse_phones(posted: FormData, form: ServiceForm) -> list[PhoneEntry]:
    entries = []
    for index in range(MAX_ROWS):
        prefix = f"phone-{index}"
        if f"{prefix}-number" not in posted:
            break
        row = {
            "number": _field(posted, f"{prefix}-number"),
            "type": _field(posted, f"{prefix}-type") or "voice",
            "description": _field(posted, f"{prefix}-description"),
        }
        if not row["number"] and not row["description"]:
            continue
        form.phones.append(row)
        shown = len(form.phones) - 1
        if not row["number"]:
            form.errors[f"phone-{shown}-number"] = (
                "Enter the phone number, or clear its description to remove it."
            )
            continue
        _set_error(form, f"phone-{shown}-number", validation.phone_error(row["number"]))
        if row["type"] not in PHONE_TYPES:
            form.errors[f"phone-{shown}-type"] = "Choose the kind of phone number."
        entries.append(
            PhoneEntry(
                number=row["number"],
                type=row["type"],
                description=row["description"] or None,
            )
        )
    return entries


def _parse_hours(posted: FormData, form: ServiceForm) -> list[HoursEntry]:
    entries = []
    for index in range(MAX_ROWS):
        prefix = f"hours-{index}"
        if f"{prefix}-opens" not in posted:
            break
        days = [day for day in posted.getlist(f"{prefix}-days") if day in DAYS]
        opens = _field(posted, f"{prefix}-opens")
        closes = _field(posted, f"{prefix}-closes")
        if not days and not opens and not closes:
            continue
        form.hours.append({"days": days, "opens": opens, "closes": closes})
        shown = len(form.hours) - 1
        errors_before = len(form.errors)
        if not days:
            form.errors[f"hours-{shown}-days"] = (
                "Choose the days these opening times apply to."
            )
        _set_error(
            form, f"hours-{shown}-opens", validation.time_error(opens, "opening")
        )
        _set_error(
            form, f"hours-{shown}-closes", validation.time_error(closes, "closing")
        )
        if len(form.errors) == errors_before and closes <= opens:
            form.errors[f"hours-{shown}-closes"] = (
                "Enter a closing time later than the opening time. For a service "
                "open through the night, describe the hours in the text box instead."
            )
        entries.append(
            HoursEntry(
                days=[str(day) for day in days], opens_at=opens, closes_at=closes
            )
        )
    return entries


def _parse_terms(
    posted: FormData, form: ServiceForm, known_terms: dict[str, set[str]]
) -> None:
    for name in EDITABLE_TAXONOMIES:
        chosen = [str(code) for code in posted.getlist(f"terms-{name}")]
        form.terms[name] = [c for c in chosen if c in known_terms.get(name, set())]
        if len(form.terms[name]) != len(chosen):
            form.errors[f"terms-{name}"] = (
                f"Choose only from the options listed under {TAXONOMY_LABELS[name]}."
            )
        elif name in REQUIRED_TAXONOMIES and not chosen:
            form.errors[f"terms-{name}"] = (
                f"Choose at least one option under {TAXONOMY_LABELS[name]}. The "
                "assistant suggests a service only when it has at least one."
            )
