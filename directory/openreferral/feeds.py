"""Read Open Referral JSON feeds into cleaned service drafts.

Two shapes are read: HSDS 3.0 (a list of services, or a page with `contents`)
and the older Open Referral UK v1 API (a page with `totalElements` and
`content`, services with `regular_schedules`, `service_taxonomys` and
`physical_addresses`). A v1 service is first rewritten in the 3.0 shape.
"""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from directory import vocabulary
from directory.db.models import ADDRESS_TYPES, LOCATION_TYPES, SERVICE_STATUSES
from directory.openreferral.cleaning import (
    InvalidValueError,
    clean_age,
    clean_email,
    clean_extension,
    clean_id,
    clean_line,
    clean_number,
    clean_phone,
    clean_phone_type,
    clean_text,
    clean_url,
    derived_id,
    parse_date,
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
from directory.openreferral.report import FeedError, RecordContext, RecordRejectedError

HSDS_3_0 = "Open Referral HSDS 3.0"
UK_V1 = "Open Referral UK v1"
UK_V1_TAXONOMY = "openreferral-uk-v1"

# Service fields of HSDS 3.0 that the directory stores or reads.
HSDS_SERVICE_FIELDS = {
    "id",
    "organization_id",
    "organization",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "phones",
    "schedules",
    "service_areas",
    "service_at_locations",
    "contacts",
    "attributes",
    # The directory records its own time of change, not the feed's.
    "last_modified",
}
UK_V1_SERVICE_FIELDS = {
    "id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "assured_date",
    "organization",
    "contacts",
    "eligibilitys",
    "regular_schedules",
    "service_areas",
    "service_at_locations",
    "service_taxonomys",
}
UK_V1_MARKERS = {
    "regular_schedules",
    "service_taxonomys",
    "eligibilitys",
    "holiday_schedules",
}
WEEKDAY_CODES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


def parse_json_feed(data: bytes) -> tuple[str, list[Any]]:
    """Return the shape name and the service records of a JSON feed."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FeedError(f"the file is not UTF-8 text ({exc.reason})") from exc
    except RecursionError as exc:
        raise FeedError("the JSON is nested too deeply to read") from exc
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"the file is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from exc

    if isinstance(document, list):
        records, shape = document, HSDS_3_0
    elif isinstance(document, dict) and isinstance(document.get("content"), list):
        records, shape = document["content"], UK_V1
    elif isinstance(document, dict) and isinstance(document.get("contents"), list):
        records, shape = document["contents"], HSDS_3_0
    elif isinstance(document, dict) and isinstance(document.get("services"), list):
        records, shape = document["services"], HSDS_3_0
    elif isinstance(document, dict) and "name" in document:
        records, shape = [document], HSDS_3_0
    else:
        raise FeedError(
            "the JSON is neither a list of services nor a page of them: expected "
            "a list, or an object with `contents` (HSDS 3.0) or `content` "
            "(Open Referral UK v1)"
        )

    if shape == HSDS_3_0 and any(
        isinstance(record, dict) and UK_V1_MARKERS & record.keys() for record in records
    ):
        shape = UK_V1
    return shape, records


def service_from_record(
    shape: str, record: object, context: RecordContext, ignored: Counter[str]
) -> ServiceDraft:
    """Clean one service record of a JSON feed, or raise RecordRejectedError."""
    if not isinstance(record, dict):
        raise RecordRejectedError(
            f"the record is a JSON {type(record).__name__}, not an object"
        )
    if shape == UK_V1:
        ignored.update(key for key in record if key not in UK_V1_SERVICE_FIELDS)
        record = hsds_from_uk_v1(record)
    else:
        ignored.update(key for key in record if key not in HSDS_SERVICE_FIELDS)
    return service_from_hsds(record, context)


def hsds_from_uk_v1(record: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an Open Referral UK v1 service in the HSDS 3.0 shape."""
    converted: dict[str, Any] = {
        key: record.get(key)
        for key in ("id", "name", "description", "url", "email", "status")
    }
    converted["assured_date"] = record.get("assured_date")
    converted["fees_description"] = record.get("fees")

    organization = record.get("organization")
    if isinstance(organization, dict):
        converted["organization"] = {
            "id": organization.get("id"),
            "name": organization.get("name"),
            "description": organization.get("description"),
            "email": organization.get("email"),
            "website": organization.get("url") or organization.get("website"),
        }

    eligibilities = _objects(record.get("eligibilitys"))
    if eligibilities:
        converted["minimum_age"] = eligibilities[0].get("minimum_age")
        converted["maximum_age"] = eligibilities[0].get("maximum_age")

    if "contacts" in record:
        converted["contacts"] = [
            {
                "name": contact.get("name"),
                "title": contact.get("title"),
                "phones": [
                    {"number": phone.get("number"), "type": phone.get("type")}
                    for phone in _objects(contact.get("phones"))
                ],
            }
            for contact in _objects(record.get("contacts"))
        ]
    if "service_areas" in record:
        converted["service_areas"] = [
            {
                "name": area.get("service_area") or area.get("name"),
                "extent": area.get("extent"),
                "uri": area.get("uri"),
            }
            for area in _objects(record.get("service_areas"))
        ]
    if "regular_schedules" in record:
        converted["schedules"] = [
            _schedule_from_uk_v1(schedule)
            for schedule in _objects(record.get("regular_schedules"))
        ]
    if "service_at_locations" in record:
        converted["service_at_locations"] = [
            _service_at_location_from_uk_v1(link)
            for link in _objects(record.get("service_at_locations"))
        ]
    if "service_taxonomys" in record:
        converted["attributes"] = [
            _attribute_from_uk_v1(link)
            for link in _objects(record.get("service_taxonomys"))
        ]
    return converted


def _schedule_from_uk_v1(schedule: dict[str, Any]) -> dict[str, Any]:
    byday = schedule.get("byday")
    weekday = schedule.get("weekday")
    if not byday and isinstance(weekday, str):
        byday = WEEKDAY_CODES.get(weekday.strip().lower(), weekday)
    return {
        "opens_at": schedule.get("opens_at"),
        "closes_at": schedule.get("closes_at"),
        "byday": byday,
        "freq": schedule.get("freq"),
        "valid_from": schedule.get("valid_from"),
        "valid_to": schedule.get("valid_to"),
        "description": schedule.get("description"),
    }


def _service_at_location_from_uk_v1(link: dict[str, Any]) -> dict[str, Any]:
    location = _object(link.get("location"))
    return {
        "location": {
            "id": location.get("id"),
            "name": location.get("name"),
            "description": location.get("description"),
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "location_type": "physical",
            "addresses": [
                {**address, "address_type": "physical"}
                for address in _objects(location.get("physical_addresses"))
            ],
        }
    }


def _attribute_from_uk_v1(link: dict[str, Any]) -> dict[str, Any]:
    taxonomy = _object(link.get("taxonomy"))
    return {
        "taxonomy_term": {
            "id": taxonomy.get("id"),
            "code": taxonomy.get("id"),
            "name": taxonomy.get("name"),
            "taxonomy": taxonomy.get("vocabulary") or UK_V1_TAXONOMY,
        }
    }


def _object(value: object) -> dict[str, Any]:
    """Return a JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[dict[str, Any]]:
    """Return the objects of a JSON list, skipping anything else."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _optional(
    context: RecordContext,
    clean: Callable[[object], Any],
    value: object,
    field_name: str,
) -> Any:
    """Clean a value; when it cannot be cleaned, drop it with a warning."""
    try:
        return clean(value)
    except InvalidValueError as exc:
        context.warn(f"{field_name} dropped: {exc}")
        return None


def service_from_hsds(record: dict[str, Any], context: RecordContext) -> ServiceDraft:
    """Clean one HSDS 3.0 service record."""
    try:
        given_id = clean_id(record.get("id"))
    except InvalidValueError as exc:
        raise RecordRejectedError(str(exc)) from exc
    context.record_id = given_id

    name = clean_line(record.get("name"))
    if name is None:
        raise RecordRejectedError("the service has no name")
    organization = _organization(record, context)
    status = service_status(record.get("status"))

    service = ServiceDraft(
        record_number=context.number,
        id=given_id
        or derived_id("service", organization.id or organization.name, name),
        name=name,
        organization=organization,
        alternate_name=clean_line(record.get("alternate_name")),
        description=clean_text(record.get("description")),
        url=_optional(context, clean_url, record.get("url"), "url"),
        email=_optional(context, clean_email, record.get("email"), "email"),
        status=status,
        interpretation_services=clean_text(record.get("interpretation_services")),
        application_process=clean_text(record.get("application_process")),
        fees_description=clean_text(record.get("fees_description")),
        eligibility_description=clean_text(record.get("eligibility_description")),
        minimum_age=_optional(
            context, clean_age, record.get("minimum_age"), "minimum_age"
        ),
        maximum_age=_optional(
            context, clean_age, record.get("maximum_age"), "maximum_age"
        ),
        assured_date=_optional(
            context, parse_date, record.get("assured_date"), "assured_date"
        ),
        assurer_email=_optional(
            context, clean_email, record.get("assurer_email"), "assurer_email"
        ),
        alert=clean_text(record.get("alert")),
        id_given=given_id is not None,
    )
    if (
        service.minimum_age is not None
        and service.maximum_age is not None
        and service.minimum_age > service.maximum_age
    ):
        context.warn(
            f"ages dropped: minimum_age {service.minimum_age} is greater than "
            f"maximum_age {service.maximum_age}"
        )
        service.minimum_age = service.maximum_age = None

    if "phones" in record:
        service.phones = _phones(record.get("phones"), context, "phone")
    if "schedules" in record:
        service.schedules = [
            _schedule(schedule, context) for schedule in _objects(record["schedules"])
        ]
    if "service_areas" in record:
        service.service_areas = [
            _service_area(area) for area in _objects(record["service_areas"])
        ]
    if "contacts" in record:
        service.contacts = [
            _contact(contact, context) for contact in _objects(record["contacts"])
        ]
    if "service_at_locations" in record:
        service.locations = _locations(record["service_at_locations"], context)
    if "attributes" in record:
        service.terms = _terms(record["attributes"], context)
        service.replace_taxonomies = {term.taxonomy for term in service.terms}
        service.all_other_taxonomies = True
    return service


def service_status(value: object) -> str:
    """Return an HSDS service status, accepting any case; reject other values."""
    text = clean_line(value)
    if text is None:
        return "active"
    normalised = " ".join(text.lower().replace("_", " ").split())
    if normalised not in SERVICE_STATUSES:
        allowed = ", ".join(SERVICE_STATUSES)
        raise RecordRejectedError(f"status {text!r} is not one of {allowed}")
    return normalised


def _organization(record: dict[str, Any], context: RecordContext) -> OrganizationDraft:
    nested = record.get("organization")
    try:
        organization_id = clean_id(record.get("organization_id"))
        if isinstance(nested, dict):
            organization_id = clean_id(nested.get("id")) or organization_id
    except InvalidValueError as exc:
        raise RecordRejectedError(f"organisation {exc}") from exc

    if isinstance(nested, str) and clean_line(nested):
        # Some feeds give the organisation as its name alone.
        return OrganizationDraft(id=organization_id, name=clean_line(nested) or "")
    if not isinstance(nested, dict):
        if organization_id is None:
            raise RecordRejectedError("the service has no organization")
        # Only an id: the importer looks it up in the directory.
        return OrganizationDraft(id=organization_id, name="")

    name = clean_line(nested.get("name"))
    if name is None:
        if organization_id is None:
            raise RecordRejectedError("the service's organization has no name")
        return OrganizationDraft(id=organization_id, name="")
    return OrganizationDraft(
        id=organization_id,
        name=name,
        alternate_name=clean_line(nested.get("alternate_name")),
        description=clean_text(nested.get("description")),
        email=_optional(
            context, clean_email, nested.get("email"), "organization email"
        ),
        website=_optional(
            context, clean_url, nested.get("website"), "organization website"
        ),
        uri=_optional(context, clean_url, nested.get("uri"), "organization uri"),
        legal_status=clean_line(nested.get("legal_status")),
    )


def _phones(value: object, context: RecordContext, label: str) -> list[PhoneDraft]:
    phones = []
    for phone in _objects(value):
        try:
            cleaned = clean_phone(phone.get("number"))
        except InvalidValueError as exc:
            context.warn(f"{label} dropped: {exc}")
            continue
        extension = phone.get("extension")
        phones.append(
            PhoneDraft(
                number=cleaned.number,
                extension=cleaned.extension
                if cleaned.extension is not None
                else _optional(context, clean_extension, extension, "extension"),
                type=clean_phone_type(phone.get("type"))
                or cleaned.label_type
                or "voice",
                description=clean_line(phone.get("description")),
            )
        )
    return phones


def _schedule(schedule: dict[str, Any], context: RecordContext) -> ScheduleDraft:
    return ScheduleDraft(
        valid_from=_optional(
            context, parse_date, schedule.get("valid_from"), "valid_from"
        ),
        valid_to=_optional(context, parse_date, schedule.get("valid_to"), "valid_to"),
        freq=clean_line(schedule.get("freq")),
        byday=clean_line(schedule.get("byday")),
        opens_at=clean_line(schedule.get("opens_at")),
        closes_at=clean_line(schedule.get("closes_at")),
        description=clean_text(schedule.get("description")),
        notes=clean_text(schedule.get("notes")),
    )


def _service_area(area: dict[str, Any]) -> ServiceAreaDraft:
    return ServiceAreaDraft(
        name=clean_line(area.get("name")),
        description=clean_text(area.get("description")),
        extent=clean_text(area.get("extent")),
        extent_type=clean_line(area.get("extent_type")),
        uri=clean_line(area.get("uri")),
    )


def _contact(contact: dict[str, Any], context: RecordContext) -> ContactDraft:
    return ContactDraft(
        name=clean_line(contact.get("name")),
        title=clean_line(contact.get("title")),
        department=clean_line(contact.get("department")),
        email=_optional(context, clean_email, contact.get("email"), "contact email"),
        phones=_phones(contact.get("phones"), context, "contact phone"),
    )


def _locations(value: object, context: RecordContext) -> list[LocationDraft]:
    locations = []
    for link in _objects(value):
        location = link.get("location")
        if not isinstance(location, dict):
            context.warn("service_at_location dropped: it has no location object")
            continue
        try:
            location_id = clean_id(location.get("id") or link.get("location_id"))
        except InvalidValueError as exc:
            context.warn(f"location dropped: {exc}")
            continue
        location_type = (
            clean_line(location.get("location_type")) or "physical"
        ).lower()
        if location_type not in LOCATION_TYPES:
            context.warn(f"location_type {location_type!r} replaced by 'physical'")
            location_type = "physical"
        draft = LocationDraft(
            id=location_id,
            location_type=location_type,
            name=clean_line(location.get("name")),
            alternate_name=clean_line(location.get("alternate_name")),
            description=clean_text(location.get("description")),
            transportation=clean_text(location.get("transportation")),
            url=_optional(context, clean_url, location.get("url"), "location url"),
            latitude=_optional(
                context, clean_number, location.get("latitude"), "latitude"
            ),
            longitude=_optional(
                context, clean_number, location.get("longitude"), "longitude"
            ),
            external_identifier=clean_line(location.get("external_identifier")),
            external_identifier_type=clean_line(
                location.get("external_identifier_type")
            ),
            addresses=[
                address
                for address in (
                    _address(item, context)
                    for item in _objects(location.get("addresses"))
                )
                if address is not None
            ],
            service_description=clean_text(link.get("description")),
        )
        locations.append(draft)
    return locations


def _address(address: dict[str, Any], context: RecordContext) -> AddressDraft | None:
    address_1 = clean_line(address.get("address_1"))
    city = clean_line(address.get("city"))
    postal_code = clean_line(address.get("postal_code"))
    missing = [
        name
        for name, value in (
            ("address_1", address_1),
            ("city", city),
            ("postal_code", postal_code),
        )
        if value is None
    ]
    if missing or address_1 is None or city is None or postal_code is None:
        context.warn(f"address dropped: it has no {', '.join(missing)}")
        return None
    address_type = (clean_line(address.get("address_type")) or "physical").lower()
    if address_type not in ADDRESS_TYPES:
        address_type = "physical"
    country = (clean_line(address.get("country")) or "GB").upper()
    if country in {"UK", "UNITED KINGDOM", "ENGLAND", "GREAT BRITAIN"}:
        country = "GB"
    if len(country) != 2:
        context.warn(f"country {country!r} replaced by 'GB'")
        country = "GB"
    return AddressDraft(
        address_1=address_1,
        address_2=clean_line(address.get("address_2")),
        city=city,
        region=clean_line(address.get("region")),
        state_province=clean_line(address.get("state_province")) or "",
        postal_code=postal_code.upper(),
        country=country,
        address_type=address_type,
        attention=clean_line(address.get("attention")),
    )


def _terms(value: object, context: RecordContext) -> list[TermDraft]:
    terms = []
    for attribute in _objects(value):
        term = _object(attribute.get("taxonomy_term"))
        detail = _object(term.get("taxonomy_detail"))
        try:
            term_id = clean_id(term.get("id") or attribute.get("taxonomy_term_id"))
            taxonomy_id = clean_id(term.get("taxonomy_id") or detail.get("id"))
        except InvalidValueError as exc:
            context.warn(f"taxonomy term dropped: {exc}")
            continue
        taxonomy = clean_line(detail.get("name")) or clean_line(term.get("taxonomy"))
        code = clean_line(term.get("code")) or term_id
        if code is None or (taxonomy is None and term_id is None):
            context.warn("taxonomy term dropped: it has no code, id or taxonomy")
            continue
        terms.append(
            TermDraft(
                taxonomy=taxonomy or "",
                code=code,
                name=clean_line(term.get("name")),
                description=clean_text(term.get("description")),
                term_id=term_id,
                term_uri=clean_line(term.get("term_uri")),
                taxonomy_id=taxonomy_id,
                taxonomy_description=clean_text(detail.get("description")),
                taxonomy_uri=clean_line(detail.get("uri")),
                taxonomy_version=clean_line(detail.get("version")),
                link_type=clean_line(attribute.get("link_type"))
                or vocabulary.LINK_TYPES.get(taxonomy or ""),
                value=clean_text(attribute.get("value")),
                label=clean_line(attribute.get("label")),
            )
        )
    return terms
