"""Password hashing with Argon2id and random tokens for sessions and forms."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12

# argon2-cffi's defaults follow RFC 9106's second recommended option (Argon2id,
# 64 MiB of memory, 3 passes).
_hasher = PasswordHasher()

# Verified against when the email address is unknown, so that a wrong address
# takes as long to reject as a wrong password.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Return the Argon2id hash of a password, with a new random salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_verification_time(password: str) -> None:
    """Verify a password against a throwaway hash and ignore the result."""
    verify_password(_UNKNOWN_ACCOUNT_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    """Return whether a hash was made with older parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Return why a new password is not acceptable, or None if it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters."
    if password.strip() != password:
        return "Enter a password that does not start or end with a space."
    return None


def new_token() -> str:
    """Return a random URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the SHA-256 of a token in hex, as stored in the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(expected: str, given: str) -> bool:
    """Compare two tokens in constant time."""
    return secrets.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
