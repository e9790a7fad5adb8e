"""Export the directory as an HSDS 3.0 JSON page or as the staff CSV format."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.db.models import Service
from directory.openreferral.csv_format import write_csv
from directory.openreferral.queries import PageSlice
from directory.openreferral.report import FeedError
from directory.openreferral.schemas import ServiceOut
from directory.openreferral.serialize import NESTED_SERVICE_OPTIONS, nested_services


@dataclass
class ExportReport:
    """Summary of an export: the file written and the number of services."""

    path: Path
    services: int = 0
    notes: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        """Return the report as lines of text for a person to read."""
        return [f"Exported {self.services} services to {self.path}.", *self.notes]


def load_services(session: Session, *, published_only: bool) -> list[ServiceOut]:
    """Return every service, or only the published ones, fully nested."""
    statement = (
        select(Service)
        .options(*NESTED_SERVICE_OPTIONS)
        .order_by(Service.name, Service.id)
    )
    if published_only:
        statement = statement.where(Service.published.is_(True))
    return nested_services(session, session.scalars(statement).all())


def json_page(services: list[ServiceOut]) -> str:
    """Return the services as one HSDS 3.0 page, which the importer reads back."""
    page = PageSlice(len(services), 1, max(len(services), 1)).wrapper(len(services))
    page["contents"] = [
        service.model_dump(mode="json", exclude_none=True) for service in services
    ]
    return json.dumps(page, indent=2, ensure_ascii=False) + "\n"


def export_file(
    session: Session, path: Path, *, published_only: bool = False
) -> ExportReport:
    """Write the directory to a .json or .csv file, chosen by the file name."""
    suffix = path.suffix.lower()
    if suffix not in {".json", ".csv"}:
        raise FeedError(f"the file name must end in .json or .csv, not {suffix!r}")
    services = load_services(session, published_only=published_only)
    report = ExportReport(path=path, services=len(services))

    if suffix == ".json":
        text, encoding = json_page(services), "utf-8"
    else:
        # The byte order mark makes spreadsheet programs read the file as UTF-8.
        text, encoding = write_csv(services), "utf-8-sig"
        several = [s.id for s in services if len(s.service_at_locations) > 1]
        if several:
            report.notes.append(
                f"{len(several)} services have more than one location; the CSV "
                f"has only the first of each: {', '.join(several)}"
            )
    try:
        path.write_text(text, encoding=encoding, newline="")
    except OSError as exc:
        raise FeedError(f"{path} could not be written ({exc.strerror})") from exc
    return report
