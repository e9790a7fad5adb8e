"""Request and response bodies of `POST /api/signpost` (see docs/architecture.md)."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from directory.signposting.labels import (
    Area,
    Characteristic,
    Faith,
    IncidentType,
    Reading,
    Role,
)

RouteName = Literal[
    "emergency",
    "police_report",
    "online_report",
    "third_party_report",
    "anonymous_report",
    "council_report",
    "victim_support",
    "emotional_support",
    "online_harms",
    "crisis",
    "discrimination_advice",
]


class Situation(BaseModel):
    """The known facts of the visitor's situation. Every field is optional.

    `characteristics` may contain `none` when the visitor stated that it was not about
    who they are, and signposting treats that like an empty list.
    """

    model_config = ConfigDict(extra="forbid")

    characteristics: list[Characteristic] = Field(default_factory=list)
    faiths: list[Faith] = Field(default_factory=list)
    incident_types: list[IncidentType] = Field(default_factory=list)
    area: Area | None = None
    urgent: bool = False
    self_harm: bool = False
    under_18: bool = False
    wants_anonymous: bool = False
    avoid_police: bool = False
    role: Role = "victim"
    low_severity: bool = False
    hate_denied: bool = False


class RouteEntry(BaseModel):
    """One suggested service and the route it offers the visitor."""

    service_id: str
    name: str
    route: RouteName
    reason: str
    phone: str | None = None
    text: str | None = None
    email: str | None = None
    url: str | None = None
    hours: str | None = None
    anonymous: bool = False


class SignpostResult(BaseModel):
    """The reading of a situation, its explanation, the routes and any notes."""

    likely: Reading | None
    explanation: list[str]
    routes: list[RouteEntry]
    notes: list[str]
