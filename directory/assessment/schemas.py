"""Request and response bodies of `POST /api/assess`."""

from pydantic import BaseModel, Field

from directory.signposting.schemas import (
    Area,
    Characteristic,
    Faith,
    IncidentType,
    Reading,
    Role,
    RouteEntry,
)


class AssessRequest(BaseModel):
    """One message to assess, as the visitor typed it."""

    text: str = Field(description="The visitor's description of what happened.")


class AssessResponse(BaseModel):
    """The NLU reading of a message and the signposting for the situation in it."""

    intent: str | None = Field(description="Top intent, or null if none.")
    intent_confidence: float = Field(description="Confidence of the top intent.")
    characteristics: list[Characteristic] = Field(
        description="Targeted characteristics; `none` is reported as hate denied."
    )
    faiths: list[Faith]
    incident_types: list[IncidentType]
    urgent: bool = Field(description="Someone is in danger now, or at risk of harm.")
    self_harm: bool = Field(description="The visitor may harm themselves.")
    area: Area | None = Field(description="Council area, or null if unknown.")
    needs_town: bool = Field(
        description="The place is ambiguous, so the town should be asked for."
    )
    postcode_district: str | None = Field(
        description="Outward code that spans several council areas, such as LE2."
    )
    likely: Reading | None = Field(
        description="Reading of the situation, or null if nothing was described."
    )
    role: Role
    under_18: bool
    routes: list[RouteEntry]
    explanation: list[str]
    notes: list[str]
