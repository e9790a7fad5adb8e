"""The staff start page and the reviewers' page."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from directory.staff.auth import CurrentStaff, SignedIn, require_role
from directory.staff.models import REVIEWER
from directory.staff.pages import render

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def home(request: Request, staff: CurrentStaff) -> HTMLResponse:
    """List the parts of the staff pages that the account's role may use."""
    return render(request, "home.html", staff)


@router.get("/reviews", response_class=HTMLResponse)
def reviews(
    request: Request, staff: Annotated[SignedIn, Depends(require_role(REVIEWER))]
) -> HTMLResponse:
    """Tell reviewers what they will find here."""
    return render(request, "reviews.html", staff)
