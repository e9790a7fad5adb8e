"""The staff spreadsheet format: one CSV row per service.

Lists inside a cell are separated by semicolons. `phones` entries read
`type: number [description]`, for example
`voice: 0116 496 0000 [Monday to Friday]; text: 07700 900123`. The taxonomy
columns contain the term codes of the project's vocabularies, and
`other_terms` contains `taxonomy:code` entries of any other taxonomy. The
location columns describe one location; a service with several has only the
first in the file. A cell that would start with `=`, `+`, `-` or `@` is written
with a leading apostrophe, so that spreadsheet programs do not run it as a
formula, and the apostrophe is removed again on import.
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from directory import vocabulary
from directory.openreferral.cleaning import (
    InvalidValueError,
    clean_age,
    clean_email,
    clean_id,
    clean_line,
    clean_phone,
    clean_phone_type,
    clean_text,
    clean_url,
    derived_id,
    parse_date,
)
from directory.openreferral.drafts import (
    AddressDraft,
    LocationDraft,
    OrganizationDraft,
    PhoneDraft,
    ScheduleDraft,
    ServiceDraft,
    TermDraft,
)
from directory.openreferral.feeds import service_status
from directory.openreferral.report import FeedError, RecordContext, RecordRejectedError
from directory.openreferral.schemas import ServiceOut
from directory.openreferral.serialize import PHONE_TYPE_ORDER

CSV_SHAPE = "CSV, one row per service"
LIST_SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Service columns, in the HSDS names, that the CSV carries.
SERVICE_COLUMNS = (
    "id",
    "name",
    "organization_id",
    "organization",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "minimum_age",
    "maximum_age",
    "eligibility_description",
    "fees_description",
    "application_process",
    "assured_date",
    "alert",
)
TAXONOMY_COLUMNS = {
    "areas": vocabulary.AREAS_TAXONOMY,
    "routes": vocabulary.ROUTES_TAXONOMY,
    "characteristics": vocabulary.CHARACTERISTICS_TAXONOMY,
    "faiths": vocabulary.FAITHS_TAXONOMY,
    "incident_types": vocabulary.INCIDENT_TYPES_TAXONOMY,
    "flags": vocabulary.FLAGS_TAXONOMY,
}
LOCATION_COLUMNS = (
    "location_name",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
)
COLUMNS = (
    *SERVICE_COLUMNS,
    "hours",
    "phones",
    *TAXONOMY_COLUMNS,
    "other_terms",
    *LOCATION_COLUMNS,
)
REQUIRED_COLUMNS = ("name",)
PROJECT_TAXONOMIES = frozenset(TAXONOMY_COLUMNS.values())

_PHONE_ENTRY = re.compile(
    r"^(?:(?P<type>[a-z]+)\s*:\s*)?(?P<number>[^\[]+?)\s*(?:\[(?P<description>.*)\])?$",
    re.IGNORECASE,
)


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _join(values: Iterable[str]) -> str:
    return f"{LIST_SEPARATOR} ".join(
        value.replace(LIST_SEPARATOR, ",") for value in values
    )


def _protect(cell: str) -> str:
    """Return a cell that a spreadsheet program shows as text, not a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _unprotect(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


# Export ------------------------------------------------------------------


def service_row(service: ServiceOut) -> dict[str, str]:
    """Return the CSV row of a fully nested service."""
    row: dict[str, str] = {column: "" for column in COLUMNS}
    for column in SERVICE_COLUMNS:
        if column == "organization":
            row[column] = service.organization.name
            continue
        value = getattr(service, column)
        row[column] = "" if value is None else str(value)

    row["hours"] = _join(
        schedule.description for schedule in service.schedules if schedule.description
    )
    row["phones"] = _join(_phone_entry(phone) for phone in service.phones)

    by_taxonomy: dict[str, list[str]] = {}
    for attribute in service.attributes:
        term = attribute.taxonomy_term
        if term.code is None:
            continue
        by_taxonomy.setdefault(term.taxonomy or "", []).append(term.code)
    for column, taxonomy in TAXONOMY_COLUMNS.items():
        row[column] = _join(sorted(by_taxonomy.pop(taxonomy, [])))
    row["other_terms"] = _join(
        f"{taxonomy}:{code}"
        for taxonomy, codes in sorted(by_taxonomy.items())
        for code in sorted(codes)
    )

    if service.service_at_locations:
        location = service.service_at_locations[0].location
        row["location_name"] = location.name or ""
        if location.addresses:
            address = location.addresses[0]
            row["address_1"] = address.address_1
            row["address_2"] = address.address_2 or ""
            row["city"] = address.city
            row["state_province"] = address.state_province
            row["postal_code"] = address.postal_code
    return {column: _protect(value) for column, value in row.items()}


def _phone_entry(phone: Any) -> str:
    entry = f"{phone.type or 'voice'}: {phone.number}"
    if phone.extension is not None:
        entry += f" ext {phone.extension}"
    if phone.description:
        entry += f" [{phone.description.replace(']', ')')}]"
    return entry


def write_csv(services: Iterable[ServiceOut]) -> str:
    """Return the CSV text of the services, with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for service in services:
        writer.writerow(service_row(service))
    return buffer.getvalue()


# Import ------------------------------------------------------------------


def parse_csv_feed(data: bytes, notes: list[str]) -> list[dict[str, str]]:
    """Return the rows of a CSV file, with the header checked."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        notes.append(
            "The file is not UTF-8, so it was read as Windows-1252, as older "
            "spreadsheet programs save CSV."
        )
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as exc:
        raise FeedError(f"the file is not valid CSV: {exc}") from exc

    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if "organization" not in header and "organization_id" not in header:
        missing.append("organization")
    if missing:
        raise FeedError(
            f"the CSV header has no {', '.join(missing)} column; the first row "
            f"must name the columns, such as {', '.join(COLUMNS[:4])}"
        )
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        notes.append(
            f"Columns this import does not read, ignored: {', '.join(unknown)}"
        )
    return rows


def service_from_csv_row(row: dict[str, Any], context: RecordContext) -> ServiceDraft:
    """Clean one CSV row into a service draft, or raise RecordRejectedError."""
    if None in row:
        raise RecordRejectedError("the row has more cells than the header has columns")
    cells = {column: _unprotect(value or "") for column, value in row.items() if column}
    try:
        given_id = clean_id(cells.get("id"))
        organization_id = clean_id(cells.get("organization_id"))
    except InvalidValueError as exc:
        raise RecordRejectedError(str(exc)) from exc
    context.record_id = given_id

    name = clean_line(cells.get("name"))
    if name is None:
        raise RecordRejectedError("the service has no name")
    organization_name = clean_line(cells.get("organization")) or ""
    if not organization_name and organization_id is None:
        raise RecordRejectedError("the service has no organization")

    service = ServiceDraft(
        record_number=context.number,
        id=given_id
        or derived_id("service", organization_id or organization_name, name),
        name=name,
        organization=OrganizationDraft(id=organization_id, name=organization_name),
        alternate_name=clean_line(cells.get("alternate_name")),
        description=clean_text(cells.get("description")),
        status=service_status(cells.get("status")),
        eligibility_description=clean_text(cells.get("eligibility_description")),
        fees_description=clean_text(cells.get("fees_description")),
        application_process=clean_text(cells.get("application_process")),
        alert=clean_text(cells.get("alert")),
        given_fields={column for column in SERVICE_COLUMNS if column in cells},
        id_given=given_id is not None,
    )
    for column, clean in (
        ("url", clean_url),
        ("email", clean_email),
        ("minimum_age", clean_age),
        ("maximum_age", clean_age),
        ("assured_date", parse_date),
    ):
        try:
            setattr(service, column, clean(cells.get(column)))
        except InvalidValueError as exc:
            context.warn(f"{column} dropped: {exc}")

    if "hours" in cells:
        service.schedules = [
            ScheduleDraft(description=entry) for entry in _split(cells["hours"])
        ]
    if "phones" in cells:
        service.phones = _phones(cells["phones"], context)
    _read_terms(service, cells)
    if "areas" in cells:
        service.area_codes_for_service_areas = _split(cells["areas"])
    if any(column in cells for column in LOCATION_COLUMNS):
        service.locations = _location(service, cells, context)
    return service


def _phones(cell: str, context: RecordContext) -> list[PhoneDraft]:
    phones = []
    for entry in _split(cell):
        match = _PHONE_ENTRY.match(entry)
        if match is None:
            context.warn(f"phone {entry!r} dropped: it is not 'type: number'")
            continue
        phone_type = match.group("type")
        number_text = match.group("number")
        if phone_type and clean_phone_type(phone_type) is None:
            # Not a type but a label such as "Tel": let the phone cleaner read it.
            number_text = f"{phone_type}: {number_text}"
            phone_type = None
        try:
            cleaned = clean_phone(number_text)
        except InvalidValueError as exc:
            context.warn(f"phone dropped: {exc}")
            continue
        phones.append(
            PhoneDraft(
                number=cleaned.number,
                extension=cleaned.extension,
                type=clean_phone_type(phone_type) or cleaned.label_type or "voice",
                description=clean_line(match.group("description")),
            )
        )
    phones.sort(key=lambda phone: PHONE_TYPE_ORDER.get(phone.type or "", 99))
    return phones


def _read_terms(service: ServiceDraft, cells: dict[str, str]) -> None:
    for column, taxonomy in TAXONOMY_COLUMNS.items():
        if column not in cells:
            continue
        service.replace_taxonomies.add(taxonomy)
        service.terms.extend(
            TermDraft(
                taxonomy=taxonomy,
                code=code,
                link_type=vocabulary.LINK_TYPES.get(taxonomy),
            )
            for code in _split(cells[column])
        )
    if "other_terms" in cells:
        service.all_other_taxonomies = True
        for entry in _split(cells["other_terms"]):
            taxonomy, separator, code = entry.rpartition(":")
            if not separator or not taxonomy.strip() or not code.strip():
                raise RecordRejectedError(
                    f"other_terms entry {entry!r} is not 'taxonomy:code'"
                )
            service.terms.append(
                TermDraft(taxonomy=taxonomy.strip(), code=code.strip())
            )


def _location(
    service: ServiceDraft, cells: dict[str, str], context: RecordContext
) -> list[LocationDraft]:
    values = {column: clean_line(cells.get(column)) for column in LOCATION_COLUMNS}
    if not any(values.values()):
        return []
    address_1, city, postal_code = (
        values["address_1"],
        values["city"],
        values["postal_code"],
    )
    location = LocationDraft(
        id=derived_id(
            "location",
            service.organization.id or service.organization.name,
            values["location_name"],
            postal_code,
        ),
        name=values["location_name"],
    )
    if address_1 and city and postal_code:
        location.addresses.append(
            AddressDraft(
                address_1=address_1,
                address_2=values["address_2"],
                city=city,
                state_province=values["state_province"] or "",
                postal_code=postal_code.upper(),
            )
        )
    elif address_1 or city or postal_code:
        context.warn(
            "address dropped: an address needs address_1, city and postal_code"
        )
    return [location]
