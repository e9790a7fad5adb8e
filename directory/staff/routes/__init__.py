"""Routers of the staff pages, under /staff."""

from directory.staff.routes.accounts import router as accounts_router
from directory.staff.routes.home import router as home_router
from directory.staff.routes.services import router as services_router
from directory.staff.routes.sign_in import router as sign_in_router

routers = (sign_in_router, home_router, services_router, accounts_router)
