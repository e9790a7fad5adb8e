"""Tables of the staff pages: accounts, signed-in sessions and service drafts.

Field changes to the directory are recorded in the HSDS `metadata` table
(`directory.db.models.Metadata`), not here.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db.base import Base
from directory.db.models import ID_LENGTH, new_id

ADMIN = "admin"
EDITOR = "editor"
REVIEWER = "reviewer"
ROLES = (ADMIN, EDITOR, REVIEWER)


class StaffAccount(Base):
    """A member of staff who signs in to the staff pages."""

    __tablename__ = "staff_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'editor', 'reviewer')",
            name="role",
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    # Stored in lower case, so sign-in ignores the case of the address.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # An Argon2id hash in PHC string format, with its own salt and parameters.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    sessions: Mapped[list["StaffSession"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"StaffAccount(email={self.email!r}, role={self.role!r})"


class StaffSession(Base):
    """A signed-in session. The cookie contains a token whose SHA-256 is the id."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    account: Mapped[StaffAccount] = relationship(back_populates="sessions")


class ServiceDraft(Base):
    """Unpublished changes to one service, kept as the whole proposed record.

    `service_id` has no foreign key: the draft of a new service names the id the
    service row gets when the draft is first published.
    """

    __tablename__ = "service_draft"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    is_new: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
